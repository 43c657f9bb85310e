"""Bioreactor scale-up characterisation: kLa against power input and gas velocity, mixing time
against power input, and the oxygen solubility C* at the process temperature and pressure.

Units: kLa 1/h, power per volume P/V W/m³, superficial gas velocity u_g m/s, mixing time s,
temperature °C, pressure kPa (absolute), O₂ solubility mg/L and mmol/L. References: Van't Riet,
*Review of measuring methods and results in nonviscous gas-liquid mass transfer in stirred
vessels*, Ind Eng Chem Process Des Dev 18:357 (1979); Nienow, *On impeller circulation and mixing
effectiveness in the turbulent flow regime*, Chem Eng Sci 52:2557 (1997); Benson & Krause,
Limnol Oceanogr 29:620 (1984) as tabulated in APHA *Standard Methods* 4500-O and USGS OFR
2011-1161.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result
from bioproof.analysis.stats import linear_model

ArrayLike = Sequence[float] | np.ndarray

#: Molar mass of O₂ [g/mol]
O2_MOLAR_MASS = 31.998
#: O₂ mole fraction of dry air (Benson & Krause's reference gas)
AIR_O2 = 0.20946
#: Mixing-time exponent of P/V in the turbulent regime (Nienow 1997: θ ∝ ε^(−1/3))
NIENOW_EXPONENT = -1.0 / 3.0


def _exp(value: float) -> float:
    """``e^value``, +inf instead of an OverflowError (extreme data give extreme fits)."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def _positive_series(name: str, values: ArrayLike, n: int | None = None) -> np.ndarray:
    a = np.asarray(values, dtype=float)
    if a.ndim != 1 or (n is not None and a.size != n):
        raise InputError(
            N_("%(name)s must be one number per test point"), column=name, params={"name": name}
        )
    if not np.isfinite(a).all() or (a <= 0).any():
        raise InputError(
            N_("%(name)s must be positive numbers without gaps"), column=name, params={"name": name}
        )
    return a


