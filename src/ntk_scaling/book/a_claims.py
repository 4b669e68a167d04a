"""[A]'s claims as decision rules: verdicts from protocol read-outs, and the robustness matrix.

Paper [A] (arXiv 2507.05035) makes a handful of scaling claims about the empirical NTK
(issue 9 of the book lists them). This module turns each into a rule that maps a sweep's
per-seed read-outs (:class:`ntk_scaling.ProtocolReadout`) to a measured exponent, its
interval and a verdict, so that the chapters and the robustness matrix apply the same
rules (appendix ``eq-a-protocol-fields`` for the protocol; the tolerances are ours):

* exponents with a number (loss 0.5, TrΘ₀ 1 or 0): ``exponent_verdict`` with tolerance 0.1,
  "not tested" when the 95 % interval is wider than ±0.5;
* "roughly constant" (ν_Θ in width): the |ν_Θ| exponent must lie in ±0.25 (:func:`band_verdict`);
* directions (|ν_Θ| grows, Γ falls with data): :func:`direction_verdict`;
* |Δ_Θ| ∝ m^(−0.8…−0.7): the interval must overlap the range widened by 0.1;
* Γ saturating at 500–1000 and, for the deeper net, the Δ_Θ and Γ breaks coinciding: only
  tested when the sweep passes width 1000 (:func:`saturation_width`).

Symbols: Δ_Θ is [A]'s trace ratio "β", ν_Θ its adaptation rate "χ" (the book's notation).
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from ..fitting import fit_broken_power_law, fit_power_law_seeds
from ..training.bridge import exponent_verdict
from ..training.protocol import PROTOCOLS, Protocol, ProtocolReadout, check_protocol, protocol_from

__all__ = [
    "A_CLAIMS",
    "ClaimMeasurement",
    "a_data_claims",
    "a_depth_claim",
    "a_model_claims",
    "band_verdict",
    "best_protocol",
    "direction_verdict",
    "fade_verdict",
    "one_factor_protocols",
    "saturation_width",
    "verdict_score",
]

#: key → (claim, the paper's value), in the order of the robustness matrix
A_CLAIMS: dict[str, tuple[str, str]] = {
    "loss_width": ("Test loss ∝ width^−α, α ≈ 0.5", "0.5"),
    "trace0_width": ("TrΘ₀ ∝ width", "exponent 1"),
    "rate_width": ("Adaptation rate ν_Θ constant in width", "|ν_Θ| exponent ≈ 0"),
    "loss_data": ("Test loss ∝ n^−α, α ≈ 0.5", "0.5"),
    "trace0_data": ("TrΘ₀ constant in n", "exponent 0"),
    "rate_data": ("|ν_Θ| grows with n", "> 0"),
    "rank_data": ("Γ falls with n", "< 0"),
    "delta_width": ("|Δ_Θ| ∝ width^(−0.7…−0.8)", "−0.8 to −0.7"),
    "rank_saturation": ("Γ growth saturates at widths 500–1000", "500–1000"),
    "depth_coincide": ("Deeper net: Δ_Θ and Γ transitions coincide", "same width"),
}

_NAN_CI = (float("nan"), float("nan"))


class ClaimMeasurement(NamedTuple):
    """One claim measured on one sweep."""

    key: str  #: a key of :data:`A_CLAIMS`
    value: float  #: the measured exponent (or break width)
    interval: tuple[float, float]  #: its 95 % interval
    verdict: str  #: "agrees", "disagrees", "partly" or "not tested"
    note: str = ""  #: why a claim was not tested, or what was measured


def band_verdict(interval: tuple[float, float], lo: float, hi: float) -> str:
    """"agrees" if the interval lies inside [lo, hi], "disagrees" if outside, else "partly".

    Args:
        interval: our (low, high) interval.
        lo: the band's lower end.
        hi: the band's upper end.

    Returns:
        The verdict; "not tested" for a non-finite interval.
    """
    a, b = interval
    if not (np.isfinite(a) and np.isfinite(b)):
        return "not tested"
    if lo <= a and b <= hi:
        return "agrees"
    if b < lo or a > hi:
        return "disagrees"
    return "partly"


def direction_verdict(value: float, interval: tuple[float, float], sign: int) -> str:
    """A directional claim: "agrees" if the whole interval has ``sign``, "partly" if only the value.

    Args:
        value: the measured exponent.
        interval: its interval.
        sign: +1 (grows) or −1 (falls).

    Returns:
        "agrees", "partly", "disagrees", or "not tested" for a non-finite value.

    Raises:
        ValueError: ``sign`` not ±1.
    """
    if sign not in (1, -1):
        raise ValueError(f"sign must be +1 or -1, got {sign!r}")
    if not np.isfinite(value):
        return "not tested"
    if sign * interval[0] > 0 and sign * interval[1] > 0:
        return "agrees"
    return "partly" if sign * value > 0 else "disagrees"


def fade_verdict(interval: tuple[float, float], threshold: float = -0.05) -> str:
    """Does a width exponent say that a quantity fades with width?

    Args:
        interval: the 95 % interval of the exponent of |Δ_Θ| (or Γ) in width.
        threshold: exponents below it count as fading.

    Returns:
        "fades" (interval below ``threshold``), "does not fade" (above it) or "undecided".
    """
    a, b = interval
    if not (np.isfinite(a) and np.isfinite(b)):
        return "undecided"
    if b < threshold:
        return "fades"
    if a > threshold:
        return "does not fade"
    return "undecided"


def _signed_fit(x, y, xmin=None):
    """Exponent fit of |y|; NaN when y changes sign or vanishes (no single power law)."""
    y = np.asarray(y, float)
    if not (np.all(np.isfinite(y)) and np.all(y != 0) and np.all(np.sign(y) == np.sign(y.flat[0]))):
        return float("nan"), _NAN_CI
    f = fit_power_law_seeds(np.asarray(x, float), np.abs(y), xmin=xmin)
    return float(f.exponent), (float(f.exponent_ci[0]), float(f.exponent_ci[1]))


def _exponent_claim(key, x, y, target, *, negate=False, xmin=None):
    e, ci = _signed_fit(x, y, xmin)
    if negate:
        e, ci = -e, (-ci[1], -ci[0])
    note = "" if np.isfinite(e) else "the quantity changes sign across the sweep"
    return ClaimMeasurement(key, e, ci, exponent_verdict(target, ci, tolerance=0.1, max_halfwidth=0.5), note)


def saturation_width(x: Sequence[float], y_seeds: np.ndarray, *, n_boot: int = 200,
                     seed: int = 0) -> tuple[float, tuple[float, float], float, float]:
    """Break width of a broken power law through the seed mean, with a bootstrap over seeds.

    Args:
        x: widths (≥ 4 distinct).
        y_seeds: (s, len(x)) positive values per seed.
        n_boot: bootstrap draws (0: the interval is the point).
        seed: the bootstrap's seed.

    Returns:
        (break width, 95 % interval, slope below, slope above); NaNs with fewer than 4 widths
        or non-positive values.
    """
    x = np.asarray(x, float)
    y = np.asarray(y_seeds, float)
    if x.size < 4 or not np.all(np.isfinite(y)) or np.any(y <= 0):
        return float("nan"), _NAN_CI, float("nan"), float("nan")
    fit = fit_broken_power_law(x, y.mean(0), n_grid=100)
    rng = np.random.default_rng(seed)
    draws = [fit_broken_power_law(x, y[rng.integers(0, y.shape[0], y.shape[0])].mean(0), n_grid=100).x_break
             for _ in range(n_boot if y.shape[0] > 1 else 0)]
    ci = tuple(float(v) for v in np.percentile(draws, [2.5, 97.5])) if draws else (fit.x_break, fit.x_break)
    return float(fit.x_break), ci, float(fit.slope_below), float(fit.slope_above)


def a_model_claims(widths: Sequence[int], readout: ProtocolReadout, *, trace_fit_min_width: float | None = None,
                   n_boot: int = 200) -> list[ClaimMeasurement]:
    """[A]'s width-scaling claims measured on one width sweep (fixed training set).

    Args:
        widths: the sweep's widths, increasing.
        readout: :func:`ntk_scaling.protocol_summary` of the sweep, arrays (s, len(widths)).
        trace_fit_min_width: fit TrΘ₀ only from this width on (None: all).
        n_boot: bootstrap draws of the saturation width.

    Returns:
        Measurements for ``loss_width``, ``trace0_width``, ``rate_width``, ``delta_width``
        and ``rank_saturation``.
    """
    w = np.asarray(widths, float)
    out = [
        _exponent_claim("loss_width", w, readout.test_loss, 0.5, negate=True),
        _exponent_claim("trace0_width", w, readout.trace0, 1.0, xmin=trace_fit_min_width),
    ]
    e, ci = _signed_fit(w, readout.rate)
    out.append(ClaimMeasurement("rate_width", e, ci, band_verdict(ci, -0.25, 0.25),
                                "" if np.isfinite(e) else "ν_Θ changes sign across widths or seeds"))
    e, ci = _signed_fit(w, readout.trace_ratio)
    if np.isfinite(e):
        v = "agrees" if ci[0] <= -0.6 and ci[1] >= -0.9 else "disagrees"
        note = "the kernel shrinks (Δ_Θ < 0); |Δ_Θ| fitted" if np.nanmean(readout.trace_ratio) < 0 else ""
    else:
        v, note = "disagrees", "Δ_Θ changes sign across widths, so |Δ_Θ| is not one power law"
    out.append(ClaimMeasurement("delta_width", e, ci, v, note))
    m, mci, s1, s2 = saturation_width(w, readout.rank, n_boot=n_boot)
    if w.max() <= 1000 or not np.isfinite(m):
        out.append(ClaimMeasurement("rank_saturation", m, mci, "not tested", "the sweep ends at or below width 1000"))
    elif not s2 < s1:
        out.append(ClaimMeasurement("rank_saturation", m, mci, "disagrees", "Γ does not bend down within the sweep"))
    else:
        ok = mci[0] <= 1000 and mci[1] >= 500
        out.append(ClaimMeasurement("rank_saturation", m, mci, "agrees" if ok else "disagrees", "broken power-law break of Γ"))
    return out


def a_depth_claim(widths: Sequence[int], readout: ProtocolReadout, *, n_boot: int = 200) -> ClaimMeasurement:
    """The deeper net's Δ_Θ and Γ transitions at the same width (break widths' intervals overlap).

    Args:
        widths: the sweep's widths.
        readout: read-outs of the deeper network's width sweep, (s, len(widths)).
        n_boot: bootstrap draws.

    Returns:
        The ``depth_coincide`` measurement (value: the Γ break; "not tested" below width 1000).
    """
    w = np.asarray(widths, float)
    mg, gci, _, _ = saturation_width(w, readout.rank, n_boot=n_boot)
    mb, bci, _, _ = saturation_width(w, np.abs(readout.trace_ratio), n_boot=n_boot)
    if w.max() <= 1000 or not (np.isfinite(mg) and np.isfinite(mb)):
        return ClaimMeasurement("depth_coincide", mg, gci, "not tested", "needs widths past 1000 and both breaks")
    ok = gci[0] <= bci[1] and bci[0] <= gci[1]
    return ClaimMeasurement("depth_coincide", mg, gci, "agrees" if ok else "disagrees",
                            f"|Δ_Θ| break {mb:.0f} [{bci[0]:.0f}, {bci[1]:.0f}]")


def a_data_claims(n_trains: Sequence[int], readout: ProtocolReadout) -> list[ClaimMeasurement]:
    """[A]'s data-scaling claims measured on one sweep over training-set sizes (fixed model).

    Args:
        n_trains: training-set sizes, increasing.
        readout: :func:`ntk_scaling.protocol_summary` of the sweep, arrays (s, len(n_trains)).

    Returns:
        Measurements for ``loss_data``, ``trace0_data``, ``rate_data`` and ``rank_data``.
    """
    n = np.asarray(n_trains, float)
    out = [_exponent_claim("loss_data", n, readout.test_loss, 0.5, negate=True),
           _exponent_claim("trace0_data", n, readout.trace0, 0.0)]
    e, ci = _signed_fit(n, readout.rate)
    out.append(ClaimMeasurement("rate_data", e, ci, direction_verdict(e, ci, +1),
                                "" if np.isfinite(e) else "ν_Θ changes sign"))
    e, ci = _signed_fit(n, readout.rank)
    out.append(ClaimMeasurement("rank_data", e, ci, direction_verdict(e, ci, -1)))
    return out


def verdict_score(verdicts: Sequence[str | None]) -> tuple[int, int, int]:
    """(agrees, partly, disagrees) counts of a column of verdicts ("not tested" and None count nowhere).

    Args:
        verdicts: verdict strings.

    Returns:
        The three counts.
    """
    v = list(verdicts)
    return v.count("agrees"), v.count("partly"), v.count("disagrees")


def best_protocol(matrix: dict[str, Sequence[str | None]]) -> str:
    """The protocol whose column reproduces most claims.

    Only claims that every column measured enter the count (None marks a claim a column
    could not measure, e.g. the depth claim without a deeper partner), so columns are
    compared on the same claims. Ranked by the number of "agrees", then of "partly", then
    the fewest "disagrees"; ties go to the earlier column (the baseline comes first).

    Args:
        matrix: protocol name → its verdicts, one per claim (None: not measurable there).

    Returns:
        The winning name.

    Raises:
        ValueError: an empty matrix or columns of different lengths.
    """
    if not matrix:
        raise ValueError("best_protocol needs at least one protocol")
    names = list(matrix)
    if len({len(v) for v in matrix.values()}) != 1:
        raise ValueError("best_protocol: the columns have different numbers of claims")
    common = [i for i in range(len(matrix[names[0]])) if all(matrix[n][i] is not None for n in names)]
    score = {n: verdict_score([matrix[n][i] for i in common]) for n in names}
    return max(names, key=lambda k: (*score[k][:2], -score[k][2], -names.index(k)))


def one_factor_protocols(baseline: str | Protocol, *, budget_epochs: int) -> dict[str, Protocol]:
    """The baseline and, for each open factor, the baseline with that factor flipped.

    Factors: the loss (MSE ↔ cross-entropy), the learning rate (fixed ↔ ∝ 1/width), the
    read-out (minimum test loss ↔ fixed budget of ``budget_epochs``), the parameterisation
    (SP or NTK → μP, μP → SP) and the depth (2 ↔ 3 hidden layers; other depths + 1).

    Args:
        baseline: a preset name or a :class:`Protocol`.
        budget_epochs: the budget used when the baseline reads out at the minimum test loss.

    Returns:
        ``{"baseline": ..., "loss": ..., "learning rate": ..., "read-out": ...,
        "parameterisation": ..., "depth": ...}``, all validated.

    Raises:
        ValueError: an invalid baseline or budget.
    """
    base = check_protocol(PROTOCOLS[baseline] if isinstance(baseline, str) and baseline in PROTOCOLS
                          else protocol_from(baseline))
    budget = min(int(budget_epochs), base.epochs)
    return {
        "baseline": base,
        "loss": protocol_from(base, loss="cross_entropy" if base.loss == "mse" else "mse"),
        "learning rate": protocol_from(base, lr_width_exponent=1.0 if base.lr_width_exponent == 0 else 0.0),
        "read-out": (protocol_from(base, stopping="fixed_budget", budget_epochs=budget) if base.stopping == "min_test_loss"
                     else base._replace(stopping="min_test_loss", budget_epochs=None)),
        "parameterisation": protocol_from(base, parameterisation="sp" if base.parameterisation == "mup" else "mup"),
        "depth": protocol_from(base, n_hidden_layers=3 if base.n_hidden_layers == 2 else base.n_hidden_layers + 1),
    }
