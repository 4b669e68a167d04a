"""The mean-field / μP decoder-only transformer (ntk_scaling.nets.transformer)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ntk_scaling as nts


def _net(width: int, **kw) -> nts.MeanFieldTransformer:
    return nts.MeanFieldTransformer(width=width, depth=2, n_heads=2, vocab_size=11, max_len=16, mlp_ratio=2, **kw)


def _tokens(key: int, n: int = 3, t: int = 16, v: int = 11) -> jax.Array:
    return jax.random.randint(jax.random.PRNGKey(key), (n, t), 0, v)


def test_shapes_and_parameter_shapes():
    net = _net(32)
    params = net.init(jax.random.PRNGKey(0))
    assert params["embed"].shape == (11, 32) and params["pos"].shape == (16, 32)
    assert params["readout"].shape == (32, 11) and len(params["blocks"]) == 2
    assert params["blocks"][0]["w1"].shape == (32, 64) and params["blocks"][0]["w2"].shape == (64, 32)
    out = jax.jit(net.apply)(params, _tokens(1))
    assert out.shape == (3, 16, 11) and out.dtype == jnp.float32
    assert net.apply(params, _tokens(1, t=5)).shape == (3, 5, 11)  # shorter contexts work
    with pytest.raises(ValueError, match="max_len|T <= 16"):
        net.apply(params, _tokens(1, t=17))
    with pytest.raises(ValueError, match="divisible"):
        nts.MeanFieldTransformer(width=33, n_heads=2).init(jax.random.PRNGKey(0))
    with pytest.raises(ValueError, match="gamma0"):
        nts.MeanFieldTransformer(width=32, gamma0=0.0).init(jax.random.PRNGKey(0))


def test_causal_output_at_t_ignores_later_tokens():
    net = _net(32)
    params = net.init(jax.random.PRNGKey(0))
    x = _tokens(2)
    t = 7
    y = x.at[:, t + 1:].set((x[:, t + 1:] + 3) % 11)  # change every token after t
    apply = jax.jit(net.apply)
    a, b = apply(params, x), apply(params, y)
    np.testing.assert_allclose(a[:, : t + 1], b[:, : t + 1], rtol=0, atol=1e-6)
    assert float(jnp.max(jnp.abs(a[:, t + 1:] - b[:, t + 1:]))) > 1e-4  # later positions do see them
    # and the gradient of output t with respect to the embeddings of later tokens is zero
    def out_t(e):
        return jnp.sum(net.apply({**params, "embed": e}, x)[:, t])

    g = jax.jit(jax.grad(out_t))(params["embed"])
    later_only = sorted(set(np.asarray(x[:, t + 1:]).ravel()) - set(np.asarray(x[:, : t + 1]).ravel()))
    if later_only:
        np.testing.assert_allclose(g[np.array(later_only)], 0.0, atol=1e-7)


def test_attention_is_scaled_by_one_over_head_dim():
    key = jax.random.PRNGKey(4)
    q = jax.random.normal(key, (1, 4, 1, 8))
    k = jax.random.normal(jax.random.PRNGKey(5), (1, 4, 1, 8))
    w = nts.attention_weights(q, k)
    scores = np.einsum("td,sd->ts", np.asarray(q[0, :, 0]), np.asarray(k[0, :, 0])) / 8.0  # 1/d, not 1/sqrt(d)
    for t in range(4):
        e = np.exp(scores[t, : t + 1] - scores[t, : t + 1].max())
        np.testing.assert_allclose(w[0, 0, t, : t + 1], e / e.sum(), rtol=1e-5)
        np.testing.assert_allclose(w[0, 0, t, t + 1:], 0.0)


def test_attention_becomes_uniform_as_width_grows():
    # at init q.k/d_h has spread ~ 1/sqrt(d_h): the weights approach 1/(t+1) like 1/sqrt(N)
    dev = []
    for width in (16, 64, 256):
        net = _net(width)
        params = net.init(jax.random.PRNGKey(0))
        x = _tokens(3, n=8)

        def first_layer_weights(params, x, width=width):
            a = nts.rms_norm((params["embed"][x] + params["pos"][None]) / np.sqrt(2.0))
            blk = params["blocks"][0]
            shape = (8, 16, 2, width // 2)
            q = (a @ blk["wq"] / np.sqrt(width)).reshape(shape)
            k = (a @ blk["wk"] / np.sqrt(width)).reshape(shape)
            return nts.attention_weights(q, k)

        w = np.asarray(jax.jit(first_layer_weights)(params, x))
        uniform = np.tril(np.ones((16, 16))) / np.arange(1, 17)[:, None]
        dev.append(np.sqrt(np.mean((w - uniform[None, None]) ** 2)))
    ratios = np.array(dev[:-1]) / np.array(dev[1:])  # width x4 -> deviation /2
    assert np.all((ratios > 1.5) & (ratios < 2.7)), (dev, ratios)


def test_initial_output_is_order_one_over_sqrt_width_and_centred_output_is_zero():
    x = _tokens(6, n=16)
    spreads = []
    for width in (32, 128, 512):
        net = _net(width)
        p0 = net.init(jax.random.PRNGKey(1))
        out = jax.jit(net.apply)(p0, x)
        spreads.append(float(jnp.std(out)) * np.sqrt(width))
        centred = jax.jit(lambda p, net=net: nts.trained_output(net, p, p, x))(p0)
        assert float(jnp.max(jnp.abs(centred))) == 0.0
    spreads = np.array(spreads)
    assert np.all(spreads / spreads.mean() > 0.8) and np.all(spreads / spreads.mean() < 1.25), spreads


def test_one_sgd_step_moves_logits_by_a_width_independent_amount():
    # muP: with eta = eta0 gamma0^2 N, the change of the centred, scaled output after one step is O(1) in N
    x = _tokens(7, n=8)
    y = _tokens(8, n=8)
    changes = []
    for width in (32, 128, 512):
        net = _net(width, gamma0=1.0)
        p0 = net.init(jax.random.PRNGKey(2))

        def loss(p, net=net, p0=p0):
            out = nts.trained_output(net, p, p0, x)
            return jnp.mean(nts.online_loss("cross_entropy")(out, y))

        lr = net.learning_rate(0.5)

        @jax.jit
        def change(p0, net=net, loss=loss, lr=lr):
            g = jax.grad(loss)(p0)
            p1 = jax.tree_util.tree_map(lambda p, d: p - lr * d, p0, g)
            return jnp.sqrt(jnp.mean(nts.trained_output(net, p1, p0, x) ** 2))

        changes.append(float(change(p0)))
    changes = np.array(changes)
    assert np.all(changes > 0.01)
    assert changes.max() / changes.min() < 1.3, changes


def test_program_key_and_learning_rate():
    a, b = _net(32, gamma0=0.1), _net(32, gamma0=2.0)
    assert a.program_key == b.program_key
    assert a.output_scale == pytest.approx(10.0)
    assert b.learning_rate(0.5) == pytest.approx(0.5 * 4.0 * 32)
