"""Issue 12 defects 2, 3, 4 and 8, each against an independently computed value."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erf

from bioproof.analysis.chromatography import breakthrough
from bioproof.analysis.errors import InputError
from bioproof.analysis.gas import (
    fit_kla,
    gas_balance,
    mixing_time,
    reference_molar_volume,
    respiration_summary,
)


# --- 2. gas reference conditions -----------------------------------------------------------
def test_molar_volume_at_reference_conditions() -> None:
    # V_m = R·T/p: 8.314462618 × 273.15 / 101.325 = 22.41397; × 293.15 / 101.325 = 24.05512
    assert reference_molar_volume(0.0) == pytest.approx(22.41397, abs=1e-5)
    assert reference_molar_volume(20.0) == pytest.approx(24.05512, abs=1e-5)
    assert reference_molar_volume(25.0, 100.0) == pytest.approx(24.78957, abs=1e-5)
    with pytest.raises(InputError, match="not physical"):
        reference_molar_volume(-300.0)


def test_a_20_degree_standard_flow_gives_our_7_percent_lower_than_normal() -> None:
    normal = gas_balance(1.0, 1.0, 0.2095, 0.0004, 0.19, 0.02)
    standard = gas_balance(
        1.0, 1.0, 0.2095, 0.0004, 0.19, 0.02, molar_volume=reference_molar_volume(20.0)
    )
    # the same reading in standard litres at 20 °C is 273.15/293.15 of the moles
    assert float(standard.our) == pytest.approx(float(normal.our) * 273.15 / 293.15, rel=1e-12)
    assert float(normal.our) / float(standard.our) - 1 == pytest.approx(0.0732, abs=1e-4)
    summary = respiration_summary(
        [0, 1, 2], 1.0, 1.0, 0.2095, 0.0004, 0.19, 0.02, molar_volume=reference_molar_volume(20.0)
    )
    assert summary.peak_our == pytest.approx(float(standard.our))


# --- 3. breakthrough: volume before the first reading, UV and C/C0 ---------------------------
def _erf_curve(first: float) -> tuple[np.ndarray, np.ndarray]:
    """C/C0 = Φ((V − 19 mL)/3 mL): symmetric, so ∫(1 − C/C0)dV = 19 mL exactly."""
    v = np.arange(first, 40.01, 1.0)
    return v, 0.5 * (1 + erf((v - 19.0) / (3.0 * np.sqrt(2))))


def test_saturation_capacity_counts_the_volume_before_the_first_reading() -> None:
    v, ratio = _erf_curve(4.0)
    # q = C0·V50/Vc = 2 g/L × 19 mL / 1 mL = 38 g/L (the old integral from 4 mL gave 30)
    res = breakthrough(v, 2.0 * ratio, feed_concentration=2.0, column_volume=1.0)
    assert res.saturation_capacity == pytest.approx(38.0, abs=0.01)
    # DBC10 at V = 19 − 1.2816·3 = 15.155 mL → 30.31 g/L; unchanged by the first reading
    assert res.dbc == pytest.approx(2 * (19 - 1.2815516 * 3), abs=0.1)
    v0, ratio0 = _erf_curve(0.0)
    full = breakthrough(v0, 2.0 * ratio0, feed_concentration=2.0, column_volume=1.0)
    assert full.saturation_capacity == pytest.approx(res.saturation_capacity, abs=0.01)


def test_breakthrough_from_ratio_and_from_uv_absorbance() -> None:
    v, ratio = _erf_curve(4.0)
    by_conc = breakthrough(v, 2.0 * ratio, feed_concentration=2.0, column_volume=1.0)
    by_ratio = breakthrough(v, ratio, feed_concentration=2.0, column_volume=1.0, signal="ratio")
    uv = 15.0 + ratio * (1215.0 - 15.0)  # mAU: baseline 15, feed plateau 1215
    by_uv = breakthrough(
        v,
        uv,
        feed_concentration=2.0,
        column_volume=1.0,
        signal="absorbance",
        feed_signal=1215.0,
        baseline_signal=15.0,
    )
    for res in (by_ratio, by_uv):
        assert res.dbc == pytest.approx(by_conc.dbc, rel=1e-9)
        assert res.saturation_capacity == pytest.approx(38.0, abs=0.01)
    with pytest.raises(InputError, match="feed's absorbance"):
        breakthrough(v, uv, feed_concentration=2.0, column_volume=1.0, signal="absorbance")


# --- 4. mixing time from tracer addition ------------------------------------------------------
def test_mixing_time_counts_from_the_injection_not_the_first_reading() -> None:
    t_s = np.arange(0, 60.5, 0.5)
    # 10 s baseline at 1.0, injection at 10 s, first-order approach to 2.0 with τ = 4 s:
    # |r − 1| = e^{−(t−10)/4} ≤ 0.05 → θ95 = 4·ln 20 = 11.98 s after injection
    signal = np.where(t_s < 10, 1.0, 2.0 - np.exp(-(t_s - 10) / 4))
    res = mixing_time(t_s / 3600, signal, injection_time=10 / 3600)
    assert res.mixing_time == pytest.approx(4 * np.log(20), abs=0.05)
    from_first = mixing_time(t_s / 3600, signal)
    assert from_first.mixing_time == pytest.approx(res.mixing_time + 10, abs=0.05)
    assert "no injection time given" in from_first.caveats[0] and not res.caveats


# --- 8. kLa window -------------------------------------------------------------------------
def test_kla_leaves_out_a_deoxygenated_plateau() -> None:
    t = np.arange(0, 400, 5.0) / 3600
    start = 50 / 3600
    do = np.where(t < start, 0.0, 100 - 100 * np.exp(-60.0 * (t - start)))
    do = do + np.random.default_rng(1).normal(0, 0.3, t.size)
    res = fit_kla(t, do)
    assert res.kla == pytest.approx(60.0, rel=0.02)
    assert res.skipped == 10 and "first 10 readings" in res.caveats[0]
    # fitted as one exponential from the first reading the plateau drags kLa far down
    assert fit_kla(t, do, window=False).kla < 0.7 * 60


def test_kla_window_keeps_a_curve_without_plateau_and_a_falling_curve_whole() -> None:
    t = np.arange(0, 300, 5.0) / 3600
    rising = 100 - 90 * np.exp(-80.0 * t)
    falling = 10 + 90 * np.exp(-80.0 * t)
    for do in (rising, falling):
        res = fit_kla(t, do)
        assert res.skipped == 0 and res.kla == pytest.approx(80.0, rel=1e-6)


def test_kla_refuses_a_log_that_is_all_plateau() -> None:
    t = np.arange(0, 60, 5.0) / 3600
    do = np.where(t < 45 / 3600, 0.0, 100 - 100 * np.exp(-60.0 * (t - 45 / 3600)))
    with pytest.raises(InputError, match="readings after the deoxygenated start"):
        fit_kla(t, do)
