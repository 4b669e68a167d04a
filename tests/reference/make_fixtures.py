"""Write our kernels for the neural-tangents cross-check to an .npz (run in the MAIN env).

    .venv/bin/python tests/reference/make_fixtures.py OUT.npz

Our library needs JAX >= 0.6 while neural-tangents 0.6.5 needs JAX 0.4.25, so the two
never share a process: this script (main env, float64 via x64 enabled for this process
only) stores the inputs, the parameters, our empirical NTK from every implementation and
our analytic infinite-width kernels; ``test_against_neural_tangents.py`` (reference env)
rebuilds the same networks with ``neural_tangents.stax`` from those parameters and
compares. Run by ``bash scripts/reference_env.sh test``.
"""

from __future__ import annotations

import json
import sys

import jax

jax.config.update("jax_enable_x64", True)  # this script's own process only

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from ntk_scaling.kernels.infinite_width import infinite_width_kernels  # noqa: E402
from ntk_scaling.nets.mlp import MLPConfig, bias_std, init_mlp  # noqa: E402
from ntk_scaling.kernels.empirical import NTKImplementation, empirical_ntk  # noqa: E402
from ntk_scaling.nets.cnn import MeanFieldCNN  # noqa: E402

#: the μP CNN of the vision chapters (group's multipliers), small: 14×14×2 images → 2×2×2N
CNN_CASE = MeanFieldCNN(width=3, image_shape=(14, 14, 2), out_dim=4)
#: our implementations that apply to the CNN (STRUCTURED_MLP is MLP-only)
CNN_IMPLS = ("JACOBIAN_CONTRACTION", "NTK_VECTOR_PRODUCTS", "PER_SAMPLE_JACOBIAN", "STRUCTURED_MODEL")


def cnn_fixtures(arrays: dict[str, np.ndarray]) -> None:
    """Store the CNN's inputs, parameters (biases perturbed), outputs and our eNTKs under ``cnn/``."""
    m = CNN_CASE
    k_p, k_x1, k_x2 = jax.random.split(jax.random.key(7), 3)
    params = m.init(k_p)
    params = {
        name: {"w": layer["w"].astype(jnp.float64),
               "b": 0.1 * jax.random.normal(jax.random.fold_in(k_p, j), layer["b"].shape, jnp.float64)}
        for j, (name, layer) in enumerate(params.items())
    }
    x1 = jax.random.normal(k_x1, (5, *m.image_shape), jnp.float64)
    x2 = jax.random.normal(k_x2, (3, *m.image_shape), jnp.float64)
    arrays["cnn/x1"], arrays["cnn/x2"] = np.asarray(x1), np.asarray(x2)
    arrays["cnn/f1"] = np.asarray(m.apply(params, x1))
    for name, layer in params.items():
        for key, v in layer.items():
            arrays[f"cnn/{name}_{key}"] = np.asarray(v)
    for impl in CNN_IMPLS:
        arrays[f"cnn/ntk_{impl}_sym"] = np.asarray(empirical_ntk(m.apply, params, x1, implementation=impl))
        arrays[f"cnn/ntk_{impl}_cross"] = np.asarray(empirical_ntk(m.apply, params, x1, x2, implementation=impl))
    arrays["cnn/meta_json"] = np.array(json.dumps({"width": m.width, "image_shape": list(m.image_shape),
                                                   "out_dim": m.out_dim, "impls": list(CNN_IMPLS)}))

# (name, config, n1, n2): several depths, all parameterisations, with and without bias
CASES = [
    ("std_d2", MLPConfig(in_dim=6, width=32, depth=2, out_dim=3, parameterisation="standard"), 7, 5),
    ("std_bias_d3", MLPConfig(in_dim=6, width=24, depth=3, out_dim=4, parameterisation="standard", b_std=0.2), 6, 4),
    ("std_nobias_d1", MLPConfig(in_dim=5, width=40, depth=1, out_dim=2, parameterisation="standard", bias=False), 5, 3),
    ("ntk_d2", MLPConfig(in_dim=6, width=32, depth=2, out_dim=3, parameterisation="ntk", b_std=0.5), 7, 5),
    ("ntk_wstd_d3", MLPConfig(in_dim=4, width=16, depth=3, out_dim=2, parameterisation="ntk", w_std=1.4, b_std=0.1), 6, 6),
    ("mup_d2", MLPConfig(in_dim=6, width=32, depth=2, out_dim=3, parameterisation="mup", b_std=0.3), 6, 4),
]


def main(out: str) -> None:
    arrays: dict[str, np.ndarray] = {}
    meta = []
    for i, (name, cfg, n1, n2) in enumerate(CASES):
        k_p, k_x1, k_x2 = jax.random.split(jax.random.key(100 + i), 3)
        params = init_mlp(k_p, cfg, dtype=jnp.float64)
        # perturb biases so that b = 0 at init does not hide a wrong bias multiplier
        params = [
            {**layer, "b": layer["b"] + 0.1 * jax.random.normal(jax.random.fold_in(k_p, j), layer["b"].shape, jnp.float64)}
            if "b" in layer else layer
            for j, layer in enumerate(params)
        ]
        x1 = jax.random.normal(k_x1, (n1, cfg.in_dim), jnp.float64)
        x2 = jax.random.normal(k_x2, (n2, cfg.in_dim), jnp.float64)
        arrays[f"{name}/x1"], arrays[f"{name}/x2"] = np.asarray(x1), np.asarray(x2)
        for j, layer in enumerate(params):
            for key, v in layer.items():
                arrays[f"{name}/p{j}_{key}"] = np.asarray(v)
        for impl in (i for i in NTKImplementation if i is not NTKImplementation.STRUCTURED_MODEL):
            arrays[f"{name}/ntk_{impl.name}_sym"] = np.asarray(empirical_ntk(cfg, params, x1, implementation=impl))
            arrays[f"{name}/ntk_{impl.name}_cross"] = np.asarray(empirical_ntk(cfg, params, x1, x2, implementation=impl))
        arrays[f"{name}/ntk_default_batched"] = np.asarray(empirical_ntk(cfg, params, x1, x2, batch_size=2))
        if cfg.parameterisation in ("standard", "ntk"):
            kern = infinite_width_kernels(cfg, x1, x2)
            arrays[f"{name}/inf_nngp"], arrays[f"{name}/inf_ntk"] = kern.nngp, kern.ntk
        meta.append({"name": name, "config": cfg._asdict(), "b_std_effective": bias_std(cfg), "n_layers": len(params)})
    cnn_fixtures(arrays)
    arrays["meta_json"] = np.array(json.dumps(meta))
    arrays["jax_version"] = np.array(jax.__version__)
    np.savez(out, **arrays)
    print(f"wrote {len(CASES)} cases to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_fixtures.py OUT.npz")
    main(sys.argv[1])
