"""Deep MLPs in the mean-field / μP parameterisation of [B] Section 5 (arXiv 2409.17858).

[B] tests its solvable model on MLPs trained online in the mean-field (μP) limit with a
width-independent feature-learning strength γ₀ ([B] Section 5.1, Appendix A.1). This
module is our reading of that parameterisation (equations appendix,
``eq-b-circle-mean-field-mlp``; status: our choice, consistent with [B]'s text):

* **Forward pass.** ``depth`` = L hidden layers of width N, all weights N(0, 1), no
  biases, activation φ(h) = ReLU(h)^q_φ::

      h¹ = W⁰ x / √D,   h^{ℓ+1} = W^ℓ φ(h^ℓ) / √N,   f_net(x) = w^L · φ(h^L) / N.

  The readout carries 1/N (mean field) instead of the 1/√N of the NTK parameterisation,
  so f_net = O(1/√N) at initialisation.
* **Centred, scaled output.** The function that is trained is

      f(x; θ) = [f_net(x; θ) − f_net(x; θ₀)] / γ₀,

  zero at initialisation for every width; the reference f_net(·; θ₀) uses the frozen
  initial parameters (:func:`mean_field_output`).
* **Learning rate.** Plain SGD with η = η₀ γ₀² N (:func:`mean_field_learning_rate`).
  Then η times the eNTK of f equals η₀ times the width-independent NTK-parameterisation
  kernel, so the lazy limit γ₀ → 0 keeps a γ₀-independent time scale, and at fixed γ₀ every
  pre-activation moves by O(γ₀ η₀) per step whatever N (``tests/test_mup.py``).

**How this differs from the group's public vision code** (the ``Richness_Sweep``
notebooks): there the learning rate is η = N·η₀ with the output divided by γ₀, and η₀
is tuned separately for each γ₀. Their η₀ is our η₀γ₀²; we fix η₀ across γ₀ so that the
lazy limit is a well-defined kernel flow and curves for different γ₀ share a clock.

This is *not* :mod:`ntk_scaling.nets.mlp`'s ``mup`` (Yang–Hu μP for Adam, used by [A]'s
chapters): that one has ReLU only, LeCun-scaled hidden weights and no centring.

Models here follow the online-training protocol of :func:`ntk_scaling.train_online`:
:class:`MeanFieldMLP` is a NamedTuple (hashable into cache keys) with ``init(key)``,
``apply(params, x)`` (the raw f_net), ``centre = True``, ``output_scale = 1/γ₀``,
``features`` and a structured ``ntk``.

Cost: one forward pass of n inputs is 2n(D·N + (L−1)N² + N·k) FLOPs; a training step is
about four forward passes (forward, backward, and the forward pass of the frozen reference).
"""

from __future__ import annotations

import itertools
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

__all__ = [
    "MeanFieldMLP",
    "check_mean_field_mlp",
    "init_mean_field_mlp",
    "mean_field_apply",
    "mean_field_features",
    "mean_field_forward",
    "mean_field_learning_rate",
    "mean_field_ntk",
    "mean_field_output",
    "relu_power",
]


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class MeanFieldMLP(NamedTuple):
    """A depth-L MLP in [B]'s mean-field parameterisation (module docstring).

    A NamedTuple, so it enters cache keys by value; its methods make it a model for
    :func:`ntk_scaling.train_online`.
    """

    width: int  #: N, the width of every hidden layer
    depth: int = 2  #: L, the number of hidden layers (as ``MLPConfig.depth`` counts them)
    gamma0: float = 1.0  #: γ₀ > 0, the feature-learning strength (γ₀ → 0 is lazy)
    q_phi: float = 1.0  #: activation φ(h) = ReLU(h)^q_φ, q_φ ≥ 1
    in_dim: int = 2  #: D (2 for inputs on the unit circle)
    out_dim: int = 1  #: k outputs

    # -- the online-training protocol (ntk_scaling.train_online)
    @property
    def centre(self) -> bool:
        """The trained output subtracts f_net at the initial parameters."""
        return True

    @property
    def output_scale(self) -> float:
        """The trained output is f_net / γ₀ (after centring)."""
        return 1.0 / float(self.gamma0)

    @property
    def program_key(self) -> MeanFieldMLP:
        """The same network at γ₀ = 1.

        γ₀ enters only through ``output_scale``, so one compiled training program serves every γ₀.
        """
        return self._replace(gamma0=1.0)

    def init(self, key: jax.Array) -> list[dict[str, jax.Array]]:
        """Initial parameters (:func:`init_mean_field_mlp`)."""
        return init_mean_field_mlp(key, self)

    def apply(self, params: Any, x: jax.Array) -> jax.Array:
        """The raw network f_net, shape (n, k) (:func:`mean_field_apply`)."""
        return mean_field_apply(self, params, x)

    def features(self, params: Any, x: jax.Array) -> jax.Array:
        """Last hidden layer φ(h^L), shape (n, N)."""
        return mean_field_features(self, params, x)

    def ntk(self, params: Any, x1: jax.Array, x2: jax.Array | None = None) -> jax.Array:
        """Structured eNTK of f_net, shape (n1, n2, k, k) (:func:`mean_field_ntk`)."""
        return mean_field_ntk(self, params, x1, x2)

    def learning_rate(self, eta0: float) -> float:
        """η = η₀ γ₀² N (:func:`mean_field_learning_rate`)."""
        return mean_field_learning_rate(eta0, self.gamma0, self.width)


