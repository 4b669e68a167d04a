"""Tests of the MLPs of [A] (ntk_scaling.models)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ntk_scaling.nets.mlp import (
    PARAMETERISATIONS,
    MLPConfig,
    bias_std,
    init_mlp,
    init_mlp_ensemble,
    layer_scales,
    mlp_apply,
    mlp_forward,
    mup_lr_multipliers,
    n_params,
    validate_config,
)


def test_shapes_and_param_count():
    cfg = MLPConfig(in_dim=7, width=11, depth=3, out_dim=4)
    params = init_mlp(jax.random.key(0), cfg)
    assert [p["w"].shape for p in params] == [(7, 11), (11, 11), (11, 11), (11, 4)]
    assert [p["b"].shape for p in params] == [(11,), (11,), (11,), (4,)]
    assert n_params(cfg) == sum(p["w"].size + p["b"].size for p in params)
    y = mlp_apply(cfg, params, jnp.ones((5, 7)))
    assert y.shape == (5, 4) and y.dtype == jnp.float32
    nob = init_mlp(jax.random.key(0), cfg._replace(bias=False))
    assert all("b" not in p for p in nob)
    assert n_params(cfg._replace(bias=False)) == 7 * 11 + 2 * 11 * 11 + 11 * 4


def test_lecun_standard_init_statistics():
    cfg = MLPConfig(in_dim=400, width=600, depth=1, out_dim=10)
    params = init_mlp(jax.random.key(1), cfg)
    # w ~ N(0, 1/fan_in): the sample std of 240k entries is within 1% of 1/sqrt(400)
    assert float(jnp.std(params[0]["w"])) == pytest.approx(1 / np.sqrt(400), rel=0.01)
    assert float(jnp.std(params[1]["w"])) == pytest.approx(1 / np.sqrt(600), rel=0.03)
    assert float(jnp.max(jnp.abs(params[0]["b"]))) == 0.0  # LeCun: zero biases
    ntk = init_mlp(jax.random.key(1), cfg._replace(parameterisation="ntk"))
    assert float(jnp.std(ntk[0]["w"])) == pytest.approx(1.0, rel=0.01)
    assert float(jnp.std(ntk[0]["b"])) == pytest.approx(1.0, rel=0.2)  # ntk default b_std = 1


def test_standard_and_ntk_parameterisations_are_the_same_function_family():
    """W_std = W_ntk σ_w/√fan_in and b_std = σ_b b_ntk give identical outputs."""
    cfg_ntk = MLPConfig(in_dim=5, width=9, depth=2, out_dim=3, parameterisation="ntk", w_std=1.3, b_std=0.4)
    cfg_std = cfg_ntk._replace(parameterisation="standard")
    p_ntk = init_mlp(jax.random.key(2), cfg_ntk)
    p_std = [
        {"w": layer["w"] * 1.3 / np.sqrt(layer["w"].shape[0]), "b": 0.4 * layer["b"]} for layer in p_ntk
    ]
    x = jax.random.normal(jax.random.key(3), (6, 5))
    np.testing.assert_allclose(mlp_apply(cfg_ntk, p_ntk, x), mlp_apply(cfg_std, p_std, x), rtol=1e-5, atol=1e-6)


def test_mup_readout_multiplier_is_one_over_width():
    """μP readout: f = (σ_w/width) a_L W + b with O(1) entries of W (module docstring)."""
    x = jax.random.normal(jax.random.key(4), (6, 8))
    for width in (16, 64):
        cfg = MLPConfig(in_dim=8, width=width, depth=2, out_dim=3, parameterisation="mup", w_std=1.5, b_std=0.2)
        params = init_mlp(jax.random.key(width), cfg)
        out, acts, _ = mlp_forward(cfg, params, x)
        expected = (1.5 / width) * acts[-1] @ params[-1]["w"] + params[-1]["b"]
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
        assert float(jnp.std(params[-1]["w"])) == pytest.approx(1.0, rel=0.35)  # O(1) entries
        assert float(jnp.std(params[1]["w"])) == pytest.approx(1.5 / np.sqrt(width), rel=0.35)  # hidden: as standard


def test_forward_returns_layer_inputs_and_preactivations():
    cfg = MLPConfig(in_dim=3, width=4, depth=2, out_dim=2)
    params = init_mlp(jax.random.key(5), cfg)
    x = jax.random.normal(jax.random.key(6), (5, 3))
    out, acts, pre = mlp_forward(cfg, params, x)
    assert len(acts) == len(pre) == 3
    np.testing.assert_allclose(acts[1], jax.nn.relu(pre[0]))
    np.testing.assert_allclose(out, pre[-1])
    np.testing.assert_allclose(out, jax.jit(functools.partial(mlp_apply, cfg))(params, x), rtol=1e-6)


def test_ensemble_init_matches_individual_keys():
    cfg = MLPConfig(in_dim=3, width=4, depth=1, out_dim=2, parameterisation="ntk")
    ens = init_mlp_ensemble(jax.random.key(7), cfg, 5)
    assert ens[0]["w"].shape == (5, 3, 4)
    keys = jax.random.split(jax.random.key(7), 5)
    one = init_mlp(keys[3], cfg)
    np.testing.assert_allclose(ens[1]["b"][3], one[1]["b"])


def test_layer_scales_table():
    sc = layer_scales(MLPConfig(in_dim=4, width=16, depth=1, out_dim=2, parameterisation="mup", w_std=2.0))
    assert sc[0].init_w == pytest.approx(1.0) and sc[0].mult_w == 1.0
    assert sc[1].init_w == 1.0 and sc[1].mult_w == pytest.approx(2.0 / 16)
    sc = layer_scales(MLPConfig(in_dim=4, width=16, depth=1, parameterisation="ntk"))
    assert sc[1].mult_w == pytest.approx(0.25) and sc[1].mult_b == 1.0
    assert bias_std(MLPConfig(1, 1, 1)) == 0.0 and bias_std(MLPConfig(1, 1, 1, parameterisation="ntk")) == 1.0
    lr = mup_lr_multipliers(MLPConfig(in_dim=4, width=64, depth=2, parameterisation="mup"), base_width=16)
    assert [f["w"] for f in lr] == [1.0, 0.25, 1.0]


@pytest.mark.parametrize(
    "bad, match",
    [
        (MLPConfig(3, 4, 1, parameterisation="sp"), "valid names are 'standard', 'ntk', 'mup'"),
        (MLPConfig(3, 0, 1), "width"),
        (MLPConfig(3, 4, -1), "depth"),
        (MLPConfig(3, 4, 1, out_dim=2.0), "out_dim"),
        (MLPConfig(3, 4, 1, w_std=-1.0), "w_std"),
        (MLPConfig(3, 4, 1, b_std=float("nan")), "b_std"),
    ],
)
def test_bad_configs_raise(bad, match):
    with pytest.raises(ValueError, match=match):
        validate_config(bad)
    with pytest.raises(ValueError, match=match):
        init_mlp(jax.random.key(0), bad)


def test_bad_inputs_raise():
    cfg = MLPConfig(in_dim=3, width=4, depth=1)
    params = init_mlp(jax.random.key(0), cfg)
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        mlp_apply(cfg, params, jnp.ones((5, 4)))
    with pytest.raises(ValueError, match="expected"):
        mlp_apply(cfg._replace(width=5), params, jnp.ones((5, 3)))
    with pytest.raises(ValueError, match="list of 2"):
        mlp_apply(cfg, params[:1], jnp.ones((5, 3)))
    with pytest.raises(ValueError, match="mup"):
        mup_lr_multipliers(cfg, 4)
    assert set(PARAMETERISATIONS) == {"standard", "ntk", "mup"}
