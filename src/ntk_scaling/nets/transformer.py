"""A small decoder-only transformer in [B]'s mean-field / μP parameterisation (Fig 9).

[B] (arXiv 2409.17858, Appendix A.3) trains "a deep transformer" on next-token prediction
at several γ₀ and reports that the loss exponent at large γ₀ is roughly twice that at small
γ₀. The paper gives no architecture; this module is our reading, built on the same
conventions as :class:`ntk_scaling.MeanFieldMLP` (equations appendix,
``eq-b-language-mean-field-transformer``; status: reconstructed, our choices where [B] is
silent):

* **Width.** d_model = N; ``n_heads`` = H heads of size d_h = N/H (H fixed, so d_h ∝ N);
  the MLP hidden layer has r·N units (``mlp_ratio`` = r).
* **Weights and multipliers.** Every weight is N(0, 1); a dense layer with fan-in n
  multiplies by 1/√n, the token and position embeddings by 1/√2 (their sum has unit
  variance), and the readout by 1/N (mean field), so the raw output is O(1/√N) at
  initialisation.
* **Blocks** (pre-norm, parameter-free RMS norm ν(h) = h/√(mean h² + ε)), for ℓ = 1..L::

      h ← h + W_O · Attn(ν(h)) / √N,     h ← h + W_2 · ReLU(W_1 ν(h) / √N) / √(rN).

* **μP attention.** Scores are q·k / d_h, not q·k / √d_h: at initialisation q·k = O(√d_h),
  so the scores vanish like 1/√d_h and the attention is uniform over the causal prefix in
  the infinite-width limit, while trained queries and keys, correlated by learning, give
  O(1) scores at every width (Yang & Hu's μP; Bordelon et al. 2024, "Infinite limits of
  multi-head transformer dynamics"). Causal: position t attends to s ≤ t only.
* **Readout, centred.** f_net = W_U ν(h) / N, logits (n, T, V). The trained function is
  f = [f_net(θ) − f_net(θ₀)] / γ₀ (``centre`` and ``output_scale`` of the online-training
  protocol), zero at initialisation, so the initial loss is log V for every width and γ₀.
* **Learning rate.** Plain SGD with η = η₀ γ₀² N, as for the MLP
  (:func:`ntk_scaling.mean_field_learning_rate`): γ₀ → 0 is the lazy (kernel) limit with a
  γ₀-independent clock.

No depth scaling of the residual branches (the networks here have L ≤ 4) and no biases.

Cost: per token, a forward pass is about 2(4 + 2r)L N² + 2NV + 4LTN FLOPs (projections,
MLP, readout, attention over T positions); a training step about four forward passes of
B·T tokens (forward, backward, the frozen reference).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .mup import mean_field_learning_rate

__all__ = [
    "MeanFieldTransformer",
    "attention_weights",
    "check_mean_field_transformer",
    "init_mean_field_transformer",
    "mean_field_transformer_apply",
    "rms_norm",
]

_EPS = 1e-6


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class MeanFieldTransformer(NamedTuple):
    """A decoder-only transformer in [B]'s mean-field parameterisation (module docstring).

    A NamedTuple (it enters cache keys by value) implementing the model protocol of
    :func:`ntk_scaling.train_online`: ``apply`` maps token ids (n, T) to logits (n, T, V).
    """

    width: int  #: N = d_model
    depth: int = 2  #: L, the number of transformer blocks
    n_heads: int = 2  #: H, fixed; head size N/H grows with N
    vocab_size: int = 65  #: V (65 characters for Tiny Shakespeare)
    max_len: int = 64  #: the longest context (rows of the position embedding)
    mlp_ratio: int = 4  #: r, MLP hidden width r·N
    gamma0: float = 1.0  #: γ₀ > 0, the feature-learning strength

    @property
    def centre(self) -> bool:
        """The trained output subtracts f_net at the initial parameters."""
        return True

    @property
    def output_scale(self) -> float:
        """The trained output is f_net / γ₀ (after centring)."""
        return 1.0 / float(self.gamma0)

    @property
    def program_key(self) -> MeanFieldTransformer:
        """The same network at γ₀ = 1: γ₀ only enters ``output_scale``, one program serves all."""
        return self._replace(gamma0=1.0)

    @property
    def head_dim(self) -> int:
        """d_h = N / H."""
        return self.width // self.n_heads

    def init(self, key: jax.Array) -> dict[str, Any]:
        """Initial parameters (:func:`init_mean_field_transformer`)."""
        return init_mean_field_transformer(key, self)

    def apply(self, params: Any, tokens: jax.Array) -> jax.Array:
        """The raw network's logits, (n, T, V) (:func:`mean_field_transformer_apply`)."""
        return mean_field_transformer_apply(self, params, tokens)

    def learning_rate(self, eta0: float) -> float:
        """η = η₀ γ₀² N (:func:`ntk_scaling.mean_field_learning_rate`)."""
        return mean_field_learning_rate(eta0, self.gamma0, self.width)


