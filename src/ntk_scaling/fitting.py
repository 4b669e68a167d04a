"""Power-law and linear fits with confidence intervals, used by every chapter.

Appendix "Equations and their status": eq-book-methods-power-law-fit and
eq-book-methods-seed-bootstrap (our choices).

A power law y = c x^p is fitted as a straight line in log-log space by ordinary least
squares; the interval on p is the Student-t interval of the slope. With several seeds,
:func:`fit_power_law_seeds` fits the seed mean and takes the interval from a bootstrap
over seeds, which also captures the correlation of errors along a curve.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

__all__ = [
    "LinearFit",
    "PowerLawFit",
    "fit_linear",
    "fit_power_law",
    "fit_power_law_seeds",
    "local_slope",
    "BrokenPowerLaw",
    "fit_broken_power_law",
]


class LinearFit(NamedTuple):
    """Least-squares line y = intercept + slope x."""

    slope: float
    intercept: float
    slope_stderr: float
    slope_ci: tuple[float, float]
    r2: float
    n: int


class PowerLawFit(NamedTuple):
    """Power law y = prefactor * x**exponent, with a confidence interval on the exponent."""

    exponent: float
    prefactor: float
    exponent_stderr: float
    exponent_ci: tuple[float, float]
    r2: float
    n: int

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The fitted law at ``x`` (any shape)."""
        return self.prefactor * np.asarray(x, dtype=float) ** self.exponent


def _clean(x: np.ndarray, y: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"{what}: x and y differ in length ({x.size} vs {y.size})")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(f"{what}: x or y contains NaN or infinity (a diverged run?)")
    return x, y


def fit_linear(x: np.ndarray, y: np.ndarray, *, confidence: float = 0.95) -> LinearFit:
    """Ordinary least squares of y on x, with a Student-t interval on the slope.

    Args:
        x: abscissae, shape (n,), n ≥ 3, not all equal.
        y: ordinates, shape (n,).
        confidence: level of the slope's interval.

    Returns:
        A :class:`LinearFit`.

    Raises:
        ValueError: mismatched lengths, NaN or infinity, fewer than 3 points, or constant x.
    """
    x, y = _clean(x, y, "fit_linear")
    n = x.size
    if n < 3:
        raise ValueError(f"fit_linear needs at least 3 points, got {n}")
    if np.ptp(x) == 0:
        raise ValueError("fit_linear: all x values are equal; the slope is undefined")
    res = stats.linregress(x, y)
    tcrit = stats.t.ppf(0.5 + confidence / 2, df=n - 2)
    half = tcrit * res.stderr
    return LinearFit(
        slope=float(res.slope),
        intercept=float(res.intercept),
        slope_stderr=float(res.stderr),
        slope_ci=(float(res.slope - half), float(res.slope + half)),
        r2=float(res.rvalue**2),
        n=n,
    )


def fit_power_law(
    x: np.ndarray,
    y: np.ndarray,
    *,
    xmin: float | None = None,
    xmax: float | None = None,
    confidence: float = 0.95,
) -> PowerLawFit:
    """Fit y = c x^p on the window xmin <= x <= xmax by least squares in log-log space.

    Args:
        x: abscissae, shape (n,).
        y: ordinates, shape (n,); both positive inside the window.
        xmin: the window's lower end, or None.
        xmax: the window's upper end, or None.
        confidence: level of the exponent's (Student-t) interval.

    Returns:
        A :class:`PowerLawFit`.

    Raises:
        ValueError: mismatched lengths, NaN or infinity, non-positive values in the
            window, or fewer than 3 points in it.
    """
    x, y = _clean(x, y, "fit_power_law")
    keep = np.ones_like(x, dtype=bool)
    if xmin is not None:
        keep &= x >= xmin
    if xmax is not None:
        keep &= x <= xmax
    x, y = x[keep], y[keep]
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("fit_power_law: x and y must be positive inside the fit window")
    line = fit_linear(np.log(x), np.log(y), confidence=confidence)
    return PowerLawFit(
        exponent=line.slope,
        prefactor=float(np.exp(line.intercept)),
        exponent_stderr=line.slope_stderr,
        exponent_ci=line.slope_ci,
        r2=line.r2,
        n=line.n,
    )


