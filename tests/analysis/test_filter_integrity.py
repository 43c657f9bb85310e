"""Filter integrity (bubble point, diffusion) and clean-water permeability."""

from __future__ import annotations

import numpy as np
import pytest

from bioproof.analysis.errors import InputError
from bioproof.analysis.filtration import integrity_test, water_permeability, water_viscosity


def test_bubble_point_where_the_diffusion_and_bulk_lines_meet() -> None:
    p = np.arange(1.0, 5.01, 0.25)
    q = np.where(p <= 3.2, 0.5 + 2 * p, 0.5 + 2 * 3.2 + 40 * (p - 3.2))
    noisy = q + np.random.default_rng(2).normal(0, 0.05, q.size)
    res = integrity_test(p, q, test_pressure=2.5)
    # lines 0.5 + 2P and 6.9 + 40(P − 3.2) meet at 3.2 bar; diffusion at 2.5 bar = 5.5 mL/min
    assert res.bubble_point == pytest.approx(3.2)
    assert res.diffusion_flow == pytest.approx(5.5)
    assert integrity_test(p, noisy).bubble_point == pytest.approx(3.2, abs=0.02)
    above = integrity_test(p, q, test_pressure=4.0)
    assert np.isnan(above.diffusion_flow) and "above the bubble point" in above.caveats[0]


def test_an_intact_ramp_without_bulk_flow_reports_no_bubble_point() -> None:
    p = np.arange(1.0, 4.01, 0.5)
    res = integrity_test(p, 0.5 + 2 * p)
    assert np.isnan(res.bubble_point) and "not reached" in res.caveats[0]
    with pytest.raises(InputError, match="negative"):
        integrity_test(p, -p)


def test_water_permeability_corrected_to_20_degrees() -> None:
    # Vogel: μ(20 °C) = 1.0017 mPa·s, μ(25 °C) = 0.8904 mPa·s (tables: 1.002, 0.890)
    assert water_viscosity(20.0) == pytest.approx(1.002e-3, rel=2e-3)
    assert water_viscosity(25.0) == pytest.approx(0.890e-3, rel=2e-3)
    res = water_permeability([0.5, 1.0, 1.5], [100.0, 200.0, 300.0], temperature=25.0)
    # 200 LMH/bar at 25 °C is 200 · 0.8904/1.0017 = 177.78 LMH/bar at 20 °C
    assert res.permeability_at_temperature == pytest.approx(200.0)
    assert res.water_permeability == pytest.approx(200 * 0.89044 / 1.00175, rel=1e-4)
