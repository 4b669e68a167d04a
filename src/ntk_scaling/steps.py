"""Log-spaced step grids, shared by the simulations, the DMFT solvers and training.

Scaling laws are read on log axes, so every learning curve of the book is recorded at
integer steps spread geometrically from 1 to the last step, with step 0 prepended.
"""

from __future__ import annotations

import numpy as np

from .validation import check_int

__all__ = ["log_steps"]


def log_steps(last: int, n_points: int) -> np.ndarray:
    """Integer steps ``0 = s_0 < s_1 < ... < s_R = last``, log-spaced over ``[1, last]``.

    ``n_points − 1`` points are spread geometrically over ``[1, last]`` and rounded;
    duplicates at small steps are dropped, so fewer than ``n_points`` may come back.

    Args:
        last: the final step (≥ 1), always included.
        n_points: the most points to return (≥ 2), step 0 included.

    Returns:
        int64 array of shape (R + 1,) with R + 1 ≤ ``n_points``, strictly increasing.

    Raises:
        TypeError, ValueError: ``last`` or ``n_points`` is not an integer in range.
    """
    last = check_int(last, "last step")
    n_points = check_int(n_points, "number of recorded steps", 2)
    rest = np.unique(np.rint(np.geomspace(1, last, n_points - 1)).astype(np.int64))
    return np.concatenate([[0], rest]).astype(np.int64)
