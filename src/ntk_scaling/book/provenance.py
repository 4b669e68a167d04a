"""Where each result of the book came from: computed in this build, read from the cache, or
read from the results store, with the provenance each entry carries.

The runner stores every chapter's cached calls in its executed notebook's metadata
(``metadata.ntk_scaling.results``); these helpers gather them for the reproducibility
chapter.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

__all__ = ["chapter_results", "provenance_summary", "gpu_run_times"]

_COLUMNS = ["chapter", "function", "key", "source", "backend", "device", "jax_version", "git_commit",
            "wall_seconds", "date"]


def chapter_results(book_dir: Path | str, chapters: list[str] | None = None) -> pd.DataFrame:
    """One row per cached call recorded in the executed notebooks of ``book_dir``.

    Args:
        book_dir: the folder of executed notebooks (``book/``).
        chapters: the chapters to read, in order (default: every ``*.ipynb`` there).

    Returns:
        A DataFrame with columns chapter, function (short name), key, source ("computed",
        "cache", "store" or "diverged"), backend, device, jax_version, git_commit,
        wall_seconds (of the original computation) and date (of the computation).
    """
    book_dir = Path(book_dir)
    names = chapters if chapters is not None else sorted(p.stem for p in book_dir.glob("*.ipynb") if ".partial" not in p.name)
    rows = []
    for name in names:
        path = book_dir / f"{name}.ipynb"
        if not path.exists():
            continue
        meta = json.loads(path.read_text()).get("metadata", {}).get("ntk_scaling", {})
        for record in meta.get("results", []):
            prov = record.get("provenance", {})
            rows.append({
                "chapter": name,
                "function": record["function"].rsplit(".", 1)[-1],
                "key": record["key"][:12],
                "source": record["source"],
                "backend": prov.get("backend"),
                "device": prov.get("device"),
                "jax_version": prov.get("jax_version"),
                "git_commit": (prov.get("git_commit") or "")[:12] or None,
                "wall_seconds": prov.get("wall_seconds"),
                "date": prov.get("date"),
            })
    return pd.DataFrame(rows, columns=_COLUMNS)


def provenance_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per chapter and function: how many results were computed, read from cache or store.

    Args:
        results: the output of :func:`chapter_results`.

    Returns:
        A DataFrame indexed by (chapter, function) with the counts per source, the devices
        and JAX versions that computed them, and their total original compute time (s).
    """
    if results.empty:
        return pd.DataFrame(columns=["computed", "cache", "store", "diverged", "devices", "jax", "compute seconds"])
    counts = pd.crosstab([results["chapter"], results["function"]], results["source"])
    counts.columns.name = None
    for column in ("computed", "cache", "store", "diverged"):
        if column not in counts:
            counts[column] = 0
    grouped = results.groupby(["chapter", "function"])
    counts["devices"] = grouped["device"].agg(lambda s: ", ".join(sorted({str(v) for v in s.dropna()})))
    counts["jax"] = grouped["jax_version"].agg(lambda s: ", ".join(sorted({str(v) for v in s.dropna()})))
    counts["compute seconds"] = grouped["wall_seconds"].sum().round(1)
    return counts[["computed", "cache", "store", "diverged", "devices", "jax", "compute seconds"]]


def gpu_run_times(results_root: Path | str, profile: str = "gpu") -> pd.DataFrame | None:
    """Per-chapter times of the last GPU run that filled ``results/<profile>/``, if any.

    Args:
        results_root: the results store's root.
        profile: the profile whose run log to read.

    Returns:
        A DataFrame indexed by chapter (seconds, estimate_seconds, status, device), or
        None when no GPU run was recorded.
    """
    path = Path(results_root) / profile / "run.json"
    if not path.exists():
        return None
    run = json.loads(path.read_text())
    frame = pd.DataFrame.from_dict(run.get("chapters", {}), orient="index")
    frame.attrs["device"] = run.get("device")
    frame.attrs["jax_version"] = run.get("jax_version")
    return frame
