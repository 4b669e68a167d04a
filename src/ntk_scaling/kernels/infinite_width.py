"""Analytic infinite-width NNGP and NTK of a ReLU MLP (arc-cosine recursion).

Appendix "Equations and their status": eq-a-mlp-arccos and eq-a-mlp-ntk-limit (a
standard result in the NTK parameterisation; our derivation, checked numerically
against wide networks, in the standard one). Cost: O(n1·n2·depth) float64 operations.

For a network in NTK parameterisation (``h_l = σ_w/√n a_{l-1} W_l + σ_b b_l`` with
W, b ~ N(0, 1); :mod:`ntk_scaling.models`) Jacot et al. (2018) and Lee et al. (2019) give
the limit of the NNGP Σ and NTK Θ as all hidden widths → ∞:

    Σ_1(x, x') = σ_w² x·x'/d + σ_b²,          Θ_1 = Σ_1,
    Σ_{l+1}    = σ_w² κ_1(Σ_l) + σ_b²,         Θ_{l+1} = Σ_{l+1} + σ_w² κ_0(Σ_l) Θ_l,

with the ReLU arc-cosine kernels (Cho & Saul 2009), for θ = arccos(Σ(x,x')/√(Σ(x,x)Σ(x',x'))):

    κ_1 = E[relu(u) relu(v)] = √(Σ(x,x)Σ(x',x')) (sin θ + (π − θ) cos θ) / (2π),
    κ_0 = E[relu'(u) relu'(v)] = (π − θ) / (2π).

The output kernel is Θ_{L+1} ⊗ I_k (logits are independent), which is what the full
(n, n, k, k) empirical NTK converges to.

In the *standard* parameterisation (LeCun init as in [A]) the NTK grows with width:
each layer's weight contribution carries a factor fan_in instead of σ_w² / fan_in. The
limit kept here replaces the contribution Σ_l of layer l by
``fan_in_l (Σ_l − σ_b²)/σ_w² + 1[bias]`` (i.e. a_{l−1}·a'_{l−1} + 1 in expectation) with the
same backward factors σ_w² κ_0; it is the expectation of Θ at initialisation whose
relative error → 0 as width → ∞, and Θ/width converges. μP is not covered (its NTK
vanishes as 1/width). All computations are float64 numpy.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..nets.mlp import MLPConfig, bias_std, validate_config

__all__ = [
    "InfiniteWidthKernels",
    "relu_arccos",
    "infinite_width_kernels",
    "infinite_width_ntk",
    "infinite_width_nngp",
]


class InfiniteWidthKernels(NamedTuple):
    """Per-logit-pair kernels; the full kernels are ``nngp ⊗ I_k`` and ``ntk ⊗ I_k``."""

    nngp: np.ndarray  #: (n1, n2) output-layer NNGP Σ_{L+1}
    ntk: np.ndarray  #: (n1, n2) NTK Θ_{L+1}


def relu_arccos(s11: np.ndarray, s22: np.ndarray, s12: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(κ_1, κ_0) = (E[relu u relu v], E[relu'u relu'v]) for centred Gaussians (Cho & Saul 2009).

    Args:
        s11: variances of u, shape (n1, 1).
        s22: variances of v, shape (1, n2).
        s12: covariances, shape (n1, n2).

    Returns:
        (κ_1, κ_0), each of shape (n1, n2); κ_1 in the units of the covariances, κ_0
        dimensionless. A zero variance gives the limit of uncorrelated variables.
    """
    norm = np.sqrt(s11 * s22)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(norm > 0, s12 / np.where(norm > 0, norm, 1.0), 0.0)
    c = np.clip(c, -1.0, 1.0)
    theta = np.arccos(c)
    k1 = norm * (np.sin(theta) + (np.pi - theta) * c) / (2 * np.pi)
    k0 = (np.pi - theta) / (2 * np.pi)
    return k1, k0


