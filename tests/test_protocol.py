"""The training protocol of [A]: validation, each option against a plain optax loop, μP, read-outs."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import ntk_scaling as nts

EPOCHS = 6


def _plain_loop(protocol: nts.Protocol, width: int, n_seeds: int = 2):
    """The same training written directly with optax: final train and test losses per seed."""
    data = nts.synthetic_data(40, 20, protocol.n_ntk, seed=0)
    par = {"sp": "standard", "ntk": "ntk", "mup": "mup"}[protocol.parameterisation]
    cfg = nts.MLPConfig(in_dim=16, width=width, depth=protocol.n_hidden_layers, out_dim=4, parameterisation=par)
    lr = protocol.learning_rate * (protocol.base_width / width) ** protocol.lr_width_exponent
    if protocol.parameterisation == "mup":
        # μP for Adam, written out: hidden-to-hidden weights get lr·base/fan_in, all else lr
        factors = [{"w": protocol.base_width / width if 0 < i < cfg.depth else 1.0, "b": 1.0} for i in range(cfg.depth + 1)]
    else:
        factors = [{"w": 1.0, "b": 1.0}] * (cfg.depth + 1)

    def loss(p, x, y):
        out = nts.mlp_apply(cfg, p, x)
        if protocol.loss == "mse":
            return jnp.mean((out - y) ** 2)
        return -jnp.mean(jnp.sum(y * jax.nn.log_softmax(out), -1))

    base = optax.adam(lr) if protocol.optimiser == "adam" else optax.sgd(lr)
    out = []
    for key in nts.seed_keys(0, n_seeds):
        params = nts.init_mlp(key, cfg)
        state = base.init(params)
        for _ in range(EPOCHS):
            g = jax.grad(loss)(params, data.x_train, data.y_train)
            updates, state = base.update(g, state, params)
            updates = jax.tree_util.tree_map(lambda u, f: u * f, updates, factors)
            params = optax.apply_updates(params, updates)
        out.append((float(loss(params, data.x_train, data.y_train)), float(loss(params, data.x_test, data.y_test))))
    return np.asarray(out)


@pytest.mark.parametrize("overrides", [
    dict(),
    dict(loss="cross_entropy"),
    dict(optimiser="sgd", learning_rate=0.05),
    dict(lr_width_exponent=1.0, base_width=64),
    dict(parameterisation="ntk"),
    dict(parameterisation="mup", base_width=16),
    dict(parameterisation="mup", loss="cross_entropy", base_width=128),
    dict(n_hidden_layers=3),
])
def test_protocol_options_match_a_plain_optax_loop(overrides):
    protocol = nts.protocol_from("mse_adam", epochs=EPOCHS, learning_rate=overrides.pop("learning_rate", 3e-3),
                                 n_ntk=4, **overrides)
    run = nts.train_protocol(protocol=protocol, dataset="synthetic", n_train=40, width=32, n_seeds=2, n_test=20,
                             n_checkpoints=3)
    assert run.protocol == protocol and run.width == 32
    plain = _plain_loop(protocol, 32)
    np.testing.assert_allclose(run.result.train_loss[:, -1], plain[:, 0], rtol=2e-4, atol=1e-6)
    np.testing.assert_allclose(run.result.test_loss[:, -1], plain[:, 1], rtol=2e-4, atol=1e-6)
    # the losses moved: the comparison is not of two untrained networks
    assert np.all(np.abs(run.result.train_loss[:, -1] - run.result.train_loss[:, 0]) > 1e-4)


def test_width_scaled_learning_rate():
    p = nts.protocol_from("mse_adam", lr_width_exponent=1, base_width=64, learning_rate=1e-3)
    assert nts.protocol_learning_rate(p, 64) == pytest.approx(1e-3)
    assert nts.protocol_learning_rate(p, 256) == pytest.approx(2.5e-4)
    assert nts.protocol_learning_rate(nts.PROTOCOLS["mse_adam"], 4096) == pytest.approx(1e-3)


def test_scale_255_preprocessing_divides_pixels(real_data_dir, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_DATA", str(real_data_dir))
    scaled = nts.vision_data("mnist", 20, 10, 10, preprocessing="scale_255")
    std = nts.vision_data("mnist", 20, 10, 10)
    assert scaled.x_train.min() >= 0 and scaled.x_train.max() <= 1 and scaled.x_train.max() > 0.9
    # the same images: standardising the scaled pixels gives the standardised ones
    z = (scaled.x_train - scaled.x_train.mean()) / scaled.x_train.std()
    np.testing.assert_allclose(z, std.x_train, atol=1e-4)
    with pytest.raises(ValueError, match="preprocessing"):
        nts.vision_data("mnist", 20, 10, 10, preprocessing="whiten")


def _one_step_sizes(parameterisation: str, width: int, lr: float = 1e-2):
    """RMS change of the output and of the last hidden pre-activation after one Adam step."""
    name = "mse_mup_adam" if parameterisation == "mup" else "mse_adam"
    protocol = nts.protocol_from(name, learning_rate=lr, base_width=64)
    cfg = nts.MLPConfig(in_dim=16, width=width, depth=2, out_dim=4,
                        parameterisation=nts.PARAMETERISATION_NAMES[parameterisation])
    data = nts.synthetic_data(64, 10, 10, seed=0)
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    params = nts.init_mlp(jax.random.PRNGKey(1), cfg)
    factors = nts.protocol_layer_lr(protocol, cfg) or jax.tree_util.tree_map(lambda _: 1.0, params)
    grads = jax.grad(lambda p: jnp.mean((nts.mlp_apply(cfg, p, x) - y) ** 2))(params)
    opt = optax.scale_by_adam()
    updates, _ = opt.update(grads, opt.init(params), params)
    new = jax.tree_util.tree_map(lambda p, u, f: p - lr * f * u, params, updates, factors)
    f0, _, h0 = nts.mlp_forward(cfg, params, x)
    f1, _, h1 = nts.mlp_forward(cfg, new, x)
    rms = lambda a: float(jnp.sqrt(jnp.mean(a**2)))  # noqa: E731
    return rms(f1 - f0), rms(h1[-2] - h0[-2])


def test_mup_per_layer_rates_give_width_independent_updates():
    widths = (64, 256, 1024)
    mup = np.array([_one_step_sizes("mup", w) for w in widths])
    sp = np.array([_one_step_sizes("sp", w) for w in widths])
    # μP: output and feature updates within 30 % of each other over a 16-fold width range
    assert np.all(mup.max(0) / mup.min(0) < 1.3), mup
    # SP at a fixed Adam rate: both grow with width (about ∝ width for the output)
    assert sp[-1, 0] / sp[0, 0] > 10 and sp[-1, 1] / sp[0, 1] > 5, sp
    assert np.all(np.diff(sp, axis=0) > 0)


def test_mup_layer_rates_follow_the_rule():
    cfg = nts.MLPConfig(in_dim=16, width=256, depth=3, out_dim=4, parameterisation="mup")
    f = nts.protocol_layer_lr(nts.protocol_from("mse_mup_adam", base_width=64), cfg)
    assert [layer["w"] for layer in f] == [1.0, 0.25, 0.25, 1.0]
    assert all(layer["b"] == 1.0 for layer in f)
    assert nts.protocol_layer_lr(nts.PROTOCOLS["mse_adam"], cfg._replace(parameterisation="standard")) is None
    with pytest.raises(ValueError, match="parameterisation"):
        nts.protocol_layer_lr(nts.PROTOCOLS["mse_adam"], cfg)


def test_readout_rules_pick_the_right_epoch_on_a_constructed_curve():
    epochs = np.array([0, 1, 2, 4, 8, 16, 32])
    loss = np.array([[5.0, 4.0, 3.0, 2.0, 2.5, 3.0, 4.0],
                     [5.0, 4.0, 3.0, 2.5, 2.2, 2.1, 2.0]])
    np.testing.assert_array_equal(nts.readout_index(epochs, loss, "min_test_loss"), [3, 6])
    np.testing.assert_array_equal(nts.readout_index(epochs, loss, "fixed_budget", 16), [5, 5])
    np.testing.assert_array_equal(nts.readout_index(epochs, loss, "fixed_budget", 10), [4, 4])
    np.testing.assert_array_equal(nts.readout_index(epochs, loss, "fixed_budget", 100), [6, 6])
    with pytest.raises(ValueError, match="budget"):
        nts.readout_index(epochs, loss, "fixed_budget")
    with pytest.raises(ValueError, match="stopping rule"):
        nts.readout_index(epochs, loss, "early")


def test_protocol_readout_under_both_rules():
    protocol = nts.protocol_from("mse_adam", epochs=40, learning_rate=3e-3, n_ntk=4)
    run = nts.train_protocol(protocol=protocol, dataset="synthetic", n_train=40, width=16, n_seeds=2, n_test=20,
                             n_checkpoints=8)
    r = run.result
    best = nts.protocol_readout(run)
    np.testing.assert_array_equal(best.epoch, r.min_epoch)
    np.testing.assert_allclose(best.trace_ratio, r.trace_ratio)
    budget = protocol._replace(stopping="fixed_budget", budget_epochs=10)
    fixed = nts.protocol_readout(run, budget)
    i = int(np.searchsorted(r.epochs, 10, side="right") - 1)
    assert np.all(fixed.epoch == r.epochs[i]) and r.epochs[i] <= 10
    np.testing.assert_allclose(fixed.test_loss, r.test_loss[:, i])
    np.testing.assert_allclose(fixed.trace_ratio, r.ntk_trace[:, i] / r.ntk_trace[:, 0] - 1, rtol=1e-10)
    np.testing.assert_allclose(fixed.rank, r.ntk_effective_rank[:, i])
    stacked = nts.protocol_summary([run, run], budget)
    assert stacked.test_loss.shape == (2, 2)
    with pytest.raises(ValueError, match="read-out rule"):
        nts.protocol_readout(run, protocol._replace(loss="cross_entropy"))


@pytest.mark.parametrize("name, overrides, match", [
    ("adam", {}, "unknown protocol"),
    ("mse_adam", {"lr": 1.0}, "unknown Protocol field"),
    ("mse_adam", {"loss": "hinge"}, "Protocol.loss"),
    ("mse_adam", {"learning_rate": -1.0}, "Protocol.learning_rate"),
    ("mse_adam", {"stopping": "early"}, "Protocol.stopping"),
    ("mse_adam", {"budget_epochs": 500}, "Protocol.budget_epochs"),
    ("mse_adam", {"parameterisation": "standard"}, "Protocol.parameterisation"),
    ("mse_adam", {"n_hidden_layers": 0}, "Protocol.n_hidden_layers"),
    ("mse_adam", {"preprocessing": "whiten"}, "Protocol.preprocessing"),
    ("mse_mup_adam", {"optimiser": "sgd"}, "Adam only"),
])
def test_bad_protocols_raise_naming_the_field(name, overrides, match):
    with pytest.raises(ValueError, match=match):
        nts.protocol_from(name, **overrides)


def test_protocol_from_takes_plain_values():
    p = nts.protocol_from("ce_adam", learning_rate=None, n_hidden_layers=3.0, epochs=50, lr_width_exponent=1)
    assert p.loss == "cross_entropy" and p.n_hidden_layers == 3 and isinstance(p.n_hidden_layers, int)
    assert p.learning_rate == nts.PROTOCOLS["ce_adam"].learning_rate and p.lr_width_exponent == 1.0
    assert "cross-entropy" in nts.protocol_text(p) and "3 hidden layers" in nts.protocol_text(p)
    for preset in nts.PROTOCOLS.values():
        nts.check_protocol(preset)


def test_divergence_is_recorded_with_the_protocol():
    protocol = nts.protocol_from("mse_adam", optimiser="sgd", learning_rate=1e4, epochs=5, n_ntk=4)
    with pytest.raises(nts.DivergenceError, match="protocol: MSE"):
        nts.train_protocol(protocol=protocol, dataset="synthetic", n_train=40, width=16, n_seeds=1, n_test=20,
                           n_checkpoints=3)


def test_cached_protocol_run_round_trips_with_its_protocol():
    protocol = nts.protocol_from("ce_adam", epochs=4, n_ntk=4, budget_epochs=2, stopping="fixed_budget")
    kw = dict(protocol=protocol, dataset="synthetic", n_train=40, width=8, n_seeds=1, n_test=20, n_checkpoints=3)
    first = nts.train_protocol(**kw)
    again = nts.train_protocol(**kw)
    assert isinstance(again.protocol, nts.Protocol) and again.protocol == protocol
    np.testing.assert_array_equal(again.result.test_loss, first.result.test_loss)
    other = nts.train_protocol(**{**kw, "protocol": protocol._replace(loss="mse")})
    assert not np.allclose(other.result.test_loss, first.result.test_loss)
