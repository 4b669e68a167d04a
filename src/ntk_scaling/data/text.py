"""Tiny Shakespeare at the character level: the text stand-in for [B]'s language model (Fig 9).

[B] (arXiv 2409.17858, Appendix A.3) trains a transformer on next-token prediction and
plots the cross-entropy against steps for several γ₀. Its corpus is not named in a way we
can reproduce here, so the book uses Tiny Shakespeare (1,115,394 characters of plays; the
file ``data/tinyshakespeare/input.txt`` of the public repository ``karpathy/char-rnn``),
tokenised by character. Every figure made from it says so.

Where the file lives: ``$NTK_SCALING_DATA/tinyshakespeare/input.txt`` if the variable is
set (CI points it at the offline copy in ``shared/data``), otherwise the user cache
(:func:`ntk_scaling.data_dir`). A missing file is downloaded from its public source with
pooch, checked against the SHA-256 below; a present file is checked on every load. A
mismatch raises :class:`ntk_scaling.DataFormatError` naming the file and both checksums.

**Split** (equations appendix, ``eq-book-text-split``; our choice, the usual one for this
corpus): the first 90% of the characters train, the last 10% are held out. The held-out
loss is measured on ``n_test`` windows spread evenly over the held-out part.

**One pass.** The training part is cut into non-overlapping windows of ``window + 1``
characters; a window gives a context of ``window`` tokens and the next token at every
position. :class:`TextTask` streams these windows in a fixed random order, each run
starting at its own offset in that order, ``batch_size`` windows a step: no window is seen
twice as long as ``steps × batch_size`` does not exceed the number of windows
(:meth:`TextTask.stream_length`; :func:`ntk_scaling.train_online` checks it).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .vision import DATA_ENV, DataFormatError, DataUnavailableError, data_dir

__all__ = [
    "TINY_SHAKESPEARE_SHA256",
    "TINY_SHAKESPEARE_URL",
    "CharVocab",
    "TextTask",
    "char_vocabulary",
    "decode_text",
    "encode_text",
    "load_tiny_shakespeare",
    "split_text",
    "text_label",
    "text_windows",
    "tiny_shakespeare_path",
    "tiny_shakespeare_vocab",
]

TINY_SHAKESPEARE_URL = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
TINY_SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


def tiny_shakespeare_path() -> Path:
    """Where the corpus is read from: ``<data folder>/tinyshakespeare/input.txt``.

    Returns:
        The path (the file may not exist yet).
    """
    return data_dir() / "tinyshakespeare" / "input.txt"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _download(path: Path) -> Path:
    import pooch

    try:
        return Path(pooch.retrieve(TINY_SHAKESPEARE_URL, known_hash=f"sha256:{TINY_SHAKESPEARE_SHA256}",
                                   fname=path.name, path=path.parent, progressbar=False))
    except ValueError as exc:  # checksum mismatch: pooch has already removed the file
        raise DataFormatError(
            f"download of {TINY_SHAKESPEARE_URL} failed its checksum (expected sha256 {TINY_SHAKESPEARE_SHA256}): {exc}"
        ) from exc
    except Exception as exc:  # network errors come in many types
        raise DataUnavailableError(
            f"Tiny Shakespeare is not at {path} and could not be downloaded from {TINY_SHAKESPEARE_URL} "
            f"({type(exc).__name__}). Without a network, put the file (sha256 {TINY_SHAKESPEARE_SHA256}) at "
            f"tinyshakespeare/input.txt in a folder and set {DATA_ENV} to that folder (the project's offline "
            f"copy is in ../shared/data)."
        ) from exc


def load_tiny_shakespeare() -> str:
    """The Tiny Shakespeare corpus as one string, checksum-verified.

    Returns:
        The text (1,115,394 characters).

    Raises:
        DataFormatError: the file's SHA-256 differs from :data:`TINY_SHAKESPEARE_SHA256`
            (the message names the file and both checksums), or a download failed it.
        DataUnavailableError: the file is absent and cannot be downloaded.
    """
    path = tiny_shakespeare_path()
    if not path.exists():
        path = _download(path)
    digest = _sha256(path)
    if digest != TINY_SHAKESPEARE_SHA256:
        raise DataFormatError(
            f"{path}: checksum mismatch (sha256 {digest}, expected {TINY_SHAKESPEARE_SHA256}); "
            "the file is corrupted or not Tiny Shakespeare: delete it to download again"
        )
    return path.read_text(encoding="utf-8")


def text_label() -> str:
    """The label figures and tables print for this data.

    Returns:
        ``"Tiny Shakespeare (characters)"``.
    """
    return "Tiny Shakespeare (characters)"


class CharVocab(NamedTuple):
    """A character vocabulary: token i is ``chars[i]`` (sorted code points)."""

    chars: str

    @property
    def size(self) -> int:
        """V, the number of tokens."""
        return len(self.chars)


def char_vocabulary(text: str) -> CharVocab:
    """The sorted set of characters of ``text``.

    Args:
        text: a non-empty string.

    Returns:
        A :class:`CharVocab` (65 characters for Tiny Shakespeare).

    Raises:
        ValueError: empty text.
    """
    if not isinstance(text, str) or not text:
        raise ValueError("char_vocabulary needs a non-empty string")
    return CharVocab("".join(sorted(set(text))))


def tiny_shakespeare_vocab() -> CharVocab:
    """The vocabulary of the whole corpus (loads and checks the file).

    Returns:
        A :class:`CharVocab` of 65 characters.
    """
    return char_vocabulary(load_tiny_shakespeare())


def encode_text(vocab: CharVocab, text: str) -> np.ndarray:
    """Token ids of ``text``, int32 of shape (len(text),).

    Args:
        vocab: the vocabulary.
        text: the string to encode.

    Returns:
        (len(text),) int32 token ids.

    Raises:
        ValueError: a character outside the vocabulary (named).
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    table = np.frombuffer(vocab.chars.encode("utf-32-le"), dtype=np.uint32)
    pos = np.searchsorted(table, codes)
    pos = np.minimum(pos, table.size - 1)
    bad = table[pos] != codes
    if np.any(bad):
        raise ValueError(f"character {chr(int(codes[np.argmax(bad)]))!r} is not in the vocabulary")
    return pos.astype(np.int32)


