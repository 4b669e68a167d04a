"""Finite-width theory of [B]'s projected model, lazy and rich (arXiv 2409.17858, Section 3, App. C).

[B]'s finite-N DMFT (its Eqs. 26–31) was lost from our copy of the paper; this module
derives a closed theory of its own (equations/solvable_finite_n.md), in three steps.

**1. Exact reduction to N dimensions** (checked to round-off against simulation,
``tests/test_dmft_finite.py``). The projected update keeps A(t) = B(t)A(0) with
B ∈ R^{N×N}, B(0) = I. With χ = A(0)Λv⁰ (N-vector), z = Bᵀw and Q = BᵀB, gradient flow
(τ = ηt, B = ∞) reads

    dz/dτ = (Q + γa) χ,   dQ/dτ = (γ/N)(χzᵀ + zχᵀ),   da/dτ = 2 zᵀχ/N,   v = A(0)ᵀz/N.

Write H = A(0)ΛA(0)ᵀ/N (whose non-zero eigenvalues μ_i are those of the sample covariance
Σ̂ of :mod:`.deterministic_equivalent`), z̃ = z/√N and z̃⁰ = z̃* − z̃ with z̃* the
least-squares solution. Then χ/√N = H z̃⁰ and L = L_∞ + z̃⁰ᵀHz̃⁰, where L_∞ is the
projection floor: the model at width N *is* the N = ∞ model of :mod:`.dmft` on the N
modes of H, started from the random point z̃(0) = w(0)/√N instead of 0. As at N = ∞,
Q stays rank-two-structured: Q = I + c zzᵀ/N − c₀ ppᵀ with c = γ/(1+γa), c₀ = γ/(1+γa(0))
and dp/dτ = −c z̃ (pᵀHz̃⁰), p(0) = z̃(0) (substitute and differentiate). So each mode i
of H moves linearly, coupled to the others only through the scalars a, vᵀHx and pᵀHx:

    dx/dτ = −κ μ∘x − c v Φ₁ + c₀ p Φ₂,   dp/dτ = −c v Φ₂,   da/dτ = 2Φ₁,
    x = z̃⁰, v = z̃ = t − x, κ = 1 + γa, Φ₁ = vᵀ(μ∘x), Φ₂ = pᵀ(μ∘x).

**2. Average over w(0) and A(0).** In H's eigenbasis the random start has i.i.d.
components ω_i ~ N(0, 1/N), so every mode is linear in (t_i, ω_i) and every scalar is a
sum over modes of squares: it depends on A(0) only through the two spectral measures of
Σ̂, μ_b (target power; t_i² μ_i = (φ_iᵀb)²) and ν₀ (eigenvalue count / N), and on w(0)
only through E ω_i² = 1/N. Replacing these sums by their deterministic equivalents
(:func:`ntk_scaling.spectral_measure`; the "O(1/N) response summed over modes" of [B] is
the self-consistency κ − z = (κ/N)Σλ/(λ+κ) behind them) and the scalars by their means
closes the system on 2J modes: a target channel (weights μ_b(x_j)/x_j, start x = t) and a
random-start channel (weights ν₀(x_j), start x = −ω, p = ω). This is the leading order in
1/N, the same order at which [B]'s DMFT is exact; it neglects the O(N^{-1/2})
sample-to-sample fluctuations of the scalars. As N → ∞ (M fixed) the measures collapse
onto the λ_k and the random-start channel's mass M/N vanishes: :func:`dmft_limit` is
recovered.

**3. Time.** For B = ∞ we integrate the flow on a log-spaced grid in τ (``steps_per_decade``
steps per decade) with an exponential (Duhamel) step: κμ∘x exactly, the two rank-one
scalars Φ₁, Φ₂ at their trapezoidal values (a 2×2 solve), coefficients frozen at a predicted
midpoint: stable for any κ, second order. Cost O(K · steps_per_decade · log₁₀(τ_end/τ₀)) for
K = 2J modes, memory O(K): no T×T matrix is ever formed, because the modes of H
diagonalise the time-local kernel and the non-time-translation-invariant part lives in
the three scalars. The η-step model (``dynamics="discrete"``) applies
x' = x − η[κμ∘x + c v Φ₁ − c₀ p Φ₂] − η²γΦ₁μ∘x per step (exact for γ = 0; for γ > 0 it drops
the O(η²γ) part of Q that leaves the rank-two form, as :func:`dmft_limit` does), O(K) per
step in JAX.

**Finite batch B** (η-steps). Gaussian batches add noise ζ = A(0)(Λ̂ − Λ)v⁰ with
Cov(ζ/√N) = (1/B)(ũũᵀ + L·H), ũ = μ∘x, L the total loss (floor included). Each mode
carries the second moments (Vxx, Vxp, Vpp) of its sites' noise-driven deviations, which
evolve by the same per-site linear map plus this covariance pushed through the kernel
Q + γa. For γ = 0 this is the exact second-moment recursion of appendix eq-b-dmft-batch on the
deterministic-equivalent spectrum. For γ > 0 it is a Gaussian (mean-field) closure: it
neglects the correlation between the SGD fluctuations of the kernel's scalars (a, Φ₁, Φ₂)
and of the modes, an O(η/B) relative effect whose size the tests measure.
"""

