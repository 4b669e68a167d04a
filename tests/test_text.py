"""Tiny Shakespeare loader (ntk_scaling.data.text): checksum, error paths, vocabulary, split, stream."""

from __future__ import annotations

import os
from pathlib import Path

import jax
import numpy as np
import pytest

import ntk_scaling as nts

SHARED = Path(os.environ.get("NTK_SCALING_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
HAVE_COPY = (SHARED / "tinyshakespeare" / "input.txt").exists()
needs_copy = pytest.mark.skipif(not HAVE_COPY, reason="no offline copy of Tiny Shakespeare")


@needs_copy
def test_offline_copy_passes_its_checksum(monkeypatch):
    monkeypatch.setenv("NTK_SCALING_DATA", str(SHARED))
    text = nts.load_tiny_shakespeare()
    assert len(text) == 1_115_394
    assert text.startswith("First Citizen:")
    vocab = nts.char_vocabulary(text)
    assert vocab.size == 65


def test_corrupt_file_names_the_file_and_both_checksums(tmp_path, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    path = tmp_path / "tinyshakespeare" / "input.txt"
    path.parent.mkdir()
    path.write_text("First Citizen:\nBefore we proceed any further, hear me speak.\n")
    with pytest.raises(nts.DataFormatError) as err:
        nts.load_tiny_shakespeare()
    msg = str(err.value)
    assert str(path) in msg
    assert nts.TINY_SHAKESPEARE_SHA256 in msg
    assert "checksum mismatch" in msg


def test_missing_file_without_network_says_how_to_provide_it(tmp_path, monkeypatch):
    import pooch

    def no_network(*args, **kwargs):
        raise ConnectionError("offline")

    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    monkeypatch.setattr(pooch, "retrieve", no_network)
    with pytest.raises(nts.DataUnavailableError) as err:
        nts.load_tiny_shakespeare()
    msg = str(err.value)
    assert "NTK_SCALING_DATA" in msg and nts.TINY_SHAKESPEARE_URL in msg and "tinyshakespeare/input.txt" in msg


def test_download_uses_public_source_and_sha256(tmp_path, monkeypatch):
    import pooch

    seen = {}

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        seen.update(url=url, known_hash=known_hash, fname=fname, path=Path(path))
        raise ValueError("SHA256 hash of downloaded file does not match")

    monkeypatch.setenv("NTK_SCALING_DATA", str(tmp_path))
    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    with pytest.raises(nts.DataFormatError, match="checksum"):
        nts.load_tiny_shakespeare()
    assert seen["url"] == nts.TINY_SHAKESPEARE_URL
    assert seen["known_hash"] == f"sha256:{nts.TINY_SHAKESPEARE_SHA256}"
    assert seen["path"] == tmp_path / "tinyshakespeare" and seen["fname"] == "input.txt"


def test_encode_decode_round_trip_and_errors():
    text = "To be, or not to be: that is the question.\n"
    vocab = nts.char_vocabulary(text)
    assert list(vocab.chars) == sorted(set(text))
    ids = nts.encode_text(vocab, text)
    assert ids.dtype == np.int32 and ids.shape == (len(text),)
    assert nts.decode_text(vocab, ids) == text
    assert ids[0] == vocab.chars.index("T")
    with pytest.raises(ValueError, match="'Z'"):
        nts.encode_text(vocab, "Zounds")
    with pytest.raises(ValueError, match="token ids"):
        nts.decode_text(vocab, np.array([vocab.size]))


def test_split_is_deterministic_and_disjoint():
    tokens = np.arange(1000)
    train, held = nts.split_text(tokens, 0.1)
    assert train.size == 900 and held.size == 100
    np.testing.assert_array_equal(np.concatenate([train, held]), tokens)
    with pytest.raises(ValueError, match="held_out_fraction"):
        nts.split_text(tokens, 1.0)


def test_windows_non_overlapping_and_spread():
    tokens = np.arange(100)
    w = nts.text_windows(tokens, 9)
    assert w.shape == (10, 10)
    np.testing.assert_array_equal(w.ravel(), tokens)
    spread = nts.text_windows(tokens, 9, n=4)
    assert spread.shape == (4, 10) and spread[0, 0] == 0 and spread[-1, -1] == 99
    with pytest.raises(ValueError, match="window"):
        nts.text_windows(tokens, 0)


@needs_copy
def test_one_pass_stream_never_repeats_a_window(monkeypatch):
    monkeypatch.setenv("NTK_SCALING_DATA", str(SHARED))
    task = nts.TextTask(window=32, n_test=16)
    data = task.load()
    m = task.stream_length(data)
    assert m == int(round(1_115_394 * 0.9)) // 33
    x_test, y_test = task.test_set(data)
    assert x_test.shape == (16, 32) and y_test.shape == (16, 32)
    np.testing.assert_array_equal(np.asarray(x_test[:, 1:]), np.asarray(y_test[:, :-1]))  # next-token shift
    key = jax.random.PRNGKey(3)
    batch = 64
    seen = []
    for step in range(m // batch):
        x, y = task.sample_step(data, key, np.int32(step), batch)
        seen.append(np.asarray(x[:, 0]) * 100_000 + np.asarray(y[:, -1]))  # a window's fingerprint
    starts = np.concatenate(seen)
    train = np.asarray(data["train"])
    fingerprints = train[:, 0].astype(np.int64) * 100_000 + train[:, -1]
    # the stream reads consecutive rows of the fixed order from the run's offset, none twice
    offset = int(jax.random.randint(key, (), 0, m))
    rows = (offset + np.arange(len(starts))) % m
    assert np.unique(rows).size == rows.size
    np.testing.assert_array_equal(starts, fingerprints[rows])
    assert task.identity()["checksum"] == nts.TINY_SHAKESPEARE_SHA256
