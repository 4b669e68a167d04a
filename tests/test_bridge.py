"""Exponent read-outs and [A]'s kernel lens on [B]'s model (training/bridge.py, solvable/kernel_lens.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ntk_scaling as nts
from ntk_scaling.cache import cache_policy

STEPS = nts.log_steps(10000, 40)


def _noisy_power_law(chi: float, n_seeds: int, rng, noise: float = 0.05) -> np.ndarray:
    t = np.maximum(STEPS, 1).astype(float)
    amp = rng.lognormal(0.0, noise, (n_seeds, 1))
    return 2.0 * amp * t**-chi * rng.lognormal(0.0, noise, (n_seeds, t.size))


def test_late_time_exponent_recovers_synthetic_power_laws():
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(40):
        fit = nts.late_time_exponent(STEPS, _noisy_power_law(0.37, 4, rng), fit_from=0.05)
        assert fit.exponent == pytest.approx(0.37, abs=0.05)
        covered += fit.ci[0] <= 0.37 <= fit.ci[1]
    assert covered >= 34  # 95% intervals cover the truth in most repeats
    single = nts.late_time_exponent(STEPS, _noisy_power_law(0.8, 1, rng)[0], fit_from=0.05)
    assert single.n_seeds == 1 and single.ci[0] < 0.8 < single.ci[1]
    with pytest.raises(ValueError, match="recorded steps"):
        nts.late_time_exponent(STEPS[:5], np.ones(5), fit_from=0.9)
    with pytest.raises(ValueError, match="NaN"):
        nts.late_time_exponent(STEPS, np.full(STEPS.size, np.nan))


def test_local_exponents_and_gain_on_broken_power_laws():
    t = np.maximum(STEPS, 1).astype(float)
    lazy = np.stack([t**-0.5, 1.01 * t**-0.5])
    rich = np.stack([np.where(t < 100, t**-0.5, 0.1 * (t / 100) ** -0.8) * f for f in (1.0, 1.02)])
    loc = nts.local_exponents(STEPS, lazy, window=5)
    np.testing.assert_allclose(loc.exponent, 0.5, atol=1e-9)
    assert np.all(loc.lo <= loc.exponent + 1e-12) and np.all(loc.hi >= loc.exponent - 1e-12)
    gain = nts.exponent_gain(STEPS, rich, lazy, window=5)
    late = gain.steps > 300
    np.testing.assert_allclose(gain.gain[late], 0.3, atol=1e-6)
    np.testing.assert_allclose(gain.gain[gain.steps < 30], 0.0, atol=1e-6)
    assert 80 <= nts.onset_step(gain.steps, gain.lo, 0.1) <= 300
    assert nts.onset_step(gain.steps, gain.lo, 1.0) == float("inf")


def test_effective_time_and_isotropic_prediction():
    q = np.array([0, 10, 100, 1000])
    np.testing.assert_allclose(nts.effective_time([0, 50, 1000], q, np.zeros(4)), [0, 50, 1000])
    tau = nts.effective_time([1000], q, np.array([0.0, 3.0, 3.0, 3.0]))
    assert tau[0] == pytest.approx(4000, rel=0.01)  # Δ = 3 after the first steps: τ ≈ 4t
    # a rich curve built as L_lazy(τ(t)) is predicted exactly from its trace ratio
    delta = np.array([0.0, 0.2, 1.0, 4.0])
    def lazy(s):
        return (1.0 + np.asarray(s)) ** -0.5

    rich = lazy(nts.effective_time(STEPS[STEPS <= 1000], q, delta))
    np.testing.assert_allclose(nts.isotropic_loss_prediction(STEPS[STEPS <= 1000], q, delta, lazy), rich)
    with pytest.raises(ValueError, match="starting at 0"):
        nts.effective_time([5], [1, 10], [0.0, 1.0])
    with pytest.raises(ValueError, match="last eNTK record"):
        nts.effective_time([5000], q, delta)


def test_gain_trace_relation_finds_a_relation_and_its_absence():
    rng = np.random.default_rng(1)
    delta = rng.uniform(0, 10, 60)
    gain = 0.1 * np.log1p(delta) + rng.normal(0, 0.01, 60)
    rel = nts.gain_trace_relation(delta, gain, n_boot=500)
    assert rel.slope_ci[0] < 0.1 < rel.slope_ci[1] and rel.spearman > 0.8
    none = nts.gain_trace_relation(delta, rng.normal(0, 0.05, 60), n_boot=500)
    assert none.spearman_ci[0] < 0 < none.spearman_ci[1]
    with pytest.raises(ValueError, match="points"):
        nts.gain_trace_relation([0.1, 0.2], [0.0, 0.1])


def test_kernel_lens_metrics_of_an_explicit_matrix():
    lam = 1.0 / np.arange(1, 41) ** 2
    ws = np.arange(1, 41) ** -0.3
    v = 0.5 * ws
    gamma = 0.7
    trace, rank, align = nts.kernel_lens_metrics(lam, ws, v, gamma)
    kap = float(nts.kernel_multiplier(v @ v, gamma))
    s = np.sqrt(lam) * v
    theta = kap * np.diag(lam) + gamma / kap * np.outer(s, s)
    summary = nts.ntk_summary(theta)
    assert trace == pytest.approx(summary.trace, rel=1e-12)
    assert rank == pytest.approx(summary.effective_rank, rel=1e-9)
    assert align == pytest.approx(nts.kernel_target_alignment(theta, np.sqrt(lam) * ws), rel=1e-9)


def test_dmft_kernel_lens_loss_and_effective_time_mechanism():
    task = nts.circle_power_law_task(1.5, 2.0, 2, 200)
    lr = 0.2
    with cache_policy(enabled=False):
        lazy = nts.dmft_kernel_lens(task, lr=lr, gamma=0.0, steps=2000, n_records=20)
        rich = nts.dmft_kernel_lens(task, lr=lr, gamma=1.0, steps=2000, n_records=20)
        ref = nts.dmft_limit(task, lr=lr, gamma=1.0, steps=2000, n_records=20)
    np.testing.assert_allclose(rich.loss, ref.loss, rtol=1e-5)
    np.testing.assert_array_equal(lazy.trace_ratio, 0.0)
    assert np.all(np.diff(rich.trace_ratio[5:]) > 0) and rich.trace_ratio[-1] > 0.5
    assert rich.alignment[-1] > rich.alignment[0]
    # in [B]'s model the rich curve is the lazy curve (same initial kernel (1+γ)Λ) at τ(t)
    pred = nts.isotropic_loss_prediction(
        rich.steps, rich.steps, rich.trace_ratio, lambda tau: nts.lazy_loss(task, lr=lr * 2.0, steps=tau, flow=True)
    )
    np.testing.assert_allclose(pred[5:], rich.loss[5:], rtol=0.15)


def test_circle_lazy_loss_is_the_lazy_linear_model():
    task = nts.circle_power_law_task(1.0, 1.0, 2, 500, dtype=np.float64)
    t = np.array([0, 1, 10, 100, 1000])
    np.testing.assert_allclose(
        nts.circle_lazy_loss(1.0, 1.0, 2, eta0=0.3, steps=t, n_modes=500), nts.lazy_loss(task, lr=0.6, steps=t), rtol=1e-10
    )
    assert nts.circle_lazy_loss(1.0, 1.0, 2, eta0=0.3, steps=[0], n_modes=500)[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="stability"):
        nts.circle_lazy_loss(1.0, 1.0, 2, eta0=100.0, steps=[1], n_modes=50)


def test_realised_fraction():
    rng = np.random.default_rng(2)
    p = rng.uniform(0, 0.3, 40)
    frac, ci = nts.realised_fraction(p, 0.4 * p + rng.normal(0, 0.01, 40), n_boot=500)
    assert frac == pytest.approx(0.4, abs=0.05) and ci[0] < 0.4 < ci[1]
    with pytest.raises(ValueError, match="zero"):
        nts.realised_fraction(np.zeros(5), np.ones(5))


def test_diagonal_plus_rank_one_eigenvalues_match_eigh():
    rng = np.random.default_rng(3)
    d = np.sort(rng.uniform(0, 1, 200)) ** 3
    z = rng.normal(size=200)
    z[5] = 0.0  # a deflated direction
    mu = nts.diagonal_plus_rank_one_eigenvalues(d, 0.7, z)
    np.testing.assert_allclose(mu, np.linalg.eigvalsh(np.diag(d) + 0.7 * np.outer(z, z)), rtol=1e-9, atol=1e-14)
    np.testing.assert_array_equal(nts.diagonal_plus_rank_one_eigenvalues(d, 0.0, z), d)


def test_exponent_verdict():
    assert nts.exponent_verdict(0.5, (0.45, 0.52), tolerance=0.0, max_halfwidth=0.1) == "agrees"
    assert nts.exponent_verdict(0.667, (0.45, 0.52), tolerance=0.05, max_halfwidth=0.1) == "disagrees"
    assert nts.exponent_verdict(0.667, (0.1, 0.7), tolerance=0.05, max_halfwidth=0.1) == "not tested"
    assert nts.exponent_verdict(0.5, (np.nan, 0.7), tolerance=0.05, max_halfwidth=0.1) == "not tested"


def test_prediction_interval_verdict_tests_the_nearest_allowed_value():
    fit = nts.LateExponent(0.40, (0.38, 0.42), 0.01, 10.0, 100.0, 8, 4)
    # 0.30 alone is far outside; an interval reaching 0.37 agrees within tolerance 0.02
    assert nts.prediction_interval_verdict(fit, 0.30, None, tolerance=0.02, max_halfwidth=0.1) == "disagrees"
    assert nts.prediction_interval_verdict(fit, 0.30, (0.25, 0.37), tolerance=0.02, max_halfwidth=0.1) == "agrees"
    assert nts.prediction_interval_verdict(fit, 0.30, (0.25, 0.37), tolerance=0.0, max_halfwidth=0.1) == "disagrees"
    assert nts.prediction_interval_verdict(fit, 0.40, None, tolerance=0.0, max_halfwidth=0.01) == "not tested"


def test_exponent_difference_combines_upper_halfwidths_in_quadrature_and_its_sign_verdict():
    rich = nts.LateExponent(0.60, (0.57, 0.63), 0.01, 10.0, 100.0, 8, 4)
    lazy = nts.LateExponent(0.50, (0.46, 0.54), 0.01, 10.0, 100.0, 8, 4)
    diff, (lo, hi) = nts.exponent_difference(rich, lazy)
    np.testing.assert_allclose([diff, hi - diff, diff - lo], [0.10, 0.05, 0.05], rtol=1e-12)
    assert nts.gain_sign_verdict((lo, hi)) == "agrees"
    assert nts.gain_sign_verdict((-hi, -lo)) == "disagrees"
    assert nts.gain_sign_verdict((-0.01, 0.2)) == "not tested"