def fit_power_law_seeds(
    x: np.ndarray,
    y_seeds: np.ndarray,
    *,
    xmin: float | None = None,
    xmax: float | None = None,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> PowerLawFit:
    """Power-law fit of the seed mean of ``y_seeds`` (shape (n_seeds, len(x))).

    The exponent interval is the percentile interval of a bootstrap that resamples
    whole seeds; with a single seed it falls back to the least-squares interval.

    Args:
        x: abscissae, shape (n,).
        y_seeds: ordinates per seed, shape (n_seeds, n).
        xmin: the window's lower end, or None.
        xmax: the window's upper end, or None.
        confidence: level of the interval.
        n_boot: bootstrap resamples.
        seed: the bootstrap's random seed.

    Returns:
        A :class:`PowerLawFit` of the seed mean, with the bootstrap interval and standard error.

    Raises:
        ValueError: ``y_seeds`` does not have one column per x, or as :func:`fit_power_law`.
    """
    y_seeds = np.atleast_2d(np.asarray(y_seeds, dtype=float))
    x = np.asarray(x, dtype=float)
    if y_seeds.shape[1] != x.size:
        raise ValueError(f"fit_power_law_seeds: y_seeds has {y_seeds.shape[1]} columns for {x.size} x values")
    central = fit_power_law(x, y_seeds.mean(0), xmin=xmin, xmax=xmax, confidence=confidence)
    n_seeds = y_seeds.shape[0]
    if n_seeds < 2:
        return central
    rng = np.random.default_rng(seed)
    draws = np.empty(n_boot)
    for b in range(n_boot):
        pick = rng.integers(0, n_seeds, n_seeds)
        draws[b] = fit_power_law(x, y_seeds[pick].mean(0), xmin=xmin, xmax=xmax).exponent
    lo, hi = np.percentile(draws, [50 * (1 - confidence), 50 * (1 + confidence)])
    return central._replace(exponent_ci=(float(lo), float(hi)), exponent_stderr=float(draws.std(ddof=1)))


def local_slope(x: np.ndarray, y: np.ndarray, *, window: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Running log-log slope d log y / d log x over a sliding window of ``window`` points.

    Args:
        x: abscissae, positive, shape (n,).
        y: ordinates, positive, shape (n,).
        window: points per window, in [2, n].

    Returns:
        (window centres, the geometric mean of x; least-squares slopes), each of shape
        (n − window + 1,).

    Raises:
        ValueError: mismatched lengths, NaN or infinity, or a window out of range.
    """
    x, y = _clean(x, y, "local_slope")
    if window < 2 or window > x.size:
        raise ValueError(f"local_slope: window must be in [2, {x.size}], got {window}")
    lx, ly = np.log(x), np.log(y)
    centres, slopes = [], []
    for i in range(x.size - window + 1):
        sx, sy = lx[i : i + window], ly[i : i + window]
        slopes.append(np.polyfit(sx, sy, 1)[0])
        centres.append(np.exp(sx.mean()))
    return np.asarray(centres), np.asarray(slopes)


class BrokenPowerLaw(NamedTuple):
    """Continuous two-segment power law: slope ``slope_below`` for x < x_break, then ``slope_above``."""

    x_break: float
    slope_below: float
    slope_above: float
    log_prefactor: float
    sse: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The fitted law at ``x`` (positive, any shape)."""
        lx = np.log(np.asarray(x, dtype=float))
        lb = np.log(self.x_break)
        return np.exp(self.log_prefactor + self.slope_below * lx + (self.slope_above - self.slope_below) * np.maximum(lx - lb, 0.0))


def fit_broken_power_law(x: np.ndarray, y: np.ndarray, *, n_grid: int = 200) -> BrokenPowerLaw:
    """Least-squares broken power law in log-log space (the book's saturation-width estimator).

    ln y = c + s₁ ln x + (s₂ − s₁) max(ln x − ln x_b, 0), fitted by linear least squares for
    every x_b on a log grid strictly inside (x_2, x_{n−1}) — so each segment holds at least
    two points — and keeping the x_b of least squared error (appendix
    eq-a-metrics-width-slopes; our choice of estimator). Cost: ``n_grid`` least-squares
    solves of n × 3.

    Args:
        x: abscissae, positive, at least 4 distinct values.
        y: ordinates, positive, same shape.
        n_grid: candidate break points.

    Returns:
        A :class:`BrokenPowerLaw`.

    Raises:
        ValueError: fewer than 4 (distinct) points, or values not finite and positive.
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape or x.size < 4:
        raise ValueError(f"fit_broken_power_law needs >= 4 matching (x, y) points, got {x.size} and {y.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))) or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("fit_broken_power_law: x and y must be finite and positive")
    order = np.argsort(x)
    lx, ly = np.log(x[order]), np.log(y[order])
    if np.unique(lx).size < 4:
        raise ValueError("fit_broken_power_law needs at least 4 distinct x values")
    best = None
    for lb in np.linspace(lx[1], lx[-2], n_grid):
        design = np.stack([np.ones_like(lx), lx, np.maximum(lx - lb, 0.0)], 1)
        coef, *_ = np.linalg.lstsq(design, ly, rcond=None)
        sse = float(np.sum((design @ coef - ly) ** 2))
        if best is None or sse < best[0] - 1e-12:
            best = (sse, lb, coef)
    sse, lb, (c, s1, ds) = best
    return BrokenPowerLaw(float(np.exp(lb)), float(s1), float(s1 + ds), float(c), sse)
