"""Reference cases of the engine-2 product families (bioreactor scale-up, TFF, resins, media,
single-use articles), in the shape of :data:`bioproof.analysis.validation.Case`. Each expected
value is worked out by hand from the formula (``basis``) or taken from a published table."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _fields(*results: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for result in results:
        out.update({k: float(getattr(result, k)) for k in result.KPI_FIELDS})
    return out


# --- bioreactors --------------------------------------------------------------------------
_VR_A, _VR_B, _VR_C = 0.026 * 3600, 0.4, 0.5  # Van't Riet, coalescing, kLa in 1/h
_KLA_REF = _VR_A * 100**_VR_B * 0.005**_VR_C
_CSTAR_37 = math.exp(
    -139.34411
    + 1.575701e5 / 310.15
    - 6.642308e7 / 310.15**2
    + 1.243800e10 / 310.15**3
    - 8.621949e11 / 310.15**4
)


def _bioreactor() -> dict[str, float]:
    from bioproof.analysis.bioreactor import kla_correlation, mixing_correlation, oxygen_solubility

    pv = np.repeat([50.0, 100.0, 200.0], 3)
    ug = np.tile([0.002, 0.005, 0.01], 3)
    c_star = oxygen_solubility(37.0).o2_solubility_mmol
    kla = kla_correlation(
        pv,
        ug,
        _VR_A * pv**_VR_B * ug**_VR_C,
        reference_power_per_volume=100.0,
        reference_gas_velocity=0.005,
        c_star=c_star,
    )
    p = np.array([20.0, 50.0, 100.0, 200.0])
    mixing = mixing_correlation(p, 300.0 * p ** (-1 / 3), reference_power_per_volume=100.0)
    return _fields(kla, mixing) | {"o2_solubility": oxygen_solubility(20.0).o2_solubility}


# --- filters / TFF and resins ------------------------------------------------------------
_TMP = np.array([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0])
_CRIT = 0.9 * 100 * 0.2145557412713 / 1.25  # 0.9·L_p·x_c/k with (1 − e^−x)/x = 0.9


def _tff() -> dict[str, float]:
    from bioproof.analysis.tff import clearance, flux_curve, sieving_coefficient

    curve = flux_curve(_TMP, 80 * (1 - np.exp(-1.25 * _TMP)))
    sieving = sieving_coefficient([10.0, 10.0, 10.0], [0.1, 0.2, 0.3])
    lrv = clearance(
        ["HCP", "DNA", "MVM"],
        [1e5, 1e4, 1e7],
        [10.0, 10.0, 10.0],
        [100.0, 0.5, 0.0],
        [12.0, 12.0, 12.0],
        [float("nan"), 1.0, 10.0],
    )
    return _fields(curve, sieving, lrv)


def _resins() -> dict[str, float]:
    from bioproof.analysis.resins import dbc_residence, resin_cycles

    tau = np.array([1.0, 2.0, 3.0, 4.0, 6.0, 8.0])
    curve = dbc_residence(tau, 60 * (1 - np.exp(-tau / 2)), at=4.0)
    c = np.arange(1.0, 11.0)
    cycles = resin_cycles(c, dbc=50 - 0.2 * c, step_yield=95 - 0.5 * c, drop=0.10)
    return _fields(curve, cycles)


# --- media ---------------------------------------------------------------------------------
def _q_true(j: int) -> float:
    """Rate given to the j-th amino acid [pmol/(cell·d)]: −0.45 … +0.5 in steps of 0.05."""
    return (j - 9) * 0.05


def _media() -> dict[str, float]:
    from bioproof.analysis.media import (
        AMINO_ACIDS,
        QUALITY_ATTRIBUTES,
        amino_acid_rates,
        death_rate,
        quality_attributes,
    )

    t = np.array([0.0, 24.0, 48.0])
    vcd = np.full(3, 2e6)
    v = np.array([1.0, 1.1, 1.2])
    conc = {}
    for j, aa in enumerate(AMINO_ACIDS):
        q = _q_true(j)  # mmol per 1e9 cells·d; IVC 2.2 then 2.4 (1e9 cells·d)
        c1 = (4.0 * 1.0 + 100 * 0.1 - q * 2.2) / 1.1
        c2 = (c1 * 1.1 + 50 * 0.1 - q * 2.4) / 1.2
        conc[aa] = [4.0, c1, c2]
    all_aa = dict.fromkeys(AMINO_ACIDS, 100.0)
    half = dict.fromkeys(AMINO_ACIDS, 50.0)
    rates = amino_acid_rates(
        t, vcd, v, conc, feeds={"A": ([0.1, 0, 0], all_aa), "B": ([0, 0.1, 0], half)}
    )
    dead = death_rate(t, vcd, np.ones(3), dead=[0.0, 0.2e6, 0.4e6])
    pqa = quality_attributes({k: [1.0 + i, 3.0 + i] for i, k in enumerate(QUALITY_ATTRIBUTES)})
    return _fields(rates, dead, pqa)


def _media_expected() -> dict[str, tuple[float, float]]:
    from bioproof.analysis.media import AMINO_ACIDS, QUALITY_ATTRIBUTES

    out = {f"q_{aa}": (_q_true(j), 1e-9) for j, aa in enumerate(AMINO_ACIDS)}
    out |= {"death_rate": (0.1, 1e-9), "death_rate_max": (0.1, 1e-9)}
    return out | {k: (2.0 + i, 1e-9) for i, k in enumerate(QUALITY_ATTRIBUTES)}


# --- single-use articles ----------------------------------------------------------------
def _single_use() -> dict[str, float]:
    from bioproof.analysis import single_use as su

    aet = su.analytical_evaluation_threshold(1.5, doses_per_day=1, dose_volume=10.0)
    el = su.extractables(["BHT", "Irgafos 168", "DEHP"], [0.01, 0.2, 0.075], aet=aet)
    particles = su.particulates([1200, 1500, 900], [30, 50, 40], container_volume=10.0)
    t = np.arange(0.0, 301.0, 10.0)
    p = np.where(t < 60, 110 - 0.05 * t, 107 - 0.01 * (t - 60))
    leak = su.pressure_decay(t, p, test_volume=2.0, stabilisation=60.0, limit=0.05)
    return _fields(el, particles, leak)


def cases() -> list[Any]:
    """Every engine-2 reference case."""
    return [
        (
            "bioreactor: Van't Riet correlation, Nienow mixing, C* table",
            "kLa = 93.6·(P/V)^0.4·u_g^0.5 [1/h] (0.026 /s, Van't Riet 1979) on P/V 50, 100, 200 × "
            "u_g 2, 5, 10 mm/s; at 100 W/m³, 5 mm/s: 93.6·100^0.4·0.005^0.5 = 41.760 /h; × C*(37 "
            "°C, air) 6.727 mg/L / 31.998 = 0.21023 mmol/L → OTR 8.779 mmol/(L·h); θ = 300·(P/V)"
            "^(−1/3) s → 64.633 s at 100 W/m³; C*(20 °C, 1 atm, air) 9.092 mg/L (APHA 4500-O)",
            _bioreactor,
            {
                "kla_coefficient": (_VR_A, 1e-9),
                "kla_pv_exponent": (_VR_B, 1e-9),
                "kla_ug_exponent": (_VR_C, 1e-9),
                "kla_predicted": (_KLA_REF, 1e-9),
                "otr_max": (_KLA_REF * _CSTAR_37 / 31.998, 1e-9),
                "mixing_exponent": (-1 / 3, 1e-9),
                "mixing_time_predicted": (300.0 * 100 ** (-1 / 3), 1e-9),
                "o2_solubility": (9.092, 1e-4),
            },
        ),
        (
            "TFF flux curve, sieving, clearance with results below detection",
            "J = 80·(1 − e^(−1.25·TMP)) on TMP 0.2–2 bar: L_p = 80·1.25 = 100 LMH/bar, J_lim 80 "
            "LMH, critical flux 0.9·100·0.214556/1.25 = 15.448 LMH; S = mean(0.01, 0.02, 0.03) "
            "= 0.02; HCP log10(1e5·10/(100·12)) = 2.9208; DNA below LOD 1 → ≥ log10(1e4·10/12) "
            "= 3.9208; MVM 0 with LOD 10 → ≥ log10(1e7·10/(10·12)) = 5.9208",
            _tff,
            {
                "tff_permeability": (100.0, 1e-7),
                "limiting_flux": (80.0, 1e-7),
                "critical_flux": (_CRIT, 1e-7),
                "sieving_coefficient": (0.02, 1e-9),
                "lrv_hcp": (math.log10(1e6 / 1200), 1e-9),
                "lrv_dna": (math.log10(1e5 / 12), 1e-9),
                "lrv_virus": (math.log10(1e8 / 120), 1e-9),
            },
        ),
        (
            "resin: DBC vs residence time, lifetime to a 10 % drop",
            "DBC = 60·(1 − e^(−τ/2)) at τ 1–8 min: DBC_max 60 g/L, τ_c 2 min, DBC(4 min) = "
            "60·(1 − e^−2) = 51.880 g/L; DBC = 50 − 0.2·c: 49.8 at cycle 1, falls 4.98 after "
            "24.9 cycles → cycle 25.9; yield 95 − 0.5·c: 94.5 at cycle 1, 9.45/0.5 = 18.9 → "
            "cycle 19.9",
            _resins,
            {
                "dbc_max": (60.0, 1e-7),
                "tau_c": (2.0, 1e-7),
                "dbc_at_residence": (60 * (1 - math.exp(-2)), 1e-7),
                "dbc_cycles_to_drop": (25.9, 1e-9),
                "yield_cycles_to_drop": (19.9, 1e-9),
            },
        ),
        (
            "media: two feeds, amino-acid balance, death rate, quality attributes",
            "VCD 2e6/mL, V 1.0 → 1.1 → 1.2 L (feed A 0.1 L at 100 mM of every amino acid on "
            "day 0, feed B 0.1 L at 50 mM on day 1, no sampling): IVC 2.2 and 2.4 (1e9 cells·d); "
            "C₁ = (4 + 10 − 2.2q)/1.1, C₂ = (1.1C₁ + 5 − 2.4q)/1.2 built with q = −0.45 … +0.5 "
            "pmol/(cell·d) → each q recovered; dead cells 0, 0.2, 0.4 (1e6/mL) at 2e6 viable in "
            "1 L over 2 days → k_d = 0.2e9/2e9 = 0.1 /d; attributes: mean of (1 + i, 3 + i) "
            "= 2 + i %",
            _media,
            _media_expected(),
        ),
        (
            "single-use: AET, USP <788> particulates, pressure decay",
            "AET = 1.5 µg/day / (1 dose/day · 10 mL) / UF 2 = 0.075 µg/mL: 0.2 and 0.075 reach "
            "it → 2 compounds, max ratio 0.2/0.075 = 2.667; counts ≥10 µm 1200, 1500, 900 and "
            "≥25 µm 30, 50, 40 in 10 mL containers: means 1200 and 40 → 120 and 4 per mL, "
            "ratio max(1200/6000, 40/600) = 0.2; P = 107 − 0.01·(t − 60) mbar after 60 s "
            "stabilisation in 2 L → Q = 2·0.01 = 0.02 mbar·L/s, /0.05 = 0.4",
            _single_use,
            {
                "el_above_aet": (2.0, 0.0),
                "el_max_ratio": (0.2 / 0.075, 1e-9),
                "particles_10um_per_ml": (120.0, 1e-9),
                "particles_25um_per_ml": (4.0, 1e-9),
                "particle_limit_ratio": (0.2, 1e-9),
                "leak_rate": (0.02, 1e-9),
                "leak_limit_ratio": (0.4, 1e-9),
            },
        ),
    ]
