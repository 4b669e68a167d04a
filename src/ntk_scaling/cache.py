"""Disk cache for expensive results, keyed by their parameters.

A result is stored once per (name, parameters) pair as a pickle of numpy arrays, so a
rerun of a chapter or an interrupted sweep resumes where it stopped. Files are written
to a temporary name and renamed, so an interrupted write never leaves a half file.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["cache_dir", "cache_key", "cached"]

CACHE_ENV = "NTK_SCALING_CACHE"


def cache_dir() -> Path:
    """Root of the result cache: ``$NTK_SCALING_CACHE`` or ``~/.cache/ntk_scaling/results``."""
    root = os.environ.get(CACHE_ENV)
    path = Path(root) if root else Path.home() / ".cache" / "ntk_scaling" / "results"
    return path.expanduser()


def _canonical(value: Any) -> Any:
    """Turn parameters into plain JSON types so equal parameters give equal keys."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise TypeError(f"cache parameters must be JSON-like; got {type(value).__name__}: {value!r}")


def cache_key(name: str, params: Mapping[str, Any]) -> str:
    """A stable hexadecimal key for ``name`` and a parameter mapping."""
    payload = json.dumps({"name": name, "params": _canonical(params)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _to_numpy(tree: Any) -> Any:
    import jax

    return jax.tree_util.tree_map(lambda leaf: np.asarray(leaf) if hasattr(leaf, "shape") else leaf, tree)


def cached(
    name: str,
    params: Mapping[str, Any],
    compute: Callable[[], Any],
    *,
    root: Path | None = None,
    refresh: bool = False,
) -> Any:
    """Return ``compute()``, reading it from disk when the same (name, params) ran before.

    ``compute`` must return a pytree of arrays and plain Python values. Set the
    environment variable ``NTK_SCALING_CACHE=off`` to disable caching entirely.
    """
    if os.environ.get(CACHE_ENV, "").lower() == "off":
        return _to_numpy(compute())
    folder = (root or cache_dir()) / name
    path = folder / f"{cache_key(name, params)}.pkl"
    if path.exists() and not refresh:
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except (pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            path.unlink(missing_ok=True)  # a corrupt entry is recomputed, never trusted
    result = _to_numpy(compute())
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp = fh.name
    os.replace(tmp, path)
    with (folder / f"{path.stem}.json").open("w") as fh:
        json.dump({"name": name, "params": _canonical(params)}, fh, indent=1)
    return result
