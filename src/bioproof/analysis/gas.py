"""Gas transfer and mixing: OUR, CER, RQ and their run summary; kLa by dynamic gassing-out;
mixing time; P/V.

Time inputs are in h (canonical); kLa is reported in 1/h, mixing time in s. The kLa fitter is
batched: :func:`fit_kla_batch` fits thousands of curves at once (grid search on kLa with the two
linear parameters solved in closed form, then Levenberg–Marquardt on all three), and
:func:`fit_kla` calls it with one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import integrate, stats

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result

S_PER_H = 3600.0
#: Gas constant [L·kPa/(mol·K)] (CODATA 2018).
GAS_CONSTANT = 8.314462618
#: Molar volume of an ideal gas at 0 °C and 101.325 kPa [L/mol] (normal litres), 22.41397.
MOLAR_VOLUME_NORMAL = GAS_CONSTANT * 273.15 / 101.325


def reference_molar_volume(temperature: float, pressure: float = 101.325) -> float:
    """Ideal-gas molar volume ``V_m = R·T/p`` [L/mol] at the flow meter's reference conditions.

    ``temperature`` in °C, ``pressure`` in kPa. 0 °C/101.325 kPa ("normal", DIN 1343) gives
    22.414 L/mol; 20 °C/101.325 kPa (the "standard" of many mass flow meters) 24.055 L/mol; 25 °C
    24.465 L/mol. A flow in standard litres at 20 °C read as normal litres overstates the molar
    flow — and OUR and CER — by 293.15/273.15 − 1 = 7.3 % (Doran 2013, §2.5; ISO 14511).
    """
    if not temperature > -273.15 or not pressure > 0:
        raise InputError(
            N_("gas reference conditions %(temperature)s °C, %(pressure)s kPa are not physical"),
            params={"temperature": f"{temperature:g}", "pressure": f"{pressure:g}"},
        )
    return GAS_CONSTANT * (float(temperature) + 273.15) / float(pressure)


@dataclass(frozen=True)
class GasBalance(Result):
    """OUR and CER [mmol/(L·h)], RQ [mol/mol] and outlet gas flow [L/min], shaped as the input."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("our", "cer", "rq")

    our: np.ndarray
    cer: np.ndarray
    rq: np.ndarray
    gas_flow_out: np.ndarray


def gas_balance(
    gas_flow: np.ndarray | float,
    volume: np.ndarray | float,
    o2_in: np.ndarray | float,
    co2_in: np.ndarray | float,
    o2_out: np.ndarray | float,
    co2_out: np.ndarray | float,
    *,
    molar_volume: float = MOLAR_VOLUME_NORMAL,
) -> GasBalance:
    """OUR, CER and RQ from inlet and dry off-gas composition by the inert-gas balance.

    Inert fractions ``y_I = 1 − y_O2 − y_CO2``; outlet flow ``F_out = F_in · y_I,in / y_I,out``;
    ``OUR = F_in/(V_m·V) · (y_O2,in − y_O2,out · y_I,in/y_I,out)``,
    ``CER = F_in/(V_m·V) · (y_CO2,out · y_I,in/y_I,out − y_CO2,in)``, ``RQ = CER/OUR``
    (Doran 2013, §10.10; Garcia-Ochoa et al., Biotechnol Adv 28:49, 2010).
    Units: ``gas_flow`` inlet flow [L/min at 0 °C, 1 atm; ``molar_volume`` in L/mol for other
    reference conditions], ``volume`` broth [L], fractions as mole fractions (0–1). Results in
    mmol/(L·h); arrays broadcast (e.g. ``(runs, hours)``).
    """
    arrays = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (gas_flow, volume, o2_in, co2_in, o2_out, co2_out))
    )
    flow, vol, o2i, co2i, o2o, co2o = arrays
    for name, arr in (("O2 in", o2i), ("CO2 in", co2i), ("O2 out", o2o), ("CO2 out", co2o)):
        if ((arr < 0) | (arr > 1)).any():
            raise InputError(
                N_("%(name)s must be a mole fraction between 0 and 1"),
                column=name,
                params={"name": name},
            )
    if (vol <= 0).any() or (flow < 0).any():
        raise InputError("volume must be positive and the gas flow not negative")
    inert_in = 1.0 - o2i - co2i
    inert_out = 1.0 - o2o - co2o
    if (inert_out <= 0).any():
        raise InputError("O2 + CO2 in the off-gas leave no inert gas", column="O2 out")
    ratio = inert_in / inert_out
    scale = flow * 60.0 / molar_volume / vol * 1e3  # mmol/(L·h) per unit mole fraction
    our = scale * (o2i - o2o * ratio)
    cer = scale * (co2o * ratio - co2i)
    with np.errstate(divide="ignore", invalid="ignore"):
        rq = np.where(our != 0, cer / our, np.nan)
    return GasBalance(our=our, cer=cer, rq=rq, gas_flow_out=flow * ratio)


