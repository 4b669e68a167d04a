"""Compute-optimal frontiers measured from loss curves ([B] Fig. 4, Table 1).

Given loss curves L(N, t) for a family of widths N on a common grid of steps t, the
compute spent by width N after t steps is C = N·t (fixed batch, as in [B] §4; appendix
label ``eq-b-compute-frontier``). The compute-optimal frontier is the lower envelope L*(C) = min_N L(N, C/N);
theory predicts L*(C) ∼ C^-r with r from :func:`ntk_scaling.exponents.compute_optimal_exponent`.

With a finite set of widths the envelope is piecewise; where the best width is the
smallest or largest one in the set, a width outside the set might do better and the
envelope is biased, so fits use by default only compute values whose best width is an
interior member of the set.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..cache import cached_function
from ..fitting import PowerLawFit, fit_power_law, fit_power_law_seeds

__all__ = [
    "Frontier",
    "compute_frontier",
    "fit_frontier_exponent",
    "WidthCrossovers",
    "width_crossovers",
    "fit_optimal_width_exponent",
    "width_family_point",
    "WidthFamily",
    "sweep_width_family",
    "FrontierMeasurement",
    "measure_frontier",
    "theory_family_point",
    "theory_width_family",
    "WindowFits",
    "fit_frontier_windows",
    "convergence_compute",
    "TheoryFrontier",
    "theory_frontier",
]


class Frontier(NamedTuple):
    """Lower envelope of loss against compute C = N·t."""

    compute: np.ndarray  #: (K,) log-spaced compute grid
    loss: np.ndarray  #: (K,) or (n_seeds, K): L(N*, C/N*) with N* the best width of the (seed-mean) curves
    best_width: np.ndarray  #: (K,) width attaining the minimum of the seed-mean loss
    interior: np.ndarray  #: (K,) bool: best width is neither the smallest nor the largest
    widths: np.ndarray  #: (W,) the widths used
    optimal_width: np.ndarray  #: (K,) N*(C) from a parabola through log L at the best width and its neighbours (NaN if not interior)


def _check_curves(steps: object, widths: object, losses: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    steps = np.asarray(steps, dtype=float)
    widths = np.asarray(widths, dtype=float)
    losses = np.asarray(losses, dtype=float)
    if steps.ndim != 1 or steps.size < 2:
        raise ValueError(f"steps must be a 1-D array of at least 2 values, got shape {steps.shape}")
    if widths.ndim != 1 or widths.size < 1:
        raise ValueError(f"widths must be a 1-D array, got shape {widths.shape}")
    if losses.ndim not in (2, 3) or losses.shape[-2:] != (widths.size, steps.size):
        raise ValueError(
            "losses must have shape (n_widths, n_steps) or (n_seeds, n_widths, n_steps) = "
            f"(..., {widths.size}, {steps.size}), got {losses.shape}"
        )
    if np.any(steps <= 0) or np.any(np.diff(steps) <= 0):
        raise ValueError("steps must be positive and strictly increasing")
    if np.any(widths <= 0) or np.any(np.diff(widths) <= 0):
        raise ValueError("widths must be positive and strictly increasing")
    if not np.all(np.isfinite(losses)) or np.any(losses <= 0):
        raise FloatingPointError("losses contain NaN, infinity or non-positive values (a diverged run?)")
    return steps, widths, losses


def _curves_at_compute(steps: np.ndarray, widths: np.ndarray, losses: np.ndarray, compute: np.ndarray) -> np.ndarray:
    """Log L(N_i, C/N_i) on the compute grid, +inf where C/N_i is outside the step range.

    ``losses`` has shape (S, W, R); the result has shape (S, W, K).
    """
    log_t = np.log(steps)
    out = np.full(losses.shape[:2] + compute.shape, np.inf)
    for i, n in enumerate(widths):
        lt = np.log(compute / n)
        ok = (lt >= log_t[0] - 1e-12) & (lt <= log_t[-1] + 1e-12)
        for s in range(losses.shape[0]):
            out[s, i, ok] = np.interp(lt[ok], log_t, np.log(losses[s, i]))
    return out


def compute_frontier(
    steps: object,
    widths: object,
    losses: object,
    *,
    n_points: int = 60,
) -> Frontier:
    """Lower envelope min_N L(N, C/N) on a log grid of C = N·t ([B] Fig. 4).

    ``losses`` has shape (n_widths, n_steps) or (n_seeds, n_widths, n_steps); curves are
    interpolated linearly in log-log space. With seeds, ``best_width`` is the minimiser of
    the seed-mean curves and ``loss`` (n_seeds, K) holds each seed's loss at that width,
    so that a bootstrap over seeds gives the interval without the downward bias of
    per-seed minima. Appendix label ``eq-b-compute-frontier`` (status: our choice of
    estimator; the envelope is standard).

    Args:
        steps: (R,) recorded steps t > 0, strictly increasing (R ≥ 2).
        widths: (W,) widths N > 0, strictly increasing.
        losses: (W, R) or (n_seeds, W, R) positive losses L(N, t).
        n_points: K ≥ 3, compute values log-spaced from N_1·t_1 to N_W·t_R.

    Returns:
        :class:`Frontier` on the K compute values C (units of width × steps): the envelope
        loss ((K,) or (n_seeds, K)), the best width, whether it is interior, the widths and
        the parabolic estimate N*(C) (NaN where not interior or not a proper minimum).

    Raises:
        ValueError: steps, widths or losses of the wrong shape, or steps/widths not
            positive and strictly increasing.
        FloatingPointError: a loss is NaN, infinite or ≤ 0 (a diverged run?).
        ValueError: also when n_points is not an integer ≥ 3.
    """
    steps, widths, losses = _check_curves(steps, widths, losses)
    if not (isinstance(n_points, (int, np.integer)) and n_points >= 3):
        raise ValueError(f"n_points must be an integer >= 3, got {n_points!r}")
    seeds = losses.ndim == 3
    l3 = losses if seeds else losses[None]
    compute = np.geomspace(widths[0] * steps[0], widths[-1] * steps[-1], n_points)
    logs = _curves_at_compute(steps, widths, l3, compute)  # (S, W, K)
    mean_logs = _curves_at_compute(steps, widths, l3.mean(0, keepdims=True), compute)[0]
    best = np.argmin(mean_logs, axis=0)
    # every seed is read at the width that is best for the seed-mean curves: taking each
    # seed's own minimum would bias the frontier low (the minimum of noisy curves)
    per_seed = np.exp(np.take_along_axis(logs, best[None, None, :], axis=1)[:, 0, :])
    interior = (best > 0) & (best < widths.size - 1)
    n_star = np.full(compute.shape, np.nan)
    log_w = np.log(widths)
    for k in np.nonzero(interior)[0]:
        j = best[k]
        y = mean_logs[j - 1 : j + 2, k]
        if not np.all(np.isfinite(y)):
            continue
        coef = np.polyfit(log_w[j - 1 : j + 2], y, 2)
        if coef[0] > 0:  # a proper minimum; clip the vertex to the bracketing widths
            n_star[k] = float(np.exp(np.clip(-coef[1] / (2 * coef[0]), log_w[j - 1], log_w[j + 1])))
    return Frontier(
        compute=compute,
        loss=per_seed if seeds else per_seed[0],
        best_width=widths[best],
        interior=interior,
        widths=widths,
        optimal_width=n_star,
    )


def fit_frontier_exponent(
    frontier: Frontier,
    *,
    cmin: float | None = None,
    cmax: float | None = None,
    interior_only: bool = True,
    min_steps: float | None = None,
    confidence: float = 0.95,
) -> PowerLawFit:
    """Fit L*(C) ∼ C^exponent on the frontier (exponent ≈ −r of [B] Table 1).

    Uses the compute window [cmin, cmax] and, with ``interior_only``, only points whose
    best width is interior to the width set; ``min_steps`` drops points whose optimal
    run length C/N* is shorter (the initial transient is not part of the scaling law). With
    seeds the interval is a bootstrap over seeds (:func:`ntk_scaling.fit_power_law_seeds`),
    else the least-squares interval. Appendix label ``eq-b-compute-frontier``; the
    prediction r is ``eq-b-compute-r``.

    Args:
        frontier: from :func:`compute_frontier`.
        cmin: smallest compute of the window (None: no bound).
        cmax: largest compute of the window (None: no bound).
        interior_only: keep only points whose best width is interior to the width set.
        min_steps: drop points with C/N* below this many steps (None: keep all).
        confidence: level of the exponent's interval.

    Returns:
        :class:`ntk_scaling.PowerLawFit` of L* against C; its ``exponent`` is −r.

    Raises:
        ValueError: fewer than 3 frontier points in the window, or a failed fit
            (:func:`ntk_scaling.fit_power_law`).
    """
    keep = np.ones(frontier.compute.shape, dtype=bool)
    if cmin is not None:
        keep &= frontier.compute >= cmin
    if cmax is not None:
        keep &= frontier.compute <= cmax
    if interior_only:
        keep &= frontier.interior
    if min_steps is not None:
        keep &= frontier.compute / frontier.best_width >= min_steps
    if keep.sum() < 3:
        raise ValueError(
            f"fit_frontier_exponent: only {int(keep.sum())} frontier points in the window "
            "(widen the compute window, add widths, or set interior_only=False)"
        )
    c = frontier.compute[keep]
    if frontier.loss.ndim == 2:
        return fit_power_law_seeds(c, frontier.loss[:, keep], confidence=confidence)
    return fit_power_law(c, frontier.loss[keep], confidence=confidence)


class WidthCrossovers(NamedTuple):
    """Compute at which width N_{i+1} overtakes N_i, and the geometric-mean width there."""

    compute: np.ndarray  #: (W-1,) crossover compute, NaN where none inside the range
    width: np.ndarray  #: (W-1,) sqrt(N_i N_{i+1})


def width_crossovers(steps: object, widths: object, losses: object, *, n_points: int = 400) -> WidthCrossovers:
    """Crossover compute of consecutive widths on the seed-mean curves.

    At compute below C_i the narrower width N_i reaches the lower loss, above it N_{i+1}
    does; so the optimal width N*(C) passes √(N_i N_{i+1}) at C_i. A power-law fit of
    width against compute estimates the allocation exponent of N* ([B] Table 1; appendix
    label ``eq-b-compute-allocation``).

    Args:
        steps: (R,) recorded steps t > 0, strictly increasing (R ≥ 2).
        widths: (W,) widths N > 0, strictly increasing.
        losses: (W, R) or (n_seeds, W, R) positive losses L(N, t). Seeds are averaged first.
        n_points: compute values (log-spaced from N_1·t_1 to N_W·t_R) on which the
            curves are compared.

    Returns:
        :class:`WidthCrossovers`: (W − 1,) crossover compute (NaN where the wider width
        does not take over for good inside the range) and (W − 1,) widths √(N_i N_{i+1}).

    Raises:
        ValueError: steps, widths or losses of the wrong shape, or steps/widths not
            positive and strictly increasing.
        FloatingPointError: a loss is NaN, infinite or ≤ 0 (a diverged run?).
    """
    steps, widths, losses = _check_curves(steps, widths, losses)
    mean = losses.mean(0) if losses.ndim == 3 else losses
    compute = np.geomspace(widths[0] * steps[0], widths[-1] * steps[-1], n_points)
    logs = _curves_at_compute(steps, widths, mean[None], compute)[0]
    cross = np.full(widths.size - 1, np.nan)
    for i in range(widths.size - 1):
        ok = np.isfinite(logs[i]) & np.isfinite(logs[i + 1])
        d = np.where(ok, logs[i] - np.where(ok, logs[i + 1], 0.0), np.nan)  # > 0: wider wins
        if ok.sum() < 2:
            continue
        c_ok, d_ok = np.log(compute[ok]), d[ok]
        # last change of sign from "narrow wins" to "wide wins"
        idx = np.nonzero((d_ok[:-1] <= 0) & (d_ok[1:] > 0))[0]
        if idx.size and np.all(d_ok[idx[-1] + 1 :] > 0):
            j = idx[-1]
            frac = -d_ok[j] / (d_ok[j + 1] - d_ok[j])
            cross[i] = float(np.exp(c_ok[j] + frac * (c_ok[j + 1] - c_ok[j])))
    return WidthCrossovers(compute=cross, width=np.sqrt(widths[:-1] * widths[1:]))


def fit_optimal_width_exponent(
    source: WidthCrossovers | Frontier, *, min_steps: float | None = None, confidence: float = 0.95
) -> PowerLawFit:
    """Fit N*(C) ∼ C^a (a ≈ ``optimal_allocation(...).model``).

    From a :class:`Frontier`: the parabolic-vertex estimate ``optimal_width`` (optionally
    only where C/N* >= ``min_steps``); from :class:`WidthCrossovers`: the crossover points.
    Appendix label ``eq-b-compute-allocation`` for the prediction.

    Args:
        source: a :class:`Frontier` or :class:`WidthCrossovers`.
        min_steps: with a Frontier, drop points with C/N* below this many steps.
        confidence: level of the exponent's interval.

    Returns:
        :class:`ntk_scaling.PowerLawFit` of N* against C (least squares in log-log).

    Raises:
        ValueError: fewer than 3 usable points, or a failed fit.
    """
    if isinstance(source, Frontier):
        c, n = source.compute, source.optimal_width
        ok = np.isfinite(n)
        if min_steps is not None:
            ok &= c / np.where(ok, n, 1.0) >= min_steps
    else:
        c, n = source.compute, source.width
        ok = np.isfinite(c)
    if ok.sum() < 3:
        raise ValueError(f"fit_optimal_width_exponent needs >= 3 usable points, got {int(ok.sum())}")
    return fit_power_law(c[ok], n[ok], confidence=confidence)


# ----------------------------------------------------------------------------- sweeps


@cached_function(version=1)
def width_family_point(
    *,
    alpha: float,
    beta: float,
    width: int,
    gamma: float,
    lr: float,
    n_modes: int,
    batch: int,
    steps: int,
    n_seeds: int,
    n_records: int,
    seed: int,
) -> dict[str, object]:
    """One width of a compute-frontier sweep: [B]'s projected model, online SGD.

    Runs :func:`ntk_scaling.linear_model.simulate_projected_model` on
    ``power_law_task(alpha, beta, n_modes)`` with key ``fold_in(key(seed), width)`` and
    returns ``{"steps", "test_loss", "unstable"}``; ``unstable`` records whether the
    simulator warned that the loss rose (a step size at the edge of stability). The model is
    that of ``eq-b-model-sgd`` (status: reconstructed and checked numerically).

    Args:
        alpha: capacity α > 1 of the task.
        beta: source β > 0 of the task.
        width: N.
        gamma: γ ≥ 0.
        lr: η > 0.
        n_modes: M, modes of the task.
        batch: B, fresh samples per step.
        steps: T, the last step.
        n_seeds: seeds run together.
        n_records: at most this many log-spaced records.
        seed: base seed; the key is ``fold_in(key(seed), width)``.

    Returns:
        ``{"steps": (R,) int array from 0, "test_loss": (n_seeds, R) array,
        "unstable": bool}``.

    Raises:
        ValueError: α ≤ 1, β ≤ 0, M < 1, or an argument of the simulator out of range.
        TypeError: an argument of the wrong type.
        FloatingPointError: the simulation diverged.
    """
    import warnings

    import jax

    from .linear_model import simulate_projected_model
    from .tasks import power_law_task

    task = power_law_task(alpha, beta, n_modes)
    key = jax.random.fold_in(jax.random.key(seed), width)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        # uncached: the warnings it raises are part of this point's result
        res = simulate_projected_model.uncached(
            key, task, width=width, batch=batch, lr=lr, gamma=gamma, steps=steps,
            n_seeds=n_seeds, n_records=n_records,
        )
    unstable = any("stability" in str(w.message) or "rose" in str(w.message) for w in caught)
    return {"steps": np.asarray(res.steps), "test_loss": np.asarray(res.test_loss), "unstable": bool(unstable)}


class WidthFamily(NamedTuple):
    """Loss curves of a family of widths on a common step grid (step 0 dropped)."""

    steps: np.ndarray  #: (R,) steps t >= 1
    widths: np.ndarray  #: (W,)
    losses: np.ndarray  #: (n_seeds, W, R) test loss
    unstable: np.ndarray  #: (W,) bool, simulator warned about a rising loss


def sweep_width_family(
    *,
    alpha: float,
    beta: float,
    widths: list[int],
    gamma: float,
    lr: float,
    n_modes: int,
    batch: int,
    steps: int,
    n_seeds: int,
    n_records: int,
    seed: int = 0,
    executor: object | None = None,
) -> WidthFamily:
    """Sweep over widths (:func:`ntk_scaling.sweep` of :func:`width_family_point`) for frontier measurements.

    Chapters that call it with the same arguments share the cached runs.

    Args:
        alpha: capacity α > 1.
        beta: source β > 0.
        widths: the W widths N, increasing, each < n_modes.
        gamma: γ ≥ 0.
        lr: η > 0.
        n_modes: M.
        batch: B.
        steps: T.
        n_seeds: seeds per width.
        n_records: at most this many log-spaced records.
        seed: base seed (:func:`width_family_point`).
        executor: passed to :func:`ntk_scaling.sweep` (None: serial).

    Returns:
        :class:`WidthFamily`: steps (R,) ≥ 1 as floats (step 0 dropped), widths (W,),
        losses (n_seeds, W, R) and the per-width ``unstable`` flags.

    Raises:
        ValueError: ``n_modes`` is not larger than every width (the projection bottleneck
            needs M ≫ N; appendix label ``eq-b-scaling-bottleneck``), or a bad argument of
            :func:`width_family_point`.
        FloatingPointError: a width's run diverged (a :class:`ntk_scaling.DivergenceError`
            for runs recorded as diverged in the cache).
    """
    from ..cache import DivergenceError
    from ..sweeps import grid, sweep

    widths = [int(w) for w in widths]
    if any(w >= n_modes for w in widths):
        raise ValueError(f"n_modes (M = {n_modes}) must exceed every width (got max {max(widths)}); take M ≫ N")
    fixed = dict(alpha=float(alpha), beta=float(beta), gamma=float(gamma), lr=float(lr), n_modes=int(n_modes),
                 batch=int(batch), steps=int(steps), n_seeds=int(n_seeds), n_records=int(n_records), seed=int(seed))
    swept = sweep(width_family_point, grid(width=widths), fixed=fixed, executor=executor,
                  desc=f"widths α={alpha} β={beta} γ={gamma}")
    if swept.diverged:
        raise DivergenceError("; ".join(d.error for d in swept.diverged))
    out = swept.results
    rec = np.asarray(out[0]["steps"])
    keep = rec > 0
    losses = np.stack([np.asarray(o["test_loss"])[:, keep] for o in out], axis=1)
    return WidthFamily(rec[keep].astype(float), np.asarray(widths, float), losses,
                       np.array([bool(o["unstable"]) for o in out]))


class FrontierMeasurement(NamedTuple):
    """A measured compute-optimal frontier and its fits, beside the Table 1 prediction."""

    family: WidthFamily
    frontier: Frontier
    fit: PowerLawFit  #: L*(C) ∼ C^exponent; the measured r is −exponent
    crossovers: WidthCrossovers
    fit_width: PowerLawFit | None  #: N*(C) ∼ C^exponent from the frontier's parabolic N*, None if < 3 points
    r_predicted: float
    width_exponent_predicted: float

    @property
    def r(self) -> float:
        """The exponent r of loss ∝ C^(−r): minus the fitted frontier exponent."""
        return -self.fit.exponent

    @property
    def r_interval(self) -> tuple[float, float]:
        """The fit's confidence interval of the exponent, mapped to r (lower, upper)."""
        lo, hi = self.fit.exponent_ci
        return (-hi, -lo)


