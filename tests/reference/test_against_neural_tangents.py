"""Cross-check of our empirical and infinite-width NTKs against neural-tangents 0.6.5.

Runs ONLY in the pinned reference environment (``bash scripts/reference_env.sh test``):
our kernels come from ``make_fixtures.py`` run in the main environment (path in
``NTK_REFERENCE_FIXTURES``, or generated here with the main env's python,
``NTK_MAIN_PYTHON`` defaulting to ``.venv/bin/python``); the same networks are rebuilt
with ``neural_tangents.stax`` from the stored parameters and every ``nt.NtkImplementation``
is compared with every one of ours, in float64.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import jax

jax.config.update("jax_enable_x64", True)  # reference-env test process only

import jax.numpy as jnp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nt_import import import_neural_tangents  # noqa: E402

nt = import_neural_tangents()
stax = nt.stax

pytestmark = pytest.mark.reference

REPO = Path(__file__).resolve().parents[2]
OUR_IMPLS = ("JACOBIAN_CONTRACTION", "NTK_VECTOR_PRODUCTS", "STRUCTURED_MLP", "PER_SAMPLE_JACOBIAN")  # MLP cases
RTOL_EMPIRICAL = 1e-5  # the bound; float64 agreement is in fact ~1e-13


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    path = os.environ.get("NTK_REFERENCE_FIXTURES")
    if not path:
        main_python = os.environ.get("NTK_MAIN_PYTHON", str(REPO / ".venv" / "bin" / "python"))
        path = str(tmp_path_factory.mktemp("ref") / "ours.npz")
        subprocess.run([main_python, str(REPO / "tests" / "reference" / "make_fixtures.py"), path], check=True)
    data = np.load(path)
    return {k: data[k] for k in data.files}


def _cases(fx):
    return json.loads(str(fx["meta_json"]))


def _nt_model(meta):
    cfg = meta["config"]
    p, sw, sb = cfg["parameterisation"], cfg["w_std"], meta["b_std_effective"]
    dims = [cfg["in_dim"]] + [cfg["width"]] * cfg["depth"] + [cfg["out_dim"]]
    layers = []
    for j, (fi, fo) in enumerate(zip(dims[:-1], dims[1:])):
        readout = j == len(dims) - 2
        if p == "ntk":
            layers.append(stax.Dense(fo, W_std=sw, b_std=sb if cfg["bias"] else None, parameterization="ntk"))
        elif p == "mup" and readout:  # our μP readout: h = (σ_w/n) a W + b  ==  nt "ntk" with W_std = σ_w/√n
            layers.append(stax.Dense(fo, W_std=sw / np.sqrt(fi), b_std=1.0 if cfg["bias"] else None, parameterization="ntk"))
        else:
            layers.append(stax.Dense(fo, W_std=sw, b_std=sb if cfg["bias"] else None, parameterization="standard"))
        if not readout:
            layers.append(stax.Relu())
    return stax.serial(*layers)


def _nt_params(fx, meta):
    name, out = meta["name"], []
    for j in range(meta["n_layers"]):
        w = jnp.asarray(fx[f"{name}/p{j}_w"])
        b = jnp.asarray(fx[f"{name}/p{j}_b"]) if f"{name}/p{j}_b" in fx else None
        out.append((w, b))
        if j < meta["n_layers"] - 1:
            out.append(())
    return out


def _rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(np.asarray(b))))


def test_fixture_made_with_modern_jax(fixtures):
    major_minor = tuple(int(v) for v in str(fixtures["jax_version"]).split(".")[:2])
    assert major_minor >= (0, 6), "our kernels must come from the main environment"
    assert jax.__version__ == "0.4.25"
    assert len(_cases(fixtures)) >= 5


def test_forward_pass_identical(fixtures):
    """Sanity: nt's stax network with our parameters is the same function (else the NTK check is void)."""
    for meta in _cases(fixtures):
        _, apply_fn, _ = _nt_model(meta)
        params = _nt_params(fixtures, meta)
        x1 = jnp.asarray(fixtures[f"{meta['name']}/x1"])
        out = apply_fn(params, x1)
        assert out.shape == (x1.shape[0], meta["config"]["out_dim"])
        assert out.dtype == jnp.float64


@pytest.mark.parametrize("nt_impl", list(nt.NtkImplementation), ids=lambda i: i.name)
def test_empirical_ntk_matches_every_nt_implementation(fixtures, nt_impl):
    for meta in _cases(fixtures):
        name = meta["name"]
        _, apply_fn, _ = _nt_model(meta)
        params = _nt_params(fixtures, meta)
        x1, x2 = jnp.asarray(fixtures[f"{name}/x1"]), jnp.asarray(fixtures[f"{name}/x2"])
        fn = nt.empirical_ntk_fn(apply_fn, trace_axes=(), vmap_axes=0, implementation=nt_impl)
        theirs_sym = np.asarray(fn(x1, None, params))
        theirs_cross = np.asarray(fn(x1, x2, params))
        assert theirs_cross.shape == (x1.shape[0], x2.shape[0], meta["config"]["out_dim"], meta["config"]["out_dim"])
        for ours in OUR_IMPLS:
            err_s = _rel(fixtures[f"{name}/ntk_{ours}_sym"], theirs_sym)
            err_c = _rel(fixtures[f"{name}/ntk_{ours}_cross"], theirs_cross)
            assert err_s < RTOL_EMPIRICAL, f"{name}: ours {ours} vs nt {nt_impl.name} (x1, x1): rel err {err_s:.2e}"
            assert err_c < RTOL_EMPIRICAL, f"{name}: ours {ours} vs nt {nt_impl.name} (x1, x2): rel err {err_c:.2e}"
        assert _rel(fixtures[f"{name}/ntk_default_batched"], theirs_cross) < RTOL_EMPIRICAL


