"""Benchmark: our default empirical NTK against neural-tangents, GFLOP/s, ensemble vmap.

    .venv/bin/python benchmarks/bench_entk.py                  # CPU defaults, writes entk_cpu.json
    .venv/bin/python benchmarks/bench_entk.py --widths 512 2048 8192 16384 --n 128  # on a GPU -> entk_gpu.json

Measures, on one machine, for the MLP 784-W-W-10 (standard parameterisation) and n inputs,
the full (n, n, 10, 10) kernel:

* our default implementation (STRUCTURED_MLP), median wall time over ``--rounds`` ×
  ``--repeats`` runs after one compile run, and its achieved GFLOP/s (FLOPs of the layer-wise algorithm,
  :func:`ntk_scaling.ntk.structured_ntk_flops`);
* neural-tangents 0.6.5 (``nt.empirical_ntk_fn(..., trace_axes=(), vmap_axes=0)``, the
  call papyrus uses) with each of its implementations, in the pinned reference env
  (``scripts/reference_env.sh``), each (width, implementation) in its own subprocess
  with a time limit, on the same parameters and inputs; their fastest is compared with
  ours (ratio of medians) and its kernel is checked against ours;
* the machine's float32 matmul rate, from a large ``jnp.dot`` (median of repeats, once
  per round; the best round is taken as the peak);
* the speed-up of one vmapped call over an ensemble of ``--seeds`` parameter sets
  against a Python loop over the same jitted single-network function;
* the μP CNN of the vision chapters (:class:`ntk_scaling.MeanFieldCNN`, MNIST-shaped
  inputs, ``--cnn-width``, ``--cnn-n`` images, full (n, n, 10, 10) kernel): each of our
  generic implementations against each neural-tangents implementation on the same
  parameters and inputs; the CNN ratio (nt's fastest / ours fastest) is printed and
  stored under ``"cnn"``. Target: ours never slower at the chapter's size.

The two environments run different XLA versions (JAX 0.10 vs 0.4.25); that is part of
what is being compared and is recorded in the JSON. Timings on a shared machine are
noisy: ours and theirs are therefore timed in interleaved rounds (both see the same
background load) and the JSON records the load average before and after.

Internal modes ``--nt-worker IN.npz OUT.json WIDTH IMPL REPEATS`` and ``--nt-cnn-worker
IN.npz OUT.json IMPL REPEATS`` run inside the reference env and import only jax, numpy and
neural_tangents.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _median_time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), times


# ----------------------------------------------------------------------------------------
# neural-tangents worker (reference env)


def nt_worker(inp: str, out: str, width: int, impl_name: str, repeats: int) -> None:
    import jax

    sys.path.insert(0, str(REPO / "tests" / "reference"))
    from nt_import import import_neural_tangents

    nt = import_neural_tangents()
    stax = nt.stax
    data = np.load(inp)
    x = jax.numpy.asarray(data["x"])
    layers, params = [], []
    n_layers = int(data[f"w{width}_n_layers"])
    for j in range(n_layers):
        w = jax.numpy.asarray(data[f"w{width}_p{j}_w"])
        b = jax.numpy.asarray(data[f"w{width}_p{j}_b"])
        layers.append(stax.Dense(w.shape[1], W_std=1.0, b_std=0.0, parameterization="standard"))
        params.append((w, b))
        if j < n_layers - 1:
            layers.append(stax.Relu())
            params.append(())
    _, apply_fn, _ = stax.serial(*layers)
    impl = nt.NtkImplementation[impl_name]
    fn = jax.jit(nt.empirical_ntk_fn(apply_fn, trace_axes=(), vmap_axes=0, implementation=impl))
    t0 = time.perf_counter()
    theta = fn(x, None, params).block_until_ready()
    first = time.perf_counter() - t0
    med, times = _median_time(lambda: fn(x, None, params).block_until_ready(), repeats)
    ours = data[f"w{width}_ours"]
    rel = float(np.max(np.abs(np.asarray(theta) - ours)) / np.max(np.abs(ours)))
    res = {"width": width, "implementation": impl_name, "median_s": med, "times_s": times,
           "first_call_s": first, "rel_err_vs_ours": rel, "jax_version": jax.__version__,
           "nt_version": nt.__version__, "backend": jax.default_backend()}
    Path(out).write_text(json.dumps(res))


def nt_cnn_worker(inp: str, out: str, impl_name: str, repeats: int) -> None:
    """The CNN in stax (as tests/reference: nt's "ntk" parameterisation reproduces our multipliers)."""
    import jax
    import jax.numpy as jnp

    sys.path.insert(0, str(REPO / "tests" / "reference"))
    from nt_import import import_neural_tangents

    nt = import_neural_tangents()
    stax = nt.stax
    data = np.load(inp)
    n, (h, w, c) = int(data["width"]), (int(v) for v in data["image_shape"])
    flat = (((h - 2) // 2 - 2) // 2) * (((w - 2) // 2 - 2) // 2) * 2 * n
    pool = stax.AvgPool((2, 2), strides=(2, 2), padding="VALID")
    _, apply_fn, _ = stax.serial(
        stax.Conv(n, (3, 3), padding="VALID", W_std=3.0, b_std=1 / np.sqrt(c), parameterization="ntk"), stax.Relu(), pool,
        stax.Conv(2 * n, (3, 3), padding="VALID", W_std=3.0, b_std=1 / np.sqrt(n), parameterization="ntk"), stax.Relu(), pool,
        stax.Flatten(), stax.Dense(8 * n, W_std=1.0, b_std=1 / np.sqrt(flat), parameterization="ntk"), stax.Relu(),
        stax.Dense(10, W_std=1 / np.sqrt(8 * n), b_std=1 / (8 * n), parameterization="ntk"))

    def layer(name, conv):
        return (jnp.asarray(data[f"{name}_w"]), jnp.asarray(data[f"{name}_b"]).reshape((1, 1, 1, -1) if conv else (1, -1)))

    params = [layer("conv1", True), (), (), layer("conv2", True), (), (), (), layer("dense", False), (), layer("readout", False)]
    x = jnp.asarray(data["x"])
    fn = jax.jit(nt.empirical_ntk_fn(apply_fn, trace_axes=(), vmap_axes=0, implementation=nt.NtkImplementation[impl_name]))
    t0 = time.perf_counter()
    theta = fn(x, None, params).block_until_ready()
    first = time.perf_counter() - t0
    med, times = _median_time(lambda: fn(x, None, params).block_until_ready(), repeats)
    ours = data["ours"]
    rel = float(np.max(np.abs(np.asarray(theta) - ours)) / np.max(np.abs(ours)))
    Path(out).write_text(json.dumps({"implementation": impl_name, "median_s": med, "times_s": times, "first_call_s": first,
                                     "rel_err_vs_ours": rel, "jax_version": jax.__version__, "nt_version": nt.__version__}))


def cnn_benchmark(args) -> dict:
    """Our generic eNTK implementations against neural-tangents' on the vision chapters' CNN."""
    import jax

    from ntk_scaling.kernels.empirical import empirical_ntk_fn
    from ntk_scaling.nets.cnn import MeanFieldCNN

    m = MeanFieldCNN(width=args.cnn_width, image_shape=(28, 28, 1))
    params = m.init(jax.random.key(3))
    params = {k: {**v, "b": v["b"] + 0.1} for k, v in params.items()}
    x = jax.random.normal(jax.random.key(4), (args.cnn_n, 28, 28, 1))
    rows, ref = [], None
    for impl in args.cnn_impls:
        fn = empirical_ntk_fn(m.apply, implementation=impl)
        t0 = time.perf_counter()
        try:
            theta = fn(params, x).block_until_ready()
        except Exception as exc:  # e.g. out of memory for JACOBIAN_CONTRACTION on large n
            rows.append({"implementation": impl, "status": "failed", "reason": str(exc)[:300]})
            print(f"CNN ours {impl}: failed ({str(exc)[:80]})", flush=True)
            continue
        first = time.perf_counter() - t0
        med, times = _median_time(lambda fn=fn: fn(params, x).block_until_ready(), args.repeats)
        if ref is None:
            ref = np.asarray(theta)
        rows.append({"implementation": impl, "status": "ok", "median_s": med, "times_s": times, "first_call_s": first})
        print(f"CNN ours {impl}: {med:.3f} s", flush=True)
    out = {"model": f"MeanFieldCNN(width={args.cnn_width}), 28x28x1 inputs, biases", "n": args.cnn_n,
           "kernel": "full (n, n, 10, 10), float32", "ours": rows, "neural_tangents": []}
    if not args.skip_nt and ref is not None:
        tmp = tempfile.TemporaryDirectory()
        inp = str(Path(tmp.name) / "cnn.npz")
        arrays = {"x": np.asarray(x), "ours": ref, "width": np.array(m.width), "image_shape": np.array(m.image_shape)}
        for name, layer in params.items():
            arrays[f"{name}_w"], arrays[f"{name}_b"] = np.asarray(layer["w"]), np.asarray(layer["b"])
        np.savez(inp, **arrays)
        for impl in args.nt_impls:
            out_json = str(Path(tmp.name) / f"nt_cnn_{impl}.json")
            cmd = ["bash", str(REPO / "scripts" / "reference_env.sh"), "python", str(Path(__file__).resolve()),
                   "--nt-cnn-worker", inp, out_json, impl, str(args.repeats)]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.nt_timeout)
                if proc.returncode == 0 and Path(out_json).exists():
                    r = {**json.loads(Path(out_json).read_text()), "status": "ok"}
                    print(f"CNN nt {impl}: {r['median_s']:.3f} s (rel err vs ours {r['rel_err_vs_ours']:.1e})", flush=True)
                else:
                    r = {"implementation": impl, "status": "failed", "reason": (proc.stderr or proc.stdout)[-400:]}
                    print(f"CNN nt {impl}: failed", flush=True)
            except subprocess.TimeoutExpired:
                r = {"implementation": impl, "status": "timeout", "reason": f"over {args.nt_timeout:.0f} s"}
                print(f"CNN nt {impl}: timeout", flush=True)
            out["neural_tangents"].append(r)
        tmp.cleanup()
    ours_ok = [r for r in rows if r["status"] == "ok"]
    nt_ok = [r for r in out["neural_tangents"] if r["status"] == "ok"]
    if ours_ok and nt_ok:
        best, theirs = min(ours_ok, key=lambda r: r["median_s"]), min(nt_ok, key=lambda r: r["median_s"])
        out.update(ours_fastest=best["implementation"], nt_fastest=theirs["implementation"],
                   speedup_vs_nt=theirs["median_s"] / best["median_s"])
        print(f"CNN ratio (nt fastest {theirs['implementation']} / ours fastest {best['implementation']}): "
              f"{out['speedup_vs_nt']:.2f}", flush=True)
    return out


# ----------------------------------------------------------------------------------------
# main (main env)


def matmul_peak(size: int, repeats: int) -> dict:
    import jax
    import jax.numpy as jnp

    a = jax.random.normal(jax.random.key(0), (size, size), jnp.float32)
    b = jax.random.normal(jax.random.key(1), (size, size), jnp.float32)
    f = jax.jit(jnp.dot)
    f(a, b).block_until_ready()
    med, times = _median_time(lambda: f(a, b).block_until_ready(), repeats)
    return {"size": size, "median_s": med, "gflops": 2 * size**3 / med / 1e9, "times_s": times}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--widths", type=int, nargs="+", default=[512, 2048, 8192])
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per round")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of ours / neural-tangents")
    ap.add_argument("--seeds", type=int, default=20, help="ensemble size for the vmap measurement")
    ap.add_argument("--ensemble-width", type=int, default=512)
    ap.add_argument("--matmul-size", type=int, default=None, help="default 2048 on CPU, 8192 on GPU")
    ap.add_argument("--nt-impls", nargs="+", default=["STRUCTURED_DERIVATIVES", "NTK_VECTOR_PRODUCTS", "JACOBIAN_CONTRACTION"])
    ap.add_argument("--nt-timeout", type=float, default=240.0, help="seconds per nt (width, implementation)")
    ap.add_argument("--nt-max-width-generic", type=int, default=512,
                    help="largest width at which nt's generic (non-structured) implementations are tried")
    ap.add_argument("--skip-nt", action="store_true")
    ap.add_argument("--out", default=None)
    ap.add_argument("--nt-worker", nargs=5, metavar=("IN", "OUT", "WIDTH", "IMPL", "REPEATS"))
    ap.add_argument("--nt-cnn-worker", nargs=4, metavar=("IN", "OUT", "IMPL", "REPEATS"))
    ap.add_argument("--cnn-width", type=int, default=8, help="N of the CNN (the chapters use 4-16)")
    ap.add_argument("--cnn-n", type=int, default=128, help="images in the CNN kernel")
    ap.add_argument("--cnn-impls", nargs="+", default=["STRUCTURED_MODEL", "PER_SAMPLE_JACOBIAN", "NTK_VECTOR_PRODUCTS", "JACOBIAN_CONTRACTION"])
    ap.add_argument("--skip-cnn", action="store_true")
    ap.add_argument("--cnn-only", action="store_true", help="run only the CNN comparison")
    args = ap.parse_args()
    if args.nt_worker:
        i, o, w, impl, r = args.nt_worker
        nt_worker(i, o, int(w), impl, int(r))
        return
    if args.nt_cnn_worker:
        i, o, impl, r = args.nt_cnn_worker
        nt_cnn_worker(i, o, impl, int(r))
        return
    if args.cnn_only:
        import jax

        res = {"benchmark": "entk_cnn", "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "backend": jax.default_backend(), "jax_version": jax.__version__, "load_avg_before": os.getloadavg(),
               "cnn": cnn_benchmark(args), "load_avg_after": os.getloadavg()}
        out = Path(args.out or REPO / "benchmarks" / "results" / f"entk_cnn_{'gpu' if res['backend'] == 'gpu' else 'cpu'}.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(res, indent=2))
        print(f"wrote {out}")
        return

    import jax
    import jax.numpy as jnp

    from ntk_scaling.nets.mlp import MLPConfig, init_mlp, init_mlp_ensemble
    from ntk_scaling.kernels.empirical import empirical_ntk_ensemble, empirical_ntk_fn, structured_ntk_flops

    backend = jax.default_backend()
    out = Path(args.out or REPO / "benchmarks" / "results" / f"entk_{'gpu' if backend == 'gpu' else 'cpu'}.json")
    load_before = os.getloadavg()
    result: dict = {
        "benchmark": "entk",
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "backend": backend,
            "device": str(jax.devices()[0].device_kind),
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "processor": platform.processor(),
            "load_avg_before": load_before,
        },
        "jax_version": jax.__version__,
        "model": "MLP 784-W-W-10, ReLU, standard (LeCun) parameterisation, biases",
        "n": args.n,
        "kernel": "full (n, n, 10, 10), float32",
        "repeats": args.repeats,
    }
    size = args.matmul_size or (8192 if backend == "gpu" else 2048)
    peaks = []

    def measure_peak():
        peaks.append(matmul_peak(size, max(args.repeats, 5)))
        print(f"matmul ({size}^2): {peaks[-1]['gflops']:.1f} GFLOP/s", flush=True)

    measure_peak()

    x = jax.random.normal(jax.random.key(42), (args.n, 784), jnp.float32)
    arrays = {"x": np.asarray(x)}
    ours = {}
    for width in args.widths:
        cfg = MLPConfig(in_dim=784, width=width, depth=2, out_dim=10)
        params = init_mlp(jax.random.key(width), cfg)
        fn = empirical_ntk_fn(cfg)
        t0 = time.perf_counter()
        theta = fn(params, x).block_until_ready()
        ours[width] = {"cfg": cfg, "params": params, "fn": fn, "first": time.perf_counter() - t0, "times": []}
        arrays[f"w{width}_ours"] = np.asarray(theta)
        arrays[f"w{width}_n_layers"] = np.array(len(params))
        for j, layer in enumerate(params):
            arrays[f"w{width}_p{j}_w"] = np.asarray(layer["w"])
            arrays[f"w{width}_p{j}_b"] = np.asarray(layer["b"])
        del theta
    # ensemble: one vmapped call over S seeds vs a loop over the jitted single-network call
    cfg = MLPConfig(in_dim=784, width=args.ensemble_width, depth=2, out_dim=10)
    ens = init_mlp_ensemble(jax.random.key(7), cfg, args.seeds)
    members = [jax.tree.map(lambda v, e=e: v[e], ens) for e in range(args.seeds)]
    single = empirical_ntk_fn(cfg)
    single(members[0], x).block_until_ready()
    empirical_ntk_ensemble(cfg, ens, x).block_until_ready()

    def loop():
        for m in members:
            single(m, x).block_until_ready()

    loop_med, _ = _median_time(loop, args.repeats)
    vmap_med, _ = _median_time(lambda: empirical_ntk_ensemble(cfg, ens, x).block_until_ready(), args.repeats)
    chunk = 4
    empirical_ntk_ensemble(cfg, ens, x, ensemble_batch=chunk).block_until_ready()
    map_med, _ = _median_time(
        lambda: empirical_ntk_ensemble(cfg, ens, x, ensemble_batch=chunk).block_until_ready(), args.repeats)
    result["ensemble"] = {"width": args.ensemble_width, "seeds": args.seeds, "loop_median_s": loop_med,
                          "vmap_median_s": vmap_med, "speedup": loop_med / vmap_med,
                          "chunked_map_batch": chunk, "chunked_map_median_s": map_med,
                          "chunked_speedup": loop_med / map_med}
    print(f"ensemble of {args.seeds}: loop {loop_med:.2f} s, vmap {vmap_med:.2f} s, "
          f"lax.map of {chunk}-member vmaps {map_med:.2f} s", flush=True)

    # Rounds: in each, for each width, time ours and then neural-tangents (reference env, one
    # subprocess per (width, implementation)), so that both see the same background load;
    # medians are over all rounds. Generic nt implementations run in the first round only.
    nt_rows = []
    nt_times: dict = {}
    tmpdir = tempfile.TemporaryDirectory()
    inp = str(Path(tmpdir.name) / "inputs.npz")
    np.savez(inp, **arrays)
    for rnd in range(args.rounds):
        if rnd > 0:
            measure_peak()  # once per round: the machine may be shared
        for width in args.widths:
            o = ours[width]
            o["times"] += _median_time(lambda: o["fn"](o["params"], x).block_until_ready(), args.repeats)[1]
            print(f"round {rnd} W={width}: ours median so far {np.median(o['times']):.3f} s", flush=True)
            if args.skip_nt:
                continue
            for impl in args.nt_impls:
                generic = impl != "STRUCTURED_DERIVATIVES"
                if generic and (rnd > 0 or width > args.nt_max_width_generic):
                    if rnd == 0:
                        nt_rows.append({"width": width, "implementation": impl, "status": "not run",
                                        "reason": f"generic implementation skipped above W={args.nt_max_width_generic} "
                                                  "(its cost, n·k Jacobian rows or n·k JVP/VJP pairs, is far above "
                                                  "the structured methods')"})
                    continue
                if nt_times.get((width, impl), {}).get("status") in ("timeout", "failed"):
                    continue
                out_json = str(Path(tmpdir.name) / f"nt_{width}_{impl}_{rnd}.json")
                cmd = ["bash", str(REPO / "scripts" / "reference_env.sh"), "python", str(Path(__file__).resolve()),
                       "--nt-worker", inp, out_json, str(width), impl, str(args.repeats)]
                print(f"  nt W={width} {impl}...", flush=True)
                entry = nt_times.setdefault((width, impl), {"width": width, "implementation": impl, "times_s": [],
                                                            "status": "ok"})
                try:
                    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.nt_timeout)
                    if proc.returncode == 0 and Path(out_json).exists():
                        r = json.loads(Path(out_json).read_text())
                        entry["times_s"] += r["times_s"]
                        entry.setdefault("first_call_s", r["first_call_s"])
                        entry["rel_err_vs_ours"] = r["rel_err_vs_ours"]
                        entry["jax_version"], entry["nt_version"] = r["jax_version"], r["nt_version"]
                        print(f"    median {np.median(r['times_s']):.3f} s (rel err vs ours "
                              f"{r['rel_err_vs_ours']:.1e})", flush=True)
                    else:
                        entry.update(status="failed", reason=(proc.stderr or proc.stdout)[-600:])
                        print(f"    failed: {entry['reason'][-200:]}", flush=True)
                except subprocess.TimeoutExpired:
                    entry.update(status="timeout",
                                 reason=f"no result within {args.nt_timeout:.0f} s (compile + {args.repeats + 1} runs)")
                    print("    timeout", flush=True)
    tmpdir.cleanup()
    for entry in nt_times.values():
        if entry["status"] == "ok":
            entry["median_s"] = float(np.median(entry["times_s"]))
        nt_rows.append(entry)
    # the peak is the best per-round median (the least-contended measurement of the device)
    result["matmul_peak"] = {**max(peaks, key=lambda r: r["gflops"]),
                             "per_round_gflops": [r["gflops"] for r in peaks]}
    peak = result["matmul_peak"]["gflops"]
    rows = []
    for width in args.widths:
        o = ours[width]
        med = float(np.median(o["times"]))
        flops = structured_ntk_flops(o["cfg"], args.n)
        rows.append({"width": width, "ours_median_s": med, "ours_times_s": o["times"], "ours_first_call_s": o["first"],
                     "flops": flops, "ours_gflops": flops / med / 1e9, "fraction_of_matmul_peak": flops / med / 1e9 / peak})
        print(f"W={width}: ours {med:.3f} s, {rows[-1]['ours_gflops']:.1f} GFLOP/s "
              f"({100 * rows[-1]['fraction_of_matmul_peak']:.0f}% of matmul)", flush=True)
    result["rows"] = rows
    result["rounds"] = args.rounds
    result["neural_tangents"] = nt_rows
    for row in rows:
        ok = [r for r in nt_rows if r["width"] == row["width"] and r.get("status") == "ok"]
        if ok:
            best = min(ok, key=lambda r: r["median_s"])
            row["nt_fastest"] = best["implementation"]
            row["nt_fastest_median_s"] = best["median_s"]
            row["speedup_vs_nt"] = best["median_s"] / row["ours_median_s"]
        else:
            row["nt_fastest"] = None
            row["speedup_vs_nt"] = None
            timeouts = [r for r in nt_rows if r["width"] == row["width"] and r.get("status") == "timeout"]
            if timeouts:  # nt did not finish: ours is at least this much faster
                row["speedup_vs_nt_lower_bound"] = args.nt_timeout / (args.repeats + 1) / row["ours_median_s"]
    result["machine"]["load_avg_after"] = os.getloadavg()
    result["targets"] = {
        "speedup_vs_nt_at_W_ge_2048": ">= 1.5",
        "speedup_vs_nt_at_W_512": ">= 1.0",
        "fraction_of_matmul_peak": ">= 0.8",
    }
    if not args.skip_cnn:
        result["cnn"] = cnn_benchmark(args)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
