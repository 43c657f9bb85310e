"""Media and feeds: amino-acid specific rates by mass balance over several feeds of different
composition, the specific death rate from dead-cell accumulation, and product-quality
attributes compared as quality ranges.

Canonical units (as the rest of the engine): time h, cell densities cells/mL, culture and feed
volumes L, amino acids mmol/L, quality attributes %. Results: q_AA pmol/(cell·d), k_d 1/d.
References: Altamirano et al., Biotechnol Prog 17:1032 (2001) and Xing et al., Biotechnol Bioeng
103:733 (2009) on amino-acid rates in fed-batch; Goudar et al., Biotechnol Prog 21:1109 (2005)
and Doran (2013) §12.12 on the death rate; FDA draft guidance *Statistical Approaches to
Evaluate Analytical Similarity* (2017) and *Development of Therapeutic Protein Biosimilars:
Comparative Analytical Assessment* (2019) on quality ranges.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result
from bioproof.analysis.stats import line_fit

ArrayLike = Sequence[float] | np.ndarray

#: The 20 proteinogenic amino acids: key → (English name, Korean name, header aliases).
AMINO_ACIDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ala": ("Alanine", "알라닌", ("ala", "alanine", "a")),
    "arg": ("Arginine", "아르기닌", ("arg", "arginine", "r")),
    "asn": ("Asparagine", "아스파라긴", ("asn", "asparagine", "n")),
    "asp": ("Aspartate", "아스파르트산", ("asp", "aspartate", "asparticacid", "d")),
    "cys": ("Cysteine/cystine", "시스테인/시스틴", ("cys", "cysteine", "cystine", "cys2", "c")),
    "gln": ("Glutamine", "글루타민", ("gln", "glutamine", "q")),
    "glu": ("Glutamate", "글루탐산", ("glu", "glutamate", "glutamicacid", "e")),
    "gly": ("Glycine", "글리신", ("gly", "glycine", "g")),
    "his": ("Histidine", "히스티딘", ("his", "histidine", "h")),
    "ile": ("Isoleucine", "이소류신", ("ile", "isoleucine", "i")),
    "leu": ("Leucine", "류신", ("leu", "leucine", "l")),
    "lys": ("Lysine", "라이신", ("lys", "lysine", "k")),
    "met": ("Methionine", "메티오닌", ("met", "methionine", "m")),
    "phe": ("Phenylalanine", "페닐알라닌", ("phe", "phenylalanine", "f")),
    "pro": ("Proline", "프롤린", ("pro", "proline", "p")),
    "ser": ("Serine", "세린", ("ser", "serine", "s")),
    "thr": ("Threonine", "트레오닌", ("thr", "threonine")),
    "trp": ("Tryptophan", "트립토판", ("trp", "tryptophan", "w")),
    "tyr": ("Tyrosine", "티로신", ("tyr", "tyrosine", "y")),
    "val": ("Valine", "발린", ("val", "valine", "v")),
}

#: KPI key of each amino acid's specific consumption rate.
Q_KEYS = tuple(f"q_{aa}" for aa in AMINO_ACIDS)


@dataclass(frozen=True)
class AminoAcidRates(Result):
    """Specific consumption rate of each amino acid [pmol/(cell·d); negative = produced] as the
    slope of cumulative consumption against cumulative viable cells (NaN: not measured), its
    R², the cumulative amounts, and how much of each was fed [mmol]."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = Q_KEYS

    q_ala: float
    q_arg: float
    q_asn: float
    q_asp: float
    q_cys: float
    q_gln: float
    q_glu: float
    q_gly: float
    q_his: float
    q_ile: float
    q_leu: float
    q_lys: float
    q_met: float
    q_phe: float
    q_pro: float
    q_ser: float
    q_thr: float
    q_trp: float
    q_tyr: float
    q_val: float
    r2: dict[str, float]
    fed: dict[str, float]
    ivc: tuple[float, ...]
    consumed: dict[str, tuple[float, ...]]
    depleted: tuple[str, ...]
    caveats: tuple[str, ...]


