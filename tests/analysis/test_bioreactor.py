"""Bioreactor scale-up: kLa and mixing-time correlations and the corrected O₂ solubility."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from bioproof.analysis.bioreactor import kla_correlation, mixing_correlation, oxygen_solubility
from bioproof.analysis.cli import main
from bioproof.analysis.errors import InputError


def test_oxygen_solubility_matches_the_published_table() -> None:
    # APHA Standard Methods 4500-O (Benson & Krause 1984), air, 1 atm, fresh water [mg/L]
    c = oxygen_solubility([0.0, 20.0, 25.0, 30.0]).o2_solubility
    assert c == pytest.approx([14.621, 9.092, 8.263, 7.559], abs=0.001)
    # pure O2 at 1 atm: × 1/0.20946; 2 atm (USGS pressure factor with water vapour and θ)
    assert oxygen_solubility(20.0, o2_fraction=1.0).o2_solubility == pytest.approx(
        9.0924 / 0.20946, rel=1e-4
    )
    p_w = math.exp(11.8571 - 3840.70 / 293.15 - 216961 / 293.15**2)
    theta = 0.000975 - 1.426e-5 * 20 + 6.436e-8 * 400
    factor = 2 * (1 - p_w / 2) * (1 - 2 * theta) / ((1 - p_w) * (1 - theta))
    two_atm = oxygen_solubility(20.0, pressure=2 * 101.325)
    assert two_atm.o2_solubility == pytest.approx(9.0924 * factor, rel=1e-4)
    assert 1.99 < factor < 2.03
    salty = oxygen_solubility(20.0, salinity=9.0).o2_solubility
    assert 0.93 < salty / 9.0924 < 0.97  # salting out by ~5 % at a medium's ionic strength
    assert oxygen_solubility(37.0).o2_solubility_mmol == pytest.approx(6.727 / 31.998, rel=1e-3)
    with pytest.raises(InputError):
        oxygen_solubility(80.0)


def test_van_t_riet_correlation_is_recovered_with_intervals() -> None:
    pv = np.repeat([50.0, 100.0, 200.0], 3)
    ug = np.tile([0.002, 0.005, 0.01], 3)
    exact = 93.6 * pv**0.4 * ug**0.5
    fit = kla_correlation(
        pv, ug, exact, reference_power_per_volume=100, reference_gas_velocity=0.005
    )
    assert fit.kla_coefficient == pytest.approx(93.6)
    assert (fit.kla_pv_exponent, fit.kla_ug_exponent) == pytest.approx((0.4, 0.5))
    assert fit.kla_predicted == pytest.approx(93.6 * 100**0.4 * 0.005**0.5)  # 41.760 /h
    noisy = exact * np.exp(np.random.default_rng(3).normal(0, 0.05, exact.size))
    fit = kla_correlation(
        pv, ug, noisy, reference_power_per_volume=100, reference_gas_velocity=0.005
    )
    assert fit.kla_pv_exponent_ci_low < 0.4 < fit.kla_pv_exponent_ci_high
    assert fit.kla_ug_exponent_ci_low < 0.5 < fit.kla_ug_exponent_ci_high
    assert fit.kla_predicted_ci_low < fit.kla_predicted < fit.kla_predicted_ci_high
    # interval of b by hand: se² = s²·[(XᵀX)⁻¹]₁₁ with t(0.975, 6)
    x = np.column_stack([np.ones(9), np.log(pv), np.log(ug)])
    _beta, sse, *_ = np.linalg.lstsq(x, np.log(noisy), rcond=None)
    se = math.sqrt(sse[0] / 6 * np.linalg.inv(x.T @ x)[1, 1])
    assert fit.kla_pv_exponent_ci_high - fit.kla_pv_exponent == pytest.approx(
        stats.t.ppf(0.975, 6) * se
    )
    one_ug = kla_correlation(
        pv, np.full(9, 0.005), exact, reference_power_per_volume=100, reference_gas_velocity=0.005
    )
    assert math.isnan(one_ug.kla_ug_exponent) and "one gas velocity" in one_ug.caveats[0]
    with pytest.raises(InputError, match="positive"):
        kla_correlation(pv, ug, -exact, reference_power_per_volume=100, reference_gas_velocity=1)


def test_mixing_time_power_law_free_and_fixed() -> None:
    p = np.array([20.0, 50.0, 100.0, 200.0])
    fit = mixing_correlation(p, 300 * p ** (-1 / 3), reference_power_per_volume=100)
    assert fit.mixing_exponent == pytest.approx(-1 / 3)
    assert fit.mixing_time_predicted == pytest.approx(300 / 100 ** (1 / 3))  # 64.633 s
    theta = 300 * p ** (-1 / 3) * np.array([1.02, 0.98, 1.0, 1.01])
    fixed = mixing_correlation(p, theta, reference_power_per_volume=100, exponent=-1 / 3)
    ln_k = np.log(theta) + np.log(p) / 3
    half = stats.t.ppf(0.975, 3) * ln_k.std(ddof=1) / 2
    assert fixed.mixing_coefficient == pytest.approx(math.exp(ln_k.mean()))
    assert fixed.mixing_coefficient_ci_high == pytest.approx(math.exp(ln_k.mean() + half))
    steep = mixing_correlation(p, 300 * p ** (-0.8), reference_power_per_volume=100)
    assert steep.mixing_exponent == pytest.approx(-0.8) and "excludes −1/3" in steep.caveats[0]


def test_scaleup_cli(tmp_path, capsys) -> None:
    f = tmp_path / "k.csv"
    rows = [(a, b, 93.6 * a**0.4 * (b / 1000) ** 0.5) for a in (50, 100, 200) for b in (2, 5, 10)]
    f.write_text(
        "P/V [W/m^3],u_g [mm/s],kLa [1/h]\n" + "\n".join(f"{a},{b},{k}" for a, b, k in rows)
    )
    assert main(["scaleup", str(f), "--reference-pv", "100", "--reference-ug", "5", "--json"]) == 0
    assert '"kla_predicted": 41.76' in capsys.readouterr().out
    assert main(["scaleup", str(f), "--reference-pv", "100"]) == 2
    assert "--reference-ug" in capsys.readouterr().err
