"""Empirical neural tangent kernel (eNTK) of a finite network, as measured in [A].

[A] (arXiv 2507.05035) tracks the empirical NTK

    Θ_ab(x, x') = Σ_p ∂f_a(x)/∂θ_p · ∂f_b(x')/∂θ_p = [J(x) J(x')ᵀ]_ab,

computed with neural-tangents as the full (n, n, k, k) kernel over sample pairs and logit
pairs and flattened to an (n·k) × (n·k) matrix before taking traces and spectra (the
group's ``papyrus`` library does exactly this; appendix "Equations and their status",
eq-a-metrics-entk). This module computes
the same object with one public factory, :func:`empirical_ntk_fn` (and the one-shot
:func:`empirical_ntk`), and three interchangeable implementations, in the style of
neural-tangents' ``empirical`` module (they agree to floating-point tolerance):

``JACOBIAN_CONTRACTION``
    Generic (any ``apply_fn(params, x)`` on any pytree). Forms J(x) with reverse-mode
    autodiff, then contracts. Time ≈ (n1 + n2)·k backward passes + 2·n1·n2·k²·P FLOPs
    for P parameters; memory (n1 + n2)·k·P. Best for small models.
``NTK_VECTOR_PRODUCTS``
    Generic. Never stores J: for each of the n2·k output directions it does one
    vector-Jacobian product on x2 and one Jacobian-vector product on x1. Time ≈ n2·k
    (backward + forward) passes over n1 + n2 samples; memory ≈ one Jacobian row set.
``PER_SAMPLE_JACOBIAN``
    Generic for models that treat samples independently (no batch statistics, e.g. the
    vision CNN and ResNet of :mod:`ntk_scaling.nets`): J(x_i) of each sample by one
    reverse-mode pass over that sample alone (``vmap`` over samples of ``jacrev``), then
    contracted as ``JACOBIAN_CONTRACTION``. Same FLOPs as one k-fold backward pass per
    sample and memory (n1 + n2)·k·P; ``JACOBIAN_CONTRACTION`` instead differentiates the
    whole batch for each of its n·k outputs, which for convolutional models materialises
    n·k copies of the batch's activations.
``STRUCTURED_MODEL``
    For a model object that provides its own ``structured_ntk(params, x1, x2,
    trace_logits=...)`` (e.g. :class:`~ntk_scaling.MeanFieldCNN`, whose dense layers
    contribute Gram products instead of Jacobians); pass the model or its bound ``apply``.
    Chosen by default for such models.
``STRUCTURED_MLP``
    Only for this package's dense MLPs (:mod:`ntk_scaling.models`); never forms J. With
    layer inputs a_{l-1}, backward signals δ_l[i, a] = ∂f_a(x_i)/∂h_l and the layer's
    forward multipliers (m_w, m_b) (``h = m_w a W + m_b b``),

        Θ[i, j, a, b] = Σ_l (m_w² a_{l-1}(x_i)·a_{l-1}(x_j) + m_b² [bias]) · δ_l[i, a]·δ_l[j, b].

    Time: one forward pass (2 n Σ_l fan_in·fan_out), one k-fold backward pass
    (2 n k Σ_{hidden→hidden} fan_in·fan_out) and per layer two Gram products
    (2 n1 n2 fan_in + 2 n1 n2 k² fan_out), all dense matmuls; memory O(n k width) per
    layer. See :func:`structured_ntk_flops`.

**The model's output is checked in one place** (:func:`model_output_dim`, called at trace
time by the compiled function that every implementation runs inside): it must be one
array of shape (n, k), or (n,) for one scalar output per sample, which counts as k = 1.
So f(x) = x·w + b gives Θ_ij = x_i·x_j + 1 as (n, n, 1, 1), never a kernel over the
entries of w; a scalar, a pytree, extra axes or a leading axis other than n raise a
``ValueError``, and the kernel's shape is checked again after the computation. A new
implementation (e.g. a structured CNN kernel) plugs into ``_block_fn`` and inherits both
checks.

The default is ``STRUCTURED_MLP`` when the model is recognisably one of ours (pass the
:class:`~ntk_scaling.models.MLPConfig` itself as ``apply_fn``, or
``functools.partial(mlp_apply, config)``) and ``JACOBIAN_CONTRACTION`` otherwise.

Batching (``batch_size``) splits x1 and x2 into blocks and assembles Θ block by block,
so peak memory is set by the block size rather than n (features of each block are
recomputed per block pair, as in neural-tangents' ``batch``). All functions are pure;
float64 requires the caller to enable x64 (this module never flips global config).
"""

