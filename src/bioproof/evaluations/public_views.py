"""Public pages, no login: track records and report verification."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from bioproof.core import files
from bioproof.core.errors import DomainError
from bioproof.core.signatures import signatures_for
from bioproof.core.web import paginate
from bioproof.evaluations import reporting
from bioproof.evaluations.forms import VerifyForm
from bioproof.evaluations.models import Criterion, Report, TrackRecord


def _public() -> object:
    return (
        TrackRecord.objects.public()
        .select_related(
            "evaluation__product__supplier",
            "evaluation__product__category",
            "evaluation__center",
            "report",
        )
        .prefetch_related(
            Prefetch("evaluation__criteria", queryset=Criterion.objects.order_by("id"))
        )
    )


def track_record_list(request: HttpRequest) -> HttpResponse:
    records = _public()
    q = (request.GET.get("q") or "").strip()
    if q:
        from django.db.models import Q

        records = records.filter(
            Q(evaluation__product__name_ko__icontains=q)
            | Q(evaluation__product__name_en__icontains=q)
            | Q(evaluation__product__supplier__name_ko__icontains=q)
            | Q(evaluation__product__supplier__name_en__icontains=q)
            | Q(evaluation__code__iexact=q)
        )
    return render(
        request, "evaluations/track_record_list.html", {"page": paginate(request, records), "q": q}
    )


def track_record_detail(request: HttpRequest, code: str) -> HttpResponse:
    record = get_object_or_404(_public(), evaluation__code=code)
    evaluation = record.evaluation
    lang = request.LANGUAGE_CODE or "ko"
    runs = list(evaluation.runs.all())
    keys = reporting.kpi_keys(evaluation)
    for run in runs:
        run.kpi_values = [(run.kpis or {}).get(k) for k in keys]
    return render(
        request,
        "evaluations/track_record_detail.html",
        {
            "record": record,
            "evaluation": evaluation,
            "runs": runs,
            "kpi_headers": [(reporting.kpi_label(k, lang), reporting.kpi_unit(k)) for k in keys],
            "criteria": [
                (c, *reporting.criterion_text(c, lang), reporting.kpi_label(c.kpi, lang))
                for c in evaluation.criteria.all()
            ],
            "signatures": signatures_for(evaluation),
        },
    )


def track_record_report(request: HttpRequest, code: str) -> FileResponse:
    record = get_object_or_404(_public(), evaluation__code=code)
    return FileResponse(
        record.report.file.open("rb"),
        as_attachment=False,
        filename=f"{code}-v{record.evaluation.version}.pdf",
        content_type="application/pdf",
    )


def verify(request: HttpRequest) -> HttpResponse:
    """Confirm a report by its verification code; optionally compare an uploaded PDF's hash."""
    form = VerifyForm(request.POST or request.GET or None, request.FILES or None)
    report = match = None
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
        if report is not None and pdf is not None:
            try:  # streamed in chunks; never read whole into memory
                match = files.sha256_of(pdf, filename=pdf.name) == report.sha256
            except DomainError as exc:
                form.add_error("pdf", exc.message)
    return render(
        request,
        "evaluations/verify.html",
        {"form": form, "report": report, "match": match, "searched": searched},
    )
