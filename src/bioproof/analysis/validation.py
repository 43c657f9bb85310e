"""Validation of the engine against reference cases: evidence for computerized-system
validation (GAMP 5, 2nd ed., 2022, Appendix D5 on testing; EU GMP Annex 11 §4).

Every KPI of :data:`bioproof.analysis.kpis.KPIS` has a reference case whose expected value is
worked out by hand from the formula (the arithmetic is in ``basis``) or taken from a published
source. :func:`validate` runs the engine on each case and compares; ``bioproof analyze
validate`` prints the table and writes it as CSV with ``--csv``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import erf

from bioproof.analysis import ENGINE_VERSION
from bioproof.analysis.kpis import KPIS
from bioproof.analysis.result import Result

LN2 = math.log(2)


@dataclass(frozen=True)
class ValidationRow(Result):
    """One KPI checked against its reference case."""

    kpi: str
    unit: str
    case: str
    basis: str
    expected: float
    computed: float
    tolerance: float
    passed: bool


@dataclass(frozen=True)
class ValidationReport(Result):
    """Every row, the engine version and whether all passed."""

    engine_version: str
    passed: bool
    n_passed: int
    n_failed: int
    rows: tuple[ValidationRow, ...]

    def csv(self) -> str:
        """The table as CSV (one row per KPI), the evidence file."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            ["kpi", "unit", "case", "basis", "expected", "computed", "tolerance", "result"]
        )
        for r in self.rows:
            writer.writerow(
                [
                    r.kpi,
                    r.unit,
                    r.case,
                    r.basis,
                    f"{r.expected:.10g}",
                    f"{r.computed:.10g}",
                    f"{r.tolerance:g}",
                    "pass" if r.passed else "FAIL",
                ]
            )
        return buffer.getvalue()


#: (case, basis of the expected values, engine call → KPI values, KPI → (expected, rel. tol.))
Case = tuple[str, str, Callable[[], dict[str, float]], dict[str, tuple[float, float]]]


