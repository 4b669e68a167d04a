"""Deterministic equivalent of [B]'s projected model at finite width N (arXiv 2409.17858).

Everything about the random projection A(0) that the finite-N learning curve needs is one
random matrix: with X = A(0)Λ^{1/2} (N×M), the matrix

    Σ̂ = XᵀX / N = (1/N) Σ_i x_i x_iᵀ,   x_i ~ N(0, Λ) i.i.d.,

is the sample covariance of N Gaussian vectors whose population covariance is the
spectrum Λ of the task (equations/solvable_finite_n.md, entry *reduction*). In the lazy
model (γ = 0) the error e = Λ^{1/2}v⁰ obeys de/dτ = −Σ̂e (gradient flow, τ = ηt) from
e(0) = b − Xᵀw(0)/N with b = Λ^{1/2}w*, so, averaged over w(0) ~ N(0, I_N),

    L(τ) = bᵀ e^{−2Σ̂τ} b + (1/N) Tr Σ̂ e^{−2Σ̂τ}.

**Deterministic equivalent** (standard random-matrix result, [B] Appendix C and Bordelon
et al. 2024a, arXiv 2402.01092; reconstructed and checked numerically in
``tests/test_dmft_finite.py``): for z ∉ (−∞, 0],

    z (Σ̂ + z)^{-1} ≍ κ (Λ + κ)^{-1},   κ − z = (κ/N) Σ_k λ_k / (λ_k + κ),

so bᵀ(Σ̂+z)^{-1}b ≍ (κ/z) Σ_k b_k²/(λ_k+κ) and (1/N) Tr(H + z)^{-1} ≍ 1/κ for the N×N
matrix H = XXᵀ/N. At z → 0, Σ_k λ_k/(λ_k+κ₀) = N: the model learns about N modes, and the
t → ∞ loss (the model bottleneck) is L_∞ = κ₀ Σ_k λ_k w*_k²/(λ_k + κ₀).

**Laplace domain, lazy** (:func:`lazy_laplace_loss`). With z = s/2,

    L̂(s) = ∫₀^∞ e^{−sτ} L(τ) dτ = ½ [(κ/z) Σ_k λ_k w*_k²/(λ_k+κ) + 1 − z/κ],

and the kernel multiplier a = |w|²/N has â(s) = 1/s + (2/s)[S_b(s) − L̂(s)] with
S_b(s) = (κ(s)/s) Σ_k b_k²/(λ_k+κ(s)). :func:`lazy_finite_width` inverts these with the
fixed Talbot contour: an exact reference for the lazy curve at any t at cost
O(R·n·M·iterations) for R times and n = ``talbot_nodes``.

**Spectral measures** (:func:`spectral_measure`). The rich theory (:mod:`.dmft_finite`)
needs the two measures of Σ̂ behind these transforms: μ_b(dx) = Σ_i (φ_iᵀb)² δ(x − x_i) over
the eigenpairs (x_i, φ_i) of Σ̂, and ν₀(dx) = (1/N) Σ_{x_i > 0} δ(x − x_i). Their densities
on x > 0 follow from the Stieltjes inversion of the transforms above along z = −x + i0.
Writing κ = −s + iy there, Im z = 0 forces (1/N) Σ_k λ_k²/((λ_k − s)² + y²) = 1, a monotone
equation for y² at each real s (y = 0 outside the support; Silverstein & Choi 1995), and

    x(s) = −Re[κ (1 − (1/N) Σ_k λ_k/(λ_k+κ))],   ρ₀ = y/(π|κ|²),
    ρ_b = (y/(πx)) Σ_k b_k² λ_k/|λ_k + κ|².

We solve y on a grid of s (log-spaced, refined around each isolated top mode, where
the support is a narrow bump of relative width ~ 2/√N, and geometrically at every edge of
the support) and integrate the densities cell by cell into a quadrature of J nodes.
Cost: O(J_s · M_eff · iterations) once per (task, N), where M_eff is M with the modes
beyond max(4N, 2048) grouped into bins of relative width 0.5% in λ (their smooth sums
change by < 1e-4, see the tests). Memory O(chunk · M_eff).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq

from ..cache import cached_function
from ..steps import log_steps
from ..validation import check_float, check_int
from .tasks import PowerLawTask, check_task

__all__ = [
    "SpectralMeasure",
    "renormalized_ridge",
    "finite_width_floor",
    "spectral_measure",
    "lazy_laplace_loss",
    "lazy_finite_width",
]

_CHUNK = 256  # s values per vectorised block (memory: CHUNK × M_eff doubles)


class SpectralMeasure(NamedTuple):
    """Deterministic equivalent of the spectral measures of Σ̂ = Λ^{1/2}A(0)ᵀA(0)Λ^{1/2}/N, as a quadrature.

    ``∫ f dμ_b ≈ floor·f(0) + Σ_j target_weights[j] f(eigenvalues[j])`` and
    ``∫ f dν₀ ≈ Σ_j density_weights[j] f(eigenvalues[j])``.
    """

    width: int  #: N
    eigenvalues: np.ndarray  #: (J,) quadrature nodes x_j > 0 (eigenvalues of Σ̂)
    target_weights: np.ndarray  #: (J,) μ_b weights: target power Σ (φ_iᵀb)² of the eigenvalues in cell j
    density_weights: np.ndarray  #: (J,) ν₀ weights: number of eigenvalues in cell j, over N
    floor: float  #: atom of μ_b at 0: the t → ∞ loss L_∞ = κ₀ Σ λ_k w*_k²/(λ_k+κ₀)
    kappa: float  #: κ₀ (0 when N ≥ M)
    moment_errors: np.ndarray  #: (4,) relative errors of the quadrature: ν₀ mass, ν₀ mean, μ_b mass, μ_b mean


# ----------------------------------------------------------------------------- modes


class _Modes(NamedTuple):
    """The task's modes, the first ones exact and the tail grouped in bins."""

    lam: np.ndarray  # (G,) representative λ of each group (mean)
    s1: np.ndarray  # Σ λ
    s2: np.ndarray  # Σ λ²
    b2: np.ndarray  # Σ b² = Σ λ w*²
    b2lam: np.ndarray  # Σ b² λ
    n_modes: int


