"""One pass over a finite vision data set, as a task for online training ([B] Figs 6 and 8).

[B] (arXiv 2409.17858, Section 5.2) trains online on MNIST-1M and CIFAR-5M, so no image is
ever seen twice. We only have MNIST (60,000 training images) and the CIFAR-10 JPEG copy
(20,000), so :class:`VisionStream` serves a data set as a *stream consumed in one pass*:

* the training split is put in a fixed random order (``order_seed``); its last
  ``n_probe`` images are held out for the kernel spectrum, the first ``n_train`` form the
  stream (so ``n_train + n_probe`` must not exceed the split);
* step t of a run reads the contiguous batch number (t + o) mod ⌊n_train/B⌋ of that order,
  with o a per-seed offset drawn from the seed's key: different seeds see the batches in
  rotated orders, and within one pass (at most ⌊n_train/B⌋ steps, :meth:`max_steps`) no
  image is repeated;
* the test loss is measured on a fixed class-balanced draw of ``n_test`` images of the
  official test split;
* images are standardised per channel with the statistics of the stream, on the fly (the
  data stay uint8 in memory), and kept as NHWC arrays; targets are one-hot.

It implements the task protocol of :func:`ntk_scaling.train_online` (``load``, ``sample``,
``test_set``, ``probe_set``, ``identity``) with its one-pass part: ``sample_step(data,
stream_key, step, batch_size)`` and ``stream_length(data)``, the same methods as the text
task of [B]'s Fig 9 (:class:`ntk_scaling.TextTask`).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .datasets import DATASETS, dataset_identity, dataset_label
from .subsets import load_subset
from .vision import balanced_subset, load_cifar10, load_fashion_mnist, load_mnist

__all__ = ["VisionStream", "check_vision_stream", "stream_images"]


@functools.lru_cache(maxsize=4)
def _split(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    loaders = {"mnist": load_mnist, "fashion_mnist": load_fashion_mnist, "cifar10": load_cifar10}
    images, labels = loaders[name](split) if name in loaders else load_subset(name, split)
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    return images, np.asarray(labels, np.int64)


def stream_images(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """uint8 NHWC images and int64 labels of a data set's split (cached per process).

    Args:
        name: one of :data:`ntk_scaling.DATASETS`.
        split: ``"train"`` or ``"test"``.

    Returns:
        ``(images (n, H, W, C) uint8, labels (n,) int64)``, read-only.

    Raises:
        ValueError: an unknown data set or split.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {DATASETS}")
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    x, y = _split(name, split)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