@dataclass(frozen=True)
class RespirationSummary(Result):
    """Respiration figures of one run's off-gas log.

    ``peak_our``/``peak_cer`` [mmol/(L·h)] and ``peak_our_time`` [h]; ``oxygen_uptake`` and
    ``co2_evolution`` [mmol/L] are the time integrals; ``rq_cumulative`` [mol/mol] their ratio.
    """

    KPI_FIELDS: ClassVar[tuple[str, ...]] = (
        "peak_our",
        "peak_cer",
        "oxygen_uptake",
        "rq_cumulative",
    )

    peak_our: float
    peak_our_time: float
    peak_cer: float
    oxygen_uptake: float
    co2_evolution: float
    rq_cumulative: float
    our: np.ndarray
    cer: np.ndarray


def respiration_summary(
    time: np.ndarray,
    gas_flow: np.ndarray | float,
    volume: np.ndarray | float,
    o2_in: np.ndarray | float,
    co2_in: np.ndarray | float,
    o2_out: np.ndarray | float,
    co2_out: np.ndarray | float,
    *,
    molar_volume: float = MOLAR_VOLUME_NORMAL,
) -> RespirationSummary:
    """OUR and CER over a run (:func:`gas_balance`), their peaks and time integrals.

    ``oxygen_uptake = ∫ OUR dt`` and ``co2_evolution = ∫ CER dt`` by the trapezoidal rule
    [mmol/L]; the cumulative respiratory quotient ``RQ_cum = ∫CER dt / ∫OUR dt`` is robust to the
    noise of the point-wise ratio at low OUR (Doran 2013, §10.10; Royce & Thornhill, AIChE J
    37:1680, 1991). ``time`` [h] must increase strictly; the other inputs as for
    :func:`gas_balance`.
    """
    t = np.asarray(time, dtype=float)
    if t.ndim != 1 or t.size < 2:
        raise InputError("an off-gas log needs at least 2 readings")
    if not (np.diff(t) > 0).all():
        raise InputError("times must increase strictly", column="time")
    balance = gas_balance(
        *np.broadcast_arrays(
            *(
                np.asarray(a, dtype=float)
                for a in (gas_flow, volume, o2_in, co2_in, o2_out, co2_out)
            ),
            t,
        )[:6],
        molar_volume=molar_volume,
    )
    our, cer = balance.our, balance.cer
    o2 = float(integrate.trapezoid(our, t))
    co2 = float(integrate.trapezoid(cer, t))
    peak = int(np.argmax(our))
    return RespirationSummary(
        peak_our=float(our[peak]),
        peak_our_time=float(t[peak]),
        peak_cer=float(cer.max()),
        oxygen_uptake=o2,
        co2_evolution=co2,
        rq_cumulative=co2 / o2 if o2 > 0 else float("nan"),
        our=our,
        cer=cer,
    )


_KLA_KPIS = ("kla", "kla_ci_low", "kla_ci_high", "c_star")


