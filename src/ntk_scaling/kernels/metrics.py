"""Scalar summaries of an NTK used by [A] (arXiv 2507.05035): trace, spectrum, entropy,
effective rank, adaptation rate, trace ratio, kernel-target alignment.

Conventions follow the authors' measurement library ``papyrus`` (math notes §2.1–2.2):
a full (n, n, k, k) kernel is first flattened to the (n·k) × (n·k) Gram matrix over
(sample, logit) pairs (:func:`ntk_scaling.ntk.flatten_ntk`); an (n, n) kernel is used
as is. Spectra are computed in float64 with numpy (``np.linalg.eigvalsh``) whatever the
input dtype, so no global JAX config is needed. Status of each definition:

* trace, eigenvalues, von Neumann entropy: as in papyrus [V-src, code];
* effective rank Γ = exp(S_vN), adaptation rate χ = dTrΘ / d ln L_train and trace ratio
  β = (TrΘ_min − TrΘ_0)/TrΘ_0: from [A]'s summary, reconstructed [R] (math notes §2.2);
* kernel-target alignment: the standard definition (Cristianini et al. 2002; centred
  variant Cortes et al. 2012), not a quantity of [A] [G].

Every function rejects non-square or non-finite kernels with a ``ValueError``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..fitting import fit_linear

__all__ = [
    "EIGENVALUE_FLOOR",
    "as_kernel_matrix",
    "ntk_trace",
    "eigenvalues",
    "spectral_entropy",
    "von_neumann_entropy",
    "effective_rank",
    "NTKSummary",
    "ntk_summary",
    "trace_ratio",
    "AdaptationRate",
    "adaptation_rate",
    "kernel_target_alignment",
    "spectrum_metrics",
]

EIGENVALUE_FLOOR = 1e-14  #: papyrus clips eigenvalues at this value before normalising


def as_kernel_matrix(theta, name: str = "theta") -> np.ndarray:
    """Square float64 matrix from an (n, n) or (n, n, k, k) kernel (papyrus flattening)."""
    a = np.asarray(theta, dtype=np.float64)
    if a.ndim == 4:
        n1, n2, k1, k2 = a.shape
        if n1 != n2 or k1 != k2:
            raise ValueError(f"{name}: a rank-4 NTK must have shape (n, n, k, k), got {a.shape}")
        a = np.moveaxis(a, (1, 2), (2, 1)).reshape(n1 * k1, n2 * k2)
    elif a.ndim != 2:
        raise ValueError(f"{name}: expected an (n, n) or (n, n, k, k) kernel, got shape {a.shape}")
    if a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(f"{name}: kernel must be square and non-empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: kernel contains NaN or infinity (a diverged run?)")
    return a


def ntk_trace(theta, *, normalize: bool = True) -> float:
    """Tr Θ of the flattened kernel; divided by its dimension (n·k) when ``normalize``.

    papyrus' default is ``normalize=True`` (the mean eigenvalue), which makes kernels on
    different numbers of samples comparable [V-src, code]; [A] plots "Tr Θ" [R].
    """
    a = as_kernel_matrix(theta)
    t = float(np.trace(a))
    return t / a.shape[0] if normalize else t


def eigenvalues(theta, *, normalize: bool = False) -> np.ndarray:
    """Eigenvalues of the symmetrised flattened kernel, descending, float64.

    With ``normalize`` they are divided by their sum (papyrus' NTKEigenvalues option).
    """
    a = as_kernel_matrix(theta)
    lam = np.linalg.eigvalsh(0.5 * (a + a.T))[::-1]
    if normalize:
        s = lam.sum()
        if not s > 0:
            raise ValueError(f"eigenvalues: the spectrum sums to {s:g}; cannot normalise")
        lam = lam / s
    return lam


def _probabilities(lam: np.ndarray) -> np.ndarray:
    lam = np.clip(np.asarray(lam, dtype=np.float64), EIGENVALUE_FLOOR, None)
    return lam / lam.sum()


def spectral_entropy(lam, *, effective: bool = False) -> float:
    """S = −Σ p ln p with p = clip(λ, 1e-14)/Σ clip(λ, 1e-14) (natural log), as papyrus.

    ``effective`` divides by ln(dim), giving a value in [0, 1].
    """
    lam = np.asarray(lam, dtype=np.float64).ravel()
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError("spectral_entropy: eigenvalues must be a non-empty finite array")
    p = _probabilities(lam)
    s = float(-np.sum(p * np.log(p)))
    if effective:
        s = s / np.log(lam.size) if lam.size > 1 else 0.0
    return s


def _cosine_normalise(a: np.ndarray) -> np.ndarray:
    d = np.diag(a)
    if np.any(d <= 0):
        raise ValueError("normalize_matrix: the kernel has a non-positive diagonal entry")
    s = 1.0 / np.sqrt(d)
    return a * s[:, None] * s[None, :]


def von_neumann_entropy(theta, *, effective: bool = False, normalize_matrix: bool = False) -> float:
    """S_vN(Θ) = −Tr ρ ln ρ of ρ = Θ / TrΘ ([A]'s NTK entropy; papyrus' NTKEntropy).

    Eigenvalues are clipped at 1e-14 and divided by their sum (papyrus) [V-src, code].
    ``normalize_matrix`` first forms the cosine Gram Θ_ij / √(Θ_ii Θ_jj) (papyrus option,
    off by default); ``effective`` divides by ln(dim).
    """
    a = as_kernel_matrix(theta)
    if normalize_matrix:
        a = _cosine_normalise(a)
    return spectral_entropy(np.linalg.eigvalsh(0.5 * (a + a.T)), effective=effective)


def effective_rank(theta, *, normalize_matrix: bool = False) -> float:
    """Γ(Θ) = exp(S_vN(Θ)) (Roy–Vetterli effective rank) — [A]'s definition, reconstructed [R].

    Equals n for Θ ∝ identity (n × n) and 1 for a rank-one kernel.
    """
    return float(np.exp(von_neumann_entropy(theta, normalize_matrix=normalize_matrix)))


class NTKSummary(NamedTuple):
    """Trace, entropy and effective rank from one eigen-decomposition."""

    trace: float  #: Tr Θ (not normalised)
    trace_normalized: float  #: Tr Θ / dim
    entropy: float  #: S_vN
    effective_rank: float  #: exp(S_vN)
    dim: int  #: n·k


def ntk_summary(theta) -> NTKSummary:
    """All scalar metrics of one kernel with a single ``eigvalsh`` (for recorders in training loops)."""
    a = as_kernel_matrix(theta)
    lam = np.linalg.eigvalsh(0.5 * (a + a.T))
    s = spectral_entropy(lam)
    t = float(np.trace(a))
    return NTKSummary(t, t / a.shape[0], s, float(np.exp(s)), int(a.shape[0]))


def trace_ratio(tr_min, tr_0):
    """β = (TrΘ_min − TrΘ_0) / TrΘ_0: relative trace change between initialisation and the
    epoch of minimum test loss ([A]'s trace ratio, reconstructed [R], math notes §2.2).

    Positive when the kernel grew during training; → 0 in the lazy (infinite-width) limit.
    Works elementwise on arrays (e.g. over seeds or widths).
    """
    tmin = np.asarray(tr_min, dtype=np.float64)
    t0 = np.asarray(tr_0, dtype=np.float64)
    if not (np.all(np.isfinite(tmin)) and np.all(np.isfinite(t0))):
        raise ValueError("trace_ratio: traces must be finite (a diverged run?)")
    if np.any(t0 == 0):
        raise ValueError("trace_ratio: the initial trace TrΘ_0 is zero; the ratio is undefined")
    out = (tmin - t0) / t0
    return float(out) if out.ndim == 0 else out


class AdaptationRate(NamedTuple):
    """Slope χ of TrΘ against ln L_train with its least-squares uncertainty."""

    rate: float  #: χ = dTrΘ / d ln L_train
    stderr: float
    ci: tuple[float, float]
    r2: float
    n: int


def adaptation_rate(trace, train_loss, *, confidence: float = 0.95) -> AdaptationRate:
    """χ(Θ) = δTrΘ / δ ln L_train, fitted as the slope of TrΘ on ln L_train over a
    trajectory (``nts.fit_linear``; [A]'s adaptation rate, reconstructed [R], §2.2).

    A kernel whose trace grows as the loss falls has χ < 0 (ln L decreases).
    """
    tr = np.asarray(trace, dtype=np.float64).ravel()
    loss = np.asarray(train_loss, dtype=np.float64).ravel()
    if tr.shape != loss.shape:
        raise ValueError(f"adaptation_rate: trace and train_loss differ in length ({tr.size} vs {loss.size})")
    if not (np.all(np.isfinite(tr)) and np.all(np.isfinite(loss))):
        raise ValueError("adaptation_rate: trace or train_loss contains NaN or infinity (a diverged run?)")
    if np.any(loss <= 0):
        raise ValueError("adaptation_rate: train_loss must be positive to take its logarithm")
    fit = fit_linear(np.log(loss), tr, confidence=confidence)
    return AdaptationRate(fit.slope, fit.slope_stderr, fit.slope_ci, fit.r2, fit.n)


def kernel_target_alignment(theta, targets, *, centered: bool = False) -> float:
    """A(Θ, y) = ⟨Θ, y yᵀ⟩_F / (‖Θ‖_F ‖y yᵀ‖_F) ∈ [−1, 1] [G: standard definition].

    ``targets`` is (n,) or (n, k). With an (n, n, k, k) kernel the targets are flattened
    the same way, y_(i,a); with an (n, n) kernel an (n, k) target gives Y Yᵀ.
    ``centered`` projects both Gram matrices with H = I − 11ᵀ/dim first (Cortes et al.).
    """
    a = as_kernel_matrix(theta)
    y = np.asarray(targets, dtype=np.float64)
    if not np.all(np.isfinite(y)):
        raise ValueError("kernel_target_alignment: targets contain NaN or infinity")
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2:
        raise ValueError(f"kernel_target_alignment: targets must be (n,) or (n, k), got {y.shape}")
    if y.shape[0] * y.shape[1] == a.shape[0] and y.shape[0] != a.shape[0]:
        t = np.outer(y.ravel(), y.ravel())
    elif y.shape[0] == a.shape[0]:
        t = y @ y.T
    else:
        raise ValueError(f"kernel_target_alignment: {y.shape} targets do not match a kernel of size {a.shape[0]}")
    if centered:
        h = np.eye(a.shape[0]) - 1.0 / a.shape[0]
        a, t = h @ a @ h, h @ t @ h
    na, nt = np.linalg.norm(a), np.linalg.norm(t)
    if na == 0 or nt == 0:
        raise ValueError("kernel_target_alignment: kernel or target Gram matrix is zero")
    return float(np.sum(a * t) / (na * nt))


def spectrum_metrics(eigenvalues: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trace, von Neumann entropy and effective rank from eigenvalues (last axis).

    Uses :func:`spectral_entropy` (papyrus' convention, math
    notes §2.2: eigenvalues clipped at 1e-14, divided by their sum, natural log) on every
    spectrum; Γ = exp(S_vN). The trace is the plain sum of the eigenvalues (TrΘ, not
    divided by the dimension). Float64 numpy, whatever the input precision.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if lam.ndim == 0 or lam.shape[-1] == 0:
        raise ValueError(f"spectrum_metrics: need eigenvalues along the last axis, got shape {lam.shape}")
    trace = lam.sum(-1)
    entropy = np.apply_along_axis(spectral_entropy, -1, lam) if lam.ndim > 1 else np.asarray(spectral_entropy(lam))
    return trace, entropy, np.exp(entropy)
