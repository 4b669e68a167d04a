"""Speed of the direct simulation of [B]'s model (ntk_scaling.linear_model).

Measures steps per second of :func:`ntk_scaling.simulate_projected_model` over a grid of
(N, M, B, n_seeds) for the lazy (γ = 0) and rich projected (γ = 1) model: the median of
``--repeats`` timed runs after one untimed warm-up run that compiles the program (JIT
excluded). It then times the "Fig. 2 set" of chapter 13 end to end, compilation
included, to check the issue's target (all finite-N curves at T ≥ 2000 in under a
minute on a 2-core CPU). Writes ``benchmarks/results/linear_model.json`` with a
description of the machine and its load average (the machine may be shared).

    .venv/bin/python benchmarks/bench_linear_model.py [--quick] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import jax

import ntk_scaling as nts

OUT = Path(__file__).resolve().parent / "results" / "linear_model.json"

# The Fig. 2(c-d) set as run by chapter 13 with its ci-like sizes, at T = 2000.
FIG2_SET = dict(alpha=2.0, beta=0.5, n_modes=1024, widths=(16, 32, 64, 128), gammas=(0.0, 1.0),
                lrs=(0.5, 0.1), batch=32, n_seeds=8, steps=2000, n_records=48)


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "cpu_model": cpu,
        "cpu_count": os.cpu_count(),
        "load_average_start": os.getloadavg(),
    }


def time_config(n: int, m: int, batch: int, n_seeds: int, gamma: float, steps: int, repeats: int) -> dict:
    task = nts.power_law_task(2.0, 0.5, m)
    kw = dict(width=n, batch=batch, lr=0.05, gamma=gamma, steps=steps, n_seeds=n_seeds, n_records=32)
    t0 = time.perf_counter()
    nts.simulate_projected_model(jax.random.key(0), task, **kw)  # compile + first run
    first = time.perf_counter() - t0
    times = []
    for r in range(repeats):
        t0 = time.perf_counter()
        nts.simulate_projected_model(jax.random.key(r + 1), task, **kw)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return {
        "N": n, "M": m, "B": batch, "n_seeds": n_seeds, "gamma": gamma, "steps": steps,
        "median_s": med, "min_s": min(times), "first_call_s": first,
        "steps_per_s": steps / med, "seed_steps_per_s": steps * n_seeds / med,
    }


def fig2_set() -> dict:
    p = FIG2_SET
    task = nts.power_law_task(p["alpha"], p["beta"], p["n_modes"])
    t0 = time.perf_counter()
    for n in p["widths"]:
        for gamma, lr in zip(p["gammas"], p["lrs"]):
            nts.simulate_projected_model(
                jax.random.key(n), task, width=n, batch=p["batch"], lr=lr, gamma=gamma, steps=p["steps"],
                n_seeds=p["n_seeds"], n_records=p["n_records"],
            )
    total = time.perf_counter() - t0
    return {**{k: list(v) if isinstance(v, tuple) else v for k, v in p.items()},
            "wall_s_including_jit": total, "under_one_minute": total < 60.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a smaller grid")
    args = parser.parse_args()
    info = machine()
    grid = [
        # (N, M, B, n_seeds)
        (32, 1024, 32, 1), (32, 1024, 32, 8), (128, 1024, 32, 8), (512, 1024, 32, 8),
        (128, 4096, 32, 8), (128, 1024, 1024, 8), (1024, 4096, 32, 1),
    ]
    if args.quick:
        grid = grid[:3]
    rows = []
    for n, m, b, s in grid:
        for gamma in (0.0, 1.0):
            row = time_config(n, m, b, s, gamma, steps=1000, repeats=args.repeats)
            rows.append(row)
            print(f"N={n:5d} M={m:5d} B={b:5d} seeds={s:2d} gamma={gamma:.0f}: "
                  f"{row['steps_per_s']:9.0f} steps/s ({row['seed_steps_per_s']:9.0f} seed-steps/s), "
                  f"first call {row['first_call_s']:.2f} s", flush=True)
    fig2 = fig2_set()
    print(f"Fig. 2 set ({len(FIG2_SET['widths'])} widths x lazy/rich, {FIG2_SET['n_seeds']} seeds, "
          f"T={FIG2_SET['steps']}, M={FIG2_SET['n_modes']}): {fig2['wall_s_including_jit']:.1f} s including JIT", flush=True)
    info["load_average_end"] = os.getloadavg()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"machine": info, "per_config": rows, "fig2_set": fig2,
                               "note": "medians over repeats, JIT excluded; fig2_set includes JIT; "
                                       "check load_average for contention from other processes"}, indent=1))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