from __future__ import annotations

import contextlib
import enum
import functools
from typing import Any, Callable, Union

import jax
import jax.numpy as jnp

from ..nets.mlp import MLPConfig, layer_dims, layer_scales, mlp_apply, mlp_forward, validate_config

ApplyFn = Callable[[Any, jax.Array], jax.Array]
Model = Union[ApplyFn, MLPConfig]


class NTKImplementation(enum.IntEnum):
    """How :func:`empirical_ntk_fn` computes Θ (see the module docstring for costs)."""

    JACOBIAN_CONTRACTION = 1
    NTK_VECTOR_PRODUCTS = 2
    STRUCTURED_MLP = 3
    PER_SAMPLE_JACOBIAN = 4
    STRUCTURED_MODEL = 5


def mlp_config_of(model: Model) -> MLPConfig | None:
    """The MLPConfig behind ``model`` (an MLPConfig or ``partial(mlp_apply, config)``), else None.

    Args:
        model: an ``apply_fn(params, x)`` or an :class:`~ntk_scaling.nets.mlp.MLPConfig`.

    Returns:
        The validated config, or None for any other model.

    Raises:
        ValueError: the model names an invalid MLPConfig.
    """
    if isinstance(model, MLPConfig):
        return validate_config(model)
    if (
        isinstance(model, functools.partial)
        and model.func is mlp_apply
        and len(model.args) == 1
        and not model.keywords
        and isinstance(model.args[0], MLPConfig)
    ):
        return validate_config(model.args[0])
    return None


def _as_apply_fn(model: Model) -> ApplyFn:
    if isinstance(model, MLPConfig):
        return functools.partial(mlp_apply, model)
    if not callable(model):
        raise TypeError(f"apply_fn must be callable or an MLPConfig, got {type(model).__name__}")
    return model


def flatten_ntk(theta: jax.Array) -> jax.Array:
    """(n1, n2, k, k) → (n1·k, n2·k) with row index i·k + a, as papyrus' ``flatten_rank_4_tensor``.

    ``moveaxis`` of axes (1, 2) → (2, 1) gives (n1, k, n2, k), then a reshape (appendix
    eq-a-metrics-entk).

    Args:
        theta: a kernel of shape (n1, n2, k, k).

    Returns:
        The (n1·k, n2·k) matrix.

    Raises:
        ValueError: ``theta`` is not of shape (n1, n2, k, k).
    """
    if theta.ndim != 4 or theta.shape[2] != theta.shape[3]:
        raise ValueError(f"flatten_ntk expects shape (n1, n2, k, k), got {tuple(theta.shape)}")
    n1, n2, k, _ = theta.shape
    return jnp.moveaxis(theta, (1, 2), (2, 1)).reshape(n1 * k, n2 * k)


# ----------------------------------------------------------------------------------------
# block kernels: (params, xa, xb or None) -> Θ block


def _jacobian(apply_fn: ApplyFn, params, x):
    return jax.jacrev(lambda p: apply_fn(p, x))(params)  # leaves (n, k, *leaf)


def _contract_jacobians(j1, j2, trace_logits: bool):
    def one(a, b):
        a = a.reshape(a.shape[0], a.shape[1], -1)
        b = b.reshape(b.shape[0], b.shape[1], -1)
        if trace_logits:
            return jnp.einsum("iap,jap->ij", a, b)
        return jnp.einsum("iap,jbp->ijab", a, b)

    return sum(jax.tree.leaves(jax.tree.map(one, j1, j2)))


def _block_jacobian_contraction(apply_fn, trace_logits, params, xa, xb):
    ja = _jacobian(apply_fn, params, xa)
    jb = ja if xb is None else _jacobian(apply_fn, params, xb)
    return _contract_jacobians(ja, jb, trace_logits)


