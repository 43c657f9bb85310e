"""Tangential-flow filtration and clearance: flux against transmembrane pressure (permeability,
critical and limiting flux), sieving coefficient, and log reduction of impurities and viruses
with results below the detection limit.

Units: pressures bar, flux L/(m²·h) (LMH), permeability LMH/bar, concentrations any one unit per
analyte. References: Cheryan, *Ultrafiltration and Microfiltration Handbook* (1998) ch. 4–5;
Field, Wu, Howell & Gupta, J Membr Sci 100:259 (1995) and Bacchin, Aimar & Field, J Membr Sci
281:42 (2006) on critical flux; van Reis & Zydney, J Membr Sci 297:16 (2007) on sieving; ICH
Q5A(R2) (2023) §6 and PDA TR 41 on clearance (LRV).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result
from bioproof.analysis.stats import saturating_fit, t_quantile

ArrayLike = Sequence[float] | np.ndarray

#: Where the saturating curve falls 10 % below its initial slope: (1 − e^−x)/x = 0.9
CRITICAL_X = 0.2145557412713
#: Where the curve reaches 90 % of the limiting flux: 1 − e^−x = 0.9
KNEE_X = math.log(10.0)


def transmembrane_pressure(
    feed: ArrayLike, retentate: ArrayLike, permeate: ArrayLike | float = 0.0
) -> np.ndarray:
    """``TMP = (P_feed + P_retentate)/2 − P_permeate`` [bar] (Cheryan 1998, §4.2)."""
    return (np.asarray(feed, float) + np.asarray(retentate, float)) / 2 - np.asarray(
        permeate, float
    )


@dataclass(frozen=True)
class FluxCurve(Result):
    """Fit of ``J = J_lim·(1 − e^(−L_p·TMP/J_lim))``: permeability L_p [LMH/bar] and limiting
    flux J_lim [LMH] with confidence intervals, the critical flux [LMH] and its TMP [bar]
    (10 % below the initial line), and the TMP where J reaches 90 % of J_lim."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("tff_permeability", "critical_flux", "limiting_flux")

    tff_permeability: float
    tff_permeability_ci_low: float
    tff_permeability_ci_high: float
    limiting_flux: float
    limiting_flux_ci_low: float
    limiting_flux_ci_high: float
    critical_flux: float
    critical_tmp: float
    knee_tmp: float
    r2: float
    n: int
    caveats: tuple[str, ...]


