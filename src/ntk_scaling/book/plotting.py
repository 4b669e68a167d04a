"""The book's one figure style, plus helpers for guide lines and seed bands."""

from __future__ import annotations

from typing import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "BOOK_STYLE",
    "use_book_style",
    "colors",
    "guide_line",
    "seed_band",
    "label_axes",
    "panel_letters",
    "log_ticks_at",
]

BOOK_STYLE: dict[str, object] = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
}


def use_book_style() -> None:
    """Apply the book's matplotlib style (call once at the top of a chapter)."""
    mpl.rcParams.update(BOOK_STYLE)


def colors(n: int, cmap: str = "viridis") -> list[tuple[float, float, float, float]]:
    """``n`` colours spread along a sequential colour map (for sweeps over N, γ, B...).

    Args:
        n: the number of colours (at least one is returned).
        cmap: a matplotlib colour-map name.

    Returns:
        RGBA tuples, light to dark as the map runs.
    """
    cm = plt.get_cmap(cmap)
    return [cm(v) for v in np.linspace(0.05, 0.9, max(n, 1))]


def guide_line(
    ax: plt.Axes,
    x: np.ndarray,
    exponent: float,
    *,
    anchor: tuple[float, float],
    label: str | None = None,
    **kwargs: object,
) -> None:
    """Draw the prediction y ∝ x^exponent through the point ``anchor`` as a dashed line.

    Args:
        ax: the axes.
        x: where to draw, shape (m,).
        exponent: the power of x.
        anchor: a point (x0, y0) on the line.
        label: the legend entry.
        **kwargs: line style, overriding the dashed black default.
    """
    x = np.asarray(x, dtype=float)
    x0, y0 = anchor
    style = {"color": "k", "ls": "--", "lw": 1.0, "alpha": 0.7}
    style.update(kwargs)
    ax.plot(x, y0 * (x / x0) ** exponent, label=label, **style)


def seed_band(
    ax: plt.Axes,
    x: np.ndarray,
    y_seeds: np.ndarray,
    *,
    label: str | None = None,
    color: object = None,
    geometric: bool = True,
    **kwargs: object,
) -> None:
    """Plot the mean over seeds (axis 0) with a band of ± one standard error.

    With ``geometric=True`` (for quantities drawn on log axes) the mean and band are
    taken over log values, so the band stays positive.

    Args:
        ax: the axes.
        x: abscissae, shape (m,).
        y_seeds: values per seed, shape (n_seeds, m) (or (m,) for one seed: no band).
        label: the legend entry.
        color: the line's colour (default: the axes' cycle).
        geometric: average log values (positive data on log axes).
        **kwargs: passed to ``ax.plot``.
    """
    y_seeds = np.atleast_2d(np.asarray(y_seeds, dtype=float))
    n = y_seeds.shape[0]
    if geometric:
        logs = np.log(y_seeds)
        mid = np.exp(logs.mean(0))
        err = logs.std(0, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(mid)
        lo, hi = mid * np.exp(-err), mid * np.exp(err)
    else:
        mid = y_seeds.mean(0)
        err = y_seeds.std(0, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(mid)
        lo, hi = mid - err, mid + err
    (line,) = ax.plot(x, mid, label=label, color=color, **kwargs)
    if n > 1:
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.25, lw=0)


def label_axes(ax: plt.Axes, xlabel: str, ylabel: str, *, loglog: bool = False) -> None:
    """Set axis labels (with units) and optionally log scales on both axes.

    Args:
        ax: the axes.
        xlabel: the x label, with units.
        ylabel: the y label, with units.
        loglog: log scales on both axes.
    """
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if loglog:
        ax.set_xscale("log")
        ax.set_yscale("log")


def panel_letters(axes: Sequence[plt.Axes]) -> None:
    """Mark panels (a), (b), ... in their top-left corners.

    Args:
        axes: the panels, in reading order.
    """
    for i, ax in enumerate(axes):
        ax.text(-0.12, 1.04, f"({chr(97 + i)})", transform=ax.transAxes, fontweight="bold", va="bottom")


def log_ticks_at(ax: plt.Axes, values: Sequence[float], *, axis: str = "x", fontsize: float = 7) -> None:
    """Put a log axis's ticks exactly at the swept values (no cluttered minor labels).

    Args:
        ax: the axes.
        values: the tick positions (positive).
        axis: ``"x"`` or ``"y"``.
        fontsize: of the tick labels, in points.
    """
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_ticks(list(values), [f"{v:g}" for v in values], fontsize=fontsize)
    target.set_minor_locator(mpl.ticker.NullLocator())
