"""Fully connected ReLU networks (MLPs) as studied in [A] (arXiv 2507.05035).

[A] trains dense ReLU MLPs with LeCun-normal initialisation and Adam (from [A]'s
summary; its exact architectures are not known to us). The layer and the three
parameterisations are the appendix entry eq-a-mlp-layer. Parameters are a plain list of
per-layer dicts ``[{"w": (fan_in, fan_out), "b": (fan_out,)}, ...]`` (no ``"b"`` when
``bias=False``), so any optimiser and any pytree tool applies directly.

Every dense layer computes ``h = m_w · (a @ w) + m_b · b`` with fixed *multipliers*
``(m_w, m_b)`` and trainable ``w, b`` drawn at initialisation from N(0, s_w²), N(0, s_b²).
The three parameterisations differ only in those four numbers (``σ_w = w_std``,
``σ_b = b_std``, ``n = fan_in``):

============  =====================  =================  ==============================
name          init s_w, s_b           multipliers        notes
============  =====================  =================  ==============================
standard      σ_w/√n, σ_b              1, 1               LeCun normal (σ_w=1, σ_b=0,
                                                          biases start at zero), as [A]
                                                          and Flax's default; identical
                                                          to neural-tangents "standard"
ntk           1, 1                     σ_w/√n, σ_b        Jacot et al.; identical to
                                                          neural-tangents "ntk"
mup           σ_w/√n, σ_b (hidden)     1, 1 (hidden)      Yang & Hu μP for Adam, readout
              1, σ_b (readout)         σ_w/n, 1 (readout) multiplier 1/width ("MuReadout")
============  =====================  =================  ==============================

For μP the forward pass alone is not the whole story: Adam's per-layer learning rates
must scale too (input layer O(1), hidden layers ∝ 1/fan_in, readout O(1) with the 1/n
multiplier above); :func:`mup_lr_multipliers` returns those factors relative to a base
width. The default bias std is 0 for ``standard``/``mup`` (LeCun: zero biases) and 1 for
``ntk`` (``h = x w/√n + b`` with ``b ~ N(0, 1)``).

Cost: one forward pass of n inputs is 2 n Σ_l fan_in_l fan_out_l FLOPs.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

__all__ = [
    "PARAMETERISATIONS",
    "MLPConfig",
    "LayerScales",
    "validate_config",
    "bias_std",
    "layer_dims",
    "layer_scales",
    "n_params",
    "init_mlp",
    "init_mlp_ensemble",
    "mlp_forward",
    "mlp_apply",
    "mup_lr_multipliers",
]

PARAMETERISATIONS: tuple[str, ...] = ("standard", "ntk", "mup")


class MLPConfig(NamedTuple):
    """Architecture of a ReLU MLP ``in_dim → width × depth → out_dim``.

    ``depth`` is the number of hidden layers, so the network has ``depth + 1`` dense
    layers. ``b_std=None`` means the parameterisation's default (0 for ``standard`` and
    ``mup``, 1 for ``ntk``); see the module docstring for the exact conventions.

    Attributes:
        in_dim: input dimension d.
        width: units per hidden layer.
        depth: number of hidden layers (≥ 0).
        out_dim: outputs k (logits).
        parameterisation: ``"standard"``, ``"ntk"`` or ``"mup"``.
        bias: whether layers have biases.
        w_std: σ_w.
        b_std: σ_b, or None for the parameterisation's default.
    """

    in_dim: int
    width: int
    depth: int
    out_dim: int = 10
    parameterisation: str = "standard"
    bias: bool = True
    w_std: float = 1.0
    b_std: float | None = None


class LayerScales(NamedTuple):
    """Initial standard deviations and forward multipliers of one dense layer."""

    fan_in: int
    fan_out: int
    init_w: float  #: std of w at initialisation
    init_b: float  #: std of b at initialisation
    mult_w: float  #: h = mult_w * (a @ w) + mult_b * b
    mult_b: float


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def validate_config(config: MLPConfig) -> MLPConfig:
    """Return ``config`` unchanged if valid, else raise naming the problem.

    Args:
        config: an :class:`MLPConfig`.

    Returns:
        ``config``, unchanged.

    Raises:
        TypeError: ``config`` is not an :class:`MLPConfig`.
        ValueError: a field out of range (dimensions < 1, depth < 0, an unknown
            parameterisation, a non-bool ``bias``, a non-positive ``w_std``, a negative ``b_std``).
    """
    if not isinstance(config, MLPConfig):
        raise TypeError(f"expected an MLPConfig, got {type(config).__name__}")
    for name, lo in (("in_dim", 1), ("width", 1), ("depth", 0), ("out_dim", 1)):
        v = getattr(config, name)
        if not _is_int(v) or v < lo:
            raise ValueError(f"MLPConfig.{name} must be an integer >= {lo}, got {v!r}")
    if config.parameterisation not in PARAMETERISATIONS:
        raise ValueError(
            f"unknown parameterisation {config.parameterisation!r}; valid names are "
            f"{', '.join(repr(p) for p in PARAMETERISATIONS)}"
        )
    if not isinstance(config.bias, bool):
        raise ValueError(f"MLPConfig.bias must be a bool, got {config.bias!r}")
    if not (isinstance(config.w_std, (int, float)) and math.isfinite(config.w_std) and config.w_std > 0):
        raise ValueError(f"MLPConfig.w_std must be a positive finite number, got {config.w_std!r}")
    if config.b_std is not None and not (
        isinstance(config.b_std, (int, float)) and math.isfinite(config.b_std) and config.b_std >= 0
    ):
        raise ValueError(f"MLPConfig.b_std must be None or a finite number >= 0, got {config.b_std!r}")
    return config


def bias_std(config: MLPConfig) -> float:
    """The bias scale σ_b in effect (the parameterisation's default when ``b_std`` is None).

    Args:
        config: an :class:`MLPConfig`.

    Returns:
        σ_b ≥ 0 (0 for ``standard`` and ``mup``, 1 for ``ntk`` unless set).
    """
    if config.b_std is not None:
        return float(config.b_std)
    return 1.0 if config.parameterisation == "ntk" else 0.0


def layer_dims(config: MLPConfig) -> list[tuple[int, int]]:
    """(fan_in, fan_out) of each of the ``depth + 1`` dense layers.

    Args:
        config: an :class:`MLPConfig`.

    Returns:
        A list of ``depth + 1`` pairs of ints, input layer first.
    """
    dims = [config.in_dim] + [config.width] * config.depth + [config.out_dim]
    return list(zip(dims[:-1], dims[1:]))


def layer_scales(config: MLPConfig) -> list[LayerScales]:
    """Initial stds and forward multipliers of every layer (module docstring table).

    Args:
        config: an :class:`MLPConfig`.

    Returns:
        A list of ``depth + 1`` :class:`LayerScales`, input layer first.

    Raises:
        TypeError: ``config`` is not an :class:`MLPConfig`.
        ValueError: an invalid config (see :func:`validate_config`).
    """
    validate_config(config)
    sw, sb = float(config.w_std), bias_std(config)
    dims = layer_dims(config)
    out = []
    for i, (fi, fo) in enumerate(dims):
        readout = i == len(dims) - 1
        p = config.parameterisation
        if p == "standard" or (p == "mup" and not readout):
            out.append(LayerScales(fi, fo, sw / math.sqrt(fi), sb, 1.0, 1.0))
        elif p == "ntk":
            out.append(LayerScales(fi, fo, 1.0, 1.0, sw / math.sqrt(fi), sb))
        else:  # mup readout: O(1) entries, multiplier 1/fan_in
            out.append(LayerScales(fi, fo, 1.0, sb, sw / fi, 1.0))
    return out


def n_params(config: MLPConfig) -> int:
    """Number of trainable parameters.

    Args:
        config: an :class:`MLPConfig`.

    Returns:
        Σ_l fan_in·fan_out (+ fan_out with biases).

    Raises:
        ValueError: an invalid config.
    """
    return sum(fi * fo + (fo if config.bias else 0) for fi, fo in layer_dims(validate_config(config)))


def init_mlp(key: jax.Array, config: MLPConfig, dtype: jnp.dtype = jnp.float32) -> list[dict[str, jax.Array]]:
    """Draw parameters ``[{"w": (fan_in, fan_out), "b": (fan_out,)}, ...]`` (module docstring).

    Args:
        key: a JAX PRNG key.
        config: an :class:`MLPConfig`.
        dtype: the parameters' dtype.

    Returns:
        One dict per layer, input layer first; no ``"b"`` when ``config.bias`` is False.

    Raises:
        ValueError: an invalid config.
    """
    scales = layer_scales(config)
    keys = jax.random.split(key, 2 * len(scales))
    params = []
    for i, s in enumerate(scales):
        layer = {"w": s.init_w * jax.random.normal(keys[2 * i], (s.fan_in, s.fan_out), dtype)}
        if config.bias:
            if s.init_b == 0.0:
                layer["b"] = jnp.zeros((s.fan_out,), dtype)
            else:
                layer["b"] = s.init_b * jax.random.normal(keys[2 * i + 1], (s.fan_out,), dtype)
        params.append(layer)
    return params


def init_mlp_ensemble(
    key: jax.Array, config: MLPConfig, n_members: int, dtype: jnp.dtype = jnp.float32
) -> list[dict[str, jax.Array]]:
    """``n_members`` independent initialisations stacked on a leading axis (keys = split(key)).

    Args:
        key: a JAX PRNG key, split into ``n_members`` keys.
        config: an :class:`MLPConfig`.
        n_members: the ensemble size E ≥ 1.
        dtype: the parameters' dtype.

    Returns:
        Like :func:`init_mlp`, each leaf with a leading axis of size E.

    Raises:
        ValueError: ``n_members`` is not a positive integer, or an invalid config.
    """
    if not _is_int(n_members) or n_members < 1:
        raise ValueError(f"n_members must be a positive integer, got {n_members!r}")
    keys = jax.random.split(key, n_members)
    return jax.vmap(lambda k: init_mlp(k, config, dtype))(keys)


def _check_params(config: MLPConfig, params) -> None:
    dims = layer_dims(config)
    if not isinstance(params, (list, tuple)) or len(params) != len(dims):
        raise ValueError(f"params must be a list of {len(dims)} layer dicts for {config}, got {type(params).__name__}"
                         f" of length {len(params) if hasattr(params, '__len__') else '?'}")
    for i, ((fi, fo), layer) in enumerate(zip(dims, params)):
        if tuple(layer["w"].shape[-2:]) != (fi, fo):
            raise ValueError(f"layer {i}: w has shape {tuple(layer['w'].shape)}, expected {(fi, fo)}")
        if config.bias != ("b" in layer):
            raise ValueError(f"layer {i}: bias={config.bias} in the config but 'b' {'missing' if config.bias else 'present'}")


def mlp_forward(config: MLPConfig, params, x: jax.Array) -> tuple[jax.Array, list[jax.Array], list[jax.Array]]:
    """Forward pass returning (output, layer inputs a_0..a_L, pre-activations h_1..h_{L+1}).

    ``a_0 = x``, ``a_l = relu(h_l)``; used by the structured eNTK in
    :mod:`ntk_scaling.kernels.empirical`. Cost 2 n Σ_l fan_in_l fan_out_l FLOPs.

    Args:
        config: an :class:`MLPConfig`.
        params: parameters as from :func:`init_mlp`.
        x: inputs of shape (n, in_dim).

    Returns:
        (output of shape (n, out_dim), the ``depth + 1`` layer inputs, the ``depth + 1``
        pre-activations).

    Raises:
        ValueError: parameters that do not fit the config, or x of the wrong shape.
    """
    scales = layer_scales(config)
    _check_params(config, params)
    x = jnp.asarray(x)
    if x.ndim != 2 or x.shape[1] != config.in_dim:
        raise ValueError(f"x must have shape (n, {config.in_dim}), got {tuple(x.shape)}")
    a, acts, pre = x, [], []
    for i, (s, layer) in enumerate(zip(scales, params)):
        acts.append(a)
        h = a @ layer["w"]
        if s.mult_w != 1.0:
            h = s.mult_w * h
        if config.bias:
            h = h + (layer["b"] if s.mult_b == 1.0 else s.mult_b * layer["b"])
        pre.append(h)
        a = jax.nn.relu(h) if i < len(scales) - 1 else h
    return a, acts, pre


def mlp_apply(config: MLPConfig, params, x: jax.Array) -> jax.Array:
    """Network output, shape (n, out_dim).

    Use ``functools.partial(mlp_apply, config)`` as ``apply_fn(params, x)``;
    :func:`ntk_scaling.empirical_ntk` recognises that partial and then uses the
    structured (Jacobian-free) NTK.

    Args:
        config: an :class:`MLPConfig`.
        params: parameters as from :func:`init_mlp`.
        x: inputs of shape (n, in_dim).

    Returns:
        The logits, shape (n, out_dim).

    Raises:
        ValueError: parameters that do not fit the config, or x of the wrong shape.
    """
    return mlp_forward(config, params, x)[0]


def mup_lr_multipliers(config: MLPConfig, base_width: int) -> list[dict[str, float]]:
    """Per-parameter Adam learning-rate factors of μP relative to a model of ``base_width``.

    With this module's μP forward pass (readout multiplier σ_w/width), Adam's learning
    rate is O(1) for the input layer, biases and readout, and ∝ 1/fan_in for hidden
    weights (Yang & Hu, Tensor Programs V, Table 3 in the multiplier form). Multiply the
    base learning rate, tuned at ``base_width``, by these factors (e.g. with
    ``optax.multi_transform`` or by scaling the updates leaf by leaf).

    Args:
        config: an :class:`MLPConfig` with parameterisation ``"mup"``.
        base_width: the width at which the base learning rate was tuned.

    Returns:
        One dict per layer with the factors of ``"w"`` (and ``"b"``).

    Raises:
        ValueError: another parameterisation, or ``base_width`` not a positive integer.
    """
    if config.parameterisation != "mup":
        raise ValueError(f"mup_lr_multipliers needs parameterisation 'mup', got {config.parameterisation!r}")
    if not _is_int(base_width) or base_width < 1:
        raise ValueError(f"base_width must be a positive integer, got {base_width!r}")
    dims = layer_dims(config)
    out = []
    for i, (fi, _) in enumerate(dims):
        hidden = 0 < i < len(dims) - 1
        f = {"w": base_width / fi if hidden else 1.0}
        if config.bias:
            f["b"] = 1.0
        out.append(f)
    return out
