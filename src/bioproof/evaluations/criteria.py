"""Acceptance criteria: validation of a criterion and its verdict from per-run KPI values.

A criterion is KPI + comparison + value (+ unit):

- ``equivalence``: two one-sided tests on the difference of means (candidate − reference) with
  margin ±value (a fraction of the reference mean when ``relative``); passes when the (1 − 2α)
  confidence interval lies inside the margin (Schuirmann 1987).
- ``non_inferiority``: one-sided test that the candidate is not worse than the reference by more
  than the margin, in the direction given by ``higher_is_better`` (ICH E9; EMA CPMP/EWP/2158/99).
- ``minimum`` / ``maximum``: every candidate run meets the limit (value, in the KPI's unit).
- ``tier1_equivalence``: FDA tier 1 — TOST with the margin ±value·σ_R (value 1.5 by default),
  σ_R the reference runs' SD (FDA 2017 draft, *Statistical Approaches to Evaluate Analytical
  Similarity*).
- ``ratio_equivalence``: the Fieller (1 − 2α) CI of μ_c/μ_r inside (value, 1/value), e.g.
  0.80–1.25.
- ``quality_range``: FDA tier 2 (2017/2019 drafts) — the reference range x̄_r ± value·s_r
  (``value`` = k, 3 by default; ``value`` = 0 means the reference lots' min–max) and at least a
  minimum fraction of the candidate lots inside it (90 % by default). The fraction allowed
  *outside* is stored in ``alpha`` (0.10 → ≥ 90 % inside; 0 → every lot inside); a spec gives it
  as ``min_fraction`` (0.5–1) and the min–max range as ``"range": "minmax"`` or value 0
  (:func:`bioproof.analysis.media.quality_range_row`).

Each KPI declares which way is better (:attr:`bioproof.analysis.kpis.KPI.better`): the default
direction of a non-inferiority criterion follows it, and :func:`default_criterion` makes a
directed KPI non-inferior rather than equivalent (a higher titer is not a failure).
:func:`explain` turns a verdict into one plain-language sentence (gettext, English and Korean).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError
from bioproof.core.i18n import human_unit, is_english

COMPARISONS = (
    "equivalence",
    "non_inferiority",
    "minimum",
    "maximum",
    "tier1_equivalence",
    "ratio_equivalence",
    "quality_range",
)
#: comparisons that need the reference arm's values
TWO_ARM = (
    "equivalence",
    "non_inferiority",
    "tier1_equivalence",
    "ratio_equivalence",
    "quality_range",
)
#: the largest k of a quality range x̄_r ± k·s_r (FDA: 2–4 by risk)
MAX_QUALITY_K = 10.0
#: the default minimum fraction of candidate lots inside a quality range (FDA 2017 draft)
QUALITY_MIN_FRACTION = 0.9


def quality_min_fraction(criterion: Any) -> float:
    """The minimum fraction of candidate lots inside a quality range, from the criterion's
    ``alpha`` (the fraction allowed outside)."""
    return round(1.0 - float(criterion.alpha), 6)


def known_kpis() -> dict[str, Any]:
    from bioproof.analysis.kpis import KPIS

    return KPIS


#: the largest relative margin (1000 % of the reference mean)
MAX_RELATIVE = 10.0
PERCENT = ("%", "percent", "pct")


def _pint_text(unit: str) -> str:
    """A KPI's unit as the unit grammar reads it (``-`` and ``""`` are dimensionless)."""
    unit = unit.strip()
    return "1" if unit in ("", "-") else unit