from __future__ import annotations

import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..cache import cached_function
from ..steps import log_steps
from ..validation import check_float, check_int, check_key
from .deterministic_equivalent import SpectralMeasure, spectral_measure
from .dmft import DMFTResult
from .tasks import PowerLawTask, check_task

__all__ = [
    "ReducedModes",
    "deterministic_modes",
    "instance_modes",
    "infinite_width_modes",
    "solve_reduced_modes",
    "dmft_finite_width",
    "Agreement",
    "compare_with_simulation",
]


class ReducedModes(NamedTuple):
    """[B]'s model at width N as K modes of H = A(0)ΛA(0)ᵀ/N coupled through scalars (module docstring)."""

    eigenvalues: np.ndarray  #: (K,) μ_m
    target: np.ndarray  #: (K,) t_m, the least-squares target (scaled by √weight for a quadrature)
    error0: np.ndarray  #: (K,) x_m(0) = t_m − ω_m, the initial error
    readout0: np.ndarray  #: (K,) p_m(0) = ω_m, the random start of the readout
    sites: np.ndarray  #: (K,) eigenvalues of H the mode stands for (enters the SGD noise only)
    floor: float  #: L_∞, the projection floor added to the loss
    a0: float  #: a(0) = |w(0)|²/N
    width: int  #: N


def deterministic_modes(measure: SpectralMeasure) -> ReducedModes:
    """The 2J modes of the deterministic equivalent: a target channel and a random-start channel.

    Target channel: weight W_t = μ_b(x_j)/x_j, t = √W_t, x(0) = t, p(0) = 0. Random-start
    channel: weight W_0 = ν₀(x_j), t = 0, x(0) = −√W_0, p(0) = √W_0, carrying N·W_0 sites.
    a(0) = 1 (the mean of |w(0)|²/N). Appendix label ``eq-b-finite-n-closure`` (status:
    reconstructed and checked numerically against 32-seed simulation means).

    Args:
        measure: the J-node quadrature of :func:`ntk_scaling.spectral_measure`.

    Returns:
        :class:`ReducedModes` with K = 2J modes (target channel first), the measure's floor
        L_∞ and width N.

    Raises:
        TypeError: ``measure`` is not a :class:`ntk_scaling.SpectralMeasure`.
    """
    if not isinstance(measure, SpectralMeasure):
        raise TypeError(f"measure must be a SpectralMeasure (see ntk_scaling.spectral_measure), got {type(measure).__name__}")
    x = np.asarray(measure.eigenvalues, np.float64)
    wt = np.sqrt(np.asarray(measure.target_weights, np.float64) / x)
    w0 = np.sqrt(np.asarray(measure.density_weights, np.float64))
    zero = np.zeros_like(x)
    return ReducedModes(
        eigenvalues=np.concatenate([x, x]),
        target=np.concatenate([wt, zero]),
        error0=np.concatenate([wt, -w0]),
        readout0=np.concatenate([zero, w0]),
        sites=np.concatenate([zero, measure.width * np.asarray(measure.density_weights, np.float64)]),
        floor=float(measure.floor),
        a0=1.0,
        width=int(measure.width),
    )


