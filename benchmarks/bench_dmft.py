"""Speed of the DMFT solvers of [B]: N → ∞ (ntk_scaling.dmft) and finite N (dmft_finite).

Writes benchmarks/results/dmft.json. Times are wall-clock seconds of a second call (the
first call compiles; its time is reported separately). Run: python benchmarks/bench_dmft.py
Targets from the issues:

* N = ∞: the full Fig. 2 set (10 curves) at T ≥ 2000 in under a minute on the 2-core CPU;
* finite N: one curve out to t = 10⁶ with M ≥ 2000 in under 30 s; the whole Fig. 2c–d set
  (5 widths × lazy/rich × hard/easy) in under 5 minutes; the cost's growth in t, M and N
  and the error of the mode reduction (tail grouping) recorded.

The machine is shared: the load average at the start and end of each section is recorded,
and the CPU time of the process beside the wall time.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import resource

import jax
import numpy as np

import ntk_scaling as nts


def timed(fn):
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    fn()
    return first, time.perf_counter() - t0


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed_cpu(fn):
    """(wall, cpu) seconds of one call (no compilation in the finite-N flow: numpy)."""
    w, c = time.perf_counter(), cpu_seconds()
    out = fn()
    return time.perf_counter() - w, cpu_seconds() - c, out


def finite_width(quick: bool = False) -> dict:
    """Solve times of the finite-N theory (nts.dmft_finite_width and its parts)."""
    out: dict = {"load_average_at_start": os.getloadavg()}
    # one curve to t = 1e6 at M >= 2000: quadrature (spectral measure) + flow, lazy and rich
    curves = []
    for m in ([2000] if quick else [2000, 20000]):
        task = nts.power_law_task(2.0, 0.5, m)
        for n in (32, 128, 512):
            wm, cm, meas = timed_cpu(lambda task=task, n=n: nts.spectral_measure.uncached(task, n))
            modes = nts.deterministic_modes(meas)
            for g in (0.0, 1.0):
                wf, cf, _ = timed_cpu(lambda modes=modes, g=g: nts.solve_reduced_modes(modes, lr=1.0, gamma=g, steps=10**6,
                                                                                     n_records=64))
                curves.append({"M": m, "N": n, "gamma": g, "T": 10**6, "nodes_J": int(meas.eigenvalues.size),
                               "measure_s": wm, "flow_s": wf, "total_s": wm + wf, "cpu_s": cm + cf,
                               "under_30_s": bool(wm + wf < 30)})
                print(f"finite N: M={m} N={n} γ={g}: measure {wm:.2f} s + flow {wf:.2f} s (J = {meas.eigenvalues.size})")
    out["one_curve_t1e6"] = curves
    # growth in T (flow: log t), M (quadrature: M_eff) and N (nodes J)
    task = nts.power_law_task(2.0, 0.5, 20000)
    modes = nts.deterministic_modes(nts.spectral_measure.uncached(task, 128))
    out["flow_vs_T"] = []
    for T in (10**4, 10**6, 10**8):
        w, c, _ = timed_cpu(lambda T=T: nts.solve_reduced_modes(modes, lr=1.0, gamma=1.0, steps=T, n_records=64))
        out["flow_vs_T"].append({"T": T, "N": 128, "M": 20000, "s": w, "cpu_s": c})
        print(f"finite N flow: T={T:.0e}: {w:.2f} s")
    out["measure_vs_M"] = []
    for m in ((2000, 20000) if quick else (2000, 20000, 200000)):
        w, c, meas = timed_cpu(lambda m=m: nts.spectral_measure.uncached(nts.power_law_task(2.0, 0.5, m), 128))
        out["measure_vs_M"].append({"M": m, "N": 128, "s": w, "cpu_s": c, "nodes_J": int(meas.eigenvalues.size)})
        print(f"spectral measure: M={m}: {w:.2f} s")
    out["measure_vs_N"] = []
    for n in ((32, 512) if quick else (32, 128, 512, 2048, 8192)):
        w, c, meas = timed_cpu(lambda n=n: nts.spectral_measure.uncached(nts.power_law_task(2.0, 0.5, 32768), n))
        out["measure_vs_N"].append({"N": n, "M": 32768, "s": w, "cpu_s": c, "nodes_J": int(meas.eigenvalues.size)})
        print(f"spectral measure: N={n}: {w:.2f} s, J = {meas.eigenvalues.size}")
    # error of the mode reduction: the tail beyond 2048 modes grouped in 0.5% bins, against all M exact
    task = nts.power_law_task(2.0, 0.5, 20000)
    grouped = nts.solve_reduced_modes(nts.deterministic_modes(nts.spectral_measure.uncached(task, 256)), lr=1.0,
                                      gamma=1.0, steps=10**7, n_records=40)
    w, c, exact_m = timed_cpu(lambda: nts.spectral_measure.uncached(task, 256, exact_modes=20000))
    exact = nts.solve_reduced_modes(nts.deterministic_modes(exact_m), lr=1.0, gamma=1.0, steps=10**7, n_records=40)
    out["tail_grouping"] = {"M": 20000, "N": 256, "max_rel_error": float(np.max(np.abs(grouped.loss / exact.loss - 1))),
                            "exact_measure_s": w}
    print(f"tail grouping error: {out['tail_grouping']['max_rel_error']:.1e}")
    # the whole Fig. 2c–d set: 5 widths × lazy/rich × hard/easy, M = 4096, to t = 1e7 (flow)
    def fig2cd():
        for beta in (0.5, 1.3):
            task = nts.power_law_task(2.0, beta, 4096)
            for n in (32, 64, 128, 256, 512):
                for g in (0.0, 1.0):
                    nts.dmft_finite_width.uncached(task, width=n, lr=1.0, gamma=g, steps=10**7, n_records=96)
    w, c, _ = timed_cpu(fig2cd)
    out["fig2cd_set"] = {"curves": 20, "M": 4096, "T": 10**7, "s": w, "cpu_s": c, "under_5_min": bool(w < 300)}
    print(f"Fig. 2c–d set, 20 curves to t = 1e7: {w:.1f} s (cpu {c:.1f} s)")
    out["load_average_at_end"] = os.getloadavg()
    return out


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
    out["finite_width"] = finite_width(quick)
    return out


if __name__ == "__main__":
    path = Path(__file__).resolve().parent / "results" / "dmft.json"
    quick = os.environ.get("BENCH_QUICK") == "1"
    if os.environ.get("BENCH_ONLY") == "finite_width" and path.exists():
        # refresh only the finite-N section of an existing result file
        res = json.loads(path.read_text())
        res["finite_width"] = finite_width(quick)
        res["finite_width"]["machine"] = machine()
    else:
        res = main(quick=quick)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(res, indent=1))
    print("wrote", path)
