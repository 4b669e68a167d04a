"""Parameter sweeps with progress bars and per-point caching (an interrupted sweep resumes)."""

from __future__ import annotations

import itertools
from typing import Any, Callable, Mapping, Sequence

from tqdm.auto import tqdm

from .cache import cached

__all__ = [
    "grid",
    "run_sweep",
]


def grid(**axes: Sequence[Any]) -> list[dict[str, Any]]:
    """Cartesian product of named axes, as a list of parameter dicts (last axis fastest)."""
    for name, values in axes.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"grid axis {name!r} must be a sequence of values, got {values!r}")
    names = list(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*(list(axes[n]) for n in names))]


def run_sweep(
    fn: Callable[..., Any],
    points: Sequence[Mapping[str, Any]],
    *,
    name: str,
    fixed: Mapping[str, Any] | None = None,
    desc: str | None = None,
    use_cache: bool = True,
) -> list[Any]:
    """Evaluate ``fn(**fixed, **point)`` at every point, caching each result on disk.

    ``name`` namespaces the cache; ``fixed`` holds the arguments shared by all points
    (they are part of every cache key). Results come back in the order of ``points``.
    """
    fixed = dict(fixed or {})
    results = []
    for point in tqdm(list(points), desc=desc or name, leave=False):
        clash = set(point) & set(fixed)
        if clash:
            raise ValueError(f"sweep point and fixed arguments both set {sorted(clash)}")
        kwargs = {**fixed, **point}
        if use_cache:
            results.append(cached(name, kwargs, lambda kw=kwargs: fn(**kw)))
        else:
            results.append(fn(**kwargs))
    return results
