"""Interop pages and downloads: evidence packages, the open-data catalogue, a run's instrument
exports (import form, list, downloads)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.core.policy import get_visible_or_404
from bioproof.evaluations import layouts
from bioproof.evaluations import policy as evaluation_policy
from bioproof.interop import actions, instruments
from bioproof.interop.errors import NotFound
from bioproof.interop.forms import InstrumentImportForm
from bioproof.interop.models import InstrumentFile
from bioproof.interop.packages import build


def _zip(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def track_record_package(request: HttpRequest, code: str) -> HttpResponse:
    """The evidence package of a public track record (no login; a confidential need's record
    only to its parties)."""
    try:
        record = build.track_record_for(code, request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    data = build.track_record_package(record)
    return _zip(data, f"{code}-v{record.evaluation.version}-evidence.zip")


def certificate_package(request: HttpRequest, code: str) -> HttpResponse:
    """The holder's evidence package of a certificate."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        cert = build.certificate_for(code, request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return _zip(build.certificate_package(cert), f"{cert.code}-evidence.zip")


def open_data_catalogue(request: HttpRequest) -> HttpResponse:
    """The DCAT JSON-LD catalogue of public records (stable URL, no login)."""
    import json

    from bioproof.interop.catalogue import catalogue

    body = json.dumps(catalogue(), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- instrument exports of a run (the web beside POST /api/v1/interop/runs/<id>/instrument-files)


def _run(request: HttpRequest, code: str, run_id: int) -> Any:
    """The run ``run_id`` of evaluation ``code`` (any version) if the user sees the evaluation;
    404 otherwise (a stranger learns nothing)."""
    from bioproof.evaluations.models import Evaluation, Run

    run = (
        Run.objects.select_related("evaluation__center", "evaluation__template")
        .filter(
            pk=run_id,
            evaluation__code=code,
            evaluation__in=Evaluation.objects.visible_to(request.user),
        )
        .first()
    )
    if run is None:
        raise Http404(code)
    return run


@login_required
def run_instrument_files(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    """A run's data: its data files, the instrument exports imported into it (with their
    SHA-256 and downloads) and, for the evaluating center while the evaluation is editable,
    the forms that add data: a CSV/XLSX table, or instrument exports converted to ASM."""
    from bioproof.evaluations.actions._common import require_operator
    from bioproof.evaluations.models import EDITABLE_STATES

    run = _run(request, code, run_id)
    evaluation = run.evaluation
    if request.method == "POST":
        try:
            require_operator(request.user, evaluation)
        except PolicyDenied as exc:
            return render(request, "core/denied.html", {"message": exc.message}, status=403)
        form = InstrumentImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                data_file, kept = actions.import_instrument_files(
                    by=request.user,
                    run=run,
                    uploads=form.uploads(),
                    start=form.cleaned_data["start"],
                )
            except PolicyDenied as exc:
                return render(request, "core/denied.html", {"message": exc.message}, status=403)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d instrument export imported into run %(run)s: data file %(file)s "
                        "v%(v)d (%(layout)s), rows: %(rows)d.",
                        "%(n)d instrument exports imported into run %(run)s: data file %(file)s "
                        "v%(v)d (%(layout)s), rows: %(rows)d.",
                        len(kept),
                    )
                    % {
                        "n": len(kept),
                        "run": run.label,
                        "file": data_file.filename,
                        "v": data_file.version,
                        "layout": data_file.layout,
                        "rows": data_file.n_rows,
                    },
                )
                return redirect("run_instrument_files", code=evaluation.code, run_id=run.pk)
    else:
        form = InstrumentImportForm()
    layout_keys = evaluation.template.layouts if evaluation.template else ["offline"]
    return render(
        request,
        "interop/run_instrument_files.html",
        {
            "evaluation": evaluation,
            "run": run,
            "form": form,
            "operator": evaluation_policy.is_center_operator(request.user, evaluation),
            "editable": evaluation.is_current and evaluation.status in EDITABLE_STATES,
            "data_files": run.data_files.order_by("layout", "-version"),
            "instrument_files": InstrumentFile.objects.visible_to(request.user)
            .filter(run=run)
            .select_related("data_file", "uploaded_by"),
            "layouts": [layouts.get(k) for k in layout_keys],
            "max_files": actions.MAX_FILES_PER_IMPORT,
            "max_mb": instruments.MAX_BYTES // (1024 * 1024),
        },
    )


@login_required
def instrument_file_download(
    request: HttpRequest, code: str, run_id: int, file_id: int, part: str
) -> FileResponse:
    """The raw export (``part="raw"``) or its ASM JSON (``"asm"``), to whoever sees both the
    run (its evaluation's parties) and the instrument file (``InstrumentFile.visible_to``)."""
    run = _run(request, code, run_id)
    item = get_visible_or_404(InstrumentFile.objects, request.user, pk=file_id, run=run)
    if part == "asm":
        return FileResponse(
            item.asm.open("rb"),
            as_attachment=True,
            filename=f"{PurePath(item.raw_filename).stem}.asm.json",
            content_type="application/json",
        )
    return FileResponse(item.raw.open("rb"), as_attachment=True, filename=item.raw_filename)
