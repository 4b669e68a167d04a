"""Read-outs of [A]'s training records: per-seed adaptation rates and sweep summaries."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from ..kernels.metrics import adaptation_rate
from .full_batch import TrainResult

__all__ = ["adaptation_rates", "SweepSummary", "sweep_summary"]


def adaptation_rates(result: TrainResult, *, normalize: bool = True, until_min: bool = True) -> np.ndarray:
    """χ = dTrΘ/d ln L_train per seed ([A]'s adaptation rate, reconstructed [R], §2.2).

    Slope of TrΘ (divided by the kernel dimension when ``normalize``, papyrus' default)
    against ln L_train over the checkpoints up to the minimum-test-loss epoch
    (``until_min``) or over the whole run, fitted by :func:`ntk_scaling.adaptation_rate`.
    NaN for a seed with fewer than three usable checkpoints. Appendix label
    ``eq-a-metrics-adaptation-rate`` (status: reconstructed).

    Args:
        result: one ensemble's training record (:class:`TrainResult`, s seeds, c
            checkpoints).
        normalize: divide TrΘ by the kernel dimension d = ``result.ntk_dim`` first.
        until_min: use only checkpoints at or before each seed's minimum-test-loss epoch;
            otherwise all checkpoints. Checkpoints with a train loss ≤ 0 are always dropped.

    Returns:
        (s,) float64 array: the slope dTrΘ/d ln L_train per seed (units of TrΘ, or of
        TrΘ/d when ``normalize``, per e-fold of train loss); NaN where a seed has fewer
        than three usable checkpoints or a constant train loss.

    Raises:
        ValueError: from :func:`ntk_scaling.adaptation_rate`, when a seed's trace at a kept
            checkpoint is NaN or infinite (a diverged run; checkpoints whose train loss is
            NaN are dropped, not fitted).
    """
    trace = result.ntk_trace / (result.ntk_dim if normalize else 1.0)
    out = np.full(result.n_seeds, np.nan)
    for s in range(result.n_seeds):
        keep = result.epochs <= result.min_epoch[s] if until_min else np.ones_like(result.epochs, bool)
        keep &= result.train_loss[s] > 0
        if keep.sum() >= 3 and np.ptp(np.log(result.train_loss[s, keep])) > 0:
            out[s] = adaptation_rate(trace[s, keep], result.train_loss[s, keep]).rate
    return out


class SweepSummary(NamedTuple):
    """Per-seed read-outs of a sweep, each of shape (n_seeds, n_points)."""

    test_min: np.ndarray  #: minimum test loss over training
    trace0: np.ndarray  #: TrΘ₀ / dim(Θ) at initialisation (papyrus' normalised trace)
    rank0: np.ndarray  #: effective rank exp(S_vN) at initialisation
    rank_min: np.ndarray  #: effective rank at the minimum-test-loss epoch, Γ(Θ_min)
    chi: np.ndarray  #: adaptation rate dTrΘ/d ln L_train (see :func:`adaptation_rates`)


def sweep_summary(results: Sequence[TrainResult]) -> SweepSummary:
    """Stack the read-outs of several ensembles (one per sweep point) along axis 1.

    Args:
        results: P training records (one per sweep point), all with the same number of
            seeds s.

    Returns:
        :class:`SweepSummary` whose fields are (s, P) arrays: minimum test loss, TrΘ₀/d,
        effective rank at initialisation and at the minimum-test-loss epoch, and the
        adaptation rate of :func:`adaptation_rates` (defaults: normalised, until the
        minimum).

    Raises:
        ValueError: ``results`` is empty; the records' seed counts differ (``np.stack``);
            or a record's trace is non-finite at a kept checkpoint
            (:func:`adaptation_rates`).
    """
    if not results:
        raise ValueError("sweep_summary needs at least one TrainResult")
    return SweepSummary(
        test_min=np.stack([r.min_test_loss for r in results], 1),
        trace0=np.stack([r.ntk_trace[:, 0] / r.ntk_dim for r in results], 1),
        rank0=np.stack([r.ntk_effective_rank[:, 0] for r in results], 1),
        rank_min=np.stack([r.effective_rank_min for r in results], 1),
        chi=np.stack([adaptation_rates(r) for r in results], 1),
    )
