"""Direct simulation of the solvable model of [B] (arXiv 2409.17858, Eqs. 3–5).

The model (reconstructed, appendix eq-b-model-network) learns a target y = w*·ψ(x) written in
the M infinite-width features ψ(x), whose covariance is Λ = diag(λ_k):

* network: f(x) = (1/N) wᵀ A ψ(x), with readout w ∈ R^N and feature matrix A ∈ R^{N×M};
* initialisation: A(0)_ij ~ N(0, 1) i.i.d. and w(0) ~ N(0, I_N) (our choice; Bordelon
  et al. 2024a start the lazy model from w(0) = 0, which changes no exponent);
* effective weights v = Aᵀw / N, error v⁰ = w* − v, population loss L = v⁰ᵀ Λ v⁰ (Eq. 5);
* online SGD with a fresh batch of B Gaussian feature vectors per step (Eq. 4), with
  Λ̂ = ΨᵀΨ / B (``batch=None``: B = ∞, gradient descent on the population loss, Λ̂ = Λ):

      w ← w + η A Λ̂ v⁰,        A ← A + ηγ w (P Λ̂ v⁰)ᵀ,

  where P = A(0)ᵀA(0)/N projects A onto the row space of A(0) (``project=True``, the
  model of the main text) or P = I (``project=False``: a plain two-layer linear
  network, [B] Appendix G). γ = 0 freezes A: the lazy random-feature model.

With ``n_train = P`` the model instead reuses a fixed set of P samples ([B] Appendix D):
full-batch gradient descent on them when ``batch >= n_train`` (the discrete-time version
of the gradient flow analysed there), minibatches of ``batch`` samples drawn uniformly
with replacement from them otherwise.

Implementation notes. Every step costs O(NM) (a handful of matrix–vector products) and
no M×M matrix is ever formed: P g is applied as A(0)ᵀ(A(0) g)/N. For online Gaussian
batches the gradient Λ̂ v⁰ is drawn exactly in law at cost O(M + B) instead of O(BM):
with u = Λ^{1/2} v⁰, z_μ ~ N(0, I_M) and s = Z û ~ N(0, I_B),
ZᵀZu/B = (‖u‖/B)(‖s‖² û + ‖s‖ (I − ûûᵀ) ξ) with ξ ~ N(0, I_M) independent of s. Seeds are
run in parallel with ``vmap``; the steps in one jit-compiled ``lax.scan``; quantities are
recorded at log-spaced steps.
"""

from __future__ import annotations

import warnings
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
    "SimulationResult",
    "SpikeResult",
    "simulate_projected_model",
    "simulate_spike",
    "record_steps",
    "projection_floor",
    "lazy_reuse_limit",
    "initial_matrices",
    "lazy_rich_sweep",
]


class SimulationResult(NamedTuple):
    """Learning curves of :func:`simulate_projected_model`, recorded at ``steps``."""

    steps: np.ndarray  #: (R,) recorded steps, log-spaced integers from 0, strictly increasing
    test_loss: np.ndarray  #: (n_seeds, R) population loss v⁰ᵀΛv⁰
    train_loss: np.ndarray | None  #: (n_seeds, R) loss on the P reused samples, or None (online)
    weight_norm: np.ndarray  #: (n_seeds, R) |w|²/N, the multiplier a(t) of the kernel


class SpikeResult(NamedTuple):
    """Learning curves plus the rank-one spike of the first layer ([B] Appendix G.3, Fig. 13)."""

    steps: np.ndarray  #: (R,) recorded steps
    test_loss: np.ndarray  #: (n_seeds, R)
    weight_norm: np.ndarray  #: (n_seeds, R) |w|²/N
    spike: np.ndarray  #: (n_seeds, R) σ₁(Δ)²/N, the top squared singular value of Δ = A − A(0), over N
    overlap: np.ndarray  #: (n_seeds, R) |cos| between the top right singular vector of Δ and v(t) − v(0)
    frobenius: np.ndarray  #: (n_seeds, R) ‖Δ‖_F²/N; spike/frobenius = 1 for an exactly rank-one change


