"""Run a profile's computations without notebook machinery, to fill the results store.

A lent GPU machine has JAX but no papermill, jupytext or Jupyter Book, no network, and a
short time limit. So the ``gpu`` profile is computed there by executing the chapters as
the plain Python scripts they are (Jupytext ``py:percent``), each in its own process with
the profile's parameters injected after its parameters cell, glue calls turned into no-ops
and figures drawn off-screen. Every cached call a chapter makes is recorded (the ledger);
as soon as a chapter finishes, its results are copied, compacted, into
``<out>/results/<profile>/``, so a run cut off by its time limit still leaves whole
chapters. Chapters run in the order of value given by ``params/<profile>/_run.yaml``,
each only if its estimate (the ``# estimate_seconds: N`` line of its profile file) still
fits the budget. At the end the store folder and a run record (device, JAX version,
per-chapter seconds against estimates) are packed into ``<out>/gpu-results.tar.gz``.

Back on any machine, :func:`import_archive` (``make gpu-import ARCHIVE=...``) unpacks it
into ``results/<profile>/``, and ``make book PROFILE=gpu`` renders the book from it.

Command line::

    python -m ntk_scaling.book.headless run --profile gpu --out OUT [--budget 480] [CHAPTER ...]
    python -m ntk_scaling.book.headless chapter NAME --profile gpu      # one chapter, in this process
    python -m ntk_scaling.book.headless import ARCHIVE [--profile gpu]
    python -m ntk_scaling.book.headless pack --out .gpu                 # data subsets and wheels to carry
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import types
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from . import runner
from .parameters import ParameterError

__all__ = [
    "PyPercentCell",
    "read_py_percent",
    "profile_estimates",
    "run_order",
    "execute_chapter_script",
    "run_profile",
    "import_archive",
    "ARCHIVE_LIMIT",
    "pack_for_gpu",
]

ARCHIVE_LIMIT = 16 * 2**20  #: what may come back from the GPU machine
_ESTIMATE = re.compile(r"^#\s*estimate_seconds:\s*([0-9.]+)", re.MULTILINE)


class PyPercentCell(dict):
    """One cell of a ``py:percent`` file, shaped like an nbformat cell (``source``, ``metadata``)."""

    __getattr__ = dict.__getitem__


def read_py_percent(path: Path) -> list[PyPercentCell]:
    """The cells of a Jupytext ``py:percent`` script, without jupytext.

    Args:
        path: the chapter's ``.py`` file.

    Returns:
        Cells with ``cell_type`` ("code" or "markdown"), ``source`` and ``metadata.tags``.
    """
    cells: list[PyPercentCell] = []
    current: PyPercentCell | None = None
    for line in Path(path).read_text().splitlines():
        if line.startswith("# %%"):
            header = line[4:]
            tags = re.findall(r'"([^"]+)"', header.split("tags=", 1)[1]) if "tags=" in header else []
            kind = "markdown" if "[markdown]" in header else "code"
            current = PyPercentCell(cell_type=kind, source="", metadata={"tags": tags}, lines=[])
            cells.append(current)
            continue
        if current is not None:
            current["lines"].append(line)
    for cell in cells:
        cell["source"] = "\n".join(cell.pop("lines")).strip("\n")
    return cells


def profile_estimates(profile: str) -> dict[str, float]:
    """Each chapter's ``# estimate_seconds: N`` from ``params/<profile>/NAME.yaml`` (absent: none).

    Args:
        profile: the profile folder's name.

    Returns:
        ``{chapter: estimated seconds}`` for the files that state an estimate.
    """
    out = {}
    for path in sorted((runner.PARAMS_DIR / profile).glob("*.yaml")):
        match = _ESTIMATE.search(path.read_text())
        if match and not path.name.startswith("_"):
            out[path.stem] = float(match.group(1))
    return out


class RunPlan(NamedTuple):
    """The chapters a headless run computes, in order, and its budget."""

    order: list[str]  #: chapters in order of value
    budget_seconds: float  #: wall-clock budget of the whole run


def run_order(profile: str) -> RunPlan:
    """The chapters to compute for ``profile``, by value, and the run's budget (``_run.yaml``).

    Args:
        profile: the profile folder's name.

    Returns:
        A :class:`RunPlan`.

    Raises:
        ParameterError: ``_run.yaml`` is missing, malformed or names unknown chapters.
    """
    path = runner.PARAMS_DIR / profile / "_run.yaml"
    if not path.exists():
        raise ParameterError(f"{path} is missing: it lists the chapters to compute, by value, and the budget")
    plan = yaml.safe_load(path.read_text()) or {}
    order, budget = plan.get("order"), plan.get("budget_seconds")
    if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
        raise ParameterError(f"{path}: 'order' must be a list of chapter names")
    if not isinstance(budget, (int, float)) or isinstance(budget, bool) or budget <= 0:
        raise ParameterError(f"{path}: 'budget_seconds' must be a positive number")
    known = set(runner.toc_chapters())
    unknown = [n for n in order if n not in known]
    if unknown:
        raise ParameterError(f"{path}: unknown chapters {unknown}")
    return RunPlan(order, float(budget))


def _stub_notebook_modules() -> None:
    """Make ``from myst_nb import glue`` and ``display(...)`` harmless where no notebook tooling exists."""
    try:
        import myst_nb  # noqa: F401
    except ImportError:
        stub = types.ModuleType("myst_nb")
        stub.glue = lambda name, value, display=True: None
        sys.modules["myst_nb"] = stub
    import builtins

    if not hasattr(builtins, "display"):
        builtins.display = lambda *objects, **kwargs: None


def execute_chapter_script(name: str, profile: str) -> None:
    """Execute chapter ``name`` as a script in this process, with ``profile``'s parameters.

    The parameters cell runs first as written; the profile's values (typed as the runner
    types them) then replace its defaults, as papermill's injected cell would.

    Args:
        name: the chapter.
        profile: the profile whose parameter file to apply.

    Raises:
        ParameterError: a bad profile file.
        Exception: whatever the chapter raises (the caller reports it).
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    _stub_notebook_modules()
    path = runner.chapter_path(name)
    cells = read_py_percent(path)
    defaults = runner.parameter_defaults(types.SimpleNamespace(cells=cells), name)
    values = runner.load_profile(name, profile, defaults)
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(path)}
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        code = compile(cell.source, f"{path}:cell{index}", "exec")
        exec(code, namespace)  # noqa: S102 - the chapter is this repository's own code
        if "parameters" in cell.metadata["tags"]:
            namespace.update(values)
    import matplotlib.pyplot as plt

    plt.close("all")