def _interval_ivc(time_h: np.ndarray, vcd: np.ndarray, v_start: np.ndarray, v_end: np.ndarray):
    """Integral of viable cells ``∫Xv·V dt`` per interval [cells·d]: trapezoid of Xv·V with the
    volume just after the start's sample and feed and just before the end's sample (equal
    without evaporation: ``V_{i+1}``)."""
    xv = vcd * 1e3  # cells/L
    return (xv[:-1] * v_start + xv[1:] * v_end) / 2 * np.diff(time_h) / 24.0


def amino_acid_rates(
    time: ArrayLike,
    vcd: ArrayLike,
    volume: ArrayLike,
    concentrations: Mapping[str, ArrayLike],
    *,
    feeds: Mapping[str, tuple[ArrayLike, Mapping[str, ArrayLike | float]]] | None = None,
    depletion_limit: float = 0.1,
) -> AminoAcidRates:
    """Amino-acid specific rates of a fed-batch with several feeds of different composition.

    Samples at ``time`` [h] with ``vcd`` [cells/mL], culture ``volume`` [L] just before each
    sample, and amino-acid ``concentrations`` [mmol/L] (key → series; keys of
    :data:`AMINO_ACIDS`). ``feeds`` maps each feed's name to (volume added at each sample time,
    after sampling [L]; its composition [mmol/L], one number or a series per addition). Over
    the interval i → i+1 the culture starts with ``C_i·(V_{i+1} − ΣF_i) + Σ_f c_f,i·F_f,i`` —
    the sample taken at i leaves ``V_{i+1} − ΣF_i`` (no evaporation assumed) — and ends with
    ``C_{i+1}·V_{i+1}``; the difference is consumed. With cumulative consumption ``Q(t)`` and
    cumulative viable cells ``IVC(t) = Σ∫Xv·V dt`` (trapezoid), ``q_AA`` is the least-squares
    slope of Q against IVC (Altamirano et al. 2001; Xing et al. 2009), in pmol/(cell·d)
    (mmol/(10⁹ cells·d)); positive = consumed, negative = produced. An amino acid that falls
    below ``depletion_limit`` [mmol/L] is flagged (its rate is then supply-limited).
    Direction: target.
    """
    t = np.asarray(time, dtype=float)
    x = np.asarray(vcd, dtype=float)
    v = np.asarray(volume, dtype=float)
    n = t.size
    if t.ndim != 1 or n < 3 or x.shape != t.shape or v.shape != t.shape:
        raise InputError("needs time, VCD and volume at 3 or more samples")
    if not (np.isfinite(t).all() and np.isfinite(x).all() and np.isfinite(v).all()):
        raise InputError("time, VCD and volume must be given at every sample")
    if (np.diff(t) <= 0).any():
        raise InputError("sample times must increase strictly", column="time")
    if (x < 0).any() or (v <= 0).any():
        raise InputError("VCD must be ≥ 0 and volumes positive", column="volume")
    if not concentrations:
        raise InputError("no amino-acid column: add e.g. 'Gln [mM]'")
    unknown = set(concentrations) - set(AMINO_ACIDS)
    if unknown:
        raise InputError(
            N_("unknown amino acid(s): %(names)s"), params={"names": ", ".join(sorted(unknown))}
        )
    keys = list(concentrations)
    conc = np.empty((len(keys), n))
    for row, aa in enumerate(keys):
        series = np.asarray(concentrations[aa], dtype=float)
        if series.shape != t.shape:
            raise InputError(
                N_("%(name)s: one concentration per sample"), column=aa, params={"name": aa}
            )
        conc[row] = series
    if (conc < 0).any():
        bad = keys[int(np.flatnonzero((conc < 0).any(axis=1))[0])]
        raise InputError(
            N_("%(name)s: concentrations must be ≥ 0"), column=bad, params={"name": bad}
        )
    feed_total = np.zeros(n)
    feed_in = np.zeros((len(keys), n))  # mmol of each amino acid added after each sample
    for name, (added, composition) in (feeds or {}).items():
        f = np.asarray(added, dtype=float)
        if f.shape != t.shape or not np.isfinite(f).all() or (f < 0).any():
            raise InputError(
                N_("feed '%(name)s': one volume ≥ 0 per sample"), column=name, params={"name": name}
            )
        feed_total += f
        parts = [composition.get(aa, 0.0) for aa in keys]
        if all(isinstance(p, int | float) for p in parts):  # one composition for every addition
            c_f = np.asarray(parts, dtype=float)[:, None]
        else:
            c_f = np.stack([np.broadcast_to(np.asarray(p, float), t.shape) for p in parts])
        if not np.isfinite(c_f).all() or (c_f < 0).any():
            raise InputError(
                N_("feed '%(name)s': compositions must be ≥ 0 mmol/L"),
                column=name,
                params={"name": name},
            )
        feed_in += c_f * f
    kept = v[1:] - feed_total[:-1]  # culture left after sampling at i, before feeding
    if (kept <= 0).any():
        raise InputError(
            "the volumes and feeds do not balance: a volume after feeding is below the feed added"
        )
    notes = []
    if (kept > v[:-1] * (1 + 1e-9)).any():
        notes.append("the culture volume grows more than the feeds explain: check volumes")
    ivc = np.concatenate([[0.0], np.cumsum(_interval_ivc(t, x, v[1:], v[1:]))])
    complete = np.isfinite(conc).all(axis=1)
    notes += [
        f"{aa}: not measured at every sample, no rate (the balance needs each)"
        for aa, ok in zip(keys, complete, strict=True)
        if not ok
    ]
    # all amino acids at once: amount after sampling and feeding minus amount at the next sample
    start = conc[:, :-1] * kept + feed_in[:, :-1]
    step = start - conc[:, 1:] * v[1:]
    cumulative = np.concatenate([np.zeros((len(keys), 1)), np.cumsum(step, axis=1)], axis=1)
    fit = line_fit(ivc, cumulative)
    rates: dict[str, float] = {f"q_{aa}": float("nan") for aa in AMINO_ACIDS}
    r2: dict[str, float] = {}
    consumed_out: dict[str, tuple[float, ...]] = {}
    low = (conc < depletion_limit).any(axis=1)
    for row, aa in enumerate(keys):
        if complete[row]:
            rates[f"q_{aa}"] = float(fit.slope[row]) * 1e9  # mmol/(cell·d) → pmol/(cell·d)
            r2[aa] = float(fit.r2[row])
            consumed_out[aa] = tuple(cumulative[row].tolist())
    depleted = [aa for row, aa in enumerate(keys) if complete[row] and low[row]]
    if depleted:
        notes.append(
            f"depleted below {depletion_limit:.2g} mmol/L (rate supply-limited): "
            + ", ".join(depleted)
        )
    return AminoAcidRates(
        **rates,
        r2=r2,
        fed={aa: float(feed_in[row].sum()) for row, aa in enumerate(keys)},
        ivc=tuple(ivc.tolist()),
        consumed=consumed_out,
        depleted=tuple(depleted),
        caveats=tuple(notes),
    )