def _fields(*results: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for result in results:
        out.update({k: float(getattr(result, k)) for k in result.KPI_FIELDS})
    return out


def _kinetics() -> dict[str, float]:
    from bioproof.analysis.kinetics import culture_kinetics

    frame = pd.DataFrame(
        {
            "time": np.arange(5.0) * 24,
            "vcd": np.array([0.5, 1, 2, 4, 8]) * 1e6,
            "viability": [98, 98, 96, 90, 70],
            "glucose": [6.0, 5.8, 5.4, 4.6, 3.0],
            "lactate": [0.2, 0.4, 0.8, 1.4, 2.2],
            "titer": [0, 0.015, 0.045, 0.105, 0.225],
            "glutamine": [4.0, 3.5, 3.0, 2.0, 1.0],
            "ammonia": [0.5, 1.0, 1.5, 2.5, 3.5],
        }
    )
    k = culture_kinetics(frame)
    extra = ("mu_exp_r2", "qp_r2", "exp_phase_start", "exp_phase_end")
    return _fields(k) | {key: float(getattr(k, key)) for key in extra}


_GLC = 3.0 / 180.156 * 1e3  # mmol/L glucose consumed
_LAC = 2.0 / 90.078 * 1e3  # mmol/L lactate formed
_KINETICS_BASIS = (
    "batch, daily samples: VCD 0.5, 1, 2, 4, 8 (1e6/mL) doubles daily → μ = ln 2; IVCD = 0.75 + "
    "1.5 + 3 + 6 = 11.25; titer = 0.02·IVCD g/L → qP = 20 pg/(cell·d); viability 90 → 70 "
    "between d 3 and 4 crosses 80 at 3.5 d; glucose −3.0 g/L = 16.652 mmol/L; lactate +2.0 g/L "
    "= 22.203 mmol/L; glutamine −3, ammonia +3 mmol/L"
)


def _gas() -> dict[str, float]:
    from bioproof.analysis.gas import gas_balance, respiration_summary

    g = gas_balance(1.0, 1.0, 0.2095, 0.0004, 0.19, 0.02)
    s = respiration_summary([0.0, 1.0, 2.0], 1.0, 1.0, 0.2095, 0.0004, 0.19, 0.02)
    return {"our": float(g.our), "cer": float(g.cer), "rq": float(g.rq)} | _fields(s)


_RATIO = 0.7901 / 0.79
_SCALE = 60 / (8.314462618 * 273.15 / 101.325) * 1e3  # V_m = R·T/p = 22.41397 L/mol
_OUR = _SCALE * (0.2095 - 0.19 * _RATIO)
_CER = _SCALE * (0.02 * _RATIO - 0.0004)


def _kla() -> dict[str, float]:
    from bioproof.analysis.gas import fit_kla

    t = np.linspace(0, 0.05, 21)
    return _fields(fit_kla(t, 100 - 90 * np.exp(-50.0 * t)))


def _mixing() -> dict[str, float]:
    from bioproof.analysis.gas import mixing_time

    t_s = np.arange(0, 60.01, 0.05)
    signal = np.where(t_s < 10, 1.0, 2.0 - np.exp(-(t_s - 10) / 4))
    return _fields(mixing_time(t_s / 3600, signal, injection_time=10 / 3600))


def _power() -> dict[str, float]:
    from bioproof.analysis.gas import power_input

    return _fields(power_input(1.0, power_number=5.0, speed=120.0, diameter=0.1, density=1000.0))


def _breakthrough() -> dict[str, float]:
    from bioproof.analysis.chromatography import breakthrough

    v = np.arange(4.0, 40.001, 0.01)
    ratio = 0.5 * (1 + erf((v - 19.0) / (3.0 * math.sqrt(2))))
    return _fields(breakthrough(v, 2.0 * ratio, feed_concentration=2.0, column_volume=1.0))


def _step_yield() -> dict[str, float]:
    from bioproof.analysis.chromatography import step_yield

    return _fields(step_yield(2.0, 10.0, 8.0, 2.25, fractions={"flow-through": (0.1, 10.0)}))


def _lifetime() -> dict[str, float]:
    from bioproof.analysis.chromatography import resin_lifetime

    c = np.arange(1.0, 6.0)
    return _fields(
        resin_lifetime(c, dbc=40 - 0.5 * c, step_yield=95 - c, dbc_limit=38.0, yield_limit=92.0)
    )


def _filtration() -> dict[str, float]:
    from bioproof.analysis import filtration

    t = np.linspace(0, 2, 9)  # h
    v = 0.01 * t / (1 / 1000 + t / 200)  # L through 0.01 m²: Qi 1000 LMH, Vmax 200 L/m²
    vm = filtration.vmax(t, v, area=0.01)
    flux = filtration.flux_decay(t, v, area=0.01)
    vol = np.linspace(0, 1.5, 7)  # constant flow: √(P0/P) = 1 − v/200
    pressure = 0.5 / (1 - vol / 0.01 / 200) ** 2
    pm = filtration.pmax(vol, pressure, area=0.01, max_pressure=2.0)
    area = filtration.filter_area(1000.0, vmax=200.0, qi=1000.0, process_time=4.0)
    lrv = filtration.log_reduction(1e7, 10.0, challenge_volume=0.1, filtrate_volume=0.1)
    return _fields(vm, flux, pm, area, lrv)


def _control() -> dict[str, float]:
    from bioproof.analysis.control import online_control

    t = [0.0, 1.0, 2.0, 4.0]
    signals = {
        "ph": np.array([7.00, 7.20, 7.05, 7.00]),
        "do": np.array([40.0, 60.0, 45.0, 40.0]),
        "temperature": np.array([37.0, 38.0, 37.25, 37.0]),
    }
    return _fields(
        online_control(
            t,
            signals,
            {"ph": 7.0, "do": 40.0, "temperature": 37.0},
            {"ph": 0.1, "do": 10.0, "temperature": 0.5},
        )
    )


def _qc() -> dict[str, float]:
    from bioproof.analysis.qc import evaluate_specs

    report = evaluate_specs(
        {"pH": "7.46", "Osmolality": "298", "Endotoxin": "< 0.05"},
        {"pH": "7.0–7.4", "Osmolality": "280–320", "Endotoxin": "≤ 0.5"},
    )
    return _fields(report)


def _sensors() -> dict[str, float]:
    from bioproof.analysis.sensors import detection_limits, response_time, sensor_agreement

    ref = np.array([7.00, 7.10, 7.20, 7.30, 7.40])
    d = np.array([0.01, 0.03, 0.02, 0.04, 0.05])
    agreement = sensor_agreement(np.arange(5.0) * 24, ref, ref + d)
    t_s = np.arange(0, 200.0, 0.1)
    step = response_time(
        t_s / 3600, np.where(t_s < 20, 7.0, 6.0 + np.exp(-(t_s - 20) / 10)), step_time=20 / 3600
    )
    c = np.arange(6.0)
    limits = detection_limits(c, 2.0 + 10.0 * c + np.array([0.1, -0.1, -0.1, 0.1, 0.0, 0.0]))
    return _fields(agreement, step, limits)


_SD_D = math.sqrt(0.001 / 4)


def _integrity() -> dict[str, float]:
    from bioproof.analysis.filtration import integrity_test, water_permeability

    p = np.arange(1.0, 5.01, 0.25)
    q = np.where(p <= 3.2, 0.5 + 2 * p, 0.5 + 2 * 3.2 + 40 * (p - 3.2))
    return _fields(
        integrity_test(p, q, test_pressure=2.5),
        water_permeability([0.5, 1.0, 1.5], [100.0, 200.0, 300.0], temperature=20.0),
    )


def _pulse() -> dict[str, float]:
    from bioproof.analysis.chromatography import column_efficiency

    v = np.arange(5.0, 15.0, 0.01)
    triangle = np.interp(v, [9.0, 10.0, 12.0], [0.0, 100.0, 0.0], left=0.0, right=0.0)
    return _fields(column_efficiency(v, triangle, bed_height=20.0))


def _cases() -> list[Case]:
    f_dt = (8 - 0.5) * 1e3 / _GLC
    return [
        (
            "kinetics: doubling every day",
            _KINETICS_BASIS,
            _kinetics,
            {
                "mu_exp": (LN2, 1e-9),
                "doubling_time": (24.0, 1e-9),
                "mu_exp_r2": (1.0, 1e-9),
                "exp_phase_start": (0.0, 1e-9),
                "exp_phase_end": (4.0, 1e-9),
                "mu_max_interval": (LN2, 1e-9),
                "ivcd_final": (11.25, 1e-9),
                "peak_vcd": (8.0, 1e-9),
                "peak_day": (4.0, 1e-9),
                "qp": (20.0, 1e-9),
                "qp_r2": (1.0, 1e-9),
                "final_titer": (0.225, 1e-9),
                "volumetric_productivity": (0.225 / 4, 1e-9),
                "culture_duration": (3.5, 1e-9),
                "qs_glucose": (_GLC / 11.25, 1e-9),
                "qs_glutamine": (3.0 / 11.25, 1e-9),
                "qp_lactate": (_LAC / 11.25, 1e-9),
                "qp_ammonia": (3.0 / 11.25, 1e-9),
                "yield_x_glucose": (f_dt / 1e3, 1e-9),
                "yield_p_glucose": (0.225 / 3.0, 1e-9),
                "yield_lac_glucose": (_LAC / _GLC, 1e-9),
            },
        ),
        (
            "off-gas balance, 1 L/min into 1 L, normal conditions",
            "y_O2 0.2095 → 0.19, y_CO2 0.0004 → 0.02; inert ratio 0.7901/0.79; 60/22.41397 mol/h "
            "per L/min; constant over 2 h → uptake = 2·OUR",
            _gas,
            {
                "our": (_OUR, 1e-9),
                "cer": (_CER, 1e-9),
                "rq": (_CER / _OUR, 1e-9),
                "peak_our": (_OUR, 1e-9),
                "peak_cer": (_CER, 1e-9),
                "oxygen_uptake": (2 * _OUR, 1e-9),
                "rq_cumulative": (_CER / _OUR, 1e-9),
            },
        ),
        (
            "gassing-out, exact curve",
            "C = 100 − 90·e^{−50 t}, 21 points over 0.05 h: kLa 50 /h, C* 100; noise-free so the "
            "CI collapses onto kLa",
            _kla,
            {
                "kla": (50.0, 1e-6),
                "kla_ci_low": (50.0, 1e-6),
                "kla_ci_high": (50.0, 1e-6),
                "c_star": (100.0, 1e-6),
            },
        ),
        (
            "tracer, first-order response",
            "injection at 10 s, |r − 1| = e^{−(t − 10)/4}: θ95 = 4·ln 20 = 11.983 s",
            _mixing,
            {"mixing_time": (4 * math.log(20), 1e-4)},
        ),
        (
            "power, Np 5, 120 rpm, D 0.1 m, 1 L",
            "P = 5·1000·2³·0.1⁵ = 0.4 W; P/V = 400 W/m³; tip speed π·2·0.1 = 0.62832 m/s; "
            "Re = 1000·2·0.01/0.001 = 20,000",
            _power,
            {
                "power": (0.4, 1e-9),
                "power_per_volume": (400.0, 1e-9),
                "tip_speed": (math.pi * 0.2, 1e-9),
                "reynolds": (20000.0, 1e-9),
            },
        ),
        (
            "breakthrough, erf curve first read at 4 mL",
            "C/C0 = Φ((V − 19)/3), C0 2 g/L, Vc 1 mL: DBC10 = 2·(19 − 1.28155·3) = 30.311; "
            "symmetric curve → q_sat = 2·19 = 38 g/L",
            _breakthrough,
            {
                "dbc": (2 * (19 - 1.2815515655 * 3), 1e-4),
                "saturation_capacity": (38.0, 1e-4),
            },
        ),
        (
            "step yield and mass balance",
            "load 2 g/L × 10 L = 20 g; eluate 8 × 2.25 = 18 g → 90 %; + flow-through 1 g → 95 %",
            _step_yield,
            {"step_yield": (90.0, 1e-9), "mass_balance": (95.0, 1e-9)},
        ),
        (
            "resin lifetime, linear decline",
            "DBC = 40 − 0.5·c, limit 38: first below at c = 5, line meets it at c = 4; yield "
            "= 95 − c, limit 92: first below at c = 4, line meets it at c = 3",
            _lifetime,
            {
                "dbc_slope": (-0.5, 1e-9),
                "yield_slope": (-1.0, 1e-9),
                "dbc_limit_cycle": (5.0, 1e-9),
                "dbc_limit_cycle_predicted": (4.0, 1e-9),
                "yield_limit_cycle": (4.0, 1e-9),
                "yield_limit_cycle_predicted": (3.0, 1e-9),
            },
        ),
        (
            "filtration, exact standard-blocking runs",
            "v(t) = t/(1/1000 + t/200) on 0.01 m² → Vmax 200 L/m², Qi 1000 LMH; flux first and "
            "last 0.25 h intervals; constant flow √(0.5/P) = 1 − v/200 → v(2 bar) = 100 L/m²; "
            "area 1.5·1000·(1/200 + 1/4000) = 7.875 m²; LRV log10(1e7/10) = 6",
            _filtration,
            {
                "vmax": (200.0, 1e-6),
                "qi": (1000.0, 1e-6),
                "flux_initial": (0.25 / (1 / 1000 + 0.25 / 200) / 0.25, 1e-9),
                "flux_final": (
                    (2 / (1 / 1000 + 2 / 200) - 1.75 / (1 / 1000 + 1.75 / 200)) / 0.25,
                    1e-9,
                ),
                "flux_decay": (
                    (
                        1
                        - (2 / (1 / 1000 + 2 / 200) - 1.75 / (1 / 1000 + 1.75 / 200))
                        / (0.25 / (1 / 1000 + 0.25 / 200))
                    )
                    * 100,
                    1e-9,
                ),
                "capacity_at_pmax": (100.0, 1e-6),
                "required_area": (7.875, 1e-9),
                "lrv": (6.0, 1e-9),
            },
        ),
        (
            "online control, worked example of docs/science.md §6a",
            "readings at 0, 1, 2, 4 h, in band 3 h of 4 = 75 %; IAE pH 0.1 + 0.125 + 0.05 = "
            "0.275 → MAD 0.06875; DO and temperature the same shape scaled ×100 and ×5",
            _control,
            {
                "ph_in_band": (75.0, 1e-9),
                "ph_mad": (0.06875, 1e-9),
                "do_in_band": (75.0, 1e-9),
                "do_mad": (6.875, 1e-9),
                "temperature_in_band": (75.0, 1e-9),
                "temperature_mad": (0.34375, 1e-9),
            },
        ),
        (
            "QC lot, one result out after rounding",
            "pH 7.46 rounds to 7.5 > 7.4 (USP 7.20): 1 OOS; osmolality and endotoxin conform",
            _qc,
            {"n_oos": (1.0, 0.0)},
        ),
        (
            "sensor: paired readings, step test, calibration line",
            "d = 0.01, 0.03, 0.02, 0.04, 0.05 on reference 7.0–7.4 daily: bias 0.03, s_d = "
            "√(0.001/4), LoA 0.03 ± 1.96·s_d, slope 1 + 0.009/0.1 = 1.09, drift 0.009/d; "
            "first-order step τ 10 s → t90 = 10·ln 10 = 23.03 s; calibration slope 10, "
            "residual SD √(0.04/4) = 0.1 → LOD 0.033, LOQ 0.1",
            _sensors,
            {
                "sensor_bias": (0.03, 1e-9),
                "loa_low": (0.03 - 1.96 * _SD_D, 1e-9),
                "loa_high": (0.03 + 1.96 * _SD_D, 1e-9),
                "sensor_slope": (1.09, 1e-9),
                "sensor_r2": (
                    # r² of y = x + d: Sxy²/(Sxx·Syy); Sxx 0.1, Sxy 0.109, Syy 0.119
                    0.109**2 / (0.1 * (0.1 + 2 * 0.009 + 0.001)),
                    1e-9,
                ),
                "drift": (0.009, 1e-9),
                "t90": (10 * math.log(10), 1e-4),
                "lod": (0.033, 1e-9),
                "loq": (0.1, 1e-9),
            },
        ),
        (
            "tracer pulse, triangular peak",
            "rise 9 → 10 mL, fall 10 → 12 mL: W_h = 11 − 9.5 = 1.5 mL, N = 8·ln 2·(10/1.5)² = "
            "246.45, HETP = 20 cm/N = 0.08115 cm; at 10 %: front 0.9, tail 1.8 → As = 2",
            _pulse,
            {
                "plate_count": (8 * math.log(2) * (10 / 1.5) ** 2, 1e-9),
                "hetp": (20 / (8 * math.log(2) * (10 / 1.5) ** 2), 1e-9),
                "asymmetry": (2.0, 1e-9),
            },
        ),
        (
            "filter integrity ramp and clean-water flux",
            "gas flow 0.5 + 2·P up to 3.2 bar, then + 40·(P − 3.2): lines meet at 3.2 bar; "
            "diffusion at 2.5 bar = 0.5 + 5 = 5.5 mL/min; flux 100, 200, 300 LMH at 0.5, 1, "
            "1.5 bar and 20 °C → 200 LMH/bar",
            _integrity,
            {
                "bubble_point": (3.2, 1e-9),
                "diffusion_flow": (5.5, 1e-9),
                "water_permeability": (200.0, 1e-9),
            },
        ),
        *_extra_cases(),
    ]


def _extra_cases() -> list[Case]:
    """Reference cases of KPIs added by later modules (:mod:`~bioproof.analysis.validation_cases`
    and any registered in :data:`EXTRA_CASES`)."""
    from bioproof.analysis import validation_cases

    return [*validation_cases.cases(), *EXTRA_CASES]


#: Cases other modules register (same shape as the built-in ones).
EXTRA_CASES: list[Case] = []


def validate() -> ValidationReport:
    """Run every reference case and compare each KPI with its expected value.

    A KPI passes when ``|computed − expected| ≤ tol·max(1, |expected|)`` (``tol`` per KPI; the
    exact cases use 1e-9, the ones with a discretised curve 1e-4 to 1e-6). An engine error in a
    case fails all its KPIs (computed = NaN).
    """
    rows = []
    for case, basis, run, expected in _cases():
        try:
            computed = run()
        except Exception:  # a broken engine must show as failures, not stop the table
            computed = {}
        for kpi, (value, tol) in expected.items():
            got = float(computed.get(kpi, float("nan")))
            ok = math.isfinite(got) and abs(got - value) <= tol * max(1.0, abs(value))
            unit = KPIS[kpi].unit if kpi in KPIS else ""
            rows.append(ValidationRow(kpi, unit, case, basis, float(value), got, tol, bool(ok)))
    order = {key: i for i, key in enumerate(KPIS)}
    rows.sort(key=lambda r: order.get(r.kpi, len(order)))
    failed = sum(not r.passed for r in rows)
    return ValidationReport(
        engine_version=ENGINE_VERSION,
        passed=failed == 0,
        n_passed=len(rows) - failed,
        n_failed=failed,
        rows=tuple(rows),
    )
