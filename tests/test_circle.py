"""Circle tasks and the circle NTK spectrum ([B] Section 5.1, Fig. 7)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate

import ntk_scaling as nts
from ntk_scaling.cache import cache_policy
from ntk_scaling.kernels.circle import _hypergeometric_kernel

# ------------------------------------------------------------------ Gaussian expectations


def _quadrature_kernel(a: float, rho: float) -> float:
    """E[ReLU(u)^a ReLU(v)^a] by 2-D adaptive quadrature over the positive quadrant."""
    s = np.sqrt(1 - rho**2)

    def density(v, u):
        return (u * v) ** a * np.exp(-(u * u - 2 * rho * u * v + v * v) / (2 * s * s)) / (2 * np.pi * s)

    return integrate.dblquad(density, 0, np.inf, 0, np.inf, epsabs=1e-13, epsrel=1e-11)[0]


@pytest.mark.parametrize("a", [0.5, 1.5])
def test_fractional_arc_cosine_kernel_matches_quadrature(a):
    for rho in (-0.8, 0.1, 0.9):
        assert nts.relu_power_kernel(a, rho) == pytest.approx(_quadrature_kernel(a, rho), rel=1e-8)


@pytest.mark.parametrize("a", [0.0, 1.0, 2.0])
def test_closed_forms_match_the_hypergeometric_form(a):
    rho = np.linspace(-1, 1, 41)
    np.testing.assert_allclose(nts.relu_power_kernel(a, rho), _hypergeometric_kernel(a, rho), rtol=1e-10, atol=1e-14)


def test_relu_circle_kernels_match_the_arc_cosine_module():
    theta = np.linspace(0, 2 * np.pi, 13)
    x = nts.circle_inputs(theta)
    for depth in (1, 2, 3):
        cfg = nts.MLPConfig(in_dim=2, width=8, depth=depth, out_dim=1, parameterisation="ntk", bias=False)
        ntk, nngp = nts.circle_kernels(1.0, depth, theta)
        np.testing.assert_allclose(ntk, nts.infinite_width_ntk(cfg, x[:1], x)[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(nngp, nts.infinite_width_nngp(cfg, x[:1], x)[0], rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ the spectrum


def _quadrature_eigenvalue(q_phi: float, depth: int, k: int) -> float:
    """λ_k = (1/π) ∫_0^π Θ(Δ) cos(kΔ) dΔ by QUADPACK's oscillatory rule (independent of the FFT)."""

    def theta(d):
        return float(nts.circle_kernels(q_phi, depth, np.array([d]))[0][0])

    if k == 0:
        val = integrate.quad(theta, 0, np.pi, epsabs=1e-15, epsrel=1e-12, limit=400)[0]
    else:
        val = integrate.quad(theta, 0, np.pi, weight="cos", wvar=k, epsabs=1e-16, epsrel=1e-10, limit=400)[0]
    return val / np.pi


@pytest.mark.parametrize("q_phi, ks", [(1.0, (0, 1, 2, 3, 17, 60, 199)), (1.5, (0, 1, 4, 30, 120)), (2.0, (0, 1, 5, 40, 100))])
def test_spectrum_matches_an_independent_quadrature(q_phi, ks):
    with cache_policy(enabled=False):
        lam = nts.circle_ntk_spectrum(q_phi, 2, 200)
    for k in ks:
        assert lam[k] == pytest.approx(_quadrature_eigenvalue(q_phi, 2, k), rel=1e-6), k


