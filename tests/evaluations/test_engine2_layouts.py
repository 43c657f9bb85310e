"""Issue 12 defects 2–4 through the platform's layouts: the off-gas reference conditions, the
mixing injection time and breakthrough files in concentration, C/C0 or UV."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erf

from bioproof.analysis.errors import InputError
from bioproof.core.errors import DomainError
from bioproof.evaluations import layouts
from bioproof.evaluations.samples import offgas_csv


def _curve_csv(header: str, scale: float, offset: float = 0.0) -> bytes:
    v = np.arange(4.0, 40.01, 0.5)
    ratio = 0.5 * (1 + erf((v - 19.0) / (3.0 * np.sqrt(2))))
    rows = "\n".join(f"{a:g},{offset + scale * b:.6f}" for a, b in zip(v, ratio, strict=True))
    return f"Volume [mL],{header}\n{rows}\n".encode()


BT = {"feed_concentration": 2.0, "column_volume": 1.0, "holdup": 0.0}


def test_breakthrough_layout_reads_concentration_ratio_or_uv() -> None:
    layout = layouts.get("breakthrough")
    by_conc = layout.kpis(layout.parse(_curve_csv("Concentration [g/L]", 2.0), "a.csv"), BT)
    by_pct = layout.kpis(layout.parse(_curve_csv("C/C0 [%]", 100.0), "b.csv"), BT)
    by_ratio = layout.kpis(layout.parse(_curve_csv("C/C0", 1.0), "c.csv"), BT)
    uv = layout.parse(_curve_csv("UV [mAU]", 1200.0, 15.0), "d.csv")
    by_uv = layout.kpis(uv, BT | {"feed_absorbance": 1215.0, "baseline_absorbance": 15.0})
    for res in (by_pct, by_ratio, by_uv):
        assert res["dbc"] == pytest.approx(by_conc["dbc"], rel=1e-6)
        assert res["saturation_capacity"] == pytest.approx(38.0, abs=0.05)
    with pytest.raises(InputError, match="feed's absorbance"):
        layout.kpis(uv, BT)
    both = b"Volume [mL],Concentration [g/L],UV [mAU]\n0,0,1\n1,0,1\n2,1,100\n"
    with pytest.raises(DomainError, match="exactly one column"):
        layout.parse(both, "e.csv")


def test_mixing_layout_needs_the_injection_time() -> None:
    layout = layouts.get("mixing")
    t = np.arange(0, 60.5, 0.5)
    signal = np.where(t < 10, 1.0, 2.0 - np.exp(-(t - 10) / 4))
    data = "Time [s],Conductivity [mS/cm]\n" + "\n".join(
        f"{a:g},{b:.6f}" for a, b in zip(t, signal, strict=True)
    )
    frame = layout.parse(data.encode(), "m.csv")
    with pytest.raises(InputError, match="injection_time"):
        layout.kpis(frame, {})
    # |r − 1| = e^{−(t − 10)/4} ≤ 0.05 → 4·ln 20 = 11.98 s after the injection at 10 s
    assert layout.kpis(frame, {"injection_time": 10.0})["mixing_time"] == pytest.approx(
        4 * np.log(20), abs=0.05
    )


def test_offgas_layout_names_its_reference_conditions() -> None:
    layout = layouts.get("offgas")
    frame = layout.parse(offgas_csv(), "g.csv")
    with pytest.raises(InputError, match="gas_reference_temperature"):
        layout.kpis(frame, {})
    normal = layout.kpis(frame, {"gas_reference_temperature": 0.0})
    standard = layout.kpis(frame, {"gas_reference_temperature": 20.0})
    # the same reading in standard litres at 20 °C carries 273.15/293.15 of the moles
    assert standard["peak_our"] == pytest.approx(normal["peak_our"] * 273.15 / 293.15)
