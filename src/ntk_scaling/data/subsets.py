"""Fixed, named subsets of the vision data sets, small enough to travel to a GPU machine.

A paper-scale run on a lent GPU carries its data with it (64 MiB in all, see the README's
GPU runbook), and the full Fashion-MNIST files and the CIFAR-10 JPEG copy do not fit
beside MNIST. The ``gpu`` profile therefore names these subsets explicitly, and every
figure computed from one says so. A subset is the first ``k`` images of each class, in the
order of the parent's files, for the train and the test split: deterministic, so it can be
cut on any machine from the parent data set, or read from a packed file made by
:func:`write_subset`. Either way its identity (part of every cache key) is the SHA-256 of
its contents, so results computed on a GPU from the packed file and a CPU render from the
full data set share their keys.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .vision import DataFormatError, cifar10_provenance, data_dir, load_cifar10, load_fashion_mnist, load_mnist

__all__ = ["SUBSETS", "SubsetSpec", "load_subset", "subset_identity", "subset_label", "write_subset", "subset_path"]


class SubsetSpec(NamedTuple):
    """A named subset: the parent data set and the images kept per class."""

    parent: str  #: "mnist", "fashion_mnist" or "cifar10"
    train_per_class: int
    test_per_class: int


SUBSETS: dict[str, SubsetSpec] = {
    "fashion_mnist_subset": SubsetSpec("fashion_mnist", 1000, 200),
    "cifar10_subset": SubsetSpec("cifar10", 300, 100),
}

_PARENT_LOADERS = {"mnist": load_mnist, "fashion_mnist": load_fashion_mnist, "cifar10": load_cifar10}


def subset_path(name: str, root: Path | None = None) -> Path:
    """Where a packed subset lives: ``<data folder>/subsets/<name>.npz``.

    Args:
        name: the subset's name (a key of ``SUBSETS``).
        root: the data folder (default :func:`~ntk_scaling.data.vision.data_dir`).

    Returns:
        The path (it may not exist).
    """
    return (root or data_dir()) / "subsets" / f"{name}.npz"


def _spec(name: str) -> SubsetSpec:
    if name not in SUBSETS:
        raise ValueError(f"unknown subset {name!r}; subsets: {sorted(SUBSETS)}")
    return SUBSETS[name]


def _first_per_class(labels: np.ndarray, k: int, what: str) -> np.ndarray:
    picks = []
    for c in range(10):
        members = np.flatnonzero(labels == c)
        if members.size < k:
            raise DataFormatError(f"{what}: class {c} has {members.size} images, the subset needs {k}")
        picks.append(members[:k])
    return np.sort(np.concatenate(picks))


def _digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(f"{key}:{a.dtype}:{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _cut(name: str) -> dict[str, np.ndarray]:
    spec = _spec(name)
    out = {}
    for split, k in (("train", spec.train_per_class), ("test", spec.test_per_class)):
        x, y = _PARENT_LOADERS[spec.parent](split)
        idx = _first_per_class(y, k, f"{spec.parent} {split}")
        out[f"x_{split}"], out[f"y_{split}"] = x[idx], y[idx].astype(np.int64)
    return out


@functools.lru_cache(maxsize=4)
def _arrays(name: str) -> tuple[dict[str, np.ndarray], str]:
    path = subset_path(name)
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in ("x_train", "y_train", "x_test", "y_test")}
                recorded = str(npz["sha256"])
                variant = str(npz["variant"])
        except (KeyError, ValueError, OSError) as exc:
            raise DataFormatError(f"{path}: not a packed subset ({exc}); rebuild it with `make gpu-pack`") from exc
        if _digest(arrays) != recorded:
            raise DataFormatError(f"{path}: contents do not match their recorded SHA-256; the file is corrupted")
    else:
        arrays = _cut(name)
        variant = _parent_variant(_spec(name).parent)
    for a in arrays.values():
        a.setflags(write=False)
    return arrays, variant


def _parent_variant(parent: str) -> str:
    if parent == "cifar10":
        return "jpeg-copy" if cifar10_provenance() == "CIFAR-10 (JPEG copy)" else "official"
    return "official"


def load_subset(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Images and int64 labels of a named subset (packed file if present, else cut from the parent).

    Args:
        name: a key of :data:`SUBSETS`.
        split: "train" or "test".

    Returns:
        ``(images, labels)``: uint8 images as the parent loader gives them (n, H, W[, C]),
        with n = 10 × the per-class count, in the parent's order.

    Raises:
        ValueError: unknown subset or split.
        DataFormatError: a packed file is corrupt, or the parent has too few images of a class.
        DataUnavailableError: neither a packed file nor the parent data set is available.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    arrays, _ = _arrays(name)
    return arrays[f"x_{split}"], arrays[f"y_{split}"]


def subset_identity(name: str) -> dict[str, str]:
    """Name, variant (of the parent) and content SHA-256 of a subset, for cache keys.

    Args:
        name: the subset's name.

    Returns:
        ``{"name": ..., "variant": ..., "checksum": ...}``.
    """
    arrays, variant = _arrays(name)
    return {"name": name, "variant": variant, "checksum": _digest(arrays)}


def subset_label(name: str) -> str:
    """How figures name a subset, e.g. "CIFAR-10 (JPEG copy), 3,000-image subset".

    Args:
        name: the subset's name.

    Returns:
        The label.
    """
    spec = _spec(name)
    parent = {"fashion_mnist": "Fashion-MNIST", "mnist": "MNIST", "cifar10": None}[spec.parent]
    if parent is None:
        _, variant = _arrays(name)
        parent = "CIFAR-10 (JPEG copy)" if variant == "jpeg-copy" else "CIFAR-10"
    return f"{parent}, {10 * spec.train_per_class:,}-image subset"


def write_subset(name: str, folder: Path) -> Path:
    """Cut a subset from its parent and write it, with its checksum, to ``folder/subsets/<name>.npz``.

    Args:
        name: the subset's name.
        folder: the data folder to write into.

    Returns:
        The written path.
    """
    arrays = _cut(name)
    path = subset_path(name, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays, sha256=np.asarray(_digest(arrays)),
                        variant=np.asarray(_parent_variant(_spec(name).parent)))
    return path
