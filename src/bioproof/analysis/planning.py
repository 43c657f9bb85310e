"""Runs per arm a criterion needs, for a protocol being drafted: the exact power of the
pooled-variance TOST (or one-sided non-inferiority test) at the chosen margin, under a stated
assumption about the run-to-run SD."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bioproof.analysis.errors import InputError
from bioproof.analysis.result import Result

#: CV assumed when no reference data exist yet (10 %: a typical run-to-run CV of titer, DBC,
#: kLa or Vmax in the programme's demonstration data; stated on the page).
DEFAULT_CV = 0.10
#: Largest plan reported; beyond it the page says "more than".
MAXIMUM = 200


@dataclass(frozen=True)
class CriterionPlan(Result):
    """Runs per arm for ``power`` (None: not applicable, or more than :data:`MAXIMUM`), the
    margin in SDs it rests on, and where the SD came from (``sd_source``: "reference",
    "assumed_cv", "tier1" or "none")."""

    runs_per_arm: int | None
    power: float
    margin_over_sd: float
    sd_source: str
    n_reference: int
    cv: float


_NODES = np.polynomial.legendre.leggauss(128)


def pooled_power(ratio: float, n: int, *, one_sided: bool = False, alpha: float = 0.05) -> float:
    """Exact power of the pooled-variance TOST (or one-sided test) with n runs per arm, equal
    SDs σ, margin ``ratio``·σ and true difference 0: with ``d ~ N(0, 2σ²/n)`` and
    ``s² ~ σ²χ²_{2n−2}/(2n − 2)`` independent, the power given s is
    ``Φ((m − t·se)/σ_d) − Φ((−m + t·se)/σ_d)`` (one-sided: ``1 − Φ((−m + t·se)/σ_d)``),
    ``se = s√(2/n)``, integrated over χ² by 128-point Gauss–Legendre quadrature on the
    probability scale (Phillips, J Pharmacokinet Biopharm 18:137 (1990)). For equal arms and
    SDs it equals the Welch computation of :func:`~bioproof.analysis.comparability.tost_power`
    up to the df (2n − 2 vs Welch's, equal here in expectation)."""
    from scipy import stats

    nodes, weights = _NODES
    u, w = (nodes + 1) / 2, weights / 2
    df = 2 * n - 2
    s = np.sqrt(stats.chi2.ppf(u, df) / df)
    sigma_d = math.sqrt(2.0 / n)
    t = float(stats.t.ppf(1 - alpha, df))
    se = s * sigma_d
    lower = stats.norm.cdf((-ratio + t * se) / sigma_d)
    if one_sided:
        inside = 1.0 - lower
    else:
        upper = stats.norm.cdf((ratio - t * se) / sigma_d)
        inside = np.clip(upper - lower, 0.0, None)
    return float(np.clip((w * inside).sum(), 0.0, 1.0))


@lru_cache(maxsize=256)
def _runs(ratio: float, one_sided: bool, power: float, alpha: float) -> int | None:
    """Smallest equal n per arm with power ≥ target for margin = ratio·σ, true difference 0."""

    def achieved(n: int) -> float:
        return pooled_power(ratio, n, one_sided=one_sided, alpha=alpha)

    lo, hi = 2, 2
    while achieved(hi) < power:
        lo, hi = hi, hi * 2
        if hi > MAXIMUM:
            return None if achieved(MAXIMUM) < power else _bisect(achieved, lo, MAXIMUM, power)
    return _bisect(achieved, lo, hi, power)


def _bisect(achieved, lo: int, hi: int, power: float) -> int:  # type: ignore[no-untyped-def]
    while lo < hi:
        mid = (lo + hi) // 2
        if achieved(mid) >= power:
            hi = mid
        else:
            lo = mid + 1
    return hi


def criterion_plan(
    comparison: str,
    value: float,
    *,
    relative: bool,
    reference: Sequence[float] = (),
    cv: float = DEFAULT_CV,
    power: float = 0.8,
    alpha: float = 0.05,
) -> CriterionPlan:
    """Runs per arm for a criterion to reach ``power`` when candidate and reference are truly
    equal (difference 0, equal SDs, equal arms).

    ``equivalence``: TOST with margins ±m; ``non_inferiority``: one-sided at α with margin m
    ``tier1_equivalence``: m = value·σ_R, so the plan
    does not depend on σ. The margin in SDs is m/σ with σ the SD of the ``reference`` values
    when there are two or more (``sd_source="reference"``), else — for a relative margin —
    ``value/cv`` with the assumed ``cv`` of the reference mean (``"assumed_cv"``); an absolute
    margin without reference data has no plan (``"none"``). Minimum, maximum and ratio criteria
    get no plan. Power exact for the pooled-variance test (:func:`pooled_power`; Phillips
    1990); Δ/σ = 1 gives 18 per arm for equivalence as Chow, Shao & Wang (2008) §3.2.
    """
    if not 0 < power < 1 or not 0 < alpha < 0.5 or not cv > 0:
        raise InputError("power and alpha must lie in (0, 1) and the CV be positive")
    ref = np.asarray([v for v in reference if v is not None], dtype=float)
    ref = ref[np.isfinite(ref)]
    nan = float("nan")
    if comparison not in ("equivalence", "non_inferiority", "tier1_equivalence"):
        return CriterionPlan(None, nan, nan, "none", int(ref.size), cv)
    if comparison == "tier1_equivalence":
        ratio, source = float(value), "tier1"
    elif ref.size >= 2 and float(ref.std(ddof=1)) > 0:
        sd = float(ref.std(ddof=1))
        margin = value * abs(float(ref.mean())) if relative else value
        ratio, source = margin / sd, "reference"
    elif relative:
        ratio, source = value / cv, "assumed_cv"
    else:
        return CriterionPlan(None, nan, nan, "none", int(ref.size), cv)
    if not (math.isfinite(ratio) and ratio > 0):
        return CriterionPlan(None, nan, nan, "none", int(ref.size), cv)
    key = round(ratio, 4)
    n = _runs(key, comparison == "non_inferiority", round(power, 4), round(alpha, 4))
    return CriterionPlan(n, float(power), float(ratio), source, int(ref.size), float(cv))
