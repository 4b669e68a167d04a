"""Speed of the N → ∞ theory (ntk_scaling.dmft): solve time against T and M.

Writes benchmarks/results/dmft.json. Times are wall-clock seconds of a second call (the
first call compiles; its time is reported separately). Run: python benchmarks/bench_dmft.py
Targets from the issue: the full Fig. 2 set (10 curves) at T ≥ 2000 in under a minute on
the 2-core CPU.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import jax

import ntk_scaling as nts


def timed(fn):
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    fn()
    return first, time.perf_counter() - t0


def machine() -> dict:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "jax_version": jax.__version__,
        "jax_devices": [str(d) for d in jax.devices()],
        "python": platform.python_version(),
    }


def main(quick: bool = False) -> dict:
    out: dict = {"machine": machine(), "flow_vs_T": [], "flow_vs_M": [], "discrete_vs_M": [], "closure_vs_T": []}
    t_values = [1000, 10000] if quick else [1000, 10000, 100000]
    for T in t_values:
        task = nts.power_law_task(2.0, 0.5, 2000)
        first, again = timed(lambda: nts.dmft_limit(task, lr=0.5, gamma=1.0, steps=T))
        out["flow_vs_T"].append({"T": T, "M": 2000, "first_s": first, "s": again})
        print(f"flow  T={T:>6} M=2000   {again:.3f} s (first call {first:.2f} s)")
    for M in ([1000, 10000] if quick else [1000, 10000, 100000]):
        task = nts.power_law_task(2.0, 0.5, M)
        first, again = timed(lambda: nts.dmft_limit(task, lr=0.5, gamma=1.0, steps=10000))
        out["flow_vs_M"].append({"T": 10000, "M": M, "first_s": first, "s": again})
        print(f"flow  T= 10000 M={M:<6} {again:.3f} s (first call {first:.2f} s)")
    for M in [100, 400]:
        task = nts.power_law_task(2.0, 0.5, M)
        first, again = timed(lambda: nts.dmft_limit(task, lr=0.2, gamma=0.1, steps=1000, dynamics="discrete"))
        out["discrete_vs_M"].append({"T": 1000, "M": M, "s": again})
        print(f"discrete (full G, float64 numpy) T=1000 M={M}: {again:.3f} s")
    for T in [200, 500]:
        task = nts.power_law_task(1.5, 0.5, 40)
        first, again = timed(lambda: nts.dmft_matrix_closure(task, lr=0.5, gamma=1.0, steps=T))
        out["closure_vs_T"].append({"T": T, "M": 40, "s": again})
        print(f"T×T matrix closure T={T}: {again:.3f} s")
    # the full Fig. 2 set of chapter 12: 2 tasks × 5 γ at T = 2000 and 4000, M = 20000
    for T in [2000, 4000]:
        def fig2():
            for beta in (1.5, 0.5):
                task = nts.power_law_task(2.0, beta, 20000)
                for g in (0.0, 1e-3, 1e-2, 1e-1, 1.0):
                    nts.dmft_limit(task, lr=0.5, gamma=g, steps=T, n_records=80)
        first, again = timed(fig2)
        out.setdefault("fig2_set", []).append({"T": T, "M": 20000, "curves": 10, "first_s": first, "s": again,
                                               "under_a_minute": bool(first < 60)})
        print(f"Fig. 2 set, 10 curves, T={T}, M=20000: {again:.2f} s ({first:.2f} s with compilation)")
    return out


if __name__ == "__main__":
    res = main(quick=os.environ.get("BENCH_QUICK") == "1")
    path = Path(__file__).resolve().parent / "results" / "dmft.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(res, indent=1))
    print("wrote", path)
