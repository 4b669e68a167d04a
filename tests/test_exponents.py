"""Tests of the closed-form exponents of [B] (ntk_scaling.exponents)."""

from __future__ import annotations

import numpy as np
import pytest

import ntk_scaling as nts


def test_task_regime_boundaries():
    assert nts.task_regime(2.0, 0.5) == "hard"
    assert nts.task_regime(2.0, 0.999) == "hard"
    assert nts.task_regime(2.0, 1.0) == "easy"  # convention: β = 1 is easy
    assert nts.task_regime(2.0, 1.5) == "easy"  # 2 − 1/α = 1.5 is easy (boundary)
    assert nts.task_regime(2.0, 1.5001) == "super-easy"
    assert nts.task_regime(4.0, 1.7) == "easy"  # 2 − 1/4 = 1.75
    assert nts.task_regime(4.0, 1.8) == "super-easy"
    labels = nts.task_regime(np.array([1.5, 2.0, 3.0]), np.array([0.3, 1.2, 2.5]))
    assert list(labels) == ["hard", "easy", "super-easy"]
    grid = nts.task_regime(np.array([[2.0], [4.0]]), np.array([0.5, 1.6, 1.8]))
    assert grid.shape == (2, 3)
    assert list(grid[0]) == ["hard", "super-easy", "super-easy"]
    assert list(grid[1]) == ["hard", "easy", "super-easy"]


def test_time_exponent_values_and_limits():
    assert nts.time_exponent(0.5, rich=False) == pytest.approx(0.5)
    assert nts.time_exponent(0.5) == pytest.approx(2 / 3)
    assert nts.time_exponent(0.25) == pytest.approx(0.4)
    for b in (1.0, 1.5, 2.5):
        assert nts.time_exponent(b) == pytest.approx(b)
    # continuity at β = 1 from both sides
    assert nts.time_exponent(1 - 1e-9) == pytest.approx(nts.time_exponent(1 + 1e-9), abs=1e-8)
    # "nearly doubles" as β → 0
    betas = np.array([1e-1, 1e-2, 1e-4])
    ratio = nts.time_exponent(betas) / nts.time_exponent(betas, rich=False)
    np.testing.assert_allclose(ratio, 2 / (1 + betas))
    assert ratio[-1] == pytest.approx(2.0, abs=1e-3)
    np.testing.assert_allclose(nts.time_exponent_gain(betas), ratio)
    # rich never worse than lazy
    b = np.linspace(0.01, 3, 50)
    assert np.all(nts.time_exponent(b) >= nts.time_exponent(b, rich=False))


def test_loss_exponents_and_terms():
    e = nts.loss_exponents(2.0, 0.5, rich=False)
    assert (e.time, e.model, e.transient, e.noise) == pytest.approx((0.5, 1.0, 0.5, 1.5))
    er = nts.loss_exponents(2.0, 0.5, rich=True)
    assert er.model == pytest.approx(1.0)  # the bottleneck is not improved
    assert er.time == pytest.approx(2 / 3) and er.transient == pytest.approx(0.5 * 4 / 3)
    assert nts.model_bottleneck_exponent(2.0, 3.0) == pytest.approx(4.0)  # α·min(2, β)
    terms = nts.loss_terms(np.array([1.0, 100.0]), 16.0, 4.0, 2.0, 0.5, rich=False, lr=0.5)
    np.testing.assert_allclose(terms.time, [1.0, 0.1])
    np.testing.assert_allclose(terms.model, [1 / 16, 1 / 16])
    np.testing.assert_allclose(terms.transient, [1 / 16, 0.1 / 16])
    np.testing.assert_allclose(terms.noise, [0.125, 0.125 * 100**-1.5])
    assert terms.stacked().shape == (4, 2)
    # hard lazy: time limit early, model bottleneck late (Fig. 1b)
    assert nts.dominant_term(10.0, 2**10, 1.0, 2.0, 0.5, rich=False) == "time"
    assert nts.dominant_term(1e9, 2**5, 1.0, 2.0, 0.5, rich=False) == "model"
    # easy: transient takes over from the time term at late times
    assert nts.dominant_term(1e3, 2**20, 1e6, 2.0, 1.3, rich=True) == "time"
    assert nts.dominant_term(1e10, 2**20, 1e6, 2.0, 1.3, rich=True) == "width transient"
    # ... and at fixed N the model bottleneck is always the final floor
    assert nts.dominant_term(1e30, 2**20, 1e6, 2.0, 1.3, rich=True) == "model"
    # super-easy: SGD noise early (small batch), transient late
    assert nts.dominant_term(10.0, 2**10, 1.0, 2.0, 3.0) == "SGD noise"
    assert nts.dominant_term(1e6, 2**10, 1.0, 2.0, 3.0) == "width transient"


def test_compute_optimal_closed_forms():
    a, b = 2.0, 0.5
    assert nts.compute_optimal_exponent(a, b, rich=False) == pytest.approx(1 / 3)
    assert nts.compute_optimal_exponent(a, b, rich=True) == pytest.approx(2 / 5)
    assert nts.compute_optimal_exponent(3.0, 1.2) == pytest.approx(3.6 / 4.6)
    assert nts.compute_optimal_exponent(3.0, 1.2, rich=False) == pytest.approx(3.6 / 4.6)
    assert nts.compute_optimal_exponent(3.0, 2.5) == pytest.approx(1 - 1 / 6)
    # continuity at β = 1 and at β = 2 − 1/α, lazy and rich, over a range of α
    for alpha in (1.2, 2.0, 4.0):
        for rich in (False, True):
            b1 = [1 - 1e-9, 1 + 1e-9]
            r1 = nts.compute_optimal_exponent(alpha, np.array(b1), rich)
            assert r1[0] == pytest.approx(r1[1], abs=1e-7)
            assert r1[0] == pytest.approx(alpha / (alpha + 1), abs=1e-7)
            be = 2 - 1 / alpha
            r2 = nts.compute_optimal_exponent(alpha, np.array([be - 1e-9, be + 1e-9]), rich)
            assert r2[0] == pytest.approx(r2[1], abs=1e-7)
    # rich hard beats lazy hard
    bs = np.linspace(0.05, 0.95, 10)
    assert np.all(nts.compute_optimal_exponent(2.0, bs) > nts.compute_optimal_exponent(2.0, bs, rich=False))


