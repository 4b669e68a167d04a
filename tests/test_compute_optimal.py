"""Tests of frontier extraction (ntk_scaling.compute_optimal) on synthetic loss curves."""

from __future__ import annotations

import numpy as np
import pytest

import ntk_scaling as nts


def _synthetic(a, b, widths, steps):
    return steps[None, :] ** -a + widths[:, None] ** -b


@pytest.mark.parametrize("a,b", [(0.5, 1.0), (2 / 3, 1.0), (1.0, 0.5)])
def test_frontier_recovers_ab_over_a_plus_b(a, b):
    widths = 2.0 ** np.arange(0, 24, 0.5)
    steps = np.geomspace(1, 1e12, 400)
    fr = nts.compute_frontier(steps, widths, _synthetic(a, b, widths, steps), n_points=80)
    assert fr.loss.shape == fr.compute.shape == fr.best_width.shape == (80,)
    fit = nts.fit_frontier_exponent(fr, cmin=1e6, cmax=1e14)
    assert -fit.exponent == pytest.approx(a * b / (a + b), abs=0.01)
    # inside the window the envelope equals the exact minimum over the width set
    # (log-log interpolation of the curves costs at most a small relative error)
    ana = np.array([np.min((c / widths) ** -a + widths**-b) for c in fr.compute])
    win = (fr.compute >= 1e6) & (fr.compute <= 1e14)
    np.testing.assert_allclose(fr.loss[win], ana[win], rtol=1e-3)
    # crossovers give the allocation exponent of N*: N* ∼ C^{a/(a+b)}
    xo = nts.width_crossovers(steps, widths, _synthetic(a, b, widths, steps))
    ok = (xo.compute > 1e6) & (xo.compute < 1e14)
    fit_n = nts.fit_power_law(xo.compute[ok], xo.width[ok])
    assert fit_n.exponent == pytest.approx(a / (a + b), abs=0.02)
    # the parabolic N*(C) of the frontier gives the same exponent
    fit_v = nts.fit_optimal_width_exponent(fr, min_steps=1e3)
    assert fit_v.exponent == pytest.approx(a / (a + b), abs=0.02)


def test_frontier_with_seeds_and_few_widths():
    rng = np.random.default_rng(0)
    widths = 2.0 ** np.arange(3, 10)
    steps = np.geomspace(1, 1e5, 64)
    clean = _synthetic(0.5, 1.0, widths, steps)
    noisy = clean[None] * np.exp(0.02 * rng.standard_normal((4,) + clean.shape))
    fr = nts.compute_frontier(steps, widths, noisy)
    assert fr.loss.shape == (4, fr.compute.size)
    assert fr.interior.any() and not fr.interior.all()
    fit = nts.fit_frontier_exponent(fr)
    assert fit.exponent_ci[0] < fit.exponent < fit.exponent_ci[1]
    # coarse set of widths: the slope is still near ab/(a+b) = 1/3
    assert -fit.exponent == pytest.approx(1 / 3, abs=0.05)
    xo = nts.width_crossovers(steps, widths, noisy)
    assert np.isfinite(xo.compute).sum() >= 4
    fit_n = nts.fit_optimal_width_exponent(xo)
    assert fit_n.exponent == pytest.approx(1 / 3, abs=0.06)
    fit_v = nts.fit_optimal_width_exponent(fr)
    assert fit_v.exponent == pytest.approx(1 / 3, abs=0.06)


def test_frontier_bad_input():
    steps = np.geomspace(1, 100, 10)
    widths = np.array([4.0, 8.0, 16.0])
    good = _synthetic(0.5, 1.0, widths, steps)
    with pytest.raises(ValueError):
        nts.compute_frontier(steps, widths, good[:, :5])
    with pytest.raises(ValueError):
        nts.compute_frontier(steps, widths[::-1], good)
    with pytest.raises(ValueError):
        nts.compute_frontier(steps[::-1], widths, good)
    bad = good.copy()
    bad[1, 3] = np.nan
    with pytest.raises(FloatingPointError):
        nts.compute_frontier(steps, widths, bad)
    fr = nts.compute_frontier(steps, widths, good, n_points=10)
    with pytest.raises(ValueError):
        nts.fit_frontier_exponent(fr, cmin=1e9)
    with pytest.raises(ValueError):
        nts.fit_frontier_exponent(fr, min_steps=1e6)


def test_min_steps_drops_early_frontier_points():
    widths = 2.0 ** np.arange(0, 16, 0.5)
    steps = np.geomspace(1, 1e8, 200)
    fr = nts.compute_frontier(steps, widths, _synthetic(0.5, 1.0, widths, steps), n_points=60)
    full = nts.fit_frontier_exponent(fr)
    cut = nts.fit_frontier_exponent(fr, min_steps=1e3)
    assert cut.n < full.n
    assert np.all(fr.compute[fr.interior] / fr.best_width[fr.interior] >= steps[0] * (1 - 1e-9))
    assert -cut.exponent == pytest.approx(1 / 3, abs=0.02)


def test_sweep_rejects_too_few_modes(tmp_path, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_CACHE", str(tmp_path))
    with pytest.raises(ValueError, match="n_modes"):
        nts.sweep_width_family(alpha=2.0, beta=0.5, widths=[8, 64], gamma=0.0, lr=0.5, n_modes=64,
                               batch=8, steps=10, n_seeds=1, n_records=4)