class VisionStream(NamedTuple):
    """A vision data set consumed in one pass (module docstring); a NamedTuple for cache keys."""

    dataset: str  #: one of ``DATASETS`` ("mnist", "cifar10", "cifar10_subset", ...)
    n_train: int  #: images in the stream (≤ split size − n_probe)
    n_test: int = 2000  #: class-balanced test-loss images from the test split
    n_probe: int = 1000  #: held-out training images for the kernel spectrum
    order_seed: int = 0  #: seed of the stream's order and of the test draw

    @property
    def program_key(self) -> VisionStream:
        """The compiled sampler depends on the data's shapes only (passed at run time)."""
        return self

    def identity(self) -> dict[str, str]:
        """The data behind the task (name, variant, checksum), for cache keys."""
        return dataset_identity(self.dataset)

    def label(self) -> str:
        """Human-readable name of the data actually used (e.g. "CIFAR-10 (JPEG copy)")."""
        return dataset_label(self.dataset)

    def max_steps(self, batch_size: int) -> int:
        """Steps one pass allows at this batch size: ⌊n_train / B⌋."""
        return int(self.n_train) // int(batch_size)

    def stream_length(self, data: dict[str, jax.Array]) -> int:
        """Distinct training images of the stream (``train_online`` checks steps × B against it)."""
        return int(data["x"].shape[0])

    def load(self) -> dict[str, jax.Array]:
        """The stream (uint8), its per-channel statistics, the test and probe sets (float32)."""
        check_vision_stream(self)
        x, y = stream_images(self.dataset, "train")
        order = np.random.default_rng(self.order_seed).permutation(x.shape[0])
        train = order[: self.n_train]
        probe = order[x.shape[0] - self.n_probe :]
        xs = x[train]
        scaled = xs.astype(np.float32) / 255.0
        mean = scaled.mean(axis=(0, 1, 2))
        std = scaled.std(axis=(0, 1, 2))
        xt, yt = stream_images(self.dataset, "test")
        xt, yt = balanced_subset(xt, yt, int(self.n_test), self.order_seed + 1)

        def prep(a):
            return jnp.asarray((a.astype(np.float32) / 255.0 - mean) / std, jnp.float32)

        return {
            "x": jnp.asarray(xs),
            "y": jnp.asarray(y[train], jnp.int32),
            "mean": jnp.asarray(mean, jnp.float32),
            "std": jnp.asarray(std, jnp.float32),
            "x_test": prep(xt),
            "y_test": jax.nn.one_hot(jnp.asarray(yt), 10, dtype=jnp.float32),
            "x_probe": prep(x[probe]),
            "y_probe": jax.nn.one_hot(jnp.asarray(y[probe]), 10, dtype=jnp.float32),
        }

    def _prepare(self, data, xb, yb):
        x = (xb.astype(jnp.float32) / 255.0 - data["mean"]) / data["std"]
        return x, jax.nn.one_hot(yb, 10, dtype=jnp.float32)

    def sample(self, data: dict[str, jax.Array], key: jax.Array, batch_size: int) -> tuple[jax.Array, jax.Array]:
        """A random batch of the stream (with replacement); used only for the step-0 loss."""
        i = jax.random.randint(key, (batch_size,), 0, data["x"].shape[0])
        return self._prepare(data, data["x"][i], data["y"][i])

    def sample_step(
        self, data: dict[str, jax.Array], stream_key: jax.Array, step: jax.Array, batch_size: int
    ) -> tuple[jax.Array, jax.Array]:
        """Batch number (step + o) mod ⌊n_train/B⌋ of the stream, o drawn from ``stream_key`` (the seed's)."""
        n_batches = data["x"].shape[0] // batch_size
        offset = jax.random.randint(stream_key, (), 0, n_batches)
        start = ((step + offset) % n_batches) * batch_size
        xb = jax.lax.dynamic_slice_in_dim(data["x"], start, batch_size, 0)
        yb = jax.lax.dynamic_slice_in_dim(data["y"], start, batch_size, 0)
        return self._prepare(data, xb, yb)

    def test_set(self, data: dict[str, jax.Array]) -> tuple[jax.Array, jax.Array]:
        """The fixed test-loss set: x (n_test, H, W, C), one-hot y (n_test, 10)."""
        return data["x_test"], data["y_test"]

    def probe_set(self, data: dict[str, jax.Array], n: int) -> tuple[jax.Array, jax.Array]:
        """The first ``n`` held-out probe images (never in the stream) and their one-hot labels."""
        if n > self.n_probe:
            raise ValueError(f"probe set has {self.n_probe} images, {n} requested")
        return data["x_probe"][:n], data["y_probe"][:n]


def check_vision_stream(task: object) -> VisionStream:
    """``task`` if it is a valid :class:`VisionStream` (the data set is read to check sizes).

    Args:
        task: the object to check.

    Returns:
        ``task``.

    Raises:
        TypeError: not a VisionStream.
        ValueError: unknown data set, or sizes that do not fit the splits (named).
    """
    if not isinstance(task, VisionStream):
        raise TypeError(f"expected a VisionStream, got {type(task).__name__}")
    if task.dataset not in DATASETS:
        raise ValueError(f"unknown data set {task.dataset!r}; choose one of {DATASETS}")
    for name, lo in (("n_train", 1), ("n_test", 10), ("n_probe", 10), ("order_seed", 0)):
        v = getattr(task, name)
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise ValueError(f"VisionStream.{name} must be an integer >= {lo}, got {v!r}")
    n_split = stream_images(task.dataset, "train")[0].shape[0]
    if task.n_train + task.n_probe > n_split:
        raise ValueError(
            f"VisionStream: n_train + n_probe = {task.n_train + task.n_probe} exceeds the {n_split} training images "
            f"of {task.dataset!r} (one pass, probe images held out)"
        )
    n_test = stream_images(task.dataset, "test")[0].shape[0]
    if task.n_test > n_test:
        raise ValueError(f"VisionStream.n_test = {task.n_test} exceeds the {n_test} test images of {task.dataset!r}")
    return task

