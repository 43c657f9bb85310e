"""Chromatography: dynamic binding capacity from breakthrough curves, step yield and mass
balance, and resin lifetime over cycles.

Units: volumes mL (column volume, hold-up, effluent), concentrations g/L (feed and effluent in
the same unit), DBC in g per L of packed resin. References: Carta & Jungbauer, *Protein
Chromatography*, 2nd ed. (2020), ch. 5 and 9; PDA Technical Report 14 (2008) for resin reuse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import stats

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result
from bioproof.analysis.stats import line_fit


@dataclass(frozen=True)
class Breakthrough(Result):
    """DBC at ``level`` [g/L resin], the breakthrough volume [mL] (uncorrected), DBC at every
    requested level (``dbc_by_level``, keys in %), saturation capacity [g/L resin]."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("dbc", "saturation_capacity")

    dbc: float
    level: float
    breakthrough_volume: float
    dbc_by_level: dict[str, float]
    saturation_capacity: float
    holdup: float
    column_volume: float
    feed_concentration: float
    caveats: tuple[str, ...]


def _crossing(volume: np.ndarray, ratio: np.ndarray, level: float) -> float:
    """Volume where ``ratio`` first reaches ``level`` (linear interpolation), NaN if never."""
    hit = np.flatnonzero(ratio >= level)
    if hit.size == 0:
        return float("nan")
    k = int(hit[0])
    if k == 0:
        return float(volume[0])
    r0, r1 = ratio[k - 1], ratio[k]
    return float(volume[k - 1] + (level - r0) / (r1 - r0) * (volume[k] - volume[k - 1]))


SIGNALS = ("concentration", "ratio", "absorbance")


def breakthrough(
    volume: Sequence[float] | np.ndarray,
    concentration: Sequence[float] | np.ndarray,
    *,
    feed_concentration: float,
    column_volume: float,
    holdup: float = 0.0,
    level: float = 0.10,
    levels: Sequence[float] = (0.05, 0.10, 0.50),
    signal: str = "concentration",
    feed_signal: float | None = None,
    baseline_signal: float = 0.0,
) -> Breakthrough:
    """Dynamic binding capacity from a frontal-loading breakthrough curve.

    ``DBC_x = C₀·(V_x − V_hold)/V_c`` where ``V_x`` is the loaded volume at which ``C/C₀``
    first reaches ``x`` (linear interpolation), ``V_hold`` the system hold-up between the
    load valve and the detector (plus the column void if the curve is not corrected for it) and
    ``V_c`` the packed column volume (Carta & Jungbauer 2020, §9.2). Saturation capacity (when
    the curve reaches ``C/C₀ ≥ 0.9``): ``q = C₀·(∫₀^{V_end}(1 − C/C₀)dV − V_hold)/V_c``. The
    integral starts at zero load: nothing leaves the column before loading starts, so the curve
    is taken through ``(0, 0)`` and the volume loaded before the first reading counts as retained
    (an erf curve first read at 4 mL would otherwise lose 4 mL of bound protein).

    ``signal`` says what ``concentration`` holds: ``"concentration"`` — effluent concentration
    in the feed's unit; ``"ratio"`` — ``C/C₀`` as a fraction; ``"absorbance"`` — a UV (or other
    linear detector) reading, turned into ``C/C₀ = (A − A_base)/(A_feed − A_base)`` with
    ``feed_signal`` = the feed's reading (bypass or plateau) and ``baseline_signal`` the
    equilibrated column's (Beer–Lambert: valid in the detector's linear range).

    ``volume`` [mL] loaded, ``feed_concentration`` [g/L], ``column_volume`` and ``holdup`` [mL].
    """
    v = np.asarray(volume, dtype=float)
    c = np.asarray(concentration, dtype=float)
    if v.shape != c.shape or v.ndim != 1 or v.size < 3:
        raise InputError("volume and concentration must be equally long series (3 or more)")
    if not (np.isfinite(v).all() and np.isfinite(c).all()):
        raise InputError("volume and concentration must not contain gaps")
    if (np.diff(v) <= 0).any():
        raise InputError("loaded volumes must increase strictly")
    if v[0] < 0:
        raise InputError("loaded volumes cannot be negative", column="volume")
    if not feed_concentration > 0 or not column_volume > 0 or holdup < 0:
        raise InputError("feed concentration and column volume must be positive, hold-up ≥ 0")
    if not 0 < level < 1 or any(not 0 < x < 1 for x in levels):
        raise InputError("breakthrough levels are fractions between 0 and 1 (0.10 = 10 %)")
    if signal == "concentration":
        ratio = c / feed_concentration
    elif signal == "ratio":
        ratio = c
    elif signal == "absorbance":
        if feed_signal is None or not feed_signal > baseline_signal:
            raise InputError(
                "a UV breakthrough curve needs the feed's absorbance (above the baseline) to "
                "turn readings into C/C₀",
                column="feed_absorbance",
            )
        ratio = (c - baseline_signal) / (feed_signal - baseline_signal)
    else:
        raise InputError(
            N_("unknown breakthrough signal '%(signal)s' (use one of %(signals)s)"),
            params={"signal": signal, "signals": ", ".join(SIGNALS)},
        )
    first_reading = float(ratio[0])
    if v[0] > 0:  # the curve starts at zero load with nothing in the effluent
        v, ratio = np.concatenate([[0.0], v]), np.concatenate([[0.0], ratio])
    scale = feed_concentration / column_volume

    def dbc_at(x: float) -> float:
        return (_crossing(v, ratio, x) - holdup) * scale

    notes = []
    v_x = _crossing(v, ratio, level)
    dbc = (v_x - holdup) * scale
    if np.isnan(v_x):
        notes.append(
            f"the curve never reaches {level:.0%} breakthrough: DBC ≥ "
            f"{(v[-1] - holdup) * scale:.3g} g/L"
        )
    elif first_reading >= level:
        notes.append("breakthrough at the first point: the column is overloaded or mis-plumbed")
    elif v_x <= holdup:
        notes.append("breakthrough before the hold-up volume: check the hold-up volume")
    saturation = float("nan")
    if ratio[-1] >= 0.9:
        retained = float(np.sum(np.diff(v) * (2.0 - ratio[1:] - ratio[:-1]) / 2.0))
        saturation = (retained - holdup) * scale
        if ratio[-1] < 0.99:
            notes.append(
                f"loading stopped at {ratio[-1]:.0%} breakthrough: saturation capacity is "
                f"slightly low"
            )
    return Breakthrough(
        dbc=float(dbc),
        level=float(level) * 100,
        breakthrough_volume=float(v_x),
        dbc_by_level={f"{x * 100:g}": dbc_at(x) for x in levels},
        saturation_capacity=saturation,
        holdup=float(holdup),
        column_volume=float(column_volume),
        feed_concentration=float(feed_concentration),
        caveats=tuple(notes),
    )


