"""The vision data sets of [A]: MNIST, Fashion-MNIST and CIFAR-10.

Files come from their official sources, are checked against checksums and kept in a
cache; nothing is trusted unchecked and nothing half-written stays behind (downloads
go to a temporary name first, which pooch renames only after the checksum passed).

Where the files live:

* ``$NTK_SCALING_DATA`` if set (CI points it at the offline copies in ``shared/data``),
* otherwise the user cache ``~/.cache/ntk_scaling/data`` (pooch's ``os_cache``).

Inside that folder the layout is ``mnist/*.gz``, ``fashion-mnist/*.gz``,
``cifar10/cifar-10-python.tar.gz`` (the official pickle tarball) and, as an offline
fallback, ``cifar10-jpeg/cifar10_jpeg_subset.npz`` (a lossy JPEG re-encoding of a
CIFAR-10 subset; anything computed on it is labelled "CIFAR-10 (JPEG copy)").

All loaders return ``(images, labels)`` as numpy arrays: images ``uint8`` of shape
``(n, 28, 28)`` (MNIST, Fashion-MNIST) or ``(n, 32, 32, 3)`` (CIFAR-10, NHWC), labels
``int64`` of shape ``(n,)`` with values 0..9.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import tarfile
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

__all__ = [
    "DATA_ENV",
    "DataUnavailableError",
    "DataFormatError",
    "CIFAR10_CLASSES",
    "MNIST_CLASSES",
    "FASHION_MNIST_CLASSES",
    "data_dir",
    "parse_idx",
    "load_mnist",
    "load_fashion_mnist",
    "read_cifar10_tarball",
    "cifar10_provenance",
    "file_identity",
    "load_cifar10",
    "balanced_subset",
    "Standardiser",
    "standardise",
    "one_hot",
]

DATA_ENV = "NTK_SCALING_DATA"
Split = Literal["train", "test"]


class DataUnavailableError(FileNotFoundError):
    """A data set is neither on disk nor downloadable (offline, or the server failed)."""


class DataFormatError(ValueError):
    """A data file is corrupted, truncated, or not in the expected format."""


class _IdxFile(NamedTuple):
    name: str  #: file name, e.g. "train-images-idx3-ubyte.gz"
    gz_md5: str  #: MD5 of the official .gz (checked on download)
    raw_sha256: str  #: SHA-256 of the uncompressed payload (checked on every load)


# Official sources. MNIST's home page often refuses automated downloads, so the
# long-standing mirror used by torchvision is tried second; the checksums are the same.
_MNIST_URLS = (
    "https://yann.lecun.com/exdb/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
_FASHION_URLS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
_CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
_CIFAR_MD5 = "c58f30108f718f92721af3b95e74349a"
_CIFAR_JPEG_SHA256 = "9cb1ca09a72d6a9aef6a038df1703f52920ca213a18ef8c791bbc7129509f97f"

_MNIST_FILES = {
    ("train", "images"): _IdxFile("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                                  "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    ("train", "labels"): _IdxFile("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432",
                                  "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    ("test", "images"): _IdxFile("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
                                 "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    ("test", "labels"): _IdxFile("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c",
                                 "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
}
_FASHION_FILES = {
    ("train", "images"): _IdxFile("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                                  "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    ("train", "labels"): _IdxFile("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
                                  "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    ("test", "images"): _IdxFile("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
                                 "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    ("test", "labels"): _IdxFile("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310",
                                 "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
}

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
MNIST_CLASSES = tuple(str(d) for d in range(10))
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                         "Ankle boot")


def data_dir() -> Path:
    """The data folder: ``$NTK_SCALING_DATA`` if set, else the user cache.

    Returns:
        The folder (it may not exist yet).
    """
    root = os.environ.get(DATA_ENV)
    if root:
        return Path(root).expanduser()
    import pooch

    return Path(pooch.os_cache("ntk_scaling")) / "data"


def _offline_hint(what: str) -> str:
    return (
        f"{what} is not in {data_dir()} and could not be downloaded. Without a network, put the "
        f"official files in a folder (layout: mnist/*.gz, fashion-mnist/*.gz, "
        f"cifar10/cifar-10-python.tar.gz or cifar10-jpeg/cifar10_jpeg_subset.npz) and set "
        f"{DATA_ENV} to that folder (the project's offline copies are in ../shared/data)."
    )


def _fetch(subdir: str, name: str, urls: tuple[str, ...], md5: str, what: str) -> Path:
    """Path of ``subdir/name`` in the data folder, downloading (checked by MD5) if absent."""
    path = data_dir() / subdir / name
    if path.exists():
        return path
    import pooch

    errors = []
    for base in urls:
        url = base if base.endswith(name) else base + name
        try:
            return Path(
                pooch.retrieve(url, known_hash=f"md5:{md5}", fname=name, path=path.parent, progressbar=False)
            )
        except ValueError as exc:  # checksum mismatch: pooch has already removed the file
            raise DataFormatError(f"download of {url} failed its checksum: {exc}") from exc
        except Exception as exc:  # network errors come in many types (requests, OSError, ...)
            errors.append(f"{url}: {type(exc).__name__}")
    raise DataUnavailableError(_offline_hint(what) + f" Tried: {'; '.join(errors)}")


def _read_gzip(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataFormatError(f"{path}: not a readable gzip file ({exc}); delete it to download again") from exc


def parse_idx(raw: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse an (uncompressed) IDX file of unsigned bytes into a numpy array.

    The IDX header is two zero bytes, a type code (0x08 = uint8), the number of
    dimensions, then one big-endian uint32 per dimension.

    Args:
        raw: the file's bytes (after gunzip).
        source: the file's name, for messages.

    Returns:
        A uint8 array of the announced shape.

    Raises:
        DataFormatError: a bad magic number or type code, a truncated header, or a size
            that does not match the header.
    """
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataFormatError(f"{source}: not an IDX file (bad magic number)")
    if raw[2] != 0x08:
        raise DataFormatError(f"{source}: IDX type code {raw[2]:#04x} is not unsigned byte (0x08)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DataFormatError(f"{source}: truncated IDX header")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise DataFormatError(
            f"{source}: IDX header announces {expected} values of shape {shape} but the file holds "
            f"{len(raw) - header} (truncated or corrupted)"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def _load_idx_pair(
    files: dict[tuple[str, str], _IdxFile], subdir: str, urls: tuple[str, ...], split: Split, what: str
) -> tuple[np.ndarray, np.ndarray]:
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    arrays = {}
    for part in ("images", "labels"):
        spec = files[(split, part)]
        path = _fetch(subdir, spec.name, urls, spec.gz_md5, what)
        raw = _read_gzip(path)
        digest = hashlib.sha256(raw).hexdigest()
        if digest != spec.raw_sha256:
            raise DataFormatError(
                f"{path}: content checksum mismatch (sha256 {digest[:12]}..., expected {spec.raw_sha256[:12]}...); "
                "the file is corrupted or not the official one; delete it to download again"
            )
        arrays[part] = parse_idx(raw, str(path))
    images, labels = arrays["images"], arrays["labels"].astype(np.int64)
    if images.shape[0] != labels.shape[0]:
        raise DataFormatError(f"{what} {split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images, labels


def load_mnist(split: Split = "train") -> tuple[np.ndarray, np.ndarray]:
    """MNIST: ``uint8`` images (n, 28, 28) and ``int64`` labels (n,); n = 60000 or 10000.

    Args:
        split: ``"train"`` or ``"test"``.

    Returns:
        (images, labels), checked against the official checksums.

    Raises:
        ValueError: an unknown split.
        DataFormatError: a corrupted or foreign file.
        OSError: the file is absent and cannot be downloaded (the message says where to put it).
    """
    return _load_idx_pair(_MNIST_FILES, "mnist", _MNIST_URLS, split, "MNIST")


def load_fashion_mnist(split: Split = "train") -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST: ``uint8`` images (n, 28, 28) and ``int64`` labels (n,).

    Args:
        split: ``"train"`` (60000 images) or ``"test"`` (10000).

    Returns:
        (images, labels), checked against the official checksums.

    Raises:
        ValueError: an unknown split.
        DataFormatError: a corrupted or foreign file.
        OSError: the file is absent and cannot be downloaded.
    """
    return _load_idx_pair(_FASHION_FILES, "fashion-mnist", _FASHION_URLS, split, "Fashion-MNIST")


def read_cifar10_tarball(path: Path | str, split: Split) -> tuple[np.ndarray, np.ndarray]:
    """Parse the official ``cifar-10-python.tar.gz`` (pickled batches) into NHWC arrays.

    The training split is ``data_batch_1`` ... ``data_batch_5``, the test split
    ``test_batch``; each batch is a pickled dict with ``b"data"`` (n, 3072) in
    channel-major order and ``b"labels"``.

    Args:
        path: the archive.
        split: ``"train"`` or ``"test"``.

    Returns:
        ``uint8`` images (n, 32, 32, 3) and ``int64`` labels (n,) in 0..9.

    Raises:
        ValueError: an unknown split.
        DataFormatError: an unreadable archive, a missing batch, or inconsistent arrays.
    """
    path = Path(path)
    members = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    images, labels = [], []
    try:
        with tarfile.open(path, "r:gz") as tar:
            names = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}
            for member in members:
                if member not in names:
                    raise DataFormatError(f"{path}: batch {member!r} missing from the archive")
                # The tarball's checksum was verified (or the caller built it), so unpickling is safe.
                batch = pickle.load(io.BytesIO(tar.extractfile(names[member]).read()), encoding="bytes")
                data = np.asarray(batch[b"data"], dtype=np.uint8)
                if data.ndim != 2 or data.shape[1] != 3072:
                    raise DataFormatError(f"{path}:{member}: data has shape {data.shape}, expected (n, 3072)")
                images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
                labels.append(np.asarray(batch[b"labels"], dtype=np.int64))
    except (tarfile.TarError, EOFError, OSError, pickle.UnpicklingError, KeyError) as exc:
        raise DataFormatError(f"{path}: not a readable CIFAR-10 python archive ({type(exc).__name__}: {exc})") from exc
    x, y = np.concatenate(images), np.concatenate(labels)
    if x.shape[0] != y.shape[0] or y.min() < 0 or y.max() > 9:
        raise DataFormatError(f"{path}: labels do not match the images or lie outside 0..9")
    return x, y


def _cifar_jpeg_path() -> Path:
    return data_dir() / "cifar10-jpeg" / "cifar10_jpeg_subset.npz"


def _cifar_official_path() -> Path:
    return data_dir() / "cifar10" / "cifar-10-python.tar.gz"


def cifar10_provenance() -> str:
    """"CIFAR-10" when the official archive is used, "CIFAR-10 (JPEG copy)" for the offline subset.

    Returns:
        The label figures and tables print.
    """
    if _cifar_official_path().exists() or not _cifar_jpeg_path().exists():
        return "CIFAR-10"
    return "CIFAR-10 (JPEG copy)"


def file_identity(name: str) -> dict[str, str]:
    """Name, variant and checksum of the files a loader will read; part of cache keys.

    The checksums are the ones every load verifies (the SHA-256s of the uncompressed IDX
    files, the MD5 of the official CIFAR-10 archive, the SHA-256 of the JPEG copy), so a
    key names exactly the bytes that were used. The official CIFAR-10 and its JPEG copy
    are different variants and never share a key.

    Args:
        name: ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"`` or ``"synthetic"``.

    Returns:
        ``{"name": ..., "variant": ..., "checksum": ...}``.

    Raises:
        ValueError: unknown data set name.
    """
    if name in ("mnist", "fashion_mnist"):
        files = _MNIST_FILES if name == "mnist" else _FASHION_FILES
        digest = hashlib.sha256("".join(f.raw_sha256 for _, f in sorted(files.items())).encode()).hexdigest()
        return {"name": name, "variant": "official", "checksum": digest}
    if name == "cifar10":
        if cifar10_provenance() == "CIFAR-10 (JPEG copy)":
            return {"name": name, "variant": "jpeg-copy", "checksum": _CIFAR_JPEG_SHA256}
        return {"name": name, "variant": "official", "checksum": _CIFAR_MD5}
    if name == "synthetic":
        return {"name": name, "variant": "generated", "checksum": ""}
    raise ValueError(f"unknown data set {name!r}")


def load_cifar10(split: Split = "train") -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10: ``uint8`` images (n, 32, 32, 3) and ``int64`` labels (n,).

    Uses the official archive if it is in the data folder; otherwise the offline JPEG
    subset if present (20000 train / 5000 test images, lossy: see
    :func:`cifar10_provenance`); otherwise downloads the official archive.

    Args:
        split: ``"train"`` or ``"test"``.

    Returns:
        (images, labels).

    Raises:
        ValueError: an unknown split.
        DataFormatError: a checksum mismatch or unexpected arrays.
        OSError: no copy is present and the archive cannot be downloaded.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    official = _cifar_official_path()
    jpeg = _cifar_jpeg_path()
    if not official.exists() and jpeg.exists():
        digest = hashlib.sha256(jpeg.read_bytes()).hexdigest()
        if digest != _CIFAR_JPEG_SHA256:
            raise DataFormatError(f"{jpeg}: checksum mismatch (sha256 {digest[:12]}...); the file is corrupted")
        try:
            with np.load(jpeg, allow_pickle=False) as npz:
                x, y = npz[f"x_{split}"], npz[f"y_{split}"].astype(np.int64)
        except (KeyError, ValueError, OSError) as exc:
            raise DataFormatError(f"{jpeg}: not the expected npz with x_{split}/y_{split} ({exc})") from exc
        if x.dtype != np.uint8 or x.ndim != 4 or x.shape[1:] != (32, 32, 3) or x.shape[0] != y.shape[0]:
            raise DataFormatError(f"{jpeg}: unexpected arrays {x.dtype} {x.shape}, labels {y.shape}")
        return x, y
    path = _fetch("cifar10", official.name, (_CIFAR_URL,), _CIFAR_MD5, "CIFAR-10")
    digest = _file_md5(path)
    if digest != _CIFAR_MD5:
        raise DataFormatError(f"{path}: checksum mismatch (md5 {digest}, expected {_CIFAR_MD5}); delete it to download again")
    return read_cifar10_tarball(path, split)


def _file_md5(path: Path) -> str:
    h = hashlib.md5()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _as_generator(key: object) -> np.random.Generator:
    """A numpy generator from an int seed or a JAX PRNG key (explicit randomness)."""
    if isinstance(key, (int, np.integer)):
        return np.random.default_rng(int(key))
    try:
        import jax

        data = np.asarray(jax.random.key_data(key) if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key) else key)
    except (AttributeError, TypeError) as exc:
        raise TypeError(f"key must be an int seed or a JAX PRNG key, got {type(key).__name__}") from exc
    return np.random.default_rng(data.astype(np.uint64).ravel().tolist())


def balanced_subset(
    images: np.ndarray, labels: np.ndarray, n: int, key: object = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A class-balanced random subset of ``n`` samples (classes differ by at most one).

    Args:
        images: shape (N, ...).
        labels: integer labels of shape (N,).
        n: the subset size, at least the number of classes.
        key: an int seed or a JAX PRNG key.

    Returns:
        (images, labels) of the subset, shuffled; class counts differ by at most one.

    Raises:
        ValueError: mismatched lengths, ``n`` below the number of classes, or a class
            with too few samples.
        TypeError: ``key`` is neither an int nor a PRNG key.
    """
    labels = np.asarray(labels)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{images.shape[0]} images but {labels.shape[0]} labels")
    classes = np.unique(labels)
    if not isinstance(n, (int, np.integer)) or n < len(classes):
        raise ValueError(f"n must be an integer >= the number of classes ({len(classes)}), got {n!r}")
    rng = _as_generator(key)
    per_class = np.full(len(classes), n // len(classes))
    per_class[rng.permutation(len(classes))[: n % len(classes)]] += 1
    picks = []
    for c, count in zip(classes, per_class):
        members = np.flatnonzero(labels == c)
        if members.size < count:
            raise ValueError(f"class {c} has only {members.size} samples, {count} requested")
        picks.append(rng.choice(members, size=count, replace=False))
    index = rng.permutation(np.concatenate(picks))
    return images[index], labels[index]


class Standardiser(NamedTuple):
    """Per-channel mean and standard deviation of the training images (in [0, 1] units)."""

    mean: np.ndarray
    std: np.ndarray


def standardise(train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Flatten images to float32 rows, scaled by the training set's per-channel mean and std.

    Statistics come from ``train`` only and are applied to every array in ``others``,
    so held-out data never leaks into the preprocessing.

    Args:
        train: uint8 images, (n, H, W) or (n, H, W, C).
        *others: more image arrays of the same layout (test, eNTK points).

    Returns:
        ``(train, *others)`` as float32 rows of shape (n, H·W·C), zero mean and unit
        variance per channel on the training set.

    Raises:
        ValueError: a channel of the training images is constant.
    """
    def channels(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32) / 255.0
        return x[..., None] if x.ndim == 3 else x

    t = channels(train)
    axes = tuple(range(t.ndim - 1))
    stats = Standardiser(t.mean(axis=axes), t.std(axis=axes))
    if np.any(stats.std == 0):
        raise ValueError("standardise: a channel of the training images is constant")
    out = []
    for x in (train, *others):
        xc = (channels(x) - stats.mean) / stats.std
        out.append(xc.reshape(xc.shape[0], -1).astype(np.float32))
    return tuple(out)


def one_hot(labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """One-hot float32 targets of shape (n, n_classes).

    Args:
        labels: integers in [0, n_classes), shape (n,).
        n_classes: k.

    Returns:
        Shape (n, k), float32.

    Raises:
        ValueError: labels not 1-d or out of range.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must be a 1-d array of integers in [0, {n_classes})")
    return np.eye(n_classes, dtype=np.float32)[labels]
