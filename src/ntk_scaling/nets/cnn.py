"""A small CNN in [B]'s mean-field (μP) parameterisation, for the MNIST experiment of Fig 6.

[B] (arXiv 2409.17858, Section 5.2 and Appendix A.2) trains "a CNN with two convolutional
layers and two dense layers" online on MNIST-1M with a feature-learning strength γ₀. The
text gives no multipliers; we follow the group's public vision code
(``Pehlevan-Group/Richness_Sweep``, ``vision_tasks/models.py``, read with the search tools;
no code copied), whose CNN is

    conv 3×3 (C → N) → ReLU → 2×2 avg-pool → conv 3×3 (N → 2N) → ReLU → 2×2 avg-pool
    → flatten → dense (→ 8N) → ReLU → readout (→ k),

with "valid" convolutions (no padding), every weight and bias drawn N(0, 1) and biases set
to zero, and these forward multipliers (equations appendix ``eq-b-vision-cnn``; status:
taken from that code, not from the paper's text):

* a convolution divides its output (bias included) by √C_in, the number of **input
  channels** only, not by √(9 C_in) as a fan-in rule would;
* the hidden dense layer divides by √fan_in;
* the readout divides by fan_in = 8N (mean field, instead of √fan_in).

As for :class:`ntk_scaling.MeanFieldMLP`, the trained function is centred and divided by
γ₀, f = [f_net(θ) − f_net(θ₀)]/γ₀, and SGD uses η = η₀γ₀²N with N the width (the group's
code uses η = N η₀ with the output divided by γ₀, so their η₀ is our η₀γ₀²).

Inputs are NHWC images, shape (n, H, W, C) (MNIST: (n, 28, 28, 1)); with valid 3×3
convolutions and floor pooling the spatial size goes 28 → 26 → 13 → 11 → 5.

The model provides a structured eNTK (:func:`cnn_structured_ntk`, the default of
:func:`ntk_scaling.empirical_ntk_fn` for this model, ``STRUCTURED_MODEL``): the dense
layers, which hold most parameters, contribute Gram products of their inputs and backward
signals, and only the convolution parameters are differentiated per sample.

Cost of one forward pass per image: 2·9·(H₁W₁·C·N + H₂W₂·N·2N) + 2·(H₃W₃·2N·8N + 8N·k)
FLOPs (H₁ = H − 2, H₂ = ⌊H₁/2⌋ − 2, H₃ = ⌊H₂/2⌋); for MNIST at N = 8 about 1.0 MFLOP.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

__all__ = [
    "MeanFieldCNN",
    "avg_pool2",
    "check_mean_field_cnn",
    "cnn_apply",
    "cnn_features",
    "cnn_structured_ntk",
    "cnn_shapes",
    "conv2d",
    "init_cnn",
]


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def conv2d(x: jax.Array, w: jax.Array, *, stride: int = 1, padding: str = "VALID") -> jax.Array:
    """2-D cross-correlation of NHWC images with HWIO filters (no multiplier, no bias).

    Args:
        x: images, shape (n, H, W, C_in).
        w: filters, shape (h, w, C_in, C_out).
        stride: the spatial stride.
        padding: ``"VALID"`` or ``"SAME"``.

    Returns:
        (n, H', W', C_out).
    """
    return jax.lax.conv_general_dilated(x, w, (stride, stride), padding, dimension_numbers=("NHWC", "HWIO", "NHWC"))


def avg_pool2(x: jax.Array) -> jax.Array:
    """2×2 average pooling with stride 2 of NHWC maps; an odd last row/column is dropped (floor).

    Args:
        x: (n, H, W, C).

    Returns:
        (n, ⌊H/2⌋, ⌊W/2⌋, C).
    """
    n, h, w, c = x.shape
    h2, w2 = h // 2, w // 2
    x = x[:, : 2 * h2, : 2 * w2, :]
    return x.reshape(n, h2, 2, w2, 2, c).mean(axis=(2, 4))


class MeanFieldCNN(NamedTuple):
    """The two-conv, two-dense CNN of [B]'s MNIST experiment in μP (module docstring).

    A NamedTuple (hashable into cache keys) with the model protocol of
    :func:`ntk_scaling.train_online`: ``init``, ``apply``, ``centre``, ``output_scale``,
    ``program_key``, ``features`` and ``learning_rate``.
    """

    width: int  #: N: channels of the first convolution (the second has 2N, the dense layer 8N)
    gamma0: float = 1.0  #: γ₀ > 0, the feature-learning strength (γ₀ → 0 is lazy)
    image_shape: tuple[int, int, int] = (28, 28, 1)  #: (H, W, C) of the inputs
    out_dim: int = 10  #: k outputs (classes)
    bias: bool = True  #: zero-initialised biases, as in the group's code

    @property
    def centre(self) -> bool:
        """The trained output subtracts f_net at the initial parameters."""
        return True

    @property
    def output_scale(self) -> float:
        """The trained output is f_net / γ₀ (after centring)."""
        return 1.0 / float(self.gamma0)

    @property
    def program_key(self) -> MeanFieldCNN:
        """The same network at γ₀ = 1 (γ₀ enters only through ``output_scale``)."""
        return self._replace(gamma0=1.0)

    def init(self, key: jax.Array) -> dict[str, dict[str, jax.Array]]:
        """Initial parameters (:func:`init_cnn`)."""
        return init_cnn(key, self)

    def apply(self, params: Any, x: jax.Array) -> jax.Array:
        """The raw network f_net, shape (n, k) (:func:`cnn_apply`)."""
        return cnn_apply(self, params, x)

    def features(self, params: Any, x: jax.Array) -> jax.Array:
        """Last hidden layer (after ReLU), shape (n, 8N) (:func:`cnn_features`)."""
        return cnn_features(self, params, x)

    def learning_rate(self, eta0: float) -> float:
        """η = η₀ γ₀² N (as :func:`ntk_scaling.mean_field_learning_rate`)."""
        from .mup import mean_field_learning_rate

        return mean_field_learning_rate(eta0, self.gamma0, self.width)

    def structured_ntk(self, params: Any, x1: jax.Array, x2: jax.Array | None = None, *, trace_logits: bool = False) -> jax.Array:
        """Structured eNTK of f_net (:func:`cnn_structured_ntk`)."""
        return cnn_structured_ntk(self, params, x1, x2, trace_logits=trace_logits)


def check_mean_field_cnn(config: object) -> MeanFieldCNN:
    """``config`` if it is a valid :class:`MeanFieldCNN`.

    Args:
        config: the object to check.

    Returns:
        ``config``.

    Raises:
        TypeError: not a MeanFieldCNN.
        ValueError: a field out of range, or images too small for two conv/pool stages (named).
    """
    if not isinstance(config, MeanFieldCNN):
        raise TypeError(f"expected a MeanFieldCNN, got {type(config).__name__}")
    for name in ("width", "out_dim"):
        v = getattr(config, name)
        if not _is_int(v) or v < 1:
            raise ValueError(f"MeanFieldCNN.{name} must be a positive integer, got {v!r}")
    g = config.gamma0
    if isinstance(g, bool) or not isinstance(g, (int, float)) or not (math.isfinite(g) and g > 0):
        raise ValueError(f"MeanFieldCNN.gamma0 must be a positive finite number, got {g!r}")
    shape = tuple(config.image_shape)
    if len(shape) != 3 or not all(_is_int(s) and s >= 1 for s in shape):
        raise ValueError(f"MeanFieldCNN.image_shape must be three positive integers (H, W, C), got {config.image_shape!r}")
    if min(shape[:2]) < 10:
        raise ValueError(f"MeanFieldCNN.image_shape {shape}: images must be at least 10×10 for two conv/pool stages")
    return config


def cnn_shapes(config: MeanFieldCNN) -> dict[str, tuple[int, ...]]:
    """Weight shapes of every layer: conv HWIO filters, dense (fan_in, fan_out).

    Args:
        config: the architecture.

    Returns:
        ``{"conv1", "conv2", "dense", "readout"}`` → weight shape.
    """
    h, w, c = config.image_shape
    n = config.width
    h2, w2 = (h - 2) // 2 - 2, (w - 2) // 2 - 2
    flat = (h2 // 2) * (w2 // 2) * 2 * n
    return {"conv1": (3, 3, c, n), "conv2": (3, 3, n, 2 * n), "dense": (flat, 8 * n), "readout": (8 * n, config.out_dim)}


def init_cnn(key: jax.Array, config: MeanFieldCNN, dtype: jnp.dtype = jnp.float32) -> dict[str, dict[str, jax.Array]]:
    """Weights i.i.d. N(0, 1), biases zero (group's code).

    Args:
        key: a PRNG key.
        config: the architecture.
        dtype: parameter dtype.

    Returns:
        ``{layer: {"w": ..., "b": ...}}`` for conv1, conv2, dense, readout (``b`` only with ``config.bias``).
    """
    check_mean_field_cnn(config)
    shapes = cnn_shapes(config)
    keys = jax.random.split(key, len(shapes))
    out = {}
    for k, (name, shape) in zip(keys, shapes.items()):
        layer = {"w": jax.random.normal(k, shape, dtype)}
        if config.bias:
            layer["b"] = jnp.zeros((shape[-1],), dtype)
        out[name] = layer
    return out


def _affine(layer: dict[str, jax.Array], z: jax.Array) -> jax.Array:
    return z + layer["b"] if "b" in layer else z


def _hidden(config: MeanFieldCNN, params: Any, x: jax.Array) -> jax.Array:
    x = jnp.asarray(x)
    if x.ndim != 4 or tuple(x.shape[1:]) != tuple(config.image_shape):
        raise ValueError(f"x must have shape (n, {', '.join(map(str, config.image_shape))}), got {tuple(x.shape)}")
    c = config.image_shape[2]
    n = config.width
    h = _affine(params["conv1"], conv2d(x, params["conv1"]["w"])) / math.sqrt(c)
    a = avg_pool2(jax.nn.relu(h))
    h = _affine(params["conv2"], conv2d(a, params["conv2"]["w"])) / math.sqrt(n)
    a = avg_pool2(jax.nn.relu(h)).reshape(x.shape[0], -1)
    fan = params["dense"]["w"].shape[0]
    h = _affine(params["dense"], a @ params["dense"]["w"]) / math.sqrt(fan)
    return jax.nn.relu(h)


def cnn_features(config: MeanFieldCNN, params: Any, x: jax.Array) -> jax.Array:
    """Last hidden layer ReLU(dense).

    Args:
        config: the architecture.
        params: from :func:`init_cnn`.
        x: images (n, H, W, C).

    Returns:
        (n, 8N) features.

    Raises:
        ValueError: ``x`` is not (n, H, W, C) of the config's image shape.
    """
    check_mean_field_cnn(config)
    return _hidden(config, params, x)


def cnn_apply(config: MeanFieldCNN, params: Any, x: jax.Array) -> jax.Array:
    """The raw network f_net(x), shape (n, k) (not centred, not divided by γ₀).

    Args:
        config: the architecture.
        params: from :func:`init_cnn`.
        x: images (n, H, W, C).

    Returns:
        (n, k) outputs; the readout divides by its fan-in 8N (mean field).

    Raises:
        ValueError: ``x`` is not (n, H, W, C) of the config's image shape.

    Source: [B] Appendix A.2 with the group's multipliers (``eq-b-vision-cnn``, module docstring).
    """
    check_mean_field_cnn(config)
    phi = _hidden(config, params, x)
    return _affine(params["readout"], phi @ params["readout"]["w"]) / (8 * config.width)


def _dense_parts(config: MeanFieldCNN, params: Any, x: jax.Array):
    """Flattened pooled conv features a₂ (n, F), last hidden φ (n, 8N) and δ₃ = ∂f/∂h³ (n, k, 8N)."""
    c, n = config.image_shape[2], config.width
    h = _affine(params["conv1"], conv2d(x, params["conv1"]["w"])) / math.sqrt(c)
    a = avg_pool2(jax.nn.relu(h))
    h = _affine(params["conv2"], conv2d(a, params["conv2"]["w"])) / math.sqrt(n)
    a2 = avg_pool2(jax.nn.relu(h)).reshape(x.shape[0], -1)
    h3 = _affine(params["dense"], a2 @ params["dense"]["w"]) / math.sqrt(a2.shape[1])
    phi = jax.nn.relu(h3)
    d3 = (params["readout"]["w"].T / (8 * n))[None] * (h3 > 0).astype(h3.dtype)[:, None, :]
    return a2, phi, d3


def cnn_structured_ntk(config: MeanFieldCNN, params: Any, x1: jax.Array, x2: jax.Array | None = None, *,
                       trace_logits: bool = False) -> jax.Array:
    """Empirical NTK of the raw f_net, exploiting the dense layers' structure.

    The dense layers hold most parameters (the flatten → 8N matrix) but their contribution
    needs no Jacobian: with a₂ the flattened conv features, δ₃[i, a] = ∂f_a(x_i)/∂h³ and φ the
    last hidden layer,

        Θ_dense = (a₂·a₂' + 1)/F · (δ₃ δ₃'ᵀ),   Θ_readout = (φ·φ' + 1)/(8N)² · I_k

    (the +1 terms are the biases, F = fan-in of the dense layer). Only the convolution
    parameters (9C·N + 9N·2N + 3N) are differentiated per sample (``vmap`` of ``jacrev``),
    and their Jacobians contracted.

    Args:
        config: the architecture.
        params: from :func:`init_cnn`.
        x1: images (n1, H, W, C).
        x2: images (n2, H, W, C), or None for x1.
        trace_logits: return Σ_a Θ_aa, shape (n1, n2).

    Returns:
        Θ of shape (n1, n2, k, k), or (n1, n2) with ``trace_logits``; equal to
        ``ntk_scaling.empirical_ntk(config.apply, ...)`` (tested).

    Raises:
        ValueError: inputs of the wrong shape.

    Cost: per sample k backward passes through the convolutions (for the conv Jacobian of
    P_conv entries), then 2·n1·n2·k²·P_conv FLOPs for its contraction, plus Gram matrices of
    the dense features (2·n1·n2·(F + k²·8N)); never the n·k·F·8N dense Jacobian.
    """
    check_mean_field_cnn(config)
    _hidden(config, params, x1)  # shape check
    conv_keys = ("conv1", "conv2")
    conv = {k: params[k] for k in conv_keys}

    def f_conv(cp, xi):
        return cnn_apply(config, {**params, **cp}, xi[None])[0]

    def jac(x):
        return jax.vmap(lambda xi: jax.jacrev(f_conv)(conv, xi))(x)  # leaves (n, k, *leaf)

    j1 = jac(x1)
    p1 = _dense_parts(config, params, x1)
    if x2 is None:
        j2, p2 = j1, p1
    else:
        _hidden(config, params, x2)
        j2, p2 = jac(x2), _dense_parts(config, params, x2)
    (a1, phi1, d1), (a2, phi2, d2) = p1, p2
    bias = 1.0 if config.bias else 0.0
    k = config.out_dim
    g_dense = (a1 @ a2.T + bias) / a1.shape[1]
    g_read = (phi1 @ phi2.T + bias) / (8 * config.width) ** 2
    # one (n1·k, P_conv) × (P_conv, n2·k) matmul for all convolution parameters
    m1 = jnp.concatenate([u.reshape(u.shape[0], k, -1) for u in jax.tree_util.tree_leaves(j1)], axis=2)
    m2 = m1 if x2 is None else jnp.concatenate([v.reshape(v.shape[0], k, -1) for v in jax.tree_util.tree_leaves(j2)], axis=2)
    n1, n2 = m1.shape[0], m2.shape[0]
    if trace_logits:
        conv_part = jnp.einsum("iap,jap->ij", m1, m2)
        return conv_part + g_dense * jnp.einsum("iau,jau->ij", d1, d2) + k * g_read
    conv_part = (m1.reshape(n1 * k, -1) @ m2.reshape(n2 * k, -1).T).reshape(n1, k, n2, k).transpose(0, 2, 1, 3)
    d_gram = (d1.reshape(n1 * k, -1) @ d2.reshape(n2 * k, -1).T).reshape(n1, k, n2, k).transpose(0, 2, 1, 3)
    dense = g_dense[:, :, None, None] * d_gram
    return conv_part + dense + g_read[:, :, None, None] * jnp.eye(k, dtype=g_read.dtype)
