"""Profile comparison of time courses: candidate runs against the reference envelope, and a
multivariate distance (PCA scores → Hotelling T², residual SPE) for whole profiles.

References: Nomikos & MacGregor, *Multivariate SPC charts for monitoring batch processes*,
Technometrics 37:41 (1995); Tracy, Young & Mason, J Qual Technol 24:88 (1992) for the T² limit
of a new observation; Jackson, *A User's Guide to Principal Components* (1991) for SPE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result


def on_grid(
    times: Sequence[np.ndarray], values: Sequence[np.ndarray], grid: np.ndarray
) -> np.ndarray:
    """Runs sampled at different times, linearly interpolated onto ``grid`` → ``(runs, grid)``.

    Grid points outside a run's time span are NaN (no extrapolation).
    """
    grid = np.asarray(grid, dtype=float)
    out = np.full((len(times), grid.size), np.nan)
    for i, (t, v) in enumerate(zip(times, values, strict=True)):
        t, v = np.asarray(t, dtype=float), np.asarray(v, dtype=float)
        inside = (grid >= t.min()) & (grid <= t.max())
        out[i, inside] = np.interp(grid[inside], t, v)
    return out


@dataclass(frozen=True)
class ProfileComparison(Result):
    """Envelope and multivariate comparison of candidate profiles with the reference runs.

    Per candidate run: ``inside_fraction`` of its points within the reference envelope,
    ``within_envelope`` (fraction ≥ ``min_fraction``), Hotelling ``t2`` and ``spe`` with their
    ``(1 − α)`` limits, ``within_model`` (both below the limits). ``envelope_low``/``high`` are
    per variable and time point (units of the inputs).
    """

    passed: bool
    inside_fraction: tuple[float, ...]
    within_envelope: tuple[bool, ...]
    t2: tuple[float, ...]
    t2_limit: float
    spe: tuple[float, ...]
    spe_limit: float
    within_model: tuple[bool, ...]
    components: int
    explained_variance: float
    false_alarm_rate: float
    envelope: str
    envelope_low: list
    envelope_high: list
    n_candidate: int
    n_reference: int
    alpha: float
    caveats: tuple[str, ...]


def _autoscale(x_ref: np.ndarray, x: np.ndarray) -> np.ndarray:
    centre = x_ref.mean(axis=0)
    scale = x_ref.std(axis=0, ddof=1)
    return (x - centre) / np.where(scale > 0, scale, 1.0)


def _components(z_ref: np.ndarray, variance: float, r: int) -> tuple[int, float, bool]:
    """Fewest components explaining ``variance`` (at most ``r − 2`` and the rank)."""
    sing = np.linalg.svd(z_ref, compute_uv=False)
    lam = sing**2
    explained = np.cumsum(lam) / lam.sum()
    rank = int((lam > lam.sum() * 1e-12).sum())
    q = max(1, int(min(np.searchsorted(explained, variance - 1e-12) + 1, r - 2, rank)))
    return q, float(explained[q - 1]), bool(explained[q - 1] < variance)


def _t2_spe(x_ref: np.ndarray, x: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Hotelling T² and SPE of the rows of ``x`` under the q-component PCA of ``x_ref``."""
    z_ref = _autoscale(x_ref, x_ref)
    z = _autoscale(x_ref, x)
    _, sing, vt = np.linalg.svd(z_ref, full_matrices=False)
    lam = sing[:q] ** 2 / (x_ref.shape[0] - 1)
    loadings = vt[:q].T
    scores = z @ loadings
    t2 = (scores**2 / np.where(lam > 0, lam, np.inf)).sum(axis=1)
    spe = ((z - scores @ loadings.T) ** 2).sum(axis=1)
    return t2, spe