def to_kpi_unit(kpi: str, value: float, unit: str, *, difference: bool = False) -> float:
    """``value`` given in ``unit`` expressed in the KPI's own unit, through pint (the engine's
    unit grammar, :mod:`bioproof.analysis.units`). A unit of another kind is refused with a
    message naming the KPI and its unit (peak VCD in g/L); ``difference`` (a margin) drops a
    temperature scale's offset. A KPI whose unit is a plain label (``signal unit``, ``g/L
    resin``) takes values only in that very unit."""
    from bioproof.analysis.units import UnitError, conversion, parse_unit

    k = known_kpis()[kpi]
    unit = (unit or "").strip()
    if not unit or unit == k.unit or (unit in PERCENT and k.unit.strip() == "%"):
        return value
    label = k.label_en if is_english() else k.label_ko
    try:
        parse_unit(_pint_text(k.unit))
    except UnitError:
        raise DomainError(
            _("%(kpi)s is given in %(target)s; enter the value in that unit, not '%(unit)s'.")
            % {"kpi": label, "target": human_unit(k.unit), "unit": unit},
            field="unit",
        ) from None
    try:
        factor, offset = conversion(_pint_text(unit), _pint_text(k.unit))
    except UnitError:
        try:
            parse_unit(_pint_text(unit))
        except UnitError as exc:
            raise DomainError(
                _("Cannot read the unit '%(unit)s': %(why)s")
                % {"unit": unit, "why": _(exc.template) % exc.params},
                field="unit",
            ) from None
        raise DomainError(
            _(
                "%(kpi)s is measured in %(target)s; '%(unit)s' is a different kind of "
                "quantity. Enter the value in %(target)s or a unit of the same kind."
            )
            % {"kpi": label, "target": human_unit(k.unit) or "-", "unit": unit},
            field="unit",
        ) from None
    return value * factor + (0.0 if difference else offset)


def clean(spec: Mapping[str, Any], *, source: str) -> dict[str, Any]:
    """Validate one criterion given as a mapping; return the model's field values.

    ``unit``: a limit or an absolute margin given in another unit of the KPI's kind is
    converted to the KPI's unit (a unit of another kind is refused); a relative margin is a
    fraction of the reference mean, or a percentage when ``unit`` is ``%`` on a KPI that is
    not itself measured in % (150 % → 1.5)."""
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
    if comparison == "tier1_equivalence" and spec.get("value") in (None, ""):
        spec = {**spec, "value": 1.5}  # FDA's 1.5·σ_R
    if comparison == "quality_range":
        return _clean_quality_range(spec, kpi=kpi, source=source)
    try:
        value = float(spec.get("value"))  # type: ignore[arg-type]
        alpha = float(spec.get("alpha", 0.05))
    except (TypeError, ValueError):
        raise DomainError(_("The criterion's value must be a number."), field="value") from None
    relative = bool(spec.get("relative", comparison in ("equivalence", "non_inferiority")))
    margin = comparison in ("equivalence", "non_inferiority")
    unit = str(spec.get("unit") or "").strip()[:30]
    kpi_unit = kpis[kpi].unit
    if not math.isfinite(value) or (margin and value <= 0):
        raise DomainError(_("A margin must be a positive number."), field="value")
    if margin and relative:
        if unit in PERCENT and kpi_unit.strip() != "%":
            value = value / 100.0
        elif unit and unit != kpi_unit and unit not in PERCENT:
            raise DomainError(
                _("A relative margin is given in %% of the reference mean, not in '%(u)s'.")
                % {"u": unit},
                field="unit",
            )
        if value >= MAX_RELATIVE:
            raise DomainError(
                _(
                    "A relative margin is a fraction of the reference mean below 10 "
                    "(0.10 = 10 %%, 1.5 = 150 %%)."
                ),
                field="value",
            )
    elif comparison in ("minimum", "maximum") or (margin and not relative):
        value = to_kpi_unit(kpi, value, unit, difference=margin)
        if not math.isfinite(value):
            raise DomainError(_("The criterion's value must be a number."), field="value")
    if comparison == "tier1_equivalence" and not value > 0:
        raise DomainError(_("The tier-1 factor must be a positive number (1.5)."), field="value")
    if comparison == "ratio_equivalence" and not 0 < value < 1:
        raise DomainError(
            _("The lower ratio limit must lie between 0 and 1 (0.80 for 0.80–1.25)."),
            field="value",
        )
    if not 0 < alpha < 0.5:
        raise DomainError(_("α must be between 0 and 0.5."), field="alpha")
    return {
        "kpi": kpi,
        "comparison": comparison,
        "value": value,
        "relative": relative if comparison in ("equivalence", "non_inferiority") else False,
        "alpha": alpha,
        "unit": kpi_unit,
        "higher_is_better": bool(spec.get("higher_is_better", kpis[kpi].better != "lower")),
        "source": source,
    }