def _device() -> tuple[str, str]:
    import jax

    d = jax.devices()[0]
    return f"{d.platform}:{getattr(d, 'device_kind', '?')}", jax.__version__


def run_profile(profile: str, out: Path, *, budget: float | None = None, chapters: list[str] | None = None) -> dict:
    """Compute ``profile``'s chapters in order of value within a budget, store and pack the results.

    Args:
        profile: the parameter profile (``gpu``).
        out: a folder for the store copy, the run record and the archive.
        budget: wall-clock seconds for the whole run (default: ``_run.yaml``'s).
        chapters: a subset of the planned chapters (default: all, in order of value).

    Returns:
        The run record (also written to ``<out>/results/<profile>/run.json``).

    Raises:
        ParameterError: a bad run plan or profile.
        RuntimeError: the archive would exceed what may come back (16 MiB).
    """
    from ..cache import import_cached, store_entry

    plan = run_order(profile)
    order = [n for n in plan.order if chapters is None or n in chapters]
    budget = plan.budget_seconds if budget is None else float(budget)
    estimates = profile_estimates(profile)
    store = out / "results" / profile
    store.mkdir(parents=True, exist_ok=True)
    device, jax_version = _device()
    record: dict[str, Any] = {"profile": profile, "device": device, "jax_version": jax_version,
                              "budget_seconds": budget, "chapters": {}}
    start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="ntk-headless-"))
    for name in order:
        elapsed = time.perf_counter() - start
        estimate = estimates.get(name)
        if estimate is None:
            record["chapters"][name] = {"status": "skipped: no estimate_seconds in its profile file"}
            continue
        if elapsed + estimate > budget:
            record["chapters"][name] = {"status": "skipped: over budget", "estimate_seconds": estimate}
            continue
        ledger = work / f"{name}.jsonl"
        env = dict(os.environ, NTK_SCALING_PROFILE=profile, NTK_SCALING_LEDGER=str(ledger), MPLBACKEND="Agg",
                   NTK_SCALING_BOOK=str(runner.REPO_ROOT))
        began = time.perf_counter()
        print(f"[{name}] computing (estimate {estimate:.0f} s, {budget - elapsed:.0f} s of budget left)", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "ntk_scaling.book.headless", "chapter", name, "--profile", profile],
            env=env, cwd=runner.REPO_ROOT, capture_output=True, text=True,
            timeout=max(30.0, budget - elapsed + 60.0),
        )
        seconds = time.perf_counter() - began
        entry: dict[str, Any] = {"seconds": round(seconds, 1), "estimate_seconds": estimate}
        if proc.returncode != 0:
            entry["status"] = "failed"
            entry["error"] = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
            print(proc.stderr[-3000:], file=sys.stderr)
        else:
            n = 0
            for row in runner.read_ledger(ledger):
                fn = import_cached(row["module"], row["qualname"])
                source = Path(row["path"])
                target = store / fn.folder_name() / source.name
                if source.resolve() != target.resolve():
                    store_entry(source, target, fn)
                n += 1
            entry.update(status="done", entries=n)
        record["chapters"][name] = entry
        (store / "run.json").write_text(json.dumps(record, indent=1))
        print(f"[{name}] {entry['status']} in {seconds:.1f} s", flush=True)
    record["total_seconds"] = round(time.perf_counter() - start, 1)
    (store / "run.json").write_text(json.dumps(record, indent=1))
    archive = out / f"{profile}-results.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(store, arcname=profile)
    if archive.stat().st_size > ARCHIVE_LIMIT:
        raise RuntimeError(f"{archive} is {archive.stat().st_size / 2**20:.1f} MiB, over the 16 MiB that may come back")
    shutil.rmtree(work, ignore_errors=True)
    return record


