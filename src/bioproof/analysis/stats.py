"""Small vectorised statistics shared by the modules (batched weighted straight-line fits)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class LineFit:
    """Least-squares straight lines ``y = intercept + slope·x`` fitted row by row.

    Arrays have the batch shape; ``n`` is the number of points used, ``se_slope`` and
    ``se_intercept`` are the classical standard errors (NaN with fewer than 3 points).
    """

    slope: np.ndarray
    intercept: np.ndarray
    r2: np.ndarray
    se_slope: np.ndarray
    se_intercept: np.ndarray
    n: np.ndarray
    x_mean: np.ndarray
    sxx: np.ndarray
    residual_sd: np.ndarray


def line_fit(x: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None) -> LineFit:
    """Ordinary least squares along the last axis, using only points where ``mask`` is true.

    Two-pass (centred) sums keep the fit accurate far from the origin. Formulas: Draper & Smith,
    *Applied Regression Analysis*, 3rd ed., ch. 1.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x, y = np.broadcast_arrays(x, y)
    use = np.isfinite(x) & np.isfinite(y)
    if mask is not None:
        use &= np.broadcast_to(mask, x.shape)
    w = use.astype(float)
    xs = np.where(use, x, 0.0)
    ys = np.where(use, y, 0.0)
    n = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        xm = xs.sum(axis=-1) / n
        ym = ys.sum(axis=-1) / n
        dx = (xs - xm[..., None]) * w
        dy = (ys - ym[..., None]) * w
        sxx = (dx * dx).sum(axis=-1)
        sxy = (dx * dy).sum(axis=-1)
        syy = (dy * dy).sum(axis=-1)
        slope = sxy / sxx
        intercept = ym - slope * xm
        sse = np.maximum(syy - slope * sxy, 0.0)
        r2 = np.where(syy > 0, 1.0 - sse / syy, np.where(sxx > 0, 1.0, np.nan))
        dof = n - 2
        s2 = np.where(dof > 0, sse / np.where(dof > 0, dof, 1), np.nan)
        se_slope = np.sqrt(s2 / sxx)
        se_intercept = np.sqrt(s2 * (1.0 / n + xm * xm / sxx))
    return LineFit(slope, intercept, r2, se_slope, se_intercept, n, xm, sxx, np.sqrt(s2))