def test_spectrum_decay_parity_and_nngp():
    with cache_policy(enabled=False):
        for q_phi in (1.0, 1.5, 2.0):
            s = nts.circle_kernel_spectra(q_phi, 2, 256, n_grid=2**18)
            k = np.arange(60, 220)
            ntk_slope = np.polyfit(np.log(k), np.log(s.ntk[k]), 1)[0]
            nngp_slope = np.polyfit(np.log(k), np.log(s.nngp[k]), 1)[0]
            assert ntk_slope == pytest.approx(-2 * q_phi, abs=0.05)  # α = 2 q_φ
            assert nngp_slope < ntk_slope - 1.5  # the NNGP decays faster
            assert np.all(s.ntk[:220] > 0)  # depth ≥ 2: no exact zeros
        one = nts.circle_kernel_spectra(1.0, 1, 64, n_grid=2**12).ntk
        assert np.all(np.abs(one[3::2]) < 1e-12 * one[1])  # one hidden ReLU layer: odd k ≥ 3 vanish
        assert np.all(one[2::2] > 1e-6 * one[1])
    with pytest.raises(ValueError, match="n_grid"):
        nts.circle_kernel_spectra.uncached(1.0, 2, 300, n_grid=1024)


@pytest.mark.parametrize("q_phi", [1.0, 2.0])
def test_wide_entk_matches_the_spectrum_on_a_grid(q_phi):
    n_grid, width, n_nets = 128, 4096, 4
    m = nts.MeanFieldMLP(width=width, depth=2, gamma0=0.7, q_phi=q_phi)
    x = jnp.asarray(nts.circle_inputs(2 * np.pi * np.arange(n_grid) / n_grid), jnp.float32)
    draw = jax.jit(lambda key: m.ntk(m.init(key), x)[:, :, 0, 0])
    kernel = np.mean([np.asarray(draw(jax.random.key(s)), np.float64) for s in range(n_nets)], 0)
    # eNTK of the trained f is eNTK(f_net)/γ₀²; N γ₀² times it is the NTK-normalised kernel
    mu_emp = nts.grid_fourier_spectrum(width * kernel)
    mu = nts.circle_grid_spectrum(q_phi, 2, n_grid)
    if q_phi == 1.0:
        np.testing.assert_allclose(mu_emp[1:51], mu[1:51], rtol=0.05)
    else:
        # ReLU² features are heavy-tailed: a width-4096 net's overall kernel scale still
        # fluctuates by ~7% (the mean diagonal Θ(x, x)); the spectrum's shape does not
        np.testing.assert_allclose(mu_emp.sum(), mu.sum(), rtol=0.12)
        np.testing.assert_allclose(mu_emp[1:51] / mu_emp.sum(), mu[1:51] / mu.sum(), rtol=0.05)


def test_grid_spectrum_is_the_aliased_spectrum():
    n_grid = 128
    mu = nts.circle_grid_spectrum(1.0, 2, n_grid)
    lam = nts.circle_kernel_spectra.uncached(1.0, 2, 16384, n_grid=2**18).ntk
    k = np.arange(1, 51)
    idx = np.arange(lam.size)
    aliased = np.array([lam[(idx % n_grid == kk) | (idx % n_grid == n_grid - kk)].sum() for kk in k])
    np.testing.assert_allclose(mu[1:51], aliased, rtol=5e-3)
    np.testing.assert_allclose(mu[1:51], nts.grid_fourier_spectrum(
        nts.circle_kernels(1.0, 2, 2 * np.pi * (np.arange(n_grid)[:, None] - np.arange(n_grid)[None, :]) / n_grid)[0]
    )[1:51], rtol=1e-10)


# ------------------------------------------------------------------ the task


def test_target_spectrum_normalisation_and_phases():
    task = nts.CircleTask(q=1.25, n_modes=300, n_test=1024, n_table=2**15)
    y = nts.circle_target_grid(1024, task)
    power = nts.circle_fourier_power(y)
    a = nts.circle_amplitudes(1.25, 300)
    np.testing.assert_allclose(power[1:301], a**2, rtol=1e-9)
    assert np.all(power[301:] < 1e-20)
    assert np.mean(y**2) == pytest.approx(1.0, rel=1e-12)
    slope = np.polyfit(np.log(np.arange(1, 301)), np.log(power[1:301]), 1)[0]
    assert slope == pytest.approx(-2.5, abs=1e-9)
    theta = np.random.default_rng(0).uniform(0, 2 * np.pi, 50)
    np.testing.assert_allclose(nts.circle_target(theta, task), nts.circle_target(theta, task))
    y_grid_direct = nts.circle_target(2 * np.pi * np.arange(1024) / 1024, task)
    np.testing.assert_allclose(y, y_grid_direct, atol=1e-11)
    other = nts.circle_target_grid(1024, task._replace(task_seed=1))
    assert np.max(np.abs(y - other)) > 0.5  # another task seed gives other phases
    assert not np.allclose(nts.circle_phases(300, 0), nts.circle_phases(300, 1))
    np.testing.assert_allclose(nts.circle_fourier_power(other)[1:301], a**2, rtol=1e-9)


