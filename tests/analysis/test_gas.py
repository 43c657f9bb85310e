"""OUR/CER/RQ, kLa, mixing time and P/V against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioproof.analysis.errors import InputError
from bioproof.analysis.gas import fit_kla, fit_kla_batch, gas_balance, mixing_time, power_input


def test_gas_balance_hand_computed() -> None:
    res = gas_balance(1.0, 1.0, 0.2095, 0.0004, 0.19, 0.02)
    # inert in 0.7901, out 0.79 → ratio 1.00012658; 1 L/min × 60 / 22.41397 L/mol
    # (R·T/p = 8.314462618 × 273.15 / 101.325) = 2.676903 mol/h
    ratio = 0.7901 / 0.79
    scale = 60 / 22.41397 * 1e3  # mmol/(L·h) per unit mole fraction in 1 L
    assert float(res.our) == pytest.approx(scale * (0.2095 - 0.19 * ratio))  # ≈ 52.13
    assert float(res.our) == pytest.approx(52.135, abs=1e-3)
    assert float(res.cer) == pytest.approx(scale * (0.02 * ratio - 0.0004))  # ≈ 52.47
    assert float(res.rq) == pytest.approx(float(res.cer) / float(res.our))
    assert float(res.gas_flow_out) == pytest.approx(ratio)


def test_gas_balance_broadcasts_over_runs_and_hours() -> None:
    o2_out = np.full((3, 48), 0.20)
    res = gas_balance(2.0, np.array([[1.0], [2.0], [4.0]]), 0.2095, 0.0004, o2_out, 0.01)
    assert res.our.shape == (3, 48)
    assert res.our[0, 0] == pytest.approx(2 * res.our[1, 0]) == pytest.approx(4 * res.our[2, 0])
    with pytest.raises(InputError, match="mole fraction"):
        gas_balance(1.0, 1.0, 20.95, 0.04, 19.0, 2.0)


def curve(kla: float, tau: float = 0.0, n: int = 21, span: float = 0.05) -> tuple:
    """Exact probe reading for C* = 100, C0 = 10 (time h, tau h)."""
    t = np.linspace(0, span, n)
    if tau == 0:
        g = np.exp(-kla * t)
    else:
        g = (np.exp(-kla * t) - kla * tau * np.exp(-t / tau)) / (1 - kla * tau)
    return t, 100 - 90 * g


def test_kla_noise_free_matches_the_three_point_formula() -> None:
    t, c = curve(60.0)
    # equally spaced points of an exponential: kLa = ln((c1 − c0)/(c2 − c1)) / Δt
    by_hand = math.log((c[1] - c[0]) / (c[2] - c[1])) / (t[1] - t[0])
    assert by_hand == pytest.approx(60.0)
    fit = fit_kla(t, c)
    assert fit.kla == pytest.approx(by_hand, rel=1e-8)
    assert fit.c_star == pytest.approx(100) and fit.c0 == pytest.approx(10)
    assert fit.r2 == pytest.approx(1.0) and fit.converged
    assert fit.kla_ci_low <= fit.kla <= fit.kla_ci_high


def test_probe_lag_correction_recovers_kla() -> None:
    tau = 15 / 3600  # 15 s probe
    t, c = curve(90.0, tau=tau)
    corrected = fit_kla(t, c, probe_tau=tau)
    assert corrected.kla == pytest.approx(90.0, rel=1e-6)
    assert corrected.probe_tau == pytest.approx(15.0)
    plain = fit_kla(t, c)
    assert plain.kla < 80  # a slow probe hides part of the transfer rate
    assert any("no probe-lag correction" in note for note in plain.caveats)


def test_kla_ci_covers_the_truth_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(7)
    t = np.linspace(0, 0.08, 41)
    kla = rng.uniform(30, 150, 2000)
    do = 100 - 90 * np.exp(-kla[:, None] * t) + rng.normal(0, 0.5, (2000, t.size))
    batch = fit_kla_batch(t, do)
    coverage = np.mean((batch.kla_ci_low < kla) & (kla < batch.kla_ci_high))
    assert 0.93 < coverage < 0.97
    assert batch.converged.all()
    one = batch.row(3)
    assert fit_kla(t, do[3]).kla == pytest.approx(one.kla, rel=1e-9)


def test_kla_ignores_nan_points_and_rejects_short_curves() -> None:
    t, c = curve(60.0)
    c_gap = c.copy()
    c_gap[[4, 9]] = np.nan
    assert fit_kla(t, c_gap).kla == pytest.approx(60.0, rel=1e-8)
    assert fit_kla(t, c_gap).n == 19
    with pytest.raises(InputError, match="at least 4 points"):
        fit_kla(t[:3], c[:3])


@settings(max_examples=25, deadline=None)
@given(kla=st.floats(10, 400), scale=st.floats(0.5, 5))
def test_kla_scales_inversely_with_time(kla: float, scale: float) -> None:
    t = np.linspace(0, 4.0 / kla, 30)
    c = 100 - 95 * np.exp(-kla * t)
    assert fit_kla(t * scale, c).kla == pytest.approx(kla / scale, rel=1e-6)


def test_mixing_time_hand_computed() -> None:
    # first-order response r = 1 − exp(−t/T), T = 5 s: θ95 = T·ln(1/0.05) = 14.98 s
    t_s = np.arange(0, 120.01, 0.1)
    signal = 2 + 3 * (1 - np.exp(-t_s / 5))
    res = mixing_time(t_s / 3600, signal, homogeneity=0.95)
    assert res.mixing_time == pytest.approx(5 * math.log(20), abs=0.01)
    res90 = mixing_time(t_s / 3600, signal, homogeneity=0.90)
    assert res90.mixing_time == pytest.approx(5 * math.log(10), abs=0.01)
    # with a pre-injection baseline: tracer added at 10 s
    t2 = np.arange(0, 130.01, 0.1)
    sig2 = np.where(t2 < 10, 2.0, 2 + 3 * (1 - np.exp(-(t2 - 10) / 5)))
    res2 = mixing_time(t2 / 3600, sig2, injection_time=10 / 3600)
    assert res2.mixing_time == pytest.approx(5 * math.log(20), abs=0.01)


def test_mixing_time_not_reached() -> None:
    t_s = np.arange(0, 20.01, 1.0)
    signal = 1 - np.cos(t_s)  # never settles
    res = mixing_time(t_s / 3600, signal)
    assert not res.reached and res.to_dict()["mixing_time"] is None


def test_power_per_volume_hand_computed() -> None:
    # Np 5, ρ 1000 kg/m³, N = 120 rpm = 2 /s, D = 0.1 m: P = 5·1000·2³·0.1⁵ = 0.4 W
    res = power_input(2.0, power_number=5, speed=120, diameter=0.1)
    assert res.power == pytest.approx(0.4)
    assert res.power_per_volume == pytest.approx(200.0)  # 0.4 W / 0.002 m³
    assert res.tip_speed == pytest.approx(math.pi * 2 * 0.1)
    assert res.reynolds == pytest.approx(1000 * 2 * 0.01 / 1e-3)  # 20 000
    assert res.caveats == ()
    assert power_input(2.0, power=1.0).power_per_volume == pytest.approx(500.0)
    with pytest.raises(InputError, match="power number"):
        power_input(2.0, speed=100)


def test_kla_on_textbook_reoxygenation_data() -> None:
    # Re-oxygenation data of the dynamic-method worked example in Doran (2013), ch. 10:
    # DO (% air saturation) from t = 10 s, plateau C* = 73.5 %.
    t_s = np.array([10, 15, 20, 30, 40, 50, 70, 100, 130.0])
    do = np.array([43.5, 53.5, 60.0, 67.5, 70.5, 72.0, 73.0, 73.5, 73.5])
    # textbook linearisation: slope of ln(C* − C) vs t over 10–50 s with C* = 73.5
    # ln 30.0 = 3.401 … ln 1.5 = 0.405 → least-squares slope 0.0751 1/s
    keep = t_s <= 50
    linear = -np.polyfit(t_s[keep], np.log(73.5 - do[keep]), 1)[0]
    assert linear == pytest.approx(0.0751, abs=1e-4)
    fit = fit_kla((t_s - 10) / 3600, do)
    assert fit.kla / 3600 == pytest.approx(linear, rel=0.10)  # nonlinear fit: 0.080 1/s
    assert fit.c_star == pytest.approx(73.5, abs=0.3)
    assert fit.kla_ci_low < fit.kla < fit.kla_ci_high and fit.r2 > 0.999