@dataclass(frozen=True)
class LinearModel:
    """Ordinary least squares ``y = X·β`` with the classical covariance ``s²(XᵀX)⁻¹``."""

    coef: np.ndarray
    cov: np.ndarray
    dof: int
    residual_sd: float
    r2: float
    n: int

    def ci(self, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Two-sided ``confidence`` interval of each coefficient, ``β ± t_{(1+c)/2, n−p}·se``."""
        half = t_quantile((1 + confidence) / 2, self.dof) * np.sqrt(np.diag(self.cov))
        return self.coef - half, self.coef + half

    def prediction_ci(self, x: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
        """Fitted mean at the design row ``x`` and its confidence interval (not a prediction
        interval: the uncertainty of the fitted line, ``t·√(xᵀ·Cov·x)``)."""
        x = np.asarray(x, dtype=float)
        mean = float(x @ self.coef)
        half = t_quantile((1 + confidence) / 2, self.dof) * float(np.sqrt(x @ self.cov @ x))
        return mean, mean - half, mean + half


def linear_model(design: np.ndarray, y: np.ndarray) -> LinearModel:
    """Least squares by QR (numerically stable), Draper & Smith (1998) ch. 5. ``design`` is
    (n, p) with full column rank and n > p; the covariance is NaN when n = p."""
    x = np.asarray(design, dtype=float)
    y = np.asarray(y, dtype=float)
    n, p = x.shape
    q, r = np.linalg.qr(x)
    diag = np.abs(np.diag(r))
    if not (np.isfinite(r).all() and diag.min() > 1e-12 * max(diag.max(), 1e-300)):
        from bioproof.analysis.errors import InputError

        raise InputError("the fit is degenerate: the explanatory values do not vary independently")
    coef = np.linalg.solve(r, q.T @ y)
    resid = y - x @ coef
    dof = n - p
    sse = float(resid @ resid)
    s2 = sse / dof if dof > 0 else float("nan")
    r_inv = np.linalg.inv(r)
    cov = s2 * (r_inv @ r_inv.T)
    sst = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - sse / sst if sst > 0 else 1.0
    return LinearModel(coef, cov, dof, float(np.sqrt(s2)), r2, n)


@lru_cache(maxsize=512)
def t_quantile(probability: float, dof: float) -> float:
    """Student-t quantile, cached (``scipy.stats.t.ppf`` costs ~50 µs a call, and the same few
    (probability, dof) pairs recur across a batch of runs)."""
    from scipy import stats

    return float(stats.t.ppf(probability, dof))


@dataclass(frozen=True)
class SaturatingFit:
    """``y = a·(1 − e^(−k·x))`` by least squares: ``a``, ``k``, their covariance, the residual
    degrees of freedom and R²; ``linear`` when the curve never bends within the data (then
    ``a``, ``k`` are NaN and ``slope`` is the line through the origin ``Σxy/Σx²``)."""

    a: float
    k: float
    cov: np.ndarray
    dof: int
    r2: float
    linear: bool
    slope: float
    slope_se: float

    def value_at(self, x: float) -> tuple[float, float]:
        """``a(1 − e^(−kx))`` and its standard error by the delta method."""
        e = math.exp(-self.k * x)
        grad = np.array([1 - e, self.a * x * e])
        return self.a * (1 - e), math.sqrt(max(float(grad @ self.cov @ grad), 0.0))


#: Rate grid of :func:`saturating_fit`, relative to 0.01/max(x): six decades, 240 points.
_UNIT_GRID = np.geomspace(1.0, 1e6, 240)


def saturating_fit(x: np.ndarray, y: np.ndarray, *, iterations: int = 30) -> SaturatingFit:
    """Fit ``y = a·(1 − e^(−k·x))`` (x > 0): ``a`` in closed form for each ``k`` on a log grid
    (``a(k) = Σuy/Σu²``, ``u = 1 − e^(−kx)``), then Gauss–Newton on (a, k) from the best grid
    point; covariance ``s²(JᵀJ)⁻¹`` with ``s² = SSE/(n − 2)`` (Bates & Watts 1988, ch. 2). When
    the best k is the smallest on the grid the data show no bend (``linear``)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    grid = _UNIT_GRID * (0.01 / x.max())
    u = -np.expm1(-np.multiply.outer(grid, x))
    uy = (u * y).sum(axis=-1)
    a_k = uy / (u * u).sum(axis=-1)
    sse_k = (y * y).sum() - a_k * uy
    best = int(np.argmin(np.where(a_k > 0, sse_k, np.inf)))
    sst = float(((y - y.mean()) ** 2).sum())
    slope = float((x * y).sum() / (x * x).sum())
    lin_resid = y - slope * x
    slope_se = math.sqrt(float(lin_resid @ lin_resid) / max(x.size - 1, 1) / float(x @ x))
    nan = float("nan")
    if best == 0:
        r2 = 1 - float(lin_resid @ lin_resid) / sst if sst > 0 else 1.0
        return SaturatingFit(nan, nan, np.full((2, 2), nan), x.size - 1, r2, True, slope, slope_se)
    a, k = float(a_k[best]), float(grid[best])
    for _ in range(iterations):
        e = np.exp(-k * x)
        jac0, jac1 = 1 - e, a * x * e
        g00, g01, g11 = jac0 @ jac0, jac0 @ jac1, jac1 @ jac1
        det = g00 * g11 - g01 * g01
        if not det > 0:
            break
        r = y - a * jac0
        b0, b1 = jac0 @ r, jac1 @ r
        da, dk = (g11 * b0 - g01 * b1) / det, (g00 * b1 - g01 * b0) / det
        a, k = a + da, max(k + dk, 1e-12)
        if abs(dk) <= 1e-10 * k and abs(da) <= 1e-10 * abs(a):
            break
    e = np.exp(-k * x)
    resid = y - a * (1 - e)
    jac = np.column_stack([1 - e, a * x * e])
    dof = x.size - 2
    s2 = float(resid @ resid) / dof if dof > 0 else nan
    gram = jac.T @ jac
    det = float(gram[0, 0] * gram[1, 1] - gram[0, 1] ** 2)
    inverse = np.array([[gram[1, 1], -gram[0, 1]], [-gram[1, 0], gram[0, 0]]]) / det
    cov = s2 * inverse if det > 0 else np.full((2, 2), nan)
    r2 = 1 - float(resid @ resid) / sst if sst > 0 else 1.0
    return SaturatingFit(a, k, cov, dof, r2, False, slope, slope_se)
