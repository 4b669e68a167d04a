"""[B]'s language-model experiment (Fig 9, Appendix A.3) as a sweep of cached online runs.

A :class:`ntk_scaling.MeanFieldTransformer` is trained on :class:`ntk_scaling.TextTask`
(Tiny Shakespeare, characters) by plain SGD with the cross-entropy loss, one pass over the
training windows, at several γ₀; each (γ₀) cell is one cached
:func:`ntk_scaling.train_online` call with the seeds batched by ``vmap``. The late-time
exponent of the held-out loss, L(t) ∝ t^(−χ), is fitted by
:func:`ntk_scaling.late_time_exponent`; :func:`exponent_ratio` gives the ratio
χ(large γ₀)/χ(small γ₀) that [B] says is "roughly twice" (equations appendix,
``eq-b-language-exponent-ratio``).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

from ..data.text import TextTask, tiny_shakespeare_vocab
from ..nets.transformer import MeanFieldTransformer
from ..sweeps import sweep
from .bridge import LateExponent
from .online import train_online

__all__ = ["LanguageRun", "exponent_ratio", "language_online_sweep", "one_pass_steps"]


class LanguageRun(NamedTuple):
    """One γ₀ cell of the sweep."""

    gamma0: float  #: feature-learning strength
    result: Any  #: :class:`ntk_scaling.OnlineResult`, or :class:`ntk_scaling.Diverged`


def one_pass_steps(window: int, batch_size: int, held_out_fraction: float = 0.1) -> int:
    """The most steps one pass over the Tiny Shakespeare training windows allows.

    Args:
        window: T, the context length (windows hold T + 1 characters, none overlapping).
        batch_size: B windows per step.
        held_out_fraction: the held-out share of the corpus.

    Returns:
        ⌊m / B⌋ with m = ⌊0.9 · 1,115,394 / (T + 1)⌋ training windows (for f = 0.1).

    Raises:
        ValueError: a non-positive window or batch size.
    """
    if window < 1 or batch_size < 1:
        raise ValueError(f"window and batch_size must be positive, got {window}, {batch_size}")
    n_train = int(round(1_115_394 * (1.0 - float(held_out_fraction))))
    return (n_train // (int(window) + 1)) // int(batch_size)


def language_online_sweep(
    gammas: Sequence[float],
    *,
    width: int,
    depth: int,
    n_heads: int,
    mlp_ratio: int,
    window: int,
    eta0: float,
    steps: int,
    batch_size: int,
    n_seeds: int,
    n_records: int,
    n_test: int,
    seed: int = 0,
    order_seed: int = 0,
    seed_chunk: int | None = None,
    executor: Any = None,
) -> list[LanguageRun]:
    """Train the μP transformer online on Tiny Shakespeare at each γ₀ (cached).

    Args:
        gammas: γ₀ values (the smallest is the lazy reference).
        width: N, the model width d_model of :class:`ntk_scaling.MeanFieldTransformer`.
        depth: L, the number of transformer blocks.
        n_heads: H, attention heads per block (head width N/H).
        mlp_ratio: r, the MLP's hidden width as a multiple of N.
        window: T, the context length.
        eta0: η₀; the SGD learning rate is η₀γ₀²N.
        steps: SGD steps; steps × batch_size may not exceed the training windows (one pass).
        batch_size: B windows per step.
        n_seeds: runs per γ₀ (initialisation and stream offset), batched with ``vmap``.
        n_records: log-spaced records of the held-out loss.
        n_test: held-out windows for the loss.
        seed: seed of the runs (initialisations and stream offsets).
        order_seed: seed of the fixed order of the training windows.
        seed_chunk: seeds per compiled call (memory only).
        executor: passed to :func:`ntk_scaling.sweep`.

    Returns:
        One :class:`LanguageRun` per γ₀, in the order given.

    Raises:
        ValueError: ``steps × batch_size`` exceeds one pass (from :func:`ntk_scaling.train_online`).

    Source: [B] Appendix A.3 (transformer, next-token cross-entropy, several γ₀); sizes,
    data and protocol are ours (equations appendix, ``eq-b-language-mean-field-transformer``).
    """
    vocab = tiny_shakespeare_vocab()
    task = TextTask(window=int(window), n_test=int(n_test), order_seed=int(order_seed))
    points = []
    for g in gammas:
        model = MeanFieldTransformer(width=int(width), depth=int(depth), n_heads=int(n_heads), vocab_size=vocab.size,
                                     max_len=int(window), mlp_ratio=int(mlp_ratio), gamma0=float(g))
        points.append({"model": model, "learning_rate": model.learning_rate(float(eta0))})
    fixed = {
        "task": task,
        "steps": int(steps),
        "batch_size": int(batch_size),
        "loss": "cross_entropy",
        "n_seeds": int(n_seeds),
        "seed": int(seed),
        "n_records": int(n_records),
        "seed_chunk": seed_chunk,
    }
    swept = sweep(train_online, points, fixed=fixed, executor=executor, desc="language runs")
    return [LanguageRun(float(g), r) for g, r in zip(gammas, swept.results)]


def exponent_ratio(small: LateExponent, large: LateExponent, *, confidence: float = 0.95, n_draws: int = 20000,
                   seed: int = 0) -> tuple[float, tuple[float, float]]:
    """χ_large / χ_small with an interval propagated from the two exponents' uncertainties.

    Each exponent is drawn as χ + s·τ, with s its standard error and τ Student-t with
    (seeds − 1) degrees of freedom, the distribution behind its interval in
    :func:`ntk_scaling.late_time_exponent`; the interval is the percentile interval of the
    ratio of independent draws. With two seeds τ is Cauchy and the interval is wide.

    Args:
        small: the late-time exponent at small γ₀ (:func:`ntk_scaling.late_time_exponent`).
        large: the one at large γ₀.
        confidence: the interval's level.
        n_draws: Monte-Carlo draws.
        seed: the draws' seed.

    Returns:
        (ratio of the central values, (low, high)).

    Raises:
        ValueError: a non-finite exponent or standard error.

    Source: equations appendix ``eq-b-language-exponent-ratio`` (our choice).
    """
    for f in (small, large):
        if not (np.isfinite(f.exponent) and np.isfinite(f.stderr)):
            raise ValueError(f"exponent_ratio needs finite exponents and errors, got {f}")
    rng = np.random.default_rng(seed)

    def draws(f: LateExponent) -> np.ndarray:
        dof = max(int(f.n_seeds) - 1, 1)
        return f.exponent + f.stderr * rng.standard_t(dof, n_draws)

    r = draws(large) / draws(small)
    lo, hi = np.percentile(r, [50 * (1 - confidence), 50 * (1 + confidence)])
    return float(large.exponent / small.exponent), (float(lo), float(hi))
