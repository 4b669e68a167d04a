"""Power-law feature tasks of [B] (arXiv 2409.17858, Eq. 6).

The infinite-width features have covariance Λ = diag(λ_k) with λ_k = k^(-α) (capacity α)
and the target y = w*·ψ has components with λ_k (w*_k)^2 = k^(-αβ-1) (source β), so
that the tail power Σ_{l>k} λ_l (w*_l)^2 ∼ k^(-αβ) (appendix "Equations and their
status", eq-b-model-task). The exact constants are our reconstruction; only the
exponents matter for the scaling laws.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

__all__ = ["PowerLawTask", "power_law_task", "initial_loss", "check_task"]


class PowerLawTask(NamedTuple):
    """Spectrum and target of a power-law task truncated at M modes."""

    alpha: float
    beta: float
    eigenvalues: jnp.ndarray  #: λ_k = k^(-α), shape (M,)
    target: jnp.ndarray  #: w*_k = k^(-(αβ+1-α)/2), shape (M,)

    @property
    def n_modes(self) -> int:
        """M, the number of modes kept."""
        return int(self.eigenvalues.shape[0])


def power_law_task(alpha: float, beta: float, n_modes: int, dtype: jnp.dtype = jnp.float32) -> PowerLawTask:
    """Build the task λ_k = k^(-α), w*_k = k^(-(αβ+1-α)/2), k = 1..M ([B] Eq. 6; eq-b-model-task).

    Args:
        alpha: capacity α > 1.
        beta: source β > 0.
        n_modes: M ≥ 1, the number of modes kept.
        dtype: the arrays' dtype (float32 by default).

    Returns:
        A :class:`PowerLawTask` with arrays of shape (M,).

    Raises:
        ValueError: α ≤ 1, β ≤ 0, or M not a positive integer.
    """
    if not (isinstance(n_modes, (int, np.integer)) and n_modes >= 1):
        raise ValueError(f"n_modes must be a positive integer, got {n_modes!r}")
    if not alpha > 1:
        raise ValueError(f"capacity alpha must exceed 1 (trace-class kernel), got {alpha!r}")
    if not beta > 0:
        raise ValueError(f"source beta must be positive, got {beta!r}")
    k = np.arange(1, n_modes + 1, dtype=np.float64)
    lam = k**-alpha
    w_star = k ** (-(alpha * beta + 1 - alpha) / 2)
    return PowerLawTask(float(alpha), float(beta), jnp.asarray(lam, dtype), jnp.asarray(w_star, dtype))


def initial_loss(task: PowerLawTask) -> float:
    """L(0) = Σ_k λ_k (w*_k)^2, the loss of the zero predictor.

    Args:
        task: a :class:`PowerLawTask`.

    Returns:
        L(0), a float (loss units).
    """
    return float(jnp.sum(task.eigenvalues * task.target**2))


def check_task(task: object) -> PowerLawTask:
    """``task`` if it is a :class:`PowerLawTask`, else a TypeError saying how to build one.

    Args:
        task: anything.

    Returns:
        ``task``, unchanged.

    Raises:
        TypeError: ``task`` is not a :class:`PowerLawTask`.
    """
    if not isinstance(task, PowerLawTask):
        raise TypeError(f"task must be a PowerLawTask (see ntk_scaling.power_law_task), got {type(task).__name__}")
    return task