def test_online_samples_are_uniform_and_accurate():
    task = nts.CircleTask(q=1.0, n_modes=2000, n_test=4096)
    data = task.load()
    x, y = task.sample(data, jax.random.key(0), 20000)
    x, y = np.asarray(x, np.float64), np.asarray(y[:, 0], np.float64)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-6)
    assert abs(x[:, 0].mean()) < 0.02 and abs(x[:, 1].mean()) < 0.02
    exact = nts.circle_target(np.arctan2(x[:2000, 1], x[:2000, 0]), task)
    err = y[:2000] - exact
    assert np.mean(err**2) < 1e-8  # interpolation error far below any loss we plot
    assert np.var(y) == pytest.approx(1.0, abs=0.05)
    xt, yt = task.test_set(data)
    assert xt.shape == (4096, 2) and yt.shape == (4096, 1)
    xp, yp = task.probe_set(data, 64)
    np.testing.assert_allclose(np.asarray(yp[:, 0]), nts.circle_target(2 * np.pi * np.arange(64) / 64, task), atol=1e-6)


def test_task_validation_and_truncation():
    with pytest.raises(ValueError, match="n_test"):
        nts.CircleTask(q=1.0, n_modes=2000, n_test=4000).load()
    with pytest.raises(ValueError, match="q"):
        nts.check_circle_task(nts.CircleTask(q=0.5))
    with pytest.raises(TypeError):
        nts.check_circle_task((1.0, 2000))
    assert nts.circle_truncation_fraction(1.0, 2000, 20) == pytest.approx(20.5 / 2000.5)
    assert nts.circle_truncation_fraction(1.5, 2000, 20) == pytest.approx((20.5 / 2000.5) ** 2)


# ------------------------------------------------------------------ exponents


def test_circle_task_exponents_formula():
    e = nts.circle_task_exponents(1.0, 1.0)
    assert (e.alpha, e.beta) == (2.0, 0.5)
    assert nts.circle_task_exponents(3.5, 2.0).beta == pytest.approx(1.5)
    with pytest.raises(ValueError):
        nts.circle_task_exponents(0.4, 1.0)


@pytest.mark.parametrize("q, q_phi", [(1.0, 1.0), (1.5, 2.0), (3.0, 2.0)])
def test_beta_from_projecting_the_target_on_kernel_eigenvectors(q, q_phi):
    # the estimator reads the tail Σ_{j>i}(u_j·y)² by eigenvalue rank i, so the window stays
    # well below the grid's last mode (n/2), where the truncated tail bends down
    n = 1024
    theta = 2 * np.pi * np.arange(n) / n
    ntk, _ = nts.circle_kernels(q_phi, 2, theta[:, None] - theta[None, :])
    y = nts.circle_target_grid(n, nts.CircleTask(q=q, n_modes=n // 2 - 1, n_test=n, n_table=2**16))
    fit = nts.spectral_task_exponents(ntk, y, rank_min=20, rank_max=200)
    expected = nts.circle_task_exponents(q, q_phi)
    assert fit.alpha == pytest.approx(expected.alpha, rel=0.05)
    assert fit.beta == pytest.approx(expected.beta, rel=0.1)
    with pytest.raises(ValueError, match="rank"):
        nts.spectral_task_exponents(ntk, y, rank_min=0, rank_max=10)