def decode_text(vocab: CharVocab, ids: np.ndarray) -> str:
    """The text of token ids (any integer array, flattened).

    Args:
        vocab: the vocabulary.
        ids: token ids, any shape.

    Returns:
        The decoded string.

    Raises:
        ValueError: an id outside [0, V).
    """
    ids = np.asarray(ids).ravel()
    if ids.size and (ids.min() < 0 or ids.max() >= vocab.size):
        raise ValueError(f"token ids must lie in [0, {vocab.size}), got range [{ids.min()}, {ids.max()}]")
    return "".join(vocab.chars[int(i)] for i in ids)


def split_text(tokens: np.ndarray, held_out_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic split: the first (1 − f) of the tokens train, the rest is held out.

    Args:
        tokens: (n,) token ids.
        held_out_fraction: f in (0, 1).

    Returns:
        (train, held_out) views.

    Raises:
        ValueError: f outside (0, 1).

    Source: equations appendix ``eq-book-text-split`` (our choice).
    """
    if not 0.0 < float(held_out_fraction) < 1.0:
        raise ValueError(f"held_out_fraction must lie in (0, 1), got {held_out_fraction!r}")
    cut = int(round(len(tokens) * (1.0 - float(held_out_fraction))))
    return tokens[:cut], tokens[cut:]


def text_windows(tokens: np.ndarray, window: int, n: int | None = None) -> np.ndarray:
    """Windows of ``window + 1`` consecutive tokens, shape (m, window + 1).

    With ``n`` None: all non-overlapping windows from the start (a remainder shorter than
    ``window + 1`` is dropped). With ``n``: ``n`` windows whose starts are spread evenly
    over the tokens (they overlap only if the tokens are too few).

    Args:
        tokens: (n,) token ids.
        window: T ≥ 1, the context length.
        n: the number of evenly spread windows, or None for all non-overlapping ones.

    Returns:
        (m, T + 1) windows: contexts are ``[:, :-1]``, next tokens ``[:, 1:]``.

    Raises:
        ValueError: ``window`` < 1, or fewer than ``window + 1`` tokens.
    """
    if not isinstance(window, (int, np.integer)) or isinstance(window, bool) or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    tokens = np.asarray(tokens)
    span = int(window) + 1
    if tokens.size < span:
        raise ValueError(f"need at least {span} tokens for windows of {window}, got {tokens.size}")
    if n is None:
        m = tokens.size // span
        return tokens[: m * span].reshape(m, span)
    starts = np.linspace(0, tokens.size - span, int(n)).round().astype(np.int64)
    return tokens[starts[:, None] + np.arange(span)[None, :]]


class TextTask(NamedTuple):
    """Next-character prediction on Tiny Shakespeare, streamed once (module docstring).

    Implements the task protocol of :func:`ntk_scaling.train_online`, with the one-pass
    stream ``sample_step``: inputs are contexts (B, window) of token ids, targets the next
    tokens (B, window); use it with ``loss="cross_entropy"``.
    """

    window: int = 64  #: T, the context length
    n_test: int = 256  #: held-out windows for the test loss
    order_seed: int = 0  #: the seed of the fixed random order of the training windows
    held_out_fraction: float = 0.1  #: the last fraction of the corpus, held out

    def identity(self) -> dict[str, str]:
        """Name, variant and checksum of the corpus (part of cache keys)."""
        return {"name": "tinyshakespeare", "variant": "char", "checksum": TINY_SHAKESPEARE_SHA256}

    def load(self) -> dict[str, jax.Array]:
        """Encode the corpus: training windows in their fixed order, and the held-out windows.

        Returns:
            ``{"train": (m, T+1) int32 windows, already permuted; "test": (n_test, T+1)}``.
        """
        if not isinstance(self.window, int) or self.window < 1:
            raise ValueError(f"TextTask.window must be a positive integer, got {self.window!r}")
        if not isinstance(self.n_test, int) or self.n_test < 1:
            raise ValueError(f"TextTask.n_test must be a positive integer, got {self.n_test!r}")
        text = load_tiny_shakespeare()
        tokens = encode_text(char_vocabulary(text), text)
        train, held = split_text(tokens, self.held_out_fraction)
        windows = text_windows(train, self.window)
        order = np.random.default_rng(self.order_seed).permutation(windows.shape[0])
        return {"train": jnp.asarray(windows[order]), "test": jnp.asarray(text_windows(held, self.window, self.n_test))}

    def stream_length(self, data: dict[str, jax.Array]) -> int:
        """The number of distinct training windows: one pass allows steps × B up to this."""
        return int(data["train"].shape[0])

    def sample(self, data: dict[str, jax.Array], key: jax.Array, batch_size: int) -> tuple[jax.Array, jax.Array]:
        """``batch_size`` training windows drawn uniformly (with replacement; not one pass)."""
        idx = jax.random.randint(key, (batch_size,), 0, data["train"].shape[0])
        w = data["train"][idx]
        return w[:, :-1], w[:, 1:]

    def sample_step(self, data: dict[str, jax.Array], stream_key: jax.Array, step: jax.Array,
                    batch_size: int) -> tuple[jax.Array, jax.Array]:
        """The windows of step ``step`` of a run's one-pass stream.

        The run's offset o in the fixed order is drawn from ``stream_key`` (constant over the
        run); step t takes windows o + tB, ..., o + tB + B − 1 (mod m).

        Returns:
            (contexts (B, T), next tokens (B, T)), int32.
        """
        m = data["train"].shape[0]
        offset = jax.random.randint(stream_key, (), 0, m)
        idx = (offset + step * batch_size + jnp.arange(batch_size)) % m
        w = data["train"][idx]
        return w[:, :-1], w[:, 1:]

    def test_set(self, data: dict[str, jax.Array]) -> tuple[jax.Array, jax.Array]:
        """Held-out contexts and next tokens, (n_test, T) each."""
        return data["test"][:, :-1], data["test"][:, 1:]

    def probe_set(self, data: dict[str, jax.Array], n: int) -> tuple[jax.Array, jax.Array]:
        """The first ``n`` held-out windows (contexts, next tokens)."""
        return data["test"][:n, :-1], data["test"][:n, 1:]