_RISE_WARNING = 1.5  #: warn when the seed-mean loss rises above this multiple of its running minimum

# ----------------------------------------------------------------------------- checks


def record_steps(steps: int, n_records: int) -> np.ndarray:
    """Log-spaced recorded steps of a simulation: :func:`ntk_scaling.log_steps` (kept under this name).

    Args:
        steps: T ≥ 1, the last step (always recorded).
        n_records: at most this many records (≥ 2), step 0 included.

    Returns:
        int64 array (R,), R ≤ n_records, strictly increasing from 0 to T.

    Raises:
        TypeError: ``steps`` or ``n_records`` is not an integer.
        ValueError: steps < 1 or n_records < 2.
    """
    return log_steps(check_int(steps, "steps"), check_int(n_records, "n_records", 2))


@partial(jax.jit, static_argnames=("width", "n_modes", "n_train", "dtype"))
def _draw_one(k: jax.Array, *, width: int, n_modes: int, n_train: int | None, dtype: jnp.dtype):
    k_a, k_w, k_data = jax.random.split(k, 3)
    a0 = jax.random.normal(k_a, (width, n_modes), dtype)
    w0 = jax.random.normal(k_w, (width,), dtype)
    if n_train is None:
        return a0, w0, k_data, None
    k_train, k_data = jax.random.split(k_data)
    return a0, w0, k_data, jax.random.normal(k_train, (n_train, n_modes), dtype)


def _draw_initial(keys: jax.Array, *, width: int, n_modes: int, n_train: int | None, dtype: jnp.dtype):
    """A(0), w(0), the data key and (with ``n_train``) the training features Z of every seed.

    Drawn seed by seed so that the compiled sampler depends only on (N, M, P), not on the
    number of seeds (compilation dominates small CPU runs).
    """
    draws = [_draw_one(k, width=width, n_modes=n_modes, n_train=n_train, dtype=dtype) for k in keys]
    return jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *draws)


def initial_matrices(key: jax.Array, task: PowerLawTask, width: int, n_seeds: int = 1) -> tuple[jax.Array, jax.Array]:
    """The initial (A(0), w(0)) of every seed, exactly as the simulations draw them.

    Seed i uses ``jax.random.split(key, n_seeds)[i]``, as :func:`simulate_projected_model`
    does. Entries i.i.d. N(0, 1) (appendix label ``eq-b-model-network``; the w(0)
    distribution is our choice).

    Args:
        key: a JAX PRNG key.
        task: the power-law task (M modes; its eigenvalue dtype sets the arrays' dtype).
        width: N ≥ 1.
        n_seeds: number of seeds ≥ 1.

    Returns:
        ``(A0, w0)``: JAX arrays of shapes (n_seeds, N, M) and (n_seeds, N).

    Raises:
        TypeError: ``key`` is not a JAX array, ``task`` is not a
            :class:`ntk_scaling.PowerLawTask`, or an integer argument is not an integer.
        ValueError: ``key`` is not a single PRNG key, or an integer argument is < 1.
    """
    key = check_key(key)
    task = check_task(task)
    width = check_int(width, "width")
    n_seeds = check_int(n_seeds, "n_seeds")
    a0, w0, _, _ = _draw_initial(
        jax.random.split(key, n_seeds), width=width, n_modes=task.n_modes, n_train=None,
        dtype=task.eigenvalues.dtype,
    )
    return a0, w0