def check_mean_field_mlp(config: object) -> MeanFieldMLP:
    """``config`` if it is a valid :class:`MeanFieldMLP`.

    Args:
        config: the object to check: width, depth, in_dim, out_dim integers ≥ 1, γ₀ a
            positive finite number, q_φ a finite number ≥ 1.

    Returns:
        ``config`` itself, unchanged.

    Raises:
        TypeError: not a MeanFieldMLP.
        ValueError: a field out of range (names it).
    """
    if not isinstance(config, MeanFieldMLP):
        raise TypeError(f"expected a MeanFieldMLP, got {type(config).__name__}")
    for name, lo in (("width", 1), ("depth", 1), ("in_dim", 1), ("out_dim", 1)):
        v = getattr(config, name)
        if not _is_int(v) or v < lo:
            raise ValueError(f"MeanFieldMLP.{name} must be an integer >= {lo}, got {v!r}")
    g = config.gamma0
    if isinstance(g, bool) or not isinstance(g, (int, float)) or not (math.isfinite(g) and g > 0):
        raise ValueError(f"MeanFieldMLP.gamma0 must be a positive finite number, got {g!r}")
    q = config.q_phi
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not (math.isfinite(q) and q >= 1):
        raise ValueError(f"MeanFieldMLP.q_phi must be a finite number >= 1, got {q!r}")
    return config


def relu_power(h: jax.Array, q: float) -> jax.Array:
    """φ(h) = ReLU(h)^q (q = 1 is ReLU); its derivative is q·ReLU(h)^(q−1).

    The activation of ``eq-b-circle-mean-field-mlp``. No validation: q ≥ 1 is checked by
    :func:`check_mean_field_mlp` for a network.

    Args:
        h: pre-activations, any shape.
        q: the exponent q_φ (q = 1, 2, 3 use products instead of a power).

    Returns:
        Array shaped like ``h``, of its dtype.
    """
    r = jax.nn.relu(h)
    if q == 1:
        return r
    if q == 2:
        return r * r
    if q == 3:
        return r * r * r
    return r**q


def _dims(config: MeanFieldMLP) -> list[tuple[int, int]]:
    dims = [config.in_dim] + [config.width] * config.depth + [config.out_dim]
    return list(itertools.pairwise(dims))


def _multipliers(config: MeanFieldMLP) -> list[float]:
    """Forward multipliers: 1/√D, then 1/√N for hidden layers, 1/N for the readout."""
    n = config.width
    return [1.0 / math.sqrt(config.in_dim)] + [1.0 / math.sqrt(n)] * (config.depth - 1) + [1.0 / n]


def init_mean_field_mlp(key: jax.Array, config: MeanFieldMLP, dtype: jnp.dtype = jnp.float32) -> list[dict[str, jax.Array]]:
    """All weights i.i.d. N(0, 1): ``[{"w": (fan_in, fan_out)}, ...]``, L + 1 layers.

    Args:
        key: a PRNG key.
        config: the architecture.
        dtype: parameter dtype.

    Returns:
        A list of L + 1 layer dicts (no biases).
    """
    check_mean_field_mlp(config)
    dims = _dims(config)
    keys = jax.random.split(key, len(dims))
    return [{"w": jax.random.normal(k, shape, dtype)} for k, shape in zip(keys, dims)]


def _check_params(config: MeanFieldMLP, params: Any) -> None:
    dims = _dims(config)
    if not isinstance(params, (list, tuple)) or len(params) != len(dims):
        raise ValueError(f"params must be a list of {len(dims)} layer dicts for {config}")
    for i, ((fi, fo), layer) in enumerate(zip(dims, params)):
        if tuple(layer["w"].shape[-2:]) != (fi, fo):
            raise ValueError(f"layer {i}: w has shape {tuple(layer['w'].shape)}, expected {(fi, fo)}")


