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


def _present(*results: Any) -> dict[str, Any]:
    """KPI fields of ``results`` without the ones not computed (None), plus caveats."""
    out: dict[str, Any] = {}
    for result in results:
        fields = _kpi_fields(result)
        caveats = fields.pop("caveats", [])
        out.update({k: v for k, v in fields.items() if v is not None})
        if caveats:
            out.setdefault("caveats", []).extend(caveats)
    return out


def _tff_flux(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.tff import flux_curve

    return _present(flux_curve(_col(frame, "tmp"), _col(frame, "flux")))


def _sieving(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.tff import sieving_coefficient

    return _present(sieving_coefficient(_col(frame, "feed"), _col(frame, "permeate")))


def _clearance(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    import numpy as np

    from bioproof.analysis.tff import clearance

    lod = _col(frame, "lod") if "lod" in frame.columns else None
    result = clearance(
        list(frame["analyte"]),
        _col(frame, "load_concentration"),
        _col(frame, "load_volume"),
        _col(frame, "product_concentration"),
        _col(frame, "product_volume"),
        None if lod is None else np.where(np.isfinite(lod), lod, np.nan),
    )
    return _present(result)


def _mass_balance(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.resins import mass_balance

    return _present(
        mass_balance(list(frame["fraction"]), _col(frame, "concentration"), _col(frame, "volume"))
    )


def _dbc_residence(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.resins import dbc_residence

    return _present(
        dbc_residence(
            _col(frame, "residence_time"), _col(frame, "dbc"), at=params["residence_time"]
        )
    )


def _resin_cycles(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.chromatography import resin_lifetime
    from bioproof.analysis.resins import resin_cycles

    series = {
        "dbc": _col(frame, "dbc") if "dbc" in frame.columns else None,
        "step_yield": _col(frame, "step_yield") if "step_yield" in frame.columns else None,
    }
    cycles = _col(frame, "cycle")
    return _present(
        resin_lifetime(
            cycles,
            **series,
            dbc_limit=params.get("dbc_limit") or None,
            yield_limit=params.get("yield_limit") or None,
        ),
        resin_cycles(cycles, **series, drop=params["drop"] / 100.0),
    )


def _kla_correlation(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.bioreactor import kla_correlation, oxygen_solubility

    c_star = oxygen_solubility(
        params["temperature"],
        pressure=params["pressure"],
        o2_fraction=params["o2_fraction"] / 100.0,
        salinity=params["salinity"],
    )
    return _present(
        c_star,
        kla_correlation(
            _col(frame, "power_per_volume"),
            _col(frame, "gas_velocity"),
            _col(frame, "kla"),
            reference_power_per_volume=params["reference_power_per_volume"],
            reference_gas_velocity=params["reference_gas_velocity"] / 1000.0,
            c_star=c_star.o2_solubility_mmol,
        ),
    )


def _mixing_correlation(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.bioreactor import mixing_correlation

    return _present(
        mixing_correlation(
            _col(frame, "power_per_volume"),
            _col(frame, "mixing_time"),
            reference_power_per_volume=params["reference_power_per_volume"],
        )
    )


def _feeds(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.media import AMINO_ACIDS, amino_acid_rates, death_rate, split_feeds

    samples, feeds, notes = split_feeds(frame)
    t, vcd, v = _col(samples, "time"), _col(samples, "vcd"), _col(samples, "volume")
    added = sum((volume for volume, _c in feeds.values()), start=0 * v)
    measured = {aa: _col(samples, aa) for aa in AMINO_ACIDS if aa in samples.columns}
    dead = _col(samples, "dead") if "dead" in samples.columns else None
    via = _col(samples, "viability") if "viability" in samples.columns else None
    out = _present(
        death_rate(t, vcd, v, dead=dead, viability=via, feed_volume=added),
        *([amino_acid_rates(t, vcd, v, measured, feeds=feeds)] if measured else []),
    )
    if notes:
        out.setdefault("caveats", []).extend(notes)
    return out


def _quality(frame: pd.DataFrame, _params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.media import QUALITY_ATTRIBUTES, quality_attributes

    return _present(
        quality_attributes({k: _col(frame, k) for k in QUALITY_ATTRIBUTES if k in frame.columns})
    )


def _extractables(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis import single_use as su

    aet = su.analytical_evaluation_threshold(
        params["sct"],
        doses_per_day=params["doses_per_day"],
        dose_volume=params["dose_volume"],
        uncertainty_factor=params["uncertainty_factor"],
        scaling=params["aet_scaling"],
    )
    return _present(su.extractables(list(frame["compound"]), _col(frame, "concentration"), aet=aet))


def _particulates(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.single_use import particulates

    method = "microscopic" if params.get("microscopic") else "light_obscuration"
    return _present(
        particulates(
            _col(frame, "count_10um"),
            _col(frame, "count_25um"),
            container_volume=params["container_volume"],
            method=method,
        )
    )


def _pressure_decay(frame: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    from bioproof.analysis.single_use import pressure_decay

    return _present(
        pressure_decay(
            _col(frame, "time"),
            _col(frame, "pressure"),
            test_volume=params["test_volume"],
            stabilisation=params["stabilisation_time"],
            limit=params.get("leak_limit") or None,
        )
    )


_REF_PV = Param("reference_power_per_volume", "Reference P/V", "기준 P/V", "W/m³")


def layouts() -> list[Layout]:
    """The engine-2 layouts, in display order."""
    from bioproof.analysis import bioreactor, media, resins, single_use, tff

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
        Layout(
            "tff_flux",
            "TFF flux vs TMP excursion",
            "TFF 플럭스-TMP 시험",
            (
                ("Feed pressure [bar]", (0.5, 0.7, 0.9, 1.1, 1.3, 1.5, 1.8, 2.3)),
                ("Retentate pressure [bar]", (-0.1, 0.1, 0.3, 0.5, 0.7, 0.9, 1.2, 1.7)),
                ("Permeate pressure [bar]", (0, 0, 0, 0, 0, 0, 0, 0)),
                ("Flux [LMH]", (17.7, 31.5, 42.2, 50.6, 57.1, 62.2, 67.9, 73.4)),
            ),
            tff.read_tff_flux,
            _tff_flux,
            plot=("tmp", "flux", "TMP (bar)", "Flux (LMH)"),
            results=("bioproof.analysis.tff.FluxCurve",),
        ),
        Layout(
            "tff_sieving",
            "TFF sieving (paired feed and permeate samples)",
            "TFF 체거름 (공급액·투과액 짝 시료)",
            (
                ("Time [min]", (10, 30, 60, 90)),
                ("Feed concentration [g/L]", (10.2, 20.5, 40.8, 60.1)),
                ("Permeate concentration [g/L]", (0.011, 0.02, 0.043, 0.061)),
            ),
            tff.read_sieving,
            _sieving,
            plot=("time", "permeate", "Time (h)", "Permeate (g/L)"),
            results=("bioproof.analysis.tff.Sieving",),
        ),
        Layout(
            "mass_balance",
            "Step yield and mass balance (fractions)",
            "단계 수율 및 물질 수지 (분획)",
            (
                ("Fraction", ("Load", "Flow-through", "Wash", "Eluate", "Strip")),
                ("Concentration [g/L]", (2.0, 0.05, 0.02, 9.0, 0.5)),
                ("Volume [L]", (10.0, 10.0, 2.0, 2.0, 0.5)),
            ),
            resins.read_mass_balance,
            _mass_balance,
            results=("bioproof.analysis.chromatography.StepYield",),
        ),
        Layout(
            "clearance",
            "Impurity and virus clearance (LRV)",
            "불순물·바이러스 제거 (LRV)",
            (
                ("Analyte", ("HCP", "DNA", "MVM")),
                ("Load concentration", (100000, 10000, 10000000)),
                ("Load volume [mL]", (10, 10, 10)),
                ("Product concentration", (100, 0.5, 0)),
                ("Product volume [mL]", (12, 12, 12)),
                ("LOD", ("", 1, 10)),
            ),
            tff.read_clearance,
            _clearance,
            results=("bioproof.analysis.tff.Clearance",),
        ),
        Layout(
            "dbc_residence",
            "DBC vs residence time",
            "체류 시간별 DBC",
            (
                ("Residence time [min]", (1, 2, 3, 4, 6, 8)),
                ("DBC [g/L]", (23.4, 37.8, 46.7, 51.9, 57.0, 58.9)),
            ),
            resins.read_dbc_residence,
            _dbc_residence,
            (Param("residence_time", "Residence time for DBC", "DBC 기준 체류 시간", "min"),),
            plot=("residence_time", "dbc", "Residence time (min)", "DBC (g/L)"),
            results=("bioproof.analysis.resins.ResidenceCurve",),
        ),
        Layout(
            "resin_cycles",
            "Resin lifetime (DBC and yield per cycle)",
            "레진 수명 (사이클별 DBC 및 수율)",
            (
                ("Cycle", (1, 10, 20, 30, 40, 50)),
                ("DBC [g/L]", (50.1, 49.6, 48.0, 46.2, 44.4, 43.0)),
                ("Step yield [%]", (95.2, 94.8, 94.1, 93.0, 92.5, 91.6)),
            ),
            resins.read_cycles,
            _resin_cycles,
            (
                Param("drop", "Drop that ends resin life", "레진 수명 종료 감소율", "%", 10.0),
                Param("dbc_limit", "DBC limit (0 = none)", "DBC 하한 (0 = 없음)", "g/L", 0.0),
                Param(
                    "yield_limit",
                    "Step yield limit (0 = none)",
                    "단계 수율 하한 (0 = 없음)",
                    "%",
                    0.0,
                ),
            ),
            plot=("cycle", "dbc", "Cycle", "DBC (g/L)"),
            results=(
                "bioproof.analysis.chromatography.ResinLifetime",
                "bioproof.analysis.resins.ResinCycles",
            ),
        ),
        Layout(
            "fed_batch_feeds",
            "Fed-batch with feeds (amino acids, death rate)",
            "피드 유가배양 (아미노산, 사멸속도)",
            (
                ("Stream", ("Culture", "Feed A", "Culture", "Feed B", "Culture", "Culture")),
                ("Time [d]", (0, 0, 3, 3, 6, 9)),
                ("Volume [L]", (1.0, 0.05, 1.03, 0.05, 1.06, 1.04)),
                ("VCD [1e6 cells/mL]", (0.5, "", 4.1, "", 12.5, 14.0)),
                ("Viability [%]", (98.0, "", 97.5, "", 95.0, 85.0)),
                ("Gln [mM]", (4.0, 200.0, 2.1, 100.0, 1.2, 0.4)),
                ("Asn [mM]", (3.0, 150.0, 6.0, 80.0, 4.0, 1.5)),
                ("Leu [mM]", (2.5, 60.0, 4.0, 40.0, 3.0, 1.8)),
            ),
            media.read_feeds,
            _feeds,
            plot=None,
            results=(
                "bioproof.analysis.media.AminoAcidRates",
                "bioproof.analysis.media.DeathRate",
            ),
        ),
        Layout(
            "quality_attributes",
            "Product quality attributes (SEC, charge variants, glycans)",
            "제품 품질 특성 (SEC, 전하 변이체, 당쇄)",
            (
                ("Aggregates [%]", (1.2, 1.3)),
                ("Monomer [%]", (98.6, 98.5)),
                ("Acidic variants [%]", (22.1, 22.6)),
                ("Main peak [%]", (65.3, 64.9)),
                ("Basic variants [%]", (12.6, 12.5)),
                ("G0F [%]", (41.5, 42.0)),
                ("G1F [%]", (38.2, 37.9)),
                ("G2F [%]", (8.1, 8.3)),
                ("Man5 [%]", (2.1, 2.2)),
                ("Afucosylated [%]", (4.5, 4.7)),
                ("Sialylated [%]", (1.1, 1.0)),
            ),
            media.read_quality,
            _quality,
            results=("bioproof.analysis.media.QualityAttributes",),
        ),
        Layout(
            "extractables",
            "Extractables/leachables (compound table)",
            "추출물/침출물 (화합물 표)",
            (
                (
                    "Compound",
                    ("BHT", "Irgafos 168 oxidised", "bDtBPP"),
                ),
                ("Concentration [µg/mL]", (0.01, 0.2, 0.04)),
            ),
            single_use.read_extractables,
            _extractables,
            (
                Param("sct", "Safety concern threshold", "안전성 우려 역치 (SCT)", "µg/day", 1.5),
                Param("doses_per_day", "Doses per day", "일일 투여 횟수", "1/day", 1.0),
                Param("dose_volume", "Dose volume", "1회 투여 부피", "mL"),
                Param("uncertainty_factor", "Uncertainty factor", "불확도 계수", "-", 2.0),
                Param(
                    "aet_scaling",
                    "Extract-to-product scaling (product volume / extract volume)",
                    "추출액-제품 환산 (제품 부피/추출액 부피)",
                    "-",
                    1.0,
                ),
            ),
            results=("bioproof.analysis.single_use.ExtractablesReport",),
        ),
        Layout(
            "particulates",
            "Sub-visible particulates (USP <788>)",
            "불용성 미립자 (USP <788>)",
            (
                ("Container", (1, 2, 3)),
                ("≥10 µm", (1200, 1500, 900)),
                ("≥25 µm", (30, 50, 40)),
            ),
            single_use.read_particulates,
            _particulates,
            (
                Param("container_volume", "Container volume", "용기 부피", "mL"),
                Param(
                    "microscopic",
                    "Microscopic count (1) instead of light obscuration (0)",
                    "현미경법 (1) / 광차폐법 (0)",
                    "-",
                    0.0,
                ),
            ),
            results=("bioproof.analysis.single_use.Particulates",),
        ),
        Layout(
            "pressure_decay",
            "Leak test (pressure decay)",
            "누설 시험 (압력 감쇠)",
            (
                ("Time [s]", tuple(range(0, 301, 30))),
                (
                    "Pressure [mbar]",
                    (110.0, 108.6, 107.0, 106.7, 106.4, 106.1, 105.8, 105.5, 105.2, 104.9, 104.6),
                ),
            ),
            single_use.read_pressure_decay,
            _pressure_decay,
            (
                Param("test_volume", "Test (gas) volume", "시험 (기체) 부피", "L"),
                Param("stabilisation_time", "Stabilisation time", "안정화 시간", "s", 60.0),
                Param(
                    "leak_limit",
                    "Leak-rate limit (0 = none)",
                    "누설률 한도 (0 = 없음)",
                    "mbar·L/s",
                    0.0,
                ),
            ),
            plot=("time", "pressure", "Time (s)", "Pressure (mbar)"),
            results=("bioproof.analysis.single_use.PressureDecay",),
        ),
    ]
