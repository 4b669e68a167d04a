"""Capacity α and source β of a task from a finite kernel matrix, and [B]'s predicted exponents.

[B] (arXiv 2409.17858, Section 5.2, Figs 6 and 8) reads the exponents of its solvable
model off the initial eNTK of a vision network: diagonalise the kernel on a set of n
images, fit the eigenvalues λ_k ∼ k^(−α), and fit the tail of the targets' power in the
eigenbasis,

    T(k) = Σ_{ℓ>k} Σ_c (y_c · u_ℓ)² / Σ_ℓ Σ_c (y_c · u_ℓ)²  ∼  k^(−αβ),

with u_ℓ the unit eigenvectors and y_c the n-vector of one-hot targets of class c. The
lazy (kernel) loss then decays as t^(−β) and the rich one as t^(−2β/(1+β)) for hard tasks
(β < 1) ([B] Section 4; appendix ``eq-b-vision-spectrum-fits``, status: reconstructed).

**Intervals.** A least-squares slope through hundreds of eigenvalues has a tiny formal
interval, yet the answer moves with the fit window. We therefore report, for each
exponent, the union of the Student-t interval of the central window's fit and the range of
central values over windows whose ends are moved by a factor ``window_factor`` (both ends
down, both up, and each end alone). β = (αβ)/α takes the interval of the ratio of the two
intervals' ends (the extreme corners, conservative); the lazy and rich predictions are
increasing functions of β, so their intervals are β's mapped through them.

**Finite samples.** The tail is a sum over the n empirical modes only, so it reaches 0 at
k = n even when the population tail goes on: for a slow tail (small αβ) a pure power-law
fit of T(k) is then too steep (β too large; with αβ = 0.3, n = 600 and k ≤ 60 it reads
0.23 for 0.15). By default we fit T(k) = A ((k+½)^(−αβ) − (n+½)^(−αβ)) (half-integer shifts: the midpoint rule for the sum), the population law with
the power beyond n removed; this corrects the truncation when the missing power was
spread like the law (exact in our synthetic test), and the pure fit is available. The
interval of the tail exponent is then the window range widened by half the least-squares
interval of the pure fit. n images give n eigenvalues, and the k-th empirical eigenvalue tracks
the population one only while k ≪ n; the tail T(k) is forced to 0 at k = n (the targets lie
in the span of all n eigenvectors). Windows should therefore end well below n (we default
to n/10), and the fitted α, β describe only the first ~n/10 modes. In [B]'s model the
number of modes learned by time t grows like t^(1/α), so the prediction is tested only
while the learned modes stay inside that window; at larger t the loss is governed by a
part of the spectrum n images cannot resolve.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from scipy import optimize

from ..fitting import fit_power_law

__all__ = [
    "SpectrumFit",
    "fit_kernel_spectrum",
    "fit_spectrum",
    "kernel_eigensystem",
    "predicted_time_exponents",
    "target_tail_power",
]


def kernel_eigensystem(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and unit eigenvectors of a symmetric kernel matrix, in float64.

    Args:
        kernel: (n, n) symmetric positive semi-definite matrix (e.g. an eNTK traced over
            the logits); it is symmetrised first.

    Returns:
        ``(eigenvalues (n,), eigenvectors (n, n))`` with column ℓ the ℓ-th eigenvector.

    Raises:
        ValueError: not a finite square matrix.
    """
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.shape[0] != k.shape[1]:
        raise ValueError(f"kernel must be a square (n, n) matrix, got shape {k.shape}")
    if not np.all(np.isfinite(k)):
        raise ValueError("kernel contains NaN or infinity")
    lam, vec = np.linalg.eigh(0.5 * (k + k.T))
    return lam[::-1], vec[:, ::-1]