def _per_sample_jacobian(apply_fn: ApplyFn, params, x):
    def one(xi):
        return jax.jacrev(lambda p: apply_fn(p, xi[None])[0])(params)  # leaves (k, *leaf)

    return jax.vmap(one)(x)  # leaves (n, k, *leaf)


def _block_per_sample(apply_fn, trace_logits, params, xa, xb):
    ja = _per_sample_jacobian(apply_fn, params, xa)
    jb = ja if xb is None else _per_sample_jacobian(apply_fn, params, xb)
    return _contract_jacobians(ja, jb, trace_logits)


def _block_vector_products(apply_fn, trace_logits, params, xa, xb):
    xb_ = xa if xb is None else xb
    fb, vjp_b = jax.vjp(lambda p: apply_fn(p, xb_), params)
    nb, k = fb.shape

    def column(ct):  # ct: (nb, k) cotangent -> J(xa) J(xb)^T ct, shape (na, k)
        (tangent,) = vjp_b(ct)
        return jax.jvp(lambda p: apply_fn(p, xa), (params,), (tangent,))[1]

    basis = jnp.eye(nb * k, dtype=fb.dtype).reshape(nb * k, nb, k)
    cols = jax.vmap(column)(basis)  # (nb*k, na, k): cols[j*k+b, i, a] = Θ[i, j, a, b]
    theta = jnp.moveaxis(cols.reshape(nb, k, -1, k), (0, 1), (1, 3))  # (na, nb, k, k)
    if trace_logits:
        return jnp.trace(theta, axis1=2, axis2=3)
    return theta


def _mlp_features(config: MLPConfig, params, x):
    """Per layer: (m_w-scaled layer input, m_b, δ or None for the readout)."""
    scales = layer_scales(config)
    _, acts, pre = mlp_forward(config, params, x)
    n_layers = len(scales)
    feats = [None] * n_layers
    delta = None  # δ_{l}: (n, k, fan_out_l); None means the identity at the readout
    for layer in range(n_layers - 1, -1, -1):
        s = scales[layer]
        feats[layer] = (acts[layer], s.mult_w, s.mult_b if config.bias else 0.0, delta)
        if layer == 0:
            break
        # δ_{l-1} = (δ_l W_lᵀ m_w) ⊙ relu'(h_{l-1}), shape (n, k, fan_in_l)
        w = params[layer]["w"]
        d_act = (pre[layer - 1] > 0).astype(w.dtype)
        if delta is None:  # δ_readout = identity: δ_{l-1}[i, a, u] = m_w W[u, a] relu'(h[i, u])
            delta = (s.mult_w * w.T)[None, :, :] * d_act[:, None, :]
        else:
            delta = (s.mult_w * jnp.einsum("iav,uv->iau", delta, w)) * d_act[:, None, :]
    return feats


def _block_structured(config, trace_logits, params, xa, xb):
    fa = _mlp_features(config, params, xa)
    fb = fa if xb is None else _mlp_features(config, params, xb)
    k = config.out_dim
    n1 = xa.shape[0]
    n2 = n1 if xb is None else xb.shape[0]
    acc = None  # accumulated in the (n1, k, n2, k) layout of the flattened kernel
    for (a1, mw, mb, d1), (a2, _, _, d2) in zip(fa, fb):
        gram = (mw * mw) * (a1 @ a2.T)
        if mb != 0.0:
            gram = gram + mb * mb
        if trace_logits:
            term = k * gram if d1 is None else gram * jnp.einsum("iau,jau->ij", d1, d2)
        elif d1 is None:  # readout: δ = identity over logits
            term = gram[:, None, :, None] * jnp.eye(k, dtype=gram.dtype)[None, :, None, :]
        else:  # one (n1·k, fan_out) x (fan_out, n2·k) matmul
            dgram = (d1.reshape(n1 * k, -1) @ d2.reshape(n2 * k, -1).T).reshape(n1, k, n2, k)
            term = gram[:, None, :, None] * dgram
        acc = term if acc is None else acc + term
    return acc if trace_logits else jnp.transpose(acc, (0, 2, 1, 3))


# ----------------------------------------------------------------------------------------
# batching and the public factory


