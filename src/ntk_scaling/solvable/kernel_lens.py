"""[A]'s kernel metrics along [B]'s infinite-width flow: trace ratio, effective rank, alignment.

At N → ∞ the solvable model's kernel in the feature basis is exactly
K(v) = κ I + (γ/κ) v vᵀ with κ = 1 + γa (:mod:`ntk_scaling.solvable.dmft`). As a kernel on
functions, in the orthonormal eigenbasis of the initial features, it is

    Θ_t = Λ^{1/2} K(v_t) Λ^{1/2} = κ_t Λ + (γ/κ_t) (Λ^{1/2} v_t)(Λ^{1/2} v_t)ᵀ,

and the target has coefficients c = Λ^{1/2} w*. This module records, along the flow of
:func:`ntk_scaling.dmft_limit`, the quantities [A] (arXiv 2507.05035) reads off an eNTK:

* the trace ratio Δ_Θ(t) = (TrΘ_t − TrΘ₀)/TrΘ₀ with TrΘ = κΣλ + (γ/κ)Σλ_k v_k²;
* the effective rank Γ = exp(S_vN) of Θ_t (eigenvalues from the secular equation, O(M²));
* the kernel–target alignment A = cᵀΘc / (‖Θ‖_F |c|²);

together with the loss and κ. Status: the kernel is exact for the reconstructed model
(dmft docstring); reading [A]'s metrics on it is our construction (equations appendix,
``eq-bridge-kernel-lens``). Cost: the flow is O(M) per step; each record costs O(M²).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ..cache import cached_function
from ..steps import log_steps
from ..validation import check_float, check_int
from .dmft import _flow_step, _kappa, _run_segments
from .tasks import PowerLawTask, check_task

__all__ = ["KernelLens", "diagonal_plus_rank_one_eigenvalues", "dmft_kernel_lens", "kernel_lens_metrics"]


class KernelLens(NamedTuple):
    """[A]'s metrics of [B]'s N = ∞ kernel at log-spaced steps."""

    steps: np.ndarray  #: (R,) recorded steps
    loss: np.ndarray  #: (R,) L(t) = Σ λ_k (v⁰_k)²
    trace_ratio: np.ndarray  #: (R,) Δ_Θ(t)
    effective_rank: np.ndarray  #: (R,) Γ(Θ_t)
    alignment: np.ndarray  #: (R,) A(Θ_t, y)
    kappa: np.ndarray  #: (R,) κ(t) = 1 + γ a(t)


def diagonal_plus_rank_one_eigenvalues(d: np.ndarray, rho: float, z: np.ndarray, *, iterations: int = 60) -> np.ndarray:
    """Eigenvalues of diag(d) + ρ z zᵀ (ρ ≥ 0) by bisection on the secular equation, O(M²) per sweep.

    The eigenvalues interlace: μ_i ∈ [d_(i), d_(i+1)] for the sorted d, and the largest lies
    in [d_max, d_max + ρ|z|²]; each is the root of 1 + ρ Σ_j z_j²/(d_j − μ) in its interval,
    found by ``iterations`` vectorised bisection steps (relative precision 2^−iterations of
    the interval). Returns them ascending. Replaces an O(M³) ``eigh`` (tested against it).
    Standard secular-equation result; used for ``eq-bridge-kernel-lens`` (status: our
    construction).

    Args:
        d: (M,) diagonal entries (any order; sorted internally).
        rho: ρ ≥ 0, the weight of the rank-one term. For ρ ≤ 0 (or z = 0) the sorted ``d``
            is returned unchanged.
        z: (M,) vector of the rank-one term, in the same order as ``d``.
        iterations: bisection steps per eigenvalue.

    Returns:
        (M,) float64 eigenvalues, ascending.
    """
    order = np.argsort(d)
    d = np.asarray(d, np.float64)[order]
    z2 = np.asarray(z, np.float64)[order] ** 2
    if rho <= 0 or not np.any(z2 > 0):
        return d
    lo = d.copy()
    hi = np.append(d[1:], d[-1] + rho * z2.sum())
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = 1.0 + rho * np.sum(z2[None, :] / (d[None, :] - mid[:, None]), axis=1)
        up = f > 0  # f increases through its pole-free interval: the root is below mid
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return 0.5 * (lo + hi)


def kernel_lens_metrics(lam: np.ndarray, w_star: np.ndarray, v: np.ndarray, gamma: float) -> tuple[float, float, float]:
    """(TrΘ, Γ, A) of Θ = κΛ + (γ/κ)(Λ^{1/2}v)(Λ^{1/2}v)ᵀ for learned weights ``v``.

    Args:
        lam: (M,) eigenvalues λ_k of the initial kernel.
        w_star: (M,) target weights; the target's coefficients are c = Λ^{1/2} w*.
        v: (M,) learned effective weights (v = w* − v⁰).
        gamma: γ ≥ 0.

    Returns:
        Trace, effective rank exp(S_vN) (eigenvalues clipped at 1e-14 of the sum, as [A]'s
        convention) and alignment cᵀΘc/(‖Θ‖_F |c|²). Float64; the eigenvalues come from the
        secular equation of a diagonal-plus-rank-one matrix (O(M²)), the trace, norm and
        alignment in closed form.
    """
    lam = np.asarray(lam, np.float64)
    v = np.asarray(v, np.float64)
    kap = float(0.5 * (1.0 + gamma + np.sqrt((1.0 + gamma) ** 2 + 4.0 * gamma * float(v @ v))))
    rho = gamma / kap
    s = np.sqrt(lam) * v
    mu = np.clip(diagonal_plus_rank_one_eigenvalues(kap * lam, rho, s), 0.0, None)
    p = np.clip(mu / mu.sum(), 1e-14, None)
    p = p / p.sum()
    rank = float(np.exp(-np.sum(p * np.log(p))))
    c = np.sqrt(lam) * np.asarray(w_star, np.float64)
    ss = float(s @ s)
    frob = np.sqrt(kap**2 * np.sum(lam**2) + 2 * kap * rho * float(np.sum(lam * s**2)) + rho**2 * ss**2)
    align = float((kap * np.sum(lam * c**2) + rho * float(s @ c) ** 2) / (frob * (c @ c)))
    return float(kap * lam.sum() + rho * ss), rank, align


@jax.jit
def _trajectory(H, ws, lengths, gamma, h):
    def step(x):
        return _flow_step(x, h, H, ws, gamma)

    def observe(x):
        return x

    return _run_segments(step, observe, ws, lengths)


@cached_function(version=1)
def dmft_kernel_lens(task: PowerLawTask, *, lr: float, gamma: float, steps: int, n_records: int = 40, substeps: int = 1) -> KernelLens:
    """Loss and [A]'s kernel metrics along [B]'s N, B = ∞ gradient flow (module docstring).

    Args:
        task: λ_k and w*_k (e.g. :func:`ntk_scaling.power_law_task` or
            :func:`ntk_scaling.circle_power_law_task`); each record costs O(M²).
        lr: η; step t is flow time ηt (as :func:`ntk_scaling.dmft_limit`).
        gamma: γ ≥ 0.
        steps: the last step T.
        n_records: at most this many log-spaced records.
        substeps: integration steps per model step.

    Returns:
        :class:`KernelLens`. Its loss equals ``dmft_limit(..., dynamics="flow")``'s.

    Raises:
        FloatingPointError: the flow became NaN/inf.
    """
    task = check_task(task)
    lr = check_float(lr, "lr", positive=True)
    gamma = check_float(gamma, "gamma", positive=False)
    steps = check_int(steps, "steps")
    n_records = check_int(n_records, "n_records", 2)
    substeps = check_int(substeps, "substeps")
    rec = log_steps(steps, n_records)
    dtype = task.eigenvalues.dtype
    lam = jnp.asarray(task.eigenvalues)
    ws = jnp.asarray(task.target)
    xs = _trajectory(lam, ws, jnp.asarray(np.diff(rec) * substeps, jnp.int32), jnp.asarray(gamma, dtype), jnp.asarray(lr / substeps, dtype))
    xs = np.asarray(xs, np.float64)
    if not np.all(np.isfinite(xs)):
        raise FloatingPointError(f"dmft_kernel_lens(gamma={gamma}, lr={lr}, steps={steps}) diverged (NaN/inf)")
    lam64 = np.asarray(task.eigenvalues, np.float64)
    ws64 = np.asarray(task.target, np.float64)
    loss = np.einsum("rk,k,rk->r", xs, lam64, xs)
    metrics = np.array([kernel_lens_metrics(lam64, ws64, ws64 - x, gamma) for x in xs])
    v2 = np.sum((ws64 - xs) ** 2, axis=1)
    kappa = np.asarray(_kappa(jnp.asarray(v2), jnp.asarray(gamma)), np.float64)
    trace = metrics[:, 0]
    return KernelLens(rec, loss, (trace - trace[0]) / trace[0], metrics[:, 1], metrics[:, 2], kappa)
