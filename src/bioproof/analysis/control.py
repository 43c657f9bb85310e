"""Process-control performance of online signals (pH, dissolved oxygen, temperature).

A run's online log is judged against each signal's set-point and tolerance band, time-weighted so
that an irregular logging interval does not bias the figures:

* **time in band** ``TIB = Σ Δtᵢ·[|xᵢ − x_sp| ≤ b] / Σ Δtᵢ`` [%], each reading held until the next
  (zero-order hold, the way a historian stores samples);
* **mean absolute deviation** ``MAD = IAE / (t_end − t_0)`` with the integral of the absolute
  error ``IAE = ∫ |x − x_sp| dt`` by the trapezoidal rule [signal unit].

References: Seborg, Edgar, Mellichamp & Doyle, *Process Dynamics and Control*, 4th ed. (2016),
§12.2 (integral error criteria); ISA-TR5.9 (2005) for time-in-band control-loop assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bioproof.analysis.errors import InputError
from bioproof.analysis.result import Result

#: Online signals and their KPI key prefix.
SIGNALS = ("ph", "do", "temperature")


@dataclass(frozen=True)
class ControlPerformance(Result):
    """Time in band [%] and mean absolute deviation from the set-point of one or more signals.

    Arrays are shaped as the leading axes of the input (one value per signal row).
    """

    time_in_band: np.ndarray
    mean_abs_deviation: np.ndarray
    mean: np.ndarray
    duration: float


def control_performance(
    time: np.ndarray,
    values: np.ndarray,
    setpoint: np.ndarray | float,
    band: np.ndarray | float,
) -> ControlPerformance:
    """Time in band and mean absolute deviation of ``values`` (``(n,)`` or ``(signals, n)``).

    ``time`` [h] increases strictly (``(n,)``); ``setpoint`` and ``band`` (half-width, ≥ 0)
    broadcast against the signal axis. NaN readings (a signal not logged at that time) are left
    out: their intervals count neither in nor out of band, and the IAE is taken over the readings
    present. The time-weighted ``mean`` uses the trapezoidal rule too.
    """
    t = np.asarray(time, dtype=float)
    x = np.atleast_2d(np.asarray(values, dtype=float))
    if t.ndim != 1 or t.size < 2 or x.shape[-1] != t.size:
        raise InputError("need at least 2 readings, one per time point")
    dt = np.diff(t)
    if not (dt > 0).all():
        raise InputError("times must increase strictly", column="time")
    sp = np.broadcast_to(np.asarray(setpoint, dtype=float), x.shape[:-1])[..., None]
    half = np.broadcast_to(np.asarray(band, dtype=float), x.shape[:-1])[..., None]
    if (half < 0).any():
        raise InputError("a tolerance band cannot be negative")
    present = np.isfinite(x)
    error = np.abs(x - sp)
    # zero-order hold: reading i stands for [t_i, t_{i+1})
    held = present[..., :-1]
    weight = np.where(held, dt, 0.0)
    inside = np.where(held & (error[..., :-1] <= half), dt, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tib = 100.0 * inside.sum(axis=-1) / weight.sum(axis=-1)
    # trapezoids over intervals whose two ends are present
    both = present[..., 1:] & present[..., :-1]
    e = np.where(present, error, 0.0)
    xv = np.where(present, x, 0.0)
    span = np.where(both, dt, 0.0).sum(axis=-1)
    iae = np.where(both, 0.5 * (e[..., 1:] + e[..., :-1]) * dt, 0.0).sum(axis=-1)
    area = np.where(both, 0.5 * (xv[..., 1:] + xv[..., :-1]) * dt, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mad = np.where(span > 0, iae / span, np.nan)
        mean = np.where(span > 0, area / span, np.nan)
    squeeze = np.asarray(values).ndim == 1
    return ControlPerformance(
        time_in_band=tib[0] if squeeze else tib,
        mean_abs_deviation=mad[0] if squeeze else mad,
        mean=mean[0] if squeeze else mean,
        duration=float(t[-1] - t[0]),
    )


@dataclass(frozen=True)
class OnlineControl(Result):
    """Per-signal control KPIs of one run's online log; NaN for a signal that was not logged."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = (
        "ph_in_band",
        "ph_mad",
        "do_in_band",
        "do_mad",
        "temperature_in_band",
        "temperature_mad",
    )

    ph_in_band: float
    ph_mad: float
    do_in_band: float
    do_mad: float
    temperature_in_band: float
    temperature_mad: float
    duration: float


def online_control(
    time: np.ndarray,
    signals: dict[str, np.ndarray],
    setpoints: dict[str, float],
    bands: dict[str, float],
) -> OnlineControl:
    """:func:`control_performance` of every logged signal of :data:`SIGNALS` at once.

    ``signals`` maps ``ph``, ``do`` [% air saturation], ``temperature`` [°C] to readings; at least
    one must be present. Set-points and bands are given per signal in the same units.
    """
    logged = [s for s in SIGNALS if s in signals]
    if not logged:
        raise InputError("the online log has none of pH, DO or temperature")
    t = np.asarray(time, dtype=float)
    stacked = np.vstack([np.asarray(signals[s], dtype=float) for s in logged])
    result = control_performance(
        t,
        stacked,
        np.array([setpoints[s] for s in logged]),
        np.array([bands[s] for s in logged]),
    )
    kpis = {f"{s}_in_band": np.nan for s in SIGNALS} | {f"{s}_mad": np.nan for s in SIGNALS}
    for i, s in enumerate(logged):
        kpis[f"{s}_in_band"] = float(result.time_in_band[i])
        kpis[f"{s}_mad"] = float(result.mean_abs_deviation[i])
    return OnlineControl(duration=result.duration, **kpis)