@dataclass(frozen=True)
class KLaCorrelation(Result):
    """``kLa = a·(P/V)^b·u_g^c`` fitted by log-linear least squares: coefficients with their
    confidence intervals, the kLa predicted at the reference point [1/h] with its interval,
    C* there [mmol/L] and the oxygen transfer capacity ``kLa·C*`` [mmol/(L·h)]."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = (
        "kla_coefficient",
        "kla_pv_exponent",
        "kla_ug_exponent",
        "kla_predicted",
        "otr_max",
    )

    kla_coefficient: float
    kla_coefficient_ci_low: float
    kla_coefficient_ci_high: float
    kla_pv_exponent: float
    kla_pv_exponent_ci_low: float
    kla_pv_exponent_ci_high: float
    kla_ug_exponent: float
    kla_ug_exponent_ci_low: float
    kla_ug_exponent_ci_high: float
    kla_predicted: float
    kla_predicted_ci_low: float
    kla_predicted_ci_high: float
    otr_max: float
    reference_power_per_volume: float
    reference_gas_velocity: float
    r2: float
    n: int
    confidence: float
    caveats: tuple[str, ...]


def kla_correlation(
    power_per_volume: ArrayLike,
    gas_velocity: ArrayLike,
    kla: ArrayLike,
    *,
    reference_power_per_volume: float,
    reference_gas_velocity: float,
    c_star: float | None = None,
    confidence: float = 0.95,
) -> KLaCorrelation:
    """Van't Riet (1979) correlation ``kLa = a·(P/V)^b·u_g^c``.

    Fitted as ``ln kLa = ln a + b·ln(P/V) + c·ln u_g`` by ordinary least squares; the
    ``confidence`` intervals are ``β ± t_{n−3}·se`` (for ``a``: ``exp`` of the interval of
    ``ln a``). The kLa at the reference point (P/V_ref, u_g,ref) is ``exp(x_refᵀβ)`` with the
    interval of the fitted mean, ``exp(x_refᵀβ ± t·√(x_refᵀ·Cov·x_ref))``; comparing vessels
    there is fairer than comparing ``a`` (whose unit depends on b and c). With ``c_star``
    [mmol/L], ``otr_max = kLa_ref·C*`` [mmol/(L·h)]. If every point has the same u_g, only
    ``kLa = a·(P/V)^b`` is fitted (c is NaN). Units: P/V W/m³, u_g m/s, kLa 1/h; better:
    higher kLa. Van't Riet gives b ≈ 0.4, c ≈ 0.5 (coalescing water, a = 0.026 with kLa in
    1/s).
    """
    kla_v = _positive_series("kLa", kla)
    pv = _positive_series("P/V", power_per_volume, kla_v.size)
    ug = _positive_series("gas velocity", gas_velocity, kla_v.size)
    if not (reference_power_per_volume > 0 and reference_gas_velocity > 0):
        raise InputError("the reference P/V and gas velocity must be positive")
    if not 0 < confidence < 1:
        raise InputError("the confidence level must lie between 0 and 1")
    lpv, lug, y = np.log(pv), np.log(ug), np.log(kla_v)
    with_ug = np.ptp(lug) > 1e-9
    if np.ptp(lpv) <= 1e-9:
        raise InputError("P/V must vary between the test points to fit its exponent")
    columns = [np.ones_like(y), lpv] + ([lug] if with_ug else [])
    p = len(columns)
    if y.size <= p:
        raise InputError(
            N_("needs at least %(points)s test points to fit %(parameters)s parameters"),
            params={"points": p + 1, "parameters": p},
        )
    model = linear_model(np.column_stack(columns), y)
    low, high = model.ci(confidence)
    x_ref = [1.0, math.log(reference_power_per_volume)]
    if with_ug:
        x_ref.append(math.log(reference_gas_velocity))
    mean, mean_low, mean_high = model.prediction_ci(np.array(x_ref), confidence)
    notes = []
    if not with_ug:
        notes.append("one gas velocity only: kLa = a·(P/V)^b fitted, u_g exponent not defined")
    if y.size - p < 3:
        notes.append(f"only {y.size - p} degrees of freedom: wide confidence intervals")
    if model.r2 < 0.95:
        notes.append(f"the power law fits poorly (R² = {model.r2:.3f})")
    inside = lambda value, series: series.min() <= math.log(value) <= series.max()  # noqa: E731
    if not inside(reference_power_per_volume, lpv) or (
        with_ug and not inside(reference_gas_velocity, lug)
    ):
        notes.append("the reference point lies outside the tested range: extrapolated")
    nan = float("nan")
    kla_ref = _exp(mean)
    return KLaCorrelation(
        kla_coefficient=_exp(model.coef[0]),
        kla_coefficient_ci_low=_exp(low[0]),
        kla_coefficient_ci_high=_exp(high[0]),
        kla_pv_exponent=float(model.coef[1]),
        kla_pv_exponent_ci_low=float(low[1]),
        kla_pv_exponent_ci_high=float(high[1]),
        kla_ug_exponent=float(model.coef[2]) if with_ug else nan,
        kla_ug_exponent_ci_low=float(low[2]) if with_ug else nan,
        kla_ug_exponent_ci_high=float(high[2]) if with_ug else nan,
        kla_predicted=kla_ref,
        kla_predicted_ci_low=_exp(mean_low),
        kla_predicted_ci_high=_exp(mean_high),
        otr_max=kla_ref * c_star if c_star is not None else nan,
        reference_power_per_volume=float(reference_power_per_volume),
        reference_gas_velocity=float(reference_gas_velocity),
        r2=float(model.r2),
        n=int(y.size),
        confidence=float(confidence),
        caveats=tuple(notes),
    )


@dataclass(frozen=True)
class MixingCorrelation(Result):
    """``θ_m = k·(P/V)^m`` fitted by log-linear least squares: k [s·(W/m³)^−m] and m with
    confidence intervals, and θ_m predicted at the reference P/V [s] with its interval."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("mixing_exponent", "mixing_time_predicted")

    mixing_coefficient: float
    mixing_coefficient_ci_low: float
    mixing_coefficient_ci_high: float
    mixing_exponent: float
    mixing_exponent_ci_low: float
    mixing_exponent_ci_high: float
    exponent_fixed: bool
    mixing_time_predicted: float
    mixing_time_predicted_ci_low: float
    mixing_time_predicted_ci_high: float
    reference_power_per_volume: float
    r2: float
    n: int
    confidence: float
    caveats: tuple[str, ...]


