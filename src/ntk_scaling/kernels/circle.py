"""Infinite-width NTK and NNGP of ReLU^q_φ MLPs on the unit circle, and their Fourier spectra.

[B] (arXiv 2409.17858, Section 5.1, Appendix A.1, Fig. 7) fits targets on the circle with
MLPs whose activation is φ(h) = ReLU(h)^q_φ. On the circle every dot-product kernel is a
function of the angle Δ = θ − θ' alone, so its eigenfunctions are the Fourier modes and
its eigenvalues are its Fourier coefficients,

    λ_k = (1/2π) ∫₀^{2π} Θ(Δ) cos(kΔ) dΔ,   k = 0, 1, 2, …  (each k ≥ 1 twice: cos and sin).

**The kernel** (equations appendix, ``eq-b-circle-ntk``; reconstructed, checked in
``tests/test_circle.py``). Weights N(0, 1), no biases, NTK normalisation, ``depth`` = L
hidden layers (as ``MLPConfig.depth`` counts them), inputs x = (cos θ, sin θ) with
h¹ = W⁰x/√D, D = 2. With s_ℓ the pre-activation variance and ρ_ℓ = Σ^ℓ/s_ℓ,

    Σ¹ = cos Δ / D,                 Θ¹ = Σ¹,                      s₁ = 1/D,
    Σ^{ℓ+1} = s_ℓ^q κ_q(ρ_ℓ),        Θ^{ℓ+1} = Σ^{ℓ+1} + q² s_ℓ^{q−1} κ_{q−1}(ρ_ℓ) Θ^ℓ,
    s_{ℓ+1} = s_ℓ^q κ_q(1),

and the output kernels are NNGP = Σ^{L+1}, NTK = Θ^{L+1}. κ_a(ρ) = E[ReLU(u)^a ReLU(v)^a]
for unit Gaussians of correlation ρ is the arc-cosine kernel of degree a (Cho & Saul 2009):
closed form for a ∈ {0, 1, 2} and, for any real a > −1/2,

    κ_a(ρ) = 2^a/(4π) [Γ((a+1)/2)² ₂F₁(−a/2, −a/2; 1/2; ρ²)
                       + 2ρ Γ(a/2+1)² ₂F₁((1−a)/2, (1−a)/2; 3/2; ρ²)]

(the even and odd parts of its Hermite series; checked against 2-D quadrature and the
closed forms). This is the limit of N·γ₀²·eNTK of :class:`ntk_scaling.MeanFieldMLP`, so
with the learning rate η₀γ₀²N the lazy dynamics are df/dt = −η₀ Θ (f − y) in these units.

**The spectrum.** Θ(Δ) is evaluated on M = ``n_grid`` equispaced angles and transformed by
a real FFT: λ_k is then exact up to aliasing, Σ_{m≠0} λ_{|k+mM|} ≈ 2ζ(α)(k/M)^α λ_k ≈
10⁻⁷ λ_k at k = 200 for α = 2 and M = 2²⁰, and up to rounding (≈ 10⁻¹⁷ Θ(0) per
coefficient). Cost: O(M·L) kernel evaluations and one FFT, about a second for M = 2²⁰.

**Exponents.** λ_k ∼ k^(−2q_φ) (the NTK's κ_{q−1} term has a |Δ|^(2q_φ−1) singularity at
Δ = 0), so the capacity is α = 2q_φ; the NNGP decays faster, as k^(−2q_φ−2) at L = 1. A
target with |y_k|² ∝ k^(−2q) has λ_k (w*_k)² = y_k², so the tail Σ_{l>k} y_l² ∼ k^(−(2q−1))
= k^(−αβ) gives the source β = (2q−1)/(2q_φ) (:func:`circle_task_exponents`;
reconstructed, checked by projecting targets onto kernel eigenvectors,
:func:`spectral_task_exponents`). **Parity:** with one hidden layer and no biases the ReLU
NTK has exact zeros (odd k ≥ 3); depth ≥ 2 has none.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from scipy import special

from ..cache import cached_function
from ..fitting import fit_power_law
from ..solvable.tasks import PowerLawTask

__all__ = [
    "CircleExponents",
    "CircleSpectrum",
    "SpectralExponents",
    "circle_grid_spectrum",
    "circle_kernel_spectra",
    "circle_kernels",
    "circle_ntk_spectrum",
    "circle_task_exponents",
    "grid_fourier_spectrum",
    "relu_power_kernel",
    "spectral_task_exponents",
    "circle_power_law_task",
    "circle_lazy_loss",
]

INPUT_DIM = 2  #: D: inputs (cos θ, sin θ), first layer divided by √D


def _check_real(value: object, name: str, *, lo: float, strict: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v) or (v <= lo if strict else v < lo):
        raise ValueError(f"{name} must be a finite number {'>' if strict else '>='} {lo}, got {value!r}")
    return v


def _check_int(value: object, name: str, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    return int(value)


def relu_power_kernel(a: float, rho: np.ndarray) -> np.ndarray:
    """κ_a(ρ) = E[ReLU(u)^a ReLU(v)^a] for unit-variance Gaussians with correlation ρ.

    Args:
        a: degree, a > −1/2 (a = 0 is the step function: E[1_{u>0} 1_{v>0}]).
        rho: correlations in [−1, 1] (clipped), any shape.

    Returns:
        float64 array shaped like ``rho``.

    Closed form for a ∈ {0, 1, 2} (Cho & Saul 2009), the hypergeometric form of the module
    docstring otherwise (reconstructed; ``tests/test_circle.py`` checks both against 2-D
    quadrature).
    """
    a = _check_real(a, "degree a", lo=-0.5)
    r = np.clip(np.asarray(rho, dtype=np.float64), -1.0, 1.0)
    if a in (0.0, 1.0, 2.0):
        t = np.arccos(r)
        s = np.sqrt(np.clip(1.0 - r * r, 0.0, None))
        if a == 0.0:
            j = np.pi - t
        elif a == 1.0:
            j = s + (np.pi - t) * r
        else:
            j = 3.0 * s * r + (np.pi - t) * (1.0 + 2.0 * r * r)
        return j / (2.0 * np.pi)
    return _hypergeometric_kernel(a, r)


def _hypergeometric_kernel(a: float, r: np.ndarray) -> np.ndarray:
    """κ_a(ρ) from its Hermite series in closed form (module docstring), any real a > −1/2."""
    r2 = r * r
    even = special.gamma((a + 1) / 2) ** 2 * special.hyp2f1(-a / 2, -a / 2, 0.5, r2)
    odd = 2.0 * r * special.gamma(a / 2 + 1) ** 2 * special.hyp2f1((1 - a) / 2, (1 - a) / 2, 1.5, r2)
    return 2.0**a / (4.0 * np.pi) * (even + odd)


def circle_kernels(q_phi: float, depth: int, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(NTK Θ(Δ), NNGP Σ(Δ)) of the bias-free ReLU^q_φ MLP at angle differences Δ.

    Args:
        q_phi: activation exponent q_φ ≥ 1 (φ = ReLU^q_φ).
        depth: L ≥ 1 hidden layers.
        delta: angle differences (radians), any shape.

    Returns:
        Two float64 arrays shaped like ``delta`` (module docstring recursion).
    """
    q = _check_real(q_phi, "q_phi", lo=1.0, strict=False)
    depth = _check_int(depth, "depth", 1)
    d = np.asarray(delta, dtype=np.float64)
    s = 1.0 / INPUT_DIM
    sigma = np.cos(d) / INPUT_DIM
    theta = sigma.copy()
    for _ in range(depth):
        rho = sigma / s
        sigma_next = s**q * relu_power_kernel(q, rho)
        theta = sigma_next + q * q * s ** (q - 1.0) * relu_power_kernel(q - 1.0, rho) * theta
        sigma = sigma_next
        s = s**q * float(relu_power_kernel(q, 1.0))
    return theta, sigma


