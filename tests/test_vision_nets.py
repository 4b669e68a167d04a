"""μP CNN and normalisation-free ResNet of the vision chapters (ntk_scaling.nets.cnn, .resnet)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree

import ntk_scaling as nts


def _images(n, shape, seed=0):
    return jax.random.normal(jax.random.key(seed), (n, *shape), jnp.float32)


def test_cnn_shapes_follow_the_group_architecture():
    m = nts.MeanFieldCNN(width=4, gamma0=0.5)
    p = m.init(jax.random.key(0))
    # MNIST 28 → 26 → 13 → 11 → 5: dense fan-in 5·5·2N
    assert p["conv1"]["w"].shape == (3, 3, 1, 4)
    assert p["conv2"]["w"].shape == (3, 3, 4, 8)
    assert p["dense"]["w"].shape == (5 * 5 * 8, 32)
    assert p["readout"]["w"].shape == (32, 10)
    x = _images(3, (28, 28, 1))
    assert m.apply(p, x).shape == (3, 10)
    assert m.features(p, x).shape == (3, 32)
    assert m.centre and m.output_scale == pytest.approx(2.0)
    assert m.program_key == m._replace(gamma0=1.0)
    assert m.learning_rate(0.1) == pytest.approx(0.1 * 0.25 * 4)
    with pytest.raises(ValueError, match="x must have shape"):
        m.apply(p, _images(2, (32, 32, 3)))
    with pytest.raises(ValueError, match="width"):
        nts.MeanFieldCNN(width=0).init(jax.random.key(0))
    with pytest.raises(ValueError, match="gamma0"):
        nts.MeanFieldCNN(width=2, gamma0=-1.0).init(jax.random.key(0))


def test_avg_pool_floors_odd_sizes():
    x = jnp.arange(2 * 5 * 5 * 1, dtype=jnp.float32).reshape(2, 5, 5, 1)
    y = nts.avg_pool2(x)
    assert y.shape == (2, 2, 2, 1)
    np.testing.assert_allclose(np.asarray(y[0, 0, 0, 0]), np.mean([0, 1, 5, 6]))


@pytest.mark.parametrize("model,shape", [
    (lambda n: nts.MeanFieldCNN(width=n), (28, 28, 1)),
    (lambda n: nts.MeanFieldResNet(width=n, stages=2, image_shape=(16, 16, 3)), (16, 16, 3)),
])
def test_mup_output_shrinks_like_one_over_sqrt_width(model, shape):
    # mean-field readout (÷ fan-in): f_net = O(1/√N) at initialisation
    x = _images(8, shape, 1)
    rms = []
    for n in (8, 128):
        m = model(n)
        draw = jax.jit(lambda k, m=m: m.apply(m.init(k), x))
        outs = [np.asarray(draw(jax.random.key(s))) for s in range(4)]
        rms.append(np.sqrt(np.mean(np.square(outs))))
    assert rms[0] / rms[1] == pytest.approx(4.0, rel=0.3)


@pytest.mark.parametrize("model,shape", [
    (lambda n: nts.MeanFieldCNN(width=n, gamma0=1.0), (28, 28, 1)),
    (lambda n: nts.MeanFieldResNet(width=n, gamma0=1.0, stages=2, image_shape=(16, 16, 3)), (16, 16, 3)),
])
def test_one_sgd_step_moves_features_by_a_width_independent_amount(model, shape):
    # μP with η = η₀γ₀²N: the last hidden features move by O(γ₀η₀) per step whatever N
    x = _images(8, shape, 2)
    y = jax.nn.one_hot(jnp.arange(8) % 10, 10)
    moves = []
    for n in (8, 64):
        m = model(n)

        @jax.jit
        def move(key, m=m):
            p0 = m.init(key)

            def loss(p):
                f = (m.apply(p, x) - m.apply(p0, x)) * m.output_scale
                return jnp.mean((f - y) ** 2)

            g = jax.grad(loss)(p0)
            p1 = jax.tree_util.tree_map(lambda a, b: a - m.learning_rate(0.5) * b, p0, g)
            d = m.features(p1, x) - m.features(p0, x)
            return jnp.sqrt(jnp.mean(d**2))

        moves.append(np.mean([float(move(jax.random.key(s))) for s in range(3)]))
    assert moves[0] > 0
    # NTK scaling would give √8 ≈ 2.8 (lazy features); μP keeps the ratio O(1)
    assert 0.5 < moves[0] / moves[1] < 2.0


def test_resnet_shapes_and_no_normalisation():
    m = nts.MeanFieldResNet(width=4, stages=3, blocks=1)
    p = m.init(jax.random.key(0))
    assert set(p) == {"stem", "s0b0", "s1b0", "s2b0", "readout"}
    assert "short" not in p["s0b0"] and p["s1b0"]["short"].shape == (1, 1, 4, 8)
    assert p["readout"].shape == (16, 10)
    x = _images(2, (32, 32, 3))
    assert m.apply(p, x).shape == (2, 10)
    # activations O(1) without BatchNorm: features neither explode nor vanish
    phi = np.asarray(m.features(p, x))
    assert 0.05 < np.sqrt(np.mean(phi**2)) < 5.0
    with pytest.raises(ValueError, match="stages"):
        nts.MeanFieldResNet(width=2, stages=0).init(jax.random.key(0))


def _fd_ntk(apply, params, x1, x2, eps=1e-6):
    flat, unravel = ravel_pytree(params)
    apply = jax.jit(apply)

    def jac(x):
        cols = []
        for i in range(flat.size):
            e = jnp.zeros_like(flat).at[i].set(eps)
            cols.append((apply(unravel(flat + e), x) - apply(unravel(flat - e), x)) / (2 * eps))
        return jnp.stack(cols, -1)  # (n, k, P)

    j1, j2 = jac(x1), jac(x2)
    return np.asarray(jnp.einsum("iap,jbp->ijab", j1, j2))


@pytest.mark.parametrize("impl", ["jacobian_contraction", "ntk_vector_products", "per_sample_jacobian", "structured_model"])
def test_cnn_entk_matches_finite_differences_float64(impl):
    with jax.enable_x64(True):
        m = nts.MeanFieldCNN(width=2, image_shape=(10, 10, 1), out_dim=3)
        p = jax.tree_util.tree_map(lambda a: a.astype(jnp.float64), m.init(jax.random.key(3)))
        # nonzero biases so their derivatives are exercised too
        p = {k: {**v, "b": v["b"] + 0.1} for k, v in p.items()}
        x1 = jax.random.normal(jax.random.key(4), (3, 10, 10, 1), jnp.float64)
        x2 = jax.random.normal(jax.random.key(5), (2, 10, 10, 1), jnp.float64)
        theta = np.asarray(nts.empirical_ntk(m.apply, p, x1, x2, implementation=impl))
        if impl == "structured_model":  # also the model's own method, symmetric case included
            np.testing.assert_allclose(np.asarray(m.structured_ntk(p, x1)), _fd_ntk(m.apply, p, x1, x1), rtol=1e-6)
        ref = _fd_ntk(m.apply, p, x1, x2)
        assert theta.shape == (3, 2, 3, 3)
        np.testing.assert_allclose(theta, ref, rtol=1e-6, atol=1e-9 * np.abs(ref).max())
        tr = np.asarray(nts.empirical_ntk(m.apply, p, x1, x2, implementation=impl, trace_logits=True))
        np.testing.assert_allclose(tr, np.trace(ref, axis1=2, axis2=3), rtol=1e-6)


def test_default_ntk_of_the_cnn_is_structured():
    from ntk_scaling.kernels.empirical import NTKImplementation, _resolve_implementation

    m = nts.MeanFieldCNN(width=2, image_shape=(12, 12, 1))
    assert _resolve_implementation(m.apply, None)[0] is NTKImplementation.STRUCTURED_MODEL
    assert nts.structured_model_of(m.apply) is m
    with pytest.raises(ValueError, match="structured_ntk"):
        nts.empirical_ntk(lambda p, x: x @ p, jnp.ones((3, 2)), jnp.ones((4, 3)), implementation="structured_model")