def mixing_correlation(
    power_per_volume: ArrayLike,
    mixing_time: ArrayLike,
    *,
    reference_power_per_volume: float,
    exponent: float | None = None,
    confidence: float = 0.95,
) -> MixingCorrelation:
    """Mixing time against specific power, ``θ_m = k·(P/V)^m``.

    ``ln θ = ln k + m·ln(P/V)`` by least squares with ``t_{n−2}`` intervals; with ``exponent``
    given (e.g. −1/3, Nienow 1997 for the turbulent regime, θ ∝ ε^(−1/3)), only ``k`` is
    fitted, ``ln k = mean(ln θ − m·ln(P/V))`` with a ``t_{n−1}`` interval. θ_m at the reference
    P/V is the fitted mean with its interval. Units: P/V W/m³, θ s; better: lower θ. A free
    exponent whose interval excludes −1/3 is flagged (transitional flow, or a geometry effect).
    """
    theta = _positive_series("mixing time", mixing_time)
    pv = _positive_series("P/V", power_per_volume, theta.size)
    if not reference_power_per_volume > 0:
        raise InputError("the reference P/V must be positive")
    if not 0 < confidence < 1:
        raise InputError("the confidence level must lie between 0 and 1")
    x, y = np.log(pv), np.log(theta)
    notes = []
    x_ref = math.log(reference_power_per_volume)
    if exponent is None:
        if np.ptp(x) <= 1e-9:
            raise InputError("P/V must vary between the test points to fit its exponent")
        if y.size < 3:
            raise InputError("needs at least 3 test points to fit k and the exponent")
        model = linear_model(np.column_stack([np.ones_like(x), x]), y)
        low, high = model.ci(confidence)
        mean, mlow, mhigh = model.prediction_ci(np.array([1.0, x_ref]), confidence)
        m, m_low, m_high = float(model.coef[1]), float(low[1]), float(high[1])
        ln_k, ln_k_low, ln_k_high = float(model.coef[0]), float(low[0]), float(high[0])
        r2 = model.r2
        if np.isfinite(m_low) and not m_low <= NIENOW_EXPONENT <= m_high:
            notes.append(
                f"the exponent {m:.3f} (CI {m_low:.3f} to {m_high:.3f}) excludes −1/3: not the "
                f"turbulent-regime scaling (Nienow 1997)"
            )
    else:
        if y.size < 2:
            raise InputError("needs at least 2 test points to fit k")
        model = linear_model(np.ones((y.size, 1)), y - exponent * x)
        low, high = model.ci(confidence)
        ln_k, ln_k_low, ln_k_high = float(model.coef[0]), float(low[0]), float(high[0])
        m = m_low = m_high = float(exponent)
        mean = ln_k + m * x_ref
        mlow, mhigh = ln_k_low + m * x_ref, ln_k_high + m * x_ref
        fitted = ln_k + m * x
        sst = float(((y - y.mean()) ** 2).sum())
        r2 = 1 - float(((y - fitted) ** 2).sum()) / sst if sst > 0 else 1.0
    if r2 < 0.9:
        notes.append(f"the power law fits poorly (R² = {r2:.3f})")
    if not x.min() <= x_ref <= x.max():
        notes.append("the reference P/V lies outside the tested range: extrapolated")
    return MixingCorrelation(
        mixing_coefficient=_exp(ln_k),
        mixing_coefficient_ci_low=_exp(ln_k_low),
        mixing_coefficient_ci_high=_exp(ln_k_high),
        mixing_exponent=m,
        mixing_exponent_ci_low=m_low,
        mixing_exponent_ci_high=m_high,
        exponent_fixed=exponent is not None,
        mixing_time_predicted=_exp(mean),
        mixing_time_predicted_ci_low=_exp(mlow),
        mixing_time_predicted_ci_high=_exp(mhigh),
        reference_power_per_volume=float(reference_power_per_volume),
        r2=float(r2),
        n=int(y.size),
        confidence=float(confidence),
        caveats=tuple(notes),
    )