def _group_modes(task: PowerLawTask, width: int, exact_modes: int | None = None, resolution: float = 0.005) -> _Modes:
    lam = np.asarray(task.eigenvalues, np.float64)
    b2 = lam * np.asarray(task.target, np.float64) ** 2
    m = lam.size
    k0 = 2048 if exact_modes is None else exact_modes
    if m <= k0 + 16:
        return _Modes(lam, lam, lam**2, b2, b2 * lam, m)
    # a group enters every sum through its representative λ̄ (mean): Σλ·λ̄ and Σb²·λ̄ keep the
    # identities Im Z = 0 ⇔ (1/N)Σ s2/|λ̄+κ|² = 1 and the Stieltjes inversion exact for the grouped modes
    # tail k0..m in groups of relative width `resolution` in λ (= resolution/α in k)
    edges = np.unique(np.rint(np.geomspace(k0, m, max(2, int(math.log(m / k0) * task.alpha / resolution) + 1))).astype(int))
    edges[-1] = m
    sl = lambda v: np.add.reduceat(v[k0:], edges[:-1] - k0)  # noqa: E731
    count = np.diff(edges).astype(float)
    t1 = sl(lam)
    rep = np.concatenate([lam[:k0], t1 / count])
    s1 = np.concatenate([lam[:k0], t1])
    bb = np.concatenate([b2[:k0], sl(b2)])
    return _Modes(rep, s1, s1 * rep, bb, bb * rep, m)


