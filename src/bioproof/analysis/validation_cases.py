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
    ]
