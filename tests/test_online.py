"""Online SGD loop (ntk_scaling.training.online): protocol, records, lazy reference, caching."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ntk_scaling as nts
from ntk_scaling.cache import cache_policy

TASK = nts.CircleTask(q=1.0, n_modes=64, n_test=256, n_table=8192)
COMMON = {"steps": 300, "batch_size": 32, "n_seeds": 3, "n_records": 12}


def _net(gamma0: float) -> nts.MeanFieldMLP:
    return nts.MeanFieldMLP(width=128, depth=2, gamma0=gamma0, q_phi=1.0)


def _run(gamma0: float, **kw):
    m = _net(gamma0)
    args = {**COMMON, **kw}
    return nts.train_online(m, TASK, learning_rate=m.learning_rate(0.5), **args)


# ------------------------------------------------------------------ the lazy reference


def test_lazy_network_matches_its_linearisation_within_the_seed_band():
    lazy = _run(1e-3)
    lin = _run(1e-3, linearised=True)
    assert lazy.test_loss[:, -1].mean() < 0.5 * lazy.test_loss[:, 0].mean()  # it learned
    band = lazy.test_loss.std(0, ddof=1) / np.sqrt(lazy.n_seeds)
    gap = np.abs(lazy.test_loss.mean(0) - lin.test_loss.mean(0))
    assert np.all(gap <= band + 1e-6)
    np.testing.assert_allclose(lazy.test_loss, lin.test_loss, rtol=2e-2)


def test_rich_network_leaves_its_linearisation():
    rich = _run(1.0)
    lin = _run(1.0, linearised=True)
    lazy_lin = _run(1e-3, linearised=True)
    # the linearised model's function-space trajectory does not depend on γ₀ at all
    np.testing.assert_allclose(lin.test_loss, lazy_lin.test_loss, rtol=1e-3)
    band = rich.test_loss.std(0, ddof=1) / np.sqrt(rich.n_seeds)
    gap = np.abs(rich.test_loss.mean(0) - lin.test_loss.mean(0))
    assert np.max(gap[1:] / (band[1:] + 1e-12)) > 5.0


# ------------------------------------------------------------------ records and caching


def test_records_and_ntk_metrics():
    r = _run(0.5, ntk_steps=[50, 300], n_probe=32)
    assert r.steps[0] == 0 and r.steps[-1] == 300 and {50, 300} <= set(r.steps.tolist())
    np.testing.assert_array_equal(r.ntk_steps, [0, 50, 300])
    assert r.test_loss.shape == r.train_loss.shape == (3, r.steps.size)
    np.testing.assert_allclose(r.test_loss[:, 0], 1.0, rtol=1e-5)  # centred output: L(0) = E[y²] = 1
    assert r.test_accuracy is None
    tr = r.trace_ratio()
    np.testing.assert_array_equal(tr[:, 0], 0.0)
    assert np.all(tr[:, -1] > 0.05)  # γ₀ = 0.5 moves the kernel
    assert np.all(np.diff(r.ntk_eigenvalues, axis=-1) <= 1e-9)
    np.testing.assert_allclose(r.ntk_trace, r.ntk_eigenvalues.sum(-1), rtol=1e-6)
    assert np.all((r.ntk_effective_rank >= 1) & (r.ntk_effective_rank <= 32))
    assert np.all(np.abs(r.ntk_alignment) <= 1)
    assert r.feature_change.shape == (3, 3) and np.all(r.feature_change[:, 0] == 0)
    assert np.all(r.feature_change[:, -1] > 0)


class _NoStructuredNTK(NamedTuple):
    """The same network without its ``ntk`` method: the loop falls back to empirical_ntk."""

    net: nts.MeanFieldMLP

    centre = True

    @property
    def output_scale(self):
        return self.net.output_scale

    def init(self, key):
        return self.net.init(key)

    def apply(self, params, x):
        return self.net.apply(params, x)


def test_generic_ntk_path_matches_the_structured_one():
    m = _net(0.5)
    kw = dict(COMMON, steps=60, ntk_steps=[60], n_probe=16, learning_rate=m.learning_rate(0.5))
    with cache_policy(enabled=False):
        a = nts.train_online.uncached(m, TASK, **kw)
        b = nts.train_online.uncached(_NoStructuredNTK(m), TASK, **kw)
    np.testing.assert_allclose(a.test_loss, b.test_loss, rtol=1e-6)
    np.testing.assert_allclose(a.ntk_trace, b.ntk_trace, rtol=1e-4)
    np.testing.assert_allclose(a.ntk_alignment, b.ntk_alignment, rtol=1e-4)


def test_ignored_arguments_do_not_change_the_result():
    m = _net(0.3)
    kw = dict(COMMON, steps=80, learning_rate=m.learning_rate(0.5))
    with cache_policy(enabled=False):
        a = nts.train_online(m, TASK, **kw)
        b = nts.train_online(m, TASK, seed_chunk=1, eval_batch_size=100, **kw)
    np.testing.assert_allclose(a.test_loss, b.test_loss, rtol=1e-5)
    np.testing.assert_allclose(a.train_loss, b.train_loss, rtol=1e-5)
    assert nts.train_online.key(m, TASK, **kw) == nts.train_online.key(m, TASK, seed_chunk=1, eval_batch_size=100, **kw)
    assert not np.allclose(a.test_loss[0], a.test_loss[1])  # seeds differ


def test_cached_call_returns_the_stored_result():
    first = _run(0.2, steps=40)
    again = _run(0.2, steps=40)
    np.testing.assert_array_equal(first.test_loss, again.test_loss)


def test_divergence_raises_naming_the_configuration():
    m = _net(1.0)
    with cache_policy(enabled=False), pytest.raises(nts.DivergenceError, match="learning_rate"):
        nts.train_online(m, TASK, steps=50, batch_size=8, learning_rate=m.learning_rate(1e4), n_seeds=1, n_records=4)


def test_bad_arguments_are_named():
    m = _net(1.0)
    with pytest.raises(ValueError, match="unknown loss"):
        nts.train_online(m, TASK, steps=5, batch_size=4, learning_rate=1.0, loss="l1")
    with pytest.raises(ValueError, match="unknown optimizer"):
        nts.train_online(m, TASK, steps=5, batch_size=4, learning_rate=1.0, optimizer="lbfgs")
    with pytest.raises(TypeError, match="init"):
        nts.train_online.uncached(object(), TASK, steps=5, batch_size=4, learning_rate=1.0)
    with pytest.raises(TypeError, match="load"):
        nts.train_online.uncached(m, object(), steps=5, batch_size=4, learning_rate=1.0)
    with pytest.raises(ValueError, match="ntk_steps"):
        nts.online_record_steps(10, 4, [20])


# ------------------------------------------------------------------ the protocol with other models and losses


class _Linear(NamedTuple):
    """y = x W: a minimal model of the protocol (no centring, no output scale)."""

    dim: int
    classes: int = 1

    def init(self, key):
        return {"w": 0.01 * jax.random.normal(key, (self.dim, self.classes))}

    def apply(self, params, x):
        return x @ params["w"]


class _Teacher(NamedTuple):
    """Gaussian inputs labelled by a fixed linear teacher (regression or argmax classes)."""

    dim: int
    classes: int = 1

    def load(self):
        key = jax.random.key(123)
        w = jax.random.normal(key, (self.dim, self.classes))
        x = jax.random.normal(jax.random.key(7), (500, self.dim))
        return {"w": w, "x_test": x}

    def _label(self, data, x):
        out = x @ data["w"]
        return out if self.classes == 1 else jnp.argmax(out, -1)

    def sample(self, data, key, batch_size):
        x = jax.random.normal(key, (batch_size, self.dim))
        return x, self._label(data, x)

    def test_set(self, data):
        return data["x_test"], self._label(data, data["x_test"])

    def probe_set(self, data, n):
        x = data["x_test"][:n]
        return x, self._label(data, x)


def test_protocol_with_a_linear_model_and_mse():
    r = nts.train_online(_Linear(8), _Teacher(8), steps=400, batch_size=16, learning_rate=0.05, n_seeds=2, n_records=8,
                         ntk_steps=[400], n_probe=20)
    assert r.test_loss[:, -1].max() < 1e-3 * r.test_loss[:, 0].min()
    # a linear model's eNTK is x·x' and never moves
    np.testing.assert_allclose(r.trace_ratio(), 0.0, atol=1e-6)


def test_protocol_with_cross_entropy_and_integer_labels():
    r = nts.train_online(_Linear(8, 3), _Teacher(8, 3), steps=400, batch_size=32, learning_rate=0.5,
                         loss="cross_entropy", optimizer="momentum", n_seeds=2, n_records=8)
    assert r.test_accuracy.shape == r.test_loss.shape
    assert np.all(r.test_accuracy[:, -1] > 0.85)
    assert np.all(r.test_loss[:, -1] < 0.5 * r.test_loss[:, 0])
    a = nts.train_online(_Linear(8, 3), _Teacher(8, 3), steps=200, batch_size=32, learning_rate=0.05,
                         loss="cross_entropy", optimizer="adam", n_seeds=1, n_records=4)
    assert a.test_accuracy[0, -1] > 0.8


def test_online_loss_functions():
    mse = nts.online_loss("mse")
    out = jnp.array([[1.0], [3.0]])
    np.testing.assert_allclose(mse(out, jnp.array([0.0, 1.0])), [[1.0], [4.0]])
    ce = nts.online_loss("cross_entropy")
    logits = jnp.zeros((2, 4))
    np.testing.assert_allclose(ce(logits, jnp.array([0, 3])), np.log(4.0) * np.ones(2), rtol=1e-6)
    np.testing.assert_allclose(ce(logits, jax.nn.one_hot(jnp.array([0, 3]), 4)), np.log(4.0) * np.ones(2), rtol=1e-6)
    seq = jnp.zeros((2, 5, 7))  # (batch, sequence, vocabulary) with integer labels
    assert ce(seq, jnp.zeros((2, 5), jnp.int32)).shape == (2, 5)