def _df1(modes: _Modes, kappa: np.ndarray) -> np.ndarray:
    """Σ_k λ_k/(λ_k + κ) for an array of κ (real or complex)."""
    kappa = np.asarray(kappa)
    out = np.empty(kappa.shape, dtype=np.result_type(kappa, np.float64))
    flat, res = kappa.ravel(), out.ravel()
    for c in range(0, flat.size, _CHUNK):
        k = flat[c : c + _CHUNK, None]
        res[c : c + _CHUNK] = (modes.s1 / (modes.lam + k)).sum(1)
    return out


def _kappa0(modes: _Modes, width: int) -> float:
    if width >= modes.n_modes:
        return 0.0
    f = lambda lk: float(_df1(modes, np.array([math.exp(lk)]))[0]) - width  # noqa: E731
    lo, hi = math.log(modes.lam[-1]) - 60.0, math.log(modes.s1.sum() / width) + 5.0
    return math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=1e-14))


def renormalized_ridge(task: PowerLawTask, width: int, z: float = 0.0) -> float:
    """κ(z): the solution of κ − z = (κ/N) Σ_k λ_k/(λ_k + κ) for real z ≥ 0 (κ(0) = κ₀).

    It sets the deterministic equivalent z(Σ̂ + z)^{-1} ≍ κ(Λ + κ)^{-1}; at z = 0 it solves
    Σ_k λ_k/(λ_k + κ₀) = N when N < M (κ₀ = 0 when N ≥ M), so κ₀ ∼ N^(−α) for a power law.
    Status: standard random-matrix result, checked against sampled spectra in the tests
    (appendix label ``eq-b-finite-n-deterministic-equivalent``). Cost O(M · 60).

    Args:
        task: the power-law task (M modes, eigenvalues λ_k and target w*_k).
        width: N ≥ 1.
        z: real z ≥ 0, in the units of λ.

    Returns:
        κ(z) as a float, in the units of λ (κ₀ = 0.0 when N ≥ M and z = 0).

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, or width/z have the
            wrong type.
        ValueError: width < 1, or z negative or not finite.
    """
    task = check_task(task)
    width = check_int(width, "width")
    z = check_float(z, "z", positive=False)
    modes = _group_modes(task, width)
    k0 = _kappa0(modes, width)
    if z == 0.0:
        return k0
    f = lambda k: k - k * float(_df1(modes, np.array([k]))[0]) / width - z  # noqa: E731
    return brentq(f, max(k0, z) * (1 - 1e-12), z + modes.s1.sum() / width + k0 + 1e-300, xtol=1e-300, rtol=1e-14)


def finite_width_floor(task: PowerLawTask, width: int) -> float:
    """L_∞(N) = κ₀ Σ_k λ_k w*_k²/(λ_k + κ₀): the deterministic equivalent of :func:`ntk_scaling.projection_floor`.

    The t → ∞ loss of the projected model, lazy or rich: the least-squares residual of the
    target outside the row space of A(0), averaged over A(0) at leading order in 1/N.
    For a power law it scales as N^(−α·min(1, β)): N^(−αβ) for hard tasks (β < 1), N^(−α)
    for easy ones, since the residual of a target inside the RKHS is κ₀|w*|².
    Status: a standard result, checked numerically (appendix label
    ``eq-b-finite-n-deterministic-equivalent``). The form N^(−α·min(2,β)) quoted for [B]
    Sec. 4 (``eq-b-scaling-bottleneck``) differs for β > 1; the min(1,β) exponent is our
    reading, checked against :func:`ntk_scaling.projection_floor` in the tests.

    Args:
        task: the power-law task (M modes).
        width: N ≥ 1.

    Returns:
        L_∞(N) as a float (MSE units of the task's loss; 0.0 when N ≥ M).

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, or width is not an
            integer.
        ValueError: width < 1.
    """
    task = check_task(task)
    width = check_int(width, "width")
    modes = _group_modes(task, width)
    k0 = _kappa0(modes, width)
    return float(k0 * np.sum(modes.b2 / (modes.lam + k0)))


