"""Fill the report module's data classes from an evaluation and render the PDFs or plots.

- :func:`build_report_data` / :func:`render_pdf`: the evaluation report. Reads the evaluation's
  current data files once (one query) for the time courses, the layout curves and the list of
  raw files with their SHA-256.
- :func:`build_protocol_data` / :func:`render_protocol_pdf`: the signed protocol (평가계획),
  printed from the plan the signature vouches for.
- Every address printed in a PDF (text and QR code) is built from the setting
  ``BIOPROOF_PUBLIC_URL`` (:func:`public_url`), never from the request that happened to issue it.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from bioproof.analysis.kpis import KPIS
from bioproof.core.i18n import human_unit
from bioproof.core.signatures import signatures_for
from bioproof.evaluations import layouts
from bioproof.evaluations.models import Criterion, Evaluation, RunDataFile
from bioproof.evaluations.results import RUN_KPIS
from bioproof.reports.data import (
    CriterionRow,
    CurvePanel,
    CurveSeries,
    EvaluationReportData,
    KpiColumn,
    KpiRow,
    PlannedCriterion,
    ProtocolReportData,
    RawFile,
    RunInfo,
    RunSeries,
    SignatureLine,
)

H_PER_D = 24.0


def kpi_keys(evaluation: Evaluation) -> list[str]:
    """KPIs to tabulate: the template's, else those of a culture run."""
    if evaluation.template and evaluation.template.kpis:
        return list(evaluation.template.kpis)
    return list(RUN_KPIS)


def kpi_label(key: str, language: str) -> str:
    kpi = KPIS.get(key)
    if kpi is None:
        return key
    return kpi.label_ko if language == "ko" else kpi.label_en


def kpi_unit(key: str) -> str:
    kpi = KPIS.get(key)
    return kpi.unit if kpi else ""


def public_url() -> str:
    """The platform's public address (setting ``BIOPROOF_PUBLIC_URL``), without a final slash."""
    return str(getattr(settings, "BIOPROOF_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/")


def verification_url(verification_code: str) -> str:
    """Where a report's verification code is checked: ``<public URL>/verify/?code=…``."""
    query = f"?{urlencode({'code': verification_code})}" if verification_code else ""
    return f"{public_url()}{reverse('verify')}{query}"


def current_files(evaluation: Evaluation) -> list[RunDataFile]:
    """The current data file of every run and layout, with its run (one query)."""
    return list(
        RunDataFile.objects.filter(run__evaluation=evaluation, is_current=True)
        .select_related("run")
        .order_by("run__arm", "run__label", "layout")
    )


def _series(f: RunDataFile) -> RunSeries:
    t = f.preview()
    return RunSeries(
        label=f.run.label,
        arm=f.run.arm,
        time_h=t["time"],
        vcd=t["vcd"],
        titer=t["titer"],
        viability=t.get("viability") or (),
    )


def run_series(evaluation: Evaluation, files: list[RunDataFile] | None = None) -> list[RunSeries]:
    files = current_files(evaluation) if files is None else files
    return [_series(f) for f in files if f.layout == "offline"]


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:.3g}"


def _quality_range_text(criterion: Any, ko: bool) -> str:
    """A quality-range criterion's comparison: its range (x̄ ± k·s or min–max) and the minimum
    fraction of candidate lots inside."""
    from bioproof.evaluations.criteria import quality_min_fraction

    if criterion.comparison != "quality_range":
        return ""
    fraction = f"{100 * quality_min_fraction(criterion):g} %"
    minmax = "최소–최대" if ko else "min–max"
    span = f"x̄ ± {criterion.value:g}·s" if criterion.value > 0 else minmax
    if ko:
        return f"FDA 품질 범위 {span} (대조 배치), 후보 배치 ≥ {fraction} 범위 안"
    return f"FDA quality range {span} of the reference lots, ≥ {fraction} of candidate lots inside"