@dataclass(frozen=True)
class DeathRate(Result):
    """Specific death rate k_d [1/d] over the run (slope of cumulative dead cells against
    cumulative viable cells), the largest interval value and every interval's value."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("death_rate", "death_rate_max")

    death_rate: float
    death_rate_max: float
    intervals: tuple[float, ...]
    r2: float
    caveats: tuple[str, ...]


def death_rate(
    time: ArrayLike,
    vcd: ArrayLike,
    volume: ArrayLike,
    *,
    dead: ArrayLike | None = None,
    viability: ArrayLike | None = None,
    feed_volume: ArrayLike | None = None,
) -> DeathRate:
    """Specific death rate from dead-cell accumulation,
    ``k_d = d(X_d·V)/dt / (X_v·V)`` (Goudar et al. 2005; Doran 2013 §12.12), dead cells
    assumed not to lyse. Dead cells generated up to sample k:
    ``D_k = X_d,k·V_k + Σ_{i<k} X_d,i·S_i`` with the sample volume
    ``S_i = V_i + F_i − V_{i+1}`` (what sampling removed); ``k_d`` is the least-squares slope of
    D against the cumulative viable cells ``∫X_v·V dt`` (trapezoid), and per interval
    ``ΔD_i/Δ∫X_v·V``. ``dead`` [cells/mL] or ``viability`` [%] (``X_d = X_v(100/via − 1)``);
    time h, VCD cells/mL, volume L before each sample, ``feed_volume`` L added after it.
    Units 1/d; better: lower. Lysis makes k_d an underestimate (caveat when the dead-cell
    count falls).
    """
    t = np.asarray(time, dtype=float)
    x = np.asarray(vcd, dtype=float)
    v = np.asarray(volume, dtype=float)
    if t.ndim != 1 or t.size < 3 or x.shape != t.shape or v.shape != t.shape:
        raise InputError("needs time, VCD and volume at 3 or more samples")
    if dead is not None:
        xd = np.asarray(dead, dtype=float)
    elif viability is not None:
        via = np.asarray(viability, dtype=float)
        if (via <= 0).any() or (via > 100).any():
            raise InputError("viability must lie in (0, 100] %", column="viability")
        xd = x * (100.0 / via - 1.0)
    else:
        raise InputError("give dead-cell density or viability")
    if xd.shape != t.shape or not np.isfinite(xd).all() or (xd < 0).any():
        raise InputError("dead-cell density must be ≥ 0 at every sample", column="dead")
    f = np.zeros_like(t) if feed_volume is None else np.asarray(feed_volume, dtype=float)
    if (np.diff(t) <= 0).any() or (v <= 0).any() or f.shape != t.shape:
        raise InputError("times must increase and volumes be positive")
    sample = np.clip(v[:-1] + f[:-1] - v[1:], 0.0, None)
    removed = np.concatenate([[0.0], np.cumsum(xd[:-1] * 1e3 * sample)])  # cells
    generated = xd * 1e3 * v + removed
    ivc = np.concatenate([[0.0], np.cumsum(_interval_ivc(t, x, v[1:], v[1:]))])
    fit = line_fit(ivc, generated)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.diff(generated) / np.diff(ivc)
    notes = []
    if (np.diff(generated) < 0).any():
        notes.append("dead cells disappear between samples (lysis): k_d is underestimated")
    finite = per[np.isfinite(per)]
    return DeathRate(
        death_rate=float(fit.slope),
        death_rate_max=float(finite.max()) if finite.size else float("nan"),
        intervals=tuple(per.tolist()),
        r2=float(fit.r2),
        caveats=tuple(notes),
    )


#: Product-quality attributes: KPI key → (English, Korean, header aliases, better).
QUALITY_ATTRIBUTES: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "pqa_aggregates": (
        "Aggregates (HMW)",
        "응집체 (HMW)",
        ("aggregates", "hmw", "aggregate", "highmolecularweight", "sechmw"),
        "lower",
    ),
    "pqa_monomer": ("Monomer", "단량체", ("monomer", "secmonomer", "mainpeaksec"), "higher"),
    "pqa_acidic": (
        "Acidic variants",
        "산성 변이체",
        ("acidic", "acidicvariants", "apg", "acidicpeaks"),
        "target",
    ),
    "pqa_main": (
        "Main charge variant",
        "주 전하 변이체",
        ("main", "mainpeak", "mainvariant", "maincharge"),
        "target",
    ),
    "pqa_basic": (
        "Basic variants",
        "염기성 변이체",
        ("basic", "basicvariants", "bpg", "basicpeaks"),
        "target",
    ),
    "pqa_g0f": ("G0F glycan", "G0F 당쇄", ("g0f",), "target"),
    "pqa_g1f": ("G1F glycan", "G1F 당쇄", ("g1f",), "target"),
    "pqa_g2f": ("G2F glycan", "G2F 당쇄", ("g2f",), "target"),
    "pqa_man5": ("High mannose (Man5)", "고만노스 (Man5)", ("man5", "highmannose", "m5"), "target"),
    "pqa_afucosylated": (
        "Afucosylated glycans",
        "비푸코실화 당쇄",
        ("afucosylated", "afucosylation", "afuc", "g0"),
        "target",
    ),
    "pqa_sialylated": (
        "Sialylated glycans",
        "시알산화 당쇄",
        ("sialylated", "sialylation", "sialic"),
        "target",
    ),
}


@dataclass(frozen=True)
class QualityAttributes(Result):
    """Mean of each product-quality attribute over the rows of one run [%] (NaN: not
    measured) and the number of replicate rows."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = tuple(QUALITY_ATTRIBUTES)

    pqa_aggregates: float
    pqa_monomer: float
    pqa_acidic: float
    pqa_main: float
    pqa_basic: float
    pqa_g0f: float
    pqa_g1f: float
    pqa_g2f: float
    pqa_man5: float
    pqa_afucosylated: float
    pqa_sialylated: float
    replicates: int
    caveats: tuple[str, ...]