# ----------------------------------------------------------------------------- the measure


def _solve_y(modes: _Modes, width: int, s: np.ndarray, iterations: int = 100) -> np.ndarray:
    """Solve for y ≥ 0 with (1/N) Σ λ²/((λ − s)² + y²) = 1, and y = 0 where there is no solution.

    With Y = y² and g(Y) the left side, h = 1/g is concave and increasing in Y (a harmonic
    sum of linear functions), so Newton's method on h(Y) = 1 started at Y = 0 (where h < 1
    inside the support) increases monotonically to the root without overshooting.
    """
    out = np.zeros_like(s)
    ins = np.nonzero(_inside(modes, width, s))[0]
    for c in range(0, ins.size, _CHUNK):
        idx = ins[c : c + _CHUNK]
        d2 = np.maximum((modes.lam[None, :] - s[idx, None]) ** 2, 1e-24 * modes.lam**2)
        Y = np.zeros(idx.size)
        active = np.arange(idx.size)
        for _ in range(iterations):
            den = d2[active] + Y[active, None]
            g = (modes.s2 / den).sum(1) / width
            dg = (modes.s2 / den**2).sum(1) / width  # = −g'(Y)
            step = (1.0 - 1.0 / g) * g * g / dg  # Newton on h = 1/g: (1 − h)/h', h' = −g'/g²
            Y[active] += step
            active = active[np.abs(step) > 1e-12 * Y[active]]
            if active.size == 0:
                break
        out[idx] = np.sqrt(Y)
    return out


def _inside(modes: _Modes, width: int, s: np.ndarray) -> np.ndarray:
    out = np.empty(s.shape, bool)
    for c in range(0, s.size, _CHUNK):
        d2 = (modes.lam[None, :] - s[c : c + _CHUNK, None]) ** 2
        with np.errstate(divide="ignore"):
            out[c : c + _CHUNK] = (modes.s2 / d2).sum(1) / width > 1.0
    return out