def _blocks(n: int, batch_size: int | None) -> list[tuple[int, int]]:
    if batch_size is None or batch_size >= n:
        return [(0, n)]
    return [(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]


def _batched(block_fn, batch_size, params, x1, x2):
    r1 = _blocks(x1.shape[0], batch_size)
    if x2 is None:
        if len(r1) == 1:
            return block_fn(params, x1, None)
        rows = []
        cache: dict[tuple[int, int], jax.Array] = {}
        for i, (s1, e1) in enumerate(r1):
            row = []
            for j, (s2, e2) in enumerate(r1):
                if j < i:  # symmetric: Θ[J, I] = Θ[I, J] with logits swapped
                    blk = cache[(j, i)]
                    row.append(jnp.swapaxes(jnp.swapaxes(blk, 0, 1), 2, 3) if blk.ndim == 4 else blk.T)
                    continue
                blk = block_fn(params, x1[s1:e1], None if i == j else x1[s2:e2])
                cache[(i, j)] = blk
                row.append(blk)
            rows.append(jnp.concatenate(row, axis=1))
        return jnp.concatenate(rows, axis=0)
    r2 = _blocks(x2.shape[0], batch_size)
    rows = [
        jnp.concatenate([block_fn(params, x1[s1:e1], x2[s2:e2]) for s2, e2 in r2], axis=1)
        for s1, e1 in r1
    ]
    return jnp.concatenate(rows, axis=0)


def structured_model_of(model: Any) -> Any:
    """The model object behind ``model`` if it has a ``structured_ntk`` method, else None.

    Args:
        model: a model object, or the bound ``apply`` method of one.

    Returns:
        The object providing ``structured_ntk``, or None.
    """
    owner = getattr(model, "__self__", model)
    return owner if callable(getattr(owner, "structured_ntk", None)) else None


def _resolve_implementation(model: Model, implementation) -> tuple[NTKImplementation, MLPConfig | None]:
    config = mlp_config_of(model)
    if implementation is None:
        if config is not None:
            impl = NTKImplementation.STRUCTURED_MLP
        elif structured_model_of(model) is not None:
            impl = NTKImplementation.STRUCTURED_MODEL
        else:
            impl = NTKImplementation.JACOBIAN_CONTRACTION
    else:
        try:
            impl = NTKImplementation(implementation) if not isinstance(implementation, str) else NTKImplementation[implementation.upper()]
        except (ValueError, KeyError):
            raise ValueError(
                f"unknown NTK implementation {implementation!r}; valid: {[m.name for m in NTKImplementation]}"
            ) from None
    if impl is NTKImplementation.STRUCTURED_MODEL and structured_model_of(model) is None:
        raise ValueError("STRUCTURED_MODEL needs a model with a structured_ntk method (or its bound apply)")
    if impl is NTKImplementation.STRUCTURED_MLP and config is None:
        raise ValueError(
            "STRUCTURED_MLP needs one of this package's MLPs: pass the MLPConfig (or "
            "functools.partial(mlp_apply, config)) as apply_fn"
        )
    return impl, config


def model_output_dim(apply_fn: Model, params: Any, x: jax.Array) -> int:
    """The number of outputs k per sample of ``apply_fn(params, x)``, checked abstractly.

    Every implementation of :func:`empirical_ntk_fn` passes through this check (at trace
    time, once per input shape; it costs one abstract evaluation, no FLOPs). A model may
    return (n, k), or (n,) for one scalar output per sample, which counts as k = 1.

    Args:
        apply_fn: ``apply_fn(params, x)`` or an :class:`~ntk_scaling.nets.mlp.MLPConfig`.
        params: the model's parameters (a pytree of arrays or tracers).
        x: inputs of shape (n, ...).

    Returns:
        k ≥ 1.

    Raises:
        ValueError: the output is not a single array of shape (n, k) or (n,) for the n
            inputs given (a scalar, a pytree, extra axes, or a leading axis other than n,
            e.g. a model that averages over the batch or returns (k, n)).
    """
    fn = _as_apply_fn(apply_fn)
    abstract = jax.tree.map(lambda a: jax.ShapeDtypeStruct(jnp.shape(a), jnp.result_type(a)), (params, x))
    out = jax.eval_shape(fn, *abstract)
    n = x.shape[0]
    if not isinstance(out, jax.ShapeDtypeStruct):
        raise ValueError(
            f"empirical NTK: apply_fn must return one array of shape (n, k) or (n,), got a "
            f"{type(out).__name__} of shapes {jax.tree.map(lambda o: tuple(o.shape), out)}"
        )
    shape = tuple(out.shape)
    if len(shape) == 1 and shape[0] == n:
        return 1
    if len(shape) == 2 and shape[0] == n and shape[1] >= 1:
        return int(shape[1])
    raise ValueError(
        f"empirical NTK: apply_fn must return shape (n, k) (or (n,) for one output per sample) "
        f"with n = {n} inputs, got {shape}"
    )


def _with_output_axis(apply_fn: ApplyFn, k: int) -> ApplyFn:
    """``apply_fn`` with its output reshaped to (n, k): a (n,) output becomes (n, 1)."""

    def fn(params, x):
        return apply_fn(params, x).reshape(x.shape[0], k)

    return fn


def _block_fn(impl: NTKImplementation, key_model, trace_logits: bool, k: int):
    """The block kernel ``(params, xa, xb or None) -> Θ block`` of one implementation."""
    if impl is NTKImplementation.STRUCTURED_MLP:
        return functools.partial(_block_structured, key_model, trace_logits)
    if impl is NTKImplementation.STRUCTURED_MODEL:
        owner = structured_model_of(key_model)
        return lambda params, xa, xb: owner.structured_ntk(params, xa, xb, trace_logits=trace_logits)
    apply_fn = _with_output_axis(_as_apply_fn(key_model), k)
    inner = {
        NTKImplementation.JACOBIAN_CONTRACTION: _block_jacobian_contraction,
        NTKImplementation.PER_SAMPLE_JACOBIAN: _block_per_sample,
        NTKImplementation.NTK_VECTOR_PRODUCTS: _block_vector_products,
    }[impl]
    return functools.partial(inner, apply_fn, trace_logits)


def _check_kernel(theta, n1: int, n2: int, k: int, trace_logits: bool, impl: NTKImplementation) -> None:
    expected = (n1, n2) if trace_logits else (n1, n2, k, k)
    if tuple(theta.shape) != expected:  # an implementation bug, never the user's input
        raise AssertionError(f"{impl.name} returned a kernel of shape {tuple(theta.shape)}, expected {expected}")


@functools.lru_cache(maxsize=64)
def _compiled(key_model, impl: NTKImplementation, trace_logits: bool, batch_size, precision, ensemble: bool):
    def fn(params, x1, x2):
        # The one place every implementation passes through: the model's output is
        # checked here (at trace time) and the kernel's shape after.
        k = model_output_dim(key_model, params, x1)
        if x2 is not None and model_output_dim(key_model, params, x2) != k:
            raise ValueError("empirical NTK: apply_fn returns different numbers of outputs on x1 and x2")
        block_fn = _block_fn(impl, key_model, trace_logits, k)
        with jax.default_matmul_precision(precision) if precision else contextlib.nullcontext():
            theta = _batched(block_fn, batch_size, params, x1, x2)
        _check_kernel(theta, x1.shape[0], x1.shape[0] if x2 is None else x2.shape[0], k, trace_logits, impl)
        return theta

    if ensemble is True:
        return jax.jit(jax.vmap(fn, in_axes=(0, None, None)))
    if ensemble:  # an int: lax.map over chunks of that many vmapped members (bounded memory)
        return jax.jit(lambda p, a, b: jax.lax.map(lambda q: fn(q, a, b), p, batch_size=ensemble))
    return jax.jit(fn)


def empirical_ntk_fn(
    apply_fn: Model,
    *,
    implementation: NTKImplementation | str | int | None = None,
    trace_logits: bool = False,
    batch_size: int | None = None,
    precision: str | None = None,
    ensemble: bool | int = False,
) -> Callable[[Any, jax.Array, jax.Array | None], jax.Array]:
    """A jitted ``ntk(params, x1, x2=None)`` giving the empirical NTK Θ(x1, x2).

    Θ has shape (n1, n2, k, k), or (n1, n2) with ``trace_logits`` (Σ_a Θ_aa); ``x2=None``
    means x2 = x1 (and reuses the work). Compiled functions are cached per configuration.
    Costs of the implementations: see the module docstring.

    Args:
        apply_fn: ``apply_fn(params, x)`` returning shape (n, k) or (n,), or an
            :class:`~ntk_scaling.nets.mlp.MLPConfig`.
        implementation: an :class:`NTKImplementation` (or its name or value); None picks
            ``STRUCTURED_MLP`` for this package's MLPs, else ``JACOBIAN_CONTRACTION``.
        trace_logits: sum over the logit pair instead of returning the full kernel.
        batch_size: the largest block of samples computed at once (memory bound), or None.
        precision: matmul precision while tracing (e.g. ``"highest"``: no TF32 on GPUs).
        ensemble: True maps over a leading axis of ``params`` (e.g. 20 seeds from
            :func:`~ntk_scaling.nets.mlp.init_mlp_ensemble`) with ``jax.vmap``; an integer
            m runs ``jax.lax.map`` over chunks of m vmapped members (memory of m networks).

    Returns:
        ``ntk(params, x1, x2=None)``; with an ensemble, Θ gains a leading axis E.
        Calling it raises ``ValueError`` for inputs without a sample axis, mismatched
        feature shapes, or a model output other than (n, k) or (n,).

    Raises:
        ValueError: a bad ``ensemble``, ``batch_size`` or implementation name, or
            ``STRUCTURED_MLP`` for a model that is not one of this package's MLPs.
        TypeError: ``apply_fn`` is not callable, or ``trace_logits`` is not a bool.
    """
    if not (isinstance(ensemble, bool) or (isinstance(ensemble, int) and ensemble >= 1)):
        raise ValueError(f"ensemble must be a bool or a positive integer chunk size, got {ensemble!r}")
    impl, config = _resolve_implementation(apply_fn, implementation)
    if not isinstance(trace_logits, bool):
        raise TypeError(f"trace_logits must be a bool, got {trace_logits!r}")
    if batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1):
        raise ValueError(f"batch_size must be None or a positive integer, got {batch_size!r}")
    if config is None:
        _as_apply_fn(apply_fn)  # raises TypeError now rather than at the first call
    key_model = config if config is not None else apply_fn
    compiled = _compiled(key_model, impl, trace_logits, batch_size, precision, ensemble)

    def ntk(params, x1, x2=None):
        x1 = _check_inputs(x1, "x1")
        if x2 is not None:
            x2 = _check_inputs(x2, "x2")
            if x2.shape[1:] != x1.shape[1:]:
                raise ValueError(f"x1 and x2 differ in feature shape: {x1.shape[1:]} vs {x2.shape[1:]}")
        return compiled(params, x1, x2)

    return ntk


