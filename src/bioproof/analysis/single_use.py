"""Single-use articles: extractables and leachables against the analytical evaluation
threshold, sub-visible particulate matter against USP <788>, and leak testing by pressure decay.

Units: concentrations µg/mL, SCT µg/day, dose volume mL, particle counts per container (and per
mL), pressure mbar, time s, test volume L, leak rate mbar·L/s. References: USP <1663> and <1664>
(extractables and leachables); PQRI, *Safety thresholds and best demonstrated practices for
extractables and leachables in parenteral drug products* (Paskiet et al., PDA J Pharm Sci
Technol 67:430 (2013)); BPOG extractables protocol (Ding et al., Pharm Eng 34(6) (2014)); USP
<788> / Ph. Eur. 2.9.19 (particulate matter in injections); USP <1207.2> and ASTM F2095
(pressure-decay leak testing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from bioproof.analysis.errors import InputError
from bioproof.analysis.result import Result
from bioproof.analysis.stats import line_fit

ArrayLike = Sequence[float] | np.ndarray


def analytical_evaluation_threshold(
    sct: float,
    *,
    doses_per_day: float,
    dose_volume: float,
    uncertainty_factor: float = 2.0,
    scaling: float = 1.0,
) -> float:
    """``AET = SCT / (doses/day · dose volume) / UF · scaling`` [µg/mL].

    SCT: safety concern threshold [µg/day] (PQRI parenteral: 1.5 µg/day for a lifetime daily
    dose, ICH M7 TTC); dose volume [mL]; UF: uncertainty factor for the variation of response
    factors in a screening method (USP <1663>: commonly 2); ``scaling`` converts the threshold
    in the drug product to the extract analysed, ``V_product per article / V_extract per
    article`` (1 when leachables are measured in the product). Paskiet et al. 2013; USP <1663>.
    """
    values = (sct, doses_per_day, dose_volume, uncertainty_factor, scaling)
    if not all(np.isfinite(v) and v > 0 for v in values):
        raise InputError("SCT, doses per day, dose volume, UF and scaling must be positive")
    if uncertainty_factor < 1:
        raise InputError("the uncertainty factor must be ≥ 1")
    return float(sct / (doses_per_day * dose_volume) / uncertainty_factor * scaling)


@dataclass(frozen=True)
class ExtractablesReport(Result):
    """Compounds above the AET, the largest concentration/AET ratio, the AET [µg/mL] and each
    compound's ratio."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("el_above_aet", "el_max_ratio")

    el_above_aet: int
    el_max_ratio: float
    aet: float
    above: tuple[str, ...]
    ratios: dict[str, float]
    caveats: tuple[str, ...]


def extractables(
    compounds: Sequence[str],
    concentration: ArrayLike,
    *,
    aet: float,
) -> ExtractablesReport:
    """Flag extractables or leachables at or above the analytical evaluation threshold.

    A compound whose concentration [µg/mL] reaches ``aet`` (:func:`analytical_evaluation_
    threshold`) must be identified and assessed toxicologically; below it, it need not be
    reported (USP <1663>; PQRI 2013). ``el_above_aet`` counts them (better: lower; the
    default criterion is 0 for the candidate), ``el_max_ratio`` is ``max C/AET``."""
    names = [str(c).strip() for c in compounds]
    c = np.asarray(concentration, dtype=float)
    if c.shape != (len(names),) or not np.isfinite(c).all() or (c < 0).any():
        raise InputError("one concentration ≥ 0 per compound", column="concentration")
    if not aet > 0:
        raise InputError("the AET must be positive")
    ratio = c / aet
    above = tuple(n for n, r in zip(names, ratio, strict=True) if r >= 1)
    notes = [f"{n}: {c[i]:.3g} µg/mL ≥ AET {aet:.3g}" for i, n in enumerate(names) if ratio[i] >= 1]
    return ExtractablesReport(
        el_above_aet=len(above),
        el_max_ratio=float(ratio.max()) if ratio.size else 0.0,
        aet=float(aet),
        above=above,
        ratios={n: float(r) for n, r in zip(names, ratio, strict=True)},
        caveats=tuple(notes),
    )


