"""Tests of the finite-width theory of [B]'s model (deterministic_equivalent, dmft_finite) and its frontiers."""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest

import ntk_scaling as nts


def _task(beta: float, m: int = 512, alpha: float = 2.0) -> nts.PowerLawTask:
    return nts.power_law_task(alpha, beta, m)


def _sample_measures(task, width, n_seeds, seed=0):
    """Eigenvalues x_i and target powers (φ_iᵀb)² of sampled Σ̂ = Λ^{1/2}A(0)ᵀA(0)Λ^{1/2}/N."""
    lam = np.asarray(task.eigenvalues, np.float64)
    b = np.sqrt(lam) * np.asarray(task.target, np.float64)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_seeds):
        x = rng.standard_normal((width, lam.size)) * np.sqrt(lam)
        _, sv, vt = np.linalg.svd(x, full_matrices=False)
        out.append((sv**2 / width, (vt @ b) ** 2, float(b @ b - np.sum((vt @ b) ** 2))))
    return out


# ----------------------------------------------------------------------------- deterministic equivalent


def test_renormalized_ridge_solves_its_equation():
    task = _task(0.5, 2000)
    lam = np.asarray(task.eigenvalues, np.float64)
    for n in (16, 256):
        k0 = nts.renormalized_ridge(task, n)
        assert np.sum(lam / (lam + k0)) == pytest.approx(n, rel=1e-10)
        kz = nts.renormalized_ridge(task, n, z=1e-3)
        assert kz - 1e-3 == pytest.approx(kz / n * np.sum(lam / (lam + kz)), rel=1e-10)
        assert kz > k0
    assert nts.renormalized_ridge(task, 4000) == 0.0  # N ≥ M: no bottleneck


@pytest.mark.parametrize("beta", [0.5, 1.3])
def test_floor_matches_exact_projection_residual(beta):
    """The deterministic-equivalent floor against the exact least-squares residual of sampled A(0)."""
    task = _task(beta, 512)
    for n in (32, 64):
        exact = nts.projection_floor.uncached(jax.random.key(n), task, n, 32)
        theory = nts.finite_width_floor(task, n)
        se = exact.std(ddof=1) / math.sqrt(exact.size)
        assert abs(theory - exact.mean()) < 3 * se + 0.02 * exact.mean(), (n, theory, exact.mean(), se)


def test_floor_exponent_is_alpha_min_one_beta():
    """L_∞ ∼ N^(−α·min(1,β)): −αβ for a hard task, −α (not −αβ) for an easy one."""
    widths = np.array([64, 128, 256, 512])
    for beta, expected in ((0.5, 1.0), (1.5, 2.0)):
        task = nts.power_law_task(2.0, beta, 200000)
        floors = [nts.finite_width_floor(task, int(n)) for n in widths]
        slope = -nts.fit_power_law(widths, np.array(floors)).exponent
        assert slope == pytest.approx(expected, abs=0.03), (beta, slope)


def test_spectral_measure_quadrature_moments_and_samples():
    task = _task(0.5, 500)
    n = 64
    m = nts.spectral_measure.uncached(task, n)
    assert np.all(np.abs(m.moment_errors) < 1e-8)
    assert np.all(m.eigenvalues > 0) and np.all(np.diff(m.eigenvalues) > 0)
    # against 40 sampled spectra: the lazy loss terms bᵀe^{−2Σ̂τ}b and (1/N)TrΣ̂e^{−2Σ̂τ}
    samples = _sample_measures(task, n, 40)
    for tau in (0.3, 3.0, 30.0, 300.0):
        th_b = m.floor + np.sum(m.target_weights * np.exp(-2 * tau * m.eigenvalues))
        th_0 = np.sum(m.density_weights * m.eigenvalues * np.exp(-2 * tau * m.eigenvalues))
        sb = np.array([fl + np.sum(p * np.exp(-2 * tau * x)) for x, p, fl in samples])
        s0 = np.array([np.sum(x * np.exp(-2 * tau * x)) / n for x, _, _ in samples])
        for th, s in ((th_b, sb), (th_0, s0)):
            assert abs(th - s.mean()) < 3 * s.std(ddof=1) / math.sqrt(s.size) + 0.02 * s.mean(), (tau, th, s.mean())


