"""Parameter sweeps over cached computations, in process or on any executor (Dask included).

:func:`sweep` takes a grid of points and a :func:`~ntk_scaling.cached_function` of one
configuration. It reuses every point already in the results store or the cache, computes
the others (in this process, or on a ``concurrent.futures``-style executor such as a Dask
``distributed.Client``), and returns the results in the order of the points, with a
progress bar and a summary of computed against reused points. A point whose computation
diverges comes back as a :class:`~ntk_scaling.Diverged` placeholder carrying the error;
it is recorded as such and not retried unless forced.

Each point is written to the cache by whichever process computed it, atomically, as soon
as it finishes: an interrupted sweep resumes where it stopped, and a worker killed
mid-sweep loses only the points it was computing. Seeds stay a batched axis *inside* one
configuration (``vmap``, with a fixed seed-chunk size), so a point's result does not
depend on where it ran.

For many processes or machines use :func:`dask_executor` (a ``LocalCluster`` by default,
or the address of a running scheduler, e.g. one started by ``dask-jobqueue`` on Slurm).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
from typing import Any, Iterator, Mapping, NamedTuple, Sequence

from tqdm.auto import tqdm

from .cache import CachedFunction, Diverged, DivergenceError, _describe_arguments, cache_policy

__all__ = ["grid", "sweep", "SweepResult", "dask_executor"]


def grid(**axes: Sequence[Any]) -> list[dict[str, Any]]:
    """Cartesian product of named axes, as a list of parameter dicts (last axis fastest).

    Args:
        **axes: one sequence of values per parameter name.

    Returns:
        One dict per combination, e.g. ``grid(a=[1, 2], b=[3])`` gives
        ``[{"a": 1, "b": 3}, {"a": 2, "b": 3}]``.

    Raises:
        TypeError: an axis is not a sequence (a bare number or a string).
    """
    for name, values in axes.items():
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"grid axis {name!r} must be a sequence of values, got {values!r}")
    names = list(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*(list(axes[n]) for n in names))]


class SweepResult(NamedTuple):
    """Results of a sweep, in the order of its points."""

    points: list[dict]  #: the points' own arguments (without the fixed ones)
    results: list[Any]  #: one result per point, or a Diverged placeholder
    computed: list[bool]  #: True where the point was computed in this sweep

    @property
    def n_computed(self) -> int:
        """Points computed in this sweep."""
        return sum(self.computed)

    @property
    def n_reused(self) -> int:
        """Points read from the results store or the cache."""
        return sum(not c and not isinstance(r, Diverged) for c, r in zip(self.computed, self.results))

    @property
    def diverged(self) -> list[Diverged]:
        """The placeholders of the points that diverged."""
        return [r for r in self.results if isinstance(r, Diverged)]

    def summary(self) -> str:
        """One line: how many points were computed, reused and diverged."""
        return (
            f"{len(self.points)} points: {self.n_computed} computed, {self.n_reused} reused from store or cache, "
            f"{len(self.diverged)} diverged"
        )


def _compute_point(fn: CachedFunction, kwargs: dict[str, Any], refresh: bool) -> Any:
    """Run one point wherever the executor put it; a divergence becomes a placeholder."""
    with cache_policy(refresh=refresh):
        try:
            return fn(**kwargs)
        except DivergenceError as exc:
            return Diverged(_describe_arguments(kwargs, fn.ignore), str(exc))


def sweep(
    fn: CachedFunction,
    points: Sequence[Mapping[str, Any]],
    *,
    fixed: Mapping[str, Any] | None = None,
    executor: concurrent.futures.Executor | Any | None = None,
    desc: str | None = None,
    refresh: bool = False,
) -> SweepResult:
    """Evaluate ``fn(**fixed, **point)`` at every point, reusing stored and cached results.

    Args:
        fn: a function decorated with :func:`~ntk_scaling.cached_function`.
        points: one mapping of arguments per point (e.g. from :func:`grid`).
        fixed: arguments shared by every point.
        executor: anything with ``submit(fn, *args)`` returning a future with
            ``result()`` (``concurrent.futures`` executors, ``dask_executor()``); None
            computes in this process.
        desc: the progress bar's label (default: the function's name).
        refresh: recompute every point, diverged ones included.

    Returns:
        A :class:`SweepResult`; diverged points hold :class:`~ntk_scaling.Diverged`.

    Raises:
        TypeError: ``fn`` is not a cached function.
        ValueError: a point and ``fixed`` set the same argument.
    """
    if not isinstance(fn, CachedFunction):
        raise TypeError(f"sweep needs a cached function (see ntk_scaling.cached_function), got {fn!r}")
    fixed = dict(fixed or {})
    points = [dict(p) for p in points]
    calls = []
    for point in points:
        clash = set(point) & set(fixed)
        if clash:
            raise ValueError(f"sweep point and fixed arguments both set {sorted(clash)}")
        calls.append({**fixed, **point})
    results: list[Any] = [None] * len(calls)
    computed = [False] * len(calls)
    todo: list[int] = []
    for i, kwargs in enumerate(calls):
        fn.bind(**kwargs)  # a bad call fails here, before anything runs
        if refresh:
            todo.append(i)
            continue
        try:
            found = fn.lookup(**kwargs)
        except DivergenceError as exc:
            results[i] = Diverged(_describe_arguments(kwargs, fn.ignore), str(exc))
            continue
        if found is None:
            todo.append(i)
        else:
            results[i] = found
    label = desc or fn.name.rsplit(".", 1)[-1]
    bar = tqdm(total=len(calls), initial=len(calls) - len(todo), desc=label, leave=False)
    try:
        if executor is None:
            for i in todo:
                results[i] = _compute_point(fn, calls[i], refresh)
                computed[i] = True
                bar.update()
        else:
            futures = {executor.submit(_compute_point, fn, calls[i], refresh): i for i in todo}
            for future in _as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                computed[i] = True
                bar.update()
    finally:
        bar.close()
    out = SweepResult(points, results, computed)
    bar.write(f"{label}: {out.summary()}")
    return out


def _as_completed(futures: Mapping[Any, int]) -> Iterator[Any]:
    if all(isinstance(f, concurrent.futures.Future) for f in futures):
        yield from concurrent.futures.as_completed(futures)
        return
    try:  # Dask futures from Client.submit
        from distributed import as_completed as dask_as_completed
    except ImportError:  # pragma: no cover - only without distributed
        yield from futures
        return
    yield from dask_as_completed(list(futures))


@contextlib.contextmanager
def dask_executor(
    address: str | None = None, *, n_workers: int = 2, threads_per_worker: int = 1, **cluster_kwargs: Any
) -> Iterator[Any]:
    """A Dask executor for :func:`sweep`: a ``LocalCluster`` of processes, or a running scheduler.

    Workers inherit this process's environment, so they read and write the same cache
    (``$NTK_SCALING_CACHE``) and store. On a cluster the cache must be a shared folder.
    With GPUs give each worker one device (``CUDA_VISIBLE_DEVICES`` per worker, as
    ``dask-cuda`` or a ``dask-jobqueue`` job script does).

    Args:
        address: a scheduler address (``tcp://host:8786``); None starts a LocalCluster.
        n_workers: worker processes of the LocalCluster.
        threads_per_worker: threads per worker (1: one configuration at a time each).
        **cluster_kwargs: passed to ``distributed.LocalCluster``.

    Yields:
        A ``concurrent.futures``-compatible executor backed by the Dask client.

    Raises:
        ImportError: ``distributed`` is not installed (``pip install "dask[distributed]"``).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a dependency of the test extra
        raise ImportError('dask_executor needs dask.distributed: pip install "dask[distributed]"') from exc
    if address is not None:
        with Client(address) as client:
            yield client.get_executor(pure=False)
        return
    cluster_kwargs.setdefault("processes", True)
    cluster_kwargs.setdefault("dashboard_address", None)
    with LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, **cluster_kwargs) as cluster:
        with Client(cluster) as client:
            yield client.get_executor(pure=False)
