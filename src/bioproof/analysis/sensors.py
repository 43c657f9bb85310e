"""Sensors: agreement with a reference method (bias, Bland–Altman limits, linearity, drift),
step response time (t90) and detection limits (LOD/LOQ).

Units: time h (canonical; t90 reported in s, drift per day), readings in any one unit shared
by sensor and reference (pH, % air saturation, g/L …). References: Bland & Altman, Lancet
327:307 (1986) and Stat Methods Med Res 8:135 (1999); CLSI EP09c (method comparison) and EP06
(linearity); IEC 60746-1 (response time of analysers); ICH Q2(R2) (2023) §4 for LOD/LOQ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy import special

from bioproof.analysis import io
from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result
from bioproof.analysis.stats import line_fit
from bioproof.analysis.units import ColumnSpec

ArrayLike = Sequence[float] | np.ndarray
S_PER_H = 3600.0
H_PER_D = 24.0


_SAME = "one unit shared by both columns (e.g. pH, %, g/L)"
#: Paired readings of one run: time, reference method, sensor under test (same unit, as given).
AGREEMENT_COLUMNS = (
    io.KLA_COLUMNS[0],
    ColumnSpec(
        "reference",
        "",
        ("reference", "ref", "referencemethod", "offline", "analyser", "analyzer"),
        _SAME,
        unitless=True,
    ),
    ColumnSpec(
        "sensor", "", ("sensor", "candidate", "online", "probe", "reading"), _SAME, unitless=True
    ),
)
#: Calibration standards: nominal concentration and instrument response (units as given).
CALIBRATION_COLUMNS = (
    ColumnSpec(
        "concentration",
        "",
        ("concentration", "conc", "standard", "amount", "nominal"),
        "any one unit, e.g. g/L, mg/L",
        low=0.0,
    ),
    ColumnSpec(
        "response",
        "",
        ("response", "signal", "area", "peakarea", "absorbance"),
        "any one unit, e.g. mAU, counts",
        unitless=True,
    ),
)


def read_agreement(source: io.Source, *, filename: str) -> Any:
    """Paired readings: ``time`` [h], ``reference`` and ``sensor`` (same unit, kept as given)."""
    return io.read_table(
        source, filename=filename, columns=AGREEMENT_COLUMNS, increasing="time", min_rows=3
    )


def read_calibration(source: io.Source, *, filename: str) -> Any:
    """Calibration standards: ``concentration`` and ``response`` (units kept as given)."""
    return io.read_table(source, filename=filename, columns=CALIBRATION_COLUMNS, min_rows=5)


def _ols(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """(slope, intercept, R², SE of the slope) of one least-squares line (Draper & Smith ch. 1);
    plain NumPy on 1-D data (:func:`~bioproof.analysis.stats.line_fit` is the batched form)."""
    dx, dy = x - x.mean(), y - y.mean()
    sxx, sxy, syy = float(dx @ dx), float(dx @ dy), float(dy @ dy)
    if sxx == 0:
        return float("nan"), float("nan"), float("nan"), float("nan")
    slope = sxy / sxx
    sse = max(syy - slope * sxy, 0.0)
    r2 = 1.0 - sse / syy if syy > 0 else 1.0
    se = float(np.sqrt(sse / (x.size - 2) / sxx)) if x.size > 2 else float("nan")
    return slope, float(y.mean() - slope * x.mean()), r2, se


def _paired(a: ArrayLike, b: ArrayLike, names: tuple[str, str], minimum: int) -> tuple:
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise InputError(
            N_("%(first)s and %(second)s must be equally long series"),
            params={"first": names[0], "second": names[1]},
        )
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError(
            N_("%(first)s and %(second)s must not contain gaps"),
            params={"first": names[0], "second": names[1]},
        )
    if x.size < minimum:
        raise InputError(
            N_("needs at least %(minimum)s paired readings, found %(count)s"),
            params={"minimum": minimum, "count": x.size},
        )
    return x, y


@dataclass(frozen=True)
class SensorAgreement(Result):
    """Agreement of a sensor with the reference method, in the readings' unit.

    ``sensor_bias`` = mean difference (sensor − reference); ``loa_low``/``loa_high`` the 95 %
    Bland–Altman limits of agreement; ``sensor_slope``/``sensor_intercept``/``sensor_r2`` the
    least-squares line sensor = a + b·reference; ``drift`` the slope of the difference against
    time [unit per day].
    """

    KPI_FIELDS: ClassVar[tuple[str, ...]] = (
        "sensor_bias",
        "loa_low",
        "loa_high",
        "sensor_slope",
        "sensor_r2",
        "drift",
    )

    sensor_bias: float
    sd_difference: float
    loa_low: float
    loa_high: float
    bias_ci_low: float
    bias_ci_high: float
    sensor_slope: float
    sensor_intercept: float
    sensor_r2: float
    drift: float
    n: int
    caveats: tuple[str, ...]


def sensor_agreement(
    time: ArrayLike | None, reference: ArrayLike, sensor: ArrayLike
) -> SensorAgreement:
    """Bias, limits of agreement, linearity and drift of paired sensor and reference readings.

    ``dᵢ = sensorᵢ − referenceᵢ``; bias ``d̄`` with its 95 % CI ``d̄ ± t_{0.975,n−1}·s_d/√n``;
    limits of agreement ``d̄ ± 1.96·s_d`` (Bland & Altman 1986); linearity by least squares of
    sensor on reference (CLSI EP06: slope 1 and intercept 0 for a linear, unbiased sensor);
    drift = least-squares slope of ``d`` against ``time`` [h] × 24 → unit per day (NaN without
    times). Needs at least 3 pairs.
    """
    ref, sen = _paired(reference, sensor, ("reference", "sensor"), 3)
    d = sen - ref
    n = d.size
    bias, sd = float(d.mean()), float(d.std(ddof=1))
    half = float(special.stdtrit(n - 1, 0.975)) * sd / np.sqrt(n)  # t_{0.975, n−1}
    slope, intercept, r2, _ = _ols(ref, sen)
    notes = []
    drift = float("nan")
    if time is not None:
        t, _ = _paired(time, ref, ("time", "reference"), 3)
        if not (np.diff(t) > 0).all():
            raise InputError("times out of order; times must increase strictly", column="time")
        drift = _ols(t, d)[0] * H_PER_D
    if np.ptp(ref) == 0:
        notes.append("the reference does not vary: linearity is not assessed")
    elif r2 < 0.95:
        notes.append(f"sensor vs reference is not linear (R² = {r2:.3f})")
    if n < 10:
        notes.append(f"only {n} pairs: the limits of agreement are imprecise (≥ 10 advised)")
    if n >= 3 and np.ptp(d) > 0:
        # proportional bias: the difference grows with the level (Bland & Altman 1999, §3)
        trend, _, _, se_trend = _ols((ref + sen) / 2, d)
        if se_trend > 0 and abs(trend) > 3 * se_trend:
            notes.append("the difference changes with the level (proportional bias)")
    return SensorAgreement(
        sensor_bias=bias,
        sd_difference=sd,
        loa_low=bias - 1.96 * sd,
        loa_high=bias + 1.96 * sd,
        bias_ci_low=bias - half,
        bias_ci_high=bias + half,
        sensor_slope=slope,
        sensor_intercept=intercept,
        sensor_r2=r2,
        drift=drift,
        n=int(n),
        caveats=tuple(notes),
    )


@dataclass(frozen=True)
class ResponseTime(Result):
    """Time [s] after the step until the reading covers ``level`` of the change (t90 for 0.9),
    with the initial and final values used."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("t90",)

    t90: float
    level: float
    initial: float
    final: float
    caveats: tuple[str, ...]