def criterion_text(criterion: Any, language: str, *, human_units: bool = False) -> tuple[str, str]:
    """(comparison, result) of a criterion as short human text in ``language``; with
    ``human_units`` the unit is written for people (×10⁶ cells/mL) — web pages and PDFs (the PDF
    prints a superscript digit NanumGothic lacks in DejaVu Sans, see ``reports.text``)."""
    ko = language == "ko"
    r = criterion.result or {}
    unit = human_unit(criterion.unit) if human_units else criterion.unit
    value = criterion.value
    margin = f"{value * 100:g} %" if criterion.relative else f"{value:g} {unit}"
    alpha = f"α = {criterion.alpha:g}"
    better = (
        "" if criterion.higher_is_better else (" (낮을수록 좋음)" if ko else " (lower is better)")
    )
    comparison = {
        "equivalence": (
            f"동등성 ±{margin} (TOST, {alpha})" if ko else f"equivalence ±{margin} (TOST, {alpha})"
        ),
        "non_inferiority": (
            f"비열등성 한계 {margin}{better} ({alpha})"
            if ko
            else f"non-inferiority margin {margin}{better} ({alpha})"
        ),
        "minimum": (
            f"모든 후보 배치 ≥ {value:g} {unit}"
            if ko
            else f"every candidate run ≥ {value:g} {unit}"
        ),
        "maximum": (
            f"모든 후보 배치 ≤ {value:g} {unit}"
            if ko
            else f"every candidate run ≤ {value:g} {unit}"
        ),
        "tier1_equivalence": (
            f"FDA 1등급 동등성 ±{value:g}·σ_R (TOST, {alpha})"
            if ko
            else f"FDA tier-1 equivalence ±{value:g}·σ_R (TOST, {alpha})"
        ),
        "ratio_equivalence": (
            f"비율 동등성 {value:g}–{1 / value if value else float('inf'):.3g} (Fieller, {alpha})"
            if ko
            else f"ratio equivalence {value:g}–{1 / value if value else float('inf'):.3g} "
            f"(Fieller, {alpha})"
        ),
        "quality_range": _quality_range_text(criterion, ko),
    }.get(criterion.comparison, criterion.comparison)
    if not r:
        return comparison, "—"
    if criterion.comparison == "ratio_equivalence":
        conf = (1 - 2 * criterion.alpha) * 100
        result = (
            f"{'비율' if ko else 'ratio'} {_num(r.get('ratio'))}, {conf:g} % CI "
            f"[{_num(r.get('ci_low'))}, {_num(r.get('ci_high'))}]"
        )
    elif criterion.comparison in ("equivalence", "tier1_equivalence"):
        conf = (1 - 2 * criterion.alpha) * 100
        result = (
            f"Δ = {_num(r.get('difference'))} {unit}, {conf:g} % CI "
            f"[{_num(r.get('ci_low'))}, {_num(r.get('ci_high'))}], "
            f"{'한계' if ko else 'margin'} [{_num(r.get('lower_margin'))}, "
            f"{_num(r.get('upper_margin'))}]"
        )
    elif criterion.comparison == "quality_range":
        result = (
            f"{'범위' if ko else 'range'} {_num(r.get('low'))}–{_num(r.get('high'))} {unit}; "
            f"{r.get('n_inside', 0)}/{r.get('n_candidate', 0)} "
            f"{'배치 범위 안' if ko else 'lots inside'}"
        )
    elif criterion.comparison == "non_inferiority":
        conf = (1 - criterion.alpha) * 100
        result = (
            f"Δ = {_num(r.get('difference'))} {unit}, {conf:g} % "
            f"{'신뢰한계' if ko else 'bound'} {_num(r.get('bound'))}, "
            f"{'한계' if ko else 'limit'} {_num(r.get('limit'))}"
        )
    else:
        result = (
            f"min {_num(r.get('min'))}, max {_num(r.get('max'))} {unit}; "
            f"{r.get('failing_runs', 0)}/{r.get('n_candidate', 0)} "
            f"{'배치 미달' if ko else 'runs outside'}"
        )
    from bioproof.evaluations.criteria import explain

    with translation.override(language):
        sentence = explain(criterion)
    return comparison, f"{result}. {sentence}" if sentence else result


_MEANING_KO = {"authored": "작성", "reviewed": "검토", "approved": "승인", "released": "출하승인"}