def flux_curve(tmp: ArrayLike, flux: ArrayLike, *, confidence: float = 0.95) -> FluxCurve:
    """Flux–TMP curve of a TFF membrane at constant cross-flow.

    Model ``J = J_lim·(1 − e^(−k·TMP))``: a straight line of slope ``L_p = J_lim·k`` at low
    TMP (pressure-controlled) that bends into the limiting flux ``J_lim`` (mass-transfer
    controlled; Cheryan 1998 §5.2). Fitted by least squares: J_lim in closed form for each k on
    a log grid, then Gauss–Newton on (J_lim, k); intervals ``± t_{(1+c)/2, n−2}·se`` from
    ``s²(JᵀJ)⁻¹`` (L_p by the delta method). The critical flux — operationally, where the
    curve has fallen 10 % below the line ``L_p·TMP`` (Field et al. 1995; Bacchin et al. 2006,
    weak form) — is at ``TMP_c = 0.21456/k``, ``J_c = 0.9·L_p·TMP_c``; the knee (90 % of
    J_lim) at ``ln 10 / k``. Units: TMP bar (``transmembrane_pressure``), flux LMH. A curve
    that stays straight has no limiting flux in range (NaN, caveat); L_p then comes from the
    line through the origin. Better: higher.
    """
    x, j = np.asarray(tmp, dtype=float), np.asarray(flux, dtype=float)
    if x.shape != j.shape or x.ndim != 1 or x.size < 4:
        raise InputError("TMP and flux must be equally long series of at least 4 points")
    if not (np.isfinite(x).all() and np.isfinite(j).all()) or (x <= 0).any() or (j < 0).any():
        raise InputError("TMP must be positive and flux ≥ 0, without gaps", column="tmp")
    if np.ptp(x) <= 0:
        raise InputError("TMP must vary between the points", column="tmp")
    if not 0 < confidence < 1:
        raise InputError("the confidence level must lie between 0 and 1")
    fit = saturating_fit(x, j)
    notes = []
    nan = float("nan")
    if fit.linear:  # straight: no bend within the tested range
        t1 = t_quantile((1 + confidence) / 2, x.size - 1)
        lp, half = fit.slope, t1 * fit.slope_se
        notes.append("flux rises linearly with TMP: no limiting flux within the tested range")
        return FluxCurve(
            lp,
            lp - half,
            lp + half,
            nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            fit.r2,
            int(x.size),
            tuple(notes),
        )
    tq = t_quantile((1 + confidence) / 2, fit.dof)
    a, k, cov, r2 = fit.a, fit.k, fit.cov, fit.r2
    lp = a * k
    grad = np.array([k, a])
    se_lp = math.sqrt(max(float(grad @ cov @ grad), 0.0))
    se_a = math.sqrt(max(float(cov[0, 0]), 0.0))
    if r2 < 0.95:
        notes.append(f"the saturating flux curve fits poorly (R² = {r2:.3f})")
    if KNEE_X / k > x.max():
        notes.append(
            "the flux is still rising at the highest TMP: the limiting flux is extrapolated"
        )
    return FluxCurve(
        tff_permeability=lp,
        tff_permeability_ci_low=lp - tq * se_lp,
        tff_permeability_ci_high=lp + tq * se_lp,
        limiting_flux=a,
        limiting_flux_ci_low=a - tq * se_a,
        limiting_flux_ci_high=a + tq * se_a,
        critical_flux=0.9 * lp * CRITICAL_X / k,
        critical_tmp=CRITICAL_X / k,
        knee_tmp=KNEE_X / k,
        r2=r2,
        n=int(x.size),
        caveats=tuple(notes),
    )


@dataclass(frozen=True)
class Sieving(Result):
    """Observed sieving coefficient (mean of the time points, with its SD), the values per time
    point and the observed retention ``1 − S`` [%]."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("sieving_coefficient",)

    sieving_coefficient: float
    sieving_sd: float
    retention: float
    values: tuple[float, ...]
    caveats: tuple[str, ...]


def sieving_coefficient(feed: ArrayLike, permeate: ArrayLike) -> Sieving:
    """Observed sieving coefficient ``S_i = C_permeate,i / C_feed,i`` per time point and its
    mean ``S = Σ S_i / n`` (van Reis & Zydney 2007; Cheryan 1998 §4.4); retention
    ``R = (1 − S)·100 %``. Concentrations in one unit (sampled at the same times). For the
    product of a UF/DF step lower S is better (less loss); for an impurity to be cleared,
    higher — so the KPI is a target."""
    cf, cp = np.asarray(feed, dtype=float), np.asarray(permeate, dtype=float)
    if cf.shape != cp.shape or cf.ndim != 1 or cf.size < 1:
        raise InputError("feed and permeate need one concentration each per time point")
    if not (np.isfinite(cf).all() and np.isfinite(cp).all()) or (cf <= 0).any() or (cp < 0).any():
        raise InputError("feed concentrations must be positive, permeate ≥ 0", column="feed")
    s = cp / cf
    notes = []
    if (s > 1).any():
        notes.append("a permeate above its feed (S > 1): check the sampling times and the assay")
    mean = float(s.mean())
    sd = float(s.std(ddof=1)) if s.size > 1 else float("nan")
    if s.size > 2 and sd > 0.2 * max(mean, 1e-12):
        notes.append("S varies by more than 20 % between time points (polarisation or fouling)")
    return Sieving(mean, sd, (1 - mean) * 100, tuple(s.tolist()), tuple(notes))


#: Clearance analytes: KPI key → name keywords (lower case, matched as substrings).
ANALYTES = {
    "lrv_hcp": ("hcp", "hostcellprotein", "host cell protein"),
    "lrv_dna": ("dna",),
    "lrv_virus": (
        "virus",
        "mvm",
        "mulv",
        "xmulv",
        "prv",
        "reo",
        "phage",
        "pp7",
        "phix",
        "φx",
        "aav",
        "sv40",
        "bvdv",
        "tcid",
        "pfu",
    ),
}


@dataclass(frozen=True)
class Clearance(Result):
    """LRV per analyte class [log10] (the lowest when an analyte class has several rows), whether
    each is a lower bound (product below detection), and every row's LRV."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("lrv_hcp", "lrv_dna", "lrv_virus")

    lrv_hcp: float
    lrv_dna: float
    lrv_virus: float
    censored: dict[str, bool]
    rows: tuple[dict[str, Any], ...]
    caveats: tuple[str, ...]