@dataclass(frozen=True)
class KLaFit(Result):
    """kLa of one gassing-out curve.

    kla, kla_ci_low, kla_ci_high, kla_se [1/h]; c_star, c0 and rmse in the DO unit given;
    r2 [-]; n points; probe_tau [s] used; converged; caveats.
    """

    KPI_FIELDS: ClassVar[tuple[str, ...]] = _KLA_KPIS

    kla: float
    kla_ci_low: float
    kla_ci_high: float
    kla_se: float
    c_star: float
    c0: float
    r2: float
    rmse: float
    n: int
    confidence: float
    probe_tau: float
    converged: bool
    skipped: int
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class KLaBatch(Result):
    """:class:`KLaFit` fields as arrays shaped ``(curves,)``; ``row(i)`` gives one curve."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = _KLA_KPIS

    kla: np.ndarray
    kla_ci_low: np.ndarray
    kla_ci_high: np.ndarray
    kla_se: np.ndarray
    c_star: np.ndarray
    c0: np.ndarray
    r2: np.ndarray
    rmse: np.ndarray
    n: np.ndarray
    confidence: float
    probe_tau: np.ndarray
    converged: np.ndarray
    reached: np.ndarray
    skipped: np.ndarray

    def __len__(self) -> int:
        return int(self.kla.shape[0])

    def row(self, i: int) -> KLaFit:
        """The fit of curve ``i`` with its caveats."""
        notes = []
        kla, tau = float(self.kla[i]), float(self.probe_tau[i])
        if self.skipped[i]:
            notes.append(
                f"the first {int(self.skipped[i])} readings (deoxygenated, before re-aeration "
                f"began) are left out of the fit"
            )
        if not self.converged[i]:
            notes.append("the fit did not converge: kLa is unreliable")
        if self.n[i] < 8:
            notes.append(f"only {int(self.n[i])} points: the confidence interval is wide")
        if self.reached[i] < 0.8:
            notes.append(
                f"the curve reaches only {self.reached[i]:.0%} of the rise to saturation: "
                f"C* is extrapolated"
            )
        lag = kla * tau / S_PER_H
        if tau == 0:
            notes.append("no probe-lag correction: valid when the probe time constant ≪ 1/kLa")
        elif lag > 0.5:
            notes.append(
                f"kLa·τp = {lag:.2f}: the probe is too slow for this kLa (Van't Riet 1979 asks "
                f"τp < 1/kLa); the corrected value is uncertain"
            )
        if np.isfinite(self.r2[i]) and self.r2[i] < 0.98:
            notes.append(f"the model fits poorly (R² = {self.r2[i]:.3f})")
        return KLaFit(
            kla=kla,
            kla_ci_low=float(self.kla_ci_low[i]),
            kla_ci_high=float(self.kla_ci_high[i]),
            kla_se=float(self.kla_se[i]),
            c_star=float(self.c_star[i]),
            c0=float(self.c0[i]),
            r2=float(self.r2[i]),
            rmse=float(self.rmse[i]),
            n=int(self.n[i]),
            confidence=self.confidence,
            probe_tau=tau,
            converged=bool(self.converged[i]),
            skipped=int(self.skipped[i]),
            caveats=tuple(notes),
        )


def _response(
    t: np.ndarray, k: np.ndarray, tau: np.ndarray, ett: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Normalised probe response ``g`` and ``∂g/∂k`` for a first-order probe (τ = 0: no lag).

    ``g = (e^{−kt} − kτ·e^{−t/τ})/(1 − kτ)``; ``∂g/∂k = ((τ − t(1−kτ))e^{−kt} − τe^{−t/τ})
    /(1 − kτ)²``; ``ett`` is ``e^{−t/τ}`` (``None`` when no curve has a probe lag). ``kτ``
    within 1e-4 of 1 is nudged off the removable singularity.
    """
    k = k[:, None]
    if ett is None:
        ekt = np.exp(-k * t)
        return ekt, -t * ekt
    tau = tau[:, None]
    kt = k * tau
    near = np.abs(1.0 - kt) < 1e-4
    k = np.where(near, (1.0 + np.where(kt >= 1, 1e-4, -1e-4)) / np.where(tau > 0, tau, 1), k)
    ekt = np.exp(-k * t)
    one = 1.0 - k * tau
    g = (ekt - k * tau * ett) / one
    dg = ((tau - t * one) * ekt - tau * ett) / (one * one)
    return g, dg