class CircleSpectrum(NamedTuple):
    """Fourier eigenvalues λ_k, k = 0 … n_modes − 1, of the circle kernels."""

    k: np.ndarray  #: (n,) mode index
    ntk: np.ndarray  #: (n,) NTK eigenvalues (NTK normalisation, module docstring)
    nngp: np.ndarray  #: (n,) NNGP eigenvalues


@cached_function(version=1)
def circle_kernel_spectra(q_phi: float, depth: int, n_modes: int, n_grid: int = 2**20) -> CircleSpectrum:
    """Fourier coefficients of the circle NTK and NNGP by an FFT on ``n_grid`` angles.

    Args:
        q_phi: activation exponent q_φ ≥ 1.
        depth: L ≥ 1 hidden layers.
        n_modes: how many eigenvalues (k = 0 … n_modes − 1); at most n_grid/8.
        n_grid: M, the FFT size (accuracy: module docstring).

    Returns:
        :class:`CircleSpectrum`.

    Raises:
        ValueError: bad arguments (named).
    """
    n_modes = _check_int(n_modes, "n_modes", 1)
    n_grid = _check_int(n_grid, "n_grid", 16)
    if n_modes > n_grid // 8:
        raise ValueError(f"n_modes = {n_modes} needs n_grid >= 8·n_modes = {8 * n_modes} for aliasing below 1e-3; got {n_grid}")
    half = 2.0 * np.pi * np.arange(n_grid // 2 + 1) / n_grid
    ntk_half, nngp_half = circle_kernels(q_phi, depth, half)

    def coefficients(values: np.ndarray) -> np.ndarray:
        full = np.concatenate([values, values[1 : n_grid - n_grid // 2][::-1]])
        return np.fft.rfft(full).real[:n_modes] / n_grid

    return CircleSpectrum(np.arange(n_modes), coefficients(ntk_half), coefficients(nngp_half))


def circle_ntk_spectrum(q_phi: float, depth: int, n_modes: int) -> np.ndarray:
    """NTK eigenvalues λ_k on the circle, k = 0 … n_modes − 1 (float64).

    The infinite-width NTK of the bias-free ReLU^q_φ MLP with ``depth`` hidden layers, in
    NTK normalisation (the limit of N·γ₀²·eNTK of :class:`ntk_scaling.MeanFieldMLP`); each
    k ≥ 1 is an eigenvalue of multiplicity two. Accurate to ~10⁻⁷ relative over the first
    200 modes for q_φ ≥ 1 (module docstring; ``tests/test_circle.py`` checks it against an
    independent quadrature and a width-4096 eNTK).

    Source: [B] Section 5.1 and Fig. 7 (λ_k ∼ k^(−2q_φ)); the recursion is reconstructed
    (equations appendix, ``eq-b-circle-ntk``; status: reconstructed and checked
    numerically).

    Args:
        q_phi: activation exponent q_φ ≥ 1 (φ = ReLU^q_φ).
        depth: L ≥ 1 hidden layers.
        n_modes: how many eigenvalues, k = 0 … n_modes − 1; at most 2¹⁷ (the FFT uses
            2²⁰ angles, :func:`circle_kernel_spectra`).

    Returns:
        (n_modes,) float64 eigenvalues λ_0 … λ_{n_modes−1} (cached on disk).

    Raises:
        TypeError: q_phi is not a real number.
        ValueError: q_phi < 1, depth < 1, n_modes < 1 or n_modes > 2¹⁷ (named).
    """
    return circle_kernel_spectra(q_phi, depth, n_modes).ntk


def circle_grid_spectrum(q_phi: float, depth: int, n_grid: int) -> np.ndarray:
    """Eigenvalues μ_k, k = 0 … n/2, of the n×n matrix Θ(θ_i − θ_j)/n on a uniform n-grid.

    They equal the aliased sums Σ_m λ_{|k+mn|} of :func:`circle_ntk_spectrum`; this is what a
    kernel diagonalised on a modest grid must match (:func:`grid_fourier_spectrum`).
    Kernel of ``eq-b-circle-ntk`` (status: reconstructed and checked numerically).

    Args:
        q_phi: activation exponent q_φ ≥ 1.
        depth: L ≥ 1 hidden layers.
        n_grid: n ≥ 4, the number of grid angles θ_j = 2πj/n.

    Returns:
        (n_grid//2 + 1,) float64 eigenvalues μ_0 … μ_{n/2} (each 0 < k < n/2 twice in the
        matrix).

    Raises:
        TypeError: q_phi is not a real number.
        ValueError: q_phi < 1, depth < 1 or n_grid < 4 (named).
    """
    n_grid = _check_int(n_grid, "n_grid", 4)
    theta, _ = circle_kernels(q_phi, depth, 2.0 * np.pi * np.arange(n_grid) / n_grid)
    return np.fft.rfft(theta).real / n_grid


def grid_fourier_spectrum(kernel: np.ndarray) -> np.ndarray:
    """Fourier Rayleigh quotients μ_k = (1/n²) Σ_ij K_ij cos(k(θ_i − θ_j)), k = 0 … n/2.

    For a kernel matrix K on the uniform grid θ_i = 2πi/n. For a circulant (rotation-
    invariant) K these are exactly the eigenvalues of K/n (each k ≥ 1 twice); for a finite-
    width eNTK they average the cos and sin members of each pair. Cost: one 2-D FFT.
    The matrix is symmetrised, (K + Kᵀ)/2, first. Used to compare finite-width kernels with
    ``eq-b-circle-ntk``.

    Args:
        kernel: (n, n) kernel matrix on the uniform grid θ_i = 2πi/n.

    Returns:
        (n//2 + 1,) float64 quotients μ_0 … μ_{n/2}.

    Raises:
        ValueError: K is not a finite square matrix.
    """
    a = np.asarray(kernel, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or not np.all(np.isfinite(a)):
        raise ValueError(f"grid_fourier_spectrum needs a finite square matrix, got shape {a.shape}")
    n = a.shape[0]
    f = np.fft.fft2(0.5 * (a + a.T))  # Σ_ij K_ij e^{-i(k θ_i + l θ_j)}
    k = np.arange(n // 2 + 1)
    # Σ_ij K_ij cos(k(θ_i − θ_j)) = Re F[k, −k]
    return f[k, (-k) % n].real / n**2


class CircleExponents(NamedTuple):
    """Capacity and source of a circle task for [B]'s theory."""

    alpha: float  #: α = 2 q_φ
    beta: float  #: β = (2q − 1)/(2 q_φ)


def circle_task_exponents(q: float, q_phi: float) -> CircleExponents:
    """(α, β) = (2q_φ, (2q − 1)/(2q_φ)) for the target |y_k| ∝ k^(−q) and φ = ReLU^q_φ.

    Reconstructed (equations appendix, ``eq-b-circle-exponents``): λ_k ∼ k^(−2q_φ) and
    λ_k (w*_k)² = y_k² ∝ k^(−2q) = k^(−αβ−1). Checked numerically by projecting targets onto
    kernel eigenvectors (``tests/test_circle.py``, chapter 24). β < 1 (hard) iff q < q_φ + ½.

    Args:
        q: the target's amplitude decay |y_k| ∝ k^(−q), q > 1/2.
        q_phi: the activation exponent q_φ > 1/2.

    Returns:
        :class:`CircleExponents` (α, β), dimensionless floats.

    Raises:
        TypeError: q or q_phi is not a real number.
        ValueError: q ≤ 1/2 or q_φ ≤ 1/2.
    """
    q = _check_real(q, "q", lo=0.5)
    q_phi = _check_real(q_phi, "q_phi", lo=0.5)
    return CircleExponents(2.0 * q_phi, (2.0 * q - 1.0) / (2.0 * q_phi))


class SpectralExponents(NamedTuple):
    """Capacity α and source β measured from a kernel matrix and a target vector."""

    alpha: float  #: fitted decay λ_i ∼ i^(−α) of the sorted eigenvalues
    alpha_ci: tuple[float, float]
    alpha_beta: float  #: fitted decay of the tail power Σ_{j>i} (u_j·y)² ∼ i^(−αβ)
    alpha_beta_ci: tuple[float, float]
    beta: float  #: αβ / α
    beta_ci: tuple[float, float]  #: from the extremes of the two intervals (conservative)
    eigenvalues: np.ndarray  #: (n,) descending
    tail_power: np.ndarray  #: (n,) Σ_{j>i} (u_j·y)² / |y|²


def spectral_task_exponents(kernel: np.ndarray, target: np.ndarray, *, rank_min: int, rank_max: int) -> SpectralExponents:
    """Measure α and β by diagonalising a kernel and projecting a target on its eigenvectors.

    Args:
        kernel: (n, n) symmetric kernel matrix on n sample points.
        target: (n,) target values at the same points.
        rank_min: first eigenvalue rank (1-based) of the power-law fit window.
        rank_max: last eigenvalue rank of the window.

    Returns:
        :class:`SpectralExponents` (95% least-squares intervals).

    Raises:
        ValueError: shapes disagree or the window is outside [1, n − 1].

    This is the estimator [B] describes for its vision tasks (fit λ_i ∼ i^(−α) and the
    tail of the target's projected power ∼ i^(−αβ)). Cost: one ``eigh`` of size n.
    """
    a = np.asarray(kernel, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64).ravel()
    if a.ndim != 2 or a.shape != (y.size, y.size):
        raise ValueError(f"kernel must be ({y.size}, {y.size}) to match the target, got {a.shape}")
    n = y.size
    if not (1 <= rank_min < rank_max <= n - 1):
        raise ValueError(f"need 1 <= rank_min < rank_max <= {n - 1}, got {rank_min}, {rank_max}")
    lam, vec = np.linalg.eigh(0.5 * (a + a.T))
    lam, vec = lam[::-1], vec[:, ::-1]
    power = (vec.T @ y) ** 2
    tail = (np.sum(power) - np.cumsum(power)) / np.sum(power)
    ranks = np.arange(1, n + 1)
    window = (ranks >= rank_min) & (ranks <= rank_max)
    fa = fit_power_law(ranks[window], lam[window])
    ft = fit_power_law(ranks[window], tail[window])
    alpha, ab = -fa.exponent, -ft.exponent
    a_lo, a_hi = -fa.exponent_ci[1], -fa.exponent_ci[0]
    ab_lo, ab_hi = -ft.exponent_ci[1], -ft.exponent_ci[0]
    return SpectralExponents(
        alpha=alpha,
        alpha_ci=(a_lo, a_hi),
        alpha_beta=ab,
        alpha_beta_ci=(ab_lo, ab_hi),
        beta=ab / alpha,
        beta_ci=(ab_lo / a_hi, ab_hi / a_lo),
        eigenvalues=lam,
        tail_power=tail,
    )


def circle_power_law_task(
    q: float, q_phi: float, depth: int, n_modes: int, *, target_modes: int | None = None, dtype: object = np.float32
) -> PowerLawTask:
    """[B]'s linear-model task with the circle NTK's spectrum and a circle target's power.

    Mode pair k = 1 … n_modes becomes one mode of the solvable model with eigenvalue λ_k
    (:func:`circle_ntk_spectrum`) and target w*_k with λ_k (w*_k)² = a_k²/2, the target's
    power in that pair (:func:`ntk_scaling.circle_amplitudes`, unit variance over
    ``target_modes`` = K modes, default n_modes). The loss of the zero function is then
    Σ_k a_k²/2 (1 when K ≤ n_modes). So [B]'s model and its DMFT run on exactly the circle
    task, with the learning-rate convention of :func:`circle_lazy_loss`. Appendix label
    ``eq-b-circle-lazy-loss`` (status: reconstructed and checked numerically).

    Args:
        q: the target's amplitude decay |y_k| ∝ k^(−q), q > 1/2.
        q_phi: activation exponent q_φ ≥ 1.
        depth: L ≥ 1 hidden layers.
        n_modes: M, the modes k = 1 … M kept in the model.
        target_modes: K, the target's modes for the unit-variance normalisation (default
            M); modes beyond M are dropped, those beyond K get w*_k = 0.
        dtype: array dtype; float64 gives NumPy arrays, anything else JAX arrays.

    Returns:
        A :class:`ntk_scaling.PowerLawTask` (arrays of ``dtype``, float32 by default as
        :func:`ntk_scaling.power_law_task`) with ``alpha``/``beta`` from
        :func:`circle_task_exponents`; eigenvalues and target both of shape (M,).

    Raises:
        TypeError: q or q_phi is not a real number.
        ValueError: q ≤ 1/2, q_phi < 1, depth < 1, n_modes < 1 or n_modes ≥ 2¹⁷,
            target_modes < 1 (named).
    """
    exps = circle_task_exponents(q, q_phi)
    n_modes = _check_int(n_modes, "n_modes", 1)
    k_target = n_modes if target_modes is None else _check_int(target_modes, "target_modes", 1)
    lam = circle_ntk_spectrum(q_phi, depth, n_modes + 1)[1:]
    k = np.arange(1, k_target + 1, dtype=np.float64)
    a = k ** (-float(q))
    a = a / np.sqrt(0.5 * np.sum(a * a))
    power = np.zeros(n_modes)
    power[: min(n_modes, k_target)] = 0.5 * a[: min(n_modes, k_target)] ** 2
    as_array = np.asarray if np.dtype(dtype) == np.float64 else jnp.asarray  # float64 stays numpy (no x64 needed)
    return PowerLawTask(exps.alpha, exps.beta, as_array(lam, dtype), as_array(np.sqrt(power / lam), dtype))


def circle_lazy_loss(q: float, q_phi: float, depth: int, *, eta0: float, steps: np.ndarray, n_modes: int = 4096,
                     target_modes: int | None = None) -> np.ndarray:
    """Loss of the infinite-width lazy network on a circle task under online SGD, L(t).

    With the mean-field learning rate η = η₀γ₀²N and the MSE loss mean (f − y)², the mean
    function-space step is f ← f − 2η₀ Θ(f − y), so (batch noise neglected, which is
    sub-leading for hard tasks, [B] Section 4)

        L(t) = Σ_k (a_k²/2) (1 − 2η₀ λ_k)^(2t),

    i.e. :func:`ntk_scaling.lazy_loss` on :func:`circle_power_law_task` with lr = 2η₀ (tested), here
    also for real t (for effective times).
    Status: our derivation (equations appendix, ``eq-b-circle-lazy-loss``); chapter 24 checks
    it against the γ₀ = 10⁻³ networks.

    Args:
        q: the target's decay, |y_k| ∝ k^(−q).
        q_phi: the activation exponent.
        depth: hidden layers.
        eta0: η₀.
        steps: steps t ≥ 0 (real values allowed).
        n_modes: modes kept (the tail beyond is in the loss only through ``target_modes``).
        target_modes: K of the task (default n_modes).

    Returns:
        float64 array shaped like ``steps`` (dimensionless MSE; 1 at t = 0 when K ≤ M); the
        power of target modes beyond ``n_modes`` is added as a constant.

    Raises:
        ValueError: a step is negative or not finite, eta0 ≥ 1/(2 λ_max) (unstable), or an
            argument of :func:`circle_power_law_task` is invalid.
        TypeError: q or q_phi is not a real number.
    """
    task = circle_power_law_task(q, q_phi, depth, n_modes, target_modes=target_modes, dtype=np.float64)
    t = np.asarray(steps, dtype=np.float64)
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("steps must be finite and non-negative")
    lam = np.asarray(task.eigenvalues, np.float64)
    power = lam * np.asarray(task.target, np.float64) ** 2
    rate = 1.0 - 2.0 * float(eta0) * lam
    if np.any(rate <= 0):
        raise ValueError(f"eta0 = {eta0} is beyond the lazy stability limit 1/(2 λ_max) = {0.5 / lam.max():.3g}")
    missing = 0.0
    if target_modes is not None and target_modes > n_modes:
        k = np.arange(1, target_modes + 1, dtype=np.float64)
        a2 = k ** (-2.0 * float(q))
        missing = float(np.sum(a2[n_modes:]) / np.sum(a2))  # unlearned power beyond n_modes (variance 1)
    # Σ_k p_k r_k^(2t), also for real t (effective times); equals lazy_loss(task, lr=2η₀) at integers
    return np.exp(2.0 * np.multiply.outer(t, np.log(rate))) @ power + missing