def log_reductions(
    load_concentration: ArrayLike,
    load_volume: ArrayLike,
    product_concentration: ArrayLike,
    product_volume: ArrayLike,
    detection_limit: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised ``LRV = log10(C_in·V_in / (C_out·V_out))`` (ICH Q5A(R2) §6; PDA TR 41) and
    whether each is censored: a product concentration at or below its ``detection_limit`` (or
    0 with a limit) is replaced by the limit, and the LRV is then a lower bound (≥)."""
    c_in, v_in, c_out, v_out = (
        np.asarray(a, dtype=float)
        for a in (load_concentration, load_volume, product_concentration, product_volume)
    )
    lod = (
        np.full(c_out.shape, np.nan)
        if detection_limit is None
        else np.asarray(detection_limit, float)
    )
    censored = np.isfinite(lod) & (c_out <= lod)
    c_used = np.where(censored, lod, c_out)
    if (c_in <= 0).any() or (v_in <= 0).any() or (v_out <= 0).any():
        raise InputError("load concentration and both volumes must be positive")
    if (c_used <= 0).any():
        raise InputError("a product concentration is 0: give the assay's detection limit (LOD)")
    return np.log10(c_in * v_in / (c_used * v_out)), censored


def clearance(
    analytes: Sequence[str],
    load_concentration: ArrayLike,
    load_volume: ArrayLike,
    product_concentration: ArrayLike,
    product_volume: ArrayLike,
    detection_limit: ArrayLike | None = None,
) -> Clearance:
    """Clearance of HCP, DNA and viruses over one step: :func:`log_reductions` per row, grouped
    by analyte class (names matched by :data:`ANALYTES`; the lowest LRV of a class is its KPI,
    the conservative choice). Concentrations in one unit per row (ng/mL, pg/mL, TCID50/mL …),
    volumes in one unit. Censored results are reported as ``≥``. Better: higher."""
    names = [str(a).strip() for a in analytes]
    lrv, censored = log_reductions(
        load_concentration, load_volume, product_concentration, product_volume, detection_limit
    )
    if lrv.shape != (len(names),):
        raise InputError("one analyte name per row")
    classes = []
    for i, name in enumerate(names):
        key = name.lower().replace("-", "").replace("_", "")
        match = next((k for k, words in ANALYTES.items() if any(w in key for w in words)), None)
        if match is None:
            raise InputError(
                N_("analyte '%(name)s' is not HCP, DNA or a virus (e.g. MVM, X-MuLV, PP7)"),
                params={"name": name},
                row=i + 2,
                column="analyte",
            )
        classes.append(match)
    out: dict[str, float] = {}
    flags: dict[str, bool] = {}
    notes = []
    for key in ANALYTES:
        idx = [i for i, c in enumerate(classes) if c == key]
        if not idx:
            out[key] = float("nan")
            continue
        low = min(idx, key=lambda i: lrv[i])
        out[key], flags[key] = float(lrv[low]), bool(censored[low])
        if censored[low]:
            notes.append(f"{names[low]}: product below detection, LRV ≥ {lrv[low]:.2f}")
    rows = tuple(
        {"analyte": n, "class": c, "lrv": float(v), "censored": bool(f)}
        for n, c, v, f in zip(names, classes, lrv, censored, strict=True)
    )
    return Clearance(**out, censored=flags, rows=rows, caveats=tuple(notes))


def _pressure(name: str, aliases: tuple[str, ...], **extra: Any) -> Any:
    from bioproof.analysis.units import ColumnSpec

    return ColumnSpec(name, "bar", aliases, "bar, kPa, psi", required=False, **extra)


def read_tff_flux(source: object, *, filename: str) -> Any:
    """Flux–TMP excursion: ``flux`` [LMH] with ``tmp`` [bar], or the ``feed``, ``retentate``
    and (optional, default 0) ``permeate`` pressures [bar] from which TMP is computed."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = (
        _pressure("tmp", ("tmp", "transmembranepressure")),
        _pressure("feed_pressure", ("feedpressure", "pfeed", "inletpressure", "pf")),
        _pressure("retentate_pressure", ("retentatepressure", "pretentate", "outletpressure")),
        _pressure(
            "permeate_pressure", ("permeatepressure", "ppermeate", "filtratepressure"), fill=0.0
        ),
        ColumnSpec(
            "flux", "L/m**2/h", ("flux", "permeateflux", "filtrateflux"), "LMH, L/(m^2*h)", low=0.0
        ),
    )
    frame = io.read_table(source, filename=filename, columns=columns, min_rows=4)  # type: ignore[arg-type]
    if "tmp" not in frame.columns:
        if not {"feed_pressure", "retentate_pressure"} <= set(frame.columns):
            raise InputError(
                "give a TMP column, or Feed pressure and Retentate pressure (and Permeate "
                "pressure, default 0)",
                file=filename,
                row=1,
            )
        permeate = frame["permeate_pressure"] if "permeate_pressure" in frame.columns else 0.0
        frame["tmp"] = transmembrane_pressure(
            frame["feed_pressure"], frame["retentate_pressure"], permeate
        )
    if (frame["tmp"].to_numpy() <= 0).any():
        raise InputError("TMP must be positive at every point", file=filename, column="tmp")
    return frame