def _x_of(modes: _Modes, width: int, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    kap = -s + 1j * y
    return -(kap * (1.0 - _df1(modes, kap) / width)).real


def _densities(modes: _Modes, width: int, s: np.ndarray, y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    kap = -s + 1j * y
    rho0 = y / (np.pi * np.abs(kap) ** 2)
    tb = np.empty_like(s)
    for c in range(0, s.size, _CHUNK):
        k = kap[c : c + _CHUNK, None]
        tb[c : c + _CHUNK] = (modes.b2lam / np.abs(modes.lam + k) ** 2).sum(1)
    return rho0, y * tb / (np.pi * x)


def _edges(modes: _Modes, width: int, a: np.ndarray, b: np.ndarray, inside_a: np.ndarray) -> np.ndarray:
    """Bisection for the support edge between a (inside or not) and b (the opposite)."""
    lo, hi = a.copy(), b.copy()
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        ins = _inside(modes, width, mid)
        same = ins == inside_a
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    # the edge itself, on the outside of the support (y = 0 there)
    return np.where(inside_a, hi, lo)


def _slope(modes: _Modes, width: int, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dx/ds along the curve Im Z(κ) = 0, κ = −s + iy(s) (implicit differentiation)."""
    out = np.empty_like(s)
    for c in range(0, s.size, _CHUNK):
        sc, yc = s[c : c + _CHUNK, None], y[c : c + _CHUNK, None]
        d = modes.lam - sc
        den = d * d + yc * yc
        dY = 2.0 * (modes.s2 * d / den**2).sum(1) / (modes.s2 / den**2).sum(1)  # dY/ds, Y = y²
        kap = -sc[:, 0] + 1j * yc[:, 0]
        zp = 1.0 - (modes.s2 / (modes.lam + kap[:, None]) ** 2).sum(1) / width  # Z'(κ)
        dy = dY / (2.0 * yc[:, 0])
        out[c : c + _CHUNK] = zp.real + dy * zp.imag
    return out


@cached_function(version=1)
def spectral_measure(
    task: PowerLawTask,
    width: int,
    *,
    points_per_decade: int = 120,
    bump_points: int = 12,
    exact_modes: int | None = None,
) -> SpectralMeasure:
    """Deterministic-equivalent spectral measures μ_b and ν₀ of Σ̂ as a J-node quadrature.

    See the module docstring for the construction (equations/solvable_finite_n.md, entry
    *measures*). A coarse grid in s (log-spaced, linear within κ₀ of 0, refined over each
    isolated top-mode bump) locates the support intervals, whose edges are then found by
    bisection; on each interval [e_a, e_b] the nodes are the midpoint rule in φ with
    u = u_a + (u_b − u_a)(1 − cos φ)/2, u = asinh(s/κ₀): the density vanishes like a square
    root at every edge, which this map integrates to high order. Weights are ρ·(dx/ds)·ds with
    dx/ds from implicit differentiation. Status: standard random-matrix theory,
    reconstructed; checked against the eigen-decomposition of sampled Σ̂ in the tests;
    ``moment_errors`` gives the quadrature's own check against the exact masses and first
    moments.

    Args:
        task: the power-law task (M modes).
        width: N.
        points_per_decade: nodes per decade of s on long intervals (the bulk). Cost and
            J grow linearly with it.
        bump_points: nodes on each short interval (an isolated top-mode bump).
        exact_modes: modes kept one by one; the tail beyond is grouped in bins of 0.5% in
            λ (None: 2048; M: no grouping). The grouping changes the loss by < 1e-6.

    Returns:
        :class:`SpectralMeasure`.

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, or an integer
            argument is not an integer.
        ValueError: width < 1, points_per_decade < 10, bump_points < 4 or exact_modes < 1.
        FloatingPointError: the support is not bracketed by the coarse grid, or the
            quadrature misses the exact masses by more than 1% (or has negative weights).
    """
    task = check_task(task)
    width = check_int(width, "width")
    points_per_decade = check_int(points_per_decade, "points_per_decade", 10)
    bump_points = check_int(bump_points, "bump_points", 4)
    if exact_modes is not None:
        exact_modes = check_int(exact_modes, "exact_modes")
    modes = _group_modes(task, width, exact_modes)
    lam = np.asarray(task.eigenvalues, np.float64)
    k0 = _kappa0(modes, width)
    floor = float(k0 * np.sum(modes.b2 / (modes.lam + k0))) if k0 > 0 else 0.0
    root_n = math.sqrt(width)
    # coarse grid s = scale·sinh(u): linear near 0, log-spaced beyond `scale`
    if k0 > 0:
        scale, s_lo = k0, -1.05 * k0
    else:
        scale = lam[-1] * (1.0 - math.sqrt(min(1.0, lam.size / width))) ** 2 + 1e-3 * lam[-1]
        s_lo = 0.5 * scale
    s_hi = lam[0] * (1.0 + 4.0 / root_n) + modes.s1.sum() / width
    du = math.log(10.0) / 100
    grid = [scale * np.sinh(np.arange(math.asinh(s_lo / scale), math.asinh(s_hi / scale) + du, du))]
    # local grids over the bumps of the top modes, while they are separated
    sep = np.nonzero(-np.diff(lam) < lam[:-1] * 0.5 / root_n)[0]
    n_iso = min(lam.size, int(sep[0]) + 8 if sep.size else lam.size, 4000)
    for k in range(n_iso):
        grid.append(lam[k] * (1.0 + np.linspace(-3.0, 3.0, 16) / root_n))
    s = np.unique(np.concatenate(grid))
    ins = _inside(modes, width, s)
    change = np.nonzero(ins[1:] != ins[:-1])[0]
    if change.size < 2 or ins[0] or ins[-1]:
        raise FloatingPointError(f"spectral_measure: support not bracketed (N = {width}, M = {lam.size})")
    e = _edges(modes, width, s[change], s[change + 1], ins[change])
    lower, upper = e[0::2], e[1::2]  # the coarse grid starts and ends outside: edges alternate
    # nodes on each interval: midpoint rule in φ, u = asinh(s/scale) cosine-mapped
    ua, ub = np.arcsinh(lower / scale), np.arcsinh(upper / scale)
    dpu = points_per_decade / math.log(10.0)
    # at least `bump_points` nodes per isolated top mode inside the interval (merged bumps)
    tops = np.searchsorted(-lam[:n_iso], -lower) - np.searchsorted(-lam[:n_iso], -upper)
    counts = np.maximum(bump_points * np.maximum(tops, 1), np.ceil((ub - ua) * dpu * np.pi / 2)).astype(int)
    phi = np.concatenate([(np.arange(n) + 0.5) * np.pi / n for n in counts])
    dphi = np.repeat(np.pi / counts, counts)
    ua_r, ub_r = np.repeat(ua, counts), np.repeat(ub, counts)
    u = ua_r + (ub_r - ua_r) * (1.0 - np.cos(phi)) / 2
    s_nodes = scale * np.sinh(u)
    ds_dphi = scale * np.cosh(u) * (ub_r - ua_r) * np.sin(phi) / 2
    y = _solve_y(modes, width, s_nodes)
    x = _x_of(modes, width, s_nodes, y)
    rho0, rhob = _densities(modes, width, s_nodes, y, np.where(y > 0, x, 1.0))
    jac = _slope(modes, width, s_nodes, np.where(y > 0, y, 1.0)) * ds_dphi * dphi
    keep = (y > 0) & (x > 0)
    x_n, w0, wb = x[keep], (rho0 * jac)[keep], (rhob * jac)[keep]
    order = np.argsort(x_n)
    x_n, w0, wb = x_n[order], w0[order], wb[order]
    err = np.array([
        w0.sum() / (min(width, lam.size) / width) - 1.0,
        (w0 @ x_n) / (float(modes.s1.sum()) / width) - 1.0,
        (wb.sum() + floor) / float(np.sum(modes.b2)) - 1.0,
        (wb @ x_n) / float(np.sum(modes.b2lam)) - 1.0,
    ])
    if np.any(np.abs(err[[0, 2]]) > 0.01) or not np.all(np.isfinite(err)) or np.any(w0 < 0) or np.any(wb < 0):
        raise FloatingPointError(
            f"spectral_measure(N={width}, M={lam.size}, alpha={task.alpha}, beta={task.beta}): quadrature "
            f"misses the exact masses by {err[0]:.2%} (ν₀) and {err[2]:.2%} (μ_b); raise points_per_decade"
        )
    return SpectralMeasure(width, x_n, wb, w0, floor, k0, err)


# ----------------------------------------------------------------------------- lazy closed form


def _kappa_complex(modes: _Modes, width: int, z: np.ndarray, k_start: np.ndarray) -> np.ndarray:
    """Newton for κ − (κ/N)Σλ/(λ+κ) = z at complex z, from ``k_start`` (vectorised)."""
    k = k_start.astype(complex)
    for _ in range(100):
        kk = k[:, None]
        den = modes.lam + kk
        f = k - k * (modes.s1 / den).sum(1) / width - z
        fp = 1.0 - (modes.s2 / den**2).sum(1) / width
        step = f / fp
        # damp steps that would jump by more than the size of κ (keeps the branch)
        size = np.abs(step)
        limit = 0.5 * np.abs(k)
        step = np.where(size > limit, step * (limit / np.where(size > 0, size, 1.0)), step)
        k = k - step
        if np.all(np.abs(step) <= 1e-13 * np.abs(k)):
            break
    return k


def _kappa_path(modes: _Modes, width: int, z_path: np.ndarray, k0_real: np.ndarray) -> np.ndarray:
    """κ along a path of z (shape (P, R)) by continuation from the real start ``k0_real`` (R,)."""
    out = np.empty(z_path.shape, complex)
    k = k0_real.astype(complex)
    for p in range(z_path.shape[0]):
        k = _kappa_complex(modes, width, z_path[p], k)
        out[p] = k
    return out


def _real_kappa(modes: _Modes, width: int, z: np.ndarray) -> np.ndarray:
    k0 = _kappa0(modes, width)
    tot = float(modes.s1.sum()) / width
    out = np.empty(z.shape)
    for i, zi in enumerate(z):
        f = lambda k, zi=zi: k - k * float(_df1(modes, np.array([k]))[0]) / width - zi  # noqa: E731
        out[i] = brentq(f, max(k0, zi) * (1 - 1e-13) + 1e-300, zi + tot + k0 + 1e-300, xtol=1e-300, rtol=1e-14)
    return out


def _laplace_parts(modes: _Modes, width: int, s: np.ndarray, kap_half: np.ndarray, kap_full: np.ndarray):
    """(L̂(s), â(s)) from κ(s/2) and κ(s)."""
    z = s / 2
    sb_half = np.array([(modes.b2 / (modes.lam + k)).sum() for k in kap_half.ravel()]).reshape(s.shape)
    sb_full = np.array([(modes.b2 / (modes.lam + k)).sum() for k in kap_full.ravel()]).reshape(s.shape)
    lhat = 0.5 * ((kap_half / z) * sb_half + 1.0 - z / kap_half)
    s_b = (kap_full / s) * sb_full
    ahat = 1.0 / s + (2.0 / s) * (s_b - lhat)
    return lhat, ahat


def lazy_laplace_loss(task: PowerLawTask, width: int, s: object) -> np.ndarray:
    """L̂(s) = ∫₀^∞ e^{−sτ} L(τ) dτ of the lazy model at width N, gradient flow τ = ηt, B = ∞.

    The closed form ½[(κ/z) Σ_k λ_k w*_k²/(λ_k+κ) + 1 − z/κ] with z = s/2 and κ = κ(z) (module
    docstring; the second term is the readout's random start w(0) ~ N(0, I_N)). Real s > 0
    only (use :func:`lazy_finite_width` for the curve). Its s → 0 limit sL̂(s) is the floor.
    Status: deterministic equivalent, reconstructed; checked against sampled Σ̂ in the tests
    (appendix label ``eq-b-finite-n-lazy-laplace``).

    Args:
        task: the power-law task (M modes).
        width: N ≥ 1.
        s: Laplace variables s > 0 (scalar or 1-D), in units of 1/τ (τ = ηt).

    Returns:
        (n,) float64 array of L̂(s) (loss × τ units), one per value of ``s``.

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, or width is not an
            integer.
        ValueError: width < 1, or an s that is not finite and positive.
    """
    task = check_task(task)
    width = check_int(width, "width")
    s = np.atleast_1d(np.asarray(s, dtype=float))
    if np.any(s <= 0) or not np.all(np.isfinite(s)):
        raise ValueError("s must be finite and positive")
    modes = _group_modes(task, width)
    kh = _real_kappa(modes, width, s / 2)
    kf = _real_kappa(modes, width, s)
    return _laplace_parts(modes, width, s.astype(complex), kh.astype(complex), kf.astype(complex))[0].real


@cached_function(version=1)
def lazy_finite_width(
    task: PowerLawTask,
    *,
    width: int,
    lr: float,
    steps: int,
    n_records: int = 64,
    talbot_nodes: int = 32,
):
    """Lazy (γ = 0) learning curve at width N, B = ∞, by inverting the Laplace-domain closed form.

    Gradient flow in τ = η·t (the η-step model agrees once ηλ_max ≪ 1 or at t ≫ 1/η).
    L(τ) is recovered from :func:`lazy_laplace_loss` by the fixed Talbot contour
    s(θ) = rθ(cot θ + i), r = 2n/(5τ) (Abate & Valkó 2004) with n = ``talbot_nodes``; κ is
    continued along the contour by Newton's method. An exact reference (at the level of
    the deterministic equivalent) that uses no quadrature of the spectrum, so it checks
    :func:`ntk_scaling.dmft_finite_width` at γ = 0 independently. Appendix label
    ``eq-b-finite-n-lazy-laplace`` (status: reconstructed and checked numerically).

    Args:
        task: the power-law task (M modes).
        width: N ≥ 1.
        lr: η > 0; step t is flow time τ = ηt.
        steps: T ≥ 1, the last step.
        n_records: at most this many log-spaced records (≥ 2), step 0 included.
        talbot_nodes: n ≥ 8, nodes of the Talbot contour (accuracy grows with n).

    Returns:
        :class:`ntk_scaling.DMFTResult` with ``loss`` L(t) (mean over A(0) and w(0)) and
        ``kernel_scale`` a(t) = |w|²/N, recorded at ``log_steps(steps, n_records)``.

    Raises:
        TypeError: ``task`` is not a :class:`ntk_scaling.PowerLawTask`, or an argument has
            the wrong type.
        ValueError: width, steps < 1, n_records < 2, talbot_nodes < 8, or lr not positive
            and finite.
        FloatingPointError: the inversion produced NaN/inf.
    """
    from .dmft import DMFTResult

    task = check_task(task)
    width = check_int(width, "width")
    lr = check_float(lr, "lr", positive=True)
    steps = check_int(steps, "steps")
    n_records = check_int(n_records, "n_records", 2)
    n = check_int(talbot_nodes, "talbot_nodes", 8)
    modes = _group_modes(task, width)
    rec = log_steps(steps, n_records)
    tau = lr * rec[1:].astype(float)
    r = 2.0 * n / (5.0 * tau)  # (R,)
    theta = np.arange(1, n) * np.pi / n  # (n-1,)
    # continuation in θ with 4 sub-steps between nodes, keeping the nodes
    th_fine = np.linspace(0.0, theta[-1], 4 * (n - 1) + 1)[1:]
    cot = lambda t: np.cos(t) / np.sin(t)  # noqa: E731
    s_fine = r[None, :] * th_fine[:, None] * (cot(th_fine)[:, None] + 1j)
    kh = _kappa_path(modes, width, s_fine / 2, _real_kappa(modes, width, r / 2))[3::4]
    kf = _kappa_path(modes, width, s_fine, _real_kappa(modes, width, r))[3::4]
    s_k = r[None, :] * theta[:, None] * (cot(theta)[:, None] + 1j)
    sigma = theta + (theta * cot(theta) - 1.0) * cot(theta)
    lh, ah = _laplace_parts(modes, width, s_k, kh, kf)
    l0, a0 = _laplace_parts(modes, width, r.astype(complex), _real_kappa(modes, width, r / 2).astype(complex),
                            _real_kappa(modes, width, r).astype(complex))
    weight = np.exp(tau[None, :] * s_k) * (1.0 + 1j * sigma[:, None])
    loss = (r / n) * (0.5 * l0.real * np.exp(r * tau) + np.sum((weight * lh).real, axis=0))
    a = (r / n) * (0.5 * a0.real * np.exp(r * tau) + np.sum((weight * ah).real, axis=0))
    lam_sum = float(modes.s1.sum())
    loss = np.concatenate([[float(np.sum(modes.b2)) + lam_sum / width], loss])
    a = np.concatenate([[1.0], a])
    if not (np.all(np.isfinite(loss)) and np.all(np.isfinite(a))):
        raise FloatingPointError(f"lazy_finite_width(N={width}, M={task.n_modes}, lr={lr}): Talbot inversion failed")
    return DMFTResult(rec, loss, None, a)
