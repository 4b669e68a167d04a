"""Tests of the NTK metrics of [A] (ntk_scaling.ntk_metrics) on known spectra."""

from __future__ import annotations

import numpy as np
import pytest

from ntk_scaling.kernels.empirical import flatten_ntk
from ntk_scaling.kernels.metrics import (
    NEGATIVE_EIGENVALUE_RTOL,
    adaptation_rate,
    check_spectrum,
    papyrus_entropy,
    spectrum_metrics,
    as_kernel_matrix,
    effective_rank,
    eigenvalues,
    kernel_target_alignment,
    ntk_summary,
    ntk_trace,
    spectral_entropy,
    trace_ratio,
    von_neumann_entropy,
)


def _random_psd(n, rank, seed=0):
    a = np.random.default_rng(seed).normal(size=(n, rank))
    return a @ a.T


def test_identity_has_full_effective_rank():
    for n in (1, 7, 50):
        assert effective_rank(3.0 * np.eye(n)) == pytest.approx(n, rel=1e-12)
        assert von_neumann_entropy(np.eye(n)) == pytest.approx(np.log(n), abs=1e-12)
    assert von_neumann_entropy(np.eye(8), effective=True) == pytest.approx(1.0)


def test_rank_one_has_effective_rank_one():
    v = np.arange(1.0, 11.0)
    # eigenvalues 0 are clipped to 1e-14 (papyrus): Γ = 1 up to ~1e-12
    assert effective_rank(np.outer(v, v)) == pytest.approx(1.0, abs=1e-9)
    assert von_neumann_entropy(np.outer(v, v)) == pytest.approx(0.0, abs=1e-10)


def test_entropy_of_known_spectrum():
    lam = np.array([4.0, 2.0, 1.0, 1.0])
    q = np.random.default_rng(1).normal(size=(4, 4))
    q, _ = np.linalg.qr(q)
    theta = q @ np.diag(lam) @ q.T
    p = lam / lam.sum()
    assert von_neumann_entropy(theta) == pytest.approx(-np.sum(p * np.log(p)), rel=1e-10)
    np.testing.assert_allclose(eigenvalues(theta), [4, 2, 1, 1], atol=1e-12)  # descending
    np.testing.assert_allclose(eigenvalues(theta, normalize=True), p, atol=1e-12)
    # tiny negative round-off eigenvalues are clipped, not propagated as NaN
    assert spectral_entropy(np.array([1.0, -1e-17, 0.0])) == pytest.approx(0.0, abs=1e-10)


def test_trace_normalisation_and_rank4_flattening():
    rng = np.random.default_rng(2)
    j = rng.normal(size=(5 * 3, 40))
    flat = j @ j.T  # (n·k, n·k) Gram matrix, row index i·k + a
    rank4 = flat.reshape(5, 3, 5, 3).transpose(0, 2, 1, 3)  # (n, n, k, k)
    np.testing.assert_allclose(np.asarray(flatten_ntk(rank4.astype(np.float32))), flat, rtol=1e-5)
    np.testing.assert_allclose(as_kernel_matrix(rank4), flat)
    assert ntk_trace(rank4, normalize=False) == pytest.approx(np.trace(flat))
    assert ntk_trace(rank4) == pytest.approx(np.trace(flat) / 15)  # papyrus default: / dim
    assert von_neumann_entropy(rank4) == pytest.approx(von_neumann_entropy(flat), rel=1e-12)
    s = ntk_summary(rank4)
    assert s.dim == 15 and s.trace == pytest.approx(np.trace(flat))
    assert s.effective_rank == pytest.approx(effective_rank(flat), rel=1e-12)
    assert s.entropy == pytest.approx(np.log(s.effective_rank))


def test_effective_rank_of_rank_r_kernel_is_at_most_r():
    theta = _random_psd(30, 4, seed=3)
    g = effective_rank(theta)
    assert 1.0 < g <= 4.0 + 1e-9
    cos = effective_rank(theta, normalize_matrix=True)
    assert 1.0 < cos <= 4.0 + 1e-9


def test_trace_ratio_sign_and_arrays():
    assert trace_ratio(3.0, 2.0) == pytest.approx(0.5)
    assert trace_ratio(1.0, 2.0) == pytest.approx(-0.5)
    np.testing.assert_allclose(trace_ratio(np.array([2.0, 4.0]), np.array([2.0, 2.0])), [0.0, 1.0])
    with pytest.raises(ValueError, match="zero"):
        trace_ratio(1.0, 0.0)
    with pytest.raises(ValueError, match="finite"):
        trace_ratio(np.nan, 1.0)


def test_adaptation_rate_recovers_planted_slope():
    rng = np.random.default_rng(4)
    loss = np.exp(np.linspace(0.0, -4.0, 60))  # ln L from 0 to -4
    chi = -2.5  # trace grows as the loss falls
    trace = 10.0 + chi * np.log(loss) + 0.05 * rng.normal(size=loss.size)
    fit = adaptation_rate(trace, loss)
    assert fit.rate == pytest.approx(chi, abs=4 * fit.stderr)
    assert fit.ci[0] < chi < fit.ci[1]
    assert 0 < fit.stderr < 0.05 and fit.n == 60 and fit.r2 > 0.99
    with pytest.raises(ValueError, match="positive"):
        adaptation_rate([1.0, 2.0, 3.0], [1.0, 0.0, 0.5])
    with pytest.raises(ValueError, match="differ in length"):
        adaptation_rate([1.0, 2.0], [1.0, 0.5, 0.2])


