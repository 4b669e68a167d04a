"""The circle-task experiments of [B] Section 5.1 as one sweep of cached online runs.

Chapters 24 (Figs 5 and 7) and 26 (the [A] lens on [B]'s runs) train the same networks; both
call :func:`circle_online_sweep` with the same arguments, so the second reads the runs the
first computed (each run is one cached :func:`ntk_scaling.train_online` call). A run that
diverges comes back as a :class:`ntk_scaling.Diverged` placeholder instead of stopping the
sweep.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

from ..data.circle import CircleTask
from ..nets.mup import MeanFieldMLP
from ..steps import log_steps
from ..sweeps import sweep
from .online import train_online

__all__ = ["CircleRun", "circle_online_sweep"]


class CircleRun(NamedTuple):
    """One (task, γ₀) cell of the sweep."""

    q: float  #: target decay
    q_phi: float  #: activation exponent
    gamma0: float  #: feature-learning strength
    linearised: bool  #: True for the network linearised at initialisation
    result: Any  #: :class:`ntk_scaling.OnlineResult`, or :class:`ntk_scaling.Diverged`


def circle_online_sweep(
    tasks: Sequence[tuple[float, float]],
    gammas: Sequence[float],
    *,
    width: int,
    depth: int,
    eta0: float,
    steps: int,
    batch_size: int,
    n_seeds: int,
    n_records: int,
    n_ntk_records: int,
    n_probe: int,
    n_modes: int,
    n_test: int,
    seed: int = 0,
    task_seed: int = 0,
    linearised: Sequence[tuple[float, float, float]] = (),
    executor: Any = None,
) -> list[CircleRun]:
    """Train a :class:`ntk_scaling.MeanFieldMLP` on each circle task at each γ₀.

    Args:
        tasks: (q, q_φ) pairs: target |y_k| ∝ k^(−q) and activation ReLU^q_φ.
        gammas: γ₀ values (the smallest is the lazy reference).
        width: N, the hidden width.
        depth: L, the number of hidden layers.
        eta0: η₀; the SGD learning rate is η₀γ₀²N.
        steps: online SGD steps T (as :func:`ntk_scaling.train_online`).
        batch_size: B, fresh samples per step.
        n_seeds: initialisations and batch streams, vmapped.
        n_records: log-spaced test-loss records.
        n_ntk_records: log-spaced eNTK records (0: none).
        n_probe: eNTK probe points (a uniform θ grid).
        n_modes: K, Fourier modes of every task's target (the interpolation table has
            max(2¹⁸, 64 K rounded up to a power of 2) points).
        n_test: points of the uniform test grid.
        seed: seed of the runs.
        task_seed: seed of the targets' phases.
        linearised: (q, q_φ, γ₀) cells also trained linearised at initialisation.
        executor: passed to :func:`ntk_scaling.sweep`.

    Returns:
        One :class:`CircleRun` per task and γ₀ (tasks outer), then the linearised cells.
    """
    ntk_steps = [int(s) for s in log_steps(steps, n_ntk_records + 1)[1:]] if n_ntk_records > 0 else []
    cells = [(q, qp, g, False) for q, qp in tasks for g in gammas] + [(q, qp, g, True) for q, qp, g in linearised]
    n_table = max(2**18, 1 << int(np.ceil(np.log2(64 * int(n_modes)))))  # interpolation table ≥ 64 K
    points = []
    for q, qp, g, lin in cells:
        model = MeanFieldMLP(width=int(width), depth=int(depth), gamma0=float(g), q_phi=float(qp))
        points.append(
            {
                "model": model,
                "task": CircleTask(q=float(q), n_modes=int(n_modes), task_seed=int(task_seed), n_test=int(n_test),
                                   n_table=n_table),
                "learning_rate": model.learning_rate(float(eta0)),
                "linearised": bool(lin),
            }
        )
    fixed = {
        "steps": int(steps),
        "batch_size": int(batch_size),
        "n_seeds": int(n_seeds),
        "seed": int(seed),
        "n_records": int(n_records),
        "ntk_steps": ntk_steps,
        "n_probe": int(n_probe),
    }
    swept = sweep(train_online, points, fixed=fixed, executor=executor, desc="circle runs")
    return [CircleRun(float(q), float(qp), float(g), lin, r) for (q, qp, g, lin), r in zip(cells, swept.results)]
