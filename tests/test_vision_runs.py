"""One-pass vision streams and their online training (ntk_scaling.data.vision_stream, training.vision_runs)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ntk_scaling as nts


@pytest.fixture
def mnist_stream(real_data_dir):
    return nts.VisionStream("mnist", n_train=640, n_test=100, n_probe=50)


def test_one_pass_reads_every_image_once(mnist_stream):
    task = mnist_stream
    data = task.load()
    assert data["x"].dtype == jnp.uint8 and data["x"].shape == (640, 28, 28, 1)
    assert task.max_steps(64) == 10
    key = jax.random.key(3)
    batches = [np.asarray(task.sample_step(data, key, jnp.int32(t), 64)[0]) for t in range(10)]
    rows = np.concatenate([b.reshape(64, -1) for b in batches])
    # every image of the stream exactly once in a pass (rotated order), standardised
    _, counts = np.unique(rows.round(4), axis=0, return_counts=True)
    assert rows.shape[0] == 640 and counts.max() <= 2  # duplicates only if MNIST itself has them
    np.testing.assert_allclose(rows.mean(), 0.0, atol=1e-4)
    np.testing.assert_allclose(rows.std(), 1.0, atol=1e-3)
    # another seed sees the same batches in a rotated order
    other = np.asarray(task.sample_step(data, jax.random.key(4), jnp.int32(0), 64)[0])
    assert any(np.array_equal(other, b) for b in batches)
    x_test, y_test = task.test_set(data)
    assert x_test.shape == (100, 28, 28, 1) and np.allclose(np.asarray(y_test).sum(0), 10)
    x_probe, _ = task.probe_set(data, 50)
    assert x_probe.shape == (50, 28, 28, 1)
    # probe images are the last ones of the fixed order, never streamed
    order = np.random.default_rng(task.order_seed).permutation(60000)
    assert not set(order[-50:]) & set(order[:640])
    with pytest.raises(ValueError, match="requested"):
        task.probe_set(data, 51)


def test_stream_sizes_are_checked(real_data_dir):
    with pytest.raises(ValueError, match="exceeds the 60000 training images"):
        nts.check_vision_stream(nts.VisionStream("mnist", n_train=59500, n_probe=1000))
    with pytest.raises(ValueError, match="unknown data set"):
        nts.check_vision_stream(nts.VisionStream("imagenet", n_train=10))


def test_train_online_refuses_more_than_one_pass_and_learns(mnist_stream):
    m = nts.MeanFieldCNN(width=2, gamma0=1.0)
    with pytest.raises(ValueError, match="one pass"):
        nts.train_online.uncached(m, mnist_stream, steps=11, batch_size=64, learning_rate=1.0)
    r = nts.train_online.uncached(m, mnist_stream, steps=10, batch_size=64, learning_rate=m.learning_rate(1.0),
                                  n_seeds=2, n_records=4)
    assert r.test_loss.shape == (2, r.steps.size)
    np.testing.assert_allclose(r.test_loss[:, 0], 0.1, rtol=1e-5)  # centred output: f = 0, one-hot MSE = 1/10
    assert np.all(r.test_loss[:, -1] < r.test_loss[:, 0])
    assert not np.allclose(r.test_loss[0], r.test_loss[1])  # seeds differ


def test_initial_kernel_is_symmetric_and_matches_the_factory(mnist_stream):
    m = nts.vision_model("cnn", "mnist", width=2)
    kernel, labels, traces = nts.initial_entk_matrix(m, mnist_stream, n_images=20, n_seeds=1)
    assert kernel.shape == (20, 20) and labels.shape == (20,) and traces.shape == (1,)
    np.testing.assert_allclose(kernel, kernel.T, rtol=1e-5)
    again, _, _ = nts.initial_entk_matrix(m, mnist_stream, n_images=20, n_seeds=1, implementation="per_sample_jacobian")
    np.testing.assert_allclose(kernel, again, rtol=2e-4)
    assert np.linalg.eigvalsh(kernel).min() > -1e-4 * np.trace(kernel)
    # the cached result keeps the spectrum and the targets' power per mode, not the matrix
    spec = nts.initial_entk_kernel.uncached(m, mnist_stream, n_images=20, n_seeds=1)
    np.testing.assert_allclose(spec.eigenvalues, np.linalg.eigvalsh(kernel)[::-1], rtol=1e-6, atol=1e-9 * np.trace(kernel))
    np.testing.assert_allclose(spec.power.sum(), 20.0, rtol=1e-10)  # one-hot targets: Σ_ℓ Σ_c (y_c·u_ℓ)² = n
    direct = nts.fit_kernel_spectrum(kernel, labels, alpha_window=(2, 10))
    via = nts.fit_spectrum(spec.eigenvalues, spec.power, alpha_window=(2, 10))
    assert np.isclose(direct.alpha, via.alpha, rtol=1e-6) and np.isclose(direct.beta, via.beta, rtol=1e-5)