def test_infinite_width_kernels_match_stax(fixtures):
    checked = 0
    for meta in _cases(fixtures):
        name = meta["name"]
        if f"{name}/inf_ntk" not in fixtures:
            continue
        _, _, kernel_fn = _nt_model(meta)
        x1, x2 = jnp.asarray(fixtures[f"{name}/x1"]), jnp.asarray(fixtures[f"{name}/x2"])
        k = kernel_fn(x1, x2, ("nngp", "ntk"))
        assert _rel(fixtures[f"{name}/inf_nngp"], k.nngp) < 1e-10, f"{name}: NNGP differs from nt.stax"
        assert _rel(fixtures[f"{name}/inf_ntk"], k.ntk) < 1e-10, f"{name}: NTK differs from nt.stax"
        checked += 1
    assert checked >= 4


def _nt_cnn(meta):
    """The μP CNN in stax: nt's "ntk" parameterisation multiplies by W_std/√fan_in (fan_in = 9·C_in
    for a 3×3 convolution), so W_std = 3 gives our 1/√C_in; biases carry our multipliers as b_std."""
    n, (h, w, c), k = meta["width"], meta["image_shape"], meta["out_dim"]
    h2, w2 = (h - 2) // 2 - 2, (w - 2) // 2 - 2
    flat = (h2 // 2) * (w2 // 2) * 2 * n
    pool = stax.AvgPool((2, 2), strides=(2, 2), padding="VALID")
    return stax.serial(
        stax.Conv(n, (3, 3), padding="VALID", W_std=3.0, b_std=1 / np.sqrt(c), parameterization="ntk"), stax.Relu(), pool,
        stax.Conv(2 * n, (3, 3), padding="VALID", W_std=3.0, b_std=1 / np.sqrt(n), parameterization="ntk"), stax.Relu(), pool,
        stax.Flatten(),
        stax.Dense(8 * n, W_std=1.0, b_std=1 / np.sqrt(flat), parameterization="ntk"), stax.Relu(),
        stax.Dense(k, W_std=1 / np.sqrt(8 * n), b_std=1 / (8 * n), parameterization="ntk"),
    )


def _nt_cnn_params(fx):
    def layer(name, conv):
        w, b = jnp.asarray(fx[f"cnn/{name}_w"]), jnp.asarray(fx[f"cnn/{name}_b"])
        return (w, b.reshape((1, 1, 1, -1) if conv else (1, -1)))

    return [layer("conv1", True), (), (), layer("conv2", True), (), (), (), layer("dense", False), (), layer("readout", False)]


def test_cnn_forward_pass_identical(fixtures):
    """Sanity for the CNN: same function in stax (else the eNTK check is void)."""
    meta = json.loads(str(fixtures["cnn/meta_json"]))
    _, apply_fn, _ = _nt_cnn(meta)
    out = apply_fn(_nt_cnn_params(fixtures), jnp.asarray(fixtures["cnn/x1"]))
    assert _rel(out, fixtures["cnn/f1"]) < 1e-12


@pytest.mark.parametrize("nt_impl", list(nt.NtkImplementation), ids=lambda i: i.name)
def test_cnn_empirical_ntk_matches_every_nt_implementation(fixtures, nt_impl):
    meta = json.loads(str(fixtures["cnn/meta_json"]))
    _, apply_fn, _ = _nt_cnn(meta)
    params = _nt_cnn_params(fixtures)
    x1, x2 = jnp.asarray(fixtures["cnn/x1"]), jnp.asarray(fixtures["cnn/x2"])
    fn = nt.empirical_ntk_fn(apply_fn, trace_axes=(), vmap_axes=0, implementation=nt_impl)
    theirs_sym, theirs_cross = np.asarray(fn(x1, None, params)), np.asarray(fn(x1, x2, params))
    for ours in meta["impls"]:
        err_s = _rel(fixtures[f"cnn/ntk_{ours}_sym"], theirs_sym)
        err_c = _rel(fixtures[f"cnn/ntk_{ours}_cross"], theirs_cross)
        assert err_s < RTOL_EMPIRICAL, f"CNN: ours {ours} vs nt {nt_impl.name} (x1, x1): rel err {err_s:.2e}"
        assert err_c < RTOL_EMPIRICAL, f"CNN: ours {ours} vs nt {nt_impl.name} (x1, x2): rel err {err_c:.2e}"


def test_tensorflow_not_loaded():
    assert "tensorflow" not in sys.modules
