"""Read-outs of online learning curves and [A]'s NTK lens on [B]'s runs.

**Exponents.** [B] (arXiv 2409.17858) predicts the late-time exponent χ of L(t) ∼ t^(−χ):
χ = β lazy, 2β/(1+β) rich (hard tasks). :func:`late_time_exponent` fits it on a window
of the last steps with a seed bootstrap; :func:`local_exponents` gives the running
exponent −d ln L/d ln t; :func:`exponent_gain` the difference of a rich and a lazy run's
running exponents at the same step (the *measured gain*).

**The lens.** [A] (arXiv 2507.05035) summarises a kernel's change by the trace ratio
Δ_Θ = (TrΘ_t − TrΘ₀)/TrΘ₀ (at the epoch of minimum test loss; an online run has none, so
the bridge chapter reads it at fixed steps t), the effective rank Γ, the alignment, and the
adaptation rate ν_Θ = dTrΘ/d ln L. The bridge asks whether Δ_Θ predicts [B]'s exponent
gain. Two candidate relations are implemented:

* **effective time** (:func:`effective_time`, :func:`isotropic_loss_prediction`): if the
  kernel only grew uniformly, Θ_t = (1 + Δ_Θ(t)) Θ₀, the rich run would follow the lazy curve
  at the effective time τ(t) = ∫₀ᵗ (1 + Δ_Θ(s)) ds, L_rich(t) = L_lazy(τ(t)). In [B]'s
  model this is the mechanism of the gain (the kernel κI grows like √γ|v|), up to the
  rank-one spike; its running exponent is χ_lazy(τ)·t(1+Δ(t))/τ(t). Our construction
  (equations appendix, ``eq-bridge-effective-time``);
* **a monotone relation** gain ↔ ln(1 + Δ_Θ) across runs and steps
  (:func:`gain_trace_relation`: Spearman correlation and a least-squares slope, both with
  bootstrap intervals over points).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from scipy import stats

from ..fitting import fit_power_law

__all__ = [
    "LateExponent",
    "late_time_exponent",
    "LocalExponents",
    "local_exponents",
    "ExponentGain",
    "exponent_gain",
    "effective_time",
    "isotropic_loss_prediction",
    "GainRelation",
    "gain_trace_relation",
    "onset_step",
    "realised_fraction",
    "exponent_verdict",
    "prediction_interval_verdict",
    "exponent_difference",
    "gain_sign_verdict",
]


def _curves(steps: object, losses: object, what: str) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(steps, dtype=np.float64).ravel()
    y = np.atleast_2d(np.asarray(losses, dtype=np.float64))
    if y.shape[1] != t.size:
        raise ValueError(f"{what}: losses have {y.shape[1]} columns for {t.size} steps")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{what}: losses contain NaN or infinity (a diverged run?)")
    return t, y


class LateExponent(NamedTuple):
    """χ of L ∼ t^(−χ) fitted on [t_min, t_max], with a seed-bootstrap interval."""

    exponent: float  #: χ (positive for a falling loss)
    ci: tuple[float, float]  #: confidence interval on χ
    stderr: float
    t_min: float
    t_max: float
    n_points: int  #: recorded steps in the window
    n_seeds: int


def late_time_exponent(
    steps: object,
    losses: object,
    *,
    fit_from: float = 0.1,
    fit_to: float = 1.0,
    confidence: float = 0.95,
) -> LateExponent:
    """Late-time exponent χ from the seed-mean curve on [fit_from·T, fit_to·T].

    Args:
        steps: (R,) recorded steps, T = the last.
        losses: (s, R) per-seed losses (or (R,) for one curve).
        fit_from: start of the window as a fraction of T (0 < fit_from < fit_to).
        fit_to: end of the window as a fraction of T (fit_to ≤ 1).
        confidence: interval level.

    Returns:
        :class:`LateExponent`: χ is the least-squares slope of the seed-mean curve in
        log-log space (:func:`ntk_scaling.fit_power_law`); the interval is the Student-t
        interval of the mean of the per-seed slopes (s − 1 degrees of freedom), centred on
        χ. With one seed it is the least-squares interval of that curve.

    Raises:
        ValueError: fewer than 3 steps in the window, or non-finite losses.

    A percentile bootstrap over a handful of seeds under-covers (27 of 40 synthetic
    repeats at 4 seeds in ``tests/test_bridge.py``); the t interval does not.
    """
    t, y = _curves(steps, losses, "late_time_exponent")
    if not 0 < fit_from < fit_to <= 1:
        raise ValueError(f"need 0 < fit_from < fit_to <= 1, got {fit_from}, {fit_to}")
    lo, hi = fit_from * t[-1], fit_to * t[-1]
    n = int(np.sum((t >= lo) & (t <= hi)))
    if n < 3:
        raise ValueError(f"late_time_exponent: only {n} recorded steps in [{lo:g}, {hi:g}]; record more steps")
    central = fit_power_law(t, y.mean(0), xmin=lo, xmax=hi, confidence=confidence)
    chi = -central.exponent
    if y.shape[0] >= 2:
        per_seed = np.array([-fit_power_law(t, row, xmin=lo, xmax=hi).exponent for row in y])
        stderr = float(per_seed.std(ddof=1) / np.sqrt(per_seed.size))
        half = float(stats.t.ppf(0.5 + confidence / 2, per_seed.size - 1)) * stderr
        ci = (chi - half, chi + half)
    else:
        stderr = central.exponent_stderr
        ci = (-central.exponent_ci[1], -central.exponent_ci[0])
    return LateExponent(chi, (float(ci[0]), float(ci[1])), float(stderr), float(lo), float(hi), n, int(y.shape[0]))


class LocalExponents(NamedTuple):
    """Running exponent −d ln L/d ln t of a seed-mean curve, with bootstrap bands."""

    steps: np.ndarray  #: (W,) window centres (geometric means of the steps)
    exponent: np.ndarray  #: (W,)
    lo: np.ndarray  #: (W,) lower band
    hi: np.ndarray  #: (W,) upper band


def _local(t: np.ndarray, y: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    lt, ly = np.log(t), np.log(y)
    idx = np.arange(t.size - window + 1)[:, None] + np.arange(window)
    x = lt[idx]
    xc = x - x.mean(1, keepdims=True)
    yy = ly[..., idx]  # (..., W, window)
    slope = np.sum(xc * (yy - yy.mean(-1, keepdims=True)), -1) / np.sum(xc * xc, -1)
    return np.exp(x.mean(1)), -slope


def local_exponents(
    steps: object,
    losses: object,
    *,
    window: int = 5,
    confidence: float = 0.68,
    n_boot: int = 500,
    seed: int = 0,
) -> LocalExponents:
    """Least-squares slopes of ln L̄ on ln t over sliding windows of ``window`` records.

    Step 0 is dropped. The band is the bootstrap percentile interval over seeds
    (default ±1σ level); a single seed gets a zero-width band. This is the running
    version of [B]'s (arXiv 2409.17858) late-time exponent χ of L ∼ t^(−χ).

    Args:
        steps: (R,) recorded steps (step 0, if present, is dropped).
        losses: (s, R) per-seed losses (or (R,) for one curve), positive.
        window: records per sliding window, 2 ≤ window ≤ the number of steps > 0.
        confidence: level of the bootstrap band (0.68 ≈ ±1σ).
        n_boot: bootstrap resamples of the seeds.
        seed: seed of the bootstrap's NumPy generator.

    Returns:
        :class:`LocalExponents` with W = R' − window + 1 windows (R' steps > 0): window
        centres (geometric mean of the window's steps), the running exponent
        −d ln L̄/d ln t of the seed-mean curve, and the lower and upper band.

    Raises:
        ValueError: mismatched steps and losses, non-finite losses, too few steps for the
            window, or non-positive losses.
    """
    t, y = _curves(steps, losses, "local_exponents")
    keep = t > 0
    t, y = t[keep], y[:, keep]
    if not 2 <= window <= t.size:
        raise ValueError(f"local_exponents: window must be in [2, {t.size}], got {window}")
    if np.any(y <= 0):
        raise ValueError("local_exponents: losses must be positive")
    centres, chi = _local(t, y.mean(0), window)
    if y.shape[0] < 2:
        return LocalExponents(centres, chi, chi.copy(), chi.copy())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, y.shape[0], (n_boot, y.shape[0]))
    boot = _local(t, y[picks].mean(1), window)[1]
    lo, hi = np.percentile(boot, [50 * (1 - confidence), 50 * (1 + confidence)], axis=0)
    return LocalExponents(centres, chi, lo, hi)


class ExponentGain(NamedTuple):
    """Running exponent of a rich run minus that of its lazy reference, at the same steps."""

    steps: np.ndarray  #: (W,) window centres
    gain: np.ndarray  #: (W,) χ_rich(t) − χ_lazy(t)
    lo: np.ndarray  #: (W,)
    hi: np.ndarray  #: (W,)


def exponent_gain(
    steps: object,
    rich: object,
    lazy: object,
    *,
    window: int = 5,
    confidence: float = 0.68,
    n_boot: int = 500,
    seed: int = 0,
) -> ExponentGain:
    """Measured exponent gain χ_rich(t) − χ_lazy(t) with a bootstrap over both runs' seeds.

    Args:
        steps: (R,) steps shared by both runs.
        rich: (s, R) per-seed losses of the rich run.
        lazy: (s, R) per-seed losses of the lazy run.
        window: records per running-slope window.
        confidence: band level (default ±1σ).
        n_boot: bootstrap resamples (seeds of the two runs resampled independently).
        seed: bootstrap seed.

    Returns:
        :class:`ExponentGain` with W = R' − window + 1 windows (R' steps > 0): window
        centres, χ_rich − χ_lazy of the seed-mean curves (as :func:`local_exponents`) and
        the bootstrap band of the difference.

    Raises:
        ValueError: a run's losses do not match the steps or contain NaN/inf, the window is
            not in [2, number of steps > 0], or a loss is ≤ 0.
    """
    t, r = _curves(steps, rich, "exponent_gain (rich)")
    _, z = _curves(steps, lazy, "exponent_gain (lazy)")
    keep = t > 0
    t, r, z = t[keep], r[:, keep], z[:, keep]
    if not 2 <= window <= t.size:
        raise ValueError(f"exponent_gain: window must be in [2, {t.size}], got {window}")
    if np.any(r <= 0) or np.any(z <= 0):
        raise ValueError("exponent_gain: losses must be positive")
    centres, cr = _local(t, r.mean(0), window)
    _, cz = _local(t, z.mean(0), window)
    rng = np.random.default_rng(seed)
    br = _local(t, r[rng.integers(0, r.shape[0], (n_boot, r.shape[0]))].mean(1), window)[1]
    bz = _local(t, z[rng.integers(0, z.shape[0], (n_boot, z.shape[0]))].mean(1), window)[1]
    lo, hi = np.percentile(br - bz, [50 * (1 - confidence), 50 * (1 + confidence)], axis=0)
    return ExponentGain(centres, cr - cz, lo, hi)


def effective_time(steps: object, ntk_steps: object, trace_ratio: object) -> np.ndarray:
    """τ(t) = ∫₀ᵗ (1 + Δ_Θ(s)) ds with Δ_Θ interpolated between its records.

    Args:
        steps: steps t at which τ is wanted (≥ 0, at most the last eNTK step).
        ntk_steps: (Q,) steps of the Δ_Θ records, starting at 0 (where Δ_Θ = 0).
        trace_ratio: (Q,) Δ_Θ at those steps (e.g. the seed mean).

    Returns:
        float64 array shaped like ``steps``.

    Δ_Θ is interpolated linearly in ln(1 + s) between records (the records are log-spaced)
    and the integral is taken by the trapezoidal rule on a fine log grid.

    Raises:
        ValueError: records not starting at step 0, or steps beyond the last record.
    """
    ts = np.asarray(steps, dtype=np.float64)
    q = np.asarray(ntk_steps, dtype=np.float64).ravel()
    d = np.asarray(trace_ratio, dtype=np.float64).ravel()
    if q.size != d.size or q.size < 2 or q[0] != 0 or np.any(np.diff(q) <= 0):
        raise ValueError("effective_time needs increasing eNTK steps starting at 0, one Δ_Θ per step")
    if np.any(ts < 0) or np.any(ts > q[-1]):
        raise ValueError(f"effective_time: steps must lie in [0, {q[-1]:g}] (the last eNTK record)")
    grid = np.unique(np.concatenate([np.expm1(np.linspace(0, np.log1p(q[-1]), 4000)), q, ts.ravel()]))
    growth = 1.0 + np.interp(np.log1p(grid), np.log1p(q), d)
    tau = np.concatenate([[0.0], np.cumsum(0.5 * (growth[1:] + growth[:-1]) * np.diff(grid))])
    return np.interp(ts, grid, tau)


def isotropic_loss_prediction(
    steps: object, ntk_steps: object, trace_ratio: object, lazy_loss: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """L_lazy(τ(t)): the rich loss if the kernel only grew uniformly by 1 + Δ_Θ(t).

    Args:
        steps: steps t.
        ntk_steps: (K,) steps of the Δ_Θ records (:func:`effective_time`).
        trace_ratio: (K,) Δ_Θ at those steps.
        lazy_loss: τ ↦ lazy loss at (real) time τ, e.g. a closure over
            :func:`ntk_scaling.circle_lazy_loss` or an interpolation of a lazy curve.

    Returns:
        Predicted losses shaped like ``steps``.
    """
    return np.asarray(lazy_loss(effective_time(steps, ntk_steps, trace_ratio)), dtype=np.float64)


class GainRelation(NamedTuple):
    """How the measured exponent gain depends on ln(1 + Δ_Θ) across points."""

    spearman: float  #: rank correlation between Δ_Θ and the gain
    spearman_ci: tuple[float, float]
    slope: float  #: least-squares d gain / d ln(1 + Δ_Θ)
    slope_ci: tuple[float, float]
    intercept: float
    n_points: int


def gain_trace_relation(
    trace_ratio: object, gain: object, *, confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> GainRelation:
    """Spearman ρ and the slope of gain on ln(1 + Δ_Θ), with bootstrap intervals over points.

    Points are (run, step) pairs; resampling treats them as independent, which they are
    not along one run (neighbouring windows overlap), so the intervals are optimistic;
    the chapter says so. One of the two candidate relations of the module docstring;
    our construction (no paper equation).

    Args:
        trace_ratio: (n,) Δ_Θ per point (dimensionless); flattened.
        gain: (n,) measured exponent gain per point (:func:`exponent_gain`); flattened.
        confidence: level of the percentile intervals.
        n_boot: bootstrap resamples of the points (resamples with constant ln(1 + Δ_Θ)
            are skipped).
        seed: seed of the bootstrap's NumPy generator.

    Returns:
        :class:`GainRelation`: Spearman ρ between ln(1 + Δ_Θ) and the gain, the
        least-squares slope and intercept of gain on ln(1 + Δ_Θ) (exponent units per unit
        of ln(1 + Δ_Θ)), their percentile intervals, and n.

    Raises:
        ValueError: fewer than 4 points, mismatched lengths, Δ_Θ ≤ −1, or non-finite
            values.
    """
    d = np.asarray(trace_ratio, dtype=np.float64).ravel()
    g = np.asarray(gain, dtype=np.float64).ravel()
    if d.size != g.size or d.size < 4:
        raise ValueError(f"gain_trace_relation needs >= 4 matching points, got {d.size} and {g.size}")
    if np.any(d <= -1) or not (np.all(np.isfinite(d)) and np.all(np.isfinite(g))):
        raise ValueError("gain_trace_relation: Δ_Θ must be finite and > −1, gains finite")
    x = np.log1p(d)
    rho = float(stats.spearmanr(x, g)[0])
    line = stats.linregress(x, g)
    rng = np.random.default_rng(seed)
    rhos, slopes = [], []
    for _ in range(n_boot):
        i = rng.integers(0, d.size, d.size)
        if np.ptp(x[i]) == 0:
            continue
        rhos.append(stats.spearmanr(x[i], g[i])[0])
        slopes.append(stats.linregress(x[i], g[i]).slope)
    q = [50 * (1 - confidence), 50 * (1 + confidence)]
    r_lo, r_hi = np.nanpercentile(rhos, q)
    s_lo, s_hi = np.percentile(slopes, q)
    return GainRelation(rho, (float(r_lo), float(r_hi)), float(line.slope), (float(s_lo), float(s_hi)), float(line.intercept), int(d.size))


def onset_step(steps: object, lower_band: object, threshold: float = 0.0) -> float:
    """First step whose lower band exceeds ``threshold`` (e.g. a gain significantly > 0); inf if never.

    Args:
        steps: (W,) steps (e.g. :attr:`ExponentGain.steps`), in increasing order.
        lower_band: (W,) lower band at those steps (e.g. :attr:`ExponentGain.lo`).
        threshold: the value the band must exceed (strictly).

    Returns:
        The first such step as a float, or ``inf`` if the band never exceeds the threshold.
    """
    t = np.asarray(steps, dtype=np.float64).ravel()
    lo = np.asarray(lower_band, dtype=np.float64).ravel()
    hit = np.flatnonzero(lo > threshold)
    return float(t[hit[0]]) if hit.size else float("inf")


def realised_fraction(
    predicted: object, measured: object, *, confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> tuple[float, tuple[float, float]]:
    """Least-squares slope through the origin of measured on predicted gains, with a bootstrap interval.

    1 means the measured exponent gain is what the effective-time relation predicts from
    Δ_Θ; 0 means none of it is realised. Points are resampled as independent (optimistic
    intervals, as in :func:`gain_trace_relation`). Our construction, on top of
    ``eq-bridge-effective-time`` (status: checked numerically on [B]'s model).

    Args:
        predicted: (n,) predicted exponent gains (e.g. running exponent of
            :func:`isotropic_loss_prediction` minus the lazy one); flattened.
        measured: (n,) measured exponent gains at the same points; flattened.
        confidence: level of the percentile interval.
        n_boot: bootstrap resamples of the points (resamples whose predictions are all
            zero are skipped).
        seed: seed of the bootstrap's NumPy generator.

    Returns:
        ``(fraction, (lo, hi))``: the slope Σpm/Σp² (dimensionless) and its bootstrap
        percentile interval.

    Raises:
        ValueError: fewer than 3 points, mismatched lengths, non-finite values, or all
            predictions zero.
    """
    p = np.asarray(predicted, dtype=np.float64).ravel()
    m = np.asarray(measured, dtype=np.float64).ravel()
    if p.size != m.size or p.size < 3 or not (np.all(np.isfinite(p)) and np.all(np.isfinite(m))):
        raise ValueError(f"realised_fraction needs >= 3 matching finite points, got {p.size} and {m.size}")
    if not np.any(p != 0):
        raise ValueError("realised_fraction: every predicted gain is zero")
    slope = float(p @ m / (p @ p))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n_boot):
        i = rng.integers(0, p.size, p.size)
        if np.any(p[i] != 0):
            draws.append(p[i] @ m[i] / (p[i] @ p[i]))
    lo, hi = np.percentile(draws, [50 * (1 - confidence), 50 * (1 + confidence)])
    return slope, (float(lo), float(hi))


def exponent_verdict(target: float, interval: tuple[float, float], *, tolerance: float, max_halfwidth: float) -> str:
    """Verdict on a fitted exponent: "not tested" when its interval is too wide to decide.

    Returns "not tested" if the interval's half-width exceeds ``max_halfwidth`` (the
    measurement cannot tell the predictions apart), else the rule of
    ``nts.verdict_interval`` with ``tolerance`` ("agrees" or "disagrees"). The rule is our
    choice (appendix label ``eq-book-methods-verdict``).

    Args:
        target: the predicted exponent (e.g. [B]'s χ).
        interval: (low, high) interval of the fitted exponent.
        tolerance: how far outside the interval the target may lie and still agree, in
            exponent units.
        max_halfwidth: widest half-width, in exponent units, that still counts as a test.

    Returns:
        "agrees" if low − tolerance ≤ target ≤ high + tolerance, "disagrees" otherwise,
        and "not tested" if the interval is not finite or too wide.
    """
    lo, hi = interval
    if not (np.isfinite(lo) and np.isfinite(hi)) or 0.5 * (hi - lo) > max_halfwidth:
        return "not tested"
    return "agrees" if lo - tolerance <= target <= hi + tolerance else "disagrees"


def prediction_interval_verdict(
    fit: LateExponent, prediction: float, prediction_interval: tuple[float, float] | None, *, tolerance: float,
    max_halfwidth: float,
) -> str:
    """:func:`exponent_verdict` against a prediction that has its own interval.

    The prediction's point nearest the fitted exponent is tested (the prediction's value
    when it has no interval): a prediction propagated from fitted α and β agrees when any
    value it allows does. The rule is our choice (appendix label ``eq-book-methods-verdict``).

    Args:
        fit: the measured late-time exponent (:func:`late_time_exponent`).
        prediction: the predicted exponent.
        prediction_interval: (low, high) of the prediction, or None.
        tolerance: as :func:`exponent_verdict`.
        max_halfwidth: as :func:`exponent_verdict`.

    Returns:
        "agrees", "disagrees" or "not tested".
    """
    nearest = float(np.clip(fit.exponent, *prediction_interval)) if prediction_interval is not None else prediction
    return exponent_verdict(nearest, fit.ci, tolerance=tolerance, max_halfwidth=max_halfwidth)


def exponent_difference(high: LateExponent, low: LateExponent) -> tuple[float, tuple[float, float]]:
    """The difference of two fitted exponents with their intervals combined in quadrature.

    Args:
        high: the exponent expected to be larger (e.g. the rich run's).
        low: the other one (e.g. the lazy run's).

    Returns:
        ``(difference, (difference − h, difference + h))`` with h the quadrature sum of the
        two fits' upper half-widths.
    """
    difference = float(high.exponent - low.exponent)
    half = float(np.hypot(high.ci[1] - high.exponent, low.ci[1] - low.exponent))
    return difference, (difference - half, difference + half)


def gain_sign_verdict(interval: tuple[float, float]) -> str:
    """Verdict on "the exponent improves": the sign of a difference's interval.

    Args:
        interval: (low, high) of χ_rich − χ_lazy (:func:`exponent_difference`).

    Returns:
        "agrees" if the interval lies above zero, "disagrees" if below, "not tested" if it
        contains zero.
    """
    lo, hi = interval
    return "agrees" if lo > 0 else ("disagrees" if hi < 0 else "not tested")
