"""Cell-culture and fermentation kinetics, fed-batch aware.

One implementation, batched: :func:`kinetics_batch` works on arrays shaped ``(runs, samples)``
(shorter runs padded with trailing NaN times) and :func:`culture_kinetics` calls it with one row.

Inputs are in canonical units: time h, viable cell density cells/mL, viability %, glucose,
lactate and titer g/L, glutamine and ammonia mmol/L, volumes L. Results are in display units
(listed per field). Fed-batch mass balances (Doran, *Bioprocess Engineering Principles*, 2nd ed.,
2013, §14.2 and ch. 4; Shuler & Kargi, *Bioprocess Engineering*, 2nd ed., §6.4): a sample ``i``
is taken from volume ``V_i`` (volume just before sampling); ``s_i`` is removed and ``f_i`` of
feed added right after it, so an interval starts with ``X_i·(V_i − s_i)`` cells and the amounts
``C_i·(V_i − s_i) + f_i·C_feed``. Without volume columns the volume is constant and every formula
reduces to its batch form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result
from bioproof.analysis.stats import line_fit
from bioproof.analysis.units import MOLAR_MASS

H_PER_D = 24.0
#: Species whose concentration columns are mass concentrations [g/L] (others are mmol/L).
MASS_SPECIES = ("glucose", "lactate", "titer")

_KPIS = (
    "mu_exp",
    "doubling_time",
    "mu_max_interval",
    "ivcd_final",
    "peak_vcd",
    "peak_day",
    "qp",
    "final_titer",
    "volumetric_productivity",
    "culture_duration",
    "qs_glucose",
    "qs_glutamine",
    "qp_lactate",
    "qp_ammonia",
    "yield_x_glucose",
    "yield_p_glucose",
    "yield_lac_glucose",
)


class SampleError(InputError):
    """An :class:`InputError` about one sample of one run of a batch (0-based indices)."""

    def __init__(self, problem: str, *, run: int, sample: int, column: str) -> None:
        self.run = run
        self.sample = sample
        super().__init__(f"run {run + 1}, sample {sample + 1}: {problem}", column=column)


@dataclass(frozen=True)
class CultureKinetics(Result):
    """Kinetic KPIs of one run (display units in brackets; NaN/None = not computable).

    mu_exp [1/d], doubling_time [h], mu_exp_r2 [-], exp_phase_start/end [d], exp_phase_points,
    mu_max_interval [1/d], ivcd_final [1e6 cells·d/mL], peak_vcd [1e6 cells/mL], peak_day [d],
    qp [pg/(cell·d)], qp_r2 [-], final_titer [g/L], volumetric_productivity [g/(L·d)],
    culture_duration [d], qs_glucose and qs_glutamine [pmol/(cell·d)] (consumption positive),
    qp_lactate and qp_ammonia [pmol/(cell·d)] (net production positive), yield_x_glucose
    [1e9 cells/mmol], yield_p_glucose [g/g], yield_lac_glucose [mol/mol]; profiles: time_d [d],
    ivcd [1e6 cells·d/mL] per sample, mu_interval [1/d] per interval.
    """

    KPI_FIELDS: ClassVar[tuple[str, ...]] = _KPIS

    mu_exp: float
    doubling_time: float
    mu_exp_r2: float
    exp_phase_start: float
    exp_phase_end: float
    exp_phase_points: int
    mu_max_interval: float
    ivcd_final: float
    peak_vcd: float
    peak_day: float
    qp: float
    qp_r2: float
    final_titer: float
    volumetric_productivity: float
    culture_duration: float
    qs_glucose: float
    qs_glutamine: float
    qp_lactate: float
    qp_ammonia: float
    yield_x_glucose: float
    yield_p_glucose: float
    yield_lac_glucose: float
    n_samples: int
    time_d: tuple[float, ...]
    ivcd: tuple[float, ...]
    mu_interval: tuple[float, ...]
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class KineticsBatch(Result):
    """:class:`CultureKinetics` of many runs as arrays shaped ``(runs,)`` (profiles
    ``(runs, samples)``, NaN-padded). ``row(i)`` gives one run's result with its caveats."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = _KPIS

    mu_exp: np.ndarray
    doubling_time: np.ndarray
    mu_exp_r2: np.ndarray
    exp_phase_start: np.ndarray
    exp_phase_end: np.ndarray
    exp_phase_points: np.ndarray
    mu_max_interval: np.ndarray
    ivcd_final: np.ndarray
    peak_vcd: np.ndarray
    peak_day: np.ndarray
    qp: np.ndarray
    qp_r2: np.ndarray
    final_titer: np.ndarray
    volumetric_productivity: np.ndarray
    culture_duration: np.ndarray
    qs_glucose: np.ndarray
    qs_glutamine: np.ndarray
    qp_lactate: np.ndarray
    qp_ammonia: np.ndarray
    yield_x_glucose: np.ndarray
    yield_p_glucose: np.ndarray
    yield_lac_glucose: np.ndarray
    n_samples: np.ndarray
    time_d: np.ndarray
    ivcd: np.ndarray
    mu_interval: np.ndarray
    rise_glucose: np.ndarray
    rise_glutamine: np.ndarray
    viability_start_low: np.ndarray
    viability_limit: float

    def __len__(self) -> int:
        return int(self.mu_exp.shape[0])

    def row(self, i: int) -> CultureKinetics:
        """The result of run ``i`` (0-based) with the caveats a reviewer needs."""
        n = int(self.n_samples[i])
        values = {key: float(getattr(self, key)[i]) for key in _KPIS}
        values.update(mu_exp_r2=float(self.mu_exp_r2[i]), qp_r2=float(self.qp_r2[i]))
        return CultureKinetics(
            **values,
            exp_phase_start=float(self.exp_phase_start[i]),
            exp_phase_end=float(self.exp_phase_end[i]),
            exp_phase_points=int(self.exp_phase_points[i]),
            n_samples=n,
            time_d=tuple(self.time_d[i, :n].tolist()),
            ivcd=tuple(self.ivcd[i, :n].tolist()),
            mu_interval=tuple(self.mu_interval[i, : n - 1].tolist()),
            caveats=self._caveats(i),
        )

    def _caveats(self, i: int) -> tuple[str, ...]:
        notes = []
        if int(self.n_samples[i]) < 4:
            notes.append("fewer than 4 samples: rates and fits rest on very few points")
        points = int(self.exp_phase_points[i])
        if not np.isfinite(self.mu_exp[i]):
            notes.append("no growth phase found: μ_exp and the doubling time are not computed")
        elif points < 3:
            notes.append("the exponential phase spans only 2 samples: μ_exp is one interval's rate")
        elif self.mu_exp_r2[i] < 0.95:
            notes.append(
                f"the log-linear fit of the exponential phase has R² = {self.mu_exp_r2[i]:.3f}"
            )
        for species, flags in (("glucose", self.rise_glucose), ("glutamine", self.rise_glutamine)):
            if flags[i]:
                notes.append(
                    f"{species} rose between samples beyond what recorded feeds explain: its "
                    f"consumption and yields are understated (record feed_volume and the feed "
                    f"concentration)"
                )
        if self.viability_start_low[i]:
            notes.append(
                f"viability starts below {self.viability_limit:g} %: culture duration is 0"
            )
        if np.isfinite(self.qp_r2[i]) and self.qp_r2[i] < 0.9:
            notes.append(f"titer vs IVC is not linear (R² = {self.qp_r2[i]:.3f}): qP is an average")
        return tuple(notes)