def _point_level(points: int, min_fraction: float, alpha: float) -> float:
    """Per-point exceedance probability ``p`` of the prediction band such that a same-process
    run fails the "``min_fraction`` of points inside" rule with probability at most ``α``
    whatever the correlation between its points: with ``a`` points allowed outside, Markov's
    inequality gives ``P(#outside > a) ≤ points·p/(a + 1)``, so ``p = α(a + 1)/points`` (capped
    at ``α``). For ``a = 0`` this is the Bonferroni level ``α/points``."""
    allowed = int(np.floor(points * (1 - min_fraction) + 1e-9))
    return float(min(alpha, alpha * (allowed + 1) / points))


def _scaled_chi2_limit(values: np.ndarray, alpha: float) -> float:
    """Upper ``1 − α`` point of the scaled χ² ``g·χ²_h`` with the mean ``m`` and variance ``v``
    of ``values``: ``g = v/(2m)``, ``h = 2m²/v`` (Box 1954)."""
    m_, v_ = float(values.mean()), float(values.var(ddof=1))
    if not (v_ > 0 and m_ > 0):
        return float("nan")
    return v_ / (2 * m_) * float(stats.chi2.ppf(1 - alpha, 2 * m_ * m_ / v_))


def profile_comparison(
    candidate: np.ndarray,
    reference: np.ndarray,
    *,
    band: str | float = "prediction",
    min_fraction: float = 0.9,
    variance: float = 0.9,
    alpha: float = 0.05,
) -> ProfileComparison:
    """Compare candidate time courses with the reference runs on a common time grid.

    Shapes ``(runs, times)`` or ``(runs, variables, times)`` (see :func:`on_grid`); no NaN.
    ``false_alarm_rate`` states how often a run of the reference process is flagged.

    Envelope (``band="prediction"``, default): per variable and time point the prediction
    interval of one new run, ``x̄ ± t_{1−p/2, r−1}·s·√(1 + 1/r)``; a candidate run is within
    when at least ``min_fraction`` of its points are inside. ``p = α(a + 1)/P`` for ``P``
    points of which ``a`` may lie outside, so by Markov's inequality a same-process run fails
    with probability ≤ α whatever the correlation of its points (often well below).
    ``band="minmax"`` (reference min–max: a same-process point lies inside with probability
    ``(r − 1)/(r + 1)`` only, so many same-process runs fail) and ``band=k`` (``x̄ ± k·s``) are
    kept for comparison, with a caveat.

    Multivariate: profiles are unfolded batch-wise and autoscaled with the reference mean and
    SD (Nomikos & MacGregor 1995); PCA of the reference keeps the fewest components ``q``
    explaining ``variance`` (at most ``r − 2``). For a candidate with scores ``tₐ``:
    ``T² = Σ tₐ²/λₐ``, limit ``q(r² − 1)/(r(r − q))·F_{1−α/2}(q, r − q)`` (a new observation;
    Tracy, Young & Mason 1992); ``SPE = ‖residual‖²``, limit ``g·χ²_{1−α/2}(h)`` with
    ``g = v/(2m)``, ``h = 2m²/v`` from the mean ``m`` and variance ``v`` of the *leave-one-out*
    SPE of the reference runs (each scored by the model of the others; Box 1954; Camacho &
    Ferrer, J Chemometrics 26:361, 2012). In-sample residuals are smaller than a new run's,
    so a limit built from them flags most same-process runs (≈ 58 % at α = 0.05 with 10 runs
    in the simulation test). Each limit takes α/2, so ``within_model`` fails a same-process run
    with probability ≈ α: the test simulates 600 candidates and finds 0.04–0.06 at α = 0.05
    with 5–20 reference runs (stated margin ± 0.03).
    """
    cand = np.asarray(candidate, dtype=float)
    ref = np.asarray(reference, dtype=float)
    cand = cand[:, None, :] if cand.ndim == 2 else cand
    ref = ref[:, None, :] if ref.ndim == 2 else ref
    if cand.ndim != 3 or ref.ndim != 3 or cand.shape[1:] != ref.shape[1:]:
        raise InputError("candidate and reference profiles need the same variables and times")
    if not (np.isfinite(cand).all() and np.isfinite(ref).all()):
        raise InputError("profiles must not contain gaps: put them on a common grid first")
    m, r = cand.shape[0], ref.shape[0]
    if r < 3 or m < 1:
        raise InputError(
            N_(
                "needs at least 3 reference runs and 1 candidate run "
                "(have %(references)s, %(candidates)s)"
            ),
            params={"references": r, "candidates": m},
        )
    if not 0 < alpha < 0.5 or not 0 < variance <= 1 or not 0 < min_fraction <= 1:
        raise InputError("alpha, variance and min_fraction are fractions (alpha < 0.5)")
    mean = ref.mean(axis=0)
    notes = []
    if band == "minmax":
        low, high, label = ref.min(axis=0), ref.max(axis=0), "reference min–max"
        notes.append(
            f"a same-process point lies inside the min–max of {r} runs with probability "
            f"{(r - 1) / (r + 1):.0%} only: the min–max envelope fails many same-process runs; "
            f"the prediction band is advised"
        )
    else:
        sd = ref.std(axis=0, ddof=1)
        if band == "prediction":
            p_out = _point_level(int(np.prod(ref.shape[1:])), min_fraction, alpha)
            k = float(stats.t.ppf(1 - p_out / 2, r - 1) * np.sqrt(1 + 1 / r))
            label = f"{1 - p_out:.1%} prediction band (mean ± {k:.2f}·SD)"
        else:
            k = float(band)
            label = f"reference mean ± {k:g}·SD"
        low, high = mean - k * sd, mean + k * sd
    inside = (cand >= low) & (cand <= high)
    fraction = inside.mean(axis=(1, 2))

    x_ref = ref.reshape(r, -1)
    x_cand = cand.reshape(m, -1)
    if np.ptp(x_ref, axis=0).max() == 0:
        raise InputError("the reference profiles do not vary: no multivariate model possible")
    q, explained_q, short = _components(_autoscale(x_ref, x_ref), variance, r)
    if short:
        notes.append(
            f"{q} components explain {explained_q:.0%} of the reference variance "
            f"(< {variance:.0%}): limited by the number of reference runs"
        )
    t2, spe = _t2_spe(x_ref, x_cand, q)
    # leave-one-out: each reference run scored by the model of the others (a new run's view)
    loo = np.array([_t2_spe(np.delete(x_ref, i, axis=0), x_ref[i : i + 1], q) for i in range(r)])[
        :, :, 0
    ]
    t2_limit = q * (r * r - 1) / (r * (r - q)) * float(stats.f.ppf(1 - alpha / 2, q, r - q))
    spe_limit = _scaled_chi2_limit(loo[:, 1], alpha / 2)
    if np.isnan(spe_limit):
        notes.append("the model reproduces the reference exactly: SPE is not judged")
    within_model = (t2 <= t2_limit) & ((spe <= spe_limit) | np.isnan(spe_limit))
    if r < 6:
        notes.append(f"only {r} reference runs: envelope and limits are crude")
    within_env = fraction >= min_fraction
    return ProfileComparison(
        passed=bool(within_env.all() and within_model.all()),
        inside_fraction=tuple(fraction.tolist()),
        within_envelope=tuple(bool(b) for b in within_env),
        t2=tuple(t2.tolist()),
        t2_limit=float(t2_limit),
        spe=tuple(spe.tolist()),
        spe_limit=float(spe_limit),
        within_model=tuple(bool(b) for b in within_model),
        components=q,
        explained_variance=float(explained_q),
        false_alarm_rate=float(alpha),
        envelope=label,
        envelope_low=low.tolist(),
        envelope_high=high.tolist(),
        n_candidate=m,
        n_reference=r,
        alpha=float(alpha),
        caveats=tuple(notes),
    )
