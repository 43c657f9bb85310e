"""Data layouts of the engine-2 product families (bioreactor scale-up, TFF, resin process
steps, media, single-use articles); registered with the others by
:func:`bioproof.evaluations.layouts.all_layouts`. Each analyser returns only KPI fields (plus
caveats) of the engine results it calls."""

from __future__ import annotations

from typing import Any

import pandas as pd

from bioproof.evaluations.layouts import Layout, Param, _kpi_fields


def _col(frame: pd.DataFrame, name: str) -> Any:
    return frame[name].to_numpy()


def _kla_correlation(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.bioreactor import kla_correlation, oxygen_solubility

    c_star = oxygen_solubility(
        params["temperature"],
        pressure=params["pressure"],
        o2_fraction=params["o2_fraction"] / 100.0,
        salinity=params["salinity"],
    )
    return _kpi_fields(c_star) | _kpi_fields(
        kla_correlation(
            _col(frame, "power_per_volume"),
            _col(frame, "gas_velocity"),
            _col(frame, "kla"),
            reference_power_per_volume=params["reference_power_per_volume"],
            reference_gas_velocity=params["reference_gas_velocity"] / 1000.0,
            c_star=c_star.o2_solubility_mmol,
        )
    )


def _mixing_correlation(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.bioreactor import mixing_correlation

    return _kpi_fields(
        mixing_correlation(
            _col(frame, "power_per_volume"),
            _col(frame, "mixing_time"),
            reference_power_per_volume=params["reference_power_per_volume"],
        )
    )


_REF_PV = Param("reference_power_per_volume", "Reference P/V", "기준 P/V", "W/m³")


def layouts() -> list[Layout]:
    """The engine-2 layouts, in display order."""
    from bioproof.analysis import bioreactor

    return [
        Layout(
            "kla_correlation",
            "kLa vs P/V and gas velocity (scale-up)",
            "P/V·가스 유속별 kLa (스케일업)",
            (
                ("P/V [W/m^3]", (50, 50, 50, 100, 100, 100, 200, 200, 200)),
                ("Superficial gas velocity [mm/s]", (2, 5, 10, 2, 5, 10, 2, 5, 10)),
                ("kLa [1/h]", (20.1, 31.5, 45.0, 26.4, 41.9, 58.8, 34.6, 55.1, 78.3)),
            ),
            bioreactor.read_kla_correlation,
            _kla_correlation,
            (
                _REF_PV,
                Param(
                    "reference_gas_velocity",
                    "Reference superficial gas velocity",
                    "기준 공탑 가스 유속",
                    "mm/s",
                ),
                Param(
                    "temperature", "Process temperature (for C*)", "공정 온도 (C*용)", "°C", 37.0
                ),
                Param(
                    "pressure",
                    "Head-space pressure, absolute (for C*)",
                    "헤드스페이스 절대 압력 (C*용)",
                    "kPa",
                    101.325,
                ),
                Param(
                    "o2_fraction",
                    "O₂ in the sparge gas (for C*)",
                    "살포 가스 산소 분율 (C*용)",
                    "%",
                    20.946,
                ),
                Param(
                    "salinity",
                    "Salinity, NaCl equivalent (for C*)",
                    "염도, NaCl 환산 (C*용)",
                    "g/kg",
                    0.0,
                ),
            ),
            plot=("power_per_volume", "kla", "P/V (W/m³)", "kLa (1/h)"),
            results=(
                "bioproof.analysis.bioreactor.KLaCorrelation",
                "bioproof.analysis.bioreactor.OxygenSolubility",
            ),
        ),
        Layout(
            "mixing_correlation",
            "Mixing time vs P/V (scale-up)",
            "P/V별 혼합 시간 (스케일업)",
            (
                ("P/V [W/m^3]", (20, 50, 100, 200, 400)),
                ("Mixing time [s]", (111.0, 80.5, 65.2, 51.0, 41.2)),
            ),
            bioreactor.read_mixing_correlation,
            _mixing_correlation,
            (_REF_PV,),
            plot=("power_per_volume", "mixing_time", "P/V (W/m³)", "Mixing time (s)"),
            results=("bioproof.analysis.bioreactor.MixingCorrelation",),
        ),
    ]
