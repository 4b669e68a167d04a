"""Claims tables: the paper's statement and number beside ours, with a verdict.

Every chapter ends with such a table. A verdict is computed, never typed: a claim
"agrees" when the paper's value lies inside our interval widened by a stated tolerance.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "Claim",
    "format_interval",
    "verdict_interval",
    "claims_table",
]


class Claim(NamedTuple):
    """One row of a claims table."""

    statement: str  #: the paper's claim in our words
    paper: str  #: the paper's number or prediction, as text
    ours: str  #: our measurement with its uncertainty, as text
    verdict: str  #: "agrees", "disagrees", "partly" or "not tested"
    note: str = ""  #: one sentence on any difference and why


def format_interval(value: float, interval: tuple[float, float], digits: int = 2) -> str:
    """``0.51 [0.47, 0.55]`` style text."""
    lo, hi = interval
    return f"{value:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def verdict_interval(
    target: float,
    interval: tuple[float, float],
    *,
    tolerance: float = 0.0,
) -> str:
    """"agrees" if ``target`` lies in ``interval`` widened by ``tolerance`` on each side.

    The tolerance states how far a finite-size measurement may sit from an asymptotic
    prediction before we call it a disagreement; chapters say which tolerance they use.
    """
    lo, hi = interval
    if not (np.isfinite(lo) and np.isfinite(hi) and np.isfinite(target)):
        return "not tested"
    return "agrees" if lo - tolerance <= target <= hi + tolerance else "disagrees"


def claims_table(claims: Sequence[Claim]) -> pd.DataFrame:
    """A DataFrame with one row per claim, ready to display at the end of a chapter."""
    allowed = {"agrees", "disagrees", "partly", "not tested"}
    for c in claims:
        if c.verdict not in allowed:
            raise ValueError(f"verdict must be one of {sorted(allowed)}, got {c.verdict!r}")
    frame = pd.DataFrame(
        [c._asdict() for c in claims],
        columns=["statement", "paper", "ours", "verdict", "note"],
    )
    frame.columns = ["Paper's claim", "Paper", "Ours", "Verdict", "Note"]
    frame.index = range(1, len(frame) + 1)
    return frame