def quality_attributes(values: Mapping[str, ArrayLike]) -> QualityAttributes:
    """Per-run product-quality attributes: the mean of the replicate rows of each attribute
    [% of the total peak area] (SEC for aggregates and monomer, CEX/icIEF for charge variants,
    HILIC or CE-LIF for glycans). Sums above 100 % within a method are flagged."""
    unknown = set(values) - set(QUALITY_ATTRIBUTES)
    if unknown:
        raise InputError(
            N_("unknown quality attribute(s): %(names)s"),
            params={"names": ", ".join(sorted(unknown))},
        )
    if not values:
        raise InputError("no quality-attribute column (e.g. 'Aggregates [%]', 'G0F [%]')")
    out = {key: float("nan") for key in QUALITY_ATTRIBUTES}
    rows = 0
    for key, series in values.items():
        a = np.asarray(series, dtype=float)
        a = a[np.isfinite(a)]
        if a.size and ((a < 0).any() or (a > 100).any()):
            raise InputError(
                N_("%(name)s: percentages must lie within 0–100"), column=key, params={"name": key}
            )
        if a.size:
            out[key] = float(a.mean())
            rows = max(rows, int(a.size))
    notes = []
    for group, keys in (
        ("charge variants", ("pqa_acidic", "pqa_main", "pqa_basic")),
        ("SEC", ("pqa_aggregates", "pqa_monomer")),
    ):
        total = sum(out[k] for k in keys if np.isfinite(out[k]))
        if total > 100.5:
            notes.append(f"{group} add up to {total:.1f} % (> 100 %): check the integration")
    return QualityAttributes(**out, replicates=rows, caveats=tuple(notes))


