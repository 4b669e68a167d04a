"""Tests of the N → ∞ theory of [B]'s model (ntk_scaling.dmft)."""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import ntk_scaling as nts
from ntk_scaling.solvable.dmft import (
    crossover_time,
    dmft_limit,
    dmft_matrix_closure,
    kernel_multiplier,
    lazy_error,
    lazy_loss,
)

NOTES_STEPS = [5, 20, 100, 199]
NOTES_LOSS = [0.2360, 0.0649, 0.0068, 0.00040]  # math notes §1.7(a), α=1.5, β=0.5, γ=1, η=0.5, M=40


def _at(result, steps):
    idx = [int(np.flatnonzero(result.steps == s)[0]) for s in steps]
    return result.loss[idx]


def _late_exponent(result, lo, hi):
    keep = (result.steps >= lo) & (result.steps <= hi)
    return -nts.fit_power_law(result.steps[keep], result.loss[keep]).exponent


def _direct_simulation(task, *, width, lr, gamma, steps, seed):
    """Projected model of math notes §1.3 with the full-batch gradient Λv⁰ (B = ∞)."""
    lam = np.asarray(task.eigenvalues, np.float64)
    ws = np.asarray(task.target, np.float64)
    rng = np.random.default_rng(seed)
    a0 = rng.standard_normal((width, lam.size))
    a = a0.copy()
    w = rng.standard_normal(width)
    loss = np.empty(steps + 1)
    for t in range(steps + 1):
        v0 = ws - a.T @ w / width
        loss[t] = v0 @ (lam * v0)
        u = lam * v0
        pu = a0.T @ (a0 @ u) / width
        w, a = w + lr * a @ u, a + lr * gamma * np.outer(w, pu)
    return loss


# ----------------------------------------------------------------------------- N = ∞, B = ∞


def test_matrix_closure_reproduces_notes_table():
    task = nts.power_law_task(1.5, 0.5, 40)
    res = dmft_matrix_closure(task, lr=0.5, gamma=1.0, steps=199)
    np.testing.assert_allclose(res.loss[NOTES_STEPS], NOTES_LOSS, rtol=0.015)
    assert res.kernel_scale[0] == 1.0


@pytest.mark.parametrize("gamma", [0.3, 1.0])
def test_discrete_map_equals_matrix_closure(gamma):
    task = nts.power_law_task(1.5, 0.5, 40)
    closure = dmft_matrix_closure(task, lr=0.5, gamma=gamma, steps=199)
    disc = dmft_limit(task, lr=0.5, gamma=gamma, steps=199, n_records=400, dynamics="discrete")
    assert set(NOTES_STEPS) <= set(disc.steps.tolist())
    np.testing.assert_allclose(disc.loss, closure.loss[disc.steps], rtol=1e-2)
    np.testing.assert_allclose(disc.kernel_scale, closure.kernel_scale[disc.steps], rtol=2e-3)
    if gamma == 1.0:
        np.testing.assert_allclose(_at(disc, NOTES_STEPS), NOTES_LOSS, rtol=0.015)


def test_dmft_matches_direct_simulation_at_large_width():
    task = nts.power_law_task(1.5, 0.5, 40)
    theory = dmft_limit(task, lr=0.5, gamma=1.0, steps=199, n_records=400, dynamics="discrete")
    sim = _direct_simulation(task, width=20000, lr=0.5, gamma=1.0, steps=199, seed=0)
    np.testing.assert_allclose(sim[NOTES_STEPS[:3]], _at(theory, NOTES_STEPS[:3]), rtol=0.04)
    np.testing.assert_allclose(sim[199], _at(theory, [199])[0], rtol=0.1)  # finite-N shift at L ~ 4e-4