def response_time(
    time: ArrayLike,
    signal: ArrayLike,
    *,
    step_time: float,
    level: float = 0.9,
    final_fraction: float = 0.1,
) -> ResponseTime:
    """Step response time (IEC 60746-1): with ``y₀`` the mean reading before the step at
    ``step_time`` [h] (else the first reading) and ``y∞`` the mean of the last
    ``final_fraction`` of readings, ``t_x`` is the time after the step at which
    ``(y − y₀)/(y∞ − y₀)`` first reaches ``level`` (linear interpolation). Result in s.
    """
    t, y = _paired(time, signal, ("time", "signal"), 5)
    if not (np.diff(t) > 0).all():
        raise InputError("times out of order; times must increase strictly", column="time")
    if not 0 < level < 1:
        raise InputError("the response level must lie between 0 and 1 (0.9 for t90)")
    before = t < step_time
    y0 = float(y[before].mean()) if before.any() else float(y[0])
    tail = max(3, round(final_fraction * t.size))
    y_end = float(y[-tail:].mean())
    if y_end == y0:
        raise InputError("the signal has no step (final value equals the initial value)")
    r = (y - y0) / (y_end - y0)
    after = t >= step_time
    hit = np.flatnonzero(after & (r >= level))
    notes = []
    if hit.size == 0:
        return ResponseTime(
            float("nan"), level, y0, y_end, ("the signal never reaches the level after the step",)
        )
    k = int(hit[0])
    if k == 0 or not after[k - 1]:
        when = t[k]
        notes.append(
            "the level is reached at the first reading after the step: t90 is an upper bound"
        )
    else:
        when = t[k - 1] + (level - r[k - 1]) / (r[k] - r[k - 1]) * (t[k] - t[k - 1])
    noise = float(np.std(y[-tail:]) / abs(y_end - y0))
    if noise > (1 - level) / 2:
        notes.append(f"the final plateau is noisy ({noise:.1%} of the step): t90 is uncertain")
    return ResponseTime(float((when - step_time) * S_PER_H), float(level), y0, y_end, tuple(notes))


@dataclass(frozen=True)
class DetectionLimits(Result):
    """LOD and LOQ [concentration unit] from a calibration line, with its slope and residual
    SD."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("lod", "loq")

    lod: float
    loq: float
    slope: float
    intercept: float
    residual_sd: float
    r2: float
    n: int
    caveats: tuple[str, ...]


def detection_limits(concentration: ArrayLike, response: ArrayLike) -> DetectionLimits:
    """``LOD = 3.3·σ/S`` and ``LOQ = 10·σ/S`` with ``S`` the slope of the calibration line
    response = a + S·concentration and ``σ`` its residual SD (ICH Q2(R2) 2023, §4.3–4.4 "based
    on the standard deviation of the response and the slope"). Needs 5 or more standards."""
    c, y = _paired(concentration, response, ("concentration", "response"), 5)
    fit = line_fit(c, y)
    slope, sd = float(fit.slope), float(fit.residual_sd)
    if not np.isfinite(slope) or slope == 0:
        raise InputError("the response does not change with concentration: no calibration line")
    notes = []
    if float(fit.r2) < 0.99:
        notes.append(f"the calibration line fits poorly (R² = {float(fit.r2):.3f})")
    lod = 3.3 * sd / abs(slope)
    if lod > np.min(c[c > 0], initial=np.inf) * 10:
        notes.append("the LOD lies far above the lowest standard: recheck the calibration range")
    return DetectionLimits(
        lod=lod,
        loq=10 * sd / abs(slope),
        slope=slope,
        intercept=float(fit.intercept),
        residual_sd=sd,
        r2=float(fit.r2),
        n=int(c.size),
        caveats=tuple(notes),
    )
