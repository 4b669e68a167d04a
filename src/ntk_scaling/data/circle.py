"""Circle tasks with power-law Fourier spectra ([B] Section 5.1, Appendix A.1; arXiv 2409.17858).

Inputs are points of the unit circle, x = (cos θ, sin θ) with θ uniform on [0, 2π). The
target is a random-phase Fourier series with power-law amplitudes,

    y(θ) = c · Σ_{k=1}^{K} k^(−q) cos(kθ + φ_k),     c such that E_θ[y²] = 1,

i.e. c⁻² = ½ Σ_k k^(−2q). The phases φ_k ~ U[0, 2π) are drawn once from ``task_seed``
and shared by all network seeds. (Equations appendix, ``eq-b-circle-target``; [B] writes
the target with cosines and power-law amplitudes; the random phases and the unit-variance
normalisation are our choices.)

**Online sampling.** :meth:`CircleTask.sample` draws fresh θ every call. The target at a
random θ is read from a periodic table of ``n_table`` exact values (computed once by an
inverse FFT) by linear interpolation: for a mode k the relative error is at most
(2πk/n_table)²/8, i.e. 3·10⁻⁴ for k = 2000 at the default 2¹⁸ points, and the error
variance is below 10⁻⁹ of the target's variance for every q ≥ 1 used in the book
(``tests/test_circle.py``). Cost: O(1) per sample, 1 MB of table.

**Exact test loss.** :meth:`CircleTask.test_set` is a uniform grid of ``n_test`` > 2K
angles with exact targets. The squared error of a function band-limited below n_test − K
is integrated exactly by the grid mean, so the test loss is the population loss up to the
network's own aliasing above that frequency (negligible: its spectrum decays like the NTK's).

**Truncation.** A truncated target differs from the infinite series only through the tail
Σ_{k>K} k^(−2q); a network that has learned modes up to k* sees the truncation at relative
size (k*/K)^(2q−1) in its loss. :func:`circle_truncation_fraction` gives that number; the
chapters check it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "CircleTask",
    "check_circle_task",
    "circle_amplitudes",
    "circle_fourier_power",
    "circle_inputs",
    "circle_phases",
    "circle_target",
    "circle_target_grid",
    "circle_truncation_fraction",
]


def _is_int(v: object) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


class CircleTask(NamedTuple):
    """A power-law Fourier target on the unit circle (module docstring).

    A NamedTuple (it enters cache keys by value) that also implements the task protocol of
    :func:`ntk_scaling.train_online`: ``load()``, ``sample(data, key, batch_size)``,
    ``test_set(data)`` and ``probe_set(data, n)``.
    """

    q: float  #: amplitude decay |y_k| ∝ k^(−q); > 1/2 for a square-integrable target
    n_modes: int = 2048  #: K, the number of Fourier modes kept
    task_seed: int = 0  #: seed of the fixed phases φ_k
    n_test: int = 8192  #: uniform test-grid points (> 2K)
    n_table: int = 2**18  #: periodic interpolation table for online targets (≥ 64 K)

    @property
    def program_key(self) -> CircleTask:
        """A task whose ``sample`` runs the same code (only ``n_table`` matters).

        One compiled training program then serves every q, K and phase seed.
        """
        return self._replace(q=1.0, n_modes=1, task_seed=0, n_test=3)

    def load(self) -> dict[str, jax.Array]:
        """Device arrays used by the sampler and the test loss (computed once per run)."""
        check_circle_task(self)
        table = circle_target_grid(self.n_table, self)
        theta = 2 * np.pi * np.arange(self.n_test) / self.n_test
        return {
            "table": jnp.asarray(np.append(table, table[0]), jnp.float32),
            "x_test": jnp.asarray(circle_inputs(theta), jnp.float32),
            "y_test": jnp.asarray(circle_target_grid(self.n_test, self)[:, None], jnp.float32),
        }

    def sample(self, data: dict[str, jax.Array], key: jax.Array, batch_size: int) -> tuple[jax.Array, jax.Array]:
        """A fresh batch: x (B, 2) with θ uniform, y (B, 1) by interpolation of the table."""
        u = jax.random.uniform(key, (batch_size,), jnp.float32)
        pos = u * self.n_table
        i = jnp.clip(jnp.floor(pos).astype(jnp.int32), 0, self.n_table - 1)
        frac = pos - i
        table = data["table"]
        y = (1.0 - frac) * table[i] + frac * table[i + 1]
        theta = 2.0 * jnp.pi * u
        return jnp.stack([jnp.cos(theta), jnp.sin(theta)], axis=1), y[:, None]

    def test_set(self, data: dict[str, jax.Array]) -> tuple[jax.Array, jax.Array]:
        """The uniform test grid: x (n_test, 2), exact y (n_test, 1)."""
        return data["x_test"], data["y_test"]

    def probe_set(self, data: dict[str, jax.Array], n: int) -> tuple[jax.Array, jax.Array]:
        """``n`` uniformly spaced probe angles for the eNTK: x (n, 2), exact y (n, 1)."""
        theta = 2 * np.pi * np.arange(n) / n
        y = circle_target(theta, self)
        return jnp.asarray(circle_inputs(theta), jnp.float32), jnp.asarray(y[:, None], jnp.float32)


def check_circle_task(task: object) -> CircleTask:
    """``task`` if it is a valid :class:`CircleTask`.

    Args:
        task: the object to check: q a finite number > 1/2, n_modes ≥ 1, task_seed ≥ 0,
            n_test > 2·n_modes and n_table ≥ 64·n_modes (integers).

    Returns:
        ``task`` itself, unchanged.

    Raises:
        TypeError: not a CircleTask.
        ValueError: a field out of range (names it).
    """
    if not isinstance(task, CircleTask):
        raise TypeError(f"expected a CircleTask, got {type(task).__name__}")
    q = task.q
    if isinstance(q, bool) or not isinstance(q, (int, float)) or not (math.isfinite(q) and q > 0.5):
        raise ValueError(f"CircleTask.q must be a finite number > 1/2 (square-integrable target), got {q!r}")
    if not _is_int(task.n_modes) or task.n_modes < 1:
        raise ValueError(f"CircleTask.n_modes must be a positive integer, got {task.n_modes!r}")
    if not _is_int(task.task_seed) or task.task_seed < 0:
        raise ValueError(f"CircleTask.task_seed must be a non-negative integer, got {task.task_seed!r}")
    if not _is_int(task.n_test) or task.n_test <= 2 * task.n_modes:
        raise ValueError(f"CircleTask.n_test must exceed 2·n_modes = {2 * task.n_modes} to resolve mode K, got {task.n_test!r}")
    if not _is_int(task.n_table) or task.n_table < 64 * task.n_modes:
        raise ValueError(f"CircleTask.n_table must be at least 64·n_modes = {64 * task.n_modes}, got {task.n_table!r}")
    return task


def circle_inputs(theta: np.ndarray) -> np.ndarray:
    """Inputs on the unit circle, x = (cos θ, sin θ), shape (n, 2), float64.

    Appendix label ``eq-b-circle-target`` ([B] Section 5.1).

    Args:
        theta: angles in radians, any shape (flattened to n values).

    Returns:
        (n, 2) float64 array of (cos θ, sin θ).
    """
    theta = np.asarray(theta, dtype=np.float64).ravel()
    return np.stack([np.cos(theta), np.sin(theta)], axis=1)


def circle_amplitudes(q: float, n_modes: int) -> np.ndarray:
    """a_k = c k^(−q), k = 1..K, with ½ Σ a_k² = 1 (unit-variance target); float64 (K,).

    Appendix label ``eq-b-circle-target`` (the unit variance is our choice). No validation:
    :func:`check_circle_task` checks q and K for a task.

    Args:
        q: the amplitude decay exponent (q > 1/2 for a square-integrable target).
        n_modes: K, the number of modes.

    Returns:
        (K,) float64 amplitudes a_1..a_K, normalised so that ½ Σ a_k² = 1.
    """
    k = np.arange(1, int(n_modes) + 1, dtype=np.float64)
    a = k ** (-float(q))
    return a / np.sqrt(0.5 * np.sum(a * a))


def circle_phases(n_modes: int, task_seed: int) -> np.ndarray:
    """The fixed phases φ_k ~ U[0, 2π), k = 1..K, from ``task_seed`` (numpy PCG64); (K,).

    Appendix label ``eq-b-circle-target`` (the random phases are our choice).

    Args:
        n_modes: K, the number of modes.
        task_seed: seed of ``numpy.random.default_rng``.

    Returns:
        (K,) float64 phases in radians, φ_1..φ_K.
    """
    return np.random.default_rng(int(task_seed)).uniform(0.0, 2.0 * np.pi, int(n_modes))


def circle_target(theta: np.ndarray, task: CircleTask, *, chunk: int = 512) -> np.ndarray:
    """Exact y(θ) by direct summation in float64 (O(n·K)); for probes and checks.

    Args:
        theta: angles, any shape (flattened).
        task: the task.
        chunk: angles per block (memory only).

    Returns:
        (n,) float64.
    """
    check_circle_task(task)
    theta = np.asarray(theta, dtype=np.float64).ravel()
    a = circle_amplitudes(task.q, task.n_modes)
    phi = circle_phases(task.n_modes, task.task_seed)
    k = np.arange(1, task.n_modes + 1, dtype=np.float64)
    out = np.empty(theta.size)
    for s in range(0, theta.size, chunk):
        out[s : s + chunk] = np.cos(np.outer(theta[s : s + chunk], k) + phi) @ a
    return out


def circle_target_grid(n: int, task: CircleTask) -> np.ndarray:
    """Exact y(2πj/n), j = 0..n−1, by an inverse real FFT (n > 2K); (n,) float64.

    Appendix label ``eq-b-circle-target``. Cost O(n log n).

    Args:
        n: number of grid points, an integer > 2K.
        task: the task (validated by :func:`check_circle_task`).

    Returns:
        (n,) float64 target values at the angles 2πj/n.

    Raises:
        TypeError: ``task`` is not a :class:`CircleTask`.
        ValueError: an invalid task field, or n not an integer > 2K (the grid would alias
            the target).
    """
    check_circle_task(task)
    if not _is_int(n) or n <= 2 * task.n_modes:
        raise ValueError(f"grid size must exceed 2·n_modes = {2 * task.n_modes}, got {n!r}")
    coef = np.zeros(n // 2 + 1, dtype=np.complex128)
    coef[1 : task.n_modes + 1] = circle_amplitudes(task.q, task.n_modes) * np.exp(1j * circle_phases(task.n_modes, task.task_seed))
    return 0.5 * n * np.fft.irfft(coef, n)


def circle_fourier_power(y_grid: np.ndarray) -> np.ndarray:
    """Power |ŷ_k|² of a function sampled on a uniform grid, k = 0..n/2 (float64).

    Normalised so that y = Σ_k a_k cos(kθ + φ_k) gives |ŷ_k|² = a_k² (k ≥ 1) and the
    variance is ½ Σ_{k≥1} |ŷ_k|² (for k < n/2). Used to check ``eq-b-circle-target``
    and ``eq-b-circle-exponents`` numerically.

    Args:
        y_grid: (n,) values on the uniform grid θ_j = 2πj/n (any shape, flattened), n ≥ 4.

    Returns:
        (n//2 + 1,) float64 powers: entry 0 is the squared mean, entry k ≥ 1 is
        4|c_k|² with c = rfft(y)/n (the Nyquist entry, for even n, is not halved).

    Raises:
        ValueError: fewer than 4 values, or a NaN/inf value.
    """
    y = np.asarray(y_grid, dtype=np.float64).ravel()
    if y.size < 4 or not np.all(np.isfinite(y)):
        raise ValueError("circle_fourier_power needs at least 4 finite grid values")
    c = np.fft.rfft(y) / y.size
    power = 4.0 * np.abs(c) ** 2
    power[0] = np.abs(c[0]) ** 2
    return power


def circle_truncation_fraction(q: float, n_modes: int, k_learned: float) -> float:
    """(Σ_{k>K} k^(−2q)) / (Σ_{k>k*} k^(−2q)): how much of the untruncated tail the truncation removes.

    The loss of a network that has learned the modes below k* differs from the
    untruncated task's by this fraction (integral approximation; q > 1/2). Our estimate,
    for the truncation K of ``eq-b-circle-target``.

    Args:
        q: amplitude decay exponent, > 1/2.
        n_modes: K, the number of modes kept.
        k_learned: k*, the highest mode the network has learned (values below 1 count as 1).

    Returns:
        ((k* + ½)/(K + ½))^(2q−1), capped at 1 (dimensionless).

    Raises:
        ValueError: q ≤ 1/2.
    """
    if not q > 0.5:
        raise ValueError(f"q must exceed 1/2, got {q!r}")
    p = 2.0 * float(q) - 1.0
    k_learned = max(float(k_learned), 1.0)
    return float(min(1.0, ((k_learned + 0.5) / (float(n_modes) + 0.5)) ** p))
