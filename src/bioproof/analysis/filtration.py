"""Normal-flow filtration sizing: Vmax/Qi (constant pressure), Pmax (constant flow), flux
decay, required filter area, and log reduction value.

Units: time h, filtrate volume L, area m², flux L/(m²·h) (LMH), capacity L/m²; pressures in any
one unit. References: Badmington, Wilkins, Payne & Honig, *Vmax testing for practical
microfiltration train scale-up in biopharmaceutical processing*, Pharm Technol 19:64 (1995);
Zydney & Ho, Desalination 146:75 (2002); Hermia, Trans IChemE 60:183 (1982); PDA TR 26
(sterilizing filtration of liquids); PDA TR 41 and ICH Q5A(R2) (virus filtration, LRV).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result
from bioproof.analysis.stats import line_fit

ArrayLike = Sequence[float] | np.ndarray


def _series(x: ArrayLike, y: ArrayLike, names: tuple[str, str], minimum: int = 3) -> tuple:
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size < minimum:
        raise InputError(
            N_("%(first)s and %(second)s must be equally long series (%(minimum)s+)"),
            params={"first": names[0], "second": names[1], "minimum": minimum},
        )
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise InputError(
            N_("%(first)s and %(second)s must not contain gaps"),
            params={"first": names[0], "second": names[1]},
        )
    if (np.diff(a) <= 0).any():
        raise InputError(
            N_("%(name)s must increase strictly"), column=names[0], params={"name": names[0]}
        )
    return a, b


def _positive(area: float) -> float:
    if not area > 0:
        raise InputError("the filter area must be positive")
    return float(area)


@dataclass(frozen=True)
class VmaxResult(Result):
    """Vmax [L/m²], Qi [L/(m²·h)] and the fit quality (R², points used)."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("vmax", "qi")

    vmax: float
    qi: float
    r2: float
    n: int
    area: float
    caveats: tuple[str, ...]


def vmax(time: ArrayLike, volume: ArrayLike, *, area: float) -> VmaxResult:
    """Vmax and Qi from a constant-pressure test (standard/pore-constriction blocking).

    ``t/V = 1/Qᵢ + t/V_max``: a straight-line fit of ``t/V`` against ``t`` gives
    ``V_max = 1/slope`` and ``Qᵢ = 1/intercept``, both divided by the test ``area``
    (Badmington et al. 1995; Zydney & Ho 2002). ``time`` [h] and cumulative filtrate ``volume``
    [L] (points at t = 0 or V = 0 are skipped), ``area`` [m²]; Vmax in L/m², Qi in L/(m²·h).
    """
    t, v = _series(time, volume, ("time", "volume"))
    area = _positive(area)
    keep = (t > 0) & (v > 0)
    if keep.sum() < 3:
        raise InputError("needs at least 3 points with time and volume above 0")
    fit = line_fit(t[keep], t[keep] / v[keep])
    slope, intercept = float(fit.slope), float(fit.intercept)
    notes = []
    if slope <= 0:
        notes.append("t/V does not rise with t: no plugging seen, Vmax is not defined")
    if intercept <= 0:
        notes.append("the intercept is not positive: Qi is not defined")
    if fit.r2 < 0.98:
        notes.append(
            f"t/V vs t is not linear (R² = {fit.r2:.3f}): another blocking law (cake or "
            f"intermediate) may govern; size with care"
        )
    return VmaxResult(
        vmax=1.0 / slope / area if slope > 0 else float("nan"),
        qi=1.0 / intercept / area if intercept > 0 else float("nan"),
        r2=float(fit.r2),
        n=int(fit.n),
        area=area,
        caveats=tuple(notes),
    )


