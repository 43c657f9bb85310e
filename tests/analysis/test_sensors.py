"""Sensors: agreement with a reference, t90 and LOD/LOQ against hand-worked values."""

from __future__ import annotations

import numpy as np
import pytest

from bioproof.analysis.errors import InputError
from bioproof.analysis.sensors import detection_limits, response_time, sensor_agreement


def test_bland_altman_bias_limits_linearity_and_drift() -> None:
    ref = np.array([7.00, 7.10, 7.20, 7.30, 7.40])
    d = np.array([0.01, 0.03, 0.02, 0.04, 0.05])  # sensor − reference
    t = np.array([0.0, 24.0, 48.0, 72.0, 96.0])  # h
    res = sensor_agreement(t, ref, ref + d)
    # bias = 0.15/5 = 0.03; s_d = √(Σ(d − 0.03)²/4) = √(0.001/4) = 0.0158114
    assert res.sensor_bias == pytest.approx(0.03)
    assert res.sd_difference == pytest.approx(0.0158114, rel=1e-5)
    # limits 0.03 ± 1.96·0.0158114 = 0.03 ± 0.0309903
    assert (res.loa_low, res.loa_high) == pytest.approx(
        (0.03 - 0.0309903, 0.03 + 0.0309903), abs=1e-7
    )
    # drift: slope of d on days 0..4 = Σ(x − 2)(d − 0.03)/10 = 0.09/10 = 0.009 per day
    assert res.drift == pytest.approx(0.009)
    # sensor = ref + d: slope Σ(x − 7.2)(y − ȳ)/Σ(x − 7.2)² = (0.1 + 0.0009·10)/0.1 = 1.09
    assert res.sensor_slope == pytest.approx(1.09)
    assert "only 5 pairs" in " ".join(res.caveats)


def test_t90_of_a_first_order_sensor() -> None:
    t_s = np.arange(0, 200.0, 1.0)
    # step at 20 s from 7.0 to 6.0 with τ = 10 s: t90 = 10·ln 10 = 23.03 s
    y = np.where(t_s < 20, 7.0, 6.0 + np.exp(-(t_s - 20) / 10))
    res = response_time(t_s / 3600, y, step_time=20 / 3600)
    assert res.t90 == pytest.approx(10 * np.log(10), abs=0.05)
    with pytest.raises(InputError, match="no step"):
        response_time(t_s / 3600, np.ones_like(t_s), step_time=0.0)


def test_lod_and_loq_from_the_calibration_line() -> None:
    c = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    e = np.array([0.1, -0.1, -0.1, 0.1, 0.0, 0.0])  # Σe = 0 and Σc·e = 0: pure residuals
    res = detection_limits(c, 2.0 + 10.0 * c + e)
    # σ = √(Σe²/(n − 2)) = √(0.04/4) = 0.1; S = 10 → LOD 0.033, LOQ 0.1
    assert res.slope == pytest.approx(10.0)
    assert res.residual_sd == pytest.approx(0.1)
    assert (res.lod, res.loq) == pytest.approx((0.033, 0.1))
