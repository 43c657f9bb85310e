"""Public pages, no login: track records and report verification."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from bioproof.catalog.models import Category, Product
from bioproof.consortium.models import Organization
from bioproof.core import files, versions
from bioproof.core.errors import DomainError
from bioproof.core.exports import filtered_list
from bioproof.core.numbers import fill_cells
from bioproof.core.signatures import signatures_for
from bioproof.demand.models import Need
from bioproof.evaluations import reporting
from bioproof.evaluations.filters import TRACK_RECORD_COLUMNS, TrackRecordFilter
from bioproof.evaluations.forms import VerifyForm
from bioproof.evaluations.models import CONFIDENTIAL, Criterion, Evaluation, Report, TrackRecord


def _public() -> object:
    return (
        TrackRecord.objects.public()
        .select_related(
            "evaluation__product__supplier",
            "evaluation__product__category",
            "evaluation__center",
            "evaluation__need",
            "report",
        )
        .prefetch_related(
            Prefetch("evaluation__criteria", queryset=Criterion.objects.order_by("id"))
        )
    )


def track_record_list(request: HttpRequest) -> HttpResponse:
    """The public list. Its body (filters, table, pages) is the same for every visitor of the
    same address in the same language, so it is rendered once per state of the tables it shows
    (:mod:`bioproof.core.versions`) and kept until one of them changes."""
    if request.GET.get("export"):
        export = _track_record_page(request)[2]
        if export is not None:
            return export
    body = versions.for_address(
        "track-records", request, TRACK_RECORD_LIST_TABLES, lambda: _track_record_body(request)
    )
    return render(request, "evaluations/track_record_list.html", {"body": mark_safe(body)})


# every table the list body reads (the need: a confidential need's scale is not shown)
TRACK_RECORD_LIST_TABLES = (TrackRecord, Evaluation, Product, Organization, Category, Need)


def _track_record_page(request: HttpRequest) -> tuple[Any, Any, HttpResponse | None]:
    return filtered_list(
        request,
        TrackRecordFilter,
        _public(),
        columns=TRACK_RECORD_COLUMNS,
        filename="track-records",
    )


def _track_record_body(request: HttpRequest) -> str:
    filterset, page, _export = _track_record_page(request)
    return render_to_string(
        "evaluations/_track_record_list_body.html",
        {"page": page, "filter": filterset, "q": request.GET.get("q", "")},
        request,
    )


def track_record_detail(request: HttpRequest, code: str) -> HttpResponse:
    record = get_object_or_404(_public(), evaluation__code=code)
    evaluation = record.evaluation
    lang = request.LANGUAGE_CODE or "ko"
    runs = list(evaluation.runs.all())
    keys = reporting.kpi_keys(evaluation)
    for run in runs:
        run.kpi_values = [(run.kpis or {}).get(k) for k in keys]
    fill_cells(runs)
    return render(
        request,
        "evaluations/track_record_detail.html",
        {
            "record": record,
            "evaluation": evaluation,
            "runs": runs,
            "kpi_headers": [(reporting.kpi_label(k, lang), reporting.kpi_unit(k)) for k in keys],
            "criteria": [
                (
                    c,
                    *(
                        reporting.criterion_text(c, lang, human_units=True)
                        if evaluation.is_public_criterion(c)
                        else (str(CONFIDENTIAL), "—")
                    ),
                    reporting.kpi_label(c.kpi, lang),
                )
                for c in evaluation.criteria.all()
            ],
            "signatures": signatures_for(evaluation),
        },
    )


def track_record_report(request: HttpRequest, code: str) -> FileResponse:
    """The PDF of a public track record; not for an evaluation whose need is confidential (the
    report carries the need's details: it is shared with the parties only)."""
    record = get_object_or_404(_public(), evaluation__code=code)
    if record.evaluation.need_is_confidential:
        raise Http404(str(_("This report is shared with the parties of the evaluation only.")))
    return FileResponse(
        record.report.file.open("rb"),
        as_attachment=False,
        filename=f"{code}-v{record.evaluation.version}.pdf",
        content_type="application/pdf",
    )


def verification(report: Report, user: Any) -> dict[str, Any]:
    """What ``/verify/`` may say of ``report`` to ``user``.

    ``state``: ``public`` (its evaluation version is a public track record), ``superseded`` (a
    newer version of the evaluation exists; ``current_code`` is the verification code of the
    current version's public report, if it has one), ``withdrawn`` (its publication was
    withdrawn; ``withdrawal``, the track record with the date and reason) or ``not_public``
    (never published). ``facts``: whether the report's evaluation, product and center may be
    named — only when that version was once public, or to the evaluation's own parties; to
    anyone else a report that never was public is only "this code exists"."""
    evaluation = report.evaluation
    records = list(evaluation.track_records.order_by("-published_at", "-id"))
    public = next((r for r in records if r.withdrawn_at is None), None)
    out: dict[str, Any] = {"state": "not_public", "current_code": "", "withdrawal": None}
    if not evaluation.is_current:
        out["state"] = "superseded"
        current = (
            TrackRecord.objects.public()
            .filter(evaluation__code=evaluation.code, evaluation__is_current=True)
            .select_related("report", "evaluation")
            .first()
        )
        if current is not None:
            out["current_code"] = current.report.verification_code
            out["current_version"] = current.evaluation.version
    elif public is not None:
        out["state"] = "public"
    elif records:
        out["state"] = "withdrawn"
        out["withdrawal"] = records[0]
    party = Evaluation.objects.visible_to(user).filter(pk=evaluation.pk).exists()
    out["facts"] = bool(records) or party
    return out


def verify(request: HttpRequest) -> HttpResponse:
    """Confirm a report by its verification code; optionally compare an uploaded PDF's hash.
    Says whether the report is public, superseded, withdrawn or not public, and names nothing
    of a report that never was public to anyone but its parties (:func:`verification`)."""
    form = VerifyForm(request.POST or request.GET or None, request.FILES or None)
    report = match = None
    status: dict[str, Any] = {}
    searched = False
    if form.is_bound and form.is_valid():
        searched = True
        code = form.cleaned_data["code"].strip().upper()
        report = (
            Report.objects.select_related("evaluation__center", "evaluation__product")
            .filter(verification_code=code)
            .first()
        )
        pdf = form.cleaned_data.get("pdf")
        if report is not None:
            status = verification(report, request.user)
            if pdf is not None:
                try:  # streamed in chunks; never read whole into memory
                    match = files.sha256_of(pdf, filename=pdf.name) == report.sha256
                except DomainError as exc:
                    form.add_error("pdf", exc.message)
    return render(
        request,
        "evaluations/verify.html",
        {"form": form, "report": report, "match": match, "searched": searched, "status": status},
    )