@dataclass(frozen=True)
class QualityRanges(Result):
    """Quality-range verdict per attribute: the reference range, candidate values inside, and
    the overall verdict (every attribute passing)."""

    passed: bool
    k: float
    method: str
    min_fraction: float
    attributes: dict[str, dict[str, Any]]
    failing: tuple[str, ...]
    caveats: tuple[str, ...]


def quality_range_row(
    candidate: ArrayLike,
    reference: ArrayLike,
    *,
    k: float = 3.0,
    method: str = "sd",
    min_fraction: float = 0.9,
) -> dict[str, Any]:
    """One attribute's quality range (the core of :func:`quality_ranges`): the range
    ``[x̄_r − k·s_r, x̄_r + k·s_r]`` (``s_r`` with n − 1) or the reference ``[min, max]``, the
    candidate lots inside it (bounds included) and whether at least ``min_fraction`` are.
    Finite values only; needs ≥ 1 candidate and ≥ 2 reference lots. Units: the inputs'."""
    if method not in ("sd", "minmax"):
        raise InputError("method must be 'sd' (mean ± k·SD) or 'minmax'")
    if not k > 0 or not 0 < min_fraction <= 1:
        raise InputError("k must be positive and min_fraction within (0, 1]")
    c = np.asarray(candidate, dtype=float)
    r = np.asarray(reference, dtype=float)
    c, r = c[np.isfinite(c)], r[np.isfinite(r)]
    if c.size < 1 or r.size < 2:
        raise InputError("a quality range needs ≥ 1 candidate and ≥ 2 reference lots")
    mean, sd = float(r.mean()), float(r.std(ddof=1))
    if method == "sd":
        low, high = mean - k * sd, mean + k * sd
    else:
        low, high = float(r.min()), float(r.max())
    inside = (c >= low) & (c <= high)
    fraction = float(inside.mean())
    return {
        "low": low,
        "high": high,
        "reference_mean": mean,
        "reference_sd": sd,
        "n_candidate": int(c.size),
        "n_reference": int(r.size),
        "n_inside": int(inside.sum()),
        "fraction_inside": fraction,
        "passed": bool(fraction >= min_fraction),
    }