def import_archive(archive: Path, profile: str = "gpu", root: Path | None = None) -> Path:
    """Unpack a run's archive into the results store, replacing that profile's folder.

    Args:
        archive: the ``.tar.gz`` a headless run packed.
        profile: the profile it computed.
        root: the store's root (default: the checkout's ``results/``).

    Returns:
        The store folder written.

    Raises:
        ValueError: the archive holds anything but ``<profile>/...`` regular files.
    """
    root = root or runner.REPO_ROOT / "results"
    target = root / profile
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for m in members:
            parts = Path(m.name).parts
            if not parts or parts[0] != profile or ".." in parts or not (m.isfile() or m.isdir()):
                raise ValueError(f"{archive}: unexpected member {m.name!r}")
        staging = Path(tempfile.mkdtemp(dir=root.parent if root.parent.exists() else None))
        tar.extractall(staging, filter="data")
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging / profile), target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


PACK_LIMIT = 44 * 2**20  #: data and wheels carried to the GPU machine; the repository needs the rest of 64 MiB
GPU_WHEELS = ("pooch==1.8.2", "platformdirs==4.3.6")  #: what the GPU image lacks of our dependencies


def pack_for_gpu(out: Path, *, wheels: bool = True) -> int:
    """Gather what a GPU run carries into ``out``: data (MNIST, Tiny Shakespeare, the subsets) and wheels.

    The GPU image has JAX, optax, numpy, scipy, pandas, matplotlib, PyYAML and tqdm; of
    the project's dependencies it lacks pooch (and its platformdirs), downloaded here as
    Python 3.12 wheels. Data: the official MNIST files as they are, Tiny Shakespeare,
    and the packed subsets of :data:`ntk_scaling.SUBSETS` instead of the full
    Fashion-MNIST and CIFAR-10 copy.

    Args:
        out: the folder to fill (``.gpu/``).
        wheels: also download the wheels the GPU image lacks.

    Returns:
        The size in bytes of ``out``.

    Raises:
        RuntimeError: the pack would not leave room for the repository in 64 MiB.
        subprocess.CalledProcessError: pip could not download the wheels.
    """
    from ..data.subsets import SUBSETS, write_subset
    from ..data.vision import data_dir

    source = data_dir()
    data = out / "data"
    (data / "mnist").mkdir(parents=True, exist_ok=True)
    for f in sorted((source / "mnist").glob("*.gz")):
        shutil.copy2(f, data / "mnist" / f.name)
    text = source / "tinyshakespeare" / "input.txt"
    if text.exists():
        (data / "tinyshakespeare").mkdir(exist_ok=True)
        shutil.copy2(text, data / "tinyshakespeare" / text.name)
    for name in SUBSETS:
        write_subset(name, data)
    if wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--python-version", "3.12", "--implementation", "cp", "--platform", "manylinux2014_x86_64",
             "-d", str(out / "wheels"), *GPU_WHEELS],
            check=True,
        )
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    if size > PACK_LIMIT:
        raise RuntimeError(f"{out} holds {size / 2**20:.1f} MiB, over {PACK_LIMIT / 2**20:.0f} MiB")
    return size


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m ntk_scaling.book.headless", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("--profile", default="gpu")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--budget", type=float, default=None)
    p.add_argument("chapters", nargs="*")
    p = sub.add_parser("chapter")
    p.add_argument("name")
    p.add_argument("--profile", default="gpu")
    p = sub.add_parser("import")
    p.add_argument("archive", type=Path)
    p.add_argument("--profile", default="gpu")
    p = sub.add_parser("pack")
    p.add_argument("--out", type=Path, default=Path(".gpu"))
    p.add_argument("--no-wheels", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.command == "chapter":
            execute_chapter_script(args.name, args.profile)
        elif args.command == "run":
            record = run_profile(args.profile, args.out, budget=args.budget, chapters=args.chapters or None)
            done = sum(c.get("status") == "done" for c in record["chapters"].values())
            print(f"{done}/{len(record['chapters'])} chapters done in {record['total_seconds']:.0f} s on {record['device']}")
        elif args.command == "import":
            print(f"results stored in {import_archive(args.archive, args.profile)}")
        elif args.command == "pack":
            size = pack_for_gpu(args.out, wheels=not args.no_wheels)
            print(f"{args.out}: {size / 2**20:.1f} MiB to carry")
    except (ParameterError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
