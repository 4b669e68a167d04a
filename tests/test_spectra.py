"""α and β estimators on a synthetic kernel with known exponents (ntk_scaling.kernels.spectra)."""

from __future__ import annotations

import numpy as np
import pytest

import ntk_scaling as nts


def _synthetic(n=600, alpha=1.5, beta=0.4, classes=10, seed=0):
    """K = U diag(k^-α) Uᵀ and targets whose power on u_ℓ is ∝ ℓ^(-αβ-1), split over classes."""
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal((n, n)))
    k = np.arange(1, n + 1, dtype=float)
    kernel = (u * k ** -alpha) @ u.T
    power = k ** (-alpha * beta - 1.0)
    share = rng.dirichlet(np.ones(classes), size=n)  # how each mode's power is split over classes
    coeff = np.sqrt(power[:, None] * share) * rng.choice([-1, 1], size=(n, classes))
    return kernel, u @ coeff


@pytest.mark.parametrize("alpha,beta", [(1.5, 0.4), (2.0, 0.15), (1.2, 0.8)])
def test_recovers_known_alpha_and_beta(alpha, beta):
    kernel, y = _synthetic(alpha=alpha, beta=beta)
    fit = nts.fit_kernel_spectrum(kernel, y, alpha_window=(5, 60), beta_window=(5, 60))
    assert fit.alpha == pytest.approx(alpha, rel=1e-6)
    assert fit.alpha_ci[0] - 1e-9 <= alpha <= fit.alpha_ci[1] + 1e-9
    # the truncation-aware tail fit is exact up to the midpoint rule's error
    assert fit.beta == pytest.approx(beta, rel=0.01)
    assert fit.beta_ci[0] <= beta <= fit.beta_ci[1]
    assert fit.tail[-1] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(fit.power.sum(), np.sum(y**2), rtol=1e-10)


def test_predictions_and_intervals_map_through():
    pred = nts.predicted_time_exponents(0.5, (0.4, 0.6))
    assert pred["lazy"] == (0.5, (0.4, 0.6))
    assert pred["rich"][0] == pytest.approx(2 / 3)
    assert pred["rich"][1] == pytest.approx((0.8 / 1.4, 1.2 / 1.6))
    assert nts.predicted_time_exponents(2.0)["rich"][0] == 2.0  # easy task: no gain
    with pytest.raises(ValueError, match="beta"):
        nts.predicted_time_exponents(-1.0)


def test_labels_are_one_hot_and_errors_are_named():
    kernel, _ = _synthetic(n=50)
    labels = np.arange(50) % 10
    _, vec = nts.kernel_eigensystem(kernel)
    p_int, t_int = nts.target_tail_power(vec, labels)
    p_hot, _ = nts.target_tail_power(vec, np.eye(10)[labels])
    np.testing.assert_allclose(p_int, p_hot)
    assert np.all(np.diff(t_int) <= 1e-12)
    with pytest.raises(ValueError, match="square"):
        nts.kernel_eigensystem(np.ones((3, 4)))
    with pytest.raises(ValueError, match="alpha_window"):
        nts.fit_kernel_spectrum(kernel, labels, alpha_window=(10, 11))
    with pytest.raises(ValueError, match="same number of samples"):
        nts.target_tail_power(vec, labels[:10])


def test_pure_power_law_tail_fit_is_biased_by_truncation():
    # the n empirical modes carry all the power, so T(n) = 0 and a slow tail looks steeper
    kernel, y = _synthetic(alpha=2.0, beta=0.15)
    pure = nts.fit_kernel_spectrum(kernel, y, alpha_window=(5, 60), truncation=False)
    assert pure.beta > 0.2
