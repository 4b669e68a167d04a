"""Scalar summaries of an NTK used by [A] (arXiv 2507.05035).

Trace, spectrum, entropy, effective rank Γ, adaptation rate ν_Θ, trace ratio Δ_Θ and
kernel-target alignment.

Definitions and their status are in the book's appendix "Equations and their status"
(``equations/a_ntk_metrics.md``, labels ``eq-a-metrics-*``). A full (n, n, k, k) kernel is
first flattened to the (n·k) × (n·k) Gram matrix over (sample, logit) pairs
(:func:`ntk_scaling.flatten_ntk`, as the authors' measurement library ``papyrus`` does);
an (n, n) kernel is used as is. Spectra are computed in float64 with numpy
(``np.linalg.eigvalsh``) whatever the input dtype, so no global JAX config is needed.

**Spectral convention (our choice).** The entropy and Γ use p_i = λ_i⁺ / Σ_j λ_j⁺ with
λ⁺ = max(λ, 0) and 0·ln 0 = 0, so they do not depend on the kernel's scale. A spectrum is
accepted as a kernel's when its smallest eigenvalue is at least −ε·λ_max with
ε = :data:`NEGATIVE_EIGENVALUE_RTOL` = 1e-4 (about 10³ float32 machine epsilons: the
round-off of a float32 eNTK and its float32 ``eigvalsh``); anything more negative raises
``ValueError`` (e.g. [[1, 2], [2, 1]], with λ_min/λ_max = −1/3). papyrus instead clips
eigenvalues at the absolute value 1e-14 (:data:`EIGENVALUE_FLOOR`) before normalising
(:func:`papyrus_entropy`), which makes S depend on the scale once the kernel's eigenvalues
approach 1e-14 and silently accepts indefinite matrices. On eNTK spectra of the size
the book measures, the two agree to 1e-10 (``tests/test_ntk_metrics.py``), so no figure
changes.

Every function rejects non-square or non-finite kernels with a ``ValueError``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..fitting import fit_linear

__all__ = [
    "EIGENVALUE_FLOOR",
    "NEGATIVE_EIGENVALUE_RTOL",
    "check_spectrum",
    "papyrus_entropy",
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

EIGENVALUE_FLOOR = 1e-14  #: papyrus' absolute clip before normalising (only :func:`papyrus_entropy` uses it)
NEGATIVE_EIGENVALUE_RTOL = 1e-4  #: λ_min ≥ −ε·λ_max: round-off of float32 kernels passes, indefinite matrices do not


def as_kernel_matrix(theta, name: str = "theta") -> np.ndarray:
    """Square float64 matrix from an (n, n) or (n, n, k, k) kernel (papyrus' flattening).

    Args:
        theta: a kernel of shape (n, n) or (n, n, k, k) (any float dtype, numpy or JAX).
        name: what to call it in messages.

    Returns:
        The (n, n) or (n·k, n·k) matrix in float64, row index i·k + a.

    Raises:
        ValueError: another rank, non-square, empty, or NaN/infinite entries.
    """
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
    """Tr Θ of the flattened kernel (appendix eq-a-metrics-trace), from papyrus.

    Args:
        theta: a kernel of shape (n, n) or (n, n, k, k).
        normalize: divide by the dimension d = n·k (the mean eigenvalue; papyrus'
            default, which makes kernels on different numbers of samples comparable).

    Returns:
        Tr Θ (or Tr Θ / d), in the kernel's units (squared output per unit parameter).

    Raises:
        ValueError: not a square finite kernel.
    """
    a = as_kernel_matrix(theta)
    t = float(np.trace(a))
    return t / a.shape[0] if normalize else t


def eigenvalues(theta, *, normalize: bool = False) -> np.ndarray:
    """Eigenvalues of the symmetrised flattened kernel, descending, float64.

    Args:
        theta: a kernel of shape (n, n) or (n, n, k, k).
        normalize: divide by their sum (papyrus' NTKEigenvalues option).

    Returns:
        Shape (d,) with d = n·k, descending. Not checked for positivity (see
        :func:`check_spectrum`).

    Raises:
        ValueError: not a square finite kernel, or ``normalize`` with a sum ≤ 0.
    """
    a = as_kernel_matrix(theta)
    lam = np.linalg.eigvalsh(0.5 * (a + a.T))[::-1]
    if normalize:
        s = lam.sum()
        if not s > 0:
            raise ValueError(f"eigenvalues: the spectrum sums to {s:g}; cannot normalise")
        lam = lam / s
    return lam


def check_spectrum(lam, *, rtol: float = NEGATIVE_EIGENVALUE_RTOL, name: str = "kernel") -> np.ndarray:
    """Check that eigenvalues are those of a positive semi-definite kernel, up to round-off.

    Args:
        lam: eigenvalues, any shape (float64 copy returned flattened).
        rtol: the relative tolerance ε: eigenvalues down to −ε·λ_max pass as round-off.
        name: what to call the matrix in messages.

    Returns:
        The eigenvalues as a float64 1-D array, negatives within tolerance set to zero.

    Raises:
        ValueError: empty or non-finite eigenvalues, no positive eigenvalue (a zero or
            negative matrix), or an eigenvalue below −ε·λ_max (not a kernel).
    """
    lam = np.asarray(lam, dtype=np.float64).ravel()
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError(f"{name}: eigenvalues must be a non-empty finite array (a diverged run?)")
    top = float(lam.max())
    if not top > 0:
        raise ValueError(f"{name}: no positive eigenvalue (largest {top:g}); not a kernel, or a zero kernel")
    low = float(lam.min())
    if low < -rtol * top:
        raise ValueError(
            f"{name}: eigenvalue {low:.3g} is negative beyond round-off (λ_min/λ_max = {low / top:.3g} < "
            f"−{rtol:g}); a kernel is positive semi-definite"
        )
    return np.maximum(lam, 0.0)


def _probabilities(lam: np.ndarray) -> np.ndarray:
    lam = check_spectrum(lam)
    return lam / lam.sum()


def _entropy_of(p: np.ndarray) -> float:
    nz = p[p > 0]
    return float(-np.sum(nz * np.log(nz)))


def spectral_entropy(lam, *, effective: bool = False) -> float:
    """S = −Σ_i p_i ln p_i with p_i = λ_i⁺/Σ_j λ_j⁺ (natural log, 0·ln 0 = 0); scale-free.

    Args:
        lam: eigenvalues of a kernel, shape (d,) (any order).
        effective: divide by ln d, giving a value in [0, 1] (0 when d = 1).

    Returns:
        S in nats (dimensionless with ``effective``).

    Raises:
        ValueError: the eigenvalues are not those of a kernel (see :func:`check_spectrum`).
    """
    p = _probabilities(lam)
    s = _entropy_of(p)
    if effective:
        s = s / np.log(p.size) if p.size > 1 else 0.0
    return s


def papyrus_entropy(lam, *, effective: bool = False) -> float:
    """S with papyrus' convention: p = clip(λ, 1e-14)/Σ clip(λ, 1e-14), for comparison only.

    The absolute clip makes S depend on the kernel's scale when eigenvalues approach
    1e-14 and accepts indefinite matrices; the book uses :func:`spectral_entropy`.

    Args:
        lam: eigenvalues, shape (d,).
        effective: divide by ln d.

    Returns:
        S in nats.

    Raises:
        ValueError: empty or non-finite eigenvalues.
    """
    lam = np.asarray(lam, dtype=np.float64).ravel()
    if lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError("papyrus_entropy: eigenvalues must be a non-empty finite array")
    p = np.clip(lam, EIGENVALUE_FLOOR, None)
    p = p / p.sum()
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
    """S_vN(Θ) = −Tr ρ ln ρ of ρ = Θ / TrΘ (appendix eq-a-metrics-entropy; papyrus' NTKEntropy).

    Scale-free: the eigenvalues λ⁺ = max(λ, 0) are divided by their sum (see the module
    docstring for the tolerance on negative round-off and papyrus' absolute clip).

    Args:
        theta: a kernel of shape (n, n) or (n, n, k, k).
        effective: divide by ln d (d = n·k), giving a value in [0, 1].
        normalize_matrix: first form the cosine Gram Θ_ij / √(Θ_ii Θ_jj) (papyrus option,
            off by default).

    Returns:
        S_vN in nats.

    Raises:
        ValueError: not a square finite kernel, or an eigenvalue below −ε·λ_max.
    """
    a = as_kernel_matrix(theta)
    if normalize_matrix:
        a = _cosine_normalise(a)
    return spectral_entropy(np.linalg.eigvalsh(0.5 * (a + a.T)), effective=effective)


def effective_rank(theta, *, normalize_matrix: bool = False) -> float:
    """Γ(Θ) = exp(S_vN(Θ)), the Roy–Vetterli effective rank (appendix eq-a-metrics-effective-rank).

    [A]'s definition, reconstructed. Equals d for Θ ∝ identity (d × d) and 1 for a
    rank-one kernel; scale-free.

    Args:
        theta: a kernel of shape (n, n) or (n, n, k, k).
        normalize_matrix: use the cosine Gram matrix (see :func:`von_neumann_entropy`).

    Returns:
        Γ ∈ [1, d].

    Raises:
        ValueError: not a square finite kernel, or an eigenvalue below −ε·λ_max.
    """
    return float(np.exp(von_neumann_entropy(theta, normalize_matrix=normalize_matrix)))


class NTKSummary(NamedTuple):
    """Trace, entropy and effective rank from one eigen-decomposition."""

    trace: float  #: Tr Θ (not normalised)
    trace_normalized: float  #: Tr Θ / dim
    entropy: float  #: S_vN, nats
    effective_rank: float  #: Γ = exp(S_vN)
    dim: int  #: d = n·k


def ntk_summary(theta) -> NTKSummary:
    """All scalar metrics of one kernel with a single ``eigvalsh`` (for recorders in training loops).

    Args:
        theta: a kernel of shape (n, n) or (n, n, k, k).

    Returns:
        An :class:`NTKSummary`.

    Raises:
        ValueError: not a square finite kernel, or an eigenvalue below −ε·λ_max.
    """
    a = as_kernel_matrix(theta)
    lam = np.linalg.eigvalsh(0.5 * (a + a.T))
    s = spectral_entropy(lam)
    t = float(np.trace(a))
    return NTKSummary(t, t / a.shape[0], s, float(np.exp(s)), int(a.shape[0]))


def trace_ratio(tr_min, tr_0):
    """Δ_Θ = (TrΘ_min − TrΘ₀)/TrΘ₀ (appendix eq-a-metrics-trace-ratio; [A]'s "β", reconstructed).

    The relative trace change between initialisation and the epoch of minimum test loss:
    positive when the kernel grew during training, → 0 in the lazy (infinite-width) limit.

    Args:
        tr_min: TrΘ at the epoch of minimum test loss; a number or an array (e.g. over
            seeds or widths).
        tr_0: TrΘ at initialisation, broadcastable against ``tr_min``.

    Returns:
        Δ_Θ (dimensionless): a float, or an array of the broadcast shape.

    Raises:
        ValueError: non-finite traces, or TrΘ₀ = 0.
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
    """Slope ν_Θ of TrΘ against ln L_train with its least-squares uncertainty."""

    rate: float  #: ν_Θ = dTrΘ / d ln L_train (units of TrΘ per nat of loss)
    stderr: float  #: standard error of the slope
    ci: tuple[float, float]  #: confidence interval of the slope
    r2: float  #: coefficient of determination of the linear fit
    n: int  #: number of points fitted


def adaptation_rate(trace, train_loss, *, confidence: float = 0.95) -> AdaptationRate:
    """ν_Θ = dTrΘ / d ln L_train (appendix eq-a-metrics-adaptation-rate; [A]'s "χ", reconstructed).

    Fitted as the least-squares slope of TrΘ on ln L_train over a trajectory
    (:func:`~ntk_scaling.fit_linear`). A kernel whose trace grows as the loss falls has
    ν_Θ < 0 (ln L decreases).

    Args:
        trace: TrΘ along the trajectory, shape (T,).
        train_loss: the training loss at the same checkpoints, shape (T,), positive.
        confidence: level of the slope's interval.

    Returns:
        An :class:`AdaptationRate`.

    Raises:
        ValueError: mismatched lengths, non-finite values, a loss ≤ 0, or fewer than 3
            points (from :func:`~ntk_scaling.fit_linear`).
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
    """A(Θ, y) = ⟨Θ, y yᵀ⟩_F / (‖Θ‖_F ‖y yᵀ‖_F) ∈ [−1, 1] (appendix eq-a-metrics-alignment).

    The standard definition (Cristianini et al. 2002; centred variant Cortes et al. 2012),
    not a quantity of [A].

    Args:
        theta: a kernel of shape (n, n) or (n, n, k, k).
        targets: shape (n,) or (n, k). With an (n, n, k, k) kernel the targets are
            flattened the same way, y_(i,a); with an (n, n) kernel an (n, k) target gives Y Yᵀ.
        centered: project both Gram matrices with H = I − 11ᵀ/d first (Cortes et al.).

    Returns:
        The alignment, dimensionless.

    Raises:
        ValueError: non-finite targets, shapes that do not match the kernel, or a zero
            kernel or target Gram matrix.
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
    """Trace, von Neumann entropy and effective rank from eigenvalues along the last axis.

    Uses :func:`spectral_entropy` (scale-free; negatives within round-off set to zero) on
    every spectrum; Γ = exp(S_vN). The trace is the plain sum of the eigenvalues (TrΘ, not
    divided by the dimension). Float64 numpy, whatever the input precision.

    Args:
        eigenvalues: shape (..., d), e.g. (seeds, checkpoints, d).

    Returns:
        (trace, entropy, effective_rank), each of shape (...); entropy in nats.

    Raises:
        ValueError: a scalar or empty last axis, or a spectrum that is not a kernel's.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if lam.ndim == 0 or lam.shape[-1] == 0:
        raise ValueError(f"spectrum_metrics: need eigenvalues along the last axis, got shape {lam.shape}")
    trace = lam.sum(-1)
    entropy = np.apply_along_axis(spectral_entropy, -1, lam) if lam.ndim > 1 else np.asarray(spectral_entropy(lam))
    return trace, entropy, np.exp(entropy)