@cached_function(version=1)
def projection_floor(key: jax.Array, task: PowerLawTask, width: int, n_seeds: int = 1) -> np.ndarray:
    """The t → ∞ loss of the projected model: min over v in the row space of A(0) of v⁰ᵀΛv⁰.

    Neither lazy nor rich training can leave the N-dimensional row space of A(0) when the
    projection is on, so this least-squares residual is the model bottleneck of [B]
    Eq. 12 (quoted as ∼ N^(−α·min(2,β)) for M ≫ N, appendix label ``eq-b-model-floor``,
    status: reconstructed and checked numerically; for β > 1 its deterministic equivalent
    :func:`ntk_scaling.finite_width_floor` scales as N^(−α), see
    ``eq-b-finite-n-deterministic-equivalent``). Uses the same A(0) as the simulation with
    the same ``key``; solved in float64 with numpy.

    Args:
        key: a JAX PRNG key; seed i uses ``jax.random.split(key, n_seeds)[i]``.
        task: the power-law task (M modes).
        width: N ≥ 1.
        n_seeds: number of seeds ≥ 1.

    Returns:
        (n_seeds,) float64 array of L_∞ per seed (loss units of the task).

    Raises:
        TypeError: ``key`` is not a JAX array, ``task`` is not a
            :class:`ntk_scaling.PowerLawTask`, or an integer argument is not an integer.
        ValueError: ``key`` is not a single PRNG key, or an integer argument is < 1.
    """
    key = check_key(key)
    task = check_task(task)
    width = check_int(width, "width")
    n_seeds = check_int(n_seeds, "n_seeds")
    lam = np.asarray(task.eigenvalues, np.float64)
    target = np.asarray(task.target, np.float64)
    sqrt_lam = np.sqrt(lam)
    rhs = sqrt_lam * target
    out = np.empty(n_seeds)
    for s, k in enumerate(jax.random.split(key, n_seeds)):
        a0, *_ = _draw_one(k, width=width, n_modes=task.n_modes, n_train=None, dtype=task.eigenvalues.dtype)
        design = sqrt_lam[:, None] * np.asarray(a0, np.float64).T  # (M, N)
        coef, *_ = np.linalg.lstsq(design, rhs, rcond=None)
        resid = rhs - design @ coef
        out[s] = float(resid @ resid)
    return out


