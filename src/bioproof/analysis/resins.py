"""Chromatography resin process steps: DBC against residence time, step yield and mass balance
from a fraction table, and resin lifetime as cycles until a stated drop.

Units: residence time min, DBC g/L resin, concentrations g/L, volumes L (any one unit per
table), yield %. References: Carta & Jungbauer, *Protein Chromatography*, 2nd ed. (2020) ch. 5
(mass-transfer-limited DBC) and §9.5 (yield); Fahrner, Blank & Zapata, J Biotechnol 75:273
(1999) on DBC vs residence time of protein A; PDA TR 14 (2008) and ICH Q11 §6 on resin reuse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from bioproof.analysis.chromatography import StepYield, step_yield
from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result
from bioproof.analysis.stats import line_fit, saturating_fit, t_quantile

ArrayLike = Sequence[float] | np.ndarray


@dataclass(frozen=True)
class ResidenceCurve(Result):
    """``DBC(τ) = DBC_max·(1 − e^(−τ/τ_c))``: DBC_max [g/L] and τ_c [min] with confidence
    intervals, and the DBC at the stated residence time [g/L] with its interval."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("dbc_max", "tau_c", "dbc_at_residence")

    dbc_max: float
    dbc_max_ci_low: float
    dbc_max_ci_high: float
    tau_c: float
    tau_c_ci_low: float
    tau_c_ci_high: float
    dbc_at_residence: float
    dbc_at_residence_ci_low: float
    dbc_at_residence_ci_high: float
    residence_time: float
    r2: float
    n: int
    caveats: tuple[str, ...]


def dbc_residence(
    residence_time: ArrayLike,
    dbc: ArrayLike,
    *,
    at: float,
    confidence: float = 0.95,
) -> ResidenceCurve:
    """DBC (e.g. at 10 % breakthrough) against residence time ``τ = V_column/Q``.

    Model ``DBC(τ) = DBC_max·(1 − e^(−τ/τ_c))`` — capacity approaching its static value as
    pore diffusion has time to act (Carta & Jungbauer 2020 ch. 5; Fahrner et al. 1999). Fitted by
    least squares (:func:`~bioproof.analysis.stats.saturating_fit` with ``k = 1/τ_c``);
    intervals ``± t_{(1+c)/2, n−2}·se`` from ``s²(JᵀJ)⁻¹``, τ_c's by the delta method
    (``se(τ_c) = se(k)/k²``), the DBC at the residence time ``at`` with its delta-method
    interval. Units: τ min, DBC g/L resin; better: higher DBC_max and DBC(at), lower τ_c.
    Needs ≥ 3 residence times (4+ for a meaningful interval).
    """
    tau = np.asarray(residence_time, dtype=float)
    q = np.asarray(dbc, dtype=float)
    if tau.shape != q.shape or tau.ndim != 1 or tau.size < 3:
        raise InputError("needs a DBC at each of at least 3 residence times")
    if not (np.isfinite(tau).all() and np.isfinite(q).all()) or (tau <= 0).any() or (q < 0).any():
        raise InputError("residence times must be positive and DBC ≥ 0", column="residence_time")
    if np.unique(tau).size < 3:
        raise InputError("needs at least 3 different residence times", column="residence_time")
    if not at > 0 or not 0 < confidence < 1:
        raise InputError("the residence time for the DBC must be positive")
    fit = saturating_fit(tau, q)
    notes = []
    nan = float("nan")
    if fit.linear:
        notes.append("DBC still rises in proportion to τ: no plateau, DBC_max not defined")
        return ResidenceCurve(*(nan,) * 9, float(at), fit.r2, int(tau.size), tuple(notes))
    tq = t_quantile((1 + confidence) / 2, fit.dof) if fit.dof > 0 else nan
    se = np.sqrt(np.maximum(np.diag(fit.cov), 0.0))
    tau_c = 1.0 / fit.k
    se_tau = se[1] / fit.k**2
    value, se_value = fit.value_at(at)
    if fit.dof < 2:
        notes.append(f"only {fit.dof} residual degree(s) of freedom: wide intervals")
    if fit.r2 < 0.95:
        notes.append(f"the saturating curve fits poorly (R² = {fit.r2:.3f})")
    if not tau.min() <= at <= tau.max():
        notes.append("the stated residence time lies outside the tested ones: extrapolated")
    if 3 * tau_c > tau.max():
        notes.append("DBC is still rising at the longest residence time: DBC_max is extrapolated")
    return ResidenceCurve(
        dbc_max=fit.a,
        dbc_max_ci_low=fit.a - tq * se[0],
        dbc_max_ci_high=fit.a + tq * se[0],
        tau_c=tau_c,
        tau_c_ci_low=tau_c - tq * se_tau,
        tau_c_ci_high=tau_c + tq * se_tau,
        dbc_at_residence=value,
        dbc_at_residence_ci_low=value - tq * se_value,
        dbc_at_residence_ci_high=value + tq * se_value,
        residence_time=float(at),
        r2=fit.r2,
        n=int(tau.size),
        caveats=tuple(notes),
    )