def measure_frontier(
    *,
    alpha: float,
    beta: float,
    rich: bool,
    widths: list[int],
    gamma: float,
    lr: float,
    n_modes: int,
    batch: int,
    steps: int,
    n_seeds: int,
    n_records: int,
    seed: int = 0,
    min_steps: float | None = None,
) -> FrontierMeasurement:
    """Simulate a width family (cached), extract the frontier and fit r and the N* exponent.

    ``gamma`` is used only when ``rich`` (lazy runs use γ = 0). Frontier estimator of
    ``eq-b-compute-frontier``; predictions of ``eq-b-compute-r`` and
    ``eq-b-compute-allocation`` (status: reconstructed and checked numerically).

    Args:
        alpha: capacity α > 1.
        beta: source β > 0.
        rich: rich (γ = ``gamma``) or lazy (γ = 0) runs and predictions.
        widths: the W widths, increasing, each < n_modes.
        gamma: γ of the rich runs.
        lr: η > 0.
        n_modes: M.
        batch: B.
        steps: T.
        n_seeds: seeds per width.
        n_records: at most this many log-spaced records.
        seed: base seed.
        min_steps: drop frontier points with C/N* below this many steps from both fits.

    Returns:
        :class:`FrontierMeasurement`: the width family, its frontier, the fit of L*(C),
        the width crossovers, the fit of N*(C) (None if fewer than 3 points) and the
        predicted r and N* exponent.

    Raises:
        FloatingPointError: the simulator reported a rising loss (learning rate at the
            edge of stability), or a run diverged.
        ValueError: a bad argument, or fewer than 3 frontier points to fit.
        TypeError: ``rich`` is not a bool, or an argument of the wrong type.
    """
    from .exponents import compute_optimal_exponent, optimal_allocation

    fam = sweep_width_family(
        alpha=alpha, beta=beta, widths=widths, gamma=gamma if rich else 0.0, lr=lr, n_modes=n_modes,
        batch=batch, steps=steps, n_seeds=n_seeds, n_records=n_records, seed=seed,
    )
    if fam.unstable.any():
        raise FloatingPointError(
            f"{'rich' if rich else 'lazy'} runs with alpha={alpha}, beta={beta}, lr={lr} rose in loss "
            f"(edge of stability) at widths {fam.widths[fam.unstable].astype(int).tolist()}: lower lr"
        )
    fr = compute_frontier(fam.steps, fam.widths, fam.losses)
    fit = fit_frontier_exponent(fr, min_steps=min_steps)
    xo = width_crossovers(fam.steps, fam.widths, fam.losses)
    try:
        fit_n = fit_optimal_width_exponent(fr, min_steps=min_steps)
    except ValueError:
        fit_n = None
    return FrontierMeasurement(
        fam, fr, fit, xo, fit_n,
        float(compute_optimal_exponent(alpha, beta, rich)), float(optimal_allocation(alpha, beta, rich).model),
    )