#: USP <788> limits: method → (small-volume limits per container ≥10 µm, ≥25 µm; large-volume
#: limits per mL ≥10 µm, ≥25 µm). Large volume: > 100 mL.
USP788 = {
    "light_obscuration": ((6000.0, 600.0), (25.0, 3.0)),
    "microscopic": ((3000.0, 300.0), (12.0, 2.0)),
}


@dataclass(frozen=True)
class Particulates(Result):
    """Mean sub-visible particles ≥10 µm and ≥25 µm per container and per mL, the USP <788>
    limits that apply, the largest count/limit ratio and the verdict."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = (
        "particles_10um_per_ml",
        "particles_25um_per_ml",
        "particle_limit_ratio",
    )

    particles_10um_per_container: float
    particles_25um_per_container: float
    particles_10um_per_ml: float
    particles_25um_per_ml: float
    particle_limit_ratio: float
    limit_10um: float
    limit_25um: float
    limit_basis: str
    passed: bool
    method: str
    caveats: tuple[str, ...]


def particulates(
    count_10um: ArrayLike,
    count_25um: ArrayLike,
    *,
    container_volume: float,
    method: str = "light_obscuration",
) -> Particulates:
    """Sub-visible particulate matter by USP <788> / Ph. Eur. 2.9.19.

    ``count_10um`` and ``count_25um``: particles ≥ 10 µm and ≥ 25 µm per container for each
    container (or pooled test) tested; the mean is compared with the limits. Light obscuration
    (method 1): ≤ 6000 and ≤ 600 per container for a nominal volume ≤ 100 mL, ≤ 25 and ≤ 3 per
    mL above 100 mL; microscopic (method 2): 3000 and 300 per container, 12 and 2 per mL. The
    ratio ``max(mean/limit)`` ≤ 1 passes. Units: counts, mL; better: lower. Extractables of a
    single-use article are usually tested on a rinse or fill of its product-contact volume,
    given as ``container_volume``.
    """
    c10 = np.asarray(count_10um, dtype=float)
    c25 = np.asarray(count_25um, dtype=float)
    if c10.ndim != 1 or c10.size < 1 or c10.shape != c25.shape:
        raise InputError("one ≥10 µm and one ≥25 µm count per container tested")
    if (
        not (np.isfinite(c10).all() and np.isfinite(c25).all())
        or (c10 < 0).any()
        or (c25 < 0).any()
    ):
        raise InputError("particle counts must be numbers ≥ 0", column="count_10um")
    if not container_volume > 0:
        raise InputError("the container volume must be positive")
    if method not in USP788:
        raise InputError("method must be light_obscuration or microscopic")
    notes = []
    if (c25 > c10).any():
        notes.append("a ≥25 µm count exceeds its ≥10 µm count (the classes are cumulative)")
    m10, m25 = float(c10.mean()), float(c25.mean())
    small, large = USP788[method]
    if container_volume <= 100:
        lim10, lim25, basis = small[0], small[1], "per container"
        ratio = max(m10 / lim10, m25 / lim25)
    else:
        lim10, lim25, basis = large[0], large[1], "per mL"
        ratio = max(m10 / container_volume / lim10, m25 / container_volume / lim25)
    if ratio > 1 and method == "light_obscuration":
        notes.append(
            "above the light-obscuration limits: USP <788> allows retesting by the "
            "microscopic method"
        )
    return Particulates(
        particles_10um_per_container=m10,
        particles_25um_per_container=m25,
        particles_10um_per_ml=m10 / container_volume,
        particles_25um_per_ml=m25 / container_volume,
        particle_limit_ratio=float(ratio),
        limit_10um=lim10,
        limit_25um=lim25,
        limit_basis=basis,
        passed=bool(ratio <= 1),
        method=method,
        caveats=tuple(notes),
    )


@dataclass(frozen=True)
class PressureDecay(Result):
    """Leak rate [mbar·L/s] from the pressure decay, the decay rate [mbar/s] with its standard
    error, the ratio to the limit and the readings used."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("leak_rate", "leak_limit_ratio")

    leak_rate: float
    leak_limit_ratio: float
    decay_rate: float
    decay_rate_se: float
    test_volume: float
    limit: float
    passed: bool
    n: int
    caveats: tuple[str, ...]


