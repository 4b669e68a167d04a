"""Scaling exponents, task phases and compute-optimal laws of [B] (arXiv 2409.17858).

Everything here is closed-form theory, vectorised over numpy arrays of the capacity α
and source β of the power-law task ([B] Eq. 6: λ_k ∼ k^-α, Σ_{l>k} λ_l w*_l² ∼ k^-αβ).
The paper's formulas were stripped from our copy of its text; the exponents below are
our reconstruction, consistent with every fragment of the paper we have and checked by
simulation in the book. Each is an entry of the book's appendix "Equations and their
status" (label in brackets):

* time exponent χ(β) = β·max(1, 2/(1+β))  ([B] Eq. 10; eq-b-scaling-chi),
* the four-term loss laws ([B] Eqs. 8 and 9; eq-b-scaling-four-terms): the time and
  model-bottleneck terms rest on the best evidence; the finite-width transient and
  SGD-noise exponents follow Paquette et al. (2024) and were checked only for β > 1,
* compute-optimal exponents ([B] Table 1, re-derived with C = N·t at fixed batch;
  eq-b-compute-r, eq-b-compute-allocation),
* the bootstrapped exponent levels of [B] Appendix E / Fig. 11 (low-medium confidence
  about what that figure plots; eq-b-dmft-bootstrap).

All functions are closed-form numpy, O(size of the inputs).

Boundary convention for the phases: hard β < 1, easy 1 ≤ β ≤ 2 − 1/α, super-easy
β > 2 − 1/α. Every exponent is continuous across the boundaries, so the convention only
decides the label printed exactly on a boundary.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "REGIMES",
    "TERM_NAMES",
    "PHASE_TRANSITIONS",
    "easy_boundary",
    "task_regime",
    "time_exponent",
    "time_exponent_gain",
    "model_bottleneck_exponent",
    "LossExponents",
    "loss_exponents",
    "LossTerms",
    "loss_terms",
    "dominant_term",
    "compute_optimal_exponent",
    "Allocation",
    "optimal_allocation",
    "bootstrap_exponents",
    "bootstrap_limit",
]

REGIMES: tuple[str, str, str] = ("hard", "easy", "super-easy")
TERM_NAMES: tuple[str, str, str, str] = ("time", "model", "width transient", "SGD noise")

#: The t → ∞ transition at fixed N in each phase ([B] Fig. 1b,c; appendix eq-b-scaling-phases):
#: (early dominant term, late dominant term) for (regime, rich).
PHASE_TRANSITIONS: dict[tuple[str, bool], tuple[str, str]] = {
    ("hard", False): ("t^-β", "N^-αβ"),
    ("hard", True): ("t^-2β/(1+β)", "N^-αβ"),
    ("easy", False): ("t^-β", "N^-1 t^-(1-1/α)"),
    ("easy", True): ("t^-β", "N^-1 t^-(1-1/α)"),
    ("super-easy", False): ("(η/B) t^-(2-1/α)", "N^-1 t^-(1-1/α)"),
    ("super-easy", True): ("(η/B) t^-(2-1/α)", "N^-1 t^-(1-1/α)"),
}


def _as_float_array(x: object, name: str) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a number or an array of numbers, got {x!r}")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a number or an array of numbers, got {x!r}") from err
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def _check_alpha(alpha: object) -> np.ndarray:
    a = _as_float_array(alpha, "alpha")
    if np.any(a <= 1):
        raise ValueError(f"capacity alpha must exceed 1 (trace-class kernel), got {alpha!r}")
    return a


def _check_beta(beta: object) -> np.ndarray:
    b = _as_float_array(beta, "beta")
    if np.any(b <= 0):
        raise ValueError(f"source beta must be positive, got {beta!r}")
    return b


def _out(x: np.ndarray) -> np.ndarray | float:
    return float(x) if np.ndim(x) == 0 else x


def _check_rich(rich: object) -> bool:
    if not isinstance(rich, (bool, np.bool_)):
        raise TypeError(f"rich must be True (feature learning, γ > 0) or False (lazy, γ → 0), got {rich!r}")
    return bool(rich)


def easy_boundary(alpha: object) -> np.ndarray | float:
    """β = 2 − 1/α, the easy / super-easy boundary ([B] Fig. 1b,c; appendix eq-b-model-rkhs).

    Args:
        alpha: capacity α > 1, a number or an array.

    Returns:
        2 − 1/α, a float or an array of α's shape.

    Raises:
        ValueError: α ≤ 1 or not finite.
        TypeError: α is not numeric.
    """
    return _out(2.0 - 1.0 / _check_alpha(alpha))


def task_regime(alpha: object, beta: object) -> str | np.ndarray:
    """Phase of the task: "hard" (β < 1), "easy" (1 ≤ β ≤ 2 − 1/α) or "super-easy".

    Hard tasks lie outside the RKHS of the initial NTK (‖w*‖² = ∞), easy and super-easy
    inside (appendix eq-b-model-rkhs; the label on a boundary is our convention).

    Args:
        alpha: capacity α > 1, a number or an array.
        beta: source β > 0, broadcastable against ``alpha``.

    Returns:
        A string for scalars, else an object array of strings of the broadcast shape.

    Raises:
        ValueError: α ≤ 1, β ≤ 0, or non-finite values.
        TypeError: non-numeric input.
    """
    a, b = np.broadcast_arrays(_check_alpha(alpha), _check_beta(beta))
    labels = np.where(b < 1, "hard", np.where(b <= 2 - 1 / a, "easy", "super-easy"))
    return str(labels) if labels.ndim == 0 else labels.astype(object)


def time_exponent(beta: object, rich: bool = True) -> np.ndarray | float:
    """χ(β): the loss falls as t^-χ at N, B → ∞ ([B] Eq. 10; appendix eq-b-scaling-chi).

    Reconstructed and checked numerically. Lazy (γ → 0): χ = β. Rich (γ > 0):
    χ = β·max(1, 2/(1+β)), i.e. 2β/(1+β) for β < 1.

    Args:
        beta: source β > 0, a number or an array.
        rich: True for feature learning (γ > 0), False for the lazy limit.

    Returns:
        χ (dimensionless), a float or an array of β's shape.

    Raises:
        ValueError: β ≤ 0 or not finite.
        TypeError: β is not numeric, or ``rich`` is not a bool.
    """
    b = _check_beta(beta)
    if _check_rich(rich):
        return _out(b * np.maximum(1.0, 2.0 / (1.0 + b)))
    return _out(b)


def time_exponent_gain(beta: object) -> np.ndarray | float:
    """χ_rich / χ_lazy = max(1, 2/(1+β)); tends to 2 as β → 0 ("nearly doubles").

    Args:
        beta: source β > 0, a number or an array.

    Returns:
        The gain, a float or an array of β's shape.

    Raises:
        ValueError: β ≤ 0 or not finite.
    """
    return _out(np.maximum(1.0, 2.0 / (1.0 + _check_beta(beta))))


def model_bottleneck_exponent(alpha: object, beta: object) -> np.ndarray | float:
    """Exponent of the model bottleneck N^-α·min(2, β) ([B] Eqs. 8–9; appendix eq-b-scaling-bottleneck).

    The same for lazy and rich training. Reconstructed and checked numerically.

    Args:
        alpha: capacity α > 1.
        beta: source β > 0, broadcastable against ``alpha``.

    Returns:
        α·min(2, β), a float or an array of the broadcast shape.

    Raises:
        ValueError: α ≤ 1, β ≤ 0, or non-finite values.
    """
    a, b = _check_alpha(alpha), _check_beta(beta)
    return _out(a * np.minimum(2.0, b))


class LossExponents(NamedTuple):
    """Exponents of the four terms of [B] Eq. 8 (lazy) / Eq. 9 (rich).

    L ≈ t^-time + N^-model + N^-1 t^-transient + (η/B) t^-noise.
    """

    time: np.ndarray | float  #: time limit (population gradient flow)
    model: np.ndarray | float  #: model bottleneck, exponent of N
    transient: np.ndarray | float  #: finite-width transient, exponent of t (times 1/N)
    noise: np.ndarray | float  #: SGD noise, exponent of t (times η/B)


def loss_exponents(alpha: object, beta: object, rich: bool = True) -> LossExponents:
    """Exponents of the four-term law (appendix eq-b-scaling-four-terms; reconstructed).

    Lazy: (β, α·min(2, β), 1 − 1/α, 2 − 1/α). Rich: every time exponent is multiplied
    by max(1, 2/(1+β)); the model exponent is unchanged. The transient and noise
    exponents were checked numerically for β > 1 only; for β < 1 they are sub-leading
    and never set a compute-optimal exponent.

    Args:
        alpha: capacity α > 1.
        beta: source β > 0, broadcastable against ``alpha``.
        rich: feature learning (True) or the lazy limit (False).

    Returns:
        A :class:`LossExponents` of floats or arrays of the broadcast shape.

    Raises:
        ValueError: α ≤ 1, β ≤ 0, or non-finite values.
        TypeError: ``rich`` is not a bool.
    """
    a, b = np.broadcast_arrays(_check_alpha(alpha), _check_beta(beta))
    gain = np.maximum(1.0, 2.0 / (1.0 + b)) if _check_rich(rich) else np.ones_like(b)
    return LossExponents(
        time=_out(b * gain),
        model=_out(a * np.minimum(2.0, b)),
        transient=_out((1.0 - 1.0 / a) * gain),
        noise=_out((2.0 - 1.0 / a) * gain),
    )


class LossTerms(NamedTuple):
    """The four terms of [B] Eqs. 8–9 evaluated on (broadcast) arrays of t, N, B."""

    time: np.ndarray
    model: np.ndarray
    transient: np.ndarray
    noise: np.ndarray

    def total(self) -> np.ndarray:
        """The predicted loss, the sum of the four terms (same shape as the terms)."""
        return self.time + self.model + self.transient + self.noise

    def stacked(self) -> np.ndarray:
        """Shape (4, ...) in the order of :data:`TERM_NAMES`."""
        return np.stack(np.broadcast_arrays(self.time, self.model, self.transient, self.noise))


def _check_positive(x: object, name: str) -> np.ndarray:
    arr = _as_float_array(x, name)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be positive")
    return arr


def loss_terms(
    t: object,
    N: object,
    B: object,
    alpha: float,
    beta: float,
    *,
    rich: bool = True,
    lr: float = 1.0,
) -> LossTerms:
    """Evaluate t^-χ, N^-α·min(2,β), N^-1 t^-(1-1/α)·g and (η/B) t^-(2-1/α)·g, g = gain.

    All prefactors are set to one ([B] neglects them too). Exponents:
    :func:`loss_exponents` (appendix eq-b-scaling-four-terms, reconstructed).

    Args:
        t: steps (> 0), broadcast against ``N`` and ``B``.
        N: widths (> 0).
        B: batch sizes (> 0).
        alpha: capacity α > 1 (a scalar).
        beta: source β > 0 (a scalar).
        rich: feature learning (True) or the lazy limit (False).
        lr: the learning rate η of the noise term.

    Returns:
        A :class:`LossTerms` of arrays of the broadcast shape (loss units, prefactors one).

    Raises:
        ValueError: array α or β, non-positive t, N, B or lr.
    """
    if np.ndim(alpha) != 0 or np.ndim(beta) != 0:
        raise ValueError("loss_terms takes scalar alpha and beta; loop over tasks for arrays")
    e = loss_exponents(alpha, beta, rich)
    t_, N_, B_ = (_check_positive(v, n) for v, n in ((t, "t"), (N, "N"), (B, "B")))
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    t_, N_, B_ = np.broadcast_arrays(t_, N_, B_)
    return LossTerms(
        time=t_ ** -e.time,
        model=N_ ** -e.model,
        transient=t_ ** -e.transient / N_,
        noise=lr / B_ * t_ ** -e.noise,
    )


def dominant_term(
    t: object, N: object, B: object, alpha: float, beta: float, *, rich: bool = True, lr: float = 1.0
) -> np.ndarray | str:
    """Name (from :data:`TERM_NAMES`) of the largest of the four terms at each (t, N, B).

    Args:
        t: steps (> 0), broadcast against ``N`` and ``B``.
        N: widths (> 0).
        B: batch sizes (> 0).
        alpha: capacity α > 1 (a scalar).
        beta: source β > 0 (a scalar).
        rich: feature learning (True) or the lazy limit (False).
        lr: the learning rate η of the noise term.

    Returns:
        A string for scalars, else an object array of names of the broadcast shape.

    Raises:
        ValueError: as :func:`loss_terms`.
    """
    idx = np.argmax(loss_terms(t, N, B, alpha, beta, rich=rich, lr=lr).stacked(), axis=0)
    names = np.asarray(TERM_NAMES, dtype=object)[idx]
    return str(names) if np.ndim(names) == 0 else names


def compute_optimal_exponent(alpha: object, beta: object, rich: bool = True) -> np.ndarray | float:
    """The exponent r of L*(C) ∼ C^-r at compute C = N·t, fixed batch ([B] Table 1; appendix eq-b-compute-r).

    Re-derived and checked numerically: hard lazy αβ/(α+1); hard rich 2αβ/(α(1+β)+2);
    easy αβ/(αβ+1); super-easy 1 − 1/(2α).

    Args:
        alpha: capacity α > 1.
        beta: source β > 0, broadcastable against ``alpha``.
        rich: feature learning (True) or the lazy limit (False).

    Returns:
        r, a float or an array of the broadcast shape.

    Raises:
        ValueError: α ≤ 1, β ≤ 0, or non-finite values.
        TypeError: ``rich`` is not a bool.
    """
    a, b = np.broadcast_arrays(_check_alpha(alpha), _check_beta(beta))
    rich = _check_rich(rich)
    hard = 2 * a * b / (a * (1 + b) + 2) if rich else a * b / (a + 1)
    easy = a * b / (a * b + 1)
    super_easy = 1 - 1 / (2 * a)
    r = np.where(b < 1, hard, np.where(b <= 2 - 1 / a, easy, super_easy))
    return _out(r)


class Allocation(NamedTuple):
    """Compute-optimal allocation N* ∼ C^model, t* ∼ C^time and loss L* ∼ C^-loss."""

    model: np.ndarray | float
    time: np.ndarray | float
    loss: np.ndarray | float


def optimal_allocation(alpha: object, beta: object, rich: bool = True) -> Allocation:
    """Exponents of N*(C) and t*(C) (they sum to 1) and r (appendix eq-b-compute-allocation).

    Reconstructed. Hard: the time and model terms balance, t*^χ = N*^αβ, so
    N* ∼ C^{χ/(χ+αβ)}; easy: time and transient balance, t* ∼ C^{α/(αβ+1)};
    super-easy: N* ∼ t* ∼ C^{1/2}.

    Args:
        alpha: capacity α > 1.
        beta: source β > 0, broadcastable against ``alpha``.
        rich: feature learning (True) or the lazy limit (False).

    Returns:
        An :class:`Allocation` (model, time and loss exponents; floats or arrays).

    Raises:
        ValueError: α ≤ 1, β ≤ 0, or non-finite values.
        TypeError: ``rich`` is not a bool.
    """
    a, b = np.broadcast_arrays(_check_alpha(alpha), _check_beta(beta))
    chi = np.asarray(time_exponent(b, rich))
    hard_n = chi / (chi + a * b)
    easy_t = a / (a * b + 1)
    model = np.where(b < 1, hard_n, np.where(b <= 2 - 1 / a, 1 - easy_t, 0.5))
    return Allocation(model=_out(model), time=_out(1 - model), loss=compute_optimal_exponent(a, b, rich))


def bootstrap_exponents(beta: object, n_levels: int) -> np.ndarray:
    """Bootstrapped exponent levels χ_0 … χ_n of [B] Appendix E (Fig. 11; appendix eq-b-dmft-bootstrap).

    χ_0 = β (lazy), χ_{n+1} = β + χ_n(1−β)/2, converging geometrically (ratio (1−β)/2)
    to 2β/(1+β). Reconstructed, low-medium confidence about what Fig. 11 plots. Defined
    for hard tasks 0 < β ≤ 1 (for β > 1 the rich exponent is β).

    Args:
        beta: source 0 < β ≤ 1, a number or an array.
        n_levels: the number n ≥ 0 of levels after χ_0.

    Returns:
        Array of shape (n_levels + 1, *β.shape).

    Raises:
        ValueError: β outside (0, 1], or ``n_levels`` not a non-negative integer.
    """
    b = _check_beta(beta)
    if np.any(b > 1):
        raise ValueError(f"bootstrap_exponents is defined for hard tasks 0 < beta <= 1, got {beta!r}")
    if isinstance(n_levels, bool) or not isinstance(n_levels, (int, np.integer)) or n_levels < 0:
        raise ValueError(f"n_levels must be a non-negative integer, got {n_levels!r}")
    levels = [b]
    for _ in range(int(n_levels)):
        levels.append(b + levels[-1] * (1 - b) / 2)
    return np.stack(levels)


def bootstrap_limit(beta: object) -> np.ndarray | float:
    """χ_∞ = 2β/(1+β), the fixed point of the bootstrap recursion ([B] Appendix E.2).

    Args:
        beta: source β > 0, a number or an array.

    Returns:
        χ_∞, a float or an array of β's shape.

    Raises:
        ValueError: β ≤ 0 or not finite.
    """
    b = _check_beta(beta)
    return _out(2 * b / (1 + b))