#: Fraction names (lower case, matched as substrings) of a mass-balance table.
LOAD_NAMES = ("load", "feed", "challenge")
PRODUCT_NAMES = ("eluate", "elution", "retentate", "product", "pool", "concentrate", "filtrate")


def mass_balance(
    fractions: Sequence[str], concentration: ArrayLike, volume: ArrayLike
) -> StepYield:
    """Step yield and mass balance from a fraction table (load, flow-through, wash, eluate,
    strip… or feed, permeate, retentate, flush).

    One fraction named load/feed/challenge is the load; fractions named eluate, retentate,
    product, pool, concentrate or filtrate are the product (summed when several); the rest are
    side fractions. ``Y = Σ c_P·V_P / (c_L·V_L) × 100``, mass balance
    ``(Σ c_P·V_P + Σ c_i·V_i)/(c_L·V_L) × 100`` (:func:`~bioproof.analysis.chromatography.
    step_yield`; Carta & Jungbauer 2020 §9.5). Concentrations g/L, volumes L (or any one pair).
    Better: higher yield; mass balance is a target (100 %; outside 90–110 % flagged).
    """
    names = [str(f).strip() for f in fractions]
    c = np.asarray(concentration, dtype=float)
    v = np.asarray(volume, dtype=float)
    if c.shape != (len(names),) or v.shape != c.shape:
        raise InputError("one concentration and one volume per fraction")
    lower = [n.lower() for n in names]
    load = [i for i, n in enumerate(lower) if any(w in n for w in LOAD_NAMES)]
    product = [
        i for i, n in enumerate(lower) if i not in load and any(w in n for w in PRODUCT_NAMES)
    ]
    if len(load) != 1:
        raise InputError(
            N_("name exactly one fraction Load (or Feed); found %(count)s"),
            column="fraction",
            params={"count": len(load)},
        )
    if not product:
        raise InputError(
            "name the product fraction(s) Eluate, Retentate, Product or Pool", column="fraction"
        )
    product_mass = float((c[product] * v[product]).sum())
    product_volume = float(v[product].sum())
    side: dict[str, tuple[float, float]] = {}
    for i, name in enumerate(names):
        if i in load or i in product:
            continue
        key = name if name not in side else f"{name} ({i + 1})"
        side[key] = (float(c[i]), float(v[i]))
    if not product_volume > 0:
        raise InputError("the product volume must be positive", column="volume")
    return step_yield(
        float(c[load[0]]),
        float(v[load[0]]),
        product_mass / product_volume,
        product_volume,
        fractions=side,
    )