def test_tail_grouping_changes_the_measure_negligibly():
    task = _task(0.5, 8192)
    grouped = nts.dmft_finite_width.uncached(task, width=64, lr=1.0, gamma=1.0, steps=10**5, n_records=20)
    m = nts.spectral_measure.uncached(task, 64, exact_modes=8192)
    exact = nts.solve_reduced_modes(nts.deterministic_modes(m), lr=1.0, gamma=1.0, steps=10**5, n_records=20)
    assert np.max(np.abs(grouped.loss / exact.loss - 1)) < 1e-6


def test_lazy_laplace_closed_form_limits():
    task = _task(0.5, 1000)
    n = 64
    s = np.array([1e-9, 1e-8])
    # s L̂(s) → L_∞ as s → 0
    assert (s * nts.lazy_laplace_loss(task, n, s))[0] == pytest.approx(nts.finite_width_floor(task, n), rel=1e-5)
    # s L̂(s) → L(0) = Σ λ w*² + Tr Λ / N as s → ∞
    lam = np.asarray(task.eigenvalues, np.float64)
    l0 = float(np.sum(lam * np.asarray(task.target, np.float64) ** 2) + lam.sum() / n)
    assert 1e7 * nts.lazy_laplace_loss(task, n, [1e7])[0] == pytest.approx(l0, rel=1e-5)
    with pytest.raises(ValueError, match="positive"):
        nts.lazy_laplace_loss(task, n, [-1.0])


@pytest.mark.parametrize("beta", [0.5, 1.3])
def test_lazy_talbot_inversion_matches_the_quadrature_flow(beta):
    """Two independent routes to the lazy deterministic equivalent: Laplace + Talbot, and the measure + flow."""
    task = _task(beta, 1000)
    for n in (32, 256):
        talbot = nts.lazy_finite_width.uncached(task, width=n, lr=1.0, steps=10**6, n_records=30)
        flow = nts.dmft_finite_width.uncached(task, width=n, lr=1.0, gamma=0.0, steps=10**6, n_records=30)
        assert np.max(np.abs(flow.loss / talbot.loss - 1)) < 1e-6
        assert np.max(np.abs(flow.kernel_scale / talbot.kernel_scale - 1)) < 2e-3


# ----------------------------------------------------------------------------- exact reduction and dynamics


@pytest.mark.parametrize("gamma", [0.0, 1.0])
def test_instance_modes_reproduce_each_simulated_seed(gamma):
    """The N-dimensional rank-two reduction is exact: one solve per seed against the simulator."""
    task = _task(0.5, 300)
    key = jax.random.key(3)
    kwargs = dict(lr=0.05, gamma=gamma, steps=1500, n_records=16)
    sim = nts.simulate_projected_model.uncached(key, task, width=24, batch=None, n_seeds=2, **kwargs)
    for i, modes in enumerate(nts.instance_modes(key, task, 24, 2)):
        red = nts.solve_reduced_modes(modes, dynamics="discrete", **kwargs)
        tol = 1e-4 if gamma == 0 else 1e-2  # γ > 0: the η-step map drops O(η²γ) terms of Q
        assert np.max(np.abs(red.loss / sim.test_loss[i] - 1)) < tol
        assert np.max(np.abs(red.kernel_scale / sim.weight_norm[i] - 1)) < tol
        flow = nts.solve_reduced_modes(modes, **kwargs)
        late = sim.steps >= 200
        assert np.max(np.abs(flow.loss[late] / sim.test_loss[i][late] - 1)) < 0.01


def test_flow_converges_in_the_step_count():
    """Second order: halving the step divides the error by about four (rel. error 6e-5 at the default 60)."""
    task = _task(0.5, 1000)
    run = lambda spd: nts.dmft_finite_width.uncached(  # noqa: E731
        task, width=64, lr=1.0, gamma=1.0, steps=10**6, n_records=30, steps_per_decade=spd)
    fine = run(240)
    err = [np.max(np.abs(run(spd).loss / fine.loss - 1)) for spd in (30, 60)]
    assert err[1] < 1e-4
    assert err[0] / err[1] > 2.5


def test_width_to_infinity_recovers_dmft_limit():
    task = _task(0.5, 1000)
    kwargs = dict(lr=0.5, gamma=1.0, steps=400, n_records=20)
    ref = nts.dmft_limit.uncached(task, substeps=8, **kwargs)
    dev = []
    for n in (1024, 4096, 16384):
        r = nts.dmft_finite_width.uncached(task, width=n, **kwargs)
        dev.append(np.max(np.abs(r.loss[1:] / ref.loss[1:] - 1)))
    assert dev[-1] < 0.03
    assert dev[0] > dev[1] > dev[2]
    assert dev[0] / dev[2] > 8  # O(1/N)


