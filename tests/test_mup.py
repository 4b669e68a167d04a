"""Mean-field / μP MLP of [B] Section 5 (ntk_scaling.nets.mup)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ntk_scaling as nts


def _circle(n: int, offset: float = 0.0) -> jnp.ndarray:
    theta = offset + 2 * np.pi * np.arange(n) / n
    return jnp.asarray(np.stack([np.cos(theta), np.sin(theta)], 1), jnp.float32)


def test_forward_shapes_and_centred_output_is_zero_at_init():
    m = nts.MeanFieldMLP(width=64, depth=3, gamma0=0.5, q_phi=1.5, out_dim=2)
    p = m.init(jax.random.key(0))
    assert [layer["w"].shape for layer in p] == [(2, 64), (64, 64), (64, 64), (64, 2)]
    x = _circle(9)
    assert m.apply(p, x).shape == (9, 2)
    np.testing.assert_array_equal(np.asarray(nts.mean_field_output(m, p, p, x)), 0.0)
    assert m.centre is True and m.output_scale == pytest.approx(2.0)
    assert m.features(p, x).shape == (9, 64)


def test_raw_output_shrinks_like_one_over_sqrt_width():
    # mean-field readout 1/N: f_net = O(1/√N) at initialisation
    x = _circle(64)
    rms = []
    for n in (128, 2048):
        m = nts.MeanFieldMLP(width=n, depth=2, q_phi=1.0)
        draw = jax.jit(lambda k, m=m: m.apply(m.init(k), x))
        outs = [np.asarray(draw(jax.random.key(s))) for s in range(4)]
        rms.append(np.sqrt(np.mean(np.square(outs))))
    assert rms[0] / rms[1] == pytest.approx(4.0, rel=0.25)


@pytest.mark.parametrize("q_phi", [1.0, 1.5, 2.0])
def test_structured_ntk_equals_jacobian_ntk(q_phi):
    m = nts.MeanFieldMLP(width=48, depth=3, gamma0=0.7, q_phi=q_phi, out_dim=2)
    p = m.init(jax.random.key(1))
    x1, x2 = _circle(7), _circle(5, offset=0.3)
    a = np.asarray(m.ntk(p, x1, x2))
    b = np.asarray(nts.empirical_ntk(m.apply, p, x1, x2, implementation="jacobian_contraction"))
    np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-7 * np.abs(b).max())


def test_learning_rate_and_validation():
    assert nts.mean_field_learning_rate(0.5, 0.1, 1000) == pytest.approx(0.5 * 0.01 * 1000)
    assert nts.MeanFieldMLP(width=10, gamma0=2.0).learning_rate(0.25) == pytest.approx(0.25 * 4 * 10)
    with pytest.raises(ValueError, match="gamma0"):
        nts.mean_field_learning_rate(0.5, 0.0, 10)
    with pytest.raises(ValueError, match="width"):
        nts.mean_field_learning_rate(0.5, 1.0, 0)
    with pytest.raises(ValueError, match="gamma0"):
        nts.MeanFieldMLP(width=8, gamma0=-1.0).init(jax.random.key(0))
    with pytest.raises(ValueError, match="q_phi"):
        nts.MeanFieldMLP(width=8, q_phi=0.5).init(jax.random.key(0))
    with pytest.raises(ValueError, match="depth"):
        nts.MeanFieldMLP(width=8, depth=0).init(jax.random.key(0))
    m = nts.MeanFieldMLP(width=8)
    with pytest.raises(ValueError, match="shape"):
        m.apply(m.init(jax.random.key(0)), jnp.ones((3, 3)))
    assert m.program_key == m._replace(gamma0=1.0)


@functools.partial(jax.jit, static_argnums=(0,))
def _one_step_movement(m, key, lr):
    p0 = m.init(key)
    xb = _circle(16, offset=0.1)
    yb = jnp.sin(3 * jnp.arctan2(xb[:, 1], xb[:, 0]))[:, None]
    def loss(p):
        return jnp.mean((nts.mean_field_output(m, p, p0, xb) - yb) ** 2)

    grads = jax.grad(loss)(p0)
    p1 = jax.tree_util.tree_map(lambda a, g: a - lr * g, p0, grads)
    probe = _circle(32, offset=0.05)
    pre0 = nts.mean_field_forward(m, p0, probe)[2]
    pre1 = nts.mean_field_forward(m, p1, probe)[2]
    return jnp.stack([jnp.sqrt(jnp.mean((b - a) ** 2)) for a, b in zip(pre0, pre1)])


def _feature_movement(width: int, gamma0: float, eta0: float, *, scale_lr: bool, seeds=(0, 1)) -> np.ndarray:
    """RMS change per neuron of every hidden pre-activation after one SGD step on a fixed
    batch, averaged over initialisations."""
    m = nts.MeanFieldMLP(width=width, depth=2, gamma0=gamma0, q_phi=1.0)
    lr = m.learning_rate(eta0) if scale_lr else eta0 * gamma0**2
    return np.mean([np.asarray(_one_step_movement(m, jax.random.key(s), lr)) for s in seeds], 0)


def test_mup_feature_movement_per_step_is_width_independent():
    gamma0, eta0 = 0.5, 0.2
    moves = {n: _feature_movement(n, gamma0, eta0, scale_lr=True) for n in (128, 512, 2048)}
    for n in (512, 2048):
        np.testing.assert_allclose(moves[n], moves[128], rtol=0.15)
    # the movement is O(γ₀ η₀): doubling γ₀ doubles it (first order in the step)
    double = _feature_movement(512, 2 * gamma0, eta0, scale_lr=True)
    np.testing.assert_allclose(double / moves[512], 2.0, rtol=0.1)


def test_without_the_width_factor_the_features_freeze():
    # the same step without the N in η = η₀γ₀²N moves features ∝ 1/N: the check above can fail
    small = _feature_movement(128, 0.5, 0.2, scale_lr=False)
    large = _feature_movement(512, 0.5, 0.2, scale_lr=False)
    np.testing.assert_allclose(small / large, 4.0, rtol=0.2)