# ----------------------------------------------------------------------------- theory frontiers


@cached_function(version=1)
def theory_family_point(
    *,
    alpha: float,
    beta: float,
    width: int,
    gammas: list[float],
    n_modes: int,
    steps: int,
    n_records: int,
    lr: float = 1.0,
    steps_per_decade: int = 30,
) -> dict[str, object]:
    """Finite-N theory curves at one width for several γ, sharing one spectral quadrature.

    :func:`ntk_scaling.dmft_finite_width` (B = ∞, gradient flow in τ = lr·t) on
    ``power_law_task(alpha, beta, n_modes)``. Returns ``{"steps": (R,), "loss": (G, R),
    "kernel_scale": (G, R)}`` with one row per entry of ``gammas``. Cost: one quadrature
    (seconds) and G flows (< 1 s each at T = 10⁸). Appendix labels
    ``eq-b-finite-n-closure`` and ``eq-b-finite-n-frontier``.

    Args:
        alpha: capacity α > 1.
        beta: source β > 0.
        width: N.
        gammas: the G values γ ≥ 0 (a non-empty list).
        n_modes: M.
        steps: T, the last step.
        n_records: at most this many log-spaced records.
        lr: η > 0; the flow runs in τ = lr·t.
        steps_per_decade: flow steps per decade of τ.

    Returns:
        ``{"steps": (R,) int array from 0, "loss": (G, R), "kernel_scale": (G, R)}``
        (float64; loss includes the floor).

    Raises:
        TypeError: ``gammas`` is not a non-empty list or tuple, or an argument of the wrong
            type.
        ValueError: an argument out of range (task, width, lr, steps, ...).
        FloatingPointError: the quadrature failed or the flow diverged.
    """
    from .deterministic_equivalent import spectral_measure
    from .dmft_finite import deterministic_modes, solve_reduced_modes
    from .tasks import power_law_task

    if not isinstance(gammas, (list, tuple)) or not gammas:
        raise TypeError(f"gammas must be a non-empty list of floats, got {gammas!r}")
    task = power_law_task(alpha, beta, n_modes)
    modes = deterministic_modes(spectral_measure.uncached(task, width))
    runs = [solve_reduced_modes(modes, lr=lr, gamma=float(g), steps=steps, n_records=n_records,
                                steps_per_decade=steps_per_decade) for g in gammas]
    return {"steps": runs[0].steps, "loss": np.stack([r.loss for r in runs]),
            "kernel_scale": np.stack([r.kernel_scale for r in runs])}