def target_tail_power(eigenvectors: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The targets' power per eigenvector and its normalised tail.

    Args:
        eigenvectors: (n, n) unit eigenvectors in columns, ordered by decreasing eigenvalue.
        targets: (n, c) targets (one-hot for classification) or integer labels (n,).

    Returns:
        ``(power (n,), tail (n,))``: power[ℓ−1] = Σ_c (y_c·u_ℓ)² and
        tail[k−1] = Σ_{ℓ>k} power / Σ power, k = 1..n (so tail[-1] = 0).

    Raises:
        ValueError: shapes that do not match.

    Source: [B] Section 5.2 (appendix ``eq-b-vision-spectrum-fits``).
    """
    u = np.asarray(eigenvectors, dtype=np.float64)
    y = np.asarray(targets)
    if np.issubdtype(y.dtype, np.integer):
        y = np.eye(int(y.max()) + 1)[y]
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if u.ndim != 2 or u.shape[0] != y.shape[0]:
        raise ValueError(f"eigenvectors {u.shape} and targets {y.shape} do not have the same number of samples")
    power = np.sum((u.T @ y) ** 2, axis=1)
    total = power.sum()
    if total <= 0:
        raise ValueError("targets have zero power")
    tail = (total - np.cumsum(power)) / total
    return power, np.clip(tail, 0.0, None)


class SpectrumFit(NamedTuple):
    """α, αβ and β with intervals (module docstring), and what they were fitted on."""

    eigenvalues: np.ndarray  #: (n,) descending
    power: np.ndarray  #: (n,) Σ_c (y_c·u_ℓ)²
    tail: np.ndarray  #: (n,) normalised tail T(k), k = 1..n
    alpha: float  #: capacity exponent (λ_k ∼ k^-α)
    alpha_ci: tuple[float, float]
    alpha_beta: float  #: tail exponent αβ (T(k) ∼ k^-αβ)
    alpha_beta_ci: tuple[float, float]
    beta: float  #: source exponent
    beta_ci: tuple[float, float]
    alpha_window: tuple[int, int]  #: k range of the eigenvalue fit
    beta_window: tuple[int, int]  #: k range of the tail fit


def _windows(lo: int, hi: int, factor: float, n: int) -> list[tuple[int, int]]:
    out = [(lo, hi)]
    for a, b in ((1 / factor, 1 / factor), (factor, factor), (factor, 1.0), (1.0, 1 / factor)):
        w = (max(1, int(round(lo * a))), min(n, int(round(hi * b))))
        if w[1] >= w[0] + 3:
            out.append(w)
    return out


def _truncated_tail_exponent(k: np.ndarray, tail: np.ndarray, n: int) -> float:
    """The exponent s minimising the log-space misfit of T(k) = A ((k+½)^-s − (n+½)^-s) (A by least squares).

    The half-integer shifts are the midpoint rule for Σ_{k<ℓ≤n} ℓ^(−s−1).
    """
    logt = np.log(tail)

    def misfit(s: float) -> float:
        shape = np.log(np.clip((k + 0.5) ** -s - (n + 0.5) ** -s, 1e-300, None))
        r = logt - shape
        return float(np.sum((r - r.mean()) ** 2))

    grid = np.linspace(0.005, 8.0, 800)
    best = grid[int(np.argmin([misfit(g) for g in grid]))]
    return float(optimize.minimize_scalar(misfit, bounds=(max(1e-4, best - 0.02), best + 0.02), method="bounded").x)


def _slope_with_range(x: np.ndarray, y: np.ndarray, windows, confidence: float, n_trunc: int | None = None) -> tuple[float, tuple[float, float]]:
    values, central = [], None
    for lo, hi in windows:
        keep = (x >= lo) & (x <= hi) & (y > 0)
        if keep.sum() < 3:
            continue
        fit = fit_power_law(x[keep], y[keep], confidence=confidence)
        value = -fit.exponent if n_trunc is None else _truncated_tail_exponent(x[keep], y[keep], n_trunc)
        if central is None:
            central = (value, fit)
        values.append(value)
    if central is None:
        raise ValueError(f"no fit window has 3 positive points (windows {windows})")
    value, fit = central
    half = 0.5 * (fit.exponent_ci[1] - fit.exponent_ci[0])
    return float(value), (float(min(min(values), value - half)), float(max(max(values), value + half)))


def fit_kernel_spectrum(
    kernel: np.ndarray,
    targets: np.ndarray,
    *,
    alpha_window: tuple[int, int] | None = None,
    beta_window: tuple[int, int] | None = None,
    window_factor: float = 1.5,
    confidence: float = 0.95,
    truncation: bool = True,
) -> SpectrumFit:
    """Fit λ_k ∼ k^(−α) and T(k) ∼ k^(−αβ) on a kernel matrix and its targets.

    Diagonalises the kernel (:func:`kernel_eigensystem`), projects the targets
    (:func:`target_tail_power`), then fits as :func:`fit_spectrum`.

    Args:
        kernel: (n, n) kernel (an initial eNTK traced over the logits).
        targets: (n, c) one-hot targets, or (n,) integer labels.
        alpha_window: (k_min, k_max) of the eigenvalue fit; default (3, n/10).
        beta_window: (k_min, k_max) of the tail fit; default ``alpha_window``.
        window_factor: how far the window ends are moved for the interval (> 1).
        confidence: level of the least-squares intervals.
        truncation: fit the tail as A((k+½)^(−αβ) − (n+½)^(−αβ)) (module docstring) rather than
            as a pure power law.

    Returns:
        A :class:`SpectrumFit`.

    Raises:
        ValueError: bad shapes, a window outside [1, n] or with fewer than 3 points, or a
            non-positive α.

    Source: [B] Section 5.2, Figs 6 and 8 (appendix ``eq-b-vision-spectrum-fits``; the
    interval rule is our choice).
    """
    lam, vec = kernel_eigensystem(kernel)
    power, _ = target_tail_power(vec, targets)
    return fit_spectrum(lam, power, alpha_window=alpha_window, beta_window=beta_window, window_factor=window_factor,
                        confidence=confidence, truncation=truncation)


def fit_spectrum(
    eigenvalues: np.ndarray,
    power: np.ndarray,
    *,
    alpha_window: tuple[int, int] | None = None,
    beta_window: tuple[int, int] | None = None,
    window_factor: float = 1.5,
    confidence: float = 0.95,
    truncation: bool = True,
) -> SpectrumFit:
    """Fit λ_k ∼ k^(−α) and T(k) ∼ k^(−αβ) on a spectrum and the targets' power per mode.

    Args:
        eigenvalues: (n,) eigenvalues in descending order.
        power: (n,) Σ_c (y_c·u_ℓ)² per eigenvector, in the same order.
        alpha_window: (k_min, k_max) of the eigenvalue fit; default (3, n/10).
        beta_window: (k_min, k_max) of the tail fit; default ``alpha_window``.
        window_factor: how far the window ends are moved for the interval (> 1).
        confidence: level of the least-squares intervals.
        truncation: fit the tail as A((k+½)^(−αβ) − (n+½)^(−αβ)) (module docstring) rather than
            as a pure power law.

    Returns:
        A :class:`SpectrumFit`.

    Raises:
        ValueError: shapes that differ, zero total power, a window outside [1, n] or with
            fewer than 3 points, or a non-positive α.

    Source: [B] Section 5.2, Figs 6 and 8 (appendix ``eq-b-vision-spectrum-fits``; the
    interval rule is our choice).
    """
    lam = np.asarray(eigenvalues, dtype=np.float64)
    power = np.asarray(power, dtype=np.float64)
    if lam.ndim != 1 or lam.shape != power.shape:
        raise ValueError(f"eigenvalues {lam.shape} and power {power.shape} must be vectors of one length")
    total = power.sum()
    if total <= 0:
        raise ValueError("targets have zero power")
    tail = np.clip((total - np.cumsum(power)) / total, 0.0, None)
    n = lam.size
    if window_factor <= 1:
        raise ValueError(f"window_factor must be > 1, got {window_factor!r}")
    aw = tuple(int(v) for v in (alpha_window or (3, max(6, n // 10))))
    bw = tuple(int(v) for v in (beta_window or aw))
    for name, w in (("alpha_window", aw), ("beta_window", bw)):
        if not (1 <= w[0] and w[0] + 2 <= w[1] <= n):
            raise ValueError(f"{name} {w} must satisfy 1 <= k_min, k_min + 2 <= k_max <= n = {n}")
    k = np.arange(1, n + 1, dtype=np.float64)
    alpha, alpha_ci = _slope_with_range(k, lam, _windows(*aw, window_factor, n), confidence)
    ab, ab_ci = _slope_with_range(k, tail, _windows(*bw, window_factor, n), confidence, n if truncation else None)
    if alpha <= 0 or alpha_ci[0] <= 0:
        raise ValueError(f"the eigenvalue fit gives alpha = {alpha:.3g} (interval {alpha_ci}); choose another window")
    corners = [b / a for a in alpha_ci for b in ab_ci]
    return SpectrumFit(
        eigenvalues=lam, power=power, tail=tail,
        alpha=float(alpha), alpha_ci=alpha_ci, alpha_beta=float(ab), alpha_beta_ci=ab_ci,
        beta=float(ab / alpha), beta_ci=(float(min(corners)), float(max(corners))),
        alpha_window=aw, beta_window=bw,
    )


def predicted_time_exponents(beta: float, beta_ci: tuple[float, float] | None = None) -> dict[str, tuple[float, tuple[float, float] | None]]:
    """[B]'s predicted loss exponents in time: lazy β and rich 2β/(1+β) (hard tasks, β < 1).

    Args:
        beta: the source exponent β > 0.
        beta_ci: its interval, or None.

    Returns:
        ``{"lazy": (β, interval), "rich": (2β/(1+β), interval)}``; intervals are β's mapped
        through the (increasing) functions. For β ≥ 1 the rich prediction is β (no gain).

    Raises:
        ValueError: β not positive.

    Source: [B] Section 4 (rich exponent 2β/(1+β) for β < 1; appendix
    ``eq-b-vision-spectrum-fits``).
    """
    if not (np.isfinite(beta) and beta > 0):
        raise ValueError(f"beta must be positive, got {beta!r}")

    def rich(b: float) -> float:
        b = max(float(b), 0.0)
        return 2 * b / (1 + b) if b < 1 else b

    ci = None if beta_ci is None else (float(beta_ci[0]), float(beta_ci[1]))
    rich_ci = None if ci is None else (rich(ci[0]), rich(ci[1]))
    return {"lazy": (float(beta), ci), "rich": (rich(beta), rich_ci)}