@cached_function(version=1)
def lazy_reuse_limit(
    key: jax.Array, task: PowerLawTask, width: int, n_train: int, n_seeds: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """The t → ∞ (test, train) loss of the lazy model (γ = 0) trained on P reused samples.

    Gradient descent (full batch or minibatches from the P samples) on the readout w of
    the frozen features Φ = ΨA(0)ᵀ/N (P×N) stays in w(0) + rowspace(Φ) and converges to
    w(0) plus the minimum-norm least-squares correction Φ⁺(y − Φw(0)), y = Ψw*: the
    interpolant when N ≥ P. This is the data bottleneck of [B] Appendix D / E.4
    (∼ P^(−α·min(2,β)) for N ≫ P). Same draws as :func:`simulate_projected_model` with the
    same ``key`` and ``n_train``; float64 numpy. Appendix label ``eq-b-dmft-reuse``
    (status: reconstructed and checked numerically).

    Args:
        key: a JAX PRNG key; seed i uses ``jax.random.split(key, n_seeds)[i]``.
        task: the power-law task (M modes).
        width: N ≥ 1.
        n_train: P ≥ 1, the number of reused samples.
        n_seeds: number of seeds ≥ 1.

    Returns:
        ``(test, train)``: two (n_seeds,) float64 arrays, the population loss v⁰ᵀΛv⁰ and
        the mean squared error on the P samples at t → ∞.

    Raises:
        TypeError: ``key`` is not a JAX array, ``task`` is not a
            :class:`ntk_scaling.PowerLawTask`, or an integer argument is not an integer.
        ValueError: ``key`` is not a single PRNG key, or an integer argument is < 1.
    """
    key = check_key(key)
    task = check_task(task)
    width = check_int(width, "width")
    n_train = check_int(n_train, "n_train")
    n_seeds = check_int(n_seeds, "n_seeds")
    lam = np.asarray(task.eigenvalues, np.float64)
    target = np.asarray(task.target, np.float64)
    sqrt_lam = np.sqrt(lam)
    test, train = np.empty(n_seeds), np.empty(n_seeds)
    for s, k in enumerate(jax.random.split(key, n_seeds)):
        a0, w0, _, z = _draw_one(k, width=width, n_modes=task.n_modes, n_train=n_train, dtype=task.eigenvalues.dtype)
        a0, w0 = np.asarray(a0, np.float64), np.asarray(w0, np.float64)
        psi = np.asarray(z, np.float64) * sqrt_lam  # (P, M)
        phi = psi @ a0.T / width  # (P, N)
        delta, *_ = np.linalg.lstsq(phi, psi @ target - phi @ w0, rcond=None)
        v0 = target - a0.T @ (w0 + delta) / width
        test[s] = float(np.sum(lam * v0**2))
        train[s] = float(np.mean((psi @ v0) ** 2))
    return test, train


# ----------------------------------------------------------------------------- core


def _online_gradient(key: jax.Array, sqrt_lam: jax.Array, v0: jax.Array, batch: int) -> jax.Array:
    """One draw of Λ̂ v⁰ for a fresh Gaussian batch of size B, exact in law, cost O(M + B)."""
    m = sqrt_lam.shape[0]
    u = sqrt_lam * v0
    norm_u = jnp.sqrt(jnp.sum(u * u))
    safe = jnp.where(norm_u > 0, norm_u, 1.0)
    u_hat = u / safe
    noise = jax.random.normal(key, (m + batch,), u.dtype)  # one draw: ξ (M) and s (B)
    xi, s = noise[:m], noise[m:]
    s2 = jnp.sum(s * s)
    xi_perp = xi - u_hat * jnp.dot(u_hat, xi)
    zz_u = (norm_u / batch) * (s2 * u_hat + jnp.sqrt(s2) * xi_perp)
    return sqrt_lam * zz_u


def _explicit_online_gradient(key: jax.Array, sqrt_lam: jax.Array, v0: jax.Array, batch: int) -> jax.Array:
    """Reference O(BM) version of :func:`_online_gradient` (used by the tests)."""
    z = jax.random.normal(key, (batch, sqrt_lam.shape[0]), v0.dtype)
    u = sqrt_lam * v0
    return sqrt_lam * (z.T @ (z @ u)) / batch


def _top_eigen(delta: jax.Array, start: jax.Array, n_iter: int) -> tuple[jax.Array, jax.Array]:
    """Top eigenpair of ΔᵀΔ/N (σ₁(Δ)²/N and the top right singular vector) by power iteration."""
    n = delta.shape[0]

    def matvec(x: jax.Array) -> jax.Array:
        return delta.T @ (delta @ x) / n

    def body(_: int, x: jax.Array) -> jax.Array:
        y = matvec(x)
        return y / jnp.maximum(jnp.linalg.norm(y), 1e-30)

    x = start / jnp.maximum(jnp.linalg.norm(start), 1e-30)
    x = jax.lax.fori_loop(0, n_iter, body, x)
    return jnp.dot(x, matvec(x)), x


@partial(jax.jit, static_argnames=("batch", "steps", "n_rec", "project", "rich", "spike_iter"))
def _run(
    init: tuple[jax.Array, jax.Array, jax.Array, jax.Array | None],
    lam: jax.Array,
    target: jax.Array,
    lr: jax.Array,
    gamma: jax.Array,
    slots: jax.Array,
    *,
    batch: int | None,
    steps: int,
    n_rec: int,
    project: bool,
    rich: bool,
    spike_iter: int,
) -> dict[str, jax.Array]:
    dtype = lam.dtype
    sqrt_lam = jnp.sqrt(lam)

    def one_seed(a0: jax.Array, w: jax.Array, k_data: jax.Array, z_train: jax.Array | None) -> dict[str, jax.Array]:
        n = a0.shape[0]
        n_train = None if z_train is None else z_train.shape[0]  # Ψ_train = Z Λ^{1/2}

        # The feature matrix A is held in one of three forms (the cheapest that is exact):
        #   lazy (γ = 0):        A = A(0), nothing to store;
        #   rich, no projection: A itself (N×M);
        #   rich, projected:     A = (I + C) A(0) with C ∈ R^{N×N}, since every update
        #                        ηγ w (P g)ᵀ = (ηγ/N) w (A(0) g)ᵀ A(0) is a left multiple of A(0)
        #                        ([B] Appendix B); a step then costs two products with A(0).
        def a_times(state, x: jax.Array) -> jax.Array:  # A x
            if not rich:
                return a0 @ x
            if project:
                y = a0 @ x
                return y + state @ y
            return state @ x

        def a_t_times(state, y: jax.Array) -> jax.Array:  # Aᵀ y
            if not rich:
                return a0.T @ y
            if project:
                return a0.T @ (y + state.T @ y)
            return state.T @ y

        def update(state, w: jax.Array, g: jax.Array):
            if not rich:
                return state
            if project:
                return state + (lr * gamma / n) * jnp.outer(w, a0 @ g)
            return state + (lr * gamma) * jnp.outer(w, g)

        def delta_of(state) -> jax.Array:  # A − A(0), only formed at record steps
            if not rich:
                return jnp.zeros_like(a0)
            if project:
                return state @ a0
            return state - a0

        def error(state, w: jax.Array) -> jax.Array:
            return target - a_t_times(state, w) / n

        def gradient(k: jax.Array, v0: jax.Array) -> jax.Array:
            if n_train is None and batch is None:
                return lam * v0  # population gradient (B = ∞)
            if n_train is None:
                return _online_gradient(k, sqrt_lam, v0, batch)
            u = sqrt_lam * v0
            if batch >= n_train:
                z = z_train
            else:
                z = z_train[jax.random.randint(k, (batch,), 0, n_train)]
            return sqrt_lam * (z.T @ (z @ u)) / z.shape[0]

        def measure(state, w: jax.Array, v0: jax.Array) -> dict[str, jax.Array]:
            out = {
                "test": jnp.sum(lam * v0 * v0),
                "norm": jnp.sum(w * w) / n,
            }
            if n_train is not None:
                r = z_train @ (sqrt_lam * v0)
                out["train"] = jnp.mean(r * r)
            if spike_iter:
                v = target - v0
                delta = delta_of(state)
                top, vec = _top_eigen(delta, v + 1e-3 * jnp.ones_like(v), spike_iter)
                out["spike"] = top
                dv = v - v_init  # the learned part of v (v(0) = A(0)ᵀw(0)/N is random, of norm² ≈ M/N)
                out["overlap"] = jnp.abs(jnp.dot(vec, dv)) / jnp.maximum(jnp.linalg.norm(dv), 1e-30)
                out["trace"] = jnp.sum(delta * delta) / n
            return out

        def record(bufs: dict[str, jax.Array], slot: jax.Array, state, w: jax.Array, v0: jax.Array):
            def write(b: dict[str, jax.Array]) -> dict[str, jax.Array]:
                vals = measure(state, w, v0)
                return {name: b[name].at[slot].set(vals[name]) for name in b}

            return jax.lax.cond(slot < n_rec, write, lambda b: b, bufs)

        if not rich:
            state0 = jnp.zeros((), dtype)
        elif project:
            state0 = jnp.zeros((n, n), dtype)
        else:
            state0 = a0
        v0 = error(state0, w)
        v_init = target - v0
        proto = measure(state0, w, v0)
        bufs = {name: jnp.zeros((n_rec,), dtype).at[0].set(val) for name, val in proto.items()}

        def step(carry, inp):
            state, w, v0, bufs = carry
            t, slot = inp
            g = gradient(jax.random.fold_in(k_data, t), v0)  # Λ̂ v⁰
            w_new = w + lr * a_times(state, g)
            state = update(state, w, g)
            w = w_new
            v0 = error(state, w)
            bufs = record(bufs, slot, state, w, v0)
            return (state, w, v0, bufs), None

        ts = jnp.arange(1, steps + 1, dtype=jnp.int32)
        (_, _, _, bufs), _ = jax.lax.scan(step, (state0, w, v0, bufs), (ts, slots))
        return bufs

    return jax.vmap(one_seed)(*init)


def _simulate(
    key: jax.Array,
    task: PowerLawTask,
    *,
    width: int,
    batch: int | None,
    lr: float,
    gamma: float,
    steps: int,
    n_seeds: int,
    n_records: int,
    project: bool,
    n_train: int | None,
    spike_iter: int,
    what: str,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    key = check_key(key)
    task = check_task(task)
    width = check_int(width, "width")
    if batch is None:
        if n_train is not None:
            raise ValueError("batch=None (the population gradient) cannot be combined with n_train; "
                             "pass batch >= n_train for full-batch training on the P samples")
    else:
        batch = check_int(batch, "batch")
    steps = check_int(steps, "steps")
    n_seeds = check_int(n_seeds, "n_seeds")
    n_records = check_int(n_records, "n_records", 2)
    lr = check_float(lr, "lr", positive=True)
    gamma = check_float(gamma, "gamma", positive=False)
    if not isinstance(project, (bool, np.bool_)):
        raise TypeError(f"project must be True or False, got {project!r}")
    if n_train is not None:
        n_train = check_int(n_train, "n_train")

    rec = record_steps(steps, n_records)
    slots = np.full(steps, len(rec), dtype=np.int32)  # index len(rec) = "do not record"
    slots[rec[1:] - 1] = np.arange(1, len(rec), dtype=np.int32)
    dtype = task.eigenvalues.dtype
    init = _draw_initial(
        jax.random.split(key, n_seeds), width=width, n_modes=task.n_modes, n_train=n_train, dtype=dtype
    )
    out = _run(
        init,
        task.eigenvalues,
        task.target.astype(dtype),
        jnp.asarray(lr, dtype),
        jnp.asarray(gamma, dtype),
        jnp.asarray(slots),
        batch=batch,
        steps=steps,
        n_rec=len(rec),
        project=bool(project) and gamma > 0,  # irrelevant when A is frozen: share the compiled program
        rich=gamma > 0,
        spike_iter=spike_iter,
    )
    out = {name: np.asarray(val) for name, val in out.items()}
    bad = [name for name, val in out.items() if not np.all(np.isfinite(val))]
    if bad:
        first = int(np.argmax(~np.all(np.isfinite(out[bad[0]]), axis=0)))
        raise FloatingPointError(
            f"{what} diverged (non-finite {', '.join(bad)} by step {int(rec[first])}) with "
            f"alpha={task.alpha}, beta={task.beta}, M={task.n_modes}, width={width}, batch={batch}, "
            f"lr={lr}, gamma={gamma}, project={project}, n_train={n_train}, steps={steps}: lower lr "
            "(the rich kernel grows during training, so late steps need a smaller lr)"
        )
    mean = out["test"].mean(0)
    running_min = np.minimum.accumulate(mean)
    if np.any(mean > _RISE_WARNING * running_min):
        first = int(np.argmax(mean > _RISE_WARNING * running_min))
        warnings.warn(
            f"{what}: the seed-mean test loss rose to {mean[first]:.3g} at step {int(rec[first])}, more than "
            f"{_RISE_WARNING}x its earlier minimum {running_min[first]:.3g} (lr={lr}, gamma={gamma}, width={width}, "
            f"batch={batch}): the step size is probably at the edge of stability for the grown kernel; lower lr",
            RuntimeWarning,
            stacklevel=3,
        )
    return rec, out


@cached_function(version=1)
def simulate_projected_model(
    key: jax.Array,
    task: PowerLawTask,
    *,
    width: int,
    batch: int | None,
    lr: float,
    gamma: float,
    steps: int,
    n_seeds: int = 1,
    n_records: int = 64,
    project: bool = True,
    n_train: int | None = None,
) -> SimulationResult:
    """Simulate [B]'s model (Eqs. 3–5, reconstructed; appendix eq-b-model-sgd) for ``n_seeds`` seeds.

    Args:
        key: PRNG key; seed ``i`` uses ``jax.random.split(key, n_seeds)[i]``.
        task: the power-law task (λ_k, w*_k), see :func:`ntk_scaling.power_law_task`.
        width: N, the number of learned features.
        batch: B, samples per step (online: fresh Gaussian samples; with ``n_train``:
            full batch if ``batch >= n_train``, else minibatches drawn from the P samples).
            ``None`` (online only): B = ∞, the population gradient Λv⁰ at every step
            (gradient descent on the population loss, no SGD noise; cost O(NM) per step).
        lr: η, the learning rate.
        gamma: γ ≥ 0, the feature-learning strength (0 = lazy random features).
        steps: number of SGD steps T.
        n_seeds: independent initialisations and sample streams, run as one vmapped batch.
        n_records: at most this many log-spaced records.
        project: apply P = A(0)ᵀA(0)/N to A's update (True: the model of [B]; False: the
            plain two-layer linear network of Appendix G).
        n_train: P, reuse a fixed set of P samples (Appendix D); None = online SGD.

    Returns:
        :class:`SimulationResult`: ``steps`` (R,) = ``record_steps(steps, n_records)``;
        ``test_loss`` and ``weight_norm`` (n_seeds, R) in the task's dtype;
        ``train_loss`` (n_seeds, R) with ``n_train``, else None. A RuntimeWarning is issued
        when the seed-mean test loss rises above 1.5× its running minimum.

    Raises:
        TypeError: ``key`` is not a JAX array, ``task`` is not a
            :class:`ntk_scaling.PowerLawTask`, ``project`` is not a bool, or a number has
            the wrong type.
        ValueError: an argument out of range (named), an invalid key, or ``batch=None``
            with ``n_train``.
        FloatingPointError: the loss or weights became NaN/inf (lower ``lr``).
    """
    rec, out = _simulate(
        key, task, width=width, batch=batch, lr=lr, gamma=gamma, steps=steps, n_seeds=n_seeds,
        n_records=n_records, project=project, n_train=n_train, spike_iter=0,
        what="simulate_projected_model",
    )
    return SimulationResult(rec, out["test"], out.get("train"), out["norm"])


def lazy_rich_sweep(
    task: PowerLawTask,
    *,
    over: str,
    values: list[int],
    gamma: float,
    lr_lazy: float,
    lr_rich: float,
    seed: int,
    executor: object | None = None,
    **simulate_kwargs: object,
) -> dict[str, dict[int, SimulationResult]]:
    """Lazy (γ = 0) and rich (γ = ``gamma``) runs over one integer axis, through the cache.

    Args:
        task: the power-law task.
        over: the swept argument of :func:`simulate_projected_model`, ``"width"`` or
            ``"n_train"``; with ``"n_train"`` and no ``batch`` given, each step is
            full-batch over the P reused samples.
        values: the swept values.
        gamma: γ of the rich runs.
        lr_lazy: learning rate of the lazy family.
        lr_rich: learning rate of the rich family.
        seed: point ``v`` uses the key ``jax.random.key(seed * 100003 + v)``, so the lazy
            and rich runs at one point share A(0), w(0) and the data, and
            :func:`projection_floor` or :func:`lazy_reuse_limit` with that key see the same A(0).
        executor: passed to :func:`ntk_scaling.sweep`.
        **simulate_kwargs: every other argument of :func:`simulate_projected_model`.

    Returns:
        ``{"lazy": {v: result}, "rich": {v: result}}``.

    Raises:
        ValueError: ``over`` is not one of the two axes, or is also given as a keyword.
        DivergenceError: a run diverged (the message lists which).
    """
    from ..cache import DivergenceError
    from ..sweeps import sweep

    if over not in ("width", "n_train"):
        raise ValueError(f"over must be 'width' or 'n_train', got {over!r}")
    if over in simulate_kwargs:
        raise ValueError(f"{over!r} is the swept axis; pass its values through `values`, not as a keyword")
    task = check_task(task)
    runs = {}
    for label, g, lr in (("lazy", 0.0, lr_lazy), ("rich", gamma, lr_rich)):
        points = []
        for value in values:
            point = {"key": jax.random.key(seed * 100003 + int(value)), over: int(value), "gamma": g, "lr": lr}
            if over == "n_train" and "batch" not in simulate_kwargs:
                point["batch"] = int(value)
            points.append(point)
        out = sweep(simulate_projected_model, points, fixed=dict(simulate_kwargs, task=task), executor=executor,
                    desc=f"{label} runs")
        if out.diverged:
            raise DivergenceError(f"{len(out.diverged)} {label} runs diverged: " + "; ".join(d.error for d in out.diverged))
        runs[label] = dict(zip([int(v) for v in values], out.results))
    return runs


@cached_function(version=1)
def simulate_spike(
    key: jax.Array,
    task: PowerLawTask,
    *,
    width: int,
    batch: int,
    lr: float,
    gamma: float,
    steps: int,
    n_seeds: int = 1,
    n_records: int = 32,
    project: bool = False,
    power_iterations: int = 40,
) -> SpikeResult:
    """Like :func:`simulate_projected_model` (online), also tracking the first-layer spike.

    At each record the change of the first layer Δ = A − A(0) is measured: its top squared
    singular value σ₁²/N by power iteration on ΔᵀΔ/N (``power_iterations`` products with
    Δ, started from v), the |cosine| between its top right singular vector and the
    learned part v(t) − v(0) of v = Aᵀw/N, and ‖Δ‖_F²/N ([B] Appendix G.3, Fig. 13). For the unprojected network,
    balancedness (AAᵀ − γwwᵀ is conserved in continuous time) ties the spike to the
    readout: σ₁²/N ≈ γ(|w|² − |w(0)|²)/N once the change is rank one. Appendix label
    ``eq-b-dmft-spike`` (status: reconstructed and checked numerically; power iteration is
    our measurement choice).

    Args:
        key: PRNG key; seed ``i`` uses ``jax.random.split(key, n_seeds)[i]``.
        task: the power-law task (M modes).
        width: N ≥ 1.
        batch: B ≥ 1 fresh Gaussian samples per step (online SGD).
        lr: η > 0.
        gamma: γ ≥ 0.
        steps: T ≥ 1.
        n_seeds: independent seeds, run as one vmapped batch.
        n_records: at most this many log-spaced records.
        project: apply P = A(0)ᵀA(0)/N (default False: the plain two-layer network of
            [B] Appendix G).
        power_iterations: products with ΔᵀΔ/N per record (≥ 1).

    Returns:
        :class:`SpikeResult`: ``steps`` (R,) and (n_seeds, R) arrays of the test loss,
        |w|²/N, σ₁(Δ)²/N, the |cosine| overlap and ‖Δ‖_F²/N.

    Raises:
        TypeError: ``key`` is not a JAX array, ``task`` is not a
            :class:`ntk_scaling.PowerLawTask`, ``project`` is not a bool, or a number has
            the wrong type.
        ValueError: an argument out of range (named) or an invalid key.
        FloatingPointError: the loss or weights became NaN/inf (lower ``lr``).
    """
    power_iterations = check_int(power_iterations, "power_iterations")
    rec, out = _simulate(
        key, task, width=width, batch=batch, lr=lr, gamma=gamma, steps=steps, n_seeds=n_seeds,
        n_records=n_records, project=project, n_train=None, spike_iter=power_iterations,
        what="simulate_spike",
    )
    return SpikeResult(rec, out["test"], out["norm"], out["spike"], out["overlap"], out["trace"])