def mean_field_forward(config: MeanFieldMLP, params: Any, x: jax.Array) -> tuple[jax.Array, list[jax.Array], list[jax.Array]]:
    """Forward pass returning (f_net (n, k), layer inputs a_0..a_L, pre-activations h¹..h^L).

    ``a_0 = x`` and ``a_ℓ = φ(h^ℓ)``; layer ℓ computes ``m_ℓ · a_ℓ @ W^ℓ`` with the
    multipliers of the module docstring (``eq-b-circle-mean-field-mlp``; status: our
    reading of [B] Section 5.1).

    Args:
        config: the architecture (validated by :func:`check_mean_field_mlp`).
        params: the L + 1 layer dicts of :func:`init_mean_field_mlp`.
        x: (n, D) inputs.

    Returns:
        ``(f_net, acts, pre)``: f_net of shape (n, k); ``acts`` the L + 1 layer inputs
        a_0 = x (n, D), a_ℓ = φ(h^ℓ) (n, N); ``pre`` the L pre-activations h^ℓ (n, N).

    Raises:
        TypeError: ``config`` is not a :class:`MeanFieldMLP`.
        ValueError: a field of ``config`` is out of range, ``x`` is not (n, D) or
            ``params`` do not fit ``config``.
        AssertionError: never (marks an unreachable line).
    """
    check_mean_field_mlp(config)
    _check_params(config, params)
    x = jnp.asarray(x)
    if x.ndim != 2 or x.shape[1] != config.in_dim:
        raise ValueError(f"x must have shape (n, {config.in_dim}), got {tuple(x.shape)}")
    mults = _multipliers(config)
    a, acts, pre = x, [], []
    for i, (m, layer) in enumerate(zip(mults, params)):
        acts.append(a)
        h = m * (a @ layer["w"])
        if i == len(params) - 1:
            return h, acts, pre
        pre.append(h)
        a = relu_power(h, config.q_phi)
    raise AssertionError("unreachable")  # pragma: no cover


def mean_field_apply(config: MeanFieldMLP, params: Any, x: jax.Array) -> jax.Array:
    """The raw network f_net(x) = w^L·φ(h^L)/N, shape (n, k) (not centred, not divided by γ₀).

    ``eq-b-circle-mean-field-mlp`` (status: our reading of [B] Section 5.1).

    Args:
        config: the architecture (validated by :func:`check_mean_field_mlp`).
        params: the L + 1 layer dicts of :func:`init_mean_field_mlp`.
        x: (n, D) inputs.

    Returns:
        (n, k) array f_net(x).

    Raises:
        TypeError: ``config`` is not a :class:`MeanFieldMLP`.
        ValueError: a field of ``config`` is out of range, ``params`` do not fit
            ``config``, or ``x`` is not (n, D).
    """
    return mean_field_forward(config, params, x)[0]


def mean_field_output(config: MeanFieldMLP, params: Any, params0: Any, x: jax.Array) -> jax.Array:
    """The trained function f = [f_net(x; θ) − f_net(x; θ₀)] / γ₀, shape (n, k).

    Source: [B] Section 5.1 (mean-field/μP with strength γ₀); the centring and 1/γ₀ are our
    reading (equations appendix, ``eq-b-circle-mean-field-mlp``).

    Args:
        config: the architecture (validated by :func:`check_mean_field_mlp`).
        params: current parameters θ (layer dicts of :func:`init_mean_field_mlp`).
        params0: initial parameters θ₀, same structure.
        x: (n, D) inputs.

    Returns:
        (n, k) array f(x), zero when ``params`` equals ``params0``.

    Raises:
        TypeError: ``config`` is not a :class:`MeanFieldMLP`.
        ValueError: a field of ``config`` is out of range, ``params`` do not fit
            ``config``, or ``x`` is not (n, D).
    """
    return (mean_field_apply(config, params, x) - mean_field_apply(config, params0, x)) / config.gamma0


def mean_field_features(config: MeanFieldMLP, params: Any, x: jax.Array) -> jax.Array:
    """Last-layer features φ(h^L), shape (n, N).

    Args:
        config: the architecture (validated by :func:`check_mean_field_mlp`).
        params: the L + 1 layer dicts of :func:`init_mean_field_mlp`.
        x: (n, D) inputs.

    Returns:
        (n, N) array of the last hidden layer's activations.

    Raises:
        TypeError: ``config`` is not a :class:`MeanFieldMLP`.
        ValueError: a field of ``config`` is out of range, ``params`` do not fit
            ``config``, or ``x`` is not (n, D).
    """
    return mean_field_forward(config, params, x)[1][-1]


