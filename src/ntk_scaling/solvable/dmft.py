"""Mean-field (DMFT) theory of [B]'s solvable model at infinite width (arXiv 2409.17858).

Everything here is the N → ∞ limit of the model simulated in :mod:`ntk_scaling.linear_model`
(network f = wᵀAψ/N, effective weights v = Aᵀw/N, error v⁰ = w* − v, loss L = v⁰ᵀΛv⁰),
at a fixed number M of modes. [B]'s own DMFT equations (Eqs. 26–31, 41, 43–44) were lost
from our copy of the paper; what follows is our reconstruction (appendix eq-b-dmft-rank-one), derived
again below and checked against direct simulations in ``tests/test_dmft.py``.

**Exact reduction at N → ∞.** With w(0) ~ N(0, I_N), A(0) ~ N(0,1) and P = A(0)ᵀA(0)/N → I,
the order parameters G = AᵀA/N, a = |w|²/N and v obey (gradient flow, time τ = η t, u = Λv⁰)

    dv/dτ = (G + γa) u,   dG/dτ = γ(u vᵀ + v uᵀ),   da/dτ = 2 v·u,   G(0)=I, a(0)=1, v(0)=0.

Substituting the ansatz G = I + c vvᵀ shows that it is *exact* with c = γ/(1+γa); the
trace identity Tr G − M = γ(a − 1) then gives |v|² = (a − 1)(1 + γa). Hence the rank-one
spike (appendix eq-b-dmft-spike) is exact in continuous time, and the whole N = ∞ flow
is the O(M) system

    dv⁰/dτ = −K(v) Λ v⁰,   K(v) = κ I + (γ/κ) v vᵀ,   κ = 1 + γa = [1+γ + √((1+γ)² + 4γ|v|²)]/2.

(:func:`dmft_limit` with ``dynamics="flow"``, the default.) κ grows like √γ|v| for hard
tasks, which makes the system stiff; we integrate it with an exponential (Duhamel) step: the diagonal
part κΛ is integrated exactly, and the scalar φ = vᵀΛv⁰ that drives the rank-one part is
taken at its trapezoidal value, solved in closed form; the coefficients κ, v are frozen at
a predicted midpoint. The step is stable for any κ (exponentials of the diagonal, an
A-stable scalar update), so no step size has to be tuned as γa grows; it is
h = η/``substeps`` in τ and second order (0.4% error at γ = 10, h = 1; see the tests).

**Discrete time.** The η-step model itself (η finite) has the exact N = ∞ map

    v' = v + η(G + γa)u + η²γ(v·u)u,   G' = G + ηγ(vuᵀ + uvᵀ) + η²γ²a uuᵀ,
    a' = a + 2η v·u + η² uᵀGu,

in which G − I is no longer exactly rank one, so ``dynamics="discrete"`` keeps the full
M×M matrix G (O(M²) per step). It coincides with the T×T causal matrix closure of the
single-site DMFT process (:func:`dmft_matrix_closure`; appendix eq-b-dmft-closure) and reproduces
the direct simulation at large N step by step. Unlike the flow it diverges once
ηκλ₁ ≳ 2, as the real SGD does.

**Finite batch B** (appendix eq-b-dmft-batch). SGD noise is a property of the η-step
dynamics, so with a finite batch time is always discrete. For γ = 0 we iterate the exact
recursion of the mean and second moments C_kk = E[(v⁰_k)²] of the error (Gaussian
features), C_kk' = (1 − ηλ_k)² C_kk + (η²/B)(λ_k² C_kk + λ_k L); the loss is its
expectation, with no sampling. For γ > 0 there is no closed moment recursion, so we
Monte-Carlo the N = ∞ dynamics over ``n_seeds`` independent batch sequences (needs
``key``), drawing the batch gradient Λ̂v⁰ exactly in law at O(M) cost, and report the seed
mean: with ``dynamics="flow"`` each step is x' = x − ηK(v)Λ̂x with the exact rank-one
kernel of the flow (O(M); the O(η²γ) terms of the discrete map are dropped), with
``"discrete"`` the exact full-G map (O(M²)). This is an exact sampler of the N = ∞,
finite-B model, not a closed DMFT; a B = ∞ reference with the same stepping is obtained
by passing a huge batch (e.g. 10⁹).

**Data reuse** (appendix eq-b-dmft-reuse, [B] Appendix D). With ``n_train`` = P the batch
matrix is the fixed Λ̂ = ΨᵀΨ/P of P Gaussian samples (drawn from ``key``): the flow is
integrated in the eigenbasis of Λ̂; the train loss is v⁰ᵀΛ̂v⁰ and the test loss v⁰ᵀΛv⁰.
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
from .tasks import PowerLawTask, check_task

__all__ = [
    "DMFTResult",
    "dmft_limit",
    "dmft_matrix_closure",
    "lazy_error",
    "lazy_loss",
    "crossover_time",
    "kernel_multiplier",
]


class DMFTResult(NamedTuple):
    """Learning curve of a DMFT solver, recorded at log-spaced steps.

    Returned by :func:`dmft_limit` (N → ∞) and by the finite-width theory
    (:func:`ntk_scaling.dmft_finite_width`, :func:`ntk_scaling.lazy_finite_width`).
    """

    steps: np.ndarray  #: (R,) recorded steps, log-spaced integers from 0
    loss: np.ndarray  #: (R,) test loss L(t) = v⁰ᵀΛv⁰: its mean over batches when B is finite, and at finite N also over A(0) and w(0)
    train_loss: np.ndarray | None  #: (R,) v⁰ᵀΛ̂v⁰ on the P reused samples, else None
    kernel_scale: np.ndarray  #: (R,) a(t) = |w|²/N; the kernel is (1 + γa) I + rank one at N = ∞, A(0)ᵀ[(1 + γa) I + rank two]A(0)/N at finite N


# ----------------------------------------------------------------------------- checks


def _finite_or_raise(arrays: dict[str, np.ndarray], what: str) -> None:
    for name, arr in arrays.items():
        if arr is not None and not np.all(np.isfinite(arr)):
            raise FloatingPointError(
                f"{what}: {name} became NaN/inf (diverged). With dynamics='discrete' the η-step "
                "model itself diverges once lr·(1+γa)·λ_1 > 2; use dynamics='flow' or a smaller lr."
            )


# ----------------------------------------------------------------------------- closed forms


def kernel_multiplier(v_norm_sq: object, gamma: float) -> np.ndarray:
    """κ = 1 + γa as a function of |v|² (exact at N = ∞, see the module docstring).

    Solves |v|² = (a − 1)(1 + γa): κ = [1 + γ + √((1 + γ)² + 4γ|v|²)] / 2. Appendix label
    ``eq-b-dmft-rank-one`` (status: reconstructed and checked numerically).

    Args:
        v_norm_sq: |v|² ≥ 0 of the learned effective weights, scalar or any shape.
        gamma: γ ≥ 0, the feature-learning strength.

    Returns:
        float64 array shaped like ``v_norm_sq`` (a NumPy float64 scalar for a scalar): κ ≥ 1.

    Raises:
        TypeError: gamma is not a real number.
        ValueError: gamma is negative or not finite.
    """
    v2 = np.asarray(v_norm_sq, dtype=float)
    g = check_float(gamma, "gamma", positive=False)
    return 0.5 * (1.0 + g + np.sqrt((1.0 + g) ** 2 + 4.0 * g * v2))


def lazy_error(task: PowerLawTask, *, lr: float, steps: object, flow: bool = False) -> np.ndarray:
    """Lazy (γ = 0), N, B → ∞ error modes v⁰_k(t) = (1 − ηλ_k)^t w*_k (flow: e^{−ηλ_k t} w*_k).

    Exact for the model in the lazy limit (appendix label ``eq-b-dmft-lazy``; status:
    reconstructed and checked numerically).

    Args:
        task: λ_k and w*_k of the M modes (:func:`ntk_scaling.power_law_task`).
        lr: η > 0.
        steps: t ≥ 0, a scalar or 1-d array; integers unless ``flow``.
        flow: gradient flow e^{−ηλ_k t} (real t allowed) instead of the η-step map.

    Returns:
        float64 array of shape (M,) for a scalar ``steps``, else (len(steps), M).

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, or lr is not a real
            number.
        ValueError: lr not positive and finite; a step negative or not finite; a
            non-integer step with ``flow=False``.
    """
    task = check_task(task)
    lr = check_float(lr, "lr", positive=True)
    t = np.asarray(steps, dtype=float)
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("steps must be finite and non-negative")
    lam = np.asarray(task.eigenvalues, np.float64)
    ws = np.asarray(task.target, np.float64)
    if flow:
        decay = np.exp(-lr * np.multiply.outer(t, lam))
    else:
        if np.any(t != np.round(t)):
            raise ValueError("steps must be integers for the discrete-time closed form (use flow=True)")
        decay = (1.0 - lr * lam) ** t[..., None]
    return decay * ws


def lazy_loss(task: PowerLawTask, *, lr: float, steps: object, flow: bool = False) -> np.ndarray:
    """L(t) = Σ_k λ_k v⁰_k(t)² of :func:`lazy_error` (float64).

    Appendix label ``eq-b-dmft-lazy`` (status: reconstructed and checked numerically; exact
    for the model at γ = 0, N, B → ∞).

    Args:
        task: λ_k and w*_k of the M modes.
        lr: η > 0.
        steps: t ≥ 0, a scalar or 1-d array; integers unless ``flow``.
        flow: gradient flow instead of the η-step map.

    Returns:
        float64: a NumPy scalar for a scalar ``steps``, else an array (len(steps),).

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, or lr is not a real
            number.
        ValueError: as :func:`lazy_error` (bad lr or steps).
    """
    err = lazy_error(task, lr=lr, steps=steps, flow=flow)
    return np.sum(np.asarray(task.eigenvalues, np.float64) * err**2, axis=-1)


def crossover_time(gamma: float, beta: float, *, lr: float = 1.0, prefactor: float = 1.0) -> float:
    """Steps after which a hard task (β < 1) shows the rich exponent: t_x ≈ γ^(−1/(1−β))/η.

    Reconstructed (appendix eq-b-scaling-crossover): for small γ, γa ≈ γ‖v‖² ∼ γ t^(1−β) becomes O(1) at
    this time. Returns ``inf`` for γ = 0 or β ≥ 1 (no crossover). The prefactor is not
    predicted; ``prefactor`` lets a caller scale it. Status: reconstructed and checked
    numerically (the exponent of γ).

    Args:
        gamma: γ ≥ 0.
        beta: the source exponent β > 0.
        lr: η > 0 (the crossover in flow time is ηt_x).
        prefactor: multiplies the time; not validated.

    Returns:
        t_x in steps, as a float (``inf`` if γ = 0 or β ≥ 1).

    Raises:
        TypeError: gamma, beta or lr is not a real number.
        ValueError: gamma negative, beta or lr not positive, or any of them not finite.
    """
    g = check_float(gamma, "gamma", positive=False)
    b = check_float(beta, "beta", positive=True)
    lr = check_float(lr, "lr", positive=True)
    if g == 0 or b >= 1:
        return math.inf
    return prefactor * g ** (-1.0 / (1.0 - b)) / lr


# ----------------------------------------------------------------------------- T×T matrix closure


def dmft_matrix_closure(task: PowerLawTask, *, lr: float, gamma: float, steps: int) -> DMFTResult:
    """Discrete-time DMFT of the N, B → ∞ limit as causal T×T matrices (float64, numpy).

    Single-site process (appendix eq-b-dmft-closure, the analogue of [B] Eqs. 27–31):
    w(t+1) = w(t) + η[χ(t) + ηγ Σ_{s<t} C_u(t,s) w(s)], w(0) ~ N(0,1), χ ~ GP(0, C_u), with
    C_u(t,s) = u(t)·u(s), u = Λv⁰; response R(t,s) = ∂w(t)/∂χ(s), C_w(t,s) = ⟨w(t)w(s)⟩,
    and v(t) = Σ_{s<t} [R(t,s) + ηγ C_w(t,s)] u(s). Solved causally step by step;
    O(T³ + T²M), meant for T ≲ 10³ as a cross-check of :func:`dmft_limit`. Records every
    step 0..T. Status: reconstructed and checked numerically (it equals the discrete map of
    ``eq-b-dmft-discrete-map``).

    Args:
        task: λ_k and w*_k of the M modes.
        lr: η > 0.
        gamma: γ ≥ 0.
        steps: T ≥ 1, the last step.

    Returns:
        :class:`DMFTResult` with ``steps`` = 0..T, ``loss`` (T + 1,) = v⁰ᵀΛv⁰,
        ``train_loss`` None and ``kernel_scale`` (T + 1,) = C_w(t, t) = a(t).

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, or an argument has
            the wrong type.
        ValueError: lr not positive, gamma negative, either not finite, or steps < 1.
        FloatingPointError: the loss became NaN/inf (names the parameters).
    """
    task = check_task(task)
    lr = check_float(lr, "lr", positive=True)
    gamma = check_float(gamma, "gamma", positive=False)
    steps = check_int(steps, "steps")
    lam = np.asarray(task.eigenvalues, np.float64)
    ws = np.asarray(task.target, np.float64)
    T = steps
    resp = np.zeros((T + 1, T + 1))  # R(t, s)
    r0 = np.ones(T + 1)  # coefficient of w(0) in w(t)
    cu = np.zeros((T + 1, T + 1))
    cw = np.zeros((T + 1, T + 1))
    us = np.zeros((T + 1, lam.size))
    loss = np.zeros(T + 1)
    a = np.zeros(T + 1)
    cw[0, 0] = 1.0
    for t in range(T + 1):
        if t > 0:
            # w(t) = w(t-1) + η χ(t-1) + η²γ Σ_{s<t-1} C_u(t-1, s) w(s)
            p = t - 1
            drive = lr * lr * gamma * cu[p, :p]  # weights on w(s), s < p
            resp[t, :t] = resp[p, :t] + drive @ resp[:p, :t]
            resp[t, p] += lr
            r0[t] = r0[p] + drive @ r0[:p]
            # C_w(t, s) = r0(t) r0(s) + R(t,:) C_u R(s,:)ᵀ for s <= t
            rc = cu[:t, :t] @ resp[t, :t]
            cw[t, : t + 1] = r0[t] * r0[: t + 1] + resp[: t + 1, :t] @ rc
            cw[: t + 1, t] = cw[t, : t + 1]
            v = (resp[t, :t] + lr * gamma * cw[t, :t]) @ us[:t]
        else:
            v = np.zeros_like(ws)
        v0 = ws - v
        u = lam * v0
        us[t] = u
        cu[t, : t + 1] = us[: t + 1] @ u
        cu[: t + 1, t] = cu[t, : t + 1]
        loss[t] = v0 @ (lam * v0)
        a[t] = cw[t, t]
    _finite_or_raise({"loss": loss}, f"dmft_matrix_closure(lr={lr}, gamma={gamma}, steps={steps})")
    return DMFTResult(np.arange(T + 1), loss, None, a)


# ----------------------------------------------------------------------------- jitted kernels


def _kappa(v2: jax.Array, gamma: jax.Array) -> jax.Array:
    return 0.5 * (1.0 + gamma + jnp.sqrt((1.0 + gamma) ** 2 + 4.0 * gamma * v2))


def _a_of(v2: jax.Array, gamma: jax.Array) -> jax.Array:
    kap = _kappa(v2, gamma)
    # a = (κ − 1)/γ, written stably: a − 1 = |v|²/κ
    return 1.0 + v2 / kap


def _etd(x: jax.Array, h: jax.Array, H: jax.Array, ws: jax.Array, gamma: jax.Array, xc: jax.Array) -> jax.Array:
    """One exponential step of dx/dτ = −κHx − (γ/κ) v (vᵀHx), coefficients frozen at ``xc``.

    Duhamel: x(h) = e^{−hκH}x − ∫₀^h e^{−(h−s)κH} p φ(s) ds with p = (γ/κ)v and the scalar
    φ = vᵀHx. The diagonal part is exact; φ is held at the trapezoidal value
    φ* = [vᵀHx(0) + vᵀHx(h)]/2, solved in closed form (A-stable in the rank-one direction).
    """
    v = ws - xc
    kap = _kappa(jnp.dot(v, v), gamma)
    p = (gamma / kap) * v
    q = H * v
    z = h * kap * H
    big = z > 1e-6
    e = jnp.exp(-z)
    phi1 = jnp.where(big, -jnp.expm1(-jnp.where(big, z, 1.0)) / jnp.where(big, kap * H, 1.0), h * (1.0 - 0.5 * z))
    y0 = e * x
    g = phi1 * p
    phi = 0.5 * (jnp.dot(q, x) + jnp.dot(q, y0)) / (1.0 + 0.5 * jnp.dot(q, g))
    return y0 - g * phi


def _flow_step(x: jax.Array, h: jax.Array, H: jax.Array, ws: jax.Array, gamma: jax.Array) -> jax.Array:
    """Predictor–corrector exponential step: coefficients frozen at the predicted midpoint."""
    y1 = _etd(x, h, H, ws, gamma, x)
    return _etd(x, h, H, ws, gamma, 0.5 * (x + y1))


_CHI2_EXACT = 64


def _batch_gradient(key: jax.Array, lam: jax.Array, x: jax.Array, batch: jax.Array) -> jax.Array:
    """One draw of Λ̂x for a fresh batch of B Gaussian features, exact in law, cost O(M)."""
    k_c, k_z = jax.random.split(key)
    sq = jnp.sqrt(lam)
    s = sq * x
    ns = jnp.sqrt(jnp.dot(s, s))
    shat = s / jnp.where(ns > 0, ns, 1.0)
    # |Zŝ|² ~ χ²_B: exact sum of squares for B ≤ 64, Wilson–Hilferty cube beyond (rel. error
    # of its quantiles < 1e-3 there); avoids the slow-to-compile rejection sampler of gamma.
    g = jax.random.normal(k_c, (_CHI2_EXACT + 1,), x.dtype)
    exact = jnp.sum(jnp.where(jnp.arange(_CHI2_EXACT) < batch, g[:-1] ** 2, 0.0))
    c = 2.0 / (9.0 * batch)
    approx = batch * jnp.maximum(1.0 - c + g[-1] * jnp.sqrt(c), 0.0) ** 3
    chi2 = jnp.where(batch <= _CHI2_EXACT, exact, approx)
    z = jax.random.normal(k_z, x.shape, x.dtype)
    zperp = z - shat * jnp.dot(shat, z)
    return sq * (ns / batch) * (chi2 * shat + jnp.sqrt(chi2) * zperp)


def _run_segments(step, observe, state, lengths):
    """Advance ``state`` by lengths[i] steps and observe it after each segment."""

    def segment(st, n):
        st = jax.lax.fori_loop(0, n, lambda i, s: step(s), st)
        return st, observe(st)

    first = observe(state)
    state, obs = jax.lax.scan(segment, state, lengths)
    return jax.tree_util.tree_map(lambda f, o: jnp.concatenate([f[None], o]), first, obs)


@partial(jax.jit, static_argnames=("reuse",))
def _flow_run(H, ws, test_mat, lengths, gamma, h, *, reuse: bool):
    def step(x):
        return _flow_step(x, h, H, ws, gamma)

    def observe(x):
        v = ws - x
        a = _a_of(jnp.dot(v, v), gamma)
        train = jnp.dot(x, H * x)
        test = jnp.dot(x, test_mat @ x) if reuse else train
        return test, train, a

    return _run_segments(step, observe, ws, lengths)


@jax.jit
def _reduced_sgd_run(keys, lam, ws, lengths, gamma, eta, batch):
    """Monte Carlo of online SGD at N = ∞ with the rank-one kernel, O(M) per step.

    x' = x − η K(v) Λ̂_t x with K = κI + (γ/κ)vvᵀ: the SGD step of the reduced model (the
    O(η²γ) terms of the exact discrete map are dropped; exact for γ = 0).
    """

    def one(key):
        def step(state):
            x, k = state
            k, sub = jax.random.split(k)
            g = _batch_gradient(sub, lam, x, batch)
            v = ws - x
            kap = _kappa(jnp.dot(v, v), gamma)
            return x - eta * (kap * g + (gamma / kap) * v * jnp.dot(v, g)), k

        def observe(state):
            x, _ = state
            v = ws - x
            return jnp.dot(x, lam * x), _a_of(jnp.dot(v, v), gamma)

        return _run_segments(step, observe, (ws, key), lengths)

    return jax.vmap(one)(keys)


@partial(jax.jit, static_argnames=("noisy", "full_h"))
def _discrete_run(keys, H, lam, ws, lengths, gamma, eta, batch, *, noisy: bool, full_h: bool):
    """Exact N = ∞ discrete-time map with the full M×M matrix G (O(M²) per step)."""
    m = ws.shape[0]

    def one(key):
        def step(state):
            v, G, a, k = state
            x = ws - v
            if noisy:
                k, sub = jax.random.split(k)
                u = _batch_gradient(sub, lam, x, batch)
            else:
                u = H @ x if full_h else H * x
            Gu = G @ u
            vu = jnp.dot(v, u)
            v_new = v + eta * (Gu + gamma * a * u) + eta**2 * gamma * vu * u
            G_new = G + eta * gamma * (jnp.outer(v, u) + jnp.outer(u, v)) + eta**2 * gamma**2 * a * jnp.outer(u, u)
            a_new = a + 2 * eta * vu + eta**2 * jnp.dot(u, Gu)
            return v_new, G_new, a_new, k

        def observe(state):
            v, _, a, _ = state
            x = ws - v
            test = jnp.dot(x, lam * x)
            train = jnp.dot(x, H @ x) if full_h else test
            return test, train, a

        init = (jnp.zeros_like(ws), jnp.eye(m, dtype=ws.dtype), jnp.ones((), ws.dtype), key)
        return _run_segments(step, observe, init, lengths)

    return jax.vmap(one)(keys)


@jax.jit
def _lazy_sgd_run(lam, ws, lengths, eta, batch):
    """Exact mean and second-moment recursion of lazy online SGD (appendix eq-b-dmft-batch)."""
    rho = 1.0 - eta * lam

    def step(state):
        m, C = state
        L = jnp.dot(lam, C)
        C = rho**2 * C + (eta**2 / batch) * (lam**2 * C + lam * L)
        return rho * m, C

    def observe(state):
        m, C = state
        v2 = jnp.sum(ws**2 - 2 * ws * m + C)
        return jnp.dot(lam, C), 1.0 + v2

    return _run_segments(step, observe, (ws, ws**2), lengths)


def _discrete_map_np(H: np.ndarray, lam: np.ndarray, ws: np.ndarray, rec: np.ndarray, gamma: float, eta: float):
    """The exact N = ∞ η-step map with the full matrix G, in float64 numpy (B = ∞).

    Float64 matters here: near the edge of stability (ηκλ₁ close to 2) float32 rounding is
    amplified by up to ~10% over a few hundred steps.
    """
    m = ws.size
    full = H.ndim == 2
    v, G, a = np.zeros(m), np.eye(m), 1.0
    out = np.empty((3, rec.size))
    j = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(int(rec[-1]) + 1):
            x = ws - v
            if t == rec[j]:
                test = x @ (lam * x)
                out[:, j] = test, (x @ (H @ x) if full else test), a
                j += 1
                if not np.isfinite(test):
                    out[:, j:] = np.nan
                    break
            if t == rec[-1]:
                break
            u = H @ x if full else H * x
            Gu = G @ u
            vu = v @ u
            a_new = a + 2 * eta * vu + eta**2 * (u @ Gu)
            v_new = v + eta * (Gu + gamma * a * u) + eta**2 * gamma * vu * u
            G += eta * gamma * (np.outer(v, u) + np.outer(u, v)) + eta**2 * gamma**2 * a * np.outer(u, u)
            v, a = v_new, a_new
    return out


# ----------------------------------------------------------------------------- public solver


@cached_function(version=1)
def dmft_limit(
    task: PowerLawTask,
    *,
    lr: float,
    gamma: float,
    steps: int,
    n_records: int = 64,
    batch: int | None = None,
    n_train: int | None = None,
    key: jax.Array | None = None,
    dynamics: str = "flow",
    substeps: int = 1,
    n_seeds: int = 16,
) -> DMFTResult:
    """Learning curve of [B]'s model at N → ∞ (reconstructed DMFT, appendix eq-b-dmft-rank-one).

    Args:
        task: λ_k and w*_k (:func:`ntk_scaling.power_law_task`).
        lr: η; step t corresponds to flow time τ = ηt.
        gamma: γ ≥ 0, the feature-learning strength (0 = lazy).
        steps: T, the last step.
        n_records: at most this many log-spaced records.
        batch: B for online SGD noise (None: B = ∞; finite B always uses η-steps, see the
            module docstring).
        n_train: P reused samples (None: online); needs ``key``; not combined with ``batch``.
        key: PRNG key for the P samples (``n_train``) or the batch Monte Carlo (γ > 0, B finite).
        dynamics: "flow" (default; gradient flow via the exact O(M) rank-one reduction and
            a stiff-stable exponential integrator) or "discrete" (the exact N = ∞ η-step map,
            O(M²) per step; diverges where the real SGD does).
        substeps: flow integration steps per model step (deterministic flow only).
        n_seeds: batch sequences averaged when γ > 0 and B is finite.

    Returns:
        :class:`DMFTResult` with R ≤ ``n_records`` records (``log_steps(steps, n_records)``);
        ``loss`` the test loss v⁰ᵀΛv⁰ (seed mean when γ > 0 and B is finite),
        ``train_loss`` v⁰ᵀΛ̂v⁰ with ``n_train`` (else None), ``kernel_scale`` a(t) = |w|²/N;
        all float64 of shape (R,).

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, a number has the
            wrong type, or ``key`` is not a JAX PRNG key.
        ValueError: an argument out of range (named), ``dynamics`` unknown, ``batch`` with
            ``n_train``, ``batch`` with ``substeps`` ≠ 1, or no ``key`` where one is needed.
        FloatingPointError: the solution became NaN/inf (names the parameters).
    """
    task = check_task(task)
    lr = check_float(lr, "lr", positive=True)
    gamma = check_float(gamma, "gamma", positive=False)
    steps = check_int(steps, "steps")
    n_records = check_int(n_records, "n_records", 2)
    substeps = check_int(substeps, "substeps")
    n_seeds = check_int(n_seeds, "n_seeds")
    if dynamics not in ("flow", "discrete"):
        raise ValueError(f"dynamics must be 'flow' or 'discrete', got {dynamics!r}")
    if batch is not None:
        batch = check_int(batch, "batch")
    if n_train is not None:
        n_train = check_int(n_train, "n_train")
    if batch is not None and n_train is not None:
        raise ValueError("batch and n_train cannot be combined: n_train is full-batch training on P samples")
    if batch is not None and substeps != 1:
        raise ValueError("substeps must be 1 with a finite batch (one SGD noise kick per step)")
    if (n_train is not None or (batch is not None and gamma > 0)) and key is None:
        raise ValueError("a PRNG key is needed for n_train (the P samples) or for batch with gamma > 0 (Monte Carlo)")
    if key is not None:
        key = check_key(key)

    what = (
        f"dmft_limit(alpha={task.alpha}, beta={task.beta}, M={task.n_modes}, lr={lr}, gamma={gamma}, "
        f"steps={steps}, batch={batch}, n_train={n_train}, dynamics={dynamics!r})"
    )
    dtype = task.eigenvalues.dtype
    lam = jnp.asarray(task.eigenvalues)
    ws = jnp.asarray(task.target)
    rec = log_steps(steps, n_records)
    g = jnp.asarray(gamma, dtype)
    eta = jnp.asarray(lr, dtype)
    train = None

    if batch is not None:
        lengths = jnp.asarray(np.diff(rec), jnp.int32)
        bb = jnp.asarray(batch, dtype)
        if gamma == 0:
            test, a = _lazy_sgd_run(lam, ws, lengths, eta, bb)
        else:
            keys = jax.random.split(key, n_seeds)
            if dynamics == "flow":
                test, a = _reduced_sgd_run(keys, lam, ws, lengths, g, eta, bb)
            else:
                test, _, a = _discrete_run(keys, lam, lam, ws, lengths, g, eta, bb, noisy=True, full_h=False)
            test, a = jnp.mean(test, 0), jnp.mean(a, 0)
    else:
        if n_train is not None:
            z = np.asarray(jax.random.normal(key, (n_train, task.n_modes), jnp.float32), np.float64)
            psi = z * np.sqrt(np.asarray(task.eigenvalues, np.float64))
            lam_hat = psi.T @ psi / n_train
        if dynamics == "flow":
            lengths = jnp.asarray(np.diff(rec) * substeps, jnp.int32)
            h = jnp.asarray(lr / substeps, dtype)
            if n_train is None:
                test, _, a = _flow_run(lam, ws, jnp.zeros((1, 1), dtype), lengths, g, h, reuse=False)
            else:
                mu, q = np.linalg.eigh(lam_hat)
                mu = np.clip(mu, 0.0, None)
                ws_rot = q.T @ np.asarray(task.target, np.float64)
                lam_rot = q.T @ (np.asarray(task.eigenvalues, np.float64)[:, None] * q)
                test, train, a = _flow_run(
                    jnp.asarray(mu, dtype), jnp.asarray(ws_rot, dtype), jnp.asarray(lam_rot, dtype),
                    lengths, g, h, reuse=True,
                )
        else:
            lam64 = np.asarray(task.eigenvalues, np.float64)
            H = lam64 if n_train is None else lam_hat
            test, train, a = _discrete_map_np(H, lam64, np.asarray(task.target, np.float64), rec, gamma, lr)
        if n_train is None:
            train = None
    out = {
        "loss": np.asarray(test, np.float64),
        "kernel_scale": np.asarray(a, np.float64),
        "train_loss": None if train is None else np.asarray(train, np.float64),
    }
    _finite_or_raise(out, what)
    return DMFTResult(rec, out["loss"], out["train_loss"], out["kernel_scale"])