def signature_lines(obj: Any, language: str) -> list[SignatureLine]:
    return [
        SignatureLine(
            meaning=(
                _MEANING_KO.get(s.meaning, s.meaning)
                if language == "ko"
                else str(s.get_meaning_display())
            ),
            name=s.signer_name,
            organization=s.organization.name,
            signed_at=s.signed_at,
            content_hash=s.content_hash,
        )
        for s in signatures_for(obj)
    ]


def demand_party(evaluation: Evaluation) -> tuple[str, str]:
    """(demand company, "need code — title") of a demand-tailored evaluation, else ("", "")."""
    need = evaluation.need
    if need is None:
        return "", ""
    return need.organization.name, f"{need.code} — {need.title}"


def run_info(evaluation: Evaluation, files: list[RunDataFile]) -> list[RunInfo]:
    """Batch ID, equipment and raw files (with SHA-256) of every run of the evaluation."""
    by_run: dict[int, list[RunDataFile]] = {}
    for f in files:
        by_run.setdefault(f.run_id, []).append(f)
    return [
        RunInfo(
            label=run.label,
            arm=run.arm,
            batch_id=run.batch_id,
            equipment=run.equipment,
            files=[
                RawFile(f.filename, layouts.get(f.layout).label, f.version, f.sha256, f.size)
                for f in by_run.get(run.pk, [])
            ],
        )
        for run in evaluation.runs.order_by("arm", "label")
    ]


def build_report_data(
    evaluation: Evaluation,
    *,
    language: str,
    verification_code: str,
    content_hash: str,
    generated_at: dt.datetime,
    verify_url: str = "",
) -> EvaluationReportData:
    """Everything the report prints. ``verify_url`` is ignored (kept for callers that still pass
    the request's address): the printed address is :func:`verification_url` of the setting."""
    del verify_url
    runs = list(evaluation.runs.order_by("arm", "label"))
    keys = kpi_keys(evaluation)
    files = current_files(evaluation)
    with translation.override(language):
        product = evaluation.product
        demand_company, need = demand_party(evaluation)
        return EvaluationReportData(
            code=evaluation.code,
            version=evaluation.version,
            title=evaluation.title,
            product=f"{product.name} ({product.code})",
            supplier=product.supplier.name,
            center=evaluation.center.name,
            reference_product=evaluation.reference_product,
            scale=evaluation.scale,
            process_context=evaluation.process_context,
            kpi_columns=[
                KpiColumn(k, kpi_label(k, language), human_unit(kpi_unit(k))) for k in keys
            ],
            kpi_rows=[
                KpiRow(r.label, r.arm, {k: (r.kpis or {}).get(k) for k in keys}) for r in runs
            ],
            criteria=[
                CriterionRow(
                    kpi_label(c.kpi, language),
                    *criterion_text(c, language, human_units=True),
                    c.passed,
                )
                for c in evaluation.criteria.order_by("id")
            ],
            runs=run_series(evaluation, files),
            deviations=[d.description for d in evaluation.deviations.order_by("id")],
            signatures=signature_lines(evaluation, language),
            verification_code=verification_code,
            content_hash=content_hash,
            engine_version=evaluation.engine_version,
            generated_at=generated_at,
            verify_url=verification_url(verification_code),
            correction_reason=evaluation.correction_reason,
            protocol=protocol_text(evaluation),
            curve_panels=curve_panels(evaluation, files),
            run_info=run_info(evaluation, files),
            demand_company=demand_company,
            need=need,
        )


def protocol_text(evaluation: Evaluation) -> str:
    template = evaluation.template
    parts = []
    if template is not None:
        parts.append(f"{template.name} ({template.code} v{template.version})")
    if evaluation.protocol is not None:
        parts.append(f"SHA-256 {evaluation.protocol.content_hash[:16]}…")
    return " · ".join(parts)


def layout_curves(
    evaluation: Evaluation, key: str, files: list[RunDataFile] | None = None
) -> list[CurveSeries]:
    spec = layouts.get(key)
    files = current_files(evaluation) if files is None else files
    return [
        CurveSeries(f.run.label, f.run.arm, *layouts.curve(spec, f.preview()))
        for f in files
        if f.layout == key
    ]