@pytest.mark.parametrize("rich", [False, True])
def test_allocations_sum_to_one_and_give_r(rich):
    alphas = np.array([1.5, 2.0, 3.0, 2.0, 4.0])
    betas = np.array([0.3, 0.5, 1.3, 1.2, 3.0])
    alloc = nts.optimal_allocation(alphas, betas, rich)
    np.testing.assert_allclose(alloc.model + alloc.time, 1.0)
    e = nts.loss_exponents(alphas, betas, rich)
    regime = nts.task_regime(alphas, betas)
    for i, reg in enumerate(regime):
        if reg == "hard":  # time term = model term = L*
            np.testing.assert_allclose(e.time[i] * alloc.time[i], alloc.loss[i])
            np.testing.assert_allclose(e.model[i] * alloc.model[i], alloc.loss[i])
        elif reg == "easy":  # time term = transient = L*
            np.testing.assert_allclose(e.time[i] * alloc.time[i], alloc.loss[i])
            np.testing.assert_allclose(alloc.model[i] + e.transient[i] * alloc.time[i], alloc.loss[i])
        else:  # transient = noise = L*
            np.testing.assert_allclose(alloc.model[i] + e.transient[i] * alloc.time[i], alloc.loss[i])
            np.testing.assert_allclose(e.noise[i] * alloc.time[i], alloc.loss[i])


def _numerical_optimum(alpha, beta, rich, log10_c):
    """Minimise the full four-term law over N at fixed C = N t, on a fine log grid."""
    best_loss, best_n = [], []
    for lc in log10_c:
        log10_n = np.linspace(0.0, lc, 4001)
        n, t = 10.0**log10_n, 10.0 ** (lc - log10_n)
        total = nts.loss_terms(t, n, 1.0, alpha, beta, rich=rich).total()
        j = np.argmin(total)
        best_loss.append(total[j])
        best_n.append(n[j])
    return np.array(best_loss), np.array(best_n)


@pytest.mark.parametrize(
    "alpha,beta,rich",
    [(2.0, 0.5, False), (2.0, 0.5, True), (3.0, 0.3, True), (2.0, 1.3, True), (1.5, 1.2, False), (2.0, 3.0, True)],
)
def test_numerical_minimisation_reproduces_table1(alpha, beta, rich):
    log10_c = np.linspace(40, 60, 5)
    loss, n_star = _numerical_optimum(alpha, beta, rich, log10_c)
    r_num = -np.polyfit(log10_c, np.log10(loss), 1)[0]
    a_num = np.polyfit(log10_c, np.log10(n_star), 1)[0]
    alloc = nts.optimal_allocation(alpha, beta, rich)
    assert r_num == pytest.approx(nts.compute_optimal_exponent(alpha, beta, rich), abs=0.01)
    assert a_num == pytest.approx(alloc.model, abs=0.02)


def test_bootstrap_converges():
    betas = np.array([0.1, 0.25, 0.5, 0.9])
    lv = nts.bootstrap_exponents(betas, 60)
    assert lv.shape == (61, 4)
    np.testing.assert_allclose(lv[0], betas)
    np.testing.assert_allclose(lv[1], betas * (3 - betas) / 2)
    np.testing.assert_allclose(lv[2], betas * (1 + (1 - betas) / 2 + (1 - betas) ** 2 / 4))
    np.testing.assert_allclose(lv[-1], nts.bootstrap_limit(betas), rtol=1e-12)
    np.testing.assert_allclose(nts.bootstrap_limit(betas), nts.time_exponent(betas))
    assert np.all(np.diff(lv[:8], axis=0) > 0)  # monotone increase towards the limit
    assert np.all(np.diff(lv, axis=0) >= 0)
    gaps = nts.bootstrap_limit(betas) - lv[:5]
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], np.broadcast_to((1 - betas) / 2, (4, 4)), rtol=1e-6)
    assert nts.bootstrap_exponents(0.5, 0).shape == (1,)


@pytest.mark.parametrize(
    "call",
    [
        lambda: nts.task_regime(1.0, 0.5),
        lambda: nts.task_regime(2.0, 0.0),
        lambda: nts.task_regime(np.array([2.0, 0.5]), 0.5),
        lambda: nts.time_exponent(-0.1),
        lambda: nts.time_exponent(np.nan),
        lambda: nts.compute_optimal_exponent(2.0, -1.0),
        lambda: nts.optimal_allocation(0.9, 0.5),
        lambda: nts.bootstrap_exponents(1.5, 3),
        lambda: nts.bootstrap_exponents(0.5, -1),
        lambda: nts.loss_terms(0.0, 16, 1, 2.0, 0.5),
        lambda: nts.loss_terms(1.0, 16, 1, np.array([2.0, 3.0]), 0.5),
        lambda: nts.task_regime(np.ones(2) * 2, np.ones(3) * 0.5),
    ],
)
def test_bad_input_raises(call):
    with pytest.raises(ValueError):
        call()


def test_bad_types_raise():
    with pytest.raises(TypeError):
        nts.time_exponent("0.5")
    with pytest.raises(TypeError):
        nts.time_exponent(0.5, rich="yes")