def _backward_signals(config: MeanFieldMLP, params: Any, acts: list[jax.Array], pre: list[jax.Array]) -> list[jax.Array | None]:
    """δ_ℓ[i, a, u] = ∂f_net,a(x_i)/∂(output of layer ℓ)_u for every layer; None = identity (readout)."""
    mults = _multipliers(config)
    q = config.q_phi
    n_layers = len(params)
    deltas: list[jax.Array | None] = [None] * n_layers
    delta = None
    for layer in range(n_layers - 1, 0, -1):
        deltas[layer] = delta
        h = pre[layer - 1]
        dphi = jnp.where(h > 0, q * relu_power(h, q - 1.0) if q != 1 else 1.0, 0.0).astype(h.dtype)
        w = mults[layer] * params[layer]["w"]  # (fan_in, fan_out)
        if delta is None:
            delta = w.T[None, :, :] * dphi[:, None, :]
        else:
            delta = jnp.einsum("iav,uv->iau", delta, w) * dphi[:, None, :]
    deltas[0] = delta
    return deltas


def mean_field_ntk(config: MeanFieldMLP, params: Any, x1: jax.Array, x2: jax.Array | None = None) -> jax.Array:
    """Empirical NTK of the raw f_net, Θ[i, j, a, b] = Σ_p ∂f_a(x1_i)/∂θ_p ∂f_b(x2_j)/∂θ_p.

    Structured (no Jacobian): Θ = Σ_ℓ m_ℓ² (a_ℓ(x)·a_ℓ(x')) (δ_ℓ(x)·δ_ℓ(x')), with δ_ℓ the
    backward signal at the output of layer ℓ; equal to
    ``ntk_scaling.empirical_ntk(config.apply, ...)`` (tested). The eNTK of the trained
    f = (f_net − f_net,0)/γ₀ is this divided by γ₀²; N·γ₀²·(that) converges to the
    NTK-parameterisation kernel of :func:`ntk_scaling.circle_ntk_spectrum`.

    Cost: one forward pass per input set, a k-fold backward pass, and per layer two Gram
    products (2 n1 n2 fan_in + 2 n1 n2 k² fan_out FLOPs); memory O(n k N). A width-4096
    network on 128 points takes about a second on a CPU, where the Jacobian would need 8 GB.

    Args:
        config: the architecture (validated by :func:`check_mean_field_mlp`).
        params: the L + 1 layer dicts of :func:`init_mean_field_mlp`.
        x1: (n1, D) inputs.
        x2: (n2, D) inputs; default ``x1`` (then the backward pass is shared).

    Returns:
        (n1, n2, k, k) array Θ[i, j, a, b] of the raw f_net (not divided by γ₀²).

    Raises:
        TypeError: ``config`` is not a :class:`MeanFieldMLP`.
        ValueError: a field of ``config`` is out of range, ``params`` do not fit
            ``config``, or ``x`` is not (n, D).
    """
    _, acts1, pre1 = mean_field_forward(config, params, x1)
    d1 = _backward_signals(config, params, acts1, pre1)
    if x2 is None:
        acts2, d2 = acts1, d1
    else:
        _, acts2, pre2 = mean_field_forward(config, params, x2)
        d2 = _backward_signals(config, params, acts2, pre2)
    mults = _multipliers(config)
    k = config.out_dim
    total = None
    for m, a1, a2, e1, e2 in zip(mults, acts1, acts2, d1, d2):
        gram = (m * m) * (a1 @ a2.T)
        if e1 is None:
            term = gram[:, :, None, None] * jnp.eye(k, dtype=gram.dtype)
        else:
            term = gram[:, :, None, None] * jnp.einsum("iau,jbu->ijab", e1, e2)
        total = term if total is None else total + term
    return total


def mean_field_learning_rate(eta0: float, gamma0: float, width: int) -> float:
    """SGD learning rate η = η₀ γ₀² N of the mean-field parameterisation.

    Args:
        eta0: η₀ > 0, the width- and γ₀-independent step size (time is η₀ × steps).
        gamma0: γ₀ > 0.
        width: N ≥ 1.

    Returns:
        η as a float.

    Raises:
        ValueError: a non-positive or non-finite argument.

    Source: our reading of [B] Section 5.1 (equations appendix,
    ``eq-b-circle-mean-field-mlp``); the group's vision code uses η = N η₀ instead (module
    docstring).
    """
    for name, v in (("eta0", eta0), ("gamma0", gamma0)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a positive finite number, got {v!r}")
    if not _is_int(width) or width < 1:
        raise ValueError(f"width must be a positive integer, got {width!r}")
    return float(eta0) * float(gamma0) ** 2 * int(width)