def check_mean_field_transformer(config: object) -> MeanFieldTransformer:
    """``config`` if it is a valid :class:`MeanFieldTransformer`.

    Args:
        config: the object to check.

    Returns:
        ``config``.

    Raises:
        TypeError: not a MeanFieldTransformer.
        ValueError: a field out of range, or a width not divisible by the number of heads.
    """
    if not isinstance(config, MeanFieldTransformer):
        raise TypeError(f"expected a MeanFieldTransformer, got {type(config).__name__}")
    for name in ("width", "depth", "n_heads", "vocab_size", "max_len", "mlp_ratio"):
        v = getattr(config, name)
        if not _is_int(v) or v < 1:
            raise ValueError(f"MeanFieldTransformer.{name} must be a positive integer, got {v!r}")
    if config.width % config.n_heads:
        raise ValueError(f"MeanFieldTransformer.width={config.width} is not divisible by n_heads={config.n_heads}")
    g = config.gamma0
    if isinstance(g, bool) or not isinstance(g, (int, float)) or not (math.isfinite(g) and g > 0):
        raise ValueError(f"MeanFieldTransformer.gamma0 must be a positive finite number, got {g!r}")
    return config


def init_mean_field_transformer(key: jax.Array, config: MeanFieldTransformer,
                                dtype: jnp.dtype = jnp.float32) -> dict[str, Any]:
    """All weights i.i.d. N(0, 1), no biases.

    Args:
        key: a PRNG key.
        config: the architecture.
        dtype: parameter dtype.

    Returns:
        ``{"embed": (V, N), "pos": (max_len, N), "blocks": [{"wq", "wk", "wv", "wo": (N, N),
        "w1": (N, rN), "w2": (rN, N)}, ...], "readout": (N, V)}``.

    Raises:
        TypeError, ValueError: an invalid ``config``.
    """
    check_mean_field_transformer(config)
    n, v, hidden = config.width, config.vocab_size, config.mlp_ratio * config.width
    keys = iter(jax.random.split(key, 3 + 6 * config.depth))

    def normal(*shape):
        return jax.random.normal(next(keys), shape, dtype)

    blocks = [
        {"wq": normal(n, n), "wk": normal(n, n), "wv": normal(n, n), "wo": normal(n, n),
         "w1": normal(n, hidden), "w2": normal(hidden, n)}
        for _ in range(config.depth)
    ]
    return {"embed": normal(v, n), "pos": normal(config.max_len, n), "blocks": blocks, "readout": normal(n, v)}


def rms_norm(h: jax.Array) -> jax.Array:
    """Parameter-free RMS norm over the last axis, h / √(mean(h²) + 10⁻⁶).

    Args:
        h: (..., N) activations.

    Returns:
        The normalised activations, same shape.
    """
    return h * jax.lax.rsqrt(jnp.mean(h * h, axis=-1, keepdims=True) + _EPS)


def attention_weights(q: jax.Array, k: jax.Array) -> jax.Array:
    """Causal μP attention weights softmax_s(q_t·k_s / d_h) over s ≤ t.

    Args:
        q: queries (n, T, H, d_h).
        k: keys (n, T, H, d_h).

    Returns:
        (n, H, T, T) weights; row t is zero beyond column t and sums to one.

    Source: μP attention (1/d_h scaling; Yang & Hu; Bordelon et al. 2024, arXiv 2405.15712),
    equations appendix ``eq-b-language-mean-field-transformer``.
    """
    d_h = q.shape[-1]
    scores = jnp.einsum("nthd,nshd->nhts", q, k) / d_h
    t = q.shape[1]
    causal = jnp.tril(jnp.ones((t, t), dtype=bool))
    scores = jnp.where(causal, scores, -jnp.inf)
    return jax.nn.softmax(scores, axis=-1)


def mean_field_transformer_apply(config: MeanFieldTransformer, params: Any, tokens: jax.Array) -> jax.Array:
    """Logits of the raw network f_net (not centred, not divided by γ₀).

    Args:
        config: the architecture.
        params: from :func:`init_mean_field_transformer`.
        tokens: (n, T) integer token ids, T ≤ ``max_len``.

    Returns:
        (n, T, V) logits; position t depends on tokens 0..t only.

    Raises:
        ValueError: ``tokens`` not (n, T) with T ≤ max_len.

    Source: module docstring (equations appendix, ``eq-b-language-mean-field-transformer``).
    """
    tokens = jnp.asarray(tokens)
    if tokens.ndim != 2 or tokens.shape[1] > config.max_len:
        raise ValueError(f"tokens must have shape (n, T) with T <= {config.max_len}, got {tuple(tokens.shape)}")
    n_seq, t = tokens.shape
    n, h_count, d_h = config.width, config.n_heads, config.head_dim
    hidden = config.mlp_ratio * n
    s_n, s_hidden = 1.0 / math.sqrt(n), 1.0 / math.sqrt(hidden)
    h = (params["embed"][tokens] + params["pos"][:t][None]) / math.sqrt(2.0)
    for blk in params["blocks"]:
        a = rms_norm(h)
        q = (s_n * a @ blk["wq"]).reshape(n_seq, t, h_count, d_h)
        k = (s_n * a @ blk["wk"]).reshape(n_seq, t, h_count, d_h)
        v = (s_n * a @ blk["wv"]).reshape(n_seq, t, h_count, d_h)
        att = attention_weights(q, k)
        o = jnp.einsum("nhts,nshd->nthd", att, v).reshape(n_seq, t, n)
        h = h + s_n * o @ blk["wo"]
        a = rms_norm(h)
        h = h + s_hidden * jax.nn.relu(s_n * a @ blk["w1"]) @ blk["w2"]
    return rms_norm(h) @ params["readout"] / n