def test_kernel_target_alignment():
    rng = np.random.default_rng(5)
    y = np.eye(3)[rng.integers(0, 3, size=8)]  # one-hot (n, k)
    assert kernel_target_alignment(y @ y.T, y) == pytest.approx(1.0)
    full = np.einsum("ia,jb->ijab", y, y)  # (n, n, k, k) kernel = y yᵀ over (sample, logit)
    assert kernel_target_alignment(full, y) == pytest.approx(1.0)
    a = kernel_target_alignment(np.eye(8), y)
    assert a == pytest.approx(np.trace(y @ y.T) / (np.sqrt(8) * np.linalg.norm(y @ y.T)))
    assert -1.0 <= kernel_target_alignment(_random_psd(8, 3), y, centered=True) <= 1.0
    with pytest.raises(ValueError, match="do not match"):
        kernel_target_alignment(np.eye(5), y)


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.ones((3, 4)), "square"),
        (np.ones((2, 3, 2, 2)), r"\(n, n, k, k\)"),
        (np.ones(3), "expected an"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), "NaN"),
        (np.array([[np.inf]]), "NaN or infinity"),
    ],
)
def test_bad_kernels_raise(bad, match):
    for fn in (ntk_trace, eigenvalues, von_neumann_entropy, effective_rank, ntk_summary):
        with pytest.raises(ValueError, match=match):
            fn(bad)


# --- the spectral convention: scale-free, and only kernels ---------------------------------

UNSCALED = np.diag([1.0, 1e-2, 0.0, 0.0])
S_UNSCALED = -(1 / 1.01) * np.log(1 / 1.01) - (0.01 / 1.01) * np.log(0.01 / 1.01)  # 0.05546


@pytest.mark.parametrize("scale", [1.0, 1e-12, 1e-30, 1e12])
def test_entropy_does_not_depend_on_the_kernels_scale(scale):
    assert S_UNSCALED == pytest.approx(0.0555, abs=5e-5)  # the value, 0.05546
    assert von_neumann_entropy(scale * UNSCALED) == pytest.approx(S_UNSCALED, rel=1e-12)
    assert effective_rank(scale * UNSCALED) == pytest.approx(np.exp(S_UNSCALED), rel=1e-12)
    assert ntk_summary(scale * UNSCALED).entropy == pytest.approx(S_UNSCALED, rel=1e-12)
    _, entropy, rank = spectrum_metrics(scale * np.array([[1.0, 1e-2, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]))
    np.testing.assert_allclose(entropy, [S_UNSCALED, np.log(4)], rtol=1e-12)


def test_papyrus_absolute_clip_depends_on_scale():
    # what the book does not do: at 1e-12 the two zero eigenvalues become 1e-14 each
    assert papyrus_entropy(np.diag(UNSCALED)) == pytest.approx(S_UNSCALED, abs=1e-11)
    assert papyrus_entropy(1e-12 * np.diag(UNSCALED)) > S_UNSCALED + 0.05


@pytest.mark.parametrize("fn", [von_neumann_entropy, effective_rank, ntk_summary])
def test_indefinite_matrix_is_not_a_kernel(fn):
    with pytest.raises(ValueError, match="negative beyond round-off"):
        fn(np.array([[1.0, 2.0], [2.0, 1.0]]))  # eigenvalues 3 and -1


def test_spectra_that_are_not_a_kernels_raise():
    for lam in ([3.0, -1.0], [0.0, 0.0], [-1.0, -2.0], [1.0, -2 * NEGATIVE_EIGENVALUE_RTOL]):
        with pytest.raises(ValueError):
            spectral_entropy(np.array(lam))
    with pytest.raises(ValueError):
        spectrum_metrics(np.array([[1.0, 1.0], [3.0, -1.0]]))
    # within the tolerance: round-off, set to zero
    np.testing.assert_array_equal(check_spectrum([1.0, -0.5 * NEGATIVE_EIGENVALUE_RTOL]), [1.0, 0.0])


def _float32_entk(narrow: bool, seed: int = 0):
    """A float32 eNTK of a standard MLP on MNIST-sized inputs, flattened to (n·k) × (n·k).

    ``narrow``: width 8 on 48 inputs (480 × 480), whose eNTK is rank-deficient, so float32
    round-off leaves eigenvalues slightly below zero (about −1e-8·λ_max); else width 64
    on 24 inputs (240 × 240, full rank).
    """
    import jax
    import jax.numpy as jnp

    from ntk_scaling.kernels.empirical import empirical_ntk
    from ntk_scaling.nets.mlp import MLPConfig, init_mlp

    width, n = (8, 48) if narrow else (64, 24)
    cfg = MLPConfig(in_dim=784, width=width, depth=2, out_dim=10)
    params = init_mlp(jax.random.key(seed), cfg, jnp.float32)
    x = jax.random.uniform(jax.random.key(seed + 1), (n, 784), jnp.float32)
    return np.asarray(flatten_ntk(empirical_ntk(cfg, params, x)))


@pytest.mark.parametrize("narrow", [False, True])
def test_float32_entk_round_off_passes_and_the_convention_changes_nothing(narrow):
    theta = _float32_entk(narrow)
    assert theta.dtype == np.float32
    for spectrum in (np.linalg.eigvalsh(theta.astype(np.float64)), np.linalg.eigvalsh(theta)):
        ratio = spectrum.min() / spectrum.max()
        if narrow:
            assert ratio < 0  # there is round-off to tolerate ...
        assert ratio > -NEGATIVE_EIGENVALUE_RTOL / 100  # ... far inside the tolerance
        # the book's entropy and papyrus' agree on eNTK spectra: no figure changes
        assert spectral_entropy(spectrum) == pytest.approx(papyrus_entropy(spectrum), abs=1e-10)
    t64 = theta.astype(np.float64)
    assert von_neumann_entropy(t64) == pytest.approx(von_neumann_entropy(1e-9 * t64), rel=1e-9)
