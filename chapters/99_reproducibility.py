# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Reproducibility report
#
# This page records the environment in which the book was executed: the versions of
# every package that touched a number, the devices JAX saw, the parameter profile, the
# data sources, the wall time of each chapter in the last run, and where every expensive
# result came from: computed in this build, read from the cache, or read from the results
# store that ships with the book, with the provenance each result carries (the device and
# JAX version that computed it, the git commit, its compute time and date). To reproduce a
# figure, install the same versions (`pip install -e ".[book,test]"` from the repository)
# and run the chapter with the same profile; see the README for the commands.

# %% tags=["parameters"]
profile = "default"
run_log_path = "book/run_log.json"
book_dir = "book"
results_root = "results"

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "run_log_path": nts.Str(),
    "book_dir": nts.Str(),
    "results_root": nts.Str(),
})

# %% tags=["remove-cell"]
import importlib.metadata as md
import json
import os
import platform
import subprocess
from pathlib import Path

import jax
import matplotlib.pyplot as plt
import pandas as pd
from myst_nb import glue

import ntk_scaling as nts

nts.plotting.use_book_style()

# %% [markdown]
# ## Software

# %%
packages = ["ntk-scaling", "jax", "jaxlib", "optax", "numpy", "scipy", "matplotlib", "pandas", "pooch",
            "jupytext", "papermill", "jupyter-book", "myst-nb", "sphinx"]
versions = {}
for name in packages:
    try:
        versions[name] = md.version(name)
    except md.PackageNotFoundError:
        versions[name] = "not installed"
try:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
except (OSError, subprocess.CalledProcessError):
    commit = "unknown (not a git checkout)"
environment = pd.DataFrame(
    {"value": [platform.python_version(), platform.platform(), commit, profile, *versions.values()]},
    index=["python", "platform", "git commit", "parameter profile", *versions.keys()],
)
glue("c99_profile", profile, display=False)
glue("c99_jax", versions["jax"], display=False)
environment

# %% [markdown]
# The book was executed with the **{glue:text}`c99_profile`** profile and JAX
# {glue:text}`c99_jax`. The neural-tangents reference used to check our empirical NTK
# lives in a separate, pinned environment (see the README) and is not listed here.
#
# ## Devices and data

# %%
devices = pd.DataFrame(
    [{"platform": d.platform, "kind": d.device_kind, "id": d.id} for d in jax.devices()]
)
glue("c99_backend", jax.default_backend(), display=False)
data_sources = pd.DataFrame(
    {"source": [str(nts.data_dir()), nts.cifar10_provenance(), os.environ.get("NTK_SCALING_CACHE", str(nts.cache_dir()))]},
    index=["data folder", "CIFAR-10 source", "result cache"],
)
pd.concat({"devices": devices.astype(str)}, names=["table"]).reset_index(level=0, drop=True)

# %%
data_sources

# %% [markdown]
# JAX ran on the **{glue:text}`c99_backend`** backend.
#
# ## Wall time of each chapter

# %%
log_file = Path(run_log_path)
run_log = json.loads(log_file.read_text()) if log_file.exists() else {}
timings = pd.DataFrame.from_dict(run_log, orient="index")
if timings.empty:
    timings = pd.DataFrame(columns=["profile", "seconds", "finished"])
timings = timings.sort_index()
total_seconds = float(timings["seconds"].sum()) if len(timings) else 0.0
glue("c99_total_minutes", total_seconds / 60, display=False)
glue("c99_n_timed", len(timings), display=False)
timings

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.4, max(2.0, 0.28 * max(len(timings), 1) + 1)))
if len(timings):
    ax.barh(timings.index, timings["seconds"], color=nts.plotting.colors(1)[0])
    ax.invert_yaxis()
ax.set_xlabel("wall time of the last execution (s)")
ax.set_ylabel("chapter")
glue("c99_fig_timings", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c99_fig_timings
# :name: "c99-fig-timings"
#
# Wall time of each chapter in its last execution by the runner (this page itself is
# still running when the log is read, so its own time is that of the previous run).
# ```
#
# The {glue:text}`c99_n_timed` chapters in the log took {glue:text}`c99_total_minutes:.1f`
# minutes in total.

#
# ## Where each result came from
#
# Every expensive computation of the book is a cached library function. When a chapter
# runs, each call either computes its result, reads it from the local cache (a previous
# run on this machine), or reads it from the results store in `results/<profile>/`, which
# ships with the book so that large profiles render without recomputation. The table
# counts them per chapter and function; "devices" and "jax" name what originally computed
# the results that were read, and "compute seconds" is their original compute time.

# %%
results = nts.chapter_results(book_dir)
summary = nts.provenance_summary(results)
counts = results["source"].value_counts() if len(results) else pd.Series(dtype=int)
glue("c99_n_results", int(len(results)), display=False)
glue("c99_n_computed", int(counts.get("computed", 0)), display=False)
glue("c99_n_cache", int(counts.get("cache", 0)), display=False)
glue("c99_n_store", int(counts.get("store", 0)), display=False)
summary

# %% [markdown]
# Of the {glue:text}`c99_n_results` cached results the chapters used, {glue:text}`c99_n_computed`
# were computed in this build, {glue:text}`c99_n_cache` were read from the cache and
# {glue:text}`c99_n_store` from the results store. The full record of each result (its
# arguments, versions and host) is kept in the executed notebook's metadata and in the
# entry file itself.
#
# ## The GPU run

# %%
gpu_times = nts.gpu_run_times(results_root)
if gpu_times is None:
    gpu_note = ("No GPU run has filled the gpu profile's store yet: every number in this book was computed on the "
                "device listed above. The runbook for one H200 is in the README (make gpu-results).")
    gpu_times = pd.DataFrame(columns=["seconds", "estimate_seconds", "status"])
else:
    gpu_note = (f"The gpu profile's store was filled by one run on {gpu_times.attrs['device']} "
                f"(JAX {gpu_times.attrs['jax_version']}); per-chapter times below.")
glue("c99_gpu_note", gpu_note, display=False)
gpu_times

# %% [markdown]
# {glue:text}`c99_gpu_note`