def _check_inputs(x, name: str) -> jax.Array:
    x = jnp.asarray(x)
    if x.ndim < 2 or x.shape[0] < 1:
        raise ValueError(f"{name} must have a leading sample axis, shape (n, ...), got {tuple(x.shape)}")
    return x


def empirical_ntk(
    apply_fn: Model,
    params,
    x1: jax.Array,
    x2: jax.Array | None = None,
    *,
    implementation: NTKImplementation | str | int | None = None,
    trace_logits: bool = False,
    batch_size: int | None = None,
    precision: str | None = None,
) -> jax.Array:
    """Θ(x1, x2) = J(x1) J(x2)ᵀ of shape (n1, n2, k, k) (or (n1, n2) with ``trace_logits``).

    One-shot form of :func:`empirical_ntk_fn`; see the module docstring for the
    implementations and their cost (appendix eq-a-metrics-entk).

    Args:
        apply_fn: ``apply_fn(params, x)`` returning (n, k) or (n,), or an MLPConfig.
        params: the model's parameters.
        x1: inputs of shape (n1, ...).
        x2: inputs of shape (n2, ...) with x1's feature shape, or None for x1.
        implementation: see :func:`empirical_ntk_fn`.
        trace_logits: sum over the logit pair.
        batch_size: the largest block of samples computed at once, or None.
        precision: matmul precision while tracing.

    Returns:
        Θ of shape (n1, n2, k, k) or (n1, n2), in output² per parameter² units; a
        scalar output per sample gives k = 1.

    Raises:
        ValueError: bad arguments (see :func:`empirical_ntk_fn`), inputs without a sample
            axis, or a model output other than (n, k) or (n,).
        TypeError: ``apply_fn`` is not callable.
    """
    fn = empirical_ntk_fn(
        apply_fn, implementation=implementation, trace_logits=trace_logits, batch_size=batch_size, precision=precision
    )
    return fn(params, x1, x2)


