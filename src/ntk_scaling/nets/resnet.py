"""A small residual network in μP with γ₀, **without normalisation layers**, for CIFAR-10.

[B] (arXiv 2409.17858, Appendix A.2) trains "the same deep residual architecture as
Bordelon et al. (2024a)" on CIFAR-5M; the group's public code (``Pehlevan-Group/
Richness_Sweep``) uses a ResNet-18 with BatchNorm and widths (64, 128, 256, 512)·N/64. We
use a much smaller network that a CPU can train, and we drop BatchNorm, so the network's
eNTK at initialisation is a fixed function of the parameters (no batch statistics) and the
kernel analysis needs no special treatment (equations appendix ``eq-b-vision-resnet``;
status: our choice):

* **Stem:** 3×3 convolution C → N ("same" padding).
* **Stages** s = 1..S with widths N·2^(s−1) (stage widths ∝ N), each of ``blocks``
  pre-activation residual blocks; the first block of stages s ≥ 2 halves the resolution
  (stride 2) and its shortcut is a 1×1 stride-2 convolution of ReLU(h). A block computes

      h ← [shortcut(h) + conv₂(ReLU(conv₁(ReLU(h))))] / √2.

* **Head:** ReLU, global average pooling, readout to k outputs divided by its fan-in
  (mean field).

Multipliers: every weight is N(0, 1) (no biases); a convolution applied to the raw image is
divided by √(k² C_in) and one applied after a ReLU by √(k² C_in / 2) (He scaling in the
forward pass), so that without BatchNorm the pre-activations stay O(1) at any depth and
width; the readout divides by its fan-in. This differs from the CNN of
:mod:`ntk_scaling.nets.cnn`, which follows the group's code in dividing by √C_in only:
with ten stacked convolutions that rule would grow activations by ≈ (9/2)^10 without
normalisation. The trained function is centred and divided by γ₀, and SGD uses η = η₀γ₀²N,
as for :class:`ntk_scaling.MeanFieldMLP`.

Cost of one forward pass per 32×32 image: ≈ 2·9·1024·(C·N + 2·blocks·N²·(1 + 1 + 1)) FLOPs
(each stage has 4× fewer pixels and 4× more channel pairs, so every stage costs about the
same); at N = 8, one block per stage, about 4 MFLOP.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .cnn import conv2d

__all__ = ["MeanFieldResNet", "check_mean_field_resnet", "init_resnet", "resnet_apply", "resnet_features"]


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class MeanFieldResNet(NamedTuple):
    """A small normalisation-free pre-activation ResNet in μP (module docstring).

    A NamedTuple with the model protocol of :func:`ntk_scaling.train_online`.
    """

    width: int  #: N: channels of the stem and first stage; stage s has N·2^(s−1)
    gamma0: float = 1.0  #: γ₀ > 0
    stages: int = 3  #: S ≥ 1 stages (resolution halves at each after the first)
    blocks: int = 1  #: residual blocks per stage
    image_shape: tuple[int, int, int] = (32, 32, 3)  #: (H, W, C)
    out_dim: int = 10  #: k outputs

    @property
    def centre(self) -> bool:
        """The trained output subtracts f_net at the initial parameters."""
        return True

    @property
    def output_scale(self) -> float:
        """The trained output is f_net / γ₀ (after centring)."""
        return 1.0 / float(self.gamma0)

    @property
    def program_key(self) -> MeanFieldResNet:
        """The same network at γ₀ = 1 (γ₀ enters only through ``output_scale``)."""
        return self._replace(gamma0=1.0)

    def init(self, key: jax.Array) -> dict[str, Any]:
        """Initial parameters (:func:`init_resnet`)."""
        return init_resnet(key, self)

    def apply(self, params: Any, x: jax.Array) -> jax.Array:
        """The raw network f_net, shape (n, k) (:func:`resnet_apply`)."""
        return resnet_apply(self, params, x)

    def features(self, params: Any, x: jax.Array) -> jax.Array:
        """Pooled last-stage features, shape (n, N·2^(S−1)) (:func:`resnet_features`)."""
        return resnet_features(self, params, x)

    def learning_rate(self, eta0: float) -> float:
        """η = η₀ γ₀² N (as :func:`ntk_scaling.mean_field_learning_rate`)."""
        from .mup import mean_field_learning_rate

        return mean_field_learning_rate(eta0, self.gamma0, self.width)


def check_mean_field_resnet(config: object) -> MeanFieldResNet:
    """``config`` if it is a valid :class:`MeanFieldResNet`.

    Args:
        config: the object to check.

    Returns:
        ``config``.

    Raises:
        TypeError: not a MeanFieldResNet.
        ValueError: a field out of range (named).
    """
    if not isinstance(config, MeanFieldResNet):
        raise TypeError(f"expected a MeanFieldResNet, got {type(config).__name__}")
    for name in ("width", "stages", "blocks", "out_dim"):
        v = getattr(config, name)
        if not _is_int(v) or v < 1:
            raise ValueError(f"MeanFieldResNet.{name} must be a positive integer, got {v!r}")
    g = config.gamma0
    if isinstance(g, bool) or not isinstance(g, (int, float)) or not (math.isfinite(g) and g > 0):
        raise ValueError(f"MeanFieldResNet.gamma0 must be a positive finite number, got {g!r}")
    shape = tuple(config.image_shape)
    if len(shape) != 3 or not all(_is_int(s) and s >= 1 for s in shape):
        raise ValueError(f"MeanFieldResNet.image_shape must be three positive integers, got {config.image_shape!r}")
    if min(shape[:2]) < 2 ** (config.stages - 1):
        raise ValueError(f"MeanFieldResNet: images {shape[:2]} are too small for {config.stages} stages")
    return config


def _plan(config: MeanFieldResNet) -> list[tuple[str, int, int, int]]:
    """(name, c_in, c_out, stride) of every block."""
    out, c_in = [], config.width
    for s in range(config.stages):
        c_out = config.width * 2**s
        for b in range(config.blocks):
            stride = 2 if (s > 0 and b == 0) else 1
            out.append((f"s{s}b{b}", c_in, c_out, stride))
            c_in = c_out
    return out


def init_resnet(key: jax.Array, config: MeanFieldResNet, dtype: jnp.dtype = jnp.float32) -> dict[str, Any]:
    """All weights i.i.d. N(0, 1), no biases.

    Args:
        key: a PRNG key.
        config: the architecture.
        dtype: parameter dtype.

    Returns:
        ``{"stem": (3,3,C,N), "<block>": {"conv1", "conv2"[, "short"]}, "readout": (N·2^(S−1), k)}``.
    """
    check_mean_field_resnet(config)
    plan = _plan(config)
    keys = iter(jax.random.split(key, 2 + 3 * len(plan)))
    c = config.image_shape[2]
    params: dict[str, Any] = {"stem": jax.random.normal(next(keys), (3, 3, c, config.width), dtype)}
    for name, c_in, c_out, stride in plan:
        block = {
            "conv1": jax.random.normal(next(keys), (3, 3, c_in, c_out), dtype),
            "conv2": jax.random.normal(next(keys), (3, 3, c_out, c_out), dtype),
        }
        k_short = next(keys)
        if stride != 1 or c_in != c_out:
            block["short"] = jax.random.normal(k_short, (1, 1, c_in, c_out), dtype)
        params[name] = block
    params["readout"] = jax.random.normal(next(keys), (plan[-1][2], config.out_dim), dtype)
    return params


def _after_relu(w: jax.Array) -> float:
    h, wd, c_in, _ = w.shape
    return math.sqrt(2.0 / (h * wd * c_in))


def resnet_features(config: MeanFieldResNet, params: Any, x: jax.Array) -> jax.Array:
    """Global-average-pooled ReLU of the last stage.

    Args:
        config: the architecture.
        params: from :func:`init_resnet`.
        x: images (n, H, W, C).

    Returns:
        (n, N·2^(S−1)) features.

    Raises:
        ValueError: ``x`` is not (n, H, W, C) of the config's image shape.
    """
    check_mean_field_resnet(config)
    x = jnp.asarray(x)
    if x.ndim != 4 or tuple(x.shape[1:]) != tuple(config.image_shape):
        raise ValueError(f"x must have shape (n, {', '.join(map(str, config.image_shape))}), got {tuple(x.shape)}")
    w = params["stem"]
    h = conv2d(x, w, padding="SAME") / math.sqrt(w.shape[0] * w.shape[1] * w.shape[2])
    for name, _, _, stride in _plan(config):
        p = params[name]
        a = jax.nn.relu(h)
        z = conv2d(a, p["conv1"], stride=stride, padding="SAME") * _after_relu(p["conv1"])
        z = conv2d(jax.nn.relu(z), p["conv2"], padding="SAME") * _after_relu(p["conv2"])
        short = conv2d(a, p["short"], stride=stride, padding="SAME") * _after_relu(p["short"]) if "short" in p else h
        h = (short + z) / math.sqrt(2.0)
    return jnp.mean(jax.nn.relu(h), axis=(1, 2))


def resnet_apply(config: MeanFieldResNet, params: Any, x: jax.Array) -> jax.Array:
    """The raw network f_net(x), shape (n, k): readout of the pooled features divided by its fan-in.

    Args:
        config: the architecture.
        params: from :func:`init_resnet`.
        x: images (n, H, W, C).

    Returns:
        (n, k) outputs (not centred, not divided by γ₀).

    Raises:
        ValueError: ``x`` is not (n, H, W, C) of the config's image shape.

    Source: our choice, [B] Appendix A.2 in spirit (``eq-b-vision-resnet``, module docstring).
    """
    phi = resnet_features(config, params, x)
    w = params["readout"]
    return phi @ w / w.shape[0]
