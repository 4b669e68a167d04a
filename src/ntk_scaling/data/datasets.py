"""Training sets as the chapters use them, packed into :class:`TrainData`.

Class-balanced subsets of the vision data sets, and a synthetic stand-in.

The container lives with the data (not with training), so that ``data`` imports neither
the networks nor the training code.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import numpy as np

from .subsets import SUBSETS, load_subset, subset_identity, subset_label
from .vision import (
    balanced_subset,
    cifar10_provenance,
    file_identity,
    load_cifar10,
    load_fashion_mnist,
    load_mnist,
    one_hot,
    standardise,
)

__all__ = ["DATASETS", "PREPROCESSING", "TrainData", "dataset_label", "dataset_identity", "vision_data", "synthetic_data"]

DATASETS = ("mnist", "fashion_mnist", "cifar10", *SUBSETS)


class TrainData(NamedTuple):
    """Inputs (n, d) and one-hot targets (n, k) of a classification task."""

    x_train: Any
    y_train: Any
    x_test: Any  #: held-out points for the test loss
    y_test: Any
    x_ntk: Any  #: held-out points on which the eNTK is recorded (128 in [A])


def dataset_label(name: str) -> str:
    """Human-readable name for figures and tables.

    Says when CIFAR-10 is the JPEG copy, and names a subset and its size.

    Args:
        name: a data set name (:data:`DATASETS`, a subset of ``SUBSETS``, or ``"synthetic"``).

    Returns:
        E.g. ``"MNIST"``, ``"CIFAR-10 (JPEG copy)"``; unknown names are returned as given.
    """
    if name == "cifar10":
        return cifar10_provenance()
    if name in SUBSETS:
        return subset_label(name)
    return {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "synthetic": "synthetic"}.get(name, name)


def dataset_identity(name: str) -> dict[str, str]:
    """Name, variant and checksum of the data behind ``name``; part of cache keys.

    Args:
        name: one of :data:`DATASETS` or ``"synthetic"``.

    Returns:
        ``{"name", "variant", "checksum"}``: the verified file checksums for the full data
        sets (:func:`~ntk_scaling.data.vision.file_identity`), the content SHA-256 for a
        subset (so a packed subset and one cut from the full data share keys).

    Raises:
        ValueError: unknown name.
    """
    if name in SUBSETS:
        return subset_identity(name)
    return file_identity(name)


@functools.lru_cache(maxsize=6)
def _load_split(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Load (and checksum) a split once per process; sweeps call :func:`vision_data` often."""
    loaders = {"mnist": load_mnist, "fashion_mnist": load_fashion_mnist, "cifar10": load_cifar10}
    images, labels = loaders[name](split) if name in loaders else load_subset(name, split)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


PREPROCESSING = ("standardise", "scale_255")


def vision_data(
    name: str, n_train: int, n_test: int, n_ntk: int = 128, seed: int = 0, preprocessing: str = "standardise"
) -> TrainData:
    """A class-balanced training subset of ``n_train`` images and two disjoint held-out sets.

    The ``n_test`` test-loss points and the ``n_ntk`` eNTK points are drawn (class-balanced,
    disjoint) from the official test split. Images are flattened and, with
    ``preprocessing="standardise"`` (the default), standardised with the training subset's
    per-channel statistics; ``"scale_255"`` only divides the pixels by 255 (values in
    [0, 1]), as the authors of [A] do in their public measurement library. Targets are one-hot.

    Args:
        name: one of :data:`DATASETS`.
        n_train: training images (≥ 10, one per class at least).
        n_test: test-loss images (≥ 10).
        n_ntk: eNTK images (≥ 10).
        seed: the draw.
        preprocessing: ``"standardise"`` or ``"scale_255"`` (:data:`PREPROCESSING`).

    Returns:
        A :class:`TrainData` of float32 arrays: x (n, d), one-hot y (n, 10).

    Raises:
        ValueError: an unknown data set or preprocessing, or a size below 10.
        DataFormatError: corrupted data files.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {DATASETS}")
    if preprocessing not in PREPROCESSING:
        raise ValueError(f"unknown preprocessing {preprocessing!r}; choose one of {PREPROCESSING}")
    for label, v in (("n_train", n_train), ("n_test", n_test), ("n_ntk", n_ntk)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 10:
            raise ValueError(f"{label} must be an integer >= 10 (one per class), got {v!r}")
    xtr, ytr = _load_split(name, "train")
    xte, yte = _load_split(name, "test")
    xtr, ytr = balanced_subset(xtr, ytr, int(n_train), seed)
    held_x, held_y = balanced_subset(xte, yte, int(n_test + n_ntk), seed + 1)
    # split the balanced held-out draw into two balanced, disjoint parts
    order = np.argsort(held_y, kind="stable")
    held_x, held_y = held_x[order], held_y[order]
    ntk_idx = np.concatenate([np.flatnonzero(held_y == c)[: n_ntk // 10 + (c < n_ntk % 10)] for c in range(10)])
    mask = np.zeros(held_y.size, bool)
    mask[ntk_idx] = True
    if preprocessing == "standardise":
        x, x_test, x_ntk = standardise(xtr, held_x[~mask], held_x[mask])
    else:
        x, x_test, x_ntk = (np.asarray(a, np.float32).reshape(a.shape[0], -1) / np.float32(255.0)
                            for a in (xtr, held_x[~mask], held_x[mask]))
    return TrainData(x, one_hot(ytr), x_test, one_hot(held_y[~mask]), x_ntk)


def synthetic_data(
    n_train: int, n_test: int, n_ntk: int = 32, *, in_dim: int = 16, n_classes: int = 4, noise: float = 1.0, seed: int = 0
) -> TrainData:
    """A toy classification task: Gaussian clusters around random unit-norm class means.

    x = μ_c + noise·ξ/√d with ξ ~ N(0, I_d), so ‖x‖ = O(1); labels uniform over
    ``n_classes``. Cheap stand-in for images where a chapter only needs *a* task.

    Args:
        n_train: training points.
        n_test: test-loss points.
        n_ntk: eNTK points.
        in_dim: d.
        n_classes: k.
        noise: the cluster width (relative to the unit-norm means).
        seed: the draw.

    Returns:
        A :class:`TrainData` of float32 arrays: x (n, d), one-hot y (n, k).
    """
    rng = np.random.default_rng(seed)
    means = rng.standard_normal((n_classes, in_dim))
    means /= np.linalg.norm(means, axis=1, keepdims=True)

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        labels = rng.integers(0, n_classes, n)
        x = means[labels] + noise * rng.standard_normal((n, in_dim)) / np.sqrt(in_dim)
        return x.astype(np.float32), np.eye(n_classes, dtype=np.float32)[labels]

    x, y = draw(n_train)
    xt, yt = draw(n_test)
    xn, _ = draw(n_ntk)
    return TrainData(x, y, xt, yt, xn)