def empirical_ntk_ensemble(
    apply_fn: Model,
    params_stacked,
    x1: jax.Array,
    x2: jax.Array | None = None,
    *,
    implementation: NTKImplementation | str | int | None = None,
    trace_logits: bool = False,
    batch_size: int | None = None,
    precision: str | None = None,
    ensemble_batch: int | None = None,
) -> jax.Array:
    """Θ for every member of an ensemble (params with a leading axis E) in one vmapped call.

    Equal to looping :func:`empirical_ntk` over the members.

    Args:
        apply_fn: ``apply_fn(params, x)`` returning (n, k) or (n,), or an MLPConfig.
        params_stacked: parameters whose leaves have a leading axis E.
        x1: inputs of shape (n1, ...).
        x2: inputs of shape (n2, ...), or None for x1.
        implementation: see :func:`empirical_ntk_fn`.
        trace_logits: sum over the logit pair.
        batch_size: the largest block of samples computed at once, or None.
        precision: matmul precision while tracing.
        ensemble_batch: vmap this many members at a time inside one compiled ``lax.map``
            (for memory; e.g. 20 seeds of a width-16384 MLP on one GPU), or None for all.

    Returns:
        Shape (E, n1, n2, k, k), or (E, n1, n2) with ``trace_logits``.

    Raises:
        ValueError: bad arguments, inputs or model output (see :func:`empirical_ntk`).
    """
    fn = empirical_ntk_fn(
        apply_fn,
        implementation=implementation,
        trace_logits=trace_logits,
        batch_size=batch_size,
        precision=precision,
        ensemble=True if ensemble_batch is None else ensemble_batch,
    )
    return fn(params_stacked, x1, x2)


