"""Claims tables: the paper's statement and number beside ours, with a verdict.

Every chapter ends with such a table. A verdict is computed, never typed: a claim
"agrees" when the paper's value lies inside our interval widened by a stated tolerance
(appendix "Equations and their status", eq-book-methods-verdict). The tables are read
back from the executed chapters by :mod:`ntk_scaling.book.snapshot` (the verdict
snapshot CI compares) and :mod:`ntk_scaling.book.scoreboard` (the first page).
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "Claim",
    "ClaimsTable",
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
    """``0.51 [0.47, 0.55]`` style text.

    Args:
        value: the central value.
        interval: (low, high).
        digits: decimals shown.

    Returns:
        The text.
    """
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

    Args:
        target: the paper's value.
        interval: our (low, high) interval.
        tolerance: the widening on each side, in the quantity's units.

    Returns:
        "agrees", "disagrees", or "not tested" when any input is not finite.
    """
    lo, hi = interval
    if not (np.isfinite(lo) and np.isfinite(hi) and np.isfinite(target)):
        return "not tested"
    return "agrees" if lo - tolerance <= target <= hi + tolerance else "disagrees"


class ClaimsTable(pd.DataFrame):
    """A claims table: a DataFrame that displays every cell in full.

    pandas cuts cells longer than ``display.max_colwidth`` (50 characters) with "...";
    a claim or a note cut short is useless to a reader, and the scoreboard reads the
    statements back from the rendered table. This subclass renders without that limit.
    """

    @property
    def _constructor(self) -> type:
        return ClaimsTable

    def _repr_html_(self) -> str | None:
        with pd.option_context("display.max_colwidth", None):
            return super()._repr_html_()

    def __repr__(self) -> str:
        with pd.option_context("display.max_colwidth", None):
            return super().__repr__()


def claims_table(claims: Sequence[Claim]) -> ClaimsTable:
    """A DataFrame with one row per claim, ready to display at the end of a chapter.

    Args:
        claims: the rows.

    Returns:
        A :class:`ClaimsTable` (a DataFrame shown without truncating any cell) with
        columns "Paper's claim", "Paper", "Ours", "Verdict", "Note"; index from 1.

    Raises:
        ValueError: a verdict other than "agrees", "disagrees", "partly" or "not tested".
    """
    allowed = {"agrees", "disagrees", "partly", "not tested"}
    for c in claims:
        if c.verdict not in allowed:
            raise ValueError(f"verdict must be one of {sorted(allowed)}, got {c.verdict!r}")
    frame = ClaimsTable(
        [c._asdict() for c in claims],
        columns=["statement", "paper", "ours", "verdict", "note"],
    )
    frame.columns = ["Paper's claim", "Paper", "Ours", "Verdict", "Note"]
    frame.index = range(1, len(frame) + 1)
    return frame
