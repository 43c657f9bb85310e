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

from bioproof.analysis.errors import InputError
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
    envelope: str
    envelope_low: list
    envelope_high: list
    n_candidate: int
    n_reference: int
    alpha: float
    caveats: tuple[str, ...]


def profile_comparison(
    candidate: np.ndarray,
    reference: np.ndarray,
    *,
    band: str | float = "minmax",
    min_fraction: float = 0.9,
    variance: float = 0.9,
    alpha: float = 0.05,
) -> ProfileComparison:
    """Compare candidate time courses with the reference runs on a common time grid.

    Shapes ``(runs, times)`` or ``(runs, variables, times)`` (see :func:`on_grid`); no NaN.

    Envelope: per variable and time point ``[min, max]`` of the reference runs
    (``band="minmax"``) or ``x̄ ± k·s`` (``band=k``); a candidate run is within when at least
    ``min_fraction`` of its points are inside.

    Multivariate: profiles are unfolded batch-wise and autoscaled with the reference mean and
    SD (Nomikos & MacGregor 1995); PCA of the reference keeps the fewest components ``q``
    explaining ``variance`` (at most ``r − 2``). For a candidate with scores ``tₐ``:
    ``T² = Σ tₐ²/λₐ``, limit ``q(r² − 1)/(r(r − q)) · F_{1−α}(q, r − q)`` (Tracy et al. 1992);
    ``SPE = ‖residual‖²``, limit ``g·χ²_{1−α}(h)`` with ``g = v/(2m)``, ``h = 2m²/v`` from the
    reference SPE mean ``m`` and variance ``v`` (Box 1954; Nomikos & MacGregor 1995).
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
        raise InputError(f"needs at least 3 reference runs and 1 candidate run (have {r}, {m})")
    if not 0 < alpha < 0.5 or not 0 < variance <= 1 or not 0 < min_fraction <= 1:
        raise InputError("alpha, variance and min_fraction are fractions (alpha < 0.5)")
    mean = ref.mean(axis=0)
    if band == "minmax":
        low, high, label = ref.min(axis=0), ref.max(axis=0), "reference min–max"
    else:
        k = float(band)
        sd = ref.std(axis=0, ddof=1)
        low, high, label = mean - k * sd, mean + k * sd, f"reference mean ± {k:g}·SD"
    inside = (cand >= low) & (cand <= high)
    fraction = inside.mean(axis=(1, 2))

    x_ref = ref.reshape(r, -1)
    x_cand = cand.reshape(m, -1)
    centre = x_ref.mean(axis=0)
    scale = x_ref.std(axis=0, ddof=1)
    scale = np.where(scale > 0, scale, 1.0)
    z_ref = (x_ref - centre) / scale
    z_cand = (x_cand - centre) / scale
    _, sing, vt = np.linalg.svd(z_ref, full_matrices=False)
    lam = sing**2 / (r - 1)
    total = lam.sum()
    notes = []
    if total == 0:
        raise InputError("the reference profiles do not vary: no multivariate model possible")
    explained = np.cumsum(lam) / total
    rank = int((lam > total * 1e-12).sum())
    q = int(min(np.searchsorted(explained, variance - 1e-12) + 1, r - 2, rank))
    q = max(q, 1)
    if explained[q - 1] < variance:
        notes.append(
            f"{q} components explain {explained[q - 1]:.0%} of the reference variance "
            f"(< {variance:.0%}): limited by the number of reference runs"
        )
    loadings = vt[:q].T
    scores = z_cand @ loadings
    t2 = (scores**2 / lam[:q]).sum(axis=1)
    t2_limit = q * (r * r - 1) / (r * (r - q)) * float(stats.f.ppf(1 - alpha, q, r - q))
    spe = ((z_cand - scores @ loadings.T) ** 2).sum(axis=1)
    spe_ref = ((z_ref - (z_ref @ loadings) @ loadings.T) ** 2).sum(axis=1)
    m_spe, v_spe = spe_ref.mean(), spe_ref.var(ddof=1)
    if v_spe > 0 and m_spe > 0:
        spe_limit = v_spe / (2 * m_spe) * float(stats.chi2.ppf(1 - alpha, 2 * m_spe**2 / v_spe))
    else:
        spe_limit = float("nan")
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
        explained_variance=float(explained[q - 1]),
        envelope=label,
        envelope_low=low.tolist(),
        envelope_high=high.tolist(),
        n_candidate=m,
        n_reference=r,
        alpha=float(alpha),
        caveats=tuple(notes),
    )