def structured_ntk_flops(config: MLPConfig, n1: int, n2: int | None = None, *, trace_logits: bool = False) -> int:
    """FLOPs (multiply + add = 2) of the ``STRUCTURED_MLP`` algorithm, unbatched.

    Forward pass(es), the k-fold backward pass through hidden→hidden layers, and the
    per-layer Gram products; elementwise work is not counted.

    Args:
        config: an :class:`~ntk_scaling.nets.mlp.MLPConfig`.
        n1: samples in x1.
        n2: samples in x2, or None when x2 = x1 (features computed once).
        trace_logits: count the traced kernel's cheaper Gram products.

    Returns:
        The FLOP count.

    Raises:
        ValueError: an invalid config.
    """
    validate_config(config)
    dims = layer_dims(config)
    k = config.out_dim
    sets = [n1] if n2 is None else [n1, n2]
    n2_ = n1 if n2 is None else n2
    fwd = sum(2 * n * fi * fo for n in sets for fi, fo in dims)
    # δ_{l-1} = δ_l W_lᵀ for l = 2..L (W_l hidden→hidden; the readout's δ is elementwise)
    bwd = sum(2 * n * k * fi * fo for n in sets for fi, fo in dims[1:-1])
    kk = k if trace_logits else k * k
    gram = 0
    for index, (fi, fo) in enumerate(dims):
        gram += 2 * n1 * n2_ * fi
        if index < len(dims) - 1:
            gram += 2 * n1 * n2_ * kk * fo
    return int(fwd + bwd + gram)


def n_ntk_entries(n1: int, n2: int, k: int) -> int:
    """Number of entries of the full kernel, n1·n2·k² (for memory planning: ×4 bytes in float32).

    Args:
        n1: samples in x1.
        n2: samples in x2.
        k: outputs per sample.

    Returns:
        n1·n2·k².
    """
    return int(n1) * int(n2) * int(k) ** 2


__all__ = [
    "NTKImplementation",
    "empirical_ntk",
    "empirical_ntk_fn",
    "empirical_ntk_ensemble",
    "flatten_ntk",
    "mlp_config_of",
    "model_output_dim",
    "structured_model_of",
    "structured_ntk_flops",
    "n_ntk_entries",
]