def theory_width_family(
    *,
    alpha: float,
    beta: float,
    widths: list[int],
    gammas: list[float],
    n_modes: int,
    steps: int,
    n_records: int,
    lr: float = 1.0,
    executor: object | None = None,
) -> dict[float, WidthFamily]:
    """Theory loss curves L(N, t) for every width and γ (a sweep of :func:`theory_family_point`).

    Appendix label ``eq-b-finite-n-frontier`` (status: our choice).

    Args:
        alpha: capacity α > 1.
        beta: source β > 0.
        widths: the W widths, each < n_modes.
        gammas: the values of γ ≥ 0.
        n_modes: M.
        steps: T, the last step.
        n_records: at most this many log-spaced records.
        lr: η > 0.
        executor: passed to :func:`ntk_scaling.sweep` (None: serial).

    Returns:
        ``{γ: WidthFamily}`` with losses of shape (1, W, R) (no seeds) on steps t ≥ 1 and
        all ``unstable`` flags False.

    Raises:
        ValueError: ``n_modes`` does not exceed every width, or an argument out of range.
        TypeError: an argument of the wrong type.
        FloatingPointError: a quadrature failed or a flow diverged.
    """
    from ..sweeps import grid, sweep

    widths = [int(w) for w in widths]
    if any(w >= n_modes for w in widths):
        raise ValueError(f"n_modes (M = {n_modes}) must exceed every width (got max {max(widths)}); take M ≫ N")
    gammas = [float(g) for g in gammas]
    fixed = dict(alpha=float(alpha), beta=float(beta), gammas=gammas, n_modes=int(n_modes), steps=int(steps),
                 n_records=int(n_records), lr=float(lr))
    out = sweep(theory_family_point, grid(width=widths), fixed=fixed, executor=executor,
                desc=f"finite-N theory α={alpha} β={beta}").results
    rec = np.asarray(out[0]["steps"])
    keep = rec > 0
    return {
        g: WidthFamily(rec[keep].astype(float), np.asarray(widths, float),
                       np.stack([np.asarray(o["loss"])[i, keep] for o in out])[None], np.zeros(len(widths), bool))
        for i, g in enumerate(gammas)
    }