def instance_modes(key: jax.Array, task: PowerLawTask, width: int, n_seeds: int = 1) -> list[ReducedModes]:
    """The exact reduction of the simulated model for each seed (same A(0), w(0) as the simulator).

    Seed i uses ``jax.random.split(key, n_seeds)[i]``, as
    :func:`ntk_scaling.simulate_projected_model` does, so solving these modes reproduces
    that seed's learning curve (to the time discretisation). Cost O(N²M) per seed (an SVD
    of A(0)Λ^{1/2} in float64). Status: exact (module docstring, step 1; appendix label
    ``eq-b-finite-n-reduction``, reconstructed and checked numerically).

    Args:
        key: a JAX PRNG key (split into ``n_seeds`` keys).
        task: the power-law task (M modes).
        width: N ≥ 1.
        n_seeds: number of seeds ≥ 1.

    Returns:
        A list of ``n_seeds`` :class:`ReducedModes`, each with K = rank of A(0)Λ^{1/2}
        (≤ min(N, M)) modes, its own floor L_∞ = |b|² − |projection of b|² and
        a(0) = |w(0)|²/N.

    Raises:
        TypeError: ``key`` is not a JAX array, ``task`` is not a
            :class:`ntk_scaling.PowerLawTask`, or width/n_seeds are not integers.
        ValueError: ``key`` is not a single PRNG key, or width/n_seeds < 1.
    """
    from .linear_model import _draw_one

    key = check_key(key)
    task = check_task(task)
    width = check_int(width, "width")
    n_seeds = check_int(n_seeds, "n_seeds")
    lam = np.asarray(task.eigenvalues, np.float64)
    b = np.sqrt(lam) * np.asarray(task.target, np.float64)
    out = []
    for k in jax.random.split(key, n_seeds):
        a0, w0, _, _ = _draw_one(k, width=width, n_modes=task.n_modes, n_train=None, dtype=task.eigenvalues.dtype)
        x = np.asarray(a0, np.float64) * np.sqrt(lam)
        w0 = np.asarray(w0, np.float64)
        u, sv, vt = np.linalg.svd(x, full_matrices=False)
        keep = sv > sv[0] * 1e-12
        u, sv, vt = u[:, keep], sv[keep], vt[keep]
        proj = vt @ b
        t = math.sqrt(width) * proj / sv
        omega = (u.T @ w0) / math.sqrt(width)
        out.append(ReducedModes(sv**2 / width, t, t - omega, omega, np.ones_like(t),
                                float(b @ b - proj @ proj), float(w0 @ w0) / width, width))
    return out


def infinite_width_modes(task: PowerLawTask) -> ReducedModes:
    """The N = ∞ limit as a mode set: the M modes of Λ, v(0) = 0, no random-start channel.

    Solving it with :func:`solve_reduced_modes` integrates the same flow as
    :func:`ntk_scaling.dmft_limit` (module docstring, step 2) on a log-spaced grid, at a
    cost that grows like log t instead of t. Appendix label ``eq-b-dmft-rank-one``
    (status: reconstructed and checked numerically).

    Args:
        task: the power-law task (M modes).

    Returns:
        :class:`ReducedModes` with the M modes (μ = λ, t = x(0) = w*, p(0) = 0), floor 0,
        a(0) = 1 and ``width`` 0 (standing for N = ∞).

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`.
    """
    task = check_task(task)
    lam = np.asarray(task.eigenvalues, np.float64)
    ws = np.asarray(task.target, np.float64)
    zero = np.zeros_like(lam)
    return ReducedModes(lam, ws, ws.copy(), zero, zero, 0.0, 1.0, 0)


