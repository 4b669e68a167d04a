"""Tests of ntk_scaling.training: full-batch Adam ensembles with eNTK checkpoints ([A])."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from ntk_scaling.nets.mlp import MLPConfig, init_mlp, mlp_apply
from ntk_scaling.kernels.empirical import empirical_ntk, flatten_ntk
from ntk_scaling.training import adaptation_rates as nts_adaptation_rates
import ntk_scaling as nts
from ntk_scaling import (
    TrainConfig,
    TrainResult,
    checkpoint_epochs,
    fit_broken_power_law,
    loss_function,
    seed_keys,
    spectrum_metrics,
    synthetic_data,
    train_ensemble,
    train_mlp_cached,
)

# 16 noisy training points: the nets interpolate and then overfit, so the test loss has
# an interior minimum (epochs ~10-25 of 100) that the bookkeeping must find.
DATA = synthetic_data(16, 64, 8, in_dim=8, n_classes=3, noise=2.0, seed=3)
CONFIG = MLPConfig(in_dim=8, width=32, depth=2, out_dim=3)
TRAIN = TrainConfig(epochs=100, learning_rate=2e-2, n_checkpoints=8)


@functools.lru_cache(maxsize=None)
def _ensemble():
    return train_ensemble(CONFIG, DATA, TRAIN, seed_keys(0, 3))


def test_checkpoints_are_log_spaced_with_ends():
    e = checkpoint_epochs(1000, 12)
    assert e[0] == 0 and e[-1] == 1000
    assert np.all(np.diff(e) > 0)
    ratios = e[2:] / e[1:-1]
    # geometric spacing: 11 points over [1, 1000] have ratio 1000**(1/10) ~ 2.0
    np.testing.assert_allclose(ratios[3:], 1000 ** 0.1, rtol=0.15)
    small = checkpoint_epochs(5, 30)  # duplicates removed, still ends at 5
    np.testing.assert_array_equal(small, [0, 1, 2, 3, 4, 5])


def test_training_reduces_train_loss():
    r = _ensemble()
    assert r.train_loss.shape == (3, len(checkpoint_epochs(100, 8)))
    assert np.all(r.train_loss[:, -1] < 1e-2 * r.train_loss[:, 0])
    assert np.all(r.train_accuracy[:, -1] == 1.0)


def test_vmap_ensemble_equals_single_seed_runs():
    r = _ensemble()
    keys = seed_keys(0, 3)
    # seed_chunk=1 trains every seed alone (its own vmap of size one) with the same key
    single = train_ensemble(CONFIG, DATA, TRAIN._replace(seed_chunk=1), keys)
    np.testing.assert_allclose(single.test_loss, r.test_loss, rtol=2e-4, atol=1e-6)
    np.testing.assert_allclose(single.train_loss, r.train_loss, rtol=2e-3, atol=1e-7)
    np.testing.assert_allclose(single.ntk_trace, r.ntk_trace, rtol=2e-4)
    np.testing.assert_allclose(single.ntk_effective_rank, r.ntk_effective_rank, rtol=1e-3)
    np.testing.assert_array_equal(single.min_epoch, r.min_epoch)
    # and a different key gives a different network
    other = train_ensemble(CONFIG, DATA, TRAIN, seed_keys(1, 1))
    assert abs(other.ntk_trace[0, 0] - r.ntk_trace[0, 0]) > 1e-3 * r.ntk_trace[0, 0]


def _reference_test_losses(key):
    """Plain per-epoch optax loop: test loss after every epoch 0..E for one seed."""
    apply = functools.partial(mlp_apply, CONFIG)
    loss = loss_function("mse")
    params = init_mlp(key, CONFIG)
    opt = optax.adam(TRAIN.learning_rate)
    state = opt.init(params)
    x, y = jnp.asarray(DATA.x_train), jnp.asarray(DATA.y_train)
    xt, yt = jnp.asarray(DATA.x_test), jnp.asarray(DATA.y_test)
    grad = jax.jit(jax.grad(lambda p: loss(apply(p, x), y)))
    test = jax.jit(lambda p: loss(apply(p, xt), yt))
    out = [float(test(params))]
    for _ in range(TRAIN.epochs):
        updates, state = opt.update(grad(params), state, params)
        params = optax.apply_updates(params, updates)
        out.append(float(test(params)))
    return np.asarray(out)


def test_min_test_loss_bookkeeping_is_the_argmin():
    r = _ensemble()
    keys = seed_keys(0, 3)
    ref = _reference_test_losses(keys[1])
    assert 0 < r.min_epoch[1] < TRAIN.epochs  # an interior minimum, not an end point
    assert r.min_epoch[1] == int(np.argmin(ref))
    np.testing.assert_allclose(r.min_test_loss[1], ref.min(), rtol=1e-4)
    assert np.all(r.min_test_loss <= r.test_loss.min(1) + 1e-7)
    assert np.all(r.test_loss[:, -1] > r.min_test_loss)
    # the checkpoint losses are samples of the same curve
    np.testing.assert_allclose(r.test_loss[1], ref[r.epochs], rtol=1e-4)
    # beta is computed from the recorded traces
    np.testing.assert_allclose(r.trace_ratio, (r.trace_min - r.ntk_trace[:, 0]) / r.ntk_trace[:, 0], rtol=1e-12)


def test_ntk_at_checkpoint_zero_is_initial_ntk():
    r = _ensemble()
    key = seed_keys(0, 3)[2]
    apply = functools.partial(mlp_apply, CONFIG)
    kernel = np.asarray(flatten_ntk(empirical_ntk(apply, init_mlp(key, CONFIG), jnp.asarray(DATA.x_ntk))), np.float64)
    eig = np.linalg.eigvalsh(0.5 * (kernel + kernel.T))
    np.testing.assert_allclose(r.ntk_eigenvalues[2, 0], eig, rtol=1e-3, atol=1e-4 * eig.max())
    np.testing.assert_allclose(r.ntk_trace[2, 0], np.trace(kernel), rtol=1e-5)
    assert r.ntk_dim == DATA.x_ntk.shape[0] * 3
    # and the kernel moved during training (finite width, lr 1e-2)
    assert np.all(np.abs(r.trace_ratio) > 1e-3)


def test_spectrum_metrics():
    trace, entropy, rank = spectrum_metrics(np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 2.0]]))
    np.testing.assert_allclose(trace, [4.0, 2.0])
    np.testing.assert_allclose(rank, [4.0, 1.0], rtol=1e-9)
    np.testing.assert_allclose(entropy, [np.log(4.0), 0.0], atol=1e-9)


def test_cross_entropy_loss_selectable():
    y = jnp.eye(3)
    logits = 5.0 * jnp.eye(3)
    ce = float(loss_function("cross_entropy")(logits, y))
    np.testing.assert_allclose(ce, -np.log(np.exp(5) / (np.exp(5) + 2)), rtol=1e-5)
    np.testing.assert_allclose(float(loss_function("mse")(logits, y)), 16 * 3 / 9, rtol=1e-6)


def test_nan_raises_naming_width_and_lr():
    with pytest.raises(FloatingPointError, match=r"width=32.*lr=1e\+30"):
        train_ensemble(CONFIG, DATA, TrainConfig(epochs=4, learning_rate=1e30, n_checkpoints=3), seed_keys(0, 1))


@pytest.mark.parametrize(
    "change, error, match",
    [
        (dict(train=TrainConfig(epochs=0)), ValueError, "epochs"),
        (dict(train=TrainConfig(learning_rate=-1.0)), ValueError, "learning_rate"),
        (dict(train=TrainConfig(loss="hinge")), ValueError, "unknown loss"),
        (dict(train=TrainConfig(n_checkpoints=1)), ValueError, "n_checkpoints"),
        (dict(keys=np.zeros((2, 3), np.uint32)), ValueError, "keys"),
        (dict(config=MLPConfig(in_dim=5, width=8, depth=1, out_dim=3)), ValueError, "in_dim"),
        (dict(data=DATA._replace(y_train=DATA.y_train[:10])), ValueError, "rows"),
        (dict(data=DATA._replace(x_ntk=DATA.x_ntk[:, :4])), ValueError, "features"),
        (dict(data=DATA._replace(x_test=np.full_like(DATA.x_test, np.nan))), ValueError, "NaN"),
        (dict(data=tuple(DATA)), TypeError, "TrainData"),
    ],
)
def test_bad_input_raises(change, error, match):
    args = dict(config=CONFIG, data=DATA, train=TRAIN, keys=seed_keys(0, 1)) | change
    with pytest.raises(error, match=match):
        train_ensemble(args["config"], args["data"], args["train"], args["keys"])


def test_cached_run_round_trips(tmp_path, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_CACHE", str(tmp_path))
    # the same task, model and keys as the module's ensemble, built from plain parameters
    kw = dict(dataset="synthetic", n_train=16, width=32, depth=2, epochs=100, learning_rate=2e-2, n_seeds=3,
              n_test=64, n_ntk=8, n_checkpoints=8, synthetic_dim=8, synthetic_classes=3, synthetic_noise=2.0,
              data_seed=3)
    first = train_mlp_cached(**kw)
    assert len(list(tmp_path.rglob("*.npz"))) == 1
    np.testing.assert_allclose(first.ntk_trace, _ensemble().ntk_trace, rtol=1e-6)
    again = train_mlp_cached(**kw, seed_chunk=1)  # a memory knob: the same cache entry
    assert len(list(tmp_path.rglob("*.npz"))) == 1
    np.testing.assert_array_equal(first.ntk_trace, again.ntk_trace)
    assert isinstance(again, TrainResult) and again.ntk_dim == 24


def test_declared_memory_knobs_do_not_change_the_result():
    kw = dict(dataset="synthetic", n_train=16, width=32, depth=2, epochs=40, learning_rate=2e-2, n_seeds=3,
              n_test=32, n_ntk=8, n_checkpoints=5, synthetic_dim=8, synthetic_classes=3, synthetic_noise=2.0)
    assert set(train_mlp_cached.ignore) == {"seed_chunk", "ntk_batch_size", "ntk_seed_batch"}
    with nts.cache_policy(enabled=False):
        base = train_mlp_cached(**kw)
        knobs = train_mlp_cached(**kw, seed_chunk=1, ntk_batch_size=3, ntk_seed_batch=2)
    for field in ("train_loss", "test_loss", "ntk_trace", "trace_ratio", "min_test_loss"):
        np.testing.assert_allclose(getattr(knobs, field), getattr(base, field), rtol=2e-5, err_msg=field)
    np.testing.assert_array_equal(knobs.min_epoch, base.min_epoch)


def test_adaptation_rate_is_slope_of_trace_on_log_loss():
    r = _ensemble()
    chi = nts_adaptation_rates(r)
    s = 0
    keep = r.epochs <= r.min_epoch[s]
    x = np.log(r.train_loss[s, keep])
    y = r.ntk_trace[s, keep] / r.ntk_dim
    np.testing.assert_allclose(chi[s], np.polyfit(x, y, 1)[0], rtol=1e-5)


def test_broken_power_law_recovers_break_and_slopes():
    x = np.geomspace(100, 10000, 11)
    y = np.where(x < 700, (x / 700) ** 0.8, (x / 700) ** 0.1) * 3.0
    fit = fit_broken_power_law(x, y, n_grid=400)
    np.testing.assert_allclose(fit.x_break, 700, rtol=0.03)
    np.testing.assert_allclose([fit.slope_below, fit.slope_above], [0.8, 0.1], atol=0.01)
    np.testing.assert_allclose(fit(x), y, rtol=0.02)
    with pytest.raises(ValueError, match="4"):
        fit_broken_power_law(x[:3], y[:3])


def test_sweep_summary_stacks_per_seed_read_outs():
    from ntk_scaling import sweep_summary

    r = _ensemble()
    summary = sweep_summary([r, r])
    assert summary.test_min.shape == (3, 2)
    np.testing.assert_array_equal(summary.test_min[:, 1], r.min_test_loss)
    np.testing.assert_allclose(summary.trace0[:, 0], r.ntk_trace[:, 0] / r.ntk_dim)
    np.testing.assert_array_equal(summary.rank_min[:, 0], r.effective_rank_min)
    np.testing.assert_allclose(summary.chi[:, 0], nts_adaptation_rates(r))
    with pytest.raises(ValueError, match="at least one"):
        sweep_summary([])


def test_train_mlp_divergence_is_recorded_and_not_retried(tmp_path, monkeypatch):
    """A diverging cached run raises DivergenceError, is recorded, and the rerun does not recompute."""
    import ntk_scaling as nts

    monkeypatch.setenv("NTK_SCALING_CACHE", str(tmp_path))
    call = dict(dataset="synthetic", n_train=16, width=8, depth=1, epochs=4, learning_rate=1e30, n_seeds=1,
                n_test=8, n_ntk=4, n_checkpoints=3)
    with pytest.raises(nts.DivergenceError, match="lr=1e\\+30"):
        nts.train_mlp(**call)
    with pytest.raises(nts.DivergenceError, match="refresh to retry"):
        nts.train_mlp(**call)