class WindowFits(NamedTuple):
    """Frontier exponents fitted over several windows of compute (the theory's intervals)."""

    windows: np.ndarray  #: (n, 2) compute bounds of each window; row 0 spans all the last decades
    r: np.ndarray  #: (n,) −d log L*/d log C in each window
    a: np.ndarray  #: (n,) d log N*/d log C in each window
    interior_decades: float  #: decades of compute over which the best width is interior to the set
    local: np.ndarray  #: (m, 3) sliding windows over the whole interior: [log10 C (centre), r, a]

    @property
    def r_interval(self) -> tuple[float, float]:
        """The smallest and largest r over the windows: the window-to-window spread."""
        return (float(np.min(self.r)), float(np.max(self.r)))

    @property
    def a_interval(self) -> tuple[float, float]:
        """The smallest and largest a over the windows: the window-to-window spread."""
        return (float(np.min(self.a)), float(np.max(self.a)))


def fit_frontier_windows(
    frontier: Frontier, *, fit_decades: float = 2.0, window_decades: float = 1.0, window_step: float = 0.25
) -> WindowFits:
    """Fit L* ∼ C^(−r) and N* ∼ C^a over the last ``fit_decades`` of the frontier's interior.

    Row 0 fits the whole last ``fit_decades``; the other rows fit sub-windows of
    ``window_decades`` sliding by ``window_step`` within them. Their spread is the interval
    reported for a noise-free (theory) frontier: it measures how much the exponent still
    drifts, i.e. the pre-asymptotic correction, not a statistical error. ``local`` repeats
    the sliding fit over the whole interior, for extrapolation (:func:`convergence_compute`).
    Appendix label ``eq-b-finite-n-frontier`` (status: our choice). Only points with an
    interior best width and a finite parabolic N* are used; seeds are averaged first.

    Args:
        frontier: from :func:`compute_frontier` (typically of theory curves).
        fit_decades: decades of compute, ending at the largest interior point, of row 0.
        window_decades: width of the sliding windows, in decades of compute.
        window_step: shift between sliding windows, in decades.

    Returns:
        :class:`WindowFits`: (n, 2) window bounds in compute, (n,) r and a per window, the
        interior span in decades and the (m, 3) sliding fits [log10 C, r, a].

    Raises:
        ValueError: fewer than ``fit_decades`` of interior frontier, or a window with < 4 points.
    """
    ok = frontier.interior & np.isfinite(frontier.optimal_width)
    if ok.sum() < 4:
        raise ValueError("fit_frontier_windows: fewer than 4 interior frontier points")
    lc = np.log10(frontier.compute)
    hi, lo_all = float(lc[ok].max()), float(lc[ok].min())
    if hi - lo_all < fit_decades - 1e-9:
        raise ValueError(f"fit_frontier_windows: the interior frontier spans {hi - lo_all:.2f} decades "
                         f"< fit_decades = {fit_decades}; add widths or steps")

    def fit(a: float, b: float) -> tuple[float, float]:
        w = ok & (lc >= a - 1e-9) & (lc <= b + 1e-9)
        if w.sum() < 4:
            raise ValueError(f"fit_frontier_windows: window 1e{a:.2f}..1e{b:.2f} has {int(w.sum())} points; raise n_points")
        r = -np.polyfit(lc[w], np.log10(frontier.loss[w] if frontier.loss.ndim == 1 else frontier.loss.mean(0)[w]), 1)[0]
        return float(r), float(np.polyfit(lc[w], np.log10(frontier.optimal_width[w]), 1)[0])

    lo = hi - fit_decades
    starts = np.arange(lo, hi - window_decades + 1e-9, window_step)
    bounds = [(lo, hi)] + [(s, s + window_decades) for s in starts]
    fits = np.array([fit(a, b) for a, b in bounds])
    local_starts = np.arange(lo_all, hi - window_decades + 1e-9, window_step)
    local = np.array([[s + window_decades / 2, *fit(s, s + window_decades)] for s in local_starts])
    return WindowFits(10.0 ** np.array(bounds), fits[:, 0], fits[:, 1], hi - lo_all, local)