@dataclass(frozen=True)
class StepYield(Result):
    """Step yield and mass balance [%] with the masses [g] of load, eluate and other fractions."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("step_yield", "mass_balance")

    step_yield: float
    mass_balance: float
    load_mass: float
    eluate_mass: float
    fraction_masses: dict[str, float]
    caveats: tuple[str, ...]


def step_yield(
    load_concentration: float,
    load_volume: float,
    eluate_concentration: float,
    eluate_volume: float,
    *,
    fractions: Mapping[str, tuple[float, float]] | None = None,
) -> StepYield:
    """Step yield ``Y = c_E·V_E / (c_L·V_L) × 100`` and mass balance
    ``(c_E·V_E + Σ c_i·V_i)/(c_L·V_L) × 100`` over the other collected fractions (flow-through,
    wash, strip…) given as ``name → (concentration, volume)``. Concentrations g/L, volumes L
    (any consistent pair). Carta & Jungbauer (2020), §9.5; a mass balance outside 90–110 %
    points to an assay or sampling problem.
    """
    pairs = {
        "load": (load_concentration, load_volume),
        "eluate": (eluate_concentration, eluate_volume),
        **dict(fractions or {}),
    }
    masses = {}
    for name, (conc, vol) in pairs.items():
        if not (np.isfinite(conc) and np.isfinite(vol)) or conc < 0 or vol < 0:
            raise InputError(
                N_("%(name)s: concentration and volume must be numbers ≥ 0"),
                column=name,
                params={"name": name},
            )
        masses[name] = float(conc) * float(vol)
    if masses["load"] <= 0:
        raise InputError("the load mass must be positive", column="load")
    load, eluate = masses.pop("load"), masses.pop("eluate")
    yield_pct = eluate / load * 100
    balance = (eluate + sum(masses.values())) / load * 100
    notes = []
    if fractions and not 90 <= balance <= 110:
        notes.append(f"mass balance {balance:.1f} % is outside 90–110 %: check assays and losses")
    if not fractions:
        notes.append("no other fractions given: the mass balance equals the step yield")
    if yield_pct > 100:
        notes.append("step yield above 100 %: check the assay or the volumes")
    return StepYield(yield_pct, balance, load, eluate, masses, tuple(notes))


_LIFE_KPIS = (
    "dbc_slope",
    "yield_slope",
    "dbc_limit_cycle",
    "dbc_limit_cycle_predicted",
    "yield_limit_cycle",
    "yield_limit_cycle_predicted",
)


@dataclass(frozen=True)
class ResinLifetime(Result):
    """Trends of DBC [g/L resin] and step yield [%] over cycles: slopes per cycle with their
    confidence interval, the first observed cycle below each limit and the cycle where the
    trend line meets it (NaN when not applicable)."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = _LIFE_KPIS

    dbc_slope: float
    dbc_slope_ci_low: float
    dbc_slope_ci_high: float
    dbc_limit_cycle: float
    dbc_limit_cycle_predicted: float
    yield_slope: float
    yield_slope_ci_low: float
    yield_slope_ci_high: float
    yield_limit_cycle: float
    yield_limit_cycle_predicted: float
    n_cycles: int
    confidence: float
    caveats: tuple[str, ...]


