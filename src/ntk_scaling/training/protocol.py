"""The training protocol of [A] as an explicit, named axis of every result.

Paper [A] (arXiv 2507.05035) leaves several choices open that decide its outcomes more
than the scale does (issue 9 of the book; appendix ``eq-a-protocol-fields``): the loss, the
optimiser and its learning rate (and whether it shrinks with width), the epoch at which
the kernel and the loss are read out, the parameterisation, the depth, the input
preprocessing and the number of eNTK points. A :class:`Protocol` names all of them;
:data:`PROTOCOLS` holds named presets and :func:`protocol_from` builds one from a preset
name and plain overrides (what papermill passes to a chapter).

Training under a protocol is :func:`train_protocol`, a cached function whose key holds
the whole protocol, and whose result (:class:`ProtocolRun`) carries it, so every [A]
result records the protocol it was computed under. The read-out rule (minimum test loss
or a fixed epoch budget) is applied afterwards by :func:`protocol_readout`: both rules
read the same training record, so a sweep trained once can be read out under either.

μP (``parameterisation="mup"``) is the full Yang–Hu μP for Adam (Tensor Programs V,
arXiv 2203.03466, Table 3, in the multiplier form of :mod:`ntk_scaling.nets.mlp`):
readout multiplier 1/width, and per-layer Adam learning rates ``lr`` for the input layer,
every bias and the readout weights (whose 1/width multiplier already makes their
effective rate ∝ 1/width), and ``lr · base_width / width`` for the hidden-to-hidden
weights (:func:`ntk_scaling.mup_lr_multipliers`; appendix ``eq-a-protocol-mupadam``).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

import numpy as np

from ..cache import DivergenceError, cached_function
from ..data.datasets import DATASETS, PREPROCESSING, dataset_identity, synthetic_data, vision_data
from ..kernels.metrics import adaptation_rate
from ..nets.mlp import MLPConfig, mup_lr_multipliers
from .full_batch import LOSSES, OPTIMISERS, TrainConfig, TrainResult, seed_keys, train_ensemble
from .readouts import adaptation_rates

__all__ = [
    "PARAMETERISATION_NAMES",
    "PROTOCOLS",
    "STOPPING_RULES",
    "Protocol",
    "ProtocolReadout",
    "ProtocolRun",
    "check_protocol",
    "protocol_from",
    "protocol_layer_lr",
    "protocol_learning_rate",
    "protocol_readout",
    "protocol_summary",
    "protocol_text",
    "readout_index",
    "train_protocol",
]

STOPPING_RULES = ("min_test_loss", "fixed_budget")
#: protocol names of the parameterisations and the :class:`MLPConfig` names they map to
PARAMETERISATION_NAMES = {"sp": "standard", "ntk": "ntk", "mup": "mup"}


class Protocol(NamedTuple):
    """Every open choice of [A]'s training protocol (appendix ``eq-a-protocol-fields``).

    A NamedTuple of plain values, so it enters cache keys by value and a chapter can
    build it from papermill parameters (:func:`protocol_from`).
    """

    loss: str = "mse"  #: "mse" or "cross_entropy" (softmax), on one-hot targets
    optimiser: str = "adam"  #: "adam" or "sgd" (full batch)
    learning_rate: float = 1e-3  #: the learning rate at ``base_width``
    lr_width_exponent: float = 0.0  #: lr(m) = learning_rate · (base_width / m)^this; 0 = fixed lr
    base_width: int = 64  #: width at which ``learning_rate`` holds (and μP's base width)
    stopping: str = "min_test_loss"  #: read-out epoch: "min_test_loss" or "fixed_budget"
    budget_epochs: int | None = None  #: the fixed budget (None: ``epochs``); read at the last checkpoint ≤ it
    epochs: int = 200  #: training length (full-batch steps)
    parameterisation: str = "sp"  #: "sp" (standard, LeCun), "ntk" or "mup" (full μP for Adam)
    n_hidden_layers: int = 2  #: hidden layers (a "3-layer" net of [A] has 2)
    preprocessing: str = "standardise"  #: "standardise" (per channel) or "scale_255" (pixels / 255)
    n_ntk: int = 16  #: held-out points on which the eNTK is recorded


#: Named presets. The first is the book's old guess, the others change one choice each
#: or follow the authors' public library (cross-entropy, pixels / 255, one-hot targets).
PROTOCOLS: dict[str, Protocol] = {
    "mse_adam": Protocol(),
    "ce_adam": Protocol(loss="cross_entropy"),
    "mse_adam_budget": Protocol(stopping="fixed_budget", budget_epochs=40),
    "ce_adam_budget": Protocol(loss="cross_entropy", stopping="fixed_budget", budget_epochs=40),
    "mse_adam_width_lr": Protocol(lr_width_exponent=1.0),
    "ce_adam_width_lr": Protocol(loss="cross_entropy", lr_width_exponent=1.0),
    "mse_mup_adam": Protocol(parameterisation="mup"),
    "ce_mup_adam": Protocol(loss="cross_entropy", parameterisation="mup"),
    "papyrus": Protocol(loss="cross_entropy", preprocessing="scale_255"),
}


def _bad(field: str, value: Any, wanted: str) -> ValueError:
    return ValueError(f"Protocol.{field} must be {wanted}, got {value!r}")


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool) and math.isfinite(v)


def check_protocol(protocol: Protocol) -> Protocol:
    """Return ``protocol`` if every field is valid, else raise naming the field.

    Args:
        protocol: a :class:`Protocol`.

    Returns:
        ``protocol`` unchanged.

    Raises:
        TypeError: not a :class:`Protocol`.
        ValueError: a field out of range or an unknown choice; μP with SGD (its per-layer
            rates are implemented for Adam only).
    """
    if not isinstance(protocol, Protocol):
        raise TypeError(f"expected a Protocol, got {type(protocol).__name__}")
    p = protocol
    choices = (("loss", LOSSES), ("optimiser", OPTIMISERS), ("stopping", STOPPING_RULES),
               ("parameterisation", tuple(PARAMETERISATION_NAMES)), ("preprocessing", PREPROCESSING))
    for field, allowed in choices:
        if getattr(p, field) not in allowed:
            raise _bad(field, getattr(p, field), f"one of {allowed}")
    if not (_is_real(p.learning_rate) and p.learning_rate > 0):
        raise _bad("learning_rate", p.learning_rate, "a positive finite number")
    if not _is_real(p.lr_width_exponent):
        raise _bad("lr_width_exponent", p.lr_width_exponent, "a finite number")
    for field, lo in (("base_width", 1), ("epochs", 1), ("n_hidden_layers", 1), ("n_ntk", 2)):
        v = getattr(p, field)
        if not _is_int(v) or v < lo:
            raise _bad(field, v, f"an integer >= {lo}")
    if p.budget_epochs is not None:
        if not _is_int(p.budget_epochs) or not 1 <= p.budget_epochs <= p.epochs:
            raise _bad("budget_epochs", p.budget_epochs, f"None or an integer in [1, epochs={p.epochs}]")
    if p.parameterisation == "mup" and p.optimiser != "adam":
        raise ValueError("Protocol: μP per-layer learning rates are implemented for Adam only (optimiser='adam')")
    return protocol


def protocol_from(name: str | Protocol, **overrides: Any) -> Protocol:
    """A preset by name with some fields replaced; overrides set to None are ignored.

    Plain values only, so chapters pass papermill parameters straight through, e.g.
    ``protocol_from("ce_adam", learning_rate=None, n_hidden_layers=3)``. Integral floats
    are accepted for integer fields (YAML may write ``2.0``).

    Args:
        name: a key of :data:`PROTOCOLS`, or a :class:`Protocol` to start from.
        **overrides: :class:`Protocol` fields and their new values (None: keep the preset's).

    Returns:
        The validated :class:`Protocol`.

    Raises:
        ValueError: an unknown preset or field, or an invalid value (:func:`check_protocol`).
    """
    if isinstance(name, Protocol):
        base = name
    elif name in PROTOCOLS:
        base = PROTOCOLS[name]
    else:
        raise ValueError(f"unknown protocol {name!r}; presets are {sorted(PROTOCOLS)}")
    unknown = sorted(set(overrides) - set(Protocol._fields))
    if unknown:
        raise ValueError(f"unknown Protocol field(s) {unknown}; fields are {Protocol._fields}")
    fields = {}
    for k, v in overrides.items():
        if v is None:
            continue
        if k in ("base_width", "epochs", "n_hidden_layers", "n_ntk", "budget_epochs") and isinstance(v, float) \
                and v.is_integer():
            v = int(v)
        if k in ("learning_rate", "lr_width_exponent") and _is_int(v):
            v = float(v)
        fields[k] = v
    return check_protocol(base._replace(**fields))


def protocol_text(protocol: Protocol) -> str:
    """A one-line description of a protocol for captions and tables.

    Args:
        protocol: a :class:`Protocol`.

    Returns:
        Text such as ``"MSE, Adam lr 0.001 (fixed), min. test loss, SP, 2 hidden layers, standardised, 16 eNTK points"``.
    """
    p = check_protocol(protocol)
    loss = {"mse": "MSE", "cross_entropy": "cross-entropy"}[p.loss]
    lr = f"{p.optimiser.upper() if p.optimiser == 'sgd' else 'Adam'} lr {p.learning_rate:g}"
    lr += " (fixed)" if p.lr_width_exponent == 0 else f" × ({p.base_width}/m)^{p.lr_width_exponent:g}"
    stop = "min. test loss" if p.stopping == "min_test_loss" else f"fixed budget {p.budget_epochs or p.epochs} epochs"
    par = {"sp": "SP", "ntk": "NTK param.", "mup": f"μP (base width {p.base_width})"}[p.parameterisation]
    pre = {"standardise": "standardised", "scale_255": "pixels/255"}[p.preprocessing]
    return f"{loss}, {lr}, {stop}, {par}, {p.n_hidden_layers} hidden layers, {pre}, {p.n_ntk} eNTK points"


def protocol_learning_rate(protocol: Protocol, width: int) -> float:
    """The base learning rate at ``width``: ``learning_rate · (base_width / width)^lr_width_exponent``.

    Args:
        protocol: a :class:`Protocol`.
        width: hidden width m ≥ 1.

    Returns:
        The learning rate (before μP's per-layer factors).

    Raises:
        ValueError: an invalid protocol or width.
    """
    check_protocol(protocol)
    if not _is_int(width) or width < 1:
        raise ValueError(f"width must be a positive integer, got {width!r}")
    return float(protocol.learning_rate) * (protocol.base_width / int(width)) ** float(protocol.lr_width_exponent)


def protocol_layer_lr(protocol: Protocol, config: MLPConfig) -> list[dict[str, float]] | None:
    """Per-layer learning-rate factors: μP's (appendix ``eq-a-protocol-mupadam``), else None (all 1).

    Args:
        protocol: a :class:`Protocol`.
        config: the network (parameterisation ``"mup"`` when the protocol is μP).

    Returns:
        ``mup_lr_multipliers(config, protocol.base_width)`` for μP, None otherwise.

    Raises:
        ValueError: the config's parameterisation does not match the protocol's.
    """
    check_protocol(protocol)
    if config.parameterisation != PARAMETERISATION_NAMES[protocol.parameterisation]:
        raise ValueError(f"config has parameterisation {config.parameterisation!r} but the protocol "
                         f"{protocol.parameterisation!r}")
    if protocol.parameterisation != "mup":
        return None
    return mup_lr_multipliers(config, int(protocol.base_width))


class ProtocolRun(NamedTuple):
    """One ensemble trained under a protocol: the record and how it was made."""

    protocol: Protocol  #: the protocol (all of it, read-out rule included)
    result: TrainResult  #: the training record
    width: int  #: hidden width m
    n_train: int  #: training-set size
    learning_rate: float  #: the base learning rate used at this width


@cached_function(
    version=1,
    ignore=("seed_chunk",),
    data=lambda args: {"name": "synthetic"} if args["dataset"] == "synthetic" else dataset_identity(args["dataset"]),
)
def train_protocol(
    *,
    protocol: Protocol,
    dataset: str,
    n_train: int,
    width: int,
    n_seeds: int,
    seed: int = 0,
    n_test: int = 200,
    n_checkpoints: int = 20,
    data_seed: int = 0,
    seed_chunk: int | None = None,
) -> ProtocolRun:
    """Train an ensemble of MLPs under ``protocol`` (a cached function; the key holds the protocol).

    The network has ``protocol.n_hidden_layers`` hidden layers of ``width`` units in the
    protocol's parameterisation; it is trained for ``protocol.epochs`` full-batch steps
    of the protocol's optimiser and loss at :func:`protocol_learning_rate` (times μP's
    per-layer factors), with the eNTK on ``protocol.n_ntk`` held-out points. The read-out
    rule is applied later (:func:`protocol_readout`).

    Args:
        protocol: a :class:`Protocol`.
        dataset: one of :data:`ntk_scaling.DATASETS` or ``"synthetic"`` (Gaussian clusters
            in 16 dimensions, 4 classes; only with ``preprocessing="standardise"``).
        n_train: training-set size.
        width: hidden width m.
        n_seeds: ensemble size (seeds ``seed_keys(seed, n_seeds)``).
        seed: the initialisation seed.
        n_test: test-loss points.
        n_checkpoints: log-spaced eNTK checkpoints.
        data_seed: the data subset.
        seed_chunk: train at most this many seeds per jitted call (does not change results).

    Returns:
        A :class:`ProtocolRun`.

    Raises:
        ValueError: an invalid protocol, data set or size.
        DivergenceError: the loss became NaN/inf (the message names the protocol and width).
    """
    check_protocol(protocol)
    if dataset == "synthetic":
        if protocol.preprocessing != "standardise":
            raise ValueError("the synthetic task is already O(1); use preprocessing='standardise'")
        data = synthetic_data(n_train, n_test, protocol.n_ntk, seed=data_seed)
    elif dataset in DATASETS:
        data = vision_data(dataset, n_train, n_test, protocol.n_ntk, data_seed, preprocessing=protocol.preprocessing)
    else:
        raise ValueError(f"unknown data set {dataset!r}; choose one of {DATASETS} or 'synthetic'")
    config = MLPConfig(
        in_dim=int(np.shape(data.x_train)[1]), width=int(width), depth=int(protocol.n_hidden_layers),
        out_dim=int(np.shape(data.y_train)[1]), parameterisation=PARAMETERISATION_NAMES[protocol.parameterisation],
    )
    lr = protocol_learning_rate(protocol, int(width))
    train = TrainConfig(
        epochs=int(protocol.epochs), learning_rate=lr, n_checkpoints=int(n_checkpoints), loss=protocol.loss,
        optimiser=protocol.optimiser, lr_multipliers=protocol_layer_lr(protocol, config), seed_chunk=seed_chunk,
    )
    try:
        result = train_ensemble(config, data, train, seed_keys(int(seed), int(n_seeds)))
    except FloatingPointError as err:
        raise DivergenceError(f"{err} [protocol: {protocol_text(protocol)}; width {width}, n_train {n_train}]") from err
    return ProtocolRun(protocol, result, int(width), int(n_train), lr)


# ----------------------------------------------------------------------------------
# read-out rules
# ----------------------------------------------------------------------------------
def readout_index(epochs: np.ndarray, test_loss: np.ndarray, stopping: str, budget_epochs: int | None = None) -> np.ndarray:
    """Checkpoint index of the read-out, per seed (appendix ``eq-a-protocol-readoutepoch``).

    ``"min_test_loss"``: the checkpoint of least test loss (first one on ties).
    ``"fixed_budget"``: the last checkpoint at or before ``budget_epochs`` (the same for
    every seed).

    Args:
        epochs: (c,) increasing checkpoint epochs.
        test_loss: (s, c) test loss per seed and checkpoint (or (c,) for one seed).
        stopping: one of :data:`STOPPING_RULES`.
        budget_epochs: the budget, required for ``"fixed_budget"``.

    Returns:
        (s,) integer indices into ``epochs``.

    Raises:
        ValueError: an unknown rule, a missing or too small budget, or mismatched shapes.
    """
    epochs = np.asarray(epochs)
    loss = np.atleast_2d(np.asarray(test_loss, dtype=float))
    if epochs.ndim != 1 or loss.shape[1] != epochs.size:
        raise ValueError(f"test_loss has {loss.shape[1]} checkpoints but epochs {epochs.shape}")
    if stopping == "min_test_loss":
        return np.argmin(np.where(np.isfinite(loss), loss, np.inf), axis=1)
    if stopping == "fixed_budget":
        if budget_epochs is None or budget_epochs < epochs[0]:
            raise ValueError(f"fixed_budget needs budget_epochs >= the first checkpoint {epochs[0]}, got {budget_epochs!r}")
        i = int(np.searchsorted(epochs, budget_epochs, side="right") - 1)
        return np.full(loss.shape[0], i)
    raise ValueError(f"unknown stopping rule {stopping!r}; choose one of {STOPPING_RULES}")


class ProtocolReadout(NamedTuple):
    """[A]'s read-outs at the protocol's read-out epoch; per seed, (s,) or (s, points)."""

    epoch: np.ndarray  #: the read-out epoch
    test_loss: np.ndarray  #: test loss there
    trace0: np.ndarray  #: TrΘ₀ / (n·k) at initialisation
    trace: np.ndarray  #: TrΘ / (n·k) at the read-out
    trace_ratio: np.ndarray  #: Δ_Θ = (TrΘ − TrΘ₀)/TrΘ₀ at the read-out ([A]'s β)
    rank0: np.ndarray  #: Γ(Θ₀) = exp(S_vN) at initialisation
    rank: np.ndarray  #: Γ at the read-out
    rate: np.ndarray  #: ν_Θ = dTrΘ/d ln L_train up to the read-out ([A]'s χ; NaN with < 3 points)


def protocol_readout(run: ProtocolRun | TrainResult, protocol: Protocol | None = None) -> ProtocolReadout:
    """Read a training record out under a protocol's stopping rule.

    ``"min_test_loss"`` uses the exact minimum over every epoch that training tracked
    (``TrainResult.min_*``), ``"fixed_budget"`` the last checkpoint at or before the budget.
    Both rules read the same record, so ``protocol`` may differ from the run's protocol in
    ``stopping`` and ``budget_epochs`` only.

    Args:
        run: a :class:`ProtocolRun` (or a bare :class:`TrainResult`, then ``protocol`` is required).
        protocol: the read-out protocol (default: the run's own).

    Returns:
        A :class:`ProtocolReadout` of (s,) arrays.

    Raises:
        ValueError: ``protocol`` differs from the run's protocol in a training field.
    """
    if isinstance(run, ProtocolRun):
        result = run.result
        if protocol is None:
            protocol = run.protocol
        own = run.protocol._replace(stopping=protocol.stopping, budget_epochs=protocol.budget_epochs)
        if own != protocol:
            raise ValueError("protocol_readout: the protocol differs from the run's in more than the read-out rule")
    else:
        result = run
        if protocol is None:
            raise ValueError("protocol_readout needs a protocol for a bare TrainResult")
    check_protocol(protocol)
    dim = float(result.ntk_dim)
    trace = result.ntk_trace / dim
    if protocol.stopping == "min_test_loss":
        return ProtocolReadout(
            epoch=np.asarray(result.min_epoch), test_loss=np.asarray(result.min_test_loss), trace0=trace[:, 0],
            trace=result.trace_min / dim, trace_ratio=np.asarray(result.trace_ratio), rank0=result.ntk_effective_rank[:, 0],
            rank=np.asarray(result.effective_rank_min), rate=adaptation_rates(result),
        )
    budget = protocol.budget_epochs if protocol.budget_epochs is not None else protocol.epochs
    idx = readout_index(result.epochs, result.test_loss, "fixed_budget", min(int(budget), int(result.epochs[-1])))
    s = np.arange(result.n_seeds)
    rate = np.full(result.n_seeds, np.nan)
    for k in range(result.n_seeds):
        keep = (np.arange(result.epochs.size) <= idx[k]) & (result.train_loss[k] > 0)
        if keep.sum() >= 3 and np.ptp(np.log(result.train_loss[k, keep])) > 0:
            rate[k] = adaptation_rate(trace[k, keep], result.train_loss[k, keep]).rate
    return ProtocolReadout(
        epoch=np.asarray(result.epochs)[idx], test_loss=result.test_loss[s, idx], trace0=trace[:, 0],
        trace=trace[s, idx], trace_ratio=(trace[s, idx] - trace[:, 0]) / trace[:, 0],
        rank0=result.ntk_effective_rank[:, 0], rank=result.ntk_effective_rank[s, idx], rate=rate,
    )


def protocol_summary(runs: Sequence[ProtocolRun], protocol: Protocol | None = None) -> ProtocolReadout:
    """:func:`protocol_readout` of several runs (one per sweep point), stacked along axis 1.

    Args:
        runs: the sweep's runs, in sweep order.
        protocol: the read-out protocol (default: each run's own).

    Returns:
        A :class:`ProtocolReadout` of (s, points) arrays.

    Raises:
        ValueError: no runs, or runs with different seed counts.
    """
    if not runs:
        raise ValueError("protocol_summary needs at least one run")
    outs = [protocol_readout(r, protocol) for r in runs]
    if len({o.test_loss.shape for o in outs}) != 1:
        raise ValueError("protocol_summary: the runs have different numbers of seeds")
    return ProtocolReadout(*(np.stack([getattr(o, f) for o in outs], 1) for f in ProtocolReadout._fields))
