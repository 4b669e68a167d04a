"""train_online with a step-indexed one-pass stream (the ``sample_step`` task protocol)."""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ntk_scaling as nts

K = 12


class Linear(NamedTuple):
    """f(x) = x·w, w = 0 at initialisation."""

    def init(self, key):
        return {"w": jnp.zeros((K, 1))}

    def apply(self, params, x):
        return x @ params["w"]


class Stream(NamedTuple):
    """Step t shows the one-hot input e_(t mod K) (offset fixed per run), target 1."""

    def load(self):
        return {"eye": jnp.eye(K)}

    def stream_length(self, data):
        return K

    def sample(self, data, key, batch_size):  # pragma: no cover - never used when sample_step exists
        raise AssertionError("sample_step must be used")

    def sample_step(self, data, stream_key, step, batch_size):
        offset = jax.random.randint(stream_key, (), 0, K)
        idx = (offset + step * batch_size + jnp.arange(batch_size)) % K
        return data["eye"][idx], jnp.ones((batch_size, 1))

    def test_set(self, data):
        return data["eye"], jnp.ones((K, 1))

    def probe_set(self, data, n):
        return data["eye"][:n], jnp.ones((n, 1))


def test_every_sample_of_the_stream_is_used_exactly_once():
    lr = 0.1
    res = nts.train_online.uncached(Linear(), Stream(), steps=K, batch_size=1, learning_rate=lr, n_seeds=2,
                                    n_records=4)
    # one MSE step on a fresh coordinate moves it from 0 to 2·lr; a repeated one would go further
    np.testing.assert_allclose(res.test_loss[:, -1], (1 - 2 * lr) ** 2, rtol=1e-6)
    np.testing.assert_allclose(res.test_loss[:, 0], 1.0)


def test_more_steps_than_the_stream_holds_is_refused():
    with pytest.raises(ValueError, match="one pass allows at most 6 steps"):
        nts.train_online.uncached(Linear(), Stream(), steps=7, batch_size=2, learning_rate=0.1, n_seeds=1)