def read_sieving(source: object, *, filename: str) -> Any:
    """Paired samples: ``feed`` and ``permeate`` concentrations [g/L] (optional ``time`` [h])."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = (
        ColumnSpec("time", "h", ("time", "t"), "min, h", required=False),
        ColumnSpec(
            "feed",
            "g/L",
            ("feed", "feedconcentration", "retentate", "retentateconcentration", "cf", "cb"),
            "g/L, mg/mL",
            low=0.0,
        ),
        ColumnSpec(
            "permeate",
            "g/L",
            ("permeate", "permeateconcentration", "filtrate", "cp"),
            "g/L, mg/mL",
            low=0.0,
        ),
    )
    return io.read_table(source, filename=filename, columns=columns, increasing="time", min_rows=1)  # type: ignore[arg-type]


def read_clearance(source: object, *, filename: str) -> Any:
    """One row per analyte: text ``analyte`` (HCP, DNA, a virus), ``load_concentration``,
    ``load_volume`` [mL], ``product_concentration``, ``product_volume`` [mL] and optional
    ``lod``; the three concentrations of a row in one unit (as given, e.g. ng/mL or
    TCID50/mL)."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    def conc(name: str, aliases: tuple[str, ...], **extra: Any) -> ColumnSpec:
        return ColumnSpec(
            name, "", aliases, "ng/mL, pg/mL, TCID50/mL", low=0.0, unitless=True, **extra
        )

    columns = (
        conc("load_concentration", ("loadconcentration", "load", "challenge", "cin", "loadtiter")),
        ColumnSpec("load_volume", "mL", ("loadvolume", "vin", "challengevolume"), "mL, L", low=0.0),
        conc(
            "product_concentration",
            ("productconcentration", "product", "eluate", "filtrate", "cout", "producttiter"),
        ),
        ColumnSpec(
            "product_volume",
            "mL",
            ("productvolume", "vout", "eluatevolume", "filtratevolume"),
            "mL, L",
            low=0.0,
        ),
        conc(
            "lod", ("lod", "detectionlimit", "limitofdetection"), required=False, allow_empty=True
        ),
    )
    return io.read_table(
        source,  # type: ignore[arg-type]
        filename=filename,
        columns=columns,
        min_rows=1,
        text_columns={"analyte": ("analyte", "impurity", "species", "virus", "test")},
    )