def infinite_width_kernels(config: MLPConfig, x1, x2=None) -> InfiniteWidthKernels:
    """Limit NNGP and NTK of the ReLU MLP ``config`` (``ntk`` or ``standard``).

    See the module docstring for the recursion. ``config.width`` matters only for
    ``standard`` (the NTK scales with it).

    Args:
        config: an :class:`~ntk_scaling.nets.mlp.MLPConfig` in the ``ntk`` or ``standard``
            parameterisation.
        x1: inputs of shape (n1, in_dim).
        x2: inputs of shape (n2, in_dim), or None for x1.

    Returns:
        An :class:`InfiniteWidthKernels` of (n1, n2) float64 arrays.

    Raises:
        ValueError: an invalid config, μP, inputs of the wrong shape or not finite.
    """
    validate_config(config)
    p = config.parameterisation
    if p not in ("ntk", "standard"):
        raise ValueError(f"infinite_width_kernels supports parameterisation 'ntk' or 'standard', got {p!r}")
    x1 = np.asarray(x1, dtype=np.float64)
    x2 = x1 if x2 is None else np.asarray(x2, dtype=np.float64)
    for name, x in (("x1", x1), ("x2", x2)):
        if x.ndim != 2 or x.shape[1] != config.in_dim:
            raise ValueError(f"{name} must have shape (n, {config.in_dim}), got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name} contains NaN or infinity")
    sw2 = float(config.w_std) ** 2
    sb2 = bias_std(config) ** 2 if config.bias else 0.0
    bias_grad = 1.0 if config.bias else 0.0  # standard: ∂h/∂b = 1

    def contribution(sig12: np.ndarray, fan_in: int) -> np.ndarray:
        if p == "ntk":
            return sig12
        return fan_in * (sig12 - sb2) / sw2 + bias_grad

    d = config.in_dim
    # pre-activation covariances of layer 1: cross term and the two diagonals
    s12 = sw2 * (x1 @ x2.T) / d + sb2
    s11 = sw2 * np.sum(x1 * x1, axis=1, keepdims=True) / d + sb2
    s22 = (sw2 * np.sum(x2 * x2, axis=1, keepdims=True) / d + sb2).T
    ntk = contribution(s12, d)
    for _ in range(config.depth):
        k1, k0 = relu_arccos(s11, s22, s12)
        s12 = sw2 * k1 + sb2
        s11 = sw2 * s11 / 2 + sb2  # κ_1(x, x) = Σ(x, x)/2 for ReLU
        s22 = sw2 * s22 / 2 + sb2
        ntk = contribution(s12, config.width) + sw2 * k0 * ntk
    return InfiniteWidthKernels(nngp=s12, ntk=ntk)


def infinite_width_ntk(config: MLPConfig, x1, x2=None, *, full: bool = False) -> np.ndarray:
    """Limit NTK, (n1, n2), or (n1, n2, k, k) = Θ ⊗ I_k with ``full=True``.

    Args:
        config: an MLPConfig (``ntk`` or ``standard``).
        x1: inputs of shape (n1, in_dim).
        x2: inputs of shape (n2, in_dim), or None for x1.
        full: return the full kernel over logit pairs.

    Returns:
        Θ, float64, shape (n1, n2) or (n1, n2, k, k).

    Raises:
        ValueError: as :func:`infinite_width_kernels`.
    """
    th = infinite_width_kernels(config, x1, x2).ntk
    if full:
        return th[:, :, None, None] * np.eye(config.out_dim)
    return th


def infinite_width_nngp(config: MLPConfig, x1, x2=None, *, full: bool = False) -> np.ndarray:
    """Limit NNGP (output covariance at initialisation), (n1, n2) or (n1, n2, k, k).

    Args:
        config: an MLPConfig (``ntk`` or ``standard``).
        x1: inputs of shape (n1, in_dim).
        x2: inputs of shape (n2, in_dim), or None for x1.
        full: return the full kernel over logit pairs.

    Returns:
        Σ, float64, shape (n1, n2) or (n1, n2, k, k).

    Raises:
        ValueError: as :func:`infinite_width_kernels`.
    """
    k = infinite_width_kernels(config, x1, x2).nngp
    if full:
        return k[:, :, None, None] * np.eye(config.out_dim)
    return k