def _clean_quality_range(spec: Mapping[str, Any], *, kpi: str, source: str) -> dict[str, Any]:
    """A quality-range criterion: ``value`` = k (0 < k ≤ 10, 3 by default) or 0 / ``"range":
    "minmax"`` for the reference min–max; ``min_fraction`` (0.5–1, 0.9 by default) stored as
    ``alpha`` = 1 − min_fraction."""
    kpis = known_kpis()
    range_kind = str(spec.get("range") or "sd").strip().lower()
    if range_kind not in ("sd", "minmax"):
        raise DomainError(
            _("A quality range is the reference mean ± k·SD ('sd') or its min–max ('minmax')."),
            field="value",
        )
    raw = spec.get("value")
    try:
        k = 0.0 if range_kind == "minmax" else (3.0 if raw in (None, "") else float(raw))
    except (TypeError, ValueError):
        raise DomainError(_("The criterion's value must be a number."), field="value") from None
    if not math.isfinite(k) or k < 0 or k > MAX_QUALITY_K:
        raise DomainError(
            _(
                "The quality range's k must lie between 0 and 10 (x̄ ± k·SD of the reference "
                "lots; 3 by default; 0 for the reference lots' min–max)."
            ),
            field="value",
        )
    raw_fraction = spec.get("min_fraction")
    try:
        fraction = QUALITY_MIN_FRACTION if raw_fraction in (None, "") else float(raw_fraction)
    except (TypeError, ValueError):
        raise DomainError(
            _("The minimum fraction inside must be a number."), field="min_fraction"
        ) from None
    if not math.isfinite(fraction) or not 0.5 <= fraction <= 1:
        raise DomainError(
            _(
                "The minimum fraction of candidate lots inside the quality range must lie "
                "between 50 % and 100 % (90 % by default)."
            ),
            field="min_fraction",
        )
    return {
        "kpi": kpi,
        "comparison": "quality_range",
        "value": k,
        "relative": False,
        "alpha": round(1.0 - fraction, 6),
        "unit": kpis[kpi].unit,
        "higher_is_better": bool(spec.get("higher_is_better", kpis[kpi].better != "lower")),
        "source": source,
    }


def evaluate(
    criterion: Any, candidate: Sequence[float], reference: Sequence[float]
) -> tuple[dict[str, Any], bool]:
    """(result, passed) for one criterion from the per-run KPI values of each arm."""
    from bioproof.analysis.comparability import (
        non_inferiority,
        ratio_equivalence,
        tiered_equivalence,
        tost,
    )
    from bioproof.analysis.errors import InputError

    try:
        if criterion.comparison == "quality_range":
            from bioproof.analysis.media import quality_range_row

            minmax = not criterion.value > 0
            row = quality_range_row(
                candidate,
                reference,
                k=criterion.value if not minmax else 3.0,
                method="minmax" if minmax else "sd",
                min_fraction=quality_min_fraction(criterion),
            )
            row |= {
                "k": None if minmax else float(criterion.value),
                "method": "minmax" if minmax else "sd",
                "min_fraction": quality_min_fraction(criterion),
            }
            return row, bool(row["passed"])
        if criterion.comparison == "tier1_equivalence":
            r = tiered_equivalence(
                candidate, reference, factor=criterion.value, alpha=criterion.alpha
            )
            return r.to_dict(), bool(r.equivalent)
        if criterion.comparison == "ratio_equivalence":
            q = ratio_equivalence(
                candidate,
                reference,
                low=criterion.value,
                high=1.0 / criterion.value,
                alpha=criterion.alpha,
            )
            return q.to_dict(), bool(q.equivalent)
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
        raise DomainError(f"{criterion.kpi}: {exc.localized(_)}") from exc
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


