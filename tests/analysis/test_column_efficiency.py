"""Packed-column efficiency from a tracer pulse: plate count, HETP and asymmetry."""

from __future__ import annotations

import numpy as np
import pytest

from bioproof.analysis.chromatography import column_efficiency
from bioproof.analysis.errors import InputError


def test_gaussian_pulse_gives_n_equal_to_vr_over_sigma_squared() -> None:
    v = np.arange(5.0, 15.0, 0.01)
    y = 5.0 + 100 * np.exp(-((v - 10) ** 2) / (2 * 0.2**2))  # baseline 5 mAU
    res = column_efficiency(v, y, bed_height=20.0, particle_diameter=50.0)
    # W_h = 2√(2 ln 2)·σ, so N = 8 ln 2·(V_R/W_h)² = (V_R/σ)² = 2500; HETP = 20/2500 cm
    assert res.plate_count == pytest.approx(2500, rel=1e-3)
    assert res.hetp == pytest.approx(0.008, rel=1e-3)
    assert res.reduced_hetp == pytest.approx(0.008 * 1e4 / 50, rel=1e-3)  # 80 µm / 50 µm
    assert res.asymmetry == pytest.approx(1.0, abs=1e-6)
    assert res.plates_per_meter == pytest.approx(12500, rel=1e-3)


def test_tailing_triangle_peak() -> None:
    v = np.arange(5.0, 15.0, 0.01)
    y = np.interp(v, [9.0, 10.0, 12.0], [0.0, 1.0, 0.0], left=0.0, right=0.0)
    res = column_efficiency(v, y, bed_height=20.0)
    # half height at 9.5 and 11 mL → W_h 1.5; 10 % height at 9.1 and 11.8 → a 0.9, b 1.8
    assert res.width_half_height == pytest.approx(1.5)
    assert res.asymmetry == pytest.approx(2.0)
    assert res.plate_count == pytest.approx(8 * np.log(2) * (10 / 1.5) ** 2)
    assert "outside 0.8–1.8" in res.caveats[0]


def test_a_pulse_cut_off_before_it_returns_is_refused() -> None:
    v = np.arange(5.0, 10.5, 0.1)
    with pytest.raises(InputError, match="record the whole pulse"):
        column_efficiency(v, np.exp(-((v - 10) ** 2) / 0.08), bed_height=20.0)