@dataclass(frozen=True)
class OxygenSolubility(Result):
    """O₂ solubility C* [mg/L and mmol/L] at the given temperature, total pressure, O₂ mole
    fraction of the gas and salinity (arrays when the temperature is an array)."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("o2_solubility",)

    o2_solubility: Any
    o2_solubility_mmol: Any
    temperature: Any
    pressure: float
    o2_fraction: float
    salinity: float
    caveats: tuple[str, ...]


def oxygen_solubility(
    temperature: float | ArrayLike,
    *,
    pressure: float = 101.325,
    o2_fraction: float = AIR_O2,
    salinity: float = 0.0,
) -> OxygenSolubility:
    """Equilibrium dissolved O₂ ``C*`` in water under a gas of O₂ mole fraction ``o2_fraction``
    (dry basis) at total pressure ``pressure`` [kPa, absolute] and ``temperature`` [°C].

    Benson & Krause (1984), APHA 4500-O: with T in K,
    ``ln C*₀ = −139.34411 + 1.575701e5/T − 6.642308e7/T² + 1.243800e10/T³ − 8.621949e11/T⁴``
    [mg/L, air, 1 atm]; salting-out by salinity S [g/kg]
    ``ln C*_S = ln C*₀ − S·(1.7674e−2 − 10.754/T + 2140.7/T²)``; pressure P [atm]
    ``C*_P = C*·P·(1 − p_w/P)(1 − θP) / ((1 − p_w)(1 − θ))`` with the water vapour pressure
    ``ln p_w = 11.8571 − 3840.70/T − 216961/T²`` [atm] and
    ``θ = 0.000975 − 1.426e−5·t + 6.436e−8·t²`` (t in °C); then scaled by ``y_O2/0.20946``
    (Henry's law). Published: 14.621 mg/L at 0 °C, 9.092 at 20 °C, 7.559 at 30 °C. Valid
    0–40 °C, 0.5–1.1 atm for the tabulated form (the pressure factor extends to a few bar
    with < 1 % error); the salinity term is for seawater — a culture medium of ~300 mOsm/kg is
    roughly S ≈ 9 g/kg (NaCl equivalent, C* −5 %); for media rich in other solutes use the
    Schumpe model (Weisenberger & Schumpe, AIChE J 42:298 (1996)).
    """
    t_c = np.asarray(temperature, dtype=float)
    if not np.isfinite(t_c).all() or (t_c < 0).any() or (t_c > 60).any():
        raise InputError("temperature must be between 0 and 60 °C")
    if not pressure > 0 or not 0 < o2_fraction <= 1 or not 0 <= salinity <= 45:
        raise InputError(
            "pressure must be positive, the O2 fraction in (0, 1] and salinity 0–45 g/kg"
        )
    t_k = t_c + 273.15
    ln_c = (
        -139.34411
        + 1.575701e5 / t_k
        - 6.642308e7 / t_k**2
        + 1.243800e10 / t_k**3
        - 8.621949e11 / t_k**4
    )
    ln_c -= salinity * (1.7674e-2 - 1.0754e1 / t_k + 2.1407e3 / t_k**2)
    p_atm = pressure / 101.325
    p_w = np.exp(11.8571 - 3840.70 / t_k - 216961 / t_k**2)
    theta = 0.000975 - 1.426e-5 * t_c + 6.436e-8 * t_c**2
    factor = p_atm * (1 - p_w / p_atm) * (1 - theta * p_atm) / ((1 - p_w) * (1 - theta))
    c_mg = np.exp(ln_c) * factor * o2_fraction / AIR_O2
    notes = []
    if (t_c > 40).any():
        notes.append("above 40 °C: outside the fitted range of Benson & Krause")
    if not 50 <= pressure <= 500:
        notes.append("pressure outside 0.5–5 bar: the pressure correction is extrapolated")
    scalar = c_mg.ndim == 0
    out = (lambda a: float(a)) if scalar else (lambda a: a)
    return OxygenSolubility(
        o2_solubility=out(c_mg),
        o2_solubility_mmol=out(c_mg / O2_MOLAR_MASS),
        temperature=out(t_c),
        pressure=float(pressure),
        o2_fraction=float(o2_fraction),
        salinity=float(salinity),
        caveats=tuple(notes),
    )


def read_kla_correlation(source: object, *, filename: str) -> Any:
    """kLa test points: ``power_per_volume`` [W/m³], ``gas_velocity`` [m/s], ``kla`` [1/h]."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = (
        ColumnSpec(
            "power_per_volume",
            "W/m**3",
            ("p/v", "pv", "powerpervolume", "specificpower", "powerinput"),
            "W/m^3, kW/m^3",
            low=0.0,
        ),
        ColumnSpec(
            "gas_velocity",
            "m/s",
            ("ug", "u_g", "gasvelocity", "superficialgasvelocity", "vs"),
            "m/s, mm/s",
            low=0.0,
        ),
        ColumnSpec("kla", "1/h", ("kla", "kl·a", "kla1/h"), "1/h, 1/s", low=0.0),
    )
    return io.read_table(source, filename=filename, columns=columns, min_rows=4)  # type: ignore[arg-type]


def read_mixing_correlation(source: object, *, filename: str) -> Any:
    """Mixing test points: ``power_per_volume`` [W/m³] and ``mixing_time`` [s]."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = (
        ColumnSpec(
            "power_per_volume",
            "W/m**3",
            ("p/v", "pv", "powerpervolume", "specificpower", "powerinput"),
            "W/m^3, kW/m^3",
            low=0.0,
        ),
        ColumnSpec(
            "mixing_time", "s", ("mixingtime", "theta", "θm", "tm", "t95"), "s, min", low=0.0
        ),
    )
    return io.read_table(source, filename=filename, columns=columns, min_rows=3)  # type: ignore[arg-type]
