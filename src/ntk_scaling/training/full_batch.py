"""Full-batch training of MLP ensembles with the empirical NTK recorded along the way ([A]).

[A] (arXiv 2507.05035) trains dense ReLU networks with Adam, full batch, 20 seeds per
configuration, and records the empirical NTK (eNTK) on 128 held-out test points during
training. From the recorded kernels it reads off the trace TrΘ, the effective rank
Γ = exp(S_vN) and, at the epoch of minimum test loss, the trace ratio
β = (TrΘ_min − TrΘ_0)/TrΘ_0 (appendix eq-a-metrics-trace-ratio; the metric definitions are reconstructed
from the group's code and the summaries, the training protocol is unverified, §2.3).

Choices made here (all stated in the book, none verified against the paper's text):

* **Loss.** Mean squared error on one-hot targets, ``mean_{i,a} (f_a(x_i) − y_ia)²``
  (``loss="mse"``, the default). The group's public example uses softmax cross-entropy;
  ``loss="cross_entropy"`` selects it.
* **Ensembles.** All seeds of one configuration are trained at once with ``jax.vmap`` in
  one jitted program; ``seed_chunk`` splits a large ensemble into several calls so the
  memory stays bounded at large width.
* **Checkpoints.** Training advances between log-spaced checkpoint epochs inside a
  jitted ``lax.fori_loop`` (one compilation for any segment length); at each checkpoint
  a second jitted call evaluates losses, accuracies and the eNTK with its spectrum.
* **Minimum test loss.** The test loss is evaluated after *every* epoch inside the loop
  and the parameters at its minimum are carried along, so Θ_min is the eNTK at the exact
  minimum-test-loss epoch, not at the nearest checkpoint.

Results are :class:`TrainResult` NamedTuples of numpy arrays; :func:`train_mlp`, the unit
of a sweep, is a cached function (:func:`ntk_scaling.cached_function`), so sweeps resume.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..cache import DivergenceError, cached_function
from ..data.datasets import TrainData, dataset_identity, synthetic_data, vision_data
from ..kernels.empirical import empirical_ntk, flatten_ntk
from ..kernels.metrics import spectrum_metrics
from ..nets.mlp import MLPConfig, init_mlp, mlp_apply
from ..steps import log_steps
from ..validation import check_int

__all__ = [
    "LOSSES",
    "OPTIMISERS",
    "TrainConfig",
    "TrainResult",
    "checkpoint_epochs",
    "loss_function",
    "seed_keys",
    "train_ensemble",
    "train_mlp",
    "train_mlp_cached",
]

LOSSES = ("mse", "cross_entropy")
OPTIMISERS = ("adam", "sgd")


# ----------------------------------------------------------------------------------
# configuration and data containers
# ----------------------------------------------------------------------------------
class TrainConfig(NamedTuple):
    """How to train: full-batch Adam for ``epochs`` steps with eNTK checkpoints."""

    epochs: int = 1000  #: number of full-batch Adam steps
    learning_rate: float = 1e-3  #: Adam step size
    n_checkpoints: int = 30  #: log-spaced checkpoints (epoch 0 and the last included)
    loss: str = "mse"  #: "mse" (default) or "cross_entropy"
    seed_chunk: int | None = None  #: train at most this many seeds per jitted call
    ntk_batch_size: int | None = None  #: passed to ``empirical_ntk(batch_size=...)``
    ntk_implementation: str | None = None  #: passed to ``empirical_ntk(implementation=...)``
    ntk_seed_batch: int | None = None  #: eNTKs of this many seeds at once (None: all)
    ntk_precision: str | None = "highest"  #: matmul precision of the eNTK (no TF32 on GPUs)
    eigh_on_device: bool | None = None  #: eigvalsh in JAX (None: only on GPU/TPU; CPU uses numpy float64)
    optimiser: str = "adam"  #: "adam" (default) or "sgd" (plain gradient descent)
    lr_multipliers: Any = None  #: per-parameter factors on the learning rate, a list of per-layer dicts like the params (μP); None: all 1


class TrainResult(NamedTuple):
    """One ensemble's training record; arrays have the seed axis first.

    ``c`` is the number of checkpoints, ``d = n_ntk · k`` the side of the flattened eNTK.
    """

    epochs: np.ndarray  #: (c,) checkpoint epochs, 0 first and the last epoch last
    train_loss: np.ndarray  #: (s, c)
    test_loss: np.ndarray  #: (s, c)
    train_accuracy: np.ndarray  #: (s, c)
    test_accuracy: np.ndarray  #: (s, c)
    ntk_trace: np.ndarray  #: (s, c) TrΘ of the flattened eNTK (not divided by d)
    ntk_entropy: np.ndarray  #: (s, c) von Neumann entropy S_vN of Θ/TrΘ
    ntk_effective_rank: np.ndarray  #: (s, c) Γ = exp(S_vN)
    ntk_eigenvalues: np.ndarray  #: (s, c, d) eigenvalues, ascending
    min_epoch: np.ndarray  #: (s,) epoch of minimum test loss (any epoch, not just checkpoints)
    min_test_loss: np.ndarray  #: (s,)
    min_train_loss: np.ndarray  #: (s,) train loss at that epoch
    min_test_accuracy: np.ndarray  #: (s,)
    trace_min: np.ndarray  #: (s,) TrΘ_min, eNTK at the minimum-test-loss epoch
    entropy_min: np.ndarray  #: (s,)
    effective_rank_min: np.ndarray  #: (s,) Γ(Θ_min)
    eigenvalues_min: np.ndarray  #: (s, d)
    trace_ratio: np.ndarray  #: (s,) β = (TrΘ_min − TrΘ_0)/TrΘ_0
    ntk_dim: int  #: d = n_ntk · k

    @property
    def n_seeds(self) -> int:
        """The number of seeds s in the ensemble."""
        return int(self.train_loss.shape[0])

    def trace_0(self) -> np.ndarray:
        """TrΘ_0 per seed (the eNTK at initialisation)."""
        return self.ntk_trace[:, 0]


# ----------------------------------------------------------------------------------
# small pure pieces
# ----------------------------------------------------------------------------------
def checkpoint_epochs(epochs: int, n_checkpoints: int) -> np.ndarray:
    """Log-spaced checkpoint epochs ``0 < ... < epochs``: :func:`ntk_scaling.log_steps`.

    Args:
        epochs: the last epoch E (≥ 1).
        n_checkpoints: at most this many checkpoints (≥ 2).

    Returns:
        (c,) int64 increasing epochs, c ≤ ``n_checkpoints``, the first 0 and the last ``epochs``.

    Raises:
        ValueError: ``epochs`` < 1 or ``n_checkpoints`` < 2.
        TypeError: a non-integer argument.
    """
    return log_steps(check_int(epochs, "epochs"), check_int(n_checkpoints, "n_checkpoints", 2))


def loss_function(name: str) -> Callable[[jax.Array, jax.Array], jax.Array]:
    """The training loss ``(logits (n, k), one-hot targets (n, k)) -> scalar``.

    Args:
        name: ``"mse"``, the mean over samples and logits of the squared error; or
            ``"cross_entropy"``, the mean softmax cross-entropy (the loss of [A]'s group's
            public library; see appendix ``eq-a-protocol-fields``).

    Returns:
        The loss as a function of logits (n, k) and one-hot targets (n, k), a scalar.

    Raises:
        ValueError: an unknown name.
    """
    if name == "mse":
        return lambda out, y: jnp.mean((out - y) ** 2)
    if name == "cross_entropy":
        return lambda out, y: jnp.mean(optax.softmax_cross_entropy(out, y))
    raise ValueError(f"unknown loss {name!r}; choose one of {LOSSES}")


def _accuracy(out: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean(jnp.argmax(out, -1) == jnp.argmax(y, -1))


def _check_data(data: TrainData) -> None:
    if not isinstance(data, TrainData):
        raise TypeError(f"data must be a TrainData, got {type(data).__name__}")
    for name in ("x_train", "y_train", "x_test", "y_test", "x_ntk"):
        arr = getattr(data, name)
        if np.ndim(arr) != 2:
            raise ValueError(f"data.{name} must be 2-D (samples, features), got shape {np.shape(arr)}")
        if not np.all(np.isfinite(np.asarray(arr))):
            raise ValueError(f"data.{name} contains NaN or infinity")
    if np.shape(data.x_train)[0] != np.shape(data.y_train)[0]:
        raise ValueError(f"x_train has {np.shape(data.x_train)[0]} rows but y_train {np.shape(data.y_train)[0]}")
    if np.shape(data.x_test)[0] != np.shape(data.y_test)[0]:
        raise ValueError(f"x_test has {np.shape(data.x_test)[0]} rows but y_test {np.shape(data.y_test)[0]}")
    d = np.shape(data.x_train)[1]
    for name in ("x_test", "x_ntk"):
        if np.shape(getattr(data, name))[1] != d:
            raise ValueError(f"data.{name} has {np.shape(getattr(data, name))[1]} features, x_train has {d}")
    if np.shape(data.y_train)[1] != np.shape(data.y_test)[1]:
        raise ValueError("y_train and y_test have different numbers of classes")


def _check_config(train: TrainConfig) -> None:
    if not isinstance(train, TrainConfig):
        raise TypeError(f"train must be a TrainConfig, got {type(train).__name__}")
    if not (isinstance(train.learning_rate, (int, float)) and math.isfinite(train.learning_rate) and train.learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive finite number, got {train.learning_rate!r}")
    if train.loss not in LOSSES:
        raise ValueError(f"unknown loss {train.loss!r}; choose one of {LOSSES}")
    if train.optimiser not in OPTIMISERS:
        raise ValueError(f"unknown optimiser {train.optimiser!r}; choose one of {OPTIMISERS}")
    if train.seed_chunk is not None and train.seed_chunk < 1:
        raise ValueError(f"seed_chunk must be >= 1 or None, got {train.seed_chunk!r}")
    checkpoint_epochs(train.epochs, train.n_checkpoints)  # validates both


# ----------------------------------------------------------------------------------
# the jitted programs
# ----------------------------------------------------------------------------------
class _State(NamedTuple):
    params: Any
    opt_state: Any
    best_params: Any
    best_test_loss: jax.Array
    best_epoch: jax.Array
    epoch: jax.Array
    finite: jax.Array


def _programs(config: MLPConfig, train: TrainConfig):
    """Jitted programs for ``config`` and the parts of ``train`` that change the code.

    The learning rate and the number of epochs are runtime arguments, so a sweep over
    them (or over seed chunks) compiles once.
    """
    return _programs_cached(
        config, train.loss, train.ntk_batch_size, train.ntk_implementation, train.ntk_seed_batch, train.ntk_precision,
        train.optimiser,
    )


@functools.lru_cache(maxsize=32)
def _programs_cached(config, loss_name, ntk_batch_size, ntk_implementation, ntk_seed_batch, ntk_precision,
                     optimiser="adam"):
    apply_fn = functools.partial(mlp_apply, config)
    loss = loss_function(loss_name)
    # Adam = scale_by_adam followed by a step of size −lr (optax.adam exactly), with the
    # learning rate applied at run time so that it is not baked into the compiled code.
    # The learning rate is a pytree like the parameters (one scalar per leaf), so that
    # per-layer rates (μP) cost nothing extra. SGD: the identity transform, step −lr·g.
    opt = optax.scale_by_adam() if optimiser == "adam" else optax.identity()

    def train_loss(params, x, y):
        return loss(apply_fn(params, x), y)

    def start_one(params, x_test, y_test):
        test = train_loss(params, x_test, y_test)
        return _State(params, opt.init(params), params, test, jnp.int32(0), jnp.int32(0), jnp.isfinite(test))

    def advance_one(state: _State, n_steps, lr, x, y, x_test, y_test):
        def body(_, s: _State):
            value, grads = jax.value_and_grad(train_loss)(s.params, x, y)
            updates, opt_state = opt.update(grads, s.opt_state, s.params)
            params = jax.tree_util.tree_map(lambda p, u, r: p - r * u, s.params, updates, lr)
            epoch = s.epoch + 1
            test = train_loss(params, x_test, y_test)
            better = test < s.best_test_loss
            best_params = jax.tree_util.tree_map(lambda new, old: jnp.where(better, new, old), params, s.best_params)
            return _State(
                params,
                opt_state,
                best_params,
                jnp.where(better, test, s.best_test_loss),
                jnp.where(better, epoch, s.best_epoch),
                epoch,
                s.finite & jnp.isfinite(value) & jnp.isfinite(test),
            )

        return jax.lax.fori_loop(0, n_steps, body, state)

    def losses_one(params, x, y, x_test, y_test):
        out, out_test = apply_fn(params, x), apply_fn(params, x_test)
        return loss(out, y), loss(out_test, y_test), _accuracy(out, y), _accuracy(out_test, y_test)

    def ntk_one(params, x_ntk):
        kernel = flatten_ntk(
            empirical_ntk(
                apply_fn,
                params,
                x_ntk,
                implementation=ntk_implementation,
                batch_size=ntk_batch_size,
                precision=ntk_precision,
            )
        )
        return 0.5 * (kernel + kernel.T)

    def ntk_kernels(params_stacked, x_ntk):
        def fn(p):
            return ntk_one(p, x_ntk)

        if ntk_seed_batch is None:
            return jax.vmap(fn)(params_stacked)
        return jax.lax.map(fn, params_stacked, batch_size=ntk_seed_batch)

    def ntk_eigs(params_stacked, x_ntk):
        return jnp.linalg.eigvalsh(ntk_kernels(params_stacked, x_ntk))

    jit_kernels, jit_eigs = jax.jit(ntk_kernels), jax.jit(ntk_eigs)

    def eigenvalues(params_stacked, x_ntk, on_device: bool):
        """Spectra of the seeds' eNTKs: JAX eigvalsh on accelerators, numpy float64 on CPU.

        JAX's CPU eigvalsh is several times slower than LAPACK through numpy.
        """
        if on_device:
            return np.asarray(jit_eigs(params_stacked, x_ntk), np.float64)
        return np.linalg.eigvalsh(np.asarray(jit_kernels(params_stacked, x_ntk), np.float64))

    start = jax.jit(jax.vmap(start_one, in_axes=(0, None, None)))

    def init(keys, x_test, y_test):
        # Parameters are drawn seed by seed outside jit: compiling the vmapped threefry
        # draws costs seconds per shape on a CPU, the eager draws are cached per shape.
        params = [init_mlp(k, config) for k in keys]
        stacked = jax.tree_util.tree_map(lambda *leaves: jnp.stack(leaves), *params)
        return start(stacked, x_test, y_test)

    advance = jax.jit(jax.vmap(advance_one, in_axes=(0, None, None, None, None, None, None)))
    measure_losses = jax.jit(jax.vmap(losses_one, in_axes=(0, None, None, None, None)))
    return init, advance, measure_losses, eigenvalues


def _as_keys(keys: Any) -> jax.Array:
    keys = jnp.asarray(keys) if not isinstance(keys, jax.Array) else keys
    if jnp.issubdtype(keys.dtype, jax.dtypes.prng_key):
        if keys.ndim != 1:
            raise ValueError(f"keys must be a 1-D array of typed PRNG keys, got shape {keys.shape}")
        return keys
    if keys.ndim != 2 or keys.shape[1] != 2 or keys.dtype != jnp.uint32:
        raise ValueError(f"keys must have shape (n_seeds, 2) and dtype uint32 (raw PRNG keys), got {keys.shape} {keys.dtype}")
    return keys


def _learning_rate_tree(config: MLPConfig, train: TrainConfig) -> list[dict[str, jax.Array]]:
    """One float32 learning rate per parameter leaf: ``learning_rate`` × its multiplier."""
    names = ("w", "b") if config.bias else ("w",)
    mults = train.lr_multipliers
    n_layers = config.depth + 1
    if mults is None:
        mults = [{k: 1.0 for k in names}] * n_layers
    if not isinstance(mults, (list, tuple)) or len(mults) != n_layers:
        raise ValueError(f"lr_multipliers must be a list of {n_layers} per-layer dicts, got {mults!r}")
    out = []
    for i, layer in enumerate(mults):
        if not isinstance(layer, dict) or set(layer) != set(names):
            raise ValueError(f"lr_multipliers[{i}] must be a dict with keys {names}, got {layer!r}")
        row = {}
        for k in names:
            f = layer[k]
            if isinstance(f, bool) or not isinstance(f, (int, float)) or not (math.isfinite(f) and f > 0):
                raise ValueError(f"lr_multipliers[{i}][{k!r}] must be a positive finite number, got {f!r}")
            row[k] = jnp.float32(train.learning_rate * f)
        out.append(row)
    return out


def _describe(config: MLPConfig, train: TrainConfig) -> str:
    return (
        f"width={config.width}, depth={config.depth}, parameterisation={config.parameterisation}, "
        f"lr={train.learning_rate}, loss={train.loss}, optimiser={train.optimiser}"
    )


def _train_chunk(config: MLPConfig, data: TrainData, train: TrainConfig, keys: jax.Array) -> dict[str, np.ndarray]:
    init, advance, measure_losses, ntk_eigs = _programs(config, train)
    x, y = jnp.asarray(data.x_train, jnp.float32), jnp.asarray(data.y_train, jnp.float32)
    xt, yt = jnp.asarray(data.x_test, jnp.float32), jnp.asarray(data.y_test, jnp.float32)
    xn = jnp.asarray(data.x_ntk, jnp.float32)
    state = init(keys, xt, yt)
    lr = _learning_rate_tree(config, train)
    on_device = train.eigh_on_device if train.eigh_on_device is not None else jax.default_backend() != "cpu"
    ntk_eigs = functools.partial(ntk_eigs, on_device=on_device)
    ckpts = checkpoint_epochs(train.epochs, train.n_checkpoints)
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("tl", "vl", "ta", "va", "eig")}
    previous = 0
    for epoch in ckpts:
        if epoch > previous:
            state = advance(state, jnp.int32(epoch - previous), lr, x, y, xt, yt)
            previous = int(epoch)
        tl, vl, ta, va = measure_losses(state.params, x, y, xt, yt)
        finite = np.asarray(state.finite) & np.isfinite(np.asarray(tl)) & np.isfinite(np.asarray(vl))
        if not np.all(finite):
            bad = np.flatnonzero(~finite).tolist()
            raise DivergenceError(
                f"training diverged (NaN/inf loss) by epoch {int(epoch)} for seeds {bad} of the chunk "
                f"({_describe(config, train)}); lower the learning rate"
            )
        eig = np.asarray(ntk_eigs(state.params, xn))
        if not np.all(np.isfinite(eig)):
            raise DivergenceError(f"eNTK has NaN/inf entries at epoch {int(epoch)} ({_describe(config, train)})")
        for k, v in zip(("tl", "vl", "ta", "va", "eig"), (tl, vl, ta, va, eig)):
            rows[k].append(np.asarray(v))
    eig_min = np.asarray(ntk_eigs(state.best_params, xn))
    tl_m, vl_m, _, va_m = measure_losses(state.best_params, x, y, xt, yt)
    return {
        "train_loss": np.stack(rows["tl"], 1),
        "test_loss": np.stack(rows["vl"], 1),
        "train_accuracy": np.stack(rows["ta"], 1),
        "test_accuracy": np.stack(rows["va"], 1),
        "ntk_eigenvalues": np.stack(rows["eig"], 1),
        "min_epoch": np.asarray(state.best_epoch),
        "min_test_loss": np.asarray(vl_m),
        "min_train_loss": np.asarray(tl_m),
        "min_test_accuracy": np.asarray(va_m),
        "eigenvalues_min": eig_min,
    }


def train_ensemble(config: MLPConfig, data: TrainData, train: TrainConfig, keys: Any) -> TrainResult:
    """Train one MLP per key (full-batch Adam) and record losses and the eNTK.

    Seeds are trained together with ``vmap``, ``train.seed_chunk`` at a time. The eNTK
    (on ``data.x_ntk``, all k outputs, so d = n_ntk·k) is recorded at the log-spaced
    checkpoints and at the minimum-test-loss epoch (appendix ``eq-a-metrics-entk``).

    Args:
        config: the MLP (its ``in_dim`` and ``out_dim`` must match the data).
        data: the training, test and eNTK inputs and one-hot targets.
        train: epochs, learning rate, loss, checkpoints and memory knobs.
        keys: (s, 2) raw or (s,) typed PRNG keys, one per ensemble member (its
            initialisation).

    Returns:
        :class:`TrainResult` with (s, c) loss and metric records at the checkpoints and
        (s,) values at each seed's minimum-test-loss epoch.

    Raises:
        TypeError: ``config`` or ``data`` of the wrong type.
        ValueError: malformed data, or data that do not match ``config``, or no keys.
        ntk_scaling.DivergenceError: a loss or the eNTK became NaN/inf (names the seeds,
            the epoch and the configuration).
    """
    if not isinstance(config, MLPConfig):
        raise TypeError(f"config must be an MLPConfig, got {type(config).__name__}")
    _check_config(train)
    _check_data(data)
    if np.shape(data.x_train)[1] != config.in_dim:
        raise ValueError(f"config.in_dim={config.in_dim} but the data have {np.shape(data.x_train)[1]} features")
    if np.shape(data.y_train)[1] != config.out_dim:
        raise ValueError(f"config.out_dim={config.out_dim} but the targets have {np.shape(data.y_train)[1]} classes")
    keys = _as_keys(keys)
    n_seeds = keys.shape[0]
    if n_seeds < 1:
        raise ValueError("need at least one key")
    chunk = train.seed_chunk or n_seeds
    parts = [_train_chunk(config, data, train, keys[i : i + chunk]) for i in range(0, n_seeds, chunk)]
    out = {k: np.concatenate([p[k] for p in parts], 0) for k in parts[0]}
    trace, entropy, rank = spectrum_metrics(out["ntk_eigenvalues"])
    trace_m, entropy_m, rank_m = spectrum_metrics(out["eigenvalues_min"])
    return TrainResult(
        epochs=checkpoint_epochs(train.epochs, train.n_checkpoints),
        train_loss=out["train_loss"],
        test_loss=out["test_loss"],
        train_accuracy=out["train_accuracy"],
        test_accuracy=out["test_accuracy"],
        ntk_trace=trace,
        ntk_entropy=entropy,
        ntk_effective_rank=rank,
        ntk_eigenvalues=out["ntk_eigenvalues"],
        min_epoch=out["min_epoch"].astype(np.int64),
        min_test_loss=out["min_test_loss"],
        min_train_loss=out["min_train_loss"],
        min_test_accuracy=out["min_test_accuracy"],
        trace_min=trace_m,
        entropy_min=entropy_m,
        effective_rank_min=rank_m,
        eigenvalues_min=out["eigenvalues_min"],
        trace_ratio=(trace_m - trace[:, 0]) / trace[:, 0],
        ntk_dim=int(out["ntk_eigenvalues"].shape[-1]),
    )


def seed_keys(seed: int, n_seeds: int) -> jax.Array:
    """``n_seeds`` raw PRNG keys derived from one integer seed.

    Args:
        seed: the integer seed.
        n_seeds: the number of keys (≥ 1).

    Returns:
        (n_seeds, 2) uint32 raw keys, ``jax.random.split(PRNGKey(seed), n_seeds)``.

    Raises:
        ValueError: ``n_seeds`` < 1.
    """
    if n_seeds < 1:
        raise ValueError(f"n_seeds must be >= 1, got {n_seeds}")
    return jax.random.split(jax.random.PRNGKey(seed), n_seeds)


@cached_function(
    version=1,
    ignore=("seed_chunk", "ntk_batch_size", "ntk_seed_batch"),
    data=lambda args: dataset_identity(args["dataset"]),
)
def train_mlp(
    *,
    dataset: str,
    n_train: int,
    width: int,
    depth: int,
    epochs: int,
    learning_rate: float,
    n_seeds: int,
    seed: int = 0,
    n_test: int = 1000,
    n_ntk: int = 128,
    n_checkpoints: int = 30,
    loss: str = "mse",
    parameterisation: str = "standard",
    seed_chunk: int | None = None,
    ntk_batch_size: int | None = None,
    ntk_seed_batch: int | None = None,
    data_seed: int = 0,
    synthetic_dim: int = 16,
    synthetic_classes: int = 4,
    synthetic_noise: float = 1.0,
) -> TrainResult:
    """Train an ensemble on a named task from plain parameters (the unit of a sweep).

    Cached: the key holds every argument except the memory knobs ``seed_chunk``,
    ``ntk_batch_size`` and ``ntk_seed_batch``, plus the data set's identity.

    Args:
        dataset: one of :data:`DATASETS` or ``"synthetic"`` (:func:`synthetic_data`).
        n_train: training images (a class-balanced subset fixed by ``data_seed``).
        width: hidden width m.
        depth: hidden layers (the network has ``depth + 1`` dense layers).
        epochs: full-batch Adam epochs.
        learning_rate: Adam's learning rate.
        n_seeds: ensemble members, seeds ``seed_keys(seed, n_seeds)``.
        seed: the ensemble's integer seed.
        n_test: test images.
        n_ntk: held-out images on which the eNTK is recorded.
        n_checkpoints: at most this many log-spaced checkpoints.
        loss: ``"mse"`` or ``"cross_entropy"`` (:func:`loss_function`).
        parameterisation: ``"standard"``, ``"ntk"`` or ``"mup"`` (:class:`ntk_scaling.MLPConfig`).
        seed_chunk: seeds per compiled call (memory only).
        ntk_batch_size: eNTK block size (memory only).
        ntk_seed_batch: seeds per eNTK call (memory only).
        data_seed: seed of the data subsets.
        synthetic_dim: input dimension of the synthetic task.
        synthetic_classes: classes of the synthetic task.
        synthetic_noise: label noise of the synthetic task.

    Returns:
        :class:`TrainResult`.

    Raises:
        ValueError: an unknown data set, loss or parameterisation, or sizes the data cannot give.
        ntk_scaling.DivergenceError: training diverged (recorded in the cache, not retried).
    """
    if dataset == "synthetic":
        data = synthetic_data(n_train, n_test, n_ntk, in_dim=synthetic_dim, n_classes=synthetic_classes,
                              noise=synthetic_noise, seed=data_seed)
    else:
        data = vision_data(dataset, n_train, n_test, n_ntk, data_seed)
    config = MLPConfig(
        in_dim=int(np.shape(data.x_train)[1]),
        width=int(width),
        depth=int(depth),
        out_dim=int(np.shape(data.y_train)[1]),
        parameterisation=parameterisation,
    )
    train = TrainConfig(
        epochs=int(epochs),
        learning_rate=float(learning_rate),
        n_checkpoints=int(n_checkpoints),
        loss=loss,
        seed_chunk=seed_chunk,
        ntk_batch_size=ntk_batch_size,
        ntk_seed_batch=ntk_seed_batch,
    )
    return train_ensemble(config, data, train, seed_keys(seed, n_seeds))


train_mlp_cached = train_mlp  #: the name chapters used before train_mlp itself was cached