def quality_ranges(
    candidate: Mapping[str, ArrayLike],
    reference: Mapping[str, ArrayLike],
    *,
    k: float = 3.0,
    method: str = "sd",
    min_fraction: float = 0.9,
) -> QualityRanges:
    """Compare candidate lots with reference lots attribute by attribute (FDA 2017/2019 draft
    guidance on analytical similarity, tier 2 "quality range" approach).

    Range ``[x̄_r − k·s_r, x̄_r + k·s_r]`` (``method="sd"``; ``s_r`` with n − 1; k stated,
    commonly 2–4 by risk, 3 by default) or the reference ``[min, max]`` (``method="minmax"``);
    an attribute passes when at least ``min_fraction`` of the candidate lots lie inside
    (90 % by default, as FDA 2017). Units: the attributes' (%)."""
    if method not in ("sd", "minmax"):
        raise InputError("method must be 'sd' (mean ± k·SD) or 'minmax'")
    if not k > 0 or not 0 < min_fraction <= 1:
        raise InputError("k must be positive and min_fraction within (0, 1]")
    rows: dict[str, dict[str, Any]] = {}
    notes = []
    for key in sorted(set(candidate) & set(reference), key=list(QUALITY_ATTRIBUTES).index):
        c = np.asarray(candidate[key], dtype=float)
        r = np.asarray(reference[key], dtype=float)
        c, r = c[np.isfinite(c)], r[np.isfinite(r)]
        if c.size < 1 or r.size < 2:
            notes.append(f"{key}: needs ≥ 1 candidate and ≥ 2 reference lots; not compared")
            continue
        rows[key] = quality_range_row(c, r, k=k, method=method, min_fraction=min_fraction)
        if method == "sd" and r.size < 10:
            notes.append(f"{key}: range from {r.size} reference lots (10 or more advised)")
    if not rows:
        raise InputError("no attribute measured on both candidate and reference lots")
    failing = tuple(key for key, row in rows.items() if not row["passed"])
    return QualityRanges(
        passed=not failing,
        k=float(k),
        method=method,
        min_fraction=float(min_fraction),
        attributes=rows,
        failing=failing,
        caveats=tuple(notes),
    )


#: Molar masses of the amino acids [g/mol] (free acids; cysteine, not cystine), for columns
#: given in mass concentration.
AA_MOLAR_MASS = {
    "ala": 89.09,
    "arg": 174.20,
    "asn": 132.12,
    "asp": 133.10,
    "cys": 121.16,
    "gln": 146.14,
    "glu": 147.13,
    "gly": 75.07,
    "his": 155.15,
    "ile": 131.17,
    "leu": 131.17,
    "lys": 146.19,
    "met": 149.21,
    "phe": 165.19,
    "pro": 115.13,
    "ser": 105.09,
    "thr": 119.12,
    "trp": 204.23,
    "tyr": 181.19,
    "val": 117.15,
}

#: Stream names of culture samples in a feeds file (every other name is a feed).
CULTURE_NAMES = ("culture", "reactor", "bioreactor", "sample", "broth", "vessel")