def resin_lifetime(
    cycles: Sequence[float] | np.ndarray,
    *,
    dbc: Sequence[float] | np.ndarray | None = None,
    step_yield: Sequence[float] | np.ndarray | None = None,
    dbc_limit: float | None = None,
    yield_limit: float | None = None,
    confidence: float = 0.95,
) -> ResinLifetime:
    """Resin lifetime trend (PDA TR 14, 2008; ICH Q11 §6 on resin reuse).

    For DBC and step yield against cycle number: least-squares slope ``b`` with its
    ``(confidence)`` interval ``b ± t·se``; the first observed cycle whose value is below the
    limit; the predicted cycle ``(limit − a)/b`` where the line ``a + b·cycle`` meets the
    limit (only for a declining trend). Units: DBC g/L resin, yield %, cycles counted from 1.
    """
    n_cyc = np.asarray(cycles, dtype=float)
    if n_cyc.ndim != 1 or n_cyc.size < 3 or (np.diff(n_cyc) <= 0).any():
        raise InputError("cycles must be at least 3 increasing cycle numbers")
    out: dict[str, float] = {}
    notes = []
    tq = float(stats.t.ppf((1 + confidence) / 2, n_cyc.size - 2))
    for name, series, limit in (("dbc", dbc, dbc_limit), ("yield", step_yield, yield_limit)):
        keys = ("slope", "slope_ci_low", "slope_ci_high", "limit_cycle", "limit_cycle_predicted")
        out.update({f"{name}_{k}": float("nan") for k in keys})
        if series is None:
            continue
        y = np.asarray(series, dtype=float)
        if y.shape != n_cyc.shape or not np.isfinite(y).all():
            raise InputError(
                N_("%(name)s needs one number per cycle"), column=name, params={"name": name}
            )
        fit = line_fit(n_cyc, y)
        slope, se = float(fit.slope), float(fit.se_slope)
        out[f"{name}_slope"] = slope
        out[f"{name}_slope_ci_low"] = slope - tq * se
        out[f"{name}_slope_ci_high"] = slope + tq * se
        if slope - tq * se <= 0 <= slope + tq * se:
            notes.append(f"{name} shows no significant trend over {n_cyc.size} cycles")
        if limit is not None:
            below = np.flatnonzero(y < limit)
            if below.size:
                out[f"{name}_limit_cycle"] = float(n_cyc[below[0]])
            if slope < 0:
                out[f"{name}_limit_cycle_predicted"] = (limit - float(fit.intercept)) / slope
    if dbc is None and step_yield is None:
        raise InputError("give DBC or step yield per cycle")
    return ResinLifetime(
        **out, n_cycles=int(n_cyc.size), confidence=float(confidence), caveats=tuple(notes)
    )


#: Pulse (tracer) injection on a packed column: eluted volume and detector signal.
def _pulse_columns() -> tuple:
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    return (
        io.BREAKTHROUGH_COLUMNS[0],
        ColumnSpec(
            "signal",
            "",
            ("signal", "uv", "a280", "absorbance", "conductivity", "response"),
            "any one unit, e.g. mAU, mS/cm",
        ),
    )


def read_pulse(source: object, *, filename: str) -> object:
    """A pulse response: ``volume`` [mL] eluted since injection and ``signal`` (unit as given)."""
    from bioproof.analysis import io

    return io.read_table(
        source,  # type: ignore[arg-type]
        filename=filename,
        columns=_pulse_columns(),
        increasing="volume",
        min_rows=10,
    )


