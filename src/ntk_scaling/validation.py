"""Argument checks shared by the simulators, so bad input fails with a message naming it."""

from __future__ import annotations

import math

import numpy as np

from .tasks import PowerLawTask


def check_int(value: object, name: str, minimum: int = 1) -> int:
    """``value`` as an int, or a TypeError/ValueError naming ``name`` and the bound."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_float(value: object, name: str, *, positive: bool) -> float:
    """``value`` as a finite float, positive (or non-negative when ``positive=False``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    if not positive and value < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def check_task(task: object) -> PowerLawTask:
    """``task`` if it is a :class:`PowerLawTask`, else a TypeError saying how to build one."""
    if not isinstance(task, PowerLawTask):
        raise TypeError(f"task must be a PowerLawTask (see ntk_scaling.power_law_task), got {type(task).__name__}")
    return task