def _full_ode_loss(task, gamma, taus):
    """Reference: the (v, G, a) ODE of math notes §1.7(a) with the full M×M matrix G."""
    lam = np.asarray(task.eigenvalues, np.float64)
    ws = np.asarray(task.target, np.float64)
    m = lam.size

    def rhs(_, y):
        v, g, a = y[:m], y[m:-1].reshape(m, m), y[-1]
        u = lam * (ws - v)
        return np.concatenate([g @ u + gamma * a * u, (gamma * (np.outer(u, v) + np.outer(v, u))).ravel(), [2 * v @ u]])

    y0 = np.concatenate([np.zeros(m), np.eye(m).ravel(), [1.0]])
    sol = solve_ivp(rhs, (0, taus[-1]), y0, t_eval=taus, method="LSODA", rtol=1e-9, atol=1e-13)
    x = ws[:, None] - sol.y[:m]
    return np.sum(lam[:, None] * x**2, 0), sol.y[-1]


def test_rank_one_flow_matches_full_ode():
    """The O(M) reduction G = I + γ/(1+γa) vvᵀ and its exponential integrator vs the full ODE."""
    task = nts.power_law_task(2.0, 0.25, 20)
    res = dmft_limit(task, lr=0.5, gamma=3.0, steps=300, n_records=20)
    ref_loss, ref_a = _full_ode_loss(task, 3.0, 0.5 * res.steps.astype(float))
    keep = res.loss > 1e-9  # below that float32 rounding dominates
    np.testing.assert_allclose(res.loss[keep], ref_loss[keep], rtol=0.03)
    np.testing.assert_allclose(res.loss[keep][3:], ref_loss[keep][3:], rtol=0.01)
    np.testing.assert_allclose(res.kernel_scale, ref_a, rtol=0.01)
    # the exact invariant |v|² = (a − 1)(1 + γa) behind the reduction
    assert kernel_multiplier(0.0, 3.0) == pytest.approx(4.0)


def test_flow_approaches_discrete_model_at_small_lr():
    task = nts.power_law_task(1.5, 0.5, 40)
    closure = dmft_matrix_closure(task, lr=0.05, gamma=1.0, steps=400)
    flow = dmft_limit(task, lr=0.05, gamma=1.0, steps=400, n_records=30)
    rel = np.abs(flow.loss / closure.loss[flow.steps] - 1)
    assert rel.max() < 0.05
    # ... and the O(η) gap closes: at lr = 0.5 the same comparison is far off
    closure_big = dmft_matrix_closure(task, lr=0.5, gamma=1.0, steps=40)
    flow_big = dmft_limit(task, lr=0.5, gamma=1.0, steps=40, n_records=30)
    assert np.abs(flow_big.loss / closure_big.loss[flow_big.steps] - 1).max() > 2 * rel.max()


def test_lazy_closed_form():
    task = nts.power_law_task(2.0, 0.5, 200)
    disc = dmft_limit(task, lr=0.7, gamma=0.0, steps=3000, dynamics="discrete")
    np.testing.assert_allclose(disc.loss, lazy_loss(task, lr=0.7, steps=disc.steps), rtol=1e-4)
    flow = dmft_limit(task, lr=0.7, gamma=0.0, steps=3000)
    np.testing.assert_allclose(flow.loss, lazy_loss(task, lr=0.7, steps=flow.steps, flow=True), rtol=1e-4)
    err = lazy_error(task, lr=0.7, steps=3)
    np.testing.assert_allclose(err, (1 - 0.7 * np.asarray(task.eigenvalues, float)) ** 3 * np.asarray(task.target))
    # a(t) = 1 + |v|² in the lazy limit
    v = np.asarray(task.target, float) - lazy_error(task, lr=0.7, steps=flow.steps, flow=True)
    np.testing.assert_allclose(flow.kernel_scale, 1 + np.sum(v**2, 1), rtol=1e-4)


