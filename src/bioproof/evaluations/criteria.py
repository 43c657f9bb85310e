"""Acceptance criteria: validation of a criterion and its verdict from per-run KPI values.

A criterion is KPI + comparison + value (+ unit):

- ``equivalence``: two one-sided tests on the difference of means (candidate − reference) with
  margin ±value (a fraction of the reference mean when ``relative``); passes when the (1 − 2α)
  confidence interval lies inside the margin (Schuirmann 1987).
- ``non_inferiority``: one-sided test that the candidate is not worse than the reference by more
  than the margin, in the direction given by ``higher_is_better`` (ICH E9; EMA CPMP/EWP/2158/99).
- ``minimum`` / ``maximum``: every candidate run meets the limit (value, in the KPI's unit).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError

COMPARISONS = ("equivalence", "non_inferiority", "minimum", "maximum")


def known_kpis() -> dict[str, Any]:
    from bioproof.analysis.kpis import KPIS

    return KPIS


def clean(spec: Mapping[str, Any], *, source: str) -> dict[str, Any]:
    """Validate one criterion given as a mapping; return the model's field values."""
    kpis = known_kpis()
    kpi = str(spec.get("kpi", "")).strip()
    if kpi not in kpis:
        raise DomainError(
            _("Unknown KPI '%(k)s' (known: %(known)s).")
            % {"k": kpi, "known": ", ".join(sorted(kpis))},
            field="kpi",
        )
    comparison = str(spec.get("comparison", "")).strip()
    if comparison not in COMPARISONS:
        raise DomainError(
            _("Comparison must be one of %(c)s.") % {"c": ", ".join(COMPARISONS)},
            field="comparison",
        )
    try:
        value = float(spec.get("value"))  # type: ignore[arg-type]
        alpha = float(spec.get("alpha", 0.05))
    except (TypeError, ValueError):
        raise DomainError(_("The criterion's value must be a number."), field="value") from None
    relative = bool(spec.get("relative", comparison in ("equivalence", "non_inferiority")))
    if not math.isfinite(value) or (
        comparison in ("equivalence", "non_inferiority") and value <= 0
    ):
        raise DomainError(_("A margin must be a positive number."), field="value")
    if relative and comparison in ("equivalence", "non_inferiority") and value >= 1:
        raise DomainError(
            _("A relative margin is a fraction below 1 (0.10 = 10 %)."), field="value"
        )
    if not 0 < alpha < 0.5:
        raise DomainError(_("α must be between 0 and 0.5."), field="alpha")
    return {
        "kpi": kpi,
        "comparison": comparison,
        "value": value,
        "relative": relative if comparison in ("equivalence", "non_inferiority") else False,
        "alpha": alpha,
        "unit": str(spec.get("unit") or kpis[kpi].unit),
        "higher_is_better": bool(spec.get("higher_is_better", True)),
        "source": source,
    }


def evaluate(
    criterion: Any, candidate: Sequence[float], reference: Sequence[float]
) -> tuple[dict[str, Any], bool]:
    """(result, passed) for one criterion from the per-run KPI values of each arm."""
    from bioproof.analysis.comparability import non_inferiority, tost
    from bioproof.analysis.errors import InputError

    try:
        if criterion.comparison == "equivalence":
            r = tost(
                candidate,
                reference,
                margin=criterion.value,
                relative=criterion.relative,
                alpha=criterion.alpha,
            )
            return r.to_dict(), bool(r.equivalent)
        if criterion.comparison == "non_inferiority":
            r = non_inferiority(
                candidate,
                reference,
                margin=criterion.value,
                relative=criterion.relative,
                alpha=criterion.alpha,
                higher_is_better=criterion.higher_is_better,
            )
            return r.to_dict(), bool(r.non_inferior)
    except InputError as exc:
        raise DomainError(f"{criterion.kpi}: {exc}") from exc
    values = [float(v) for v in candidate]
    if not values:
        raise DomainError(_("KPI %(k)s has no candidate values.") % {"k": criterion.kpi})
    if criterion.comparison == "minimum":
        passed = min(values) >= criterion.value
    else:
        passed = max(values) <= criterion.value
    return {
        "limit": criterion.value,
        "min": min(values),
        "max": max(values),
        "mean": sum(values) / len(values),
        "n_candidate": len(values),
        "failing_runs": sum(
            (v < criterion.value) if criterion.comparison == "minimum" else (v > criterion.value)
            for v in values
        ),
    }, passed
