"""Process-control KPIs of online logs and the respiration summary of off-gas logs,
against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bioproof.analysis.control import control_performance, online_control
from bioproof.analysis.errors import InputError
from bioproof.analysis.gas import MOLAR_VOLUME_NORMAL, respiration_summary


def test_time_in_band_and_mad_by_hand() -> None:
    # readings held until the next: [0,1) 7.00 in, [1,2) 7.20 out, [2,4) 7.05 in → 3 h of 4
    # IAE = (0+0.2)/2·1 + (0.2+0.05)/2·1 + (0.05+0)/2·2 = 0.275 → MAD = 0.275/4
    r = control_performance([0, 1, 2, 4], [7.0, 7.2, 7.05, 7.0], 7.0, 0.1)
    assert r.time_in_band == pytest.approx(75.0)
    assert r.mean_abs_deviation == pytest.approx(0.06875)
    assert r.mean == pytest.approx(28.275 / 4)
    assert r.duration == 4.0


def test_missing_readings_are_left_out() -> None:
    r = control_performance([0, 1, 2, 3], [7.0, np.nan, 7.3, 7.3], 7.0, 0.1)
    # held intervals: [0,1) in, [2,3) out → 50 %; trapezoids only where both ends exist: [2,3)
    assert r.time_in_band == pytest.approx(50.0)
    assert r.mean_abs_deviation == pytest.approx(0.3)


def test_signals_are_judged_together() -> None:
    t = np.arange(5.0)
    values = np.array([[7.0] * 5, [40, 40, 20, 40, 40]], dtype=float)
    r = control_performance(t, values, [7.0, 40.0], [0.1, 10.0])
    assert r.time_in_band.tolist() == pytest.approx([100.0, 75.0])
    # DO: IAE = (0+20)/2 + (20+0)/2 = 20 over 4 h
    assert r.mean_abs_deviation.tolist() == pytest.approx([0.0, 5.0])


def test_online_control_reports_each_logged_signal() -> None:
    r = online_control(
        np.arange(3.0),
        {"ph": np.array([7.0, 7.0, 7.4])},
        {"ph": 7.0, "do": 40.0, "temperature": 37.0},
        {"ph": 0.1, "do": 10.0, "temperature": 0.5},
    )
    assert r.ph_in_band == pytest.approx(100.0)  # the last reading holds no interval
    assert r.ph_mad == pytest.approx(0.1)  # (0 + 0.4)/2 · 1 h over 2 h
    assert np.isnan(r.do_in_band) and r.to_dict()["do_in_band"] is None
    with pytest.raises(InputError, match="none of pH"):
        online_control(np.arange(3.0), {}, {}, {})


@pytest.mark.parametrize(
    ("time", "band", "message"),
    [([0, 2, 1], 0.1, "increase"), ([0, 1, 2], -1, "negative"), ([0], 0.1, "at least 2")],
)
def test_control_bad_input(time, band, message) -> None:
    with pytest.raises(InputError, match=message):
        control_performance(time, np.full(len(time), 7.0), 7.0, band)


@given(
    st.lists(st.floats(6.5, 7.5), min_size=3, max_size=30),
    st.floats(0.1, 100.0),
)
def test_time_scale_does_not_change_control_figures(values, scale) -> None:
    t = np.arange(len(values), dtype=float)
    a = control_performance(t, values, 7.0, 0.1)
    b = control_performance(t * scale, values, 7.0, 0.1)
    assert b.time_in_band == pytest.approx(a.time_in_band)
    assert b.mean_abs_deviation == pytest.approx(a.mean_abs_deviation, abs=1e-12)


def test_respiration_summary_by_hand() -> None:
    # 1 L/min into 1 L; inlet 20.95 % O2, 0.04 % CO2; off-gas 20.00 % O2, 1.00 % CO2.
    # inert in 0.7901, out 0.7900; scale = 60/22.414·1000 mmol/(L·h) per mole fraction
    scale = 60.0 / MOLAR_VOLUME_NORMAL * 1000.0
    our = scale * (0.2095 - 0.2000 * 0.7901 / 0.7900)  # 25.36 mmol/(L·h)
    cer = scale * (0.0100 * 0.7901 / 0.7900 - 0.0004)  # 25.70 mmol/(L·h)
    r = respiration_summary([0.0, 1.0, 3.0], 1.0, 1.0, 0.2095, 0.0004, 0.2000, 0.0100)
    assert our == pytest.approx(25.363, abs=1e-3)
    assert r.peak_our == pytest.approx(our)
    assert r.peak_cer == pytest.approx(cer)
    assert r.oxygen_uptake == pytest.approx(3.0 * our)  # constant over 3 h
    assert r.rq_cumulative == pytest.approx(cer / our)


def test_respiration_peak_and_integral() -> None:
    t = np.array([0.0, 1.0, 2.0])
    o2_out = np.array([0.2095, 0.2000, 0.2095])  # uptake only at t = 1 h
    r = respiration_summary(t, 1.0, 1.0, 0.2095, 0.0, o2_out, 0.0)
    assert r.peak_our_time == 1.0
    assert r.oxygen_uptake == pytest.approx(r.peak_our)  # triangle of height OUR over 2 h
    with pytest.raises(InputError, match="increase"):
        respiration_summary([0.0, 0.0], 1.0, 1.0, 0.2095, 0.0, 0.2, 0.0)