@dataclass(frozen=True)
class PmaxResult(Result):
    """Constant-flow sizing: Vmax [L/m²] and throughput at ``max_pressure`` [L/m²]."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("vmax", "capacity_at_pmax")

    vmax: float
    capacity_at_pmax: float
    max_pressure: float
    initial_pressure: float
    r2: float
    caveats: tuple[str, ...]


def pmax(
    volume: ArrayLike,
    pressure: ArrayLike,
    *,
    area: float,
    max_pressure: float,
    initial_pressure: float | None = None,
) -> PmaxResult:
    """Pmax analysis of a constant-flow test (standard blocking).

    At constant flow the standard blocking law gives ``√(P₀/P) = 1 − v/V_max`` with
    ``v = V/A`` (Hermia 1982; Zydney & Ho 2002). A straight-line fit ``√(P₀/P) = a + b·v``
    gives ``V_max = −a/b`` and the throughput at the pressure limit
    ``v(P_max) = (√(P₀/P_max) − a)/b``. ``volume`` [L], ``pressure`` and ``max_pressure`` in one
    unit, ``initial_pressure`` P₀ (default the first reading), ``area`` [m²]; results L/m².
    """
    vol, p = _series(volume, pressure, ("volume", "pressure"))
    area = _positive(area)
    p0 = float(p[0] if initial_pressure is None else initial_pressure)
    if not p0 > 0 or (p <= 0).any() or not max_pressure > p0:
        raise InputError("pressures must be positive and the maximum above the initial pressure")
    fit = line_fit(vol / area, np.sqrt(p0 / p))
    a, b = float(fit.intercept), float(fit.slope)
    notes = []
    if b >= 0:
        notes.append("pressure does not rise with throughput: no plugging seen")
        vm = cap = float("nan")
    else:
        vm = -a / b
        cap = (np.sqrt(p0 / max_pressure) - a) / b
        if cap > vol[-1] / area * 2:
            notes.append("the pressure limit lies far beyond the tested throughput: extrapolated")
    if fit.r2 < 0.98:
        notes.append(f"√(P₀/P) vs V is not linear (R² = {fit.r2:.3f}): standard blocking doubtful")
    return PmaxResult(float(vm), float(cap), float(max_pressure), p0, float(fit.r2), tuple(notes))


@dataclass(frozen=True)
class FluxDecay(Result):
    """Initial and final flux [L/(m²·h)] and the flux decay [%] over the run."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("flux_initial", "flux_final", "flux_decay")

    flux_initial: float
    flux_final: float
    flux_decay: float
    flux: tuple[float, ...]
    caveats: tuple[str, ...]


def flux_decay(time: ArrayLike, volume: ArrayLike, *, area: float) -> FluxDecay:
    """Flux per interval ``J_i = (V_{i+1} − V_i)/((t_{i+1} − t_i)·A)`` and the decay
    ``(1 − J_last/J_first) × 100`` of a constant-pressure run (Badmington et al. 1995).
    ``time`` [h], cumulative ``volume`` [L], ``area`` [m²]; flux in L/(m²·h)."""
    t, v = _series(time, volume, ("time", "volume"), minimum=2)
    area = _positive(area)
    flux = np.diff(v) / np.diff(t) / area
    notes = []
    if (flux < 0).any():
        raise InputError("cumulative filtrate volume must not decrease", column="volume")
    if flux[0] == 0:
        raise InputError("no filtrate in the first interval: the initial flux is 0")
    decay = (1.0 - flux[-1] / flux[0]) * 100
    if decay < 0:
        notes.append("the flux rose during the run: check the pressure control")
    return FluxDecay(
        float(flux[0]), float(flux[-1]), float(decay), tuple(flux.tolist()), tuple(notes)
    )


@dataclass(frozen=True)
class FilterArea(Result):
    """Required filter area [m²] with its capacity- and flux-limited parts (before the safety
    factor) and the safety factor applied."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("required_area",)

    required_area: float
    capacity_area: float
    flux_area: float
    safety_factor: float
    caveats: tuple[str, ...]


def filter_area(
    batch_volume: float,
    *,
    vmax: float,
    qi: float | None = None,
    process_time: float | None = None,
    safety_factor: float = 1.5,
) -> FilterArea:
    """Filter area for a batch from Vmax/Qi sizing.

    Integrated standard-blocking model per unit area ``v(t) = t/(1/Qᵢ + t/V_max)``, so
    ``A = SF · V_batch · (1/V_max + 1/(Qᵢ·t_process))``; without ``qi`` and ``process_time``
    only the capacity term ``V_batch/V_max`` is used (Badmington et al. 1995; PDA TR 26
    recommends a safety factor, commonly 1.5–2). ``batch_volume`` [L], ``vmax`` [L/m²], ``qi``
    [L/(m²·h)], ``process_time`` [h]; area in m².
    """
    if not batch_volume > 0 or not vmax > 0 or not safety_factor >= 1:
        raise InputError("batch volume and Vmax must be positive and the safety factor ≥ 1")
    capacity = batch_volume / vmax
    flux = 0.0
    notes = []
    if (qi is None) != (process_time is None):
        raise InputError("give both qi and process_time, or neither")
    if qi is not None and process_time is not None:
        if not qi > 0 or not process_time > 0:
            raise InputError("qi and process time must be positive")
        flux = batch_volume / (qi * process_time)
    else:
        notes.append("no process time given: area from capacity only (unlimited time)")
    return FilterArea(
        required_area=safety_factor * (capacity + flux),
        capacity_area=capacity,
        flux_area=flux,
        safety_factor=float(safety_factor),
        caveats=tuple(notes),
    )


@dataclass(frozen=True)
class LogReduction(Result):
    """Log reduction value; ``censored`` = the filtrate was below detection, so LRV is ≥."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("lrv",)

    lrv: float
    censored: bool
    challenge_load: float
    filtrate_load: float
    caveats: tuple[str, ...]