def read_feeds(source: object, *, filename: str) -> Any:
    """A fed-batch log with its feeds, one row per event: text ``stream`` (Culture for a
    sample, otherwise the feed's name), ``time`` [h], ``volume`` [L] (culture volume before the
    sample, or the feed volume added), culture rows' ``vcd`` [cells/mL] and ``viability`` [%]
    or ``dead`` [cells/mL], and amino acids [mmol/L] (a culture row: measured; a feed row: that
    feed's composition; empty = 0 in a feed)."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    aliases = {aa: tuple(a for a in al if len(a) > 1) for aa, (_e, _k, al) in AMINO_ACIDS.items()}
    columns = (
        ColumnSpec("time", "h", ("time", "culturetime", "elapsedtime", "t"), "d, h, min"),
        ColumnSpec(
            "volume",
            "L",
            ("volume", "culturevolume", "feedvolume", "addedvolume"),
            "L, mL",
            low=0.0,
        ),
        ColumnSpec(
            "vcd",
            "cells/mL",
            ("vcd", "viablecelldensity", "xv"),
            "1e6 cells/mL",
            required=False,
            allow_empty=True,
            low=0.0,
        ),
        ColumnSpec(
            "viability",
            "percent",
            ("viability", "via"),
            "%",
            required=False,
            allow_empty=True,
            low=0.0,
            high=100.0,
        ),
        ColumnSpec(
            "dead",
            "cells/mL",
            ("dead", "deadcells", "deadcelldensity", "xd"),
            "1e6 cells/mL",
            required=False,
            allow_empty=True,
            low=0.0,
        ),
        *(
            ColumnSpec(
                aa,
                "mmol/L",
                aliases[aa],
                "mM, mmol/L, mg/L",
                required=False,
                allow_empty=True,
                low=0.0,
                molar_mass=AA_MOLAR_MASS[aa],
            )
            for aa in AMINO_ACIDS
        ),
    )
    frame = io.read_table(
        source,  # type: ignore[arg-type]
        filename=filename,
        columns=columns,
        min_rows=3,
        text_columns={"stream": ("stream", "source", "type", "event", "addition")},
    )
    culture = frame["stream"].map(lambda s: s.strip().lower() in CULTURE_NAMES).to_numpy()
    rows = frame.attrs.get("rows", [])
    if culture.sum() < 3:
        raise InputError("needs at least 3 culture rows (Stream = Culture)", file=filename, row=1)
    missing = culture & (frame["vcd"].isna().to_numpy() if "vcd" in frame.columns else True)
    if np.any(missing):
        first = int(np.flatnonzero(np.broadcast_to(missing, culture.shape))[0])
        raise InputError(
            "every culture row needs a VCD",
            file=filename,
            row=rows[first] if first < len(rows) else 1,
            column="vcd",
        )
    times = frame.loc[culture, "time"].to_numpy()
    if (np.diff(times) <= 0).any():
        raise InputError(
            "culture sample times must increase strictly", file=filename, column="time"
        )
    return frame


def split_feeds(
    frame: Any,
) -> tuple[Any, dict[str, tuple[np.ndarray, dict[str, np.ndarray]]], list[str]]:
    """The culture rows of a :func:`read_feeds` frame and each feed as (volume added after each
    culture sample [L], composition per addition [mmol/L]): a feed row counts at the last
    sample at or before its time (volume-weighted composition when several). Feeds after the
    last sample are ignored (returned as caveats)."""
    culture = frame["stream"].map(lambda s: s.strip().lower() in CULTURE_NAMES).to_numpy()
    samples = frame.loc[culture].reset_index(drop=True)
    t = samples["time"].to_numpy()
    aa_cols = [aa for aa in AMINO_ACIDS if aa in frame.columns]
    feeds: dict[str, tuple[np.ndarray, dict[str, np.ndarray]]] = {}
    notes = []
    for name, rows in frame.loc[~culture].groupby("stream", sort=False):
        idx = np.searchsorted(t, rows["time"].to_numpy(), side="right") - 1
        late = (idx < 0) | (idx >= t.size - 1)
        if late.any():
            notes.append(f"feed '{name}': additions outside the sampled period ignored")
        idx, rows = idx[~late], rows.loc[~late]
        volume = np.bincount(idx, weights=rows["volume"].to_numpy(), minlength=t.size)
        composition = {}
        for aa in aa_cols:
            amount = np.bincount(
                idx,
                weights=rows[aa].fillna(0.0).to_numpy() * rows["volume"].to_numpy(),
                minlength=t.size,
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                composition[aa] = np.where(volume > 0, amount / volume, 0.0)
        feeds[str(name)] = (volume, composition)
    return samples, feeds, notes


def read_quality(source: object, *, filename: str) -> Any:
    """Product-quality results of one run, one row per replicate: any of the attributes of
    :data:`QUALITY_ATTRIBUTES` [%]."""
    from bioproof.analysis import io
    from bioproof.analysis.units import ColumnSpec

    columns = tuple(
        ColumnSpec(
            key, "percent", aliases, "%", required=False, allow_empty=True, low=0.0, high=100.0
        )
        for key, (_en, _ko, aliases, _better) in QUALITY_ATTRIBUTES.items()
    )
    frame = io.read_table(source, filename=filename, columns=columns, min_rows=1)  # type: ignore[arg-type]
    if not set(QUALITY_ATTRIBUTES) & set(frame.columns):
        raise InputError(
            "no quality-attribute column; add e.g. 'Aggregates [%]', 'Main peak [%]', 'G0F [%]'",
            file=filename,
            row=1,
        )
    return frame