def convergence_compute(local: np.ndarray, column: int, target: float, tolerance: float, last: int = 4) -> float:
    """Compute C at which a drifting local exponent reaches ``target`` within ``tolerance``.

    Extrapolates linearly in log10 C the last ``last`` sliding-window estimates in column
    ``column`` of :attr:`WindowFits.local` (1 = r, 2 = a). Returns the current largest C if
    it is already within tolerance, ``inf`` if the exponent drifts away from the target or
    not at all. A rough guide to where a pre-asymptotic disagreement should vanish.

    Args:
        local: (m, 3) array :attr:`WindowFits.local` ([log10 C, r, a] per window).
        column: 1 for r, 2 for a.
        target: the predicted exponent.
        tolerance: how close counts as reached, in exponent units.
        last: number of final windows in the linear extrapolation (≥ 2).

    Returns:
        The compute C (width × steps) as a float, or ``inf``.
    """
    x, y = local[-last:, 0], local[-last:, column]
    if abs(y[-1] - target) <= tolerance:
        return float(10.0 ** x[-1])
    slope = np.polyfit(x, y, 1)[0]
    gap = target - y[-1]
    if slope == 0 or np.sign(slope) != np.sign(gap):
        return math.inf
    return float(10.0 ** (x[-1] + (abs(gap) - tolerance) / abs(slope)))


