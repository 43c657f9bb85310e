"""Fill the report module's data classes from an evaluation and render the PDF or plots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation

from bioproof.analysis.kpis import KPIS
from bioproof.core.i18n import human_unit
from bioproof.core.signatures import signatures_for
from bioproof.evaluations import layouts
from bioproof.evaluations.models import Evaluation, RunDataFile
from bioproof.evaluations.results import RUN_KPIS
from bioproof.reports.data import (
    CriterionRow,
    EvaluationReportData,
    KpiColumn,
    KpiRow,
    RunSeries,
    SignatureLine,
)
from bioproof.reports.plots import CurveSeries, curves_png

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


def run_series(evaluation: Evaluation) -> list[RunSeries]:
    files = {
        f.run_id: f
        for f in RunDataFile.objects.filter(
            run__evaluation=evaluation, is_current=True, layout="offline"
        )
    }
    out = []
    for run in evaluation.runs.order_by("arm", "label"):
        f = files.get(run.pk)
        if f is None:
            continue
        t = f.table
        out.append(
            RunSeries(
                label=run.label,
                arm=run.arm,
                time_h=t["time"],
                vcd=t["vcd"],
                titer=t["titer"],
                viability=t.get("viability") or (),
            )
        )
    return out


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:.3g}"


def criterion_text(criterion: Any, language: str, *, human_units: bool = False) -> tuple[str, str]:
    """(comparison, result) of a criterion as short human text in ``language``; with
    ``human_units`` the unit is written for people (×10⁶ cells/mL) — web pages only, the PDF
    font may lack the superscript digits."""
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


def build_report_data(
    evaluation: Evaluation,
    *,
    language: str,
    verification_code: str,
    content_hash: str,
    generated_at: dt.datetime,
    verify_url: str,
) -> EvaluationReportData:
    meaning_ko = {
        "authored": "작성",
        "reviewed": "검토",
        "approved": "승인",
        "released": "출하승인",
    }
    runs = list(evaluation.runs.order_by("arm", "label"))
    keys = kpi_keys(evaluation)
    with translation.override(language):
        product = evaluation.product
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
            kpi_columns=[KpiColumn(k, kpi_label(k, language), kpi_unit(k)) for k in keys],
            kpi_rows=[
                KpiRow(r.label, r.arm, {k: (r.kpis or {}).get(k) for k in keys}) for r in runs
            ],
            criteria=[
                CriterionRow(kpi_label(c.kpi, language), *criterion_text(c, language), c.passed)
                for c in evaluation.criteria.order_by("id")
            ],
            runs=run_series(evaluation),
            deviations=[d.description for d in evaluation.deviations.order_by("id")],
            signatures=[
                SignatureLine(
                    meaning=(
                        meaning_ko.get(s.meaning, s.meaning)
                        if language == "ko"
                        else s.get_meaning_display()
                    ),
                    name=s.signer_name,
                    organization=s.organization.name,
                    signed_at=s.signed_at,
                    content_hash=s.content_hash,
                )
                for s in signatures_for(evaluation)
            ],
            verification_code=verification_code,
            content_hash=content_hash,
            engine_version=evaluation.engine_version,
            generated_at=generated_at,
            verify_url=verify_url,
            correction_reason=evaluation.correction_reason,
            protocol=protocol_text(evaluation),
            figures=layout_figures(evaluation),
        )


def protocol_text(evaluation: Evaluation) -> str:
    template = evaluation.template
    parts = []
    if template is not None:
        parts.append(f"{template.name} ({template.code} v{template.version})")
    if evaluation.protocol is not None:
        parts.append(f"SHA-256 {evaluation.protocol.content_hash[:16]}…")
    return " · ".join(parts)


def layout_curves(evaluation: Evaluation, key: str) -> list[CurveSeries]:
    spec = layouts.get(key)
    files = (
        RunDataFile.objects.filter(run__evaluation=evaluation, is_current=True, layout=key)
        .select_related("run")
        .order_by("run__arm", "run__label")
    )
    return [CurveSeries(f.run.label, f.run.arm, *layouts.curve(spec, f.table)) for f in files]


def layout_figures(evaluation: Evaluation) -> list[tuple[str, bytes]]:
    """(caption, PNG) of the curves of every plotted layout of the protocol."""
    keys = evaluation.template.layouts if evaluation.template else []
    out = []
    for key in keys:
        spec = layouts.get(key)
        if spec.plot is None:
            continue
        curves = layout_curves(evaluation, key)
        if curves:
            png = curves_png(curves, x_label=spec.plot[2], y_label=spec.plot[3])
            out.append((spec.label, png))
    return out


def render_pdf(evaluation: Evaluation, *, language: str, **kw: Any) -> bytes:
    from bioproof.reports.pdf import render_evaluation_report

    data = build_report_data(evaluation, language=language, **kw)
    return render_evaluation_report(data, language=language)