# ----------------------------------------------------------------------------- flow (numpy, float64)


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a·b without BLAS: a threaded BLAS dot of 10⁴ numbers can take ms on a busy machine."""
    return float(np.add.reduce(a * b))


def _etd(x, p, a, xc, pc, ac, h, mu, ws, gamma, c0):
    """One exponential step of the reduced flow over h, coefficients frozen at (xc, pc, ac)."""
    v = ws - xc
    kap = 1.0 + gamma * ac
    c = gamma / kap
    z = h * kap * mu
    e = np.exp(-np.minimum(z, 300.0))  # e^{-300}: learned modes, kept out of the denormal range
    small = z < 1e-8
    phi = np.where(small, h * (1.0 - 0.5 * z), -np.expm1(-np.minimum(z, 300.0)) / np.where(small, 1.0, kap * mu))
    y0 = e * x
    g1 = phi * (c * v)
    g2 = phi * (c0 * pc)
    mv, mp = mu * v, mu * pc
    # trapezoidal Φ₁*, Φ₂*: Φ* = ½[q·x + q·x(h)] with x(h) = y0 − g1 Φ₁* + g2 Φ₂*
    m11, m12 = 1.0 + 0.5 * _dot(mv, g1), -0.5 * _dot(mv, g2)
    m21, m22 = 0.5 * _dot(mp, g1), 1.0 - 0.5 * _dot(mp, g2)
    r1, r2 = 0.5 * _dot(mv, x + y0), 0.5 * _dot(mp, x + y0)
    det = m11 * m22 - m12 * m21
    f1 = (r1 * m22 - m12 * r2) / det
    f2 = (m11 * r2 - m21 * r1) / det
    return y0 - g1 * f1 + g2 * f2, p - h * c * v * f2, a + 2.0 * h * f1


def _flow(modes: ReducedModes, gamma: float, taus: np.ndarray, steps_per_decade: int) -> tuple[np.ndarray, np.ndarray]:
    mu = np.asarray(modes.eigenvalues, np.float64)
    ws = np.asarray(modes.target, np.float64)
    x = np.asarray(modes.error0, np.float64).copy()
    p = np.asarray(modes.readout0, np.float64).copy()
    a = float(modes.a0)
    c0 = gamma / (1.0 + gamma * a)
    t_first = taus[taus > 0].min()
    start = min(t_first, 1e-2 / max(mu.max(), 1e-300))
    n = max(2, int(math.ceil(steps_per_decade * math.log10(taus.max() / start))) + 1)
    grid = np.unique(np.concatenate([[0.0], np.geomspace(start, taus.max(), n), taus]))
    loss, kern = np.empty(taus.size), np.empty(taus.size)
    want = {float(t): i for i, t in enumerate(taus)}
    t_now = 0.0
    if 0.0 in want:
        loss[want[0.0]], kern[want[0.0]] = modes.floor + _dot(mu, x * x), a
    with np.errstate(over="ignore", invalid="ignore"):
        for t_next in grid[1:]:
            h = t_next - t_now
            x1, p1, a1 = _etd(x, p, a, x, p, a, h, mu, ws, gamma, c0)
            x, p, a = _etd(x, p, a, 0.5 * (x + x1), 0.5 * (p + p1), 0.5 * (a + a1), h, mu, ws, gamma, c0)
            x[np.abs(x) < 1e-150] = 0.0  # learned modes: flush before they turn denormal (100× slower)
            p[np.abs(p) < 1e-150] = 0.0
            t_now = t_next
            i = want.get(float(t_next))
            if i is not None:
                loss[i], kern[i] = modes.floor + _dot(mu, x * x), a
    return loss, kern


# ----------------------------------------------------------------------------- η-steps (JAX)


@partial(jax.jit, static_argnames=("noisy",))
def _discrete(mu, ws, x0, p0, sites, floor, a0, gamma, eta, inv_batch, lengths, *, noisy: bool):
    c0 = gamma / (1.0 + gamma * a0)
    ib = inv_batch

    def step(state):
        x, p, a, vxx, vxp, vpp = state
        v = ws - x
        kap = 1.0 + gamma * a
        c = gamma / kap
        u = mu * x
        phi1 = jnp.dot(v, u) - jnp.dot(mu, vxx)
        phi2 = jnp.dot(p, u) + jnp.dot(mu, vxp)
        x_new = x - eta * (kap * u + c * v * phi1 - c0 * p * phi2) - eta * eta * gamma * phi1 * u
        p_new = p - eta * c * v * phi2
        u2 = mu * mu * (x * x + vxx)
        quad = jnp.sum(u2) + c * phi1 * phi1 - c0 * phi2 * phi2
        if not noisy:
            a_new = a + 2.0 * eta * phi1 + eta * eta * quad
            return x_new, p_new, a_new, vxx, vxp, vpp
        loss = floor + jnp.dot(mu, x * x + vxx)
        vv, pp, vp = v * v + vxx, p * p + vpp, v * p - vxp
        uv, up = mu * (x * v - vxx), mu * (x * p + vxp)
        var_sv = ib * (phi1 * phi1 + loss * jnp.dot(mu, vv))
        var_sp = ib * (phi2 * phi2 + loss * jnp.dot(mu, pp))
        cov = ib * (phi1 * phi2 + loss * jnp.dot(mu, vp))
        inj_xx = (ib * (kap * kap * (u2 + loss * mu * sites) + 2 * kap * c * (phi1 * uv + loss * mu * vv)
                        - 2 * kap * c0 * (phi2 * up + loss * mu * pp))
                  + c * c * vv * var_sv + c0 * c0 * pp * var_sp - 2 * c * c0 * vp * cov)
        inj_pp = c * c * vv * var_sp
        inj_xp = c * (ib * kap * (phi2 * uv + loss * mu * vp) + c * vv * cov - c0 * vp * var_sp)
        t11 = 1.0 - eta * kap * mu + eta * c * phi1
        t12 = eta * c0 * phi2
        t21 = eta * c * phi2
        e2 = eta * eta
        vxx_new = t11 * t11 * vxx + 2 * t11 * t12 * vxp + t12 * t12 * vpp + e2 * inj_xx
        vxp_new = t11 * t21 * vxx + (t11 + t12 * t21) * vxp + t12 * vpp + e2 * inj_xp
        vpp_new = t21 * t21 * vxx + 2 * t21 * vxp + vpp + e2 * inj_pp
        noise_a = ib * (quad + loss * (jnp.dot(mu, sites) + c * jnp.dot(mu, vv) - c0 * jnp.dot(mu, pp)))
        a_new = a + 2.0 * eta * phi1 + e2 * (quad + noise_a)
        return x_new, p_new, a_new, vxx_new, vxp_new, vpp_new

    def observe(state):
        x, _, a, vxx, _, _ = state
        return floor + jnp.dot(mu, x * x + vxx), a

    def segment(st, n):
        st = jax.lax.fori_loop(0, n, lambda i, s: step(s), st)
        return st, observe(st)

    zeros = jnp.zeros_like(x0)
    init = (x0, p0, a0, zeros, zeros, zeros)
    first = observe(init)
    _, obs = jax.lax.scan(segment, init, lengths)
    return jax.tree_util.tree_map(lambda f, o: jnp.concatenate([f[None], o]), first, obs)


# ----------------------------------------------------------------------------- public


def solve_reduced_modes(
    modes: ReducedModes,
    *,
    lr: float,
    gamma: float,
    steps: int,
    n_records: int = 64,
    batch: int | None = None,
    dynamics: str = "flow",
    steps_per_decade: int = 60,
) -> DMFTResult:
    """Learning curve of a :class:`ReducedModes` system (module docstring, steps 1–3).

    Args:
        modes: from :func:`deterministic_modes` (the theory) or :func:`instance_modes`
            (one seed, exact).
        lr: η; the flow runs in τ = η·t.
        gamma: γ ≥ 0.
        steps: the last step T.
        n_records: at most this many log-spaced records.
        batch: B (None: B = ∞). A finite batch always uses η-steps.
        dynamics: "flow" (B = ∞ only; float64 numpy, exponential integrator on a log grid)
            or "discrete" (η-steps, float32 JAX, O(K) per step).
        steps_per_decade: flow steps per decade of τ.

    Returns:
        :class:`ntk_scaling.DMFTResult` with R ≤ ``n_records`` records
        (``log_steps(steps, n_records)``): ``loss`` the test loss (floor included),
        ``kernel_scale`` a(t) = |w|²/N, both float64 (R,); ``train_loss`` None.

    Raises:
        TypeError: a number argument has the wrong type.
        ValueError: lr not positive, gamma negative, steps < 1, n_records < 2,
            steps_per_decade < 4, batch < 1, unknown ``dynamics``, or a finite batch with
            ``dynamics="flow"``.
        FloatingPointError: the solution became NaN/inf.
    """
    lr = check_float(lr, "lr", positive=True)
    gamma = check_float(gamma, "gamma", positive=False)
    steps = check_int(steps, "steps")
    n_records = check_int(n_records, "n_records", 2)
    steps_per_decade = check_int(steps_per_decade, "steps_per_decade", 4)
    if dynamics not in ("flow", "discrete"):
        raise ValueError(f"dynamics must be 'flow' or 'discrete', got {dynamics!r}")
    if batch is not None:
        batch = check_int(batch, "batch")
    if batch is not None and dynamics == "flow":
        raise ValueError("a finite batch needs dynamics='discrete' (SGD noise is a property of the η-steps)")
    rec = log_steps(steps, n_records)
    if dynamics == "flow":
        loss, a = _flow(modes, gamma, lr * rec.astype(np.float64), steps_per_decade)
    else:
        f = lambda v: jnp.asarray(np.asarray(v, np.float64), jnp.float32)  # noqa: E731
        loss, a = _discrete(
            f(modes.eigenvalues), f(modes.target), f(modes.error0), f(modes.readout0), f(modes.sites),
            f(modes.floor), f(modes.a0), f(gamma), f(lr), f(0.0 if batch is None else 1.0 / batch),
            jnp.asarray(np.diff(rec), jnp.int32), noisy=batch is not None,
        )
        loss, a = np.asarray(loss, np.float64), np.asarray(a, np.float64)
    if not (np.all(np.isfinite(loss)) and np.all(np.isfinite(a))):
        first = int(np.argmax(~np.isfinite(loss)))
        raise FloatingPointError(
            f"finite-width theory (N={modes.width}, lr={lr}, gamma={gamma}, batch={batch}, dynamics={dynamics!r}) "
            f"became NaN/inf by step {int(rec[first])}: the η-step model diverges once lr·(1+γa)·μ_max > 2; "
            "lower lr or use dynamics='flow'"
        )
    return DMFTResult(rec, loss, None, a)


@cached_function(version=1)
def dmft_finite_width(
    task: PowerLawTask,
    *,
    width: int,
    lr: float,
    gamma: float,
    steps: int,
    batch: int | None = None,
    n_records: int = 64,
    dynamics: str = "flow",
    steps_per_decade: int = 60,
    points_per_decade: int = 120,
) -> DMFTResult:
    """Learning curve of [B]'s projected model at width N: the finite-N theory of this module.

    Deterministic equivalent of the spectrum (:func:`ntk_scaling.spectral_measure`) and
    the exact rank-two reduction of the dynamics (module docstring;
    equations/solvable_finite_n.md). Leading order in 1/N; exact for γ = 0 at that order
    (it then coincides with :func:`ntk_scaling.lazy_finite_width`); for γ > 0 and finite
    B the SGD noise uses a Gaussian closure (approximate, error measured in the tests and
    in the chapter on Fig. 2c–d).

    Args:
        task: the power-law task (λ_k, w*_k), M modes.
        width: N.
        lr: η; the flow runs in τ = η·t.
        gamma: γ ≥ 0 (0 = lazy).
        steps: the last step T.
        batch: B, fresh Gaussian samples per step; None = B = ∞ (population gradient).
            A finite batch always uses η-steps (``dynamics="discrete"``).
        n_records: at most this many log-spaced records.
        dynamics: "flow" (default for B = ∞) or "discrete" (η-steps).
        steps_per_decade: flow steps per decade of τ.
        points_per_decade: resolution of the spectral quadrature.

    Returns:
        :class:`ntk_scaling.DMFTResult` with ``loss`` the test loss averaged over A(0),
        w(0) (and the batches) and ``kernel_scale`` a(t) = |w|²/N; ``train_loss`` is None.

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, or a number has the
            wrong type.
        ValueError: an argument out of range (as :func:`solve_reduced_modes` and
            :func:`ntk_scaling.spectral_measure`).
        FloatingPointError: divergence (η-steps beyond stability) or a failed quadrature.

    Cost: the quadrature O(J_s·M_eff) once per (task, N), a few seconds at M = 10⁴; then
    O(K · steps_per_decade · decades) for the flow (K = 2J ≈ 10³–10⁴) or O(K · T) for η-steps.
    """
    task = check_task(task)
    width = check_int(width, "width")
    if batch is not None:
        batch = check_int(batch, "batch")
        dynamics = "discrete"
    measure = spectral_measure.uncached(task, width, points_per_decade=points_per_decade)
    return solve_reduced_modes(
        deterministic_modes(measure), lr=lr, gamma=gamma, steps=steps, n_records=n_records, batch=batch,
        dynamics=dynamics, steps_per_decade=steps_per_decade,
    )


# ----------------------------------------------------------------------------- theory against simulation


class Agreement(NamedTuple):
    """How a theory curve sits in the confidence interval of a seed-averaged simulation."""

    max_z: float  #: max |theory − mean| / s.e. over the compared records
    frac_outside: float  #: fraction of compared records where the theory is outside the interval of the mean
    max_rel: float  #: max |theory/mean − 1|
    worst_step: int  #: the step of the largest |z|
    n_records: int  #: records compared
    z_critical: float  #: half-width of the interval in standard errors (1.96 for 95%)

    def verdict(self, *, allowed_fraction: float = 0.1, max_z: float = 3.0) -> str:
        """Return "agrees", "partly" or "disagrees".

        "agrees" if ≤ ``allowed_fraction`` of records lie outside and none beyond ``max_z``
        s.e. (records are correlated, so a few excursions are expected by chance);
        "partly" if none beyond 2·``max_z``; else "disagrees".
        """
        if self.frac_outside <= allowed_fraction and self.max_z <= max_z:
            return "agrees"
        return "partly" if self.max_z <= 2 * max_z else "disagrees"


def compare_with_simulation(theory: DMFTResult, steps: object, losses: object, *, min_step: int = 1,
                            confidence: float = 0.95) -> Agreement:
    """Compare a theory curve with seed-averaged losses recorded at the same steps.

    Args:
        theory: a :class:`ntk_scaling.DMFTResult` recorded at ``steps``.
        steps: (R,) the simulation's recorded steps.
        losses: (n_seeds, R) test losses.
        min_step: compare records with step ≥ ``min_step`` only.
        confidence: two-sided level of the normal interval of the seed mean.

    Returns:
        :class:`Agreement` over the records with step ≥ ``min_step``: the largest
        |theory − mean| in standard errors of the seed mean, the fraction of records
        outside the interval, the largest relative deviation, the step of the largest
        deviation, the number of records compared and the interval's half-width in
        standard errors.

    Raises:
        ValueError: the steps differ, fewer than 2 seeds, or no record to compare.
    """
    from scipy.stats import norm

    steps = np.asarray(steps)
    losses = np.asarray(losses, np.float64)
    if losses.ndim != 2 or losses.shape[0] < 2 or losses.shape[1] != steps.size:
        raise ValueError(f"losses must have shape (n_seeds >= 2, {steps.size}), got {losses.shape}")
    if theory.steps.shape != steps.shape or np.any(theory.steps != steps):
        raise ValueError("the theory must be recorded at the simulation's steps (same steps and n_records)")
    keep = steps >= min_step
    if not keep.any():
        raise ValueError(f"no record with step >= {min_step}")
    mean = losses.mean(0)[keep]
    se = losses.std(0, ddof=1)[keep] / math.sqrt(losses.shape[0])
    th = np.asarray(theory.loss, np.float64)[keep]
    z = np.abs(th - mean) / np.where(se > 0, se, np.inf)
    zc = float(norm.ppf(0.5 + confidence / 2))
    i = int(np.argmax(z))
    return Agreement(float(z.max()), float(np.mean(z > zc)), float(np.max(np.abs(th / mean - 1))),
                     int(steps[keep][i]), int(keep.sum()), zc)