def log_reduction(
    challenge_titre: float,
    filtrate_titre: float,
    *,
    challenge_volume: float = 1.0,
    filtrate_volume: float = 1.0,
    detection_limit: float | None = None,
) -> LogReduction:
    """``LRV = log10((C_challenge·V_challenge)/(C_filtrate·V_filtrate))`` (PDA TR 41; ICH
    Q5A(R2) §6). Titres in one unit (e.g. TCID50/mL, pfu/mL, CFU/mL), volumes in one unit.
    A filtrate titre at or below ``detection_limit`` (or 0) is replaced by the limit and the
    LRV is reported as a lower bound (``censored``)."""
    values = (challenge_titre, filtrate_titre, challenge_volume, filtrate_volume)
    if any(not np.isfinite(x) or x < 0 for x in values):
        raise InputError("titres and volumes must be numbers ≥ 0")
    if not challenge_titre > 0 or not challenge_volume > 0 or not filtrate_volume > 0:
        raise InputError("the challenge titre and both volumes must be positive")
    censored = False
    filtrate = float(filtrate_titre)
    if detection_limit is not None and filtrate <= detection_limit:
        filtrate, censored = float(detection_limit), True
    if filtrate <= 0:
        raise InputError("the filtrate titre is 0: give the assay's detection limit")
    load_c = challenge_titre * challenge_volume
    load_f = filtrate * filtrate_volume
    notes = ["filtrate below detection: LRV is a lower bound (≥)"] if censored else []
    return LogReduction(float(np.log10(load_c / load_f)), censored, load_c, load_f, tuple(notes))


@dataclass(frozen=True)
class IntegrityTest(Result):
    """Bubble point [pressure unit of the input] by the two-line method and the diffusive gas
    flow [flow unit] at the test pressure."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("bubble_point", "diffusion_flow")

    bubble_point: float
    diffusion_flow: float
    test_pressure: float
    diffusion_slope: float
    bulk_slope: float
    split: int
    caveats: tuple[str, ...]


def integrity_test(
    pressure: ArrayLike, gas_flow: ArrayLike, *, test_pressure: float | None = None
) -> IntegrityTest:
    """Filter integrity from an upstream-pressure ramp with the gas flow through the wetted
    membrane (PDA TR 26 (2008) §6; ASTM F316-03; Jornitz & Meltzer, *Filtration and
    Purification in the Biopharmaceutical Industry*, 3rd ed., ch. 9).

    Below the bubble point gas crosses by diffusion and the flow rises slowly and linearly with
    pressure; above it the largest pores open and bulk flow rises steeply. The readings are split
    into two straight lines at the point that minimises the total squared error (each line ≥ 3
    readings); the bubble point is where they meet, ``P_B = (a₂ − a₁)/(b₁ − b₂)``. The diffusive
    flow at ``test_pressure`` (usually 80 % of the specified bubble point) is read from the
    first line. Units: pressure and flow as given (bar, mL/min).
    """
    p, q = _series(pressure, gas_flow, ("pressure", "gas flow"), minimum=6)
    if (q < 0).any():
        raise InputError("gas flows cannot be negative", column="gas flow")
    n = p.size
    if n < 6:
        raise InputError("the pressure ramp needs at least 6 readings")

    def sums(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Cumulative n, Σx, Σy, Σx², Σxy, Σy² over the first k readings (k = 0 … n)."""
        parts = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y])
        return np.hstack([np.zeros((6, 1)), np.cumsum(parts, axis=1)])

    def fit(c: np.ndarray) -> tuple[np.ndarray, ...]:
        m, sx, sy, sxx, sxy, syy = c
        with np.errstate(divide="ignore", invalid="ignore"):
            vxx, vxy, vyy = sxx - sx * sx / m, sxy - sx * sy / m, syy - sy * sy / m
            slope = vxy / vxx
            return slope, (sy - slope * sx) / m, np.maximum(vyy - slope * vxy, 0.0)

    x0 = p.mean()  # centred sums keep the cumulative arithmetic accurate
    forward = sums(p - x0, q)
    total = forward[:, -1:]
    k = np.arange(3, n - 2)  # each line ≥ 3 readings
    b1s, a1s, e1 = fit(forward[:, k])
    b2s, a2s, e2 = fit(total - forward[:, k])
    sse = np.where(np.isfinite(e1 + e2), e1 + e2, np.inf)
    if not np.isfinite(sse).any():
        raise InputError("the pressure ramp does not split into a diffusion and a bulk-flow line")
    best = int(np.argmin(sse))
    k = int(k[best])
    b1, b2 = float(b1s[best]), float(b2s[best])
    a1, a2 = float(a1s[best]) - b1 * x0, float(a2s[best]) - b2 * x0
    notes = []
    if not b2 > 2 * max(b1, 0):
        notes.append("no clear rise of bulk flow: the bubble point was not reached")
        bubble = float("nan")
    else:
        bubble = (a2 - a1) / (b1 - b2)
        if not p[k - 1] <= bubble <= p[k]:
            notes.append("the two lines meet outside the readings between them: check the ramp")
    diffusion = float("nan")
    if test_pressure is not None:
        if np.isfinite(bubble) and test_pressure >= bubble:
            notes.append("the test pressure is at or above the bubble point: no diffusion value")
        else:
            diffusion = a1 + b1 * float(test_pressure)
    return IntegrityTest(
        bubble_point=float(bubble),
        diffusion_flow=float(diffusion),
        test_pressure=float("nan") if test_pressure is None else float(test_pressure),
        diffusion_slope=b1,
        bulk_slope=b2,
        split=int(k),
        caveats=tuple(notes),
    )