def test_rich_exponent_beats_lazy_for_hard_task():
    """β = 0.25: lazy χ = 0.25, rich 2β/(1+β) = 0.4 (math notes §1.5; α = 4 keeps k* ≪ M)."""
    task = nts.power_law_task(4.0, 0.25, 1500)
    lazy = dmft_limit(task, lr=0.5, gamma=0.0, steps=6000)
    rich = dmft_limit(task, lr=0.5, gamma=1.0, steps=6000)
    chi_lazy = _late_exponent(lazy, 600, 6000)
    chi_rich = _late_exponent(rich, 600, 6000)
    assert chi_lazy == pytest.approx(0.25, abs=0.02)
    assert chi_rich > chi_lazy + 0.08
    assert 0.33 < chi_rich < 0.43
    assert rich.loss[-1] < 0.5 * lazy.loss[-1]


def test_easy_task_exponent_unchanged_by_gamma():
    task = nts.power_law_task(2.0, 1.5, 400)
    chis = [_late_exponent(dmft_limit(task, lr=0.5, gamma=g, steps=3000), 300, 3000) for g in (0.0, 1.0)]
    assert chis[0] == pytest.approx(1.5, abs=0.06)
    assert chis[1] == pytest.approx(chis[0], abs=0.06)


def test_stable_at_large_gamma_without_tuning():
    task = nts.power_law_task(2.0, 0.5, 500)
    res = dmft_limit(task, lr=1.0, gamma=100.0, steps=4000)
    assert np.all(np.isfinite(res.loss)) and np.all(res.loss > 0)
    assert np.all(np.diff(res.loss) <= 1e-7 * res.loss[:-1])  # gradient flow: loss never rises
    assert 1 + 100.0 * res.kernel_scale[-1] > 200.0  # the kernel multiplier κ = 1 + γa grew
    # the discrete model with the same lr really diverges, and says so
    with pytest.raises(FloatingPointError, match="gamma=100.0"):
        dmft_limit(task, lr=1.0, gamma=100.0, steps=4000, dynamics="discrete")


# ----------------------------------------------------------------------------- finite batch


def test_lazy_sgd_excess_scales_as_inverse_batch():
    task = nts.power_law_task(2.0, 3.0, 200)
    full = dmft_limit(task, lr=0.5, gamma=0.0, steps=2000, dynamics="discrete")
    excess = []
    batches = [16, 64, 256]
    for b in batches:
        res = dmft_limit(task, lr=0.5, gamma=0.0, steps=2000, batch=b, dynamics="discrete")
        assert np.all(res.loss >= full.loss * (1 - 1e-5))
        excess.append(res.loss[-1] - full.loss[-1])
    fit = nts.fit_power_law(batches, excess)
    assert fit.exponent == pytest.approx(-1.0, abs=0.05)


def test_batch_monte_carlo_matches_lazy_recursion():
    """γ → 0 Monte Carlo over batches (exact in law) reproduces the second-moment recursion."""
    task = nts.power_law_task(2.0, 1.0, 20)
    exact = dmft_limit(task, lr=0.5, gamma=0.0, steps=100, batch=4, n_records=10, dynamics="discrete")
    mc = dmft_limit(task, lr=0.5, gamma=1e-7, steps=100, batch=4, n_records=10, dynamics="discrete",
                    key=jax.random.key(3), n_seeds=200)
    np.testing.assert_allclose(mc.loss, exact.loss, rtol=0.1)
    mc_flow = dmft_limit(task, lr=0.5, gamma=1e-7, steps=100, batch=4, n_records=10,
                         key=jax.random.key(4), n_seeds=200)
    np.testing.assert_allclose(mc_flow.loss, exact.loss, rtol=0.1)
    # noise raises the loss above the B = ∞ curve by a visible amount
    full = dmft_limit(task, lr=0.5, gamma=0.0, steps=100, n_records=10, dynamics="discrete")
    assert exact.loss[-1] > 1.1 * full.loss[-1]


def test_rich_batch_noise_raises_loss_as_inverse_batch():
    task = nts.power_law_task(2.0, 3.0, 100)
    kw = dict(lr=0.5, gamma=0.5, steps=500, n_records=10, key=jax.random.key(0), n_seeds=64)
    ref = dmft_limit(task, batch=10**9, **kw).loss[-1]  # B = ∞ with the same η-stepping
    excess = [dmft_limit(task, batch=b, **kw).loss[-1] - ref for b in (16, 64)]
    assert excess[0] > 0 and excess[1] > 0
    assert excess[0] / excess[1] == pytest.approx(4.0, rel=0.3)


