"""Tests of the empirical NTK (ntk_scaling.ntk) and the infinite-width kernels."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree

from ntk_scaling.kernels.infinite_width import infinite_width_kernels, infinite_width_ntk, relu_arccos
from ntk_scaling.nets.mlp import MLPConfig, init_mlp, init_mlp_ensemble, mlp_apply
from ntk_scaling.kernels.empirical import (
    NTKImplementation,
    empirical_ntk,
    empirical_ntk_ensemble,
    empirical_ntk_fn,
    flatten_ntk,
    mlp_config_of,
    structured_ntk_flops,
)

#: implementations that apply to this package's MLPs (STRUCTURED_MODEL needs a model with structured_ntk)
IMPLS = [i for i in NTKImplementation if i is not NTKImplementation.STRUCTURED_MODEL]


def _x64():
    """float64 for one test only (JAX 0.10 has jax.enable_x64; older: jax.experimental)."""
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64  # pragma: no cover

    return enable_x64()


def _rel(a, b):
    return float(jnp.max(jnp.abs(a - b)) / jnp.max(jnp.abs(b)))


def _setup(parameterisation="standard", depth=2, n1=5, n2=4, b_std=0.3, seed=0, dtype=jnp.float32):
    cfg = MLPConfig(in_dim=4, width=8, depth=depth, out_dim=3, parameterisation=parameterisation, b_std=b_std)
    k = jax.random.split(jax.random.key(seed), 4)
    params = init_mlp(k[0], cfg, dtype)
    # non-zero biases so that a wrong bias multiplier cannot hide behind b = 0
    params = [{**p, "b": p["b"] + 0.1 * jax.random.normal(jax.random.fold_in(k[1], i), p["b"].shape, dtype)}
              for i, p in enumerate(params)]
    x1 = jax.random.normal(k[2], (n1, cfg.in_dim), dtype)
    x2 = jax.random.normal(k[3], (n2, cfg.in_dim), dtype)
    return cfg, params, x1, x2


def test_equals_jacobian_outer_product_and_finite_differences_float64():
    with _x64():
        cfg, params, x1, x2 = _setup(dtype=jnp.float64)
        flat, unravel = ravel_pytree(params)
        assert flat.dtype == jnp.float64

        def f(theta, x):
            return mlp_apply(cfg, unravel(theta), x).reshape(-1)  # (n·k,), index i·k + a

        j1 = jax.jacfwd(f)(flat, x1)  # (n1·k, P)
        j2 = jax.jacfwd(f)(flat, x2)
        expected = (j1 @ j2.T).reshape(x1.shape[0], 3, x2.shape[0], 3).transpose(0, 2, 1, 3)
        # central differences of the network output along every parameter direction
        eps = 1e-6
        eye = jnp.eye(flat.size, dtype=jnp.float64)
        fd1 = jax.vmap(lambda e: (f(flat + eps * e, x1) - f(flat - eps * e, x1)) / (2 * eps))(eye).T
        fd2 = jax.vmap(lambda e: (f(flat + eps * e, x2) - f(flat - eps * e, x2)) / (2 * eps))(eye).T
        fd = (fd1 @ fd2.T).reshape(x1.shape[0], 3, x2.shape[0], 3).transpose(0, 2, 1, 3)
        for impl in IMPLS:
            theta = empirical_ntk(cfg, params, x1, x2, implementation=impl)
            assert theta.dtype == jnp.float64
            assert _rel(theta, expected) < 1e-12, impl.name
            assert _rel(theta, fd) < 1e-6, impl.name


@pytest.mark.parametrize("parameterisation", ["standard", "ntk", "mup"])
def test_all_implementations_agree(parameterisation):
    cfg, params, x1, x2 = _setup(parameterisation, depth=3)
    ref = empirical_ntk(functools.partial(mlp_apply, cfg), params, x1, x2, implementation="jacobian_contraction")
    assert ref.shape == (5, 4, 3, 3)
    for impl in IMPLS[1:]:
        assert _rel(empirical_ntk(cfg, params, x1, x2, implementation=impl), ref) < 2e-5, impl.name
    ref_sym = empirical_ntk(cfg, params, x1, implementation=1)
    for impl in IMPLS[1:]:
        assert _rel(empirical_ntk(cfg, params, x1, implementation=impl), ref_sym) < 2e-5, impl.name


def test_depth_zero_and_no_bias():
    for cfg in (MLPConfig(4, 8, 0, out_dim=2), MLPConfig(4, 8, 2, out_dim=2, bias=False)):
        params = init_mlp(jax.random.key(1), cfg)
        x = jax.random.normal(jax.random.key(2), (3, 4))
        a = empirical_ntk(cfg, params, x, implementation="JACOBIAN_CONTRACTION")
        b = empirical_ntk(cfg, params, x)
        assert _rel(b, a) < 2e-5
    # depth 0, standard: Θ = (x·x' + 1) δ_ab exactly
    cfg = MLPConfig(4, 8, 0, out_dim=2)
    x = jax.random.normal(jax.random.key(2), (3, 4))
    th = empirical_ntk(cfg, init_mlp(jax.random.key(1), cfg), x)
    np.testing.assert_allclose(th, (x @ x.T + 1)[:, :, None, None] * jnp.eye(2), rtol=1e-5)


@pytest.mark.parametrize("impl", IMPLS, ids=lambda i: i.name)
def test_trace_logits_is_diagonal_sum(impl):
    cfg, params, x1, x2 = _setup("ntk")
    full = empirical_ntk(cfg, params, x1, x2, implementation=impl)
    tr = empirical_ntk(cfg, params, x1, x2, implementation=impl, trace_logits=True)
    assert tr.shape == (5, 4)
    np.testing.assert_allclose(tr, jnp.trace(full, axis1=2, axis2=3), rtol=1e-5, atol=1e-5)


def test_symmetric_and_positive_semidefinite():
    cfg, params, x1, _ = _setup("standard", n1=6)
    flat = np.asarray(flatten_ntk(empirical_ntk(cfg, params, x1)), dtype=np.float64)
    assert flat.shape == (18, 18)
    np.testing.assert_allclose(flat, flat.T, rtol=1e-5, atol=1e-5 * np.abs(flat).max())
    lam = np.linalg.eigvalsh(flat)
    assert lam.min() > -1e-5 * lam.max()
    assert lam.max() > 0


def test_flatten_ordering_matches_papyrus():
    theta = jnp.arange(2 * 3 * 4 * 4, dtype=jnp.float32).reshape(2, 3, 4, 4)
    flat = flatten_ntk(theta)
    assert flat.shape == (8, 12)
    for i, j, a, b in [(0, 0, 0, 0), (1, 2, 3, 1), (0, 1, 2, 3), (1, 0, 1, 2)]:
        assert flat[i * 4 + a, j * 4 + b] == theta[i, j, a, b]
    np.testing.assert_array_equal(flat, np.moveaxis(np.asarray(theta), [1, 2], [2, 1]).reshape(8, 12))
    with pytest.raises(ValueError, match="n1, n2, k, k"):
        flatten_ntk(jnp.zeros((2, 2, 3)))


@pytest.mark.parametrize("impl", [NTKImplementation.STRUCTURED_MLP, NTKImplementation.NTK_VECTOR_PRODUCTS])
def test_batching_gives_the_same_kernel(impl):
    cfg, params, x1, x2 = _setup("standard", n1=7, n2=5)
    whole = empirical_ntk(cfg, params, x1, x2, implementation=impl)
    np.testing.assert_allclose(
        empirical_ntk(cfg, params, x1, x2, implementation=impl, batch_size=3), whole, rtol=1e-5, atol=1e-6)
    whole_sym = empirical_ntk(cfg, params, x1, implementation=impl)
    np.testing.assert_allclose(
        empirical_ntk(cfg, params, x1, implementation=impl, batch_size=3), whole_sym, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        empirical_ntk(cfg, params, x1, implementation=impl, batch_size=2, trace_logits=True),
        jnp.trace(whole_sym, axis1=2, axis2=3), rtol=1e-5, atol=1e-5)


def test_ensemble_vmap_equals_loop():
    cfg = MLPConfig(in_dim=4, width=8, depth=2, out_dim=3)
    ens = init_mlp_ensemble(jax.random.key(3), cfg, 5)
    x = jax.random.normal(jax.random.key(4), (4, 4))
    batch = empirical_ntk_ensemble(cfg, ens, x)
    assert batch.shape == (5, 4, 4, 3, 3)
    for e in range(5):
        member = jax.tree.map(lambda v: v[e], ens)
        np.testing.assert_allclose(batch[e], empirical_ntk(cfg, member, x), rtol=1e-5, atol=1e-6)
    tr = empirical_ntk_ensemble(cfg, ens, x, batch_size=3, trace_logits=True)
    np.testing.assert_allclose(tr, jnp.trace(batch, axis1=3, axis2=4), rtol=1e-5, atol=1e-5)
    chunked = empirical_ntk_ensemble(cfg, ens, x, ensemble_batch=2)  # lax.map over chunks of 2
    np.testing.assert_allclose(chunked, batch, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="ensemble"):
        empirical_ntk_fn(cfg, ensemble=0)


def test_generic_model_defaults_to_jacobian_contraction():
    def apply_fn(params, x):  # a non-MLP pytree model
        return jnp.tanh(x @ params["a"]) @ params["b"] + params["c"]

    params = {"a": jax.random.normal(jax.random.key(5), (3, 6)), "b": jax.random.normal(jax.random.key(6), (6, 2)),
              "c": jnp.zeros(2)}
    x = jax.random.normal(jax.random.key(7), (4, 3))
    assert mlp_config_of(apply_fn) is None
    np.testing.assert_allclose(
        empirical_ntk(apply_fn, params, x), empirical_ntk(apply_fn, params, x, implementation=2), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="STRUCTURED_MLP needs"):
        empirical_ntk(apply_fn, params, x, implementation="structured_mlp")
    cfg = MLPConfig(3, 4, 1)
    assert mlp_config_of(functools.partial(mlp_apply, cfg)) == cfg
    assert mlp_config_of(cfg) == cfg


GENERIC_IMPLS = [NTKImplementation.JACOBIAN_CONTRACTION, NTKImplementation.NTK_VECTOR_PRODUCTS]


def _scalar_output_model():
    """f(x) = x·w + b with w of shape (2,) and b of shape (): one scalar output per sample."""
    params = {"w": jnp.array([0.3, -0.7]), "b": jnp.array(0.2)}
    x = jnp.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-2.0, 0.25]])
    return (lambda p, x: x @ p["w"] + p["b"]), params, x


@pytest.mark.parametrize("impl", GENERIC_IMPLS)
@pytest.mark.parametrize("batch_size", [None, 3])
def test_scalar_output_model_gives_the_linear_kernel(impl, batch_size):
    # Θ_ij = ∂f_i/∂w · ∂f_j/∂w + ∂f_i/∂b ∂f_j/∂b = x_i·x_j + 1, whatever w and b are;
    # a (n,) output counts as k = 1, never as k = len(w).
    f, params, x = _scalar_output_model()
    expected = np.asarray(x @ x.T + 1.0)
    full = empirical_ntk(f, params, x, implementation=impl, batch_size=batch_size)
    assert full.shape == (4, 4, 1, 1)
    np.testing.assert_allclose(full[:, :, 0, 0], expected, rtol=1e-6)
    traced = empirical_ntk(f, params, x, implementation=impl, trace_logits=True, batch_size=batch_size)
    assert traced.shape == (4, 4)
    np.testing.assert_allclose(traced, expected, rtol=1e-6)
    cross = empirical_ntk(f, params, x, x[:2], implementation=impl, batch_size=batch_size)
    assert cross.shape == (4, 2, 1, 1)
    np.testing.assert_allclose(cross[:, :, 0, 0], expected[:, :2], rtol=1e-6)
    stacked = jax.tree.map(lambda a: jnp.stack([a, 2 * a]), params)
    ens = empirical_ntk_ensemble(f, stacked, x, implementation=impl)
    assert ens.shape == (2, 4, 4, 1, 1)
    np.testing.assert_allclose(ens[1, :, :, 0, 0], expected, rtol=1e-6)  # linear: Θ does not depend on w


def test_n_by_one_output_equals_scalar_output():
    f, params, x = _scalar_output_model()
    column = empirical_ntk(lambda p, x: f(p, x)[:, None], params, x)
    np.testing.assert_allclose(column, empirical_ntk(f, params, x), rtol=1e-6)


@pytest.mark.parametrize("impl", GENERIC_IMPLS)
@pytest.mark.parametrize(
    "bad, match",
    [
        (lambda p, x: jnp.sum(x @ p["w"]), r"got \(\)"),  # a scalar
        (lambda p, x: (x @ p["w"])[:2], r"n = 4 inputs, got \(2,\)"),  # (n',) with n' != n
        (lambda p, x: jnp.stack([x @ p["w"]] * 3), r"got \(3, 4\)"),  # (k, n): transposed
        (lambda p, x: (x @ p["w"])[:2, None], r"got \(2, 1\)"),  # (n', k) with n' != n
        (lambda p, x: (x @ p["w"])[:, None, None], r"got \(4, 1, 1\)"),  # extra axes
        (lambda p, x: jnp.mean(x @ p["w"], keepdims=True)[None], r"got \(1, 1\)"),  # averaged over the batch
        (lambda p, x: (x @ p["w"], x @ p["w"]), "one array"),  # a pytree of outputs
    ],
)
def test_wrong_model_output_shapes_raise(impl, bad, match):
    _, params, x = _scalar_output_model()
    with pytest.raises(ValueError, match=match):
        empirical_ntk(bad, params, x, implementation=impl)
    with pytest.raises(ValueError, match=match):
        empirical_ntk(bad, params, x, implementation=impl, trace_logits=True)


def test_model_output_dim():
    from ntk_scaling.kernels.empirical import model_output_dim

    f, params, x = _scalar_output_model()
    assert model_output_dim(f, params, x) == 1
    cfg, mlp_params, x1, _ = _setup()
    assert model_output_dim(cfg, mlp_params, x1) == cfg.out_dim
    assert model_output_dim(functools.partial(mlp_apply, cfg), mlp_params, x1) == cfg.out_dim


def test_bad_arguments_raise():
    cfg, params, x1, x2 = _setup()
    with pytest.raises(ValueError, match="unknown NTK implementation"):
        empirical_ntk(cfg, params, x1, implementation="fastest")
    with pytest.raises(ValueError, match="batch_size"):
        empirical_ntk(cfg, params, x1, batch_size=0)
    with pytest.raises(ValueError, match="feature shape"):
        empirical_ntk(cfg, params, x1, jnp.ones((3, 5)))
    with pytest.raises(ValueError, match="leading sample axis"):
        empirical_ntk(cfg, params, jnp.ones(4))
    with pytest.raises(TypeError, match="callable"):
        empirical_ntk_fn(3.0)


def test_structured_flop_count():
    cfg = MLPConfig(in_dim=5, width=7, depth=2, out_dim=3)
    n = 4
    fwd = 2 * n * (5 * 7 + 7 * 7 + 7 * 3)
    bwd = 2 * n * 3 * 7 * 7
    gram = 2 * n * n * (5 + 7 + 7) + 2 * n * n * 9 * (7 + 7)
    assert structured_ntk_flops(cfg, n) == fwd + bwd + gram
    assert structured_ntk_flops(cfg, n, n) > structured_ntk_flops(cfg, n)


# ---------------------------------------------------------------------------------------
# analytic infinite-width kernels


def test_arccos_kernel_closed_forms():
    s = np.array([[2.0]])
    k1, k0 = relu_arccos(s, s, s)  # identical inputs: E[relu(u)^2] = s/2, E[1{u>0}] = 1/2
    assert k1[0, 0] == pytest.approx(1.0) and k0[0, 0] == pytest.approx(0.5)
    k1, k0 = relu_arccos(s, s, -s)  # opposite inputs
    assert k1[0, 0] == pytest.approx(0.0, abs=1e-12) and k0[0, 0] == pytest.approx(0.0, abs=1e-12)
    k1, k0 = relu_arccos(s, s, np.array([[0.0]]))  # orthogonal: s/(2π), 1/4
    assert k1[0, 0] == pytest.approx(2.0 / (2 * np.pi)) and k0[0, 0] == pytest.approx(0.25)


@pytest.mark.parametrize(
    "cfg",
    [
        MLPConfig(in_dim=5, width=2048, depth=2, out_dim=2, parameterisation="ntk", b_std=0.5),
        MLPConfig(in_dim=5, width=2048, depth=2, out_dim=2, parameterisation="standard", b_std=0.2),
    ],
    ids=["ntk", "standard"],
)
def test_infinite_width_matches_wide_network(cfg):
    """Monte Carlo: the mean eNTK of 3 networks of width 2048 is near the limit: within 5%
    (NTK param.) and 10% (standard param., whose eNTK fluctuates more: 24 seeds give 3%,
    3 seeds 7%). Exact agreement with nt.stax is checked in tests/reference."""
    tol = 0.05 if cfg.parameterisation == "ntk" else 0.10
    x = jax.random.normal(jax.random.key(8), (5, 5))
    thetas = [np.asarray(empirical_ntk(cfg, init_mlp(jax.random.key(s), cfg), x)) for s in range(3)]
    mc = np.mean(thetas, axis=0)
    limit = infinite_width_ntk(cfg, x, full=True)
    assert np.max(np.abs(mc - limit)) / np.max(np.abs(limit)) < tol
    # off-diagonal logit pairs vanish in the limit (independent readout columns)
    off = mc[:, :, 0, 1]
    assert np.max(np.abs(off)) < tol * np.max(np.abs(limit))


def test_infinite_width_standard_scales_with_width_ntk_does_not():
    x = np.asarray(jax.random.normal(jax.random.key(9), (4, 3)), dtype=np.float64)
    std = [infinite_width_ntk(MLPConfig(3, w, 2), x)[0, 0] for w in (1000, 2000, 4000)]
    assert std[1] / std[0] == pytest.approx(2.0, rel=0.01) and std[2] / std[1] == pytest.approx(2.0, rel=0.01)
    ntk = [infinite_width_ntk(MLPConfig(3, w, 2, parameterisation="ntk"), x) for w in (1000, 4000)]
    np.testing.assert_array_equal(ntk[0], ntk[1])
    k = infinite_width_kernels(MLPConfig(3, 10, 1, parameterisation="ntk", b_std=0.0), x)
    # one hidden layer, no bias: Σ_2(x, x) = |x|²/(2d) and Θ = Σ_2 + Σ_1 κ_0 = |x|²/d
    sq = np.sum(x * x, axis=1) / 3
    np.testing.assert_allclose(np.diag(k.nngp), sq / 2, rtol=1e-12)
    np.testing.assert_allclose(np.diag(k.ntk), sq, rtol=1e-12)
    with pytest.raises(ValueError, match="'ntk' or 'standard'"):
        infinite_width_kernels(MLPConfig(3, 10, 1, parameterisation="mup"), x)
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        infinite_width_kernels(MLPConfig(3, 10, 1), np.ones((2, 4)))