def pressure_decay(
    time: ArrayLike,
    pressure: ArrayLike,
    *,
    test_volume: float,
    stabilisation: float = 0.0,
    limit: float | None = None,
) -> PressureDecay:
    """Leak rate by pressure decay (USP <1207.2>; ASTM F2095).

    After the stabilisation time (readings before ``stabilisation`` [s] are left out: the
    film relaxes and the gas cools after filling), the pressure decay rate is the least-squares
    slope ``dP/dt`` of pressure [mbar] against time [s]; the leak rate is
    ``Q = V·|dP/dt|`` [mbar·L/s] with the test (gas) volume ``V`` [L], i.e. ``V·ΔP/Δt``
    (isothermal). With a ``limit`` [mbar·L/s] the ratio ``Q/limit`` ≤ 1 passes. A rising
    pressure gives Q = 0 (caveat: temperature drift). Helium mass-spectrometry results are
    already leak rates (mbar·L/s) and are compared with the limit directly. Better: lower.
    """
    t = np.asarray(time, dtype=float)
    p = np.asarray(pressure, dtype=float)
    if t.shape != p.shape or t.ndim != 1:
        raise InputError("time and pressure must be equally long series")
    if not (np.isfinite(t).all() and np.isfinite(p).all()) or (np.diff(t) <= 0).any():
        raise InputError("times must increase strictly and pressures be numbers", column="time")
    if not test_volume > 0 or stabilisation < 0 or (limit is not None and not limit > 0):
        raise InputError("the test volume and the limit must be positive")
    use = t >= t[0] + stabilisation
    if use.sum() < 3:
        raise InputError("fewer than 3 readings after the stabilisation time")
    fit = line_fit(t[use], p[use])
    slope = float(fit.slope)
    notes = []
    if slope > 0:
        notes.append("pressure rises during the test: temperature drift; no leak measurable")
    q = test_volume * max(-slope, 0.0)
    ratio = q / limit if limit else float("nan")
    if fit.n >= 3 and float(fit.r2) < 0.8 and slope < 0:
        notes.append(f"the decay is not linear (R² = {float(fit.r2):.2f}): check stabilisation")
    return PressureDecay(
        leak_rate=q,
        leak_limit_ratio=ratio,
        decay_rate=slope,
        decay_rate_se=float(fit.se_slope),
        test_volume=float(test_volume),
        limit=float(limit) if limit else float("nan"),
        passed=bool(ratio <= 1) if limit else True,
        n=int(fit.n),
        caveats=tuple(notes),
    )


def read_extractables(source: object, *, filename: str) -> Any:
    """One row per compound: text ``compound`` and ``concentration`` [µg/mL]."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = (
        ColumnSpec(
            "concentration",
            "ug/mL",
            ("concentration", "conc", "amount", "result", "estimatedconcentration"),
            "µg/mL, ng/mL, mg/L",
            low=0.0,
        ),
    )
    return io.read_table(
        source,  # type: ignore[arg-type]
        filename=filename,
        columns=columns,
        min_rows=1,
        text_columns={"compound": ("compound", "name", "extractable", "leachable", "analyte")},
    )


def read_particulates(source: object, *, filename: str) -> Any:
    """One row per container: counts ``count_10um`` (≥ 10 µm) and ``count_25um`` (≥ 25 µm)."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    def count(name: str, size: str) -> ColumnSpec:
        heads = (
            "",
            "≥",
            ">=",
            ">",
            "count",
            "count≥",
            "count>=",
            "particles",
            "particles≥",
            "particles>=",
            "n",
        )
        keys = tuple(f"{h}{size}{u}" for h in heads for u in ("µm", "μm", "um", "micron"))
        return ColumnSpec(name, "", keys, "count per container", low=0.0, unitless=True)

    columns = (count("count_10um", "10"), count("count_25um", "25"))
    return io.read_table(source, filename=filename, columns=columns, min_rows=1)  # type: ignore[arg-type]


def read_pressure_decay(source: object, *, filename: str) -> Any:
    """A pressure-decay log: ``time`` [s] and ``pressure`` [mbar]."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = (
        ColumnSpec("time", "s", ("time", "t", "elapsedtime"), "s, min"),
        ColumnSpec("pressure", "mbar", ("pressure", "p", "testpressure"), "mbar, kPa, psi"),
    )
    return io.read_table(
        source,  # type: ignore[arg-type]
        filename=filename,
        columns=columns,
        increasing="time",
        min_rows=3,
    )