# ----------------------------------------------------------------------------- data reuse


@pytest.mark.parametrize("gamma", [0.0, 1.0])
def test_data_reuse_train_below_test(gamma):
    task = nts.power_law_task(2.0, 0.5, 100)
    online = dmft_limit(task, lr=0.5, gamma=gamma, steps=2000)
    res = dmft_limit(task, lr=0.5, gamma=gamma, steps=2000, n_train=40, key=jax.random.key(1))
    assert res.train_loss is not None and online.train_loss is None
    assert np.all(res.train_loss[5:] <= res.loss[5:])
    assert res.train_loss[-1] < 0.05 * res.loss[-1]  # P < M: the training set is interpolated
    assert res.loss[-1] > 3 * online.loss[-1]  # the data bottleneck
    disc = dmft_limit(task, lr=0.05, gamma=gamma, steps=1000, n_train=40, key=jax.random.key(1),
                      dynamics="discrete", n_records=10)
    flow = dmft_limit(task, lr=0.05, gamma=gamma, steps=1000, n_train=40, key=jax.random.key(1), n_records=10)
    np.testing.assert_allclose(flow.loss, disc.loss, rtol=0.05)
    np.testing.assert_allclose(flow.train_loss, disc.train_loss, rtol=0.1)


# ----------------------------------------------------------------------------- misc


def test_crossover_time():
    assert crossover_time(1e-2, 0.5) == pytest.approx(1e4)
    assert crossover_time(1e-2, 0.5, lr=0.5) == pytest.approx(2e4)
    assert math.isinf(crossover_time(0.0, 0.5)) and math.isinf(crossover_time(1.0, 1.5))


def test_records_are_log_spaced_from_zero():
    task = nts.power_law_task(2.0, 0.5, 10)
    res = dmft_limit(task, lr=0.5, gamma=0.1, steps=1000, n_records=20)
    assert res.steps[0] == 0 and res.steps[-1] == 1000 and np.all(np.diff(res.steps) > 0)
    assert res.loss.shape == res.steps.shape == res.kernel_scale.shape


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(lr=-0.1, gamma=1.0, steps=10), ValueError, "lr"),
        (dict(lr=0.1, gamma=-1.0, steps=10), ValueError, "gamma"),
        (dict(lr=0.1, gamma=1.0, steps=0), ValueError, "steps"),
        (dict(lr=0.1, gamma=1.0, steps=10.5), TypeError, "steps"),
        (dict(lr=0.1, gamma=1.0, steps=10, batch=0), ValueError, "batch"),
        (dict(lr=0.1, gamma=1.0, steps=10, batch=4, n_train=8, key=jax.random.key(0)), ValueError, "combined"),
        (dict(lr=0.1, gamma=1.0, steps=10, n_train=8), ValueError, "key"),
        (dict(lr=0.1, gamma=1.0, steps=10, batch=8), ValueError, "key"),
        (dict(lr=0.1, gamma=1.0, steps=10, dynamics="euler"), ValueError, "dynamics"),
        (dict(lr=float("nan"), gamma=1.0, steps=10), ValueError, "lr"),
    ],
)
def test_bad_input(kwargs, exc, match):
    task = nts.power_law_task(2.0, 0.5, 10)
    with pytest.raises(exc, match=match):
        dmft_limit(task, **kwargs)


def test_bad_task_type():
    with pytest.raises(TypeError, match="PowerLawTask"):
        dmft_limit({"alpha": 2}, lr=0.1, gamma=1.0, steps=10)
    with pytest.raises(TypeError, match="PowerLawTask"):
        dmft_matrix_closure(None, lr=0.1, gamma=1.0, steps=10)
