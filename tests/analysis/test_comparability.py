"""TOST, non-inferiority, quality range, tolerance intervals and profile comparison."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from bioproof.analysis.comparability import (
    non_inferiority,
    quality_range,
    tolerance_factor,
    tolerance_interval,
    tost,
)
from bioproof.analysis.errors import InputError
from bioproof.analysis.profiles import on_grid, profile_comparison

CAND = [10.0, 12.0, 11.0]  # mean 11, s² = (1 + 1 + 0)/2 = 1
REF = [10.0, 11.0, 9.0, 10.0]  # mean 10, s² = (0 + 1 + 1 + 0)/3 = 2/3
SE = math.sqrt(1 / 3 + (2 / 3) / 4)  # √0.5 = 0.70711
DF = 0.5**2 / ((1 / 3) ** 2 / 2 + (1 / 6) ** 2 / 3)  # Welch: 3.857143


def test_tost_hand_computed() -> None:
    res = tost(CAND, REF, margin=2.5, relative=False)
    assert res.difference == pytest.approx(1.0)
    assert res.se == pytest.approx(SE)
    assert res.df == pytest.approx(DF)
    assert pytest.approx(3.857143, rel=1e-6) == DF
    assert res.t_lower == pytest.approx((1 + 2.5) / SE)  # 4.9497
    assert res.t_upper == pytest.approx((1 - 2.5) / SE)  # −2.1213
    assert res.p_lower == pytest.approx(stats.t.sf(3.5 / SE, DF))
    assert res.p_upper == pytest.approx(stats.t.cdf(-1.5 / SE, DF))  # ≈ 0.052
    assert res.p_value == res.p_upper
    t95 = stats.t.ppf(0.95, DF)  # 2.156
    assert (res.ci_low, res.ci_high) == pytest.approx((1 - t95 * SE, 1 + t95 * SE))
    assert not res.equivalent  # CI upper 2.52 > 2.5
    assert tost(CAND, REF, margin=2.6, relative=False).equivalent
    assert res.to_dict()["equivalent"] is False
    json.dumps(res.to_dict(), allow_nan=False)


def test_tost_relative_margin_and_caveats() -> None:
    res = tost(CAND, REF, margin=0.25)  # ±25 % of the reference mean 10 → ±2.5
    assert (res.lower_margin, res.upper_margin) == pytest.approx((-2.5, 2.5))
    assert res.mean_reference == 10 and res.mean_candidate == 11
    assert res.n_candidate == 3 and res.n_reference == 4
    two = tost([1.0, 1.2], [1.1, 1.0, 1.05], margin=0.1)
    assert any("only 2 runs in the candidate arm" in c for c in two.caveats)
    uneven = tost([10, 10.1, 9.9, 10.05], [8, 12, 10, 9, 11], margin=0.5)
    assert any("Welch" in c for c in uneven.caveats)
    skewed = tost([1, 1, 1, 1, 1, 1, 1, 1, 1, 20.0], [1, 2, 3, 2, 1, 2, 3], margin=0.1)
    assert any("Shapiro" in c for c in skewed.caveats)


def test_tost_needs_two_runs_per_arm() -> None:
    with pytest.raises(InputError, match="each arm needs at least 2 runs"):
        tost([1.0], [1.0, 2.0], margin=0.1)
    with pytest.raises(InputError, match="reference mean other than 0"):
        tost([1.0, 2.0], [-1.0, 1.0], margin=0.1)


@settings(max_examples=80, deadline=None)
@given(
    a=st.lists(st.floats(1, 100), min_size=2, max_size=8),
    b=st.lists(st.floats(1, 100), min_size=2, max_size=8),
    low=st.floats(0.1, 20),
    high=st.floats(0.1, 20),
)
def test_tost_symmetric_under_swapping_arms_with_mirrored_margins(
    a: list[float], b: list[float], low: float, high: float
) -> None:
    ab = tost(a, b, margin=(-low, high), relative=False)
    ba = tost(b, a, margin=(-high, low), relative=False)
    assert ab.equivalent == ba.equivalent
    assert ab.difference == pytest.approx(-ba.difference, abs=1e-9)
    assert ab.p_lower == pytest.approx(ba.p_upper, abs=1e-9)
    assert ab.p_upper == pytest.approx(ba.p_lower, abs=1e-9)
    assert ab.ci_low == pytest.approx(-ba.ci_high, abs=1e-9)


def test_non_inferiority_hand_computed() -> None:
    t95 = stats.t.ppf(0.95, DF)
    res = non_inferiority(CAND, REF, margin=0.5, relative=False)
    # lower bound 1 − 2.156 × 0.7071 = −0.525 < −0.5 → not shown
    assert res.bound == pytest.approx(1 - t95 * SE)
    assert res.limit == -0.5
    assert res.p_value == pytest.approx(stats.t.sf(1.5 / SE, DF))
    assert not res.non_inferior
    assert non_inferiority(CAND, REF, margin=1.0, relative=False).non_inferior
    worse = non_inferiority(CAND, REF, margin=0.1, higher_is_better=False)
    # lower is better: candidate is higher by 1, limit +1 (10 % of 10) → upper bound > 1
    assert worse.limit == pytest.approx(1.0) and not worse.non_inferior


def test_quality_range_hand_computed() -> None:
    res = quality_range([10, 12, 13], REF, k=3)
    sd = math.sqrt(2 / 3)  # 0.8165
    assert (res.low, res.high) == pytest.approx((10 - 3 * sd, 10 + 3 * sd))  # 7.55–12.45
    assert res.inside == (True, True, False)
    assert res.fraction_inside == pytest.approx(2 / 3)
    assert not res.passed
    assert any("4 reference lots" in c for c in res.caveats)


def test_tolerance_factor_published_and_hand_values() -> None:
    # ISO 16269-6 / Krishnamoorthy & Mathew (2009) Table B1: n = 10, p = 0.90, γ = 0.95 → 2.856
    assert tolerance_factor(10, 0.90, 0.95) == pytest.approx(2.856, abs=5e-4)
    # Howe (1969): z0.95 = 1.644854, χ²(0.05; 9) = 3.325113: √(9 × 1.1 × 1.644854² / 3.325113)
    assert tolerance_factor(10, 0.90, 0.95, method="howe") == pytest.approx(
        math.sqrt(9 * 1.1 * 1.644854**2 / 3.325113), rel=1e-5
    )
    res = tolerance_interval(np.arange(10.0), coverage=0.9, confidence=0.95)
    sd = np.arange(10.0).std(ddof=1)
    assert (res.low, res.high) == pytest.approx((4.5 - res.k * sd, 4.5 + res.k * sd))


def test_tolerance_factor_exceeds_z_and_shrinks_with_n() -> None:
    ks = [tolerance_factor(n, 0.95, 0.95) for n in (3, 5, 10, 30, 100, 1000)]
    assert all(a > b for a, b in itertools.pairwise(ks))
    assert ks[-1] > stats.norm.ppf(0.975)


def _profiles() -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0, 14, 15)
    base = 20 / (1 + 39 * np.exp(-0.6 * t))
    rng = np.random.default_rng(3)
    ref = base * (1 + rng.normal(0, 0.03, (8, 1))) + rng.normal(0, 0.2, (8, t.size))
    return base, ref


def test_profile_comparison_accepts_a_typical_run_and_flags_an_outlier() -> None:
    base, ref = _profiles()
    res = profile_comparison(np.vstack([base, base * 1.5]), ref)
    assert res.within_envelope == (True, False)
    assert res.within_model[0] and not res.within_model[1]
    assert res.t2[1] > res.t2_limit or res.spe[1] > res.spe_limit
    assert not res.passed
    json.dumps(res.to_dict(), allow_nan=False)
    multi = profile_comparison(
        np.stack([np.stack([base, base / 10])]), np.stack([ref, ref / 10], axis=1)
    )
    assert multi.within_envelope == (True,)


def test_profile_t2_limit_formula() -> None:
    base, ref = _profiles()
    res = profile_comparison(base[None, :], ref, variance=0.5)
    q, r = res.components, 8
    # α = 0.05 is split between T² and SPE: the T² limit is at 1 − α/2
    assert res.t2_limit == pytest.approx(
        q * (r * r - 1) / (r * (r - q)) * stats.f.ppf(0.975, q, r - q)
    )
    with pytest.raises(InputError, match="at least 3 reference runs"):
        profile_comparison(base[None, :], ref[:2])


def test_on_grid_interpolates_without_extrapolating() -> None:
    out = on_grid(
        [np.array([0.0, 2.0]), np.array([1.0, 3.0])], [np.array([0.0, 2.0])] * 2, [0, 1, 2, 3]
    )
    assert out[0, :3].tolist() == [0, 1, 2] and np.isnan(out[0, 3])
    assert np.isnan(out[1, 0]) and out[1, 1:].tolist() == [0, 1, 2]