def test_plateau_is_the_floor_and_scales_with_width():
    task = _task(0.5, 4000)
    for gamma in (0.0, 1.0):
        late = [nts.dmft_finite_width.uncached(task, width=n, lr=1.0, gamma=gamma, steps=10**9, n_records=12).loss[-1]
                for n in (32, 64, 128)]
        floors = [nts.finite_width_floor(task, n) for n in (32, 64, 128)]
        assert np.allclose(late, floors, rtol=1e-3)
        slope = -nts.fit_power_law(np.array([32, 64, 128]), np.array(late)).exponent
        assert slope == pytest.approx(1.0, abs=0.05)  # α·min(2, β) = 1


# ----------------------------------------------------------------------------- against simulation (32 seeds)


def _against_simulation(task, *, width, lr, gamma, steps, batch, seed):
    sim = nts.simulate_projected_model.uncached(jax.random.key(seed), task, width=width, batch=batch, lr=lr,
                                                gamma=gamma, steps=steps, n_seeds=32, n_records=20)
    th = nts.dmft_finite_width.uncached(task, width=width, lr=lr, gamma=gamma, steps=steps, n_records=20,
                                        batch=batch, dynamics="discrete")
    mean = sim.test_loss.mean(0)
    se = sim.test_loss.std(0, ddof=1) / math.sqrt(32)
    return np.abs(th.loss - mean) / se, np.abs(th.loss / mean - 1)


@pytest.mark.parametrize("beta,gamma,lr", [(0.5, 0.0, 0.5), (0.5, 1.0, 0.2), (1.3, 0.0, 0.5), (1.3, 1.0, 0.2)])
def test_theory_inside_the_seed_interval_population_gradient(beta, gamma, lr):
    z, rel = _against_simulation(_task(beta, 256), width=32, lr=lr, gamma=gamma, steps=600, batch=None, seed=11)
    assert np.max(z) < 3.0, z
    assert np.max(rel[1:]) < 0.25  # the easy task's seed spread is ±13% (95%) at N = 32


@pytest.mark.parametrize("gamma,lr", [(0.0, 0.5), (1.0, 0.1)])
def test_theory_inside_the_seed_interval_finite_batch(gamma, lr):
    z, rel = _against_simulation(_task(0.5, 256), width=32, lr=lr, gamma=gamma, steps=600, batch=8, seed=12)
    assert np.max(z) < 3.0, z
    assert np.max(rel[1:]) < 0.15


def test_finite_batch_noise_raises_the_loss_as_the_closure_predicts():
    """Super-easy task, small batch: L_B/L_∞ of the theory against the simulation (same A(0) draws)."""
    task = nts.power_law_task(2.0, 3.0, 256)
    kwargs = dict(width=32, lr=0.5, gamma=0.0, steps=800, n_seeds=32, n_records=12)
    sim_b = nts.simulate_projected_model.uncached(jax.random.key(5), task, batch=2, **kwargs)
    sim_inf = nts.simulate_projected_model.uncached(jax.random.key(5), task, batch=None, **kwargs)
    th_b = nts.dmft_finite_width.uncached(task, width=32, lr=0.5, gamma=0.0, steps=800, n_records=12, batch=2)
    th_inf = nts.dmft_finite_width.uncached(task, width=32, lr=0.5, gamma=0.0, steps=800, n_records=12, dynamics="discrete")
    ratio_sim = sim_b.test_loss.mean(0)[-1] / sim_inf.test_loss.mean(0)[-1]
    ratio_th = th_b.loss[-1] / th_inf.loss[-1]
    assert ratio_th > 1.3  # the noise matters here
    assert ratio_th == pytest.approx(ratio_sim, rel=0.12)


# ----------------------------------------------------------------------------- input checks


def test_bad_input_is_named():
    task = _task(0.5, 64)
    with pytest.raises(TypeError, match="PowerLawTask"):
        nts.dmft_finite_width.uncached("task", width=8, lr=0.1, gamma=0.0, steps=10)
    with pytest.raises(TypeError, match="width"):
        nts.dmft_finite_width.uncached(task, width=8.5, lr=0.1, gamma=0.0, steps=10)
    with pytest.raises(ValueError, match="lr"):
        nts.dmft_finite_width.uncached(task, width=8, lr=-0.1, gamma=0.0, steps=10)
    with pytest.raises(ValueError, match="dynamics"):
        nts.dmft_finite_width.uncached(task, width=8, lr=0.1, gamma=0.0, steps=10, dynamics="euler")
    with pytest.raises(TypeError, match="SpectralMeasure"):
        nts.deterministic_modes({"eigenvalues": [1.0]})
    modes = nts.deterministic_modes(nts.spectral_measure.uncached(task, 8))
    with pytest.raises(ValueError, match="discrete"):
        nts.solve_reduced_modes(modes, lr=0.1, gamma=0.0, steps=10, batch=4, dynamics="flow")