def water_viscosity(temperature: float | np.ndarray) -> float | np.ndarray:
    """Dynamic viscosity of water [Pa·s] by the Vogel equation
    ``μ = 2.414e-5 · 10^(247.8/(T − 140))`` with T in K (0–100 °C within 2.5 %; 1.002 mPa·s at
    20 °C). ``temperature`` in °C."""
    return 2.414e-5 * 10 ** (247.8 / (np.asarray(temperature, dtype=float) + 273.15 - 140.0))


@dataclass(frozen=True)
class WaterPermeability(Result):
    """Clean-water permeability [L/(m²·h·bar)] at 20 °C, the value at the test temperature and
    the R² of the line through the origin."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("water_permeability",)

    water_permeability: float
    permeability_at_temperature: float
    temperature: float
    r2: float
    caveats: tuple[str, ...]


def water_permeability(
    tmp: ArrayLike, flux: ArrayLike, *, temperature: float = 20.0
) -> WaterPermeability:
    """Clean-water permeability ``L_p = Σ J·TMP / Σ TMP²`` (least-squares line through the
    origin of flux J [L/(m²·h)] against transmembrane pressure [bar]), corrected to 20 °C by the
    viscosity of water, ``L_p,20 = L_p,T · μ(T)/μ(20 °C)`` (Darcy's law; Cheryan, *Ultrafiltration
    and Microfiltration Handbook*, 1998, ch. 4; ASTM D5090)."""
    p, j = _series(tmp, flux, ("TMP", "flux"), minimum=3)
    if (p <= 0).any():
        raise InputError("transmembrane pressures must be positive", column="TMP")
    lp = float((j * p).sum() / (p * p).sum())
    sst = float(((j - j.mean()) ** 2).sum())
    r2 = 1 - float(((j - lp * p) ** 2).sum()) / sst if sst > 0 else 1.0
    notes = []
    if r2 < 0.98:
        notes.append(f"flux is not proportional to TMP (R² = {r2:.3f}): fouled or compressed")
    corrected = lp * float(water_viscosity(temperature) / water_viscosity(20.0))
    return WaterPermeability(corrected, lp, float(temperature), r2, tuple(notes))


def _integrity_columns() -> tuple:
    from bioproof.analysis.units import ColumnSpec

    return (
        ColumnSpec(
            "pressure",
            "bar",
            ("pressure", "p", "upstreampressure", "testpressure"),
            "bar, kPa, psi",
            low=0.0,
        ),
        ColumnSpec(
            "gas_flow",
            "mL/min",
            ("gasflow", "flow", "airflow", "diffusion", "diffusionflow"),
            "mL/min, L/min",
            low=0.0,
        ),
    )


def _permeability_columns() -> tuple:
    from bioproof.analysis.units import ColumnSpec

    return (
        ColumnSpec("tmp", "bar", ("tmp", "transmembranepressure", "pressure"), "bar, kPa, psi"),
        ColumnSpec("flux", "L/m**2/h", ("flux", "waterflux", "permeateflux"), "LMH, L/(m^2*h)"),
    )


def read_integrity(source: object, *, filename: str) -> object:
    """A pressure ramp: ``pressure`` [bar] and ``gas_flow`` [mL/min] through the wetted filter."""
    from bioproof.analysis import io

    return io.read_table(
        source,  # type: ignore[arg-type]
        filename=filename,
        columns=_integrity_columns(),
        increasing="pressure",
        min_rows=6,
    )


def read_permeability(source: object, *, filename: str) -> object:
    """Clean-water flux: ``tmp`` [bar] and ``flux`` [L/(m²·h)]."""
    from bioproof.analysis import io

    return io.read_table(
        source,  # type: ignore[arg-type]
        filename=filename,
        columns=_permeability_columns(),
        min_rows=3,
    )