def default_criterion(kpi: str, margin: float, *, alpha: float = 0.05) -> dict[str, Any]:
    """The criterion a KPI gets by default with a relative ``margin``: non-inferiority in the
    KPI's better direction, or equivalence when it has a target."""
    k = known_kpis()[kpi]
    spec: dict[str, Any] = {
        "kpi": kpi,
        "comparison": k.default_comparison,
        "value": margin,
        "relative": True,
        "alpha": alpha,
    }
    if k.better != "target":
        spec["higher_is_better"] = k.better == "higher"
    return spec


def _n(value: Any) -> str:
    return "—" if value is None else f"{float(value):.3g}"


def _signed(value: Any) -> str:
    return "—" if value is None else f"{float(value):+.3g}"


def explain(criterion: Any) -> str:
    """One plain-language sentence for a criterion's verdict, in the active language.

    Built from the structured fields the engine returns (bounds, margins, which margin is
    crossed, which side the candidate lies on), e.g. "90 % CI upper bound 0.137 g/L exceeds
    the +0.11 g/L margin: not shown equivalent; the candidate is higher."
    """
    r = criterion.result or {}
    if not r or criterion.passed is None:
        return ""
    unit = human_unit(criterion.unit)  # ×10⁶ cells/mL, on the page and in the PDF
    if criterion.comparison == "quality_range":
        return _explain_quality_range(criterion, r)
    if criterion.comparison == "ratio_equivalence":
        values = {
            "conf": f"{(1 - 2 * criterion.alpha) * 100:g}",
            "lo": _n(r.get("ci_low")),
            "hi": _n(r.get("ci_high")),
            "ml": _n(r.get("low")),
            "mh": _n(r.get("high")),
        }
        if criterion.passed:
            return (
                _(
                    "The %(conf)s %% Fieller CI of the ratio of means [%(lo)s, %(hi)s] lies inside "
                    "[%(ml)s, %(mh)s]: shown equivalent."
                )
                % values
            )
        return (
            _(
                "The %(conf)s %% Fieller CI of the ratio of means [%(lo)s, %(hi)s] is not inside "
                "[%(ml)s, %(mh)s]: not shown equivalent."
            )
            % values
        )
    if criterion.comparison in ("equivalence", "tier1_equivalence"):
        conf = f"{(1 - 2 * criterion.alpha) * 100:g}"
        if criterion.passed:
            return _(
                "The %(conf)s %% CI of the difference [%(lo)s, %(hi)s] %(unit)s lies inside the "
                "margins [%(ml)s, %(mh)s] %(unit)s: shown equivalent."
            ) % {
                "conf": conf,
                "lo": _n(r.get("ci_low")),
                "hi": _n(r.get("ci_high")),
                "ml": _signed(r.get("lower_margin")),
                "mh": _signed(r.get("upper_margin")),
                "unit": unit,
            }
        side = {
            "higher": _("the candidate is higher"),
            "lower": _("the candidate is lower"),
        }.get(r.get("candidate_side", ""), _("the means are equal"))
        outside = r.get("outside", "")
        if outside == "both":
            return _(
                "The %(conf)s %% CI [%(lo)s, %(hi)s] %(unit)s is wider than the margins "
                "[%(ml)s, %(mh)s] %(unit)s: not shown equivalent (too few runs or too much "
                "variability); %(side)s."
            ) % {
                "conf": conf,
                "lo": _n(r.get("ci_low")),
                "hi": _n(r.get("ci_high")),
                "ml": _signed(r.get("lower_margin")),
                "mh": _signed(r.get("upper_margin")),
                "unit": unit,
                "side": side,
            }
        if outside == "upper":
            return _(
                "The %(conf)s %% CI upper bound %(b)s %(unit)s exceeds the %(m)s %(unit)s "
                "margin: not shown equivalent; %(side)s."
            ) % {
                "conf": conf,
                "b": _n(r.get("ci_high")),
                "m": _signed(r.get("upper_margin")),
                "unit": unit,
                "side": side,
            }
        return _(
            "The %(conf)s %% CI lower bound %(b)s %(unit)s is below the %(m)s %(unit)s margin: "
            "not shown equivalent; %(side)s."
        ) % {
            "conf": conf,
            "b": _n(r.get("ci_low")),
            "m": _signed(r.get("lower_margin")),
            "unit": unit,
            "side": side,
        }
    if criterion.comparison == "non_inferiority":
        values = {
            "conf": f"{(1 - criterion.alpha) * 100:g}",
            "b": _n(r.get("bound")),
            "m": _signed(r.get("limit")),
            "unit": unit,
        }
        if r.get("higher_is_better", True):
            if criterion.passed:
                return (
                    _(
                        "The %(conf)s %% lower confidence bound of the difference, %(b)s %(unit)s, "
                        "is above the %(m)s %(unit)s margin: non-inferior (higher is better)."
                    )
                    % values
                )
            return (
                _(
                    "The %(conf)s %% lower confidence bound of the difference, %(b)s %(unit)s, is "
                    "not above the %(m)s %(unit)s margin: non-inferiority not shown."
                )
                % values
            )
        if criterion.passed:
            return (
                _(
                    "The %(conf)s %% upper confidence bound of the difference, %(b)s %(unit)s, is "
                    "below the %(m)s %(unit)s margin: non-inferior (lower is better)."
                )
                % values
            )
        return (
            _(
                "The %(conf)s %% upper confidence bound of the difference, %(b)s %(unit)s, is not "
                "below the %(m)s %(unit)s margin: non-inferiority not shown."
            )
            % values
        )
    values = {
        "n": r.get("n_candidate", 0),
        "k": r.get("failing_runs", 0),
        "limit": _n(r.get("limit")),
        "lo": _n(r.get("min")),
        "hi": _n(r.get("max")),
        "unit": unit,
    }
    if criterion.comparison == "minimum":
        if criterion.passed:
            return (
                _(
                    "All %(n)s candidate runs reach the minimum %(limit)s %(unit)s (lowest "
                    "%(lo)s %(unit)s)."
                )
                % values
            )
        return (
            _(
                "%(k)s of %(n)s candidate runs fall below the minimum %(limit)s %(unit)s (lowest "
                "%(lo)s %(unit)s)."
            )
            % values
        )
    if criterion.passed:
        return (
            _(
                "All %(n)s candidate runs stay within the maximum %(limit)s %(unit)s (highest "
                "%(hi)s %(unit)s)."
            )
            % values
        )
    return (
        _(
            "%(k)s of %(n)s candidate runs exceed the maximum %(limit)s %(unit)s (highest "
            "%(hi)s %(unit)s)."
        )
        % values
    )


def _explain_quality_range(criterion: Any, r: Mapping[str, Any]) -> str:
    """ "3 of 3 candidate lots inside the reference range 12.1–15.3 % (x̄ ± 3 s): within the
    quality range." """
    kind = (
        _("reference min–max")
        if r.get("method") == "minmax"
        else _("x̄ ± %(k)s s") % {"k": f"{float(r.get('k') or 0):g}"}
    )
    values = {
        "i": r.get("n_inside", 0),
        "n": r.get("n_candidate", 0),
        "lo": _n(r.get("low")),
        "hi": _n(r.get("high")),
        "unit": criterion.unit,
        "kind": kind,
        "f": f"{100 * float(r.get('min_fraction', QUALITY_MIN_FRACTION)):g}",
    }
    if criterion.passed:
        return (
            _(
                "%(i)s of %(n)s candidate lots inside the reference range %(lo)s–%(hi)s "
                "%(unit)s (%(kind)s): within the quality range (at least %(f)s %% required)."
            )
            % values
        )
    return (
        _(
            "Only %(i)s of %(n)s candidate lots inside the reference range %(lo)s–%(hi)s "
            "%(unit)s (%(kind)s): outside the quality range (at least %(f)s %% required)."
        )
        % values
    )
