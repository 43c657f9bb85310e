"""The signed content of an evaluation version and its SHA-256.

Everything a signature vouches for is in :func:`snapshot`: the plan (product, center, reference,
scale, context, criteria), every run with the hash of its current data file, the computed KPIs and
verdicts with the engine version, and the deviations. Signatures store :func:`content_hash`; a
later mismatch means the signed record changed.
"""

from __future__ import annotations

from typing import Any

from bioproof.core.audit import canonical_json, jsonable, sha256_hex
from bioproof.evaluations.models import Evaluation, RunDataFile


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value``."""
    return sha256_hex(canonical_json(value))


def _criteria(evaluation: Evaluation, *, with_results: bool) -> list[dict[str, Any]]:
    out = []
    for c in evaluation.criteria.order_by("id"):
        row = {
            "kpi": c.kpi,
            "comparison": c.comparison,
            "value": c.value,
            "relative": c.relative,
            "alpha": c.alpha,
            "unit": c.unit,
            "higher_is_better": c.higher_is_better,
            "source": c.source,
        }
        if with_results:
            row |= {"result": c.result, "passed": c.passed}
        out.append(row)
    return out


def protocol_plan(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation plan (평가계획) that the protocol signature vouches for."""
    template = evaluation.template
    return jsonable(
        {
            "code": evaluation.code,
            "product": evaluation.product.code,
            "supplier": evaluation.product.supplier.code,
            "center": evaluation.center.code,
            "title": evaluation.title,
            "reference_product": evaluation.reference_product,
            "scale": evaluation.scale,
            "process_context": evaluation.process_context,
            "template": (
                {
                    "code": template.code,
                    "version": template.version,
                    "family": template.family,
                    "candidate_runs": template.candidate_runs,
                    "reference_runs": template.reference_runs,
                    "layouts": template.layouts,
                    "kpis": template.kpis,
                }
                if template
                else None
            ),
            "criteria": _criteria(evaluation, with_results=False),
        }
    )


def snapshot(evaluation: Evaluation) -> dict[str, Any]:
    runs = list(evaluation.runs.order_by("arm", "label"))
    files: dict[int, list[dict[str, Any]]] = {}
    current = RunDataFile.objects.filter(run__evaluation=evaluation, is_current=True)
    for f in current.order_by("layout"):
        files.setdefault(f.run_id, []).append(
            {"layout": f.layout, "sha256": f.sha256, "version": f.version}
        )
    return jsonable(
        {
            "code": evaluation.code,
            "version": evaluation.version,
            "correction_reason": evaluation.correction_reason,
            "product": evaluation.product.code,
            "center": evaluation.center.code,
            "title": evaluation.title,
            "reference_product": evaluation.reference_product,
            "scale": evaluation.scale,
            "process_context": evaluation.process_context,
            "engine_version": evaluation.engine_version,
            "protocol_hash": evaluation.protocol.content_hash if evaluation.protocol else None,
            "criteria": _criteria(evaluation, with_results=True),
            "runs": [
                {
                    "label": r.label,
                    "arm": r.arm,
                    "batch_id": r.batch_id,
                    "equipment": r.equipment,
                    "parameters": r.parameters,
                    "data": files.get(r.pk, []),
                    "kpis": r.kpis,
                }
                # an exclusion is part of the signed content (absent for included runs, so
                # the hashes of evaluations signed before exclusions existed are unchanged)
                | ({"excluded": r.excluded_reason} if r.excluded_at else {})
                for r in runs
            ],
            "deviations": [d.description for d in evaluation.deviations.order_by("id")],
        }
    )


def content_hash(evaluation: Evaluation) -> str:
    return digest(snapshot(evaluation))