class TheoryFrontier(NamedTuple):
    """Compute-optimal frontier of the finite-N theory and its window fits, beside Table 1."""

    family: WidthFamily
    frontier: Frontier
    fits: WindowFits
    r_predicted: float
    width_exponent_predicted: float


def theory_frontier(
    *,
    alpha: float,
    beta: float,
    rich: bool,
    widths: list[int],
    gamma: float,
    n_modes: int,
    steps: int,
    n_records: int,
    n_points: int = 200,
    fit_decades: float = 2.0,
    window_decades: float = 1.0,
    window_step: float = 0.25,
    executor: object | None = None,
) -> TheoryFrontier:
    """The frontier of the finite-N theory (τ = t, i.e. lr = 1, B = ∞) and its exponents.

    Lazy and rich share the cached theory points (``gammas = [0, gamma]``). Compute is
    C = N·τ; at another learning rate η the frontier moves to C = N·τ/η with the same
    exponents. ``executor`` (e.g. a process pool) computes the widths in parallel.
    Appendix label ``eq-b-finite-n-frontier`` (status: our choice); predictions of
    ``eq-b-compute-r`` and ``eq-b-compute-allocation``.

    Args:
        alpha: capacity α > 1.
        beta: source β > 0.
        rich: use the γ = ``gamma`` curves and rich predictions (else γ = 0, lazy).
        widths: the W widths, each < n_modes.
        gamma: γ of the rich curves.
        n_modes: M.
        steps: T, the last step (τ = t).
        n_records: at most this many log-spaced records.
        n_points: compute values of the frontier (:func:`compute_frontier`).
        fit_decades: decades of the overall fit (:func:`fit_frontier_windows`).
        window_decades: decades per sliding window.
        window_step: shift between sliding windows, in decades.
        executor: passed to :func:`ntk_scaling.sweep` (None: serial).

    Returns:
        :class:`TheoryFrontier`: the width family, its frontier, the window fits and the
        predicted r and N* exponent.

    Raises:
        ValueError: ``n_modes`` does not exceed every width, the interior frontier spans
            fewer than ``fit_decades`` decades, a window has < 4 points, or a bad argument.
        TypeError: ``rich`` is not a bool, or an argument of the wrong type.
        FloatingPointError: a quadrature failed or a flow diverged.
    """
    from .exponents import compute_optimal_exponent, optimal_allocation

    fams = theory_width_family(alpha=alpha, beta=beta, widths=widths, gammas=[0.0, float(gamma)], n_modes=n_modes,
                               steps=steps, n_records=n_records, executor=executor)
    fam = fams[float(gamma) if rich else 0.0]
    fr = compute_frontier(fam.steps, fam.widths, fam.losses[0], n_points=n_points)
    fits = fit_frontier_windows(fr, fit_decades=fit_decades, window_decades=window_decades, window_step=window_step)
    return TheoryFrontier(fam, fr, fits, float(compute_optimal_exponent(alpha, beta, rich)),
                          float(optimal_allocation(alpha, beta, rich).model))
