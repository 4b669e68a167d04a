"""Tests of ntk_scaling.data: IDX and CIFAR parsers, checksums, error paths, helpers."""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

import ntk_scaling as nts
from ntk_scaling.data import vision as D


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_parse_idx_roundtrip():
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(D.parse_idx(idx_bytes(arr)), arr)


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"\x01\x00\x08\x01" + (3).to_bytes(4, "big") + b"abc", "magic"),
        (b"\x00\x00\x0d\x01" + (3).to_bytes(4, "big") + b"abc", "type code"),
        (b"\x00\x00\x08\x01" + (5).to_bytes(4, "big") + b"abc", "truncated"),
        (b"\x00\x00\x08\x02\x00", "header"),
    ],
)
def test_parse_idx_rejects_bad_files(raw, message):
    with pytest.raises(D.DataFormatError, match=message):
        D.parse_idx(raw, "bad.idx")


def _write_mnist_like(folder: Path, n: int = 7) -> None:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for (split, part), spec in D._MNIST_FILES.items():
        arr = rng.integers(0, 256, (n, 28, 28)) if part == "images" else rng.integers(0, 10, n)
        (folder / spec.name).write_bytes(gzip.compress(idx_bytes(arr)))


def test_wrong_content_fails_checksum_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    _write_mnist_like(tmp_path / "mnist")
    with pytest.raises(D.DataFormatError, match="train-images-idx3-ubyte.gz: content checksum mismatch"):
        nts.load_mnist("train")


def test_truncated_gzip_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    _write_mnist_like(tmp_path / "mnist")
    target = tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:20])
    with pytest.raises(D.DataFormatError, match="t10k-images-idx3-ubyte.gz: not a readable gzip"):
        nts.load_mnist("test")


def test_missing_offline_says_how_to_provide(tmp_path, monkeypatch):
    import pooch

    def no_network(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    monkeypatch.setattr(pooch, "retrieve", no_network)
    with pytest.raises(D.DataUnavailableError, match="NTK_SCALING_DATA"):
        nts.load_fashion_mnist("train")
    assert not any(tmp_path.rglob("*.gz")), "nothing half-written may stay in the cache"


def test_download_checksum_failure_is_a_format_error(tmp_path, monkeypatch):
    import pooch

    def bad_hash(*args, **kwargs):
        raise ValueError("MD5 hash of downloaded file does not match the known hash")

    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    monkeypatch.setattr(pooch, "retrieve", bad_hash)
    with pytest.raises(D.DataFormatError, match="checksum"):
        nts.load_mnist("test")


def test_download_uses_official_name_and_md5(tmp_path, monkeypatch):
    import pooch

    calls = []

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls.append((url, known_hash))
        raise ConnectionError("offline")

    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.raises(D.DataUnavailableError):
        nts.load_mnist("train")
    assert calls[0] == ("https://yann.lecun.com/exdb/mnist/train-images-idx3-ubyte.gz",
                        "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873")
    assert len(calls) == 2, "the mirror is tried after the home page"


def _cifar_batch(n: int, offset: int) -> bytes:
    data = (np.arange(n * 3072) + offset).reshape(n, 3072) % 256
    return pickle.dumps({b"data": data.astype(np.uint8), b"labels": [(i + offset) % 10 for i in range(n)]})


def _write_cifar_tarball(path: Path, drop: str | None = None) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
            if name == drop:
                continue
            payload = _cifar_batch(3, i)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))


def test_cifar_tarball_parser(tmp_path):
    path = tmp_path / "cifar-10-python.tar.gz"
    _write_cifar_tarball(path)
    x, y = D.read_cifar10_tarball(path, "train")
    assert x.shape == (15, 32, 32, 3) and x.dtype == np.uint8 and y.dtype == np.int64
    # channel-major rows: pixel (row 0, col 1) of channel 2 is element 2*1024 + 1
    assert x[0, 0, 1, 2] == (2 * 1024 + 1) % 256
    xt, yt = D.read_cifar10_tarball(path, "test")
    assert xt.shape == (3, 32, 32, 3) and list(yt) == [5, 6, 7]


def test_cifar_tarball_errors(tmp_path):
    path = tmp_path / "c.tar.gz"
    _write_cifar_tarball(path, drop="data_batch_3")
    with pytest.raises(D.DataFormatError, match="data_batch_3"):
        D.read_cifar10_tarball(path, "train")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(D.DataFormatError, match="junk.tar.gz"):
        D.read_cifar10_tarball(junk, "test")


def test_corrupted_cifar_jpeg_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    (tmp_path / "cifar10-jpeg").mkdir()
    np.savez(tmp_path / "cifar10-jpeg" / "cifar10_jpeg_subset.npz", x_train=np.zeros((2, 32, 32, 3), np.uint8))
    assert nts.cifar10_provenance() == "CIFAR-10 (JPEG copy)"
    with pytest.raises(D.DataFormatError, match="checksum"):
        nts.load_cifar10("train")


def test_real_mnist_matches_well_known_checksums(real_data_dir):
    known = {
        "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
        "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
    }
    for name, md5 in known.items():
        raw = gzip.decompress((real_data_dir / "mnist" / name).read_bytes())
        assert hashlib.md5(raw).hexdigest() == md5
    x, y = nts.load_mnist("test")
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8
    assert np.bincount(y).tolist()[:3] == [980, 1135, 1032]  # the well-known test class counts


def test_real_fashion_and_cifar_shapes(real_data_dir):
    x, y = nts.load_fashion_mnist("test")
    assert x.shape == (10000, 28, 28) and np.all(np.bincount(y) == 1000)
    xc, yc = nts.load_cifar10("test")
    assert xc.shape[1:] == (32, 32, 3) and np.all(np.bincount(yc) == xc.shape[0] // 10)


def test_balanced_subset_is_balanced_and_reproducible():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 1000)
    images = np.arange(1000)
    a, la = nts.balanced_subset(images, labels, 95, key=3)
    b, lb = nts.balanced_subset(images, labels, 95, key=3)
    counts = np.bincount(la, minlength=10)
    assert counts.sum() == 95 and counts.max() - counts.min() <= 1
    np.testing.assert_array_equal(a, b)
    assert len(set(a.tolist())) == 95, "no sample is drawn twice"
    np.testing.assert_array_equal(labels[a], la)


def test_balanced_subset_errors():
    labels = np.repeat(np.arange(10), 3)
    with pytest.raises(ValueError, match="only 3 samples"):
        nts.balanced_subset(np.zeros(30), labels, 50)
    with pytest.raises(ValueError, match="n must be"):
        nts.balanced_subset(np.zeros(30), labels, 5)


def test_standardise_uses_training_statistics_only():
    rng = np.random.default_rng(1)
    train = rng.integers(0, 256, (50, 4, 4, 3)).astype(np.uint8)
    test = np.full((2, 4, 4, 3), 255, np.uint8)
    tr, te = nts.standardise(train, test)
    assert tr.shape == (50, 48) and tr.dtype == np.float32
    per_channel = tr.reshape(50, 16, 3)
    np.testing.assert_allclose(per_channel.mean(axis=(0, 1)), 0, atol=1e-5)
    np.testing.assert_allclose(per_channel.std(axis=(0, 1)), 1, atol=1e-4)
    assert np.all(te > 1.0)
    with pytest.raises(ValueError, match="constant"):
        nts.standardise(np.zeros((3, 2, 2), np.uint8))


def test_one_hot():
    np.testing.assert_array_equal(nts.one_hot(np.array([0, 2]), 3), [[1, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError):
        nts.one_hot(np.array([3]), 3)