def curve_panels(
    evaluation: Evaluation, files: list[RunDataFile] | None = None
) -> list[CurvePanel]:
    """The curves of every plotted layout of the protocol, drawn by the report itself."""
    keys = evaluation.template.layouts if evaluation.template else []
    files = current_files(evaluation) if files is None else files
    out = []
    for key in keys:
        spec = layouts.get(key)
        if spec.plot is None:
            continue
        curves = layout_curves(evaluation, key, files)
        if curves:
            out.append(CurvePanel(spec.label, spec.plot[2], spec.plot[3], curves))
    return out


def render_pdf(evaluation: Evaluation, *, language: str, **kw: Any) -> bytes:
    from bioproof.reports.pdf import render_evaluation_report

    data = build_report_data(evaluation, language=language, **kw)
    return render_evaluation_report(data, language=language)


# --------------------------------------------------------------------------- protocol PDF


#: values of a plan's criterion row that older plans may not carry
_PLAN_DEFAULTS = {
    "comparison": "",
    "value": 0.0,
    "relative": True,
    "alpha": 0.05,
    "unit": "",
    "higher_is_better": True,
}


def build_protocol_data(
    evaluation: Evaluation, *, language: str, generated_at: dt.datetime | None = None
) -> ProtocolReportData:
    """The signed protocol of ``evaluation`` as printed: from the signed plan (the JSON whose
    SHA-256 the signature vouches for), with the names of its parties and its signatures."""
    protocol = evaluation.protocol
    if protocol is None:
        raise ValueError(f"{evaluation.code} has no signed protocol")
    plan = protocol.plan
    template = plan.get("template") or {}
    layout_keys = template.get("layouts") or ["offline"]
    kpis = template.get("kpis") or list(RUN_KPIS)
    signatures = list(signatures_for(protocol))
    with translation.override(language):
        product = evaluation.product
        demand_company, need = demand_party(evaluation)
        source = dict(Criterion.Source.choices)
        criteria = []
        for row in plan.get("criteria", []):
            criterion = SimpleNamespace(**{**_PLAN_DEFAULTS, **row, "result": None})
            comparison, _result = criterion_text(criterion, language, human_units=True)
            criteria.append(
                PlannedCriterion(
                    kpi_label(row["kpi"], language),
                    comparison,
                    str(source.get(row.get("source", ""), row.get("source", ""))),
                )
            )
        name = ""
        if protocol.template is not None:
            name = f"{protocol.template.name} ({template.get('code')} v{template.get('version')})"
        return ProtocolReportData(
            code=evaluation.code,
            title=plan.get("title", evaluation.title),
            product=f"{product.name} ({product.code})",
            supplier=product.supplier.name,
            center=evaluation.center.name,
            reference_product=plan.get("reference_product", ""),
            scale=plan.get("scale", ""),
            process_context=plan.get("process_context", ""),
            template=name,
            layouts=[layouts.get(k).label for k in layout_keys],
            kpis=[
                f"{kpi_label(k, language)} ({human_unit(kpi_unit(k))})"
                if human_unit(kpi_unit(k))
                else kpi_label(k, language)
                for k in kpis
            ],
            candidate_runs=int(template.get("candidate_runs") or 0),
            reference_runs=int(template.get("reference_runs") or 0),
            runs=[
                RunInfo(r.label, r.arm, r.batch_id, r.equipment)
                for r in evaluation.runs.order_by("arm", "label")
            ],
            criteria=criteria,
            signatures=signature_lines(protocol, language),
            content_hash=protocol.content_hash,
            signed_at=min((s.signed_at for s in signatures), default=None),
            generated_at=generated_at or timezone.now(),
            page_url=f"{public_url()}{reverse('evaluation_detail', args=[evaluation.code])}",
            demand_company=demand_company,
            need=need,
        )


def _with_unit(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def render_protocol_pdf(evaluation: Evaluation, *, language: str) -> bytes:
    from bioproof.reports.protocol import render_protocol

    data = build_protocol_data(evaluation, language=language)
    return render_protocol(data, language=language)
