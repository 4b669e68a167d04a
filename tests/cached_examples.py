"""Cached functions used by the cache and sweep tests.

They live in an importable module (not inside a test) so that Dask workers, which unpickle
a cached function by its module and name, can find them. Each computation appends one
line to ``$NTK_SCALING_TEST_CALLS`` so tests can count computations across processes.
"""

from __future__ import annotations

import os
from typing import NamedTuple

import jax
import numpy as np

from ntk_scaling import DivergenceError, cached_function, register_result_type


def _count(tag: str) -> None:
    path = os.environ.get("NTK_SCALING_TEST_CALLS")
    if path:
        with open(path, "a") as fh:
            fh.write(f"{tag} {os.getpid()}\n")


@register_result_type
class Curve(NamedTuple):
    steps: np.ndarray
    loss: np.ndarray
    label: str


@cached_function(version=1, ignore=("chunk",))
def power_curve(exponent: float, *, n: int = 5, scale: float = 1.0, chunk: int = 2, weights=None) -> Curve:
    """A toy 'expensive' result; ``chunk`` is declared not to change it."""
    _count(f"power_curve {exponent} {n} {scale}")
    steps = np.arange(1, n + 1, dtype=np.float64)
    loss = scale * steps ** (-exponent)
    if weights is not None:
        loss = loss * np.asarray(weights, dtype=np.float64).sum()
    return Curve(steps, loss, f"p={exponent}")


@cached_function(version=1)
def noisy_simulation(key: jax.Array, width: int, steps: int = 50) -> dict:
    """A small seeded JAX computation (for bit-for-bit comparisons across processes)."""
    _count(f"noisy_simulation {width}")
    x = jax.random.normal(key, (width, width))
    for _ in range(steps):
        x = jax.numpy.tanh(x @ x.T / width)
    return {"trace": np.asarray(jax.numpy.trace(x)), "x": np.asarray(x)}


@cached_function(version=1)
def may_diverge(value: float) -> float:
    """Diverges for negative values."""
    _count(f"may_diverge {value}")
    if value < 0:
        raise DivergenceError(f"may_diverge diverged at value={value}")
    return float(np.sqrt(value))


@cached_function(version=1)
def interrupted(value: int, stop_at: int = -1) -> int:
    """Raises KeyboardInterrupt at ``stop_at`` (an interrupted sweep)."""
    if value == stop_at:
        raise KeyboardInterrupt
    _count(f"interrupted {value}")
    return value * value


@cached_function(version=1)
def kills_worker_once(value: int, marker: str = "") -> int:
    """Kills its own process the first time it sees ``value == 2`` (a worker dying mid-sweep)."""
    if value == 2 and marker and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    _count(f"kills_worker_once {value}")
    return value + 100


@cached_function(version=1)
def fails_midway(value: int) -> int:
    """Raises an ordinary error after doing some work: nothing may be left behind."""
    _count(f"fails_midway {value}")
    raise RuntimeError("broken computation")