@dataclass(frozen=True)
class ResinCycles(Result):
    """Relative decline per cycle [%/cycle] of DBC and of step yield and the cycle at which each
    trend line has fallen by the stated ``drop`` from its value at the first cycle, with its
    confidence interval (NaN: no decline, or series not given)."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("dbc_cycles_to_drop", "yield_cycles_to_drop")

    dbc_cycles_to_drop: float
    dbc_cycles_to_drop_ci_low: float
    dbc_cycles_to_drop_ci_high: float
    dbc_decline_per_cycle: float
    yield_cycles_to_drop: float
    yield_cycles_to_drop_ci_low: float
    yield_cycles_to_drop_ci_high: float
    yield_decline_per_cycle: float
    drop: float
    confidence: float
    caveats: tuple[str, ...]


def _cycles_to_drop(
    c: np.ndarray, y: np.ndarray, drop: float, confidence: float
) -> tuple[float, float, float, float, str | None]:
    """Cycle where ``a + b·c`` reaches ``(1 − drop)·(a + b·c₁)`` and its Fieller interval."""
    fit = line_fit(c, y)
    a, b = float(fit.intercept), float(fit.slope)
    c1 = float(c[0])
    start = a + b * c1
    decline = -b / start * 100 if start else float("nan")
    nan = float("nan")
    if not b < 0:
        return nan, nan, nan, decline, "no decline over the cycles: no drop predicted"
    # the line falls by drop·start after Δ = −drop·(a + b·c₁)/b cycles, i.e. Δ = r/s with
    # r = drop·a + drop·c₁·b (linear in a, b) and s = −b; Fieller's interval of the ratio
    target = c1 + drop * start / (-b)
    n = c.size
    tq = t_quantile((1 + confidence) / 2, n - 2)
    s2 = float(fit.residual_sd) ** 2
    xm, sxx = float(fit.x_mean), float(fit.sxx)
    var_b = s2 / sxx
    var_a = s2 * (1 / n + xm * xm / sxx)
    cov_ab = -s2 * xm / sxx
    # r = drop·(a + c₁·b), s = −b
    r, s = drop * start, -b
    v_rr = drop**2 * (var_a + 2 * c1 * cov_ab + c1 * c1 * var_b)
    v_ss = var_b
    v_rs = -drop * (cov_ab + c1 * var_b)
    # Fieller: (r − θs)² = t²(v_rr − 2θ·v_rs + θ²·v_ss), a quadratic Aθ² − 2Bθ + C = 0
    qa = s * s - tq * tq * v_ss
    qb = r * s - tq * tq * v_rs
    qc = r * r - tq * tq * v_rr
    if not qa > 0 or qb * qb - qa * qc < 0:
        return target, nan, nan, decline, "the slope is not significant: no upper bound on life"
    root = math.sqrt(qb * qb - qa * qc)
    low, high = (qb - root) / qa, (qb + root) / qa
    return target, c1 + low, c1 + high, decline, None


def resin_cycles(
    cycles: ArrayLike,
    *,
    dbc: ArrayLike | None = None,
    step_yield: ArrayLike | None = None,
    drop: float = 0.10,
    confidence: float = 0.95,
) -> ResinCycles:
    """Resin lifetime as the cycle number at which the least-squares trend ``a + b·cycle`` has
    fallen by ``drop`` (default 10 %) from its fitted value at the first cycle:
    ``c* = c₁ + drop·(a + b·c₁)/(−b)`` — a ratio of linear functions of (a, b), so its
    ``confidence`` interval is Fieller's (Fieller 1954, J R Stat Soc B 16:175; Draper & Smith
    1998 §3.2 on inverse prediction), undefined when the slope is not significant. Also the
    decline ``−b/(a + b·c₁)·100`` [%/cycle]. Units: cycles; DBC g/L, yield %. Better: more
    cycles (PDA TR 14, 2008; ICH Q11 §6)."""
    c = np.asarray(cycles, dtype=float)
    if c.ndim != 1 or c.size < 3 or (np.diff(c) <= 0).any() or not np.isfinite(c).all():
        raise InputError("cycles must be at least 3 increasing cycle numbers", column="cycle")
    if not 0 < drop < 1 or not 0 < confidence < 1:
        raise InputError("the drop must lie between 0 and 100 %")
    if dbc is None and step_yield is None:
        raise InputError("give DBC or step yield per cycle")
    out: dict[str, float] = {}
    notes = []
    for name, series in (("dbc", dbc), ("yield", step_yield)):
        keys = ("cycles_to_drop", "cycles_to_drop_ci_low", "cycles_to_drop_ci_high")
        out.update({f"{name}_{k}": float("nan") for k in (*keys, "decline_per_cycle")})
        if series is None:
            continue
        y = np.asarray(series, dtype=float)
        if y.shape != c.shape or not np.isfinite(y).all():
            raise InputError(
                N_("%(name)s needs one number per cycle"), column=name, params={"name": name}
            )
        target, low, high, decline, note = _cycles_to_drop(c, y, drop, confidence)
        out.update({f"{name}_{k}": v for k, v in zip(keys, (target, low, high), strict=True)})
        out[f"{name}_decline_per_cycle"] = decline
        if note:
            notes.append(f"{name}: {note}")
        elif target > 2 * c[-1]:
            notes.append(f"{name}: the {drop:.0%} drop lies far beyond the cycles run")
    return ResinCycles(**out, drop=float(drop), confidence=float(confidence), caveats=tuple(notes))


def read_dbc_residence(source: object, *, filename: str) -> Any:
    """DBC at several residence times: ``residence_time`` [min] and ``dbc`` [g/L resin]."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = (
        ColumnSpec(
            "residence_time",
            "min",
            ("residencetime", "rt", "tau", "τ", "contacttime"),
            "min, s",
            low=0.0,
        ),
        ColumnSpec("dbc", "g/L", ("dbc", "dbc10", "dbc10%", "capacity", "qb"), "g/L, mg/mL"),
    )
    return io.read_table(source, filename=filename, columns=columns, min_rows=3)  # type: ignore[arg-type]


def read_mass_balance(source: object, *, filename: str) -> Any:
    """One row per fraction: text ``fraction`` (Load, Flow-through, Wash, Eluate, Strip …),
    ``concentration`` [g/L] and ``volume`` [L]."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = (
        ColumnSpec(
            "concentration", "g/L", ("concentration", "conc", "c", "titer"), "g/L, mg/mL", low=0.0
        ),
        ColumnSpec("volume", "L", ("volume", "v"), "L, mL", low=0.0),
    )
    return io.read_table(
        source,  # type: ignore[arg-type]
        filename=filename,
        columns=columns,
        min_rows=2,
        text_columns={"fraction": ("fraction", "step", "sample", "stream")},
    )


def read_cycles(source: object, *, filename: str) -> Any:
    """Resin cycles: ``cycle`` (count) with ``dbc`` [g/L] and/or ``step_yield`` [%]."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = (
        ColumnSpec("cycle", "", ("cycle", "cyclenumber", "run", "n"), "-", unitless=True, low=0),
        ColumnSpec(
            "dbc", "g/L", ("dbc", "dbc10", "capacity"), "g/L", required=False, allow_empty=False
        ),
        ColumnSpec(
            "step_yield", "%", ("yield", "stepyield", "recovery"), "%", required=False, low=0.0
        ),
    )
    frame = io.read_table(
        source,  # type: ignore[arg-type]
        filename=filename,
        columns=columns,
        increasing="cycle",
        min_rows=3,
    )
    if not {"dbc", "step_yield"} & set(frame.columns):
        raise InputError("give DBC [g/L] or Step yield [%] per cycle", file=filename, row=1)
    return frame