def _rise_start(y: np.ndarray, use: np.ndarray, band: float = 0.03, plateau: int = 3) -> np.ndarray:
    """Index where each curve's re-aeration starts (see :func:`fit_kla_batch`, *Window*)."""
    idx = np.arange(y.shape[1])
    yv = np.where(use, y, np.nan)
    with np.errstate(invalid="ignore"):
        low_value = np.nanmin(yv, axis=1)
        level = low_value + band * (np.nanmax(yv, axis=1) - low_value)
        low = use & (y <= level[:, None])
    first_low = np.argmax(low, axis=1)
    after = idx >= first_low[:, None]
    rising = use & after & ~low
    first_rise = np.where(rising.any(axis=1), np.argmax(rising, axis=1), y.shape[1])
    run = low & after & (idx < first_rise[:, None])
    last_low = np.where(run, idx, -1).max(axis=1)
    start = np.where(run.sum(axis=1) >= plateau, last_low, first_low)
    # a falling (stripping) curve ends at its minimum: nothing rises after it, keep it whole
    return np.where(rising.any(axis=1), start, 0)


def _integral_start(ts: np.ndarray, y: np.ndarray, use: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Closed-form first guess of kLa by the integral method.

    ``C(t) − C(0) = kLa·C*·t − kLa·∫₀ᵗ C dt`` is linear in (kLa·C*, kLa); the integral is the
    cumulative trapezoid over the valid points (gaps carried forward).
    """
    idx = np.where(use, np.arange(ts.shape[1]), 0)
    last = np.maximum.accumulate(idx, axis=1)
    tf = np.take_along_axis(ts, last, axis=1)
    yf = np.take_along_axis(np.where(use, y, 0.0), last, axis=1)
    first = np.argmax(use, axis=1)[:, None]
    yf = np.where(np.arange(ts.shape[1]) < first, np.take_along_axis(yf, first, axis=1), yf)
    steps = np.diff(tf, axis=1) * (yf[:, 1:] + yf[:, :-1]) / 2
    integral = np.hstack([np.zeros((ts.shape[0], 1)), np.cumsum(steps, axis=1)])
    dy = yf - np.take_along_axis(yf, first, axis=1)
    w = use.astype(float)
    a11, a12, a22 = (w * tf * tf).sum(1), (w * tf * integral).sum(1), (w * integral**2).sum(1)
    b1, b2 = (w * tf * dy).sum(1), (w * integral * dy).sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = -(a11 * b2 - a12 * b1) / (a11 * a22 - a12 * a12)
    k = np.where(np.isfinite(k) & (k > 0), k, 1.0 / span)
    return np.clip(k, 0.05 / span, 50.0 / span)


def _linear_fit(g: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, ...]:
    """Weighted LS of ``y = c_star − d·g`` per row: (c_star, d, sse)."""
    n = w.sum(axis=-1)
    gm = (w * g).sum(axis=-1) / n
    ym = (w * y).sum(axis=-1) / n
    dg = w * (g - gm[..., None])
    dy = w * (y - ym[..., None])
    sgg = (dg * dg).sum(axis=-1)
    sgy = (dg * dy).sum(axis=-1)
    syy = (dy * dy).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = sgy / sgg
    return ym - slope * gm, -slope, syy - slope * sgy


def fit_kla_batch(
    time: np.ndarray,
    do: np.ndarray,
    *,
    probe_tau: float | np.ndarray = 0.0,
    confidence: float = 0.95,
    iterations: int = 25,
    window: bool = True,
) -> KLaBatch:
    """kLa of many dynamic gassing-out curves at once.

    Model (re-aeration from time 0 = first valid point of each curve):
    ``C(t) = C* − (C* − C0)·e^{−kLa·t}`` (Bandyopadhyay et al., Biotechnol Bioeng 9:533, 1967;
    Van't Riet 1979; Garcia-Ochoa & Gomez 2009). With a first-order probe of time constant
    ``τp`` (``τp·dCm/dt = C − Cm``) the reading is
    ``Cm(t) = C* − (C* − C0)·(e^{−kLa·t} − kLa·τp·e^{−t/τp}) / (1 − kLa·τp)`` (Philichi &
    Stenstrom, J Water Pollut Control Fed 61:83, 1989; Badino et al., J Chem Technol Biotechnol
    75:469, 2000). Fit: a first kLa from the integral method
    (``C(t) − C(0) = kLa·C*·t − kLa·∫C dt``, linear least squares); five multiples of it
    (0.5–2×) with ``C*`` and ``C0`` solved in closed form, the best kept; Levenberg–Marquardt
    then refines (``C*``, ``C0``, ``ln kLa``) for all curves together, iterating only on the
    curves not yet converged. CI: ``kLa ± t_{(1+c)/2, n−3}·se`` with
    ``se`` from ``s²(JᵀJ)⁻¹`` (Bates & Watts, *Nonlinear Regression Analysis*, 1988).

    ``time`` [h] shaped ``(points,)`` or ``(curves, points)``; ``do`` ``(curves, points)`` in any
    DO unit (% air saturation, mg/L); NaN entries are ignored. ``probe_tau`` [h], scalar or per
    curve. kLa [1/h]; ``probe_tau`` is returned in s.

    Window (``window=True``): the fit starts where re-aeration starts. Readings before the curve
    first comes within 3 % of its range of the minimum (a deoxygenation still falling) are left
    out; if 3 or more consecutive readings then stay within that band (a deoxygenated plateau
    logged before the air was switched back on), the fit starts at the last of them. Time zero of
    the model is that reading. A plateau fitted as part of the exponential rise lowers kLa (32 %
    on a log with a 10-reading plateau); the readings left out are counted in ``skipped`` and
    named in a caveat. Fewer than 4 readings left: :class:`InputError` with the reason.
    """
    y = np.atleast_2d(np.asarray(do, dtype=float))
    curves = y.shape[0]
    t = np.broadcast_to(np.atleast_2d(np.asarray(time, dtype=float)), y.shape)
    tau = np.broadcast_to(np.asarray(probe_tau, dtype=float), (curves,)).astype(float)
    if (tau < 0).any() or not np.isfinite(tau).all():
        raise InputError("the probe time constant must be 0 or positive")
    if not 0 < confidence < 1:
        raise InputError("confidence must lie between 0 and 1")
    use = np.isfinite(t) & np.isfinite(y)
    n = use.sum(axis=1)
    if (n < 4).any():
        raise InputError(
            N_("curve %(curve)s: needs at least 4 points"),
            params={"curve": int(np.argmax(n < 4)) + 1},
        )
    seen = np.fmax.accumulate(np.where(use, t, -np.inf), axis=1)
    if (use[:, 1:] & (t[:, 1:] <= seen[:, :-1])).any():
        raise InputError("times out of order; times must increase strictly")
    skipped = np.zeros(curves, dtype=int)
    if window:
        begin = _rise_start(y, use)
        late = use & (np.arange(y.shape[1]) >= begin[:, None])
        skipped = (use & ~late).sum(axis=1)
        use = late
        n = use.sum(axis=1)
        if (n < 4).any():
            c = int(np.argmax(n < 4))
            raise InputError(
                N_(
                    "curve %(curve)s: only %(count)s readings after the deoxygenated start "
                    "(%(skipped)s readings at the minimum or falling to it); the re-aeration "
                    "needs at least 4"
                ),
                params={"curve": c + 1, "count": int(n[c]), "skipped": int(skipped[c])},
            )
    first = np.where(use, t, np.inf).min(axis=1)
    ts = np.where(use, t - first[:, None], 0.0)
    span = ts.max(axis=1)
    if not (span > 0).all():
        raise InputError(
            N_("curve %(curve)s: all points at one time"),
            params={"curve": int(np.argmax(~(span > 0))) + 1},
        )
    w = use.astype(float)
    y0 = np.where(use, y, 0.0)

    ett = None
    if tau.any():
        with np.errstate(divide="ignore"):
            ett = np.where(tau[:, None] > 0, np.exp(-ts / np.where(tau > 0, tau, 1.0)[:, None]), 0)

    start = _integral_start(ts, y0, use, span)
    best_sse = np.full(curves, np.inf)
    log_k = np.log(start)
    for factor in (0.5, 0.7, 1.0, 1.4, 2.0):
        g, _ = _response(ts, start * factor, tau, ett)
        _, _, sse = _linear_fit(g, y0, w)
        better = sse < best_sse
        best_sse = np.where(better, sse, best_sse)
        log_k = np.where(better, np.log(start * factor), log_k)

    g, dg = _response(ts, np.exp(log_k), tau, ett)
    c_star, d, sse = _linear_fit(g, y0, w)
    lam = np.full(curves, 1e-3)
    tiny = 1e-20 * (w * y0 * y0).sum(axis=1)
    converged = np.zeros(curves, dtype=bool)
    eye = np.eye(3)
    for _ in range(iterations):
        act = np.flatnonzero(~converged)  # iterate only on curves still moving
        if act.size == 0:
            break
        wa, ya, ta, ga, dga = w[act], y0[act], ts[act], g[act], dg[act]
        ca, da, la, sa, lama = c_star[act], d[act], log_k[act], sse[act], lam[act]
        ka = np.exp(la)
        resid = wa * (ya - (ca[:, None] - da[:, None] * ga))
        j1, j2 = -wa * ga, -wa * da[:, None] * dga * ka[:, None]
        jtj = np.empty((act.size, 3, 3))
        jtj[:, 0, 0] = wa.sum(1)
        jtj[:, 0, 1] = jtj[:, 1, 0] = j1.sum(1)
        jtj[:, 0, 2] = jtj[:, 2, 0] = j2.sum(1)
        jtj[:, 1, 1] = (j1 * j1).sum(1)
        jtj[:, 1, 2] = jtj[:, 2, 1] = (j1 * j2).sum(1)
        jtj[:, 2, 2] = (j2 * j2).sum(1)
        jtr = np.stack([resid.sum(1), (j1 * resid).sum(1), (j2 * resid).sum(1)], axis=1)
        damp = jtj + lama[:, None, None] * np.diagonal(jtj, axis1=1, axis2=2)[:, :, None] * eye
        with np.errstate(all="ignore"):
            step = np.linalg.solve(damp + 1e-300 * eye, jtr[..., None])[..., 0]
        step = np.where(np.isfinite(step), step, 0.0)
        step[:, 2] = np.clip(step[:, 2], -2.0, 2.0)
        cn, dn, ln = ca + step[:, 0], da + step[:, 1], la + step[:, 2]
        g_new, dg_new = _response(ta, np.exp(ln), tau[act], None if ett is None else ett[act])
        sse_new = (wa * (ya - (cn[:, None] - dn[:, None] * g_new)) ** 2).sum(axis=1)
        accept = sse_new <= sa
        small = (np.abs(sa - sse_new) <= 1e-10 * sa + tiny[act]) | (np.abs(step[:, 2]) < 1e-9)
        converged[act] = accept & small
        c_star[act] = np.where(accept, cn, ca)
        d[act] = np.where(accept, dn, da)
        log_k[act] = np.where(accept, ln, la)
        sse[act] = np.where(accept, sse_new, sa)
        g[act] = np.where(accept[:, None], g_new, ga)
        dg[act] = np.where(accept[:, None], dg_new, dga)
        lam[act] = np.where(accept, lama / 3.0, lama * 4.0)

    k = np.exp(log_k)
    jac = np.stack([w, -w * g, -w * d[:, None] * dg], axis=-1)
    jtj = np.einsum("cni,cnj->cij", jac, jac)
    dof = n - 3
    with np.errstate(all="ignore"):
        cov = np.linalg.pinv(jtj)
        s2 = np.where(dof > 0, sse / np.maximum(dof, 1), np.nan)
        se = np.sqrt(s2 * cov[:, 2, 2])
        tq = stats.t.ppf((1 + confidence) / 2, np.maximum(dof, 1))
        ym = (w * y0).sum(axis=1) / n
        sst = (w * (y0 - ym[:, None]) ** 2).sum(axis=1)
        r2 = np.where(sst > 0, 1 - sse / sst, np.nan)
        end = np.where(use, ts, -np.inf).argmax(axis=1)
        reached = 1.0 - g[np.arange(curves), end]
    return KLaBatch(
        kla=k,
        kla_ci_low=k - tq * se,
        kla_ci_high=k + tq * se,
        kla_se=se,
        c_star=c_star,
        c0=c_star - d,
        r2=r2,
        rmse=np.sqrt(sse / n),
        n=n,
        confidence=float(confidence),
        probe_tau=tau * S_PER_H,
        converged=converged,
        reached=reached,
        skipped=skipped,
    )


def fit_kla(
    time: np.ndarray,
    do: np.ndarray,
    *,
    probe_tau: float = 0.0,
    confidence: float = 0.95,
    window: bool = True,
) -> KLaFit:
    """kLa of one gassing-out curve: ``time`` [h], ``do`` in any DO unit, ``probe_tau`` [h].

    Model, fit and references as in :func:`fit_kla_batch`, which this calls with one row.
    """
    time = np.asarray(time, dtype=float)
    do = np.asarray(do, dtype=float)
    if time.shape != do.shape or time.ndim != 1:
        raise InputError("time and DO must be equally long 1-D series")
    return fit_kla_batch(
        time, do[None, :], probe_tau=probe_tau, confidence=confidence, window=window
    ).row(0)


@dataclass(frozen=True)
class MixingResult(Result):
    """Mixing time [s] to the stated homogeneity (fraction, e.g. 0.95) and the plateau used."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("mixing_time",)

    mixing_time: float
    homogeneity: float
    baseline: float
    final_value: float
    reached: bool
    caveats: tuple[str, ...]


def mixing_time(
    time: np.ndarray,
    signal: np.ndarray,
    *,
    homogeneity: float = 0.95,
    injection_time: float | None = None,
    final_fraction: float = 0.1,
) -> MixingResult:
    """Mixing time from a tracer response (conductivity, pH, colour).

    ``r(t) = (c(t) − c₀)/(c_∞ − c₀)`` with ``c₀`` the mean before injection (else the first
    reading) and ``c_∞`` the mean of the last ``final_fraction`` of readings; ``θ_h`` is the time
    after injection from which ``|r − 1| ≤ 1 − h`` holds to the end (linear interpolation at the
    last crossing). Van't Riet & Tramper, *Basic Bioreactor Design* (1991) ch. 13; Nienow, Chem
    Eng Sci 52:2557 (1997). ``time`` [h] (injection at ``injection_time``, default the first
    reading); result in s.
    """
    t = np.asarray(time, dtype=float)
    c = np.asarray(signal, dtype=float)
    if t.shape != c.shape or t.ndim != 1 or t.size < 5:
        raise InputError("time and signal must be equally long series of at least 5 readings")
    if not (np.isfinite(t).all() and np.isfinite(c).all()):
        raise InputError("time and signal must not contain gaps")
    if (np.diff(t) <= 0).any():
        raise InputError("times out of order; times must increase strictly")
    if not 0 < homogeneity < 1 or not 0 < final_fraction < 0.5:
        raise InputError("homogeneity must lie in (0, 1) and final_fraction in (0, 0.5)")
    t_inj = t[0] if injection_time is None else float(injection_time)
    before = t < t_inj
    baseline = float(c[before].mean()) if before.any() else float(c[0])
    tail = max(3, round(final_fraction * t.size))
    final = float(c[-tail:].mean())
    step = final - baseline
    if step == 0:
        raise InputError("the tracer response has no step (final value equals the baseline)")
    band = 1.0 - homogeneity
    dev = np.abs((c - baseline) / step - 1.0)
    outside = (dev > band) & (t >= t_inj)
    notes = []
    if injection_time is None:
        notes.append(
            "no injection time given: θ is counted from the first reading (a baseline logged "
            "before the tracer is added lengthens it)"
        )
    noise = float(np.std(c[-tail:]) / abs(step))
    if noise > band / 2:
        notes.append(f"the final plateau is noisy ({noise:.1%} of the step): θ is uncertain")
    if not outside.any():
        theta = 0.0
        notes.append("already within the band at the first reading after injection")
    else:
        j = int(np.flatnonzero(outside)[-1])
        if j >= t.size - tail:
            return MixingResult(
                float("nan"),
                homogeneity,
                baseline,
                final,
                False,
                (*notes, "the response does not settle within the band before the end"),
            )
        frac = (dev[j] - band) / (dev[j] - dev[j + 1])
        theta = float((t[j] + frac * (t[j + 1] - t[j]) - t_inj) * S_PER_H)
    return MixingResult(theta, float(homogeneity), baseline, final, True, tuple(notes))


@dataclass(frozen=True)
class PowerInput(Result):
    """Power [W], power per volume [W/m³], tip speed [m/s] and impeller Reynolds number."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("power", "power_per_volume", "tip_speed", "reynolds")

    power: float
    power_per_volume: float
    tip_speed: float
    reynolds: float
    caveats: tuple[str, ...]


def power_input(
    volume: float,
    *,
    power: float | None = None,
    power_number: float | None = None,
    speed: float | None = None,
    diameter: float | None = None,
    impellers: int = 1,
    density: float = 1000.0,
    viscosity: float = 1.0e-3,
) -> PowerInput:
    """Ungassed power input per volume.

    ``P = n_imp · Np · ρ · N³ · D⁵`` (turbulent regime, Rushton et al. 1950; Doran 2013 §8.5) or
    a measured ``power`` [W]; ``P/V`` with ``volume`` [L] → W/m³; tip speed ``π·N·D``;
    ``Re = ρ·N·D²/μ``. Units: ``speed`` rpm, ``diameter`` m, ``density`` kg/m³, ``viscosity``
    Pa·s. Np is constant only for Re > 10⁴; gassing lowers the power (not modelled).
    """
    if not volume > 0:
        raise InputError("the working volume must be positive")
    notes = []
    n_s = np.nan if speed is None else float(speed) / 60.0
    tip = float(np.pi * n_s * diameter) if diameter is not None else float("nan")
    reynolds = (
        float(density * n_s * diameter**2 / viscosity) if diameter is not None else float("nan")
    )
    if power is None:
        if power_number is None or speed is None or diameter is None:
            raise InputError("give the measured power, or power number, speed and diameter")
        if min(power_number, speed, diameter) <= 0:
            raise InputError("power number, speed and diameter must be positive")
        power = impellers * power_number * density * n_s**3 * diameter**5
        if reynolds < 1e4:
            notes.append(f"Re = {reynolds:.0f} < 10⁴: the power number is not constant here")
    elif power < 0:
        raise InputError("the power must not be negative")
    return PowerInput(
        power=float(power),
        power_per_volume=float(power) / (volume * 1e-3),
        tip_speed=tip,
        reynolds=reynolds,
        caveats=tuple(notes),
    )