@dataclass(frozen=True)
class ColumnEfficiency(Result):
    """Plate count, HETP [cm] and asymmetry of a tracer pulse, with the peak's retention volume
    and widths [mL]."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("plate_count", "hetp", "asymmetry")

    plate_count: float
    plates_per_meter: float
    hetp: float
    reduced_hetp: float
    asymmetry: float
    retention_volume: float
    width_half_height: float
    front_10: float
    tail_10: float
    caveats: tuple[str, ...]


def _cross(v: np.ndarray, y: np.ndarray, i: int, j: int, level: float) -> float:
    """Volume between samples ``i`` and ``j`` where ``y`` equals ``level`` (linear)."""
    return float(v[i] + (level - y[i]) / (y[j] - y[i]) * (v[j] - v[i]))


def column_efficiency(
    volume: Sequence[float] | np.ndarray,
    signal: Sequence[float] | np.ndarray,
    *,
    bed_height: float,
    particle_diameter: float | None = None,
) -> ColumnEfficiency:
    """Column efficiency from a non-retained tracer pulse (acetone, NaCl), half-height method.

    Baseline = the lower of the first and last 5 % of readings' medians; peak maximum ``V_R``;
    ``W_h`` the width at half height and ``a``, ``b`` the front and tail half-widths at 10 %
    height (linear interpolation). ``N = 8·ln 2·(V_R/W_h)² = 5.545·(V_R/W_h)²``,
    ``HETP = L/N``, reduced plate height ``h = HETP/d_p``, asymmetry ``A_s = b/a`` (Carta &
    Jungbauer 2020 §8.3; Cytiva *Column efficiency testing* application note 28937207, which
    accepts 0.8 ≤ A_s ≤ 1.8). ``volume`` [mL] from injection, ``bed_height`` L [cm],
    ``particle_diameter`` [µm]; HETP in cm.
    """
    v = np.asarray(volume, dtype=float)
    y = np.asarray(signal, dtype=float)
    if v.shape != y.shape or v.ndim != 1 or v.size < 10:
        raise InputError("volume and signal must be equally long series (10 or more readings)")
    if not (np.isfinite(v).all() and np.isfinite(y).all()):
        raise InputError("volume and signal must not contain gaps")
    if (np.diff(v) <= 0).any():
        raise InputError("volumes must increase strictly", column="volume")
    if not bed_height > 0:
        raise InputError("the bed height must be positive", column="bed_height")
    edge = max(2, v.size // 20)
    y = y - min(float(np.median(y[:edge])), float(np.median(y[-edge:])))
    top = int(np.argmax(y))
    height = float(y[top])
    if height <= 0 or top in (0, v.size - 1):
        raise InputError("no peak inside the recorded volume: record the whole pulse")
    widths = {}
    for level in (0.5, 0.1):
        left = np.flatnonzero(y[:top] < level * height)
        right = np.flatnonzero(y[top:] < level * height)
        if left.size == 0 or right.size == 0:
            raise InputError(
                N_(
                    "the peak does not fall below %(level)s of its height on both sides: "
                    "record the whole pulse"
                ),
                params={"level": f"{level:.0%}"},
            )
        i, j = int(left[-1]), top + int(right[0])
        widths[level] = (
            _cross(v, y, i, i + 1, level * height),
            _cross(v, y, j - 1, j, level * height),
        )
    v_r = float(v[top])
    w_h = widths[0.5][1] - widths[0.5][0]
    a, b = v_r - widths[0.1][0], widths[0.1][1] - v_r
    plates = 8 * np.log(2) * (v_r / w_h) ** 2
    hetp = bed_height / plates
    notes = []
    asym = b / a
    if not 0.8 <= asym <= 1.8:
        notes.append(f"asymmetry {asym:.2f} is outside 0.8–1.8: repack or check the system")
    if np.count_nonzero(y > 0.5 * height) < 5:
        notes.append("fewer than 5 readings above half height: sample the peak more densely")
    return ColumnEfficiency(
        plate_count=float(plates),
        plates_per_meter=float(plates / (bed_height / 100)),
        hetp=float(hetp),
        reduced_hetp=float(hetp * 1e4 / particle_diameter) if particle_diameter else float("nan"),
        asymmetry=float(asym),
        retention_volume=v_r,
        width_half_height=float(w_h),
        front_10=float(a),
        tail_10=float(b),
        caveats=tuple(notes),
    )