def _as_2d(values: object, shape: tuple[int, int] | None, name: str) -> np.ndarray:
    array = np.atleast_2d(np.asarray(values, dtype=float))
    if shape is not None and array.shape != shape:
        raise InputError(
            N_("%(name)s has shape %(shape)s, time has %(time_shape)s"),
            column=name,
            params={"name": name, "shape": str(array.shape), "time_shape": str(shape)},
        )
    return array


def _first_bad(bad: np.ndarray, problem: str, column: str) -> None:
    if bad.any():
        run, sample = np.argwhere(bad)[0]
        raise SampleError(problem, run=int(run), sample=int(sample), column=column)


def kinetics_batch(
    time: np.ndarray,
    vcd: np.ndarray,
    viability: np.ndarray,
    titer: np.ndarray,
    *,
    glucose: np.ndarray | None = None,
    lactate: np.ndarray | None = None,
    glutamine: np.ndarray | None = None,
    ammonia: np.ndarray | None = None,
    volume: np.ndarray | None = None,
    feed_volume: np.ndarray | None = None,
    sample_volume: np.ndarray | None = None,
    feed_concentration: Mapping[str, float] | None = None,
    phase_fraction: float = 0.7,
    viability_limit: float = 80.0,
) -> KineticsBatch:
    """Kinetic KPIs of many runs at once; arrays ``(runs, samples)`` in canonical units.

    Interval ``i`` (samples ``i`` → ``i+1``, ``Δt`` in d) with ``N`` = total viable cells:

    * net specific growth rate ``μ_i = ln(X_{i+1}·V_{i+1} / (X_i·(V_i − s_i))) / Δt`` [1/d];
    * exponential phase: the longest run of consecutive intervals around the fastest one in
      which every ``μ_i ≥ phase_fraction · max μ_i``; ``mu_exp`` is the slope of the log-linear
      least-squares fit of ``ln N`` (corrected for sampling and dilution,
      ``G_k = Σ_{i<k} μ_i·Δt_i``) against time over the samples of that phase;
      ``doubling_time = 24·ln 2 / mu_exp`` [h] (Doran 2013, §12.8);
    * ``IVCD = Σ (X_i + X_{i+1})/2 · Δt`` (trapezoidal) [1e6 cells·d/mL];
    * amounts: a consumed species ``C`` loses ``C_i(V_i − s_i) + f_i·C_feed − C_{i+1}V_{i+1}``
      per interval, a product gains the negative of that; cumulative IVC
      ``Σ (X_i(V_i − s_i) + X_{i+1}V_{i+1})/2 · Δt``;
    * ``qp`` = slope of cumulative product vs cumulative IVC (titer vs IVCD in batch)
      [pg/(cell·d)]; ``qs_*``/``qp_*`` = total consumed/produced ÷ total IVC [pmol/(cell·d)];
    * yields over the run: Yx/s = cells formed / glucose consumed [1e9 cells/mmol], Yp/s = product
      / glucose [g/g], Ylac/glc = lactate formed / glucose consumed [mol/mol];
    * ``volumetric_productivity = final titer / culture time`` [g/(L·d)];
    * ``culture_duration`` = time from the first sample until viability first falls below
      ``viability_limit`` % (linear interpolation), else the whole run [d].

    ``feed_concentration`` gives each species' concentration in the feed (canonical units,
    default 0). Shorter runs are padded with trailing NaN in ``time``.
    """
    t = np.atleast_2d(np.asarray(time, dtype=float))
    shape = t.shape
    runs, samples = shape
    idx = np.arange(samples)
    valid = np.isfinite(t)
    n = valid.sum(axis=1)
    if not np.array_equal(valid, idx < n[:, None]):
        raise InputError("time may only be padded with NaN at the end of a run", column="time")
    if samples == 0 or (n < 2).any():
        r = int(np.argmax(n < 2)) if samples else 0
        raise InputError(
            N_("run %(run)s: needs at least 2 samples"), column="time", params={"run": r + 1}
        )
    td = t / H_PER_D
    dt = np.diff(td, axis=1)
    iv = idx[:-1] < (n - 1)[:, None]  # intervals inside each run
    _first_bad(iv & ~(dt > 0), "times out of order; times must increase strictly", "time")

    x = _as_2d(vcd, shape, "vcd") / 1e6
    via = _as_2d(viability, shape, "viability")
    product = _as_2d(titer, shape, "titer")
    for name, arr in (("vcd", x), ("viability", via), ("titer", product)):
        _first_bad(valid & ~np.isfinite(arr), "empty or not a number", name)
        _first_bad(valid & (arr < 0), "negative value", name)

    sv = np.zeros(shape) if sample_volume is None else _as_2d(sample_volume, shape, "sample_volume")
    fv = np.zeros(shape) if feed_volume is None else _as_2d(feed_volume, shape, "feed_volume")
    sv = np.where(np.isfinite(sv) & valid, sv, 0.0)
    fv = np.where(np.isfinite(fv) & valid, fv, 0.0)
    v = _volumes(volume, fv, sv, valid, shape, idx)
    v_after = v - sv
    _first_bad(valid & ~(v_after > 0), "the sample volume leaves no culture", "sample_volume")

    with np.errstate(divide="ignore", invalid="ignore"):
        cells_start = x[:, :-1] * v_after[:, :-1]
        cells_end = x[:, 1:] * v[:, 1:]
        mu = np.where(iv, np.log(cells_end / cells_start) / dt, np.nan)
        mu = np.where(np.isfinite(mu) | ~iv, mu, np.nan)
        ivc = np.where(iv, 0.5 * (cells_start + cells_end) * dt, 0.0)
        ivcd_step = np.where(iv, 0.5 * (x[:, :-1] + x[:, 1:]) * dt, 0.0)
        growth = np.where(iv, mu * dt, 0.0)
    zero = np.zeros((runs, 1))
    ivcd = np.where(valid, np.hstack([zero, np.cumsum(ivcd_step, axis=1)]), np.nan)
    cum_ivc = np.hstack([zero, np.cumsum(ivc, axis=1)])
    log_growth = np.hstack([zero, np.cumsum(growth, axis=1)])
    last = (n - 1)[:, None]
    total_ivc = np.take_along_axis(cum_ivc, last, axis=1)[:, 0]

    first, last_s, mu_max, growing = _exponential_phase(td, mu, log_growth, iv, n, phase_fraction)
    in_phase = growing[:, None] & (idx >= first[:, None]) & (idx <= last_s[:, None])
    phase = line_fit(td, log_growth, in_phase)
    mu_exp = np.where(growing, phase.slope, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        doubling = np.where(mu_exp > 0, H_PER_D * np.log(2.0) / mu_exp, np.nan)
    start = np.where(growing, td[np.arange(runs), np.minimum(first, samples - 1)], np.nan)
    end = np.where(growing, td[np.arange(runs), np.minimum(last_s, samples - 1)], np.nan)

    peak = np.argmax(np.where(valid, x, -np.inf), axis=1)
    t_first = td[:, 0]
    t_last = np.take_along_axis(td, last, axis=1)[:, 0]
    final_titer = np.take_along_axis(product, last, axis=1)[:, 0]
    duration = _viable_duration(td, via, valid, viability_limit) - t_first

    feed = dict(feed_concentration or {})
    unknown = set(feed) - {"glucose", "lactate", "glutamine", "ammonia", "titer"}
    if unknown:
        raise InputError(
            N_("feed_concentration names unknown species: %(species)s"),
            params={"species": ", ".join(sorted(unknown))},
        )
    conc = {
        "glucose": glucose,
        "lactate": lactate,
        "glutamine": glutamine,
        "ammonia": ammonia,
        "titer": product,
    }
    change = {}
    for name, values in conc.items():
        if values is None:
            change[name] = np.full((runs, samples - 1), np.nan)
            continue
        c = _as_2d(values, shape, name)
        _first_bad(valid & (c < 0), "negative concentration", name)
        added = fv[:, :-1] * feed.get(name, 0.0)
        change[name] = np.where(iv, c[:, 1:] * v[:, 1:] - c[:, :-1] * v_after[:, :-1] - added, 0.0)
    totals = {name: change[name].sum(axis=1) for name in change}
    cum_product = np.hstack([zero, np.cumsum(change["titer"], axis=1)])
    qp_fit = line_fit(cum_ivc, cum_product, valid)

    with np.errstate(divide="ignore", invalid="ignore"):

        def per_cell(name: str, sign: float) -> np.ndarray:
            scale = 1e3 / MOLAR_MASS[name] if name in MASS_SPECIES else 1.0
            return sign * totals[name] / total_ivc * scale

        glc_used = -totals["glucose"]
        glc_mmol = np.where(glc_used > 0, glc_used / MOLAR_MASS["glucose"] * 1e3, np.nan)
        cells_formed = np.where(iv, cells_end - cells_start, 0.0).sum(axis=1)
        lac_mmol = totals["lactate"] / MOLAR_MASS["lactate"] * 1e3
        return KineticsBatch(
            mu_exp=mu_exp,
            doubling_time=doubling,
            mu_exp_r2=np.where(growing, phase.r2, np.nan),
            exp_phase_start=start,
            exp_phase_end=end,
            exp_phase_points=np.where(growing, phase.n, 0).astype(int),
            mu_max_interval=mu_max,
            ivcd_final=np.take_along_axis(ivcd, last, axis=1)[:, 0],
            peak_vcd=x[np.arange(runs), peak],
            peak_day=td[np.arange(runs), peak],
            qp=qp_fit.slope * 1e3,
            qp_r2=qp_fit.r2,
            final_titer=final_titer,
            volumetric_productivity=final_titer / (t_last - t_first),
            culture_duration=duration,
            qs_glucose=per_cell("glucose", -1.0),
            qs_glutamine=per_cell("glutamine", -1.0),
            qp_lactate=per_cell("lactate", 1.0),
            qp_ammonia=per_cell("ammonia", 1.0),
            yield_x_glucose=cells_formed / glc_mmol,
            yield_p_glucose=totals["titer"] / (glc_mmol * MOLAR_MASS["glucose"] / 1e3),
            yield_lac_glucose=lac_mmol / glc_mmol,
            n_samples=n,
            time_d=td,
            ivcd=ivcd,
            mu_interval=mu,
            rise_glucose=(iv & (change["glucose"] > 1e-12)).any(axis=1),
            rise_glutamine=(iv & (change["glutamine"] > 1e-12)).any(axis=1),
            viability_start_low=via[:, 0] < viability_limit,
            viability_limit=float(viability_limit),
        )


def _around_fastest(rate: np.ndarray, fraction: float) -> tuple[np.ndarray, ...]:
    """(first, last, top): the run of consecutive entries around the fastest (the earliest within
    rounding of the maximum, so ties resolve the same way whatever the time unit) in which every
    rate is at least ``fraction`` of it; ``rate`` is −inf where undefined."""
    runs, m = rate.shape
    top = rate.max(axis=1)
    fastest = np.argmax(rate >= top[:, None] - 1e-9 * np.abs(top[:, None]), axis=1)
    top = rate[np.arange(runs), fastest]
    ok = rate >= fraction * top[:, None]
    j = np.arange(m)
    left = np.where(~ok & (j < fastest[:, None]), j, -1).max(axis=1) + 1
    right = np.where(~ok & (j > fastest[:, None]), j, m).min(axis=1) - 1
    return left, right, top


def _exponential_phase(
    td: np.ndarray,
    mu: np.ndarray,
    log_growth: np.ndarray,
    iv: np.ndarray,
    n: np.ndarray,
    fraction: float,
) -> tuple[np.ndarray, ...]:
    """First and last sample of each run's exponential phase, the fastest interval rate and
    whether the run grows at all.

    The phase is chosen on two-interval rates ``ρ_i = (G_{i+2} − G_i)/(t_{i+2} − t_i)``, which
    halve the noise of single-interval rates: the consecutive pairs around the fastest with
    ``ρ ≥ fraction·ρ_max`` give the samples of the phase. Then the single interval at each end
    is dropped if its own rate is below ``fraction`` × the phase's fitted slope (a lag or a
    slowdown the pairs half-hid); comparing with the fitted slope rather than with the noisy
    maximum keeps 5 %-noise exponential runs whole. Runs of 2 samples use their one interval.
    """
    runs, samples = td.shape
    idx = np.arange(samples)
    mu_rank = np.where(iv & np.isfinite(mu), mu, -np.inf)
    mu_max = mu_rank.max(axis=1)
    left1, right1, top1 = _around_fastest(mu_rank, fraction)
    first, last = left1, right1 + 1
    growing = np.isfinite(top1) & (top1 > 0)
    if samples >= 3:
        pair = idx[:-2] < (n - 2)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = (log_growth[:, 2:] - log_growth[:, :-2]) / (td[:, 2:] - td[:, :-2])
        rho = np.where(pair & np.isfinite(rho), rho, -np.inf)
        left2, right2, top2 = _around_fastest(rho, fraction)
        paired = n >= 3
        first = np.where(paired, left2, first)
        last = np.where(paired, right2 + 2, last)
        growing = np.where(paired, np.isfinite(top2) & (top2 > 0), growing)
        fit = line_fit(td, log_growth, (idx >= first[:, None]) & (idx <= last[:, None]))
        floor = fraction * fit.slope
        r = np.arange(runs)
        long = paired & (last - first >= 3)
        drop_first = long & (mu_rank[r, np.minimum(first, samples - 2)] < floor)
        first = first + drop_first
        long = paired & (last - first >= 3)
        drop_last = long & (mu_rank[r, np.clip(last - 1, 0, samples - 2)] < floor)
        last = last - drop_last
    return first, last, np.where(np.isfinite(mu_max), mu_max, np.nan), growing


def _volumes(
    volume: np.ndarray | None,
    fv: np.ndarray,
    sv: np.ndarray,
    valid: np.ndarray,
    shape: tuple[int, int],
    idx: np.ndarray,
) -> np.ndarray:
    """Culture volume before each sample; gaps filled by ``V_{i+1} = V_i − s_i + f_i``."""
    if volume is None:
        if (fv != 0).any() or (sv != 0).any():
            raise InputError(
                "feed and sample volumes need the culture volume: add a 'volume' column with "
                "at least the starting volume",
                column="volume",
            )
        return np.ones(shape)
    v = _as_2d(volume, shape, "volume")
    _first_bad(valid & (v <= 0), "the culture volume must be positive", "volume")
    known = np.isfinite(v) & valid
    _first_bad(valid[:, :1] & ~known[:, :1], "the starting volume is needed", "volume")
    net = np.hstack([np.zeros((shape[0], 1)), np.cumsum((fv - sv)[:, :-1], axis=1)])
    source = np.maximum.accumulate(np.where(known, idx, 0), axis=1)
    filled = np.take_along_axis(v, source, axis=1) + net - np.take_along_axis(net, source, axis=1)
    return np.where(valid, filled, np.nan)


def _viable_duration(
    td: np.ndarray, via: np.ndarray, valid: np.ndarray, limit: float
) -> np.ndarray:
    """Time [d] at which viability first falls below ``limit`` (interpolated), else last time."""
    below = valid & (via < limit)
    runs = td.shape[0]
    k = np.argmax(below, axis=1)
    any_below = below.any(axis=1)
    last = valid.sum(axis=1) - 1
    prev = np.maximum(k - 1, 0)
    r = np.arange(runs)
    v0, v1 = via[r, prev], via[r, k]
    t0, t1 = td[r, prev], td[r, k]
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = t0 + (v0 - limit) / (v0 - v1) * (t1 - t0)
    crossing = np.where(k == 0, td[:, 0], crossing)
    return np.where(any_below, crossing, td[r, last])


def culture_kinetics(
    frame: pd.DataFrame,
    *,
    feed_concentration: Mapping[str, float] | None = None,
    phase_fraction: float = 0.7,
    viability_limit: float = 80.0,
) -> CultureKinetics:
    """Kinetic KPIs of one run from a canonical offline frame (see :func:`read_offline`).

    Columns: ``time`` [h], ``vcd`` [cells/mL], ``viability`` [%], ``titer`` [g/L], and where
    present ``glucose``, ``lactate`` [g/L], ``glutamine``, ``ammonia`` [mmol/L], ``volume``,
    ``feed_volume``, ``sample_volume`` [L]. Formulas, units and references: :func:`kinetics_batch`,
    which this calls with one row. Errors name the spreadsheet row when the frame carries
    ``attrs["rows"]`` (as frames from :func:`~bioproof.analysis.io.read_offline` do), else the
    data row counted from 2.
    """
    for column in ("time", "vcd", "viability", "titer"):
        if column not in frame.columns:
            raise InputError(
                N_("missing column '%(column)s'"), column=column, params={"column": column}
            )
    rows = frame.attrs.get("rows") or list(range(2, len(frame) + 2))
    names = list(frame.columns)
    try:  # one conversion of the whole frame (per-column access copies the frame's attrs)
        block = frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        block = (
            np.column_stack(
                [
                    pd.to_numeric(frame.iloc[:, j], errors="coerce").to_numpy(dtype=float)
                    for j in range(len(names))
                ]
            )
            if names
            else np.empty((len(frame), 0))
        )

    def column(name: str) -> np.ndarray | None:
        if name not in names:
            return None
        values = block[:, names.index(name)][None, :]
        optional = name not in ("time", "vcd", "viability", "titer")
        return None if optional and np.isnan(values).all() else values

    time = column("time")
    if time is not None and np.isnan(time).any():
        bad = int(np.argmax(np.isnan(time[0])))
        raise InputError("empty or not a number", row=rows[bad], column="time")
    try:
        batch = kinetics_batch(
            time,
            column("vcd"),
            column("viability"),
            column("titer"),
            glucose=column("glucose"),
            lactate=column("lactate"),
            glutamine=column("glutamine"),
            ammonia=column("ammonia"),
            volume=column("volume"),
            feed_volume=column("feed_volume"),
            sample_volume=column("sample_volume"),
            feed_concentration=feed_concentration,
            phase_fraction=phase_fraction,
            viability_limit=viability_limit,
        )
    except SampleError as exc:
        problem = exc.problem.split(": ", 1)[1]
        raise InputError(problem, row=rows[exc.sample], column=exc.column) from None
    return batch.row(0)
