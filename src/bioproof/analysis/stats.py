"""Small vectorised statistics shared by the modules (batched weighted straight-line fits)."""

from __future__ import annotations

from dataclasses import dataclass

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
        from scipy import stats

        half = float(stats.t.ppf((1 + confidence) / 2, self.dof)) * np.sqrt(np.diag(self.cov))
        return self.coef - half, self.coef + half

    def prediction_ci(self, x: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
        """Fitted mean at the design row ``x`` and its confidence interval (not a prediction
        interval: the uncertainty of the fitted line, ``t·√(xᵀ·Cov·x)``)."""
        from scipy import stats

        x = np.asarray(x, dtype=float)
        mean = float(x @ self.coef)
        half = float(stats.t.ppf((1 + confidence) / 2, self.dof)) * float(np.sqrt(x @ self.cov @ x))
        return mean, mean - half, mean + half


def linear_model(design: np.ndarray, y: np.ndarray) -> LinearModel:
    """Least squares by QR (numerically stable), Draper & Smith (1998) ch. 5. ``design`` is
    (n, p) with full column rank and n > p; the covariance is NaN when n = p."""
    x = np.asarray(design, dtype=float)
    y = np.asarray(y, dtype=float)
    n, p = x.shape
    q, r = np.linalg.qr(x)
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
