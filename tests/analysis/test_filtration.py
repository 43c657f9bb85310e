"""Vmax, Pmax, flux decay, filter area and LRV against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bioproof.analysis.errors import InputError
from bioproof.analysis.filtration import filter_area, flux_decay, log_reduction, pmax, vmax


def test_vmax_qi_hand_computed() -> None:
    # standard blocking: V(t) = t / (1/Qi + t/Vmax) with Qi = 2 L/h, Vmax = 5 L on 0.01 m²
    t = np.array([0.0, 0.25, 0.5, 1.0, 2.0])
    v = t / (0.5 + t / 5)
    # by hand from t = 1 h (V = 1/0.7 = 1.4286 L) and 2 h (V = 2/0.9 = 2.2222 L):
    # t/V = 0.7 and 0.9 → slope 0.2 h/L → Vmax = 5 L = 500 L/m²; intercept 0.5 → Qi = 200 LMH
    slope = (2 / v[4] - 1 / v[3]) / (2 - 1)
    assert 1 / slope / 0.01 == pytest.approx(500)
    res = vmax(t, v, area=0.01)
    assert res.vmax == pytest.approx(500.0)
    assert res.qi == pytest.approx(200.0)
    assert res.r2 == pytest.approx(1.0) and res.n == 4


def test_vmax_without_plugging_is_undefined() -> None:
    t = np.array([0.0, 1, 2, 3])
    res = vmax(t, 2 * t, area=0.01)  # constant flux: t/V constant
    assert res.to_dict()["vmax"] is None
    assert any("no plugging" in c for c in res.caveats)


def test_pmax_hand_computed() -> None:
    # constant flow, standard blocking: √(P0/P) = 1 − v/Vmax, Vmax = 400 L/m², P0 = 0.2 bar
    v = np.linspace(0, 200, 9)
    p = 0.2 / (1 - v / 400) ** 2
    res = pmax(v * 0.01, p, area=0.01, max_pressure=2.0)
    assert res.vmax == pytest.approx(400.0)
    # throughput at 2 bar: 400 × (1 − √(0.2/2)) = 273.51 L/m²
    assert res.capacity_at_pmax == pytest.approx(400 * (1 - math.sqrt(0.1)))


def test_flux_decay_and_filter_area() -> None:
    res = flux_decay([0, 1, 2], [0, 2, 3], area=0.01)
    assert (res.flux_initial, res.flux_final, res.flux_decay) == pytest.approx((200, 100, 50))
    # A = 1.5 × (1000/500 + 1000/(200 × 4)) = 1.5 × 3.25 = 4.875 m²
    area = filter_area(1000, vmax=500, qi=200, process_time=4, safety_factor=1.5)
    assert area.required_area == pytest.approx(4.875)
    assert filter_area(1000, vmax=500).required_area == pytest.approx(3.0)
    with pytest.raises(InputError, match="both qi and process_time"):
        filter_area(1000, vmax=500, qi=200)


def test_log_reduction_value() -> None:
    # 1e7/mL × 100 mL challenge, 1e2/mL × 95 mL filtrate: log10(1e9 / 9.5e3) = 5.022
    res = log_reduction(1e7, 1e2, challenge_volume=100, filtrate_volume=95)
    assert res.lrv == pytest.approx(math.log10(1e9 / 9.5e3))
    assert not res.censored
    below = log_reduction(1e7, 0, challenge_volume=100, filtrate_volume=95, detection_limit=10)
    assert below.censored and below.lrv == pytest.approx(math.log10(1e9 / 950))
    with pytest.raises(InputError, match="detection limit"):
        log_reduction(1e7, 0)
