"""Tests of the direct simulation of [B]'s solvable model (ntk_scaling.linear_model)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ntk_scaling.solvable import linear_model as lm
from ntk_scaling.fitting import fit_power_law
from ntk_scaling.solvable.tasks import power_law_task

ALPHA, BETA = 2.0, 0.5  # a hard task: alpha*beta = 1, rich exponent 2*beta/(1+beta) = 2/3


@pytest.fixture(scope="module")
def hard_task_256():
    return power_law_task(ALPHA, BETA, 256)


@pytest.fixture(scope="module")
def exponent_runs(hard_task_256):
    """Near-population-gradient runs (huge batch) of the lazy and rich model, N = 2M."""
    common = dict(width=512, batch=8192, lr=0.1, steps=1000, n_seeds=1, n_records=24)
    lazy = lm.simulate_projected_model(jax.random.key(2), hard_task_256, gamma=0.0, **common)
    rich = lm.simulate_projected_model(jax.random.key(2), hard_task_256, gamma=1.0, **common)
    return lazy, rich


def test_shapes_dtypes_and_record_steps():
    task = power_law_task(ALPHA, BETA, 64)
    res = lm.simulate_projected_model(
        jax.random.key(0), task, width=8, batch=4, lr=0.2, gamma=0.5, steps=300, n_seeds=3, n_records=16
    )
    r = res.steps.size
    assert res.steps[0] == 0 and res.steps[-1] == 300
    assert np.all(np.diff(res.steps) > 0) and r <= 16
    assert res.test_loss.shape == (3, r) and res.weight_norm.shape == (3, r)
    assert res.test_loss.dtype == np.float32 and res.weight_norm.dtype == np.float32
    assert res.train_loss is None
    # record 0 is the initial state: a(0) = |w(0)|^2/N and L(0) = (w* - A0^T w0/N)^T Λ (...)
    a0, w0 = lm.initial_matrices(jax.random.key(0), task, 8, 3)
    v0 = np.asarray(task.target) - np.einsum("snm,sn->sm", np.asarray(a0), np.asarray(w0)) / 8
    np.testing.assert_allclose(res.test_loss[:, 0], (np.asarray(task.eigenvalues) * v0**2).sum(1), rtol=1e-5)
    np.testing.assert_allclose(res.weight_norm[:, 0], (np.asarray(w0) ** 2).mean(1), rtol=1e-5)
    # seeds differ, and the same key reproduces the run exactly
    assert not np.allclose(res.test_loss[0], res.test_loss[1])
    again = lm.simulate_projected_model(
        jax.random.key(0), task, width=8, batch=4, lr=0.2, gamma=0.5, steps=300, n_seeds=3, n_records=16
    )
    np.testing.assert_array_equal(res.test_loss, again.test_loss)


def test_online_gradient_is_exact_in_law():
    """The O(M+B) draw of Λ̂v⁰ has the mean Λv⁰ and covariance (Λv⁰v⁰ᵀΛ + Λ L)/B of Gaussian SGD."""
    m, batch, n = 6, 3, 20000
    lam = jnp.arange(1.0, m + 1.0) ** -1.5
    v0 = jnp.array([1.0, -0.5, 0.3, 0.8, -1.2, 0.2])
    keys = jax.random.split(jax.random.key(7), n)
    fast = np.asarray(jax.vmap(lambda k: lm._online_gradient(k, jnp.sqrt(lam), v0, batch))(keys))
    slow = np.asarray(jax.vmap(lambda k: lm._explicit_online_gradient(k, jnp.sqrt(lam), v0, batch))(keys))
    lam_v = np.asarray(lam * v0)
    loss = float(jnp.sum(lam * v0**2))
    cov_theory = (np.outer(lam_v, lam_v) + np.diag(np.asarray(lam)) * loss) / batch
    for draws in (fast, slow):
        se = np.sqrt(np.diag(cov_theory + np.outer(lam_v, lam_v)) / n)
        assert np.all(np.abs(draws.mean(0) - lam_v) < 5 * se)
        np.testing.assert_allclose(np.cov(draws.T), cov_theory, atol=0.08 * np.abs(cov_theory).max())


def test_lazy_time_exponent_is_beta(exponent_runs):
    lazy, _ = exponent_runs
    fit = fit_power_law(lazy.steps[1:], lazy.test_loss[0, 1:], xmin=30, xmax=300)
    assert abs(-fit.exponent - BETA) < 0.06


def test_rich_exponent_exceeds_lazy(exponent_runs):
    lazy, rich = exponent_runs
    chi_lazy = -fit_power_law(lazy.steps[1:], lazy.test_loss[0, 1:], xmin=30, xmax=300).exponent
    chi_rich = -fit_power_law(rich.steps[1:], rich.test_loss[0, 1:], xmin=30, xmax=300).exponent
    assert chi_rich > chi_lazy + 0.07
    assert abs(chi_rich - 2 * BETA / (1 + BETA)) < 0.12  # the asymptote is approached from below
    assert rich.weight_norm[0, -1] > 3 * rich.weight_norm[0, 0]  # a(t) grows: the kernel multiplier
    assert np.all(np.diff(lazy.test_loss[0, 4:]) < 0) and np.all(np.diff(rich.test_loss[0, 4:]) < 0)


@pytest.fixture(scope="module")
def floor_task():
    return power_law_task(ALPHA, BETA, 512)


FLOOR_RUN = dict(width=16, batch=256, steps=3000, n_seeds=6, n_records=12)


def test_plateau_scales_as_n_to_minus_alpha_beta(floor_task):
    f16 = lm.projection_floor(jax.random.key(5), floor_task, 16, 6)
    f32 = lm.projection_floor(jax.random.key(4), floor_task, 32, 6)
    ratio = f16.mean() / f32.mean()
    assert abs(np.log2(ratio) - ALPHA * BETA) < 0.2  # 2^(αβ) = 2, up to finite-M and seed effects


def test_simulations_reach_the_floor_lazy_and_rich(floor_task):
    floor = lm.projection_floor(jax.random.key(5), floor_task, 16, 6)
    for gamma, lr in ((0.0, 0.5), (1.0, 0.15)):
        res = lm.simulate_projected_model(jax.random.key(5), floor_task, lr=lr, gamma=gamma, **FLOOR_RUN)
        ratio = res.test_loss[:, -1] / floor
        assert np.all(ratio >= 0.995)  # nothing in the row space of A(0) beats the floor
        assert np.all(ratio < 1.06)  # and both lazy and rich runs get there (rich = lazy plateau)


def test_no_projection_rich_network_beats_the_projected_floor(floor_task):
    floor = lm.projection_floor(jax.random.key(5), floor_task, 16, 6)
    res = lm.simulate_projected_model(
        jax.random.key(5), floor_task, lr=0.1, gamma=1.0, project=False, **FLOOR_RUN
    )
    assert np.all(res.test_loss[:, -1] < 0.5 * floor)
    # the lazy unprojected network is the same random-feature model: it cannot beat the floor
    lazy = lm.simulate_projected_model(
        jax.random.key(5), floor_task, lr=0.5, gamma=0.0, project=False, **FLOOR_RUN
    )
    assert np.all(lazy.test_loss[:, -1] >= 0.995 * floor)


def test_data_reuse_train_below_test():
    task = power_law_task(ALPHA, BETA, 256)
    res = lm.simulate_projected_model(
        jax.random.key(8), task, width=128, batch=64, lr=0.3, gamma=0.0, steps=1500, n_seeds=2,
        n_records=16, n_train=16,
    )
    assert res.train_loss is not None and res.train_loss.shape == res.test_loss.shape
    late = slice(-6, None)
    assert np.all(res.train_loss[:, late] <= res.test_loss[:, late])
    assert np.all(res.train_loss[:, -1] < 0.05 * res.test_loss[:, -1])  # it interpolates the P samples
    ratio = res.train_loss / res.test_loss
    assert np.all(ratio[:, 1] > 0.3)  # early on, the P samples look like fresh data ...
    assert np.all(ratio[:, -1] < ratio[:, 8])  # ... then the train loss pulls away: a growing gap
    # minibatches of 8 from the 16 samples: still far below the test loss at the end
    mini = lm.simulate_projected_model(
        jax.random.key(8), task, width=128, batch=8, lr=0.3, gamma=0.0, steps=1500, n_seeds=2,
        n_records=16, n_train=16,
    )
    assert np.all(mini.train_loss[:, -1] < 0.2 * mini.test_loss[:, -1])


def test_spike_tracks_a_rank_one_direction():
    task = power_law_task(ALPHA, BETA, 128)
    res = lm.simulate_spike(
        jax.random.key(9), task, width=32, batch=256, lr=0.1, gamma=1.0, steps=800, n_seeds=2, n_records=8
    )
    assert res.spike.shape == res.frobenius.shape == res.overlap.shape == (2, res.steps.size)
    assert np.all(res.spike <= res.frobenius * (1 + 1e-4) + 1e-7)  # σ₁² ≤ ‖Δ‖_F²
    assert np.all(res.spike[:, -1] > 0.9 * res.frobenius[:, -1])  # the change of A is nearly rank one
    assert np.all(res.spike[:, -1] > 3 * res.spike[:, 3])  # and it grows (hard task)
    assert np.all(res.weight_norm[:, -1] > res.weight_norm[:, 0] + 1.0)  # with the readout (balancing)


def test_top_eigen_matches_numpy():
    rng = np.random.default_rng(0)
    delta = (rng.standard_normal((10, 30)) + 2 * np.outer(rng.standard_normal(10), rng.standard_normal(30)))
    delta = delta.astype(np.float32)
    top, _ = lm._top_eigen(jnp.asarray(delta), jnp.ones(30), 200)
    exact = np.linalg.svd(delta.astype(np.float64), compute_uv=False)[0] ** 2 / 10
    assert abs(float(top) - exact) < 1e-3 * exact


def test_divergence_raises_floating_point_error():
    task = power_law_task(ALPHA, BETA, 64)
    with pytest.raises(FloatingPointError, match="lower lr"):
        lm.simulate_projected_model(
            jax.random.key(0), task, width=8, batch=4, lr=60.0, gamma=0.5, steps=300, n_seeds=3, n_records=16
        )


def test_edge_of_stability_warns(hard_task_256):
    with pytest.warns(RuntimeWarning, match="edge of stability"):
        lm.simulate_projected_model(
            jax.random.key(2), hard_task_256, width=512, batch=8192, lr=0.6, gamma=1.0, steps=1000, n_records=24
        )


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(width=0), ValueError, "width"),
        (dict(width=2.5), TypeError, "width"),
        (dict(batch=True), TypeError, "batch"),
        (dict(lr=-0.1), ValueError, "lr"),
        (dict(lr=float("nan")), ValueError, "lr"),
        (dict(gamma=-1.0), ValueError, "gamma"),
        (dict(steps=0), ValueError, "steps"),
        (dict(n_records=1), ValueError, "n_records"),
        (dict(n_train=0), ValueError, "n_train"),
        (dict(project="yes"), TypeError, "project"),
    ],
)
def test_bad_arguments_raise(kwargs, error, match):
    task = power_law_task(ALPHA, BETA, 16)
    args = dict(width=4, batch=2, lr=0.1, gamma=0.0, steps=10)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        lm.simulate_projected_model(jax.random.key(0), task, **args)


def test_bad_key_and_task_raise():
    task = power_law_task(ALPHA, BETA, 16)
    args = dict(width=4, batch=2, lr=0.1, gamma=0.0, steps=10)
    with pytest.raises(TypeError, match="key"):
        lm.simulate_projected_model(0, task, **args)
    with pytest.raises(TypeError, match="PowerLawTask"):
        lm.simulate_projected_model(jax.random.key(0), (1.0, 2.0), **args)


def test_factored_projected_update_matches_explicit_update():
    """The projected rich model is run as A = (I + C)A(0); compare with the explicit N×M update."""
    task = power_law_task(ALPHA, BETA, 64)
    res = lm.simulate_projected_model(
        jax.random.key(3), task, width=8, batch=16, lr=0.2, gamma=1.0, steps=50, n_seeds=1, n_records=6
    )
    a0, w, k_data, _ = lm._draw_one(
        jax.random.split(jax.random.key(3), 1)[0], width=8, n_modes=64, n_train=None, dtype=jnp.float32
    )
    lam, target = task.eigenvalues, task.target
    a, losses = a0, {}
    for t in range(1, 51):
        v0 = target - a.T @ w / 8
        g = lm._online_gradient(jax.random.fold_in(k_data, t), jnp.sqrt(lam), v0, 16)
        w, a = w + 0.2 * a @ g, a + 0.2 * jnp.outer(w, a0.T @ (a0 @ g) / 8)
        losses[t] = float(jnp.sum(lam * (target - a.T @ w / 8) ** 2))
    np.testing.assert_allclose(res.test_loss[0, 1:], [losses[int(s)] for s in res.steps[1:]], rtol=1e-4)


def test_lazy_rich_sweep_matches_direct_runs_and_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_CACHE", str(tmp_path))
    task = power_law_task(2.0, 0.5, 64)
    kwargs = dict(batch=8, steps=30, n_seeds=2, n_records=8)
    runs = lm.lazy_rich_sweep(task, over="width", values=[4, 8], gamma=0.5, lr_lazy=0.3,
                              lr_rich=0.1, seed=2, **kwargs)
    direct = lm.simulate_projected_model(jax.random.key(2 * 100003 + 8), task, width=8, gamma=0.5, lr=0.1, **kwargs)
    np.testing.assert_allclose(runs["rich"][8].test_loss, direct.test_loss, rtol=1e-6)
    assert set(runs) == {"lazy", "rich"} and set(runs["lazy"]) == {4, 8}
    assert len(list(tmp_path.rglob("*.npz"))) == 4  # the direct call is the rich N = 8 run, read back
    again = lm.lazy_rich_sweep(task, over="width", values=[4, 8], gamma=0.5, lr_lazy=0.3,
                               lr_rich=0.1, seed=2, **kwargs)
    np.testing.assert_array_equal(again["lazy"][4].test_loss, runs["lazy"][4].test_loss)
    reuse = lm.lazy_rich_sweep(task, over="n_train", values=[6], gamma=0.5, lr_lazy=0.3,
                               lr_rich=0.1, seed=2, width=8, steps=30, n_seeds=2, n_records=8)
    full = lm.simulate_projected_model(jax.random.key(2 * 100003 + 6), task, width=8, batch=6, n_train=6,
                                       gamma=0.0, lr=0.3, steps=30, n_seeds=2, n_records=8)
    np.testing.assert_allclose(reuse["lazy"][6].train_loss, full.train_loss, rtol=1e-6)
    with pytest.raises(ValueError, match="over must be"):
        lm.lazy_rich_sweep(task, over="batch", values=[1], gamma=0.5, lr_lazy=0.3, lr_rich=0.1, seed=0)
    with pytest.raises(ValueError, match="swept axis"):
        lm.lazy_rich_sweep(task, over="width", values=[4], gamma=0.5, lr_lazy=0.3, lr_rich=0.1, seed=0, width=4)


def test_population_gradient_mode_is_exact_gradient_descent():
    """batch=None: each step uses Λv⁰ itself; checked against a float64 numpy recursion on the same draws."""
    task = power_law_task(ALPHA, BETA, 48)
    lr, steps, width = 0.3, 40, 6
    for gamma in (0.0, 0.7):
        res = lm.simulate_projected_model(jax.random.key(4), task, width=width, batch=None, lr=lr, gamma=gamma,
                                          steps=steps, n_seeds=2, n_records=steps + 1)
        a0s, w0s = lm.initial_matrices(jax.random.key(4), task, width, 2)
        lam, ws = np.asarray(task.eigenvalues, np.float64), np.asarray(task.target, np.float64)
        for s in range(2):
            a0, w = np.asarray(a0s[s], np.float64), np.asarray(w0s[s], np.float64)
            a = a0.copy()
            proj = a0.T @ a0 / width
            losses = []
            for _ in range(steps + 1):
                v0 = ws - a.T @ w / width
                losses.append(float(np.sum(lam * v0**2)))
                g = lam * v0
                w, a = w + lr * a @ g, a + lr * gamma * np.outer(w, proj @ g)
            np.testing.assert_allclose(res.test_loss[s], np.array(losses)[res.steps], rtol=2e-4)


def test_population_gradient_is_the_large_batch_limit():
    task = power_law_task(ALPHA, BETA, 64)
    kwargs = dict(width=16, lr=0.3, gamma=1.0, steps=200, n_seeds=4, n_records=10)
    exact = lm.simulate_projected_model(jax.random.key(6), task, batch=None, **kwargs)
    big = lm.simulate_projected_model(jax.random.key(6), task, batch=2**15, **kwargs)
    np.testing.assert_allclose(big.test_loss, exact.test_loss, rtol=0.02)


def test_population_gradient_rejects_reused_samples():
    task = power_law_task(ALPHA, BETA, 16)
    with pytest.raises(ValueError, match="batch=None"):
        lm.simulate_projected_model(jax.random.key(0), task, width=4, batch=None, lr=0.1, gamma=0.0, steps=5,
                                    n_train=8)