def test_discrete_divergence_raises_floating_point_error():
    modes = nts.deterministic_modes(nts.spectral_measure.uncached(_task(0.5, 64), 8))
    with pytest.raises(FloatingPointError, match="lr"):
        nts.solve_reduced_modes(modes, lr=5.0, gamma=0.0, steps=200, dynamics="discrete")


# ----------------------------------------------------------------------------- theory frontiers


def test_window_fits_recover_a_known_frontier():
    """L(N, t) = t^(−1/2) + N^(−1): optimum N* ∼ C^(1/3), L* ∼ C^(−1/3) exactly (hard lazy, α = 2, β = 1/2)."""
    steps = np.geomspace(1, 1e9, 400)
    widths = 2.0 ** np.arange(0, 16, 0.25)
    losses = steps[None, :] ** -0.5 + widths[:, None] ** -1.0
    fr = nts.compute_frontier(steps, widths, losses, n_points=300)
    fits = nts.fit_frontier_windows(fr)
    assert fits.interior_decades > 4
    assert fits.r_interval[0] == pytest.approx(1 / 3, abs=0.01) and fits.r_interval[1] == pytest.approx(1 / 3, abs=0.01)
    assert fits.a[0] == pytest.approx(1 / 3, abs=0.01)
    assert fits.windows.shape == (fits.r.size, 2)
    with pytest.raises(ValueError, match="decades"):
        nts.fit_frontier_windows(fr, fit_decades=20.0)


def test_convergence_compute_extrapolates_a_drift():
    local = np.array([[3.0, 0.30, 0.0], [4.0, 0.32, 0.0], [5.0, 0.34, 0.0], [6.0, 0.36, 0.0]])
    assert nts.convergence_compute(local, 1, 0.40, 0.01) == pytest.approx(10.0 ** 7.5)
    assert nts.convergence_compute(local, 1, 0.36, 0.01) == pytest.approx(1e6)
    assert math.isinf(nts.convergence_compute(local, 1, 0.20, 0.01))


def test_theory_frontier_hard_lazy_matches_table1():
    tf = nts.theory_frontier(alpha=2.0, beta=0.5, rich=False, widths=[8, 11, 16, 23, 32, 45, 64, 91, 128, 181, 256],
                             gamma=1.0, n_modes=4096, steps=10**6, n_records=120, fit_decades=1.5)
    assert tf.r_predicted == pytest.approx(1 / 3)
    assert abs(tf.fits.r[0] - 1 / 3) < 0.02
    assert abs(tf.fits.a[0] - 1 / 3) < 0.03


def test_compare_with_simulation_verdicts():
    steps = nts.log_steps(100, 10)
    rng = np.random.default_rng(0)
    truth = 1.0 / (1.0 + steps)
    noise = rng.standard_normal((64, steps.size))
    losses = truth * (1 + 0.1 * (noise - noise.mean(0)))  # seed mean exactly on the truth
    good = nts.compare_with_simulation(nts.DMFTResult(steps, truth, None, truth), steps, losses)
    assert good.verdict() == "agrees" and good.max_z < 3
    bad = nts.compare_with_simulation(nts.DMFTResult(steps, 1.2 * truth, None, truth), steps, losses)
    assert bad.verdict() == "disagrees" and bad.max_rel == pytest.approx(0.2, abs=0.05)
    with pytest.raises(ValueError, match="same steps"):
        nts.compare_with_simulation(nts.DMFTResult(steps[:-1], truth[:-1], None, truth[:-1]), steps, losses)


def test_infinite_width_modes_reproduce_dmft_limit():
    task = _task(0.5, 2000)
    for gamma in (0.0, 1.0):
        ref = nts.dmft_limit.uncached(task, lr=0.5, gamma=gamma, steps=3000, n_records=20, substeps=4)
        ours = nts.solve_reduced_modes(nts.infinite_width_modes(task), lr=0.5, gamma=gamma, steps=3000, n_records=20)
        assert np.max(np.abs(ours.loss / ref.loss - 1)) < 2e-3
        assert np.max(np.abs(ours.kernel_scale / ref.kernel_scale - 1)) < 2e-3
