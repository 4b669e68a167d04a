"""Online SGD with fresh batches every step: the training loop of [B]'s Section 5 experiments.

[B] (arXiv 2409.17858) trains its nonlinear networks *online*: every step draws a new
batch from the data distribution, so the test loss is the only loss and time t (steps) is
also the number of samples seen divided by B. :func:`train_online` runs that protocol for
any model and any task, records the test loss at log-spaced steps, batches the seeds of
one configuration with ``vmap``, and can record the empirical NTK (eNTK) and the feature
kernel at chosen steps (the [A] lens of the bridge chapter). It is a cached function, so a
sweep over configurations resumes where it stopped.

**The model protocol.** ``model`` is any object with

* ``init(key) -> params`` (a pytree) and ``apply(params, x) -> outputs``;
* optionally ``centre`` (bool, default False) and ``output_scale`` (float, default 1):
  the trained function is then

      f_t(x) = output_scale · [apply(θ_t, x) − centre · apply(θ₀, x)],

  with θ₀ the initial parameters, frozen (this is how the mean-field models of [B] are
  centred and divided by γ₀; see :class:`ntk_scaling.MeanFieldMLP`);
* optionally ``ntk(params, x1, x2=None) -> (n1, n2, k, k)``, the eNTK of ``apply``
  (a structured, Jacobian-free implementation); otherwise :func:`ntk_scaling.empirical_ntk`
  is used (needs (n, k) outputs);
* optionally ``features(params, x) -> (n, p)`` for feature-kernel records.

For :func:`train_online` (the cached function) the model must be a NamedTuple, so it enters
the cache key by value; ``train_online.uncached`` accepts any object.

**The task protocol.** ``task`` is any object (a NamedTuple for caching) with

* ``load() -> data``: a pytree of arrays, computed once per run and passed to the
  compiled programs as an argument (so large data sets are not baked into the code);
* ``sample(data, key, batch_size) -> (x, y)``: a fresh batch (jittable);
* optionally ``sample_step(data, stream_key, step, batch_size) -> (x, y)``, used instead of
  ``sample`` when present: the batch of step ``step`` (0-based, a traced int32) of a
  stream fixed by ``stream_key`` (one key per seed, constant over the run). This is how a
  finite data set is read in one pass with no sample repeated (:class:`ntk_scaling.TextTask`);
* optionally ``stream_length(data) -> int``, the number of distinct samples of that
  stream: ``steps × batch_size`` may not exceed it (checked). :class:`ntk_scaling.VisionStream`
  implements both for MNIST and CIFAR-10 read in one pass;
* ``test_set(data) -> (x, y)``: the test inputs and targets (the circle tasks use an exact
  quadrature grid);
* ``probe_set(data, n) -> (x, y)``: ``n`` inputs and targets on which the eNTK is recorded;
* optionally ``identity() -> dict`` naming the data (e.g. a checksum), added to the key.

**Losses** (``loss``): ``"mse"``, the mean over samples and outputs of (f − y)² (a
target of shape (n,) is matched to outputs (n, 1)); ``"cross_entropy"``, the mean
softmax cross-entropy over the last axis, with integer labels (any leading shape, e.g.
(batch, sequence) for a transformer) or one-hot/probability targets; the test accuracy is
then recorded too.

**Optimisers** (``optimizer``): ``"sgd"`` (plain, [B]'s), ``"momentum"`` (heavy ball,
0.9) and ``"adam"``, all with the constant ``learning_rate`` (the absolute step size; for
[B]'s models use ``model.learning_rate(eta0)``).

**Linearised reference.** ``linearised=True`` trains the network linearised at θ₀,
f_t = output_scale·[apply(θ₀) + J(θ₀)(θ_t − θ₀) − centre·apply(θ₀)], with the same seeds
and batches: the lazy (kernel) reference of a run. Cost: one Jacobian-vector product per
step in place of a forward pass.

**Cost.** One compiled program per (model, task, loss, optimiser, batch size,
linearisation); learning rate and segment lengths are runtime arguments. A step costs one
forward and one backward pass of B inputs per seed, plus a forward pass of the frozen
reference when ``centre``. A record evaluates the test set (in blocks of
``eval_batch_size``); an eNTK record costs one eNTK of ``n_probe`` inputs per seed and a
float64 ``eigvalsh`` of size n_probe·k on the host.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from ..cache import DivergenceError, cached_function
from ..kernels.empirical import empirical_ntk, flatten_ntk
from ..kernels.metrics import kernel_target_alignment, spectrum_metrics
from ..steps import log_steps
from ..validation import check_float, check_int
from .full_batch import seed_keys

__all__ = [
    "ONLINE_LOSSES",
    "ONLINE_OPTIMIZERS",
    "OnlineResult",
    "online_loss",
    "online_record_steps",
    "train_online",
    "trained_output",
]

ONLINE_LOSSES = ("mse", "cross_entropy")
ONLINE_OPTIMIZERS = ("sgd", "momentum", "adam")


class OnlineResult(NamedTuple):
    """Records of one online run; per-seed arrays have the seed axis first.

    ``R`` recorded steps, ``Q`` eNTK records (0 when none were asked), ``d = n_probe·k``.
    """

    steps: np.ndarray  #: (R,) recorded steps, 0 first, log-spaced
    test_loss: np.ndarray  #: (s, R) loss on the task's test set
    train_loss: np.ndarray  #: (s, R) mean batch loss over the steps since the previous record (before each update); at step 0 one batch at initialisation
    test_accuracy: np.ndarray | None  #: (s, R) argmax accuracy (cross-entropy only), else None
    ntk_steps: np.ndarray  #: (Q,) steps with eNTK records (0 first when any)
    ntk_trace: np.ndarray  #: (s, Q) TrΘ_t of the trained function's eNTK on the probe set
    ntk_effective_rank: np.ndarray  #: (s, Q) Γ = exp(S_vN) of that eNTK
    ntk_alignment: np.ndarray  #: (s, Q) kernel-target alignment ⟨Θ, yyᵀ⟩/(‖Θ‖‖yyᵀ‖) with the probe targets
    ntk_eigenvalues: np.ndarray  #: (s, Q, d) eigenvalues, descending
    feature_alignment: np.ndarray | None  #: (s, Q) alignment of the feature kernel ΦΦᵀ (models with ``features``)
    feature_change: np.ndarray | None  #: (s, Q) ‖ΦΦᵀ_t − ΦΦᵀ_0‖_F / ‖ΦΦᵀ_0‖_F
    learning_rate: float  #: the absolute SGD step size used

    @property
    def n_seeds(self) -> int:
        """The number of seeds s trained together."""
        return int(self.test_loss.shape[0])

    def trace_ratio(self) -> np.ndarray:
        """Δ_Θ(t) = (TrΘ_t − TrΘ₀)/TrΘ₀ per seed and eNTK record, shape (s, Q)."""
        if self.ntk_trace.shape[1] == 0:
            raise ValueError("this run recorded no eNTK (pass ntk_steps to train_online)")
        return (self.ntk_trace - self.ntk_trace[:, :1]) / self.ntk_trace[:, :1]


# ----------------------------------------------------------------------------- small pieces


def online_loss(name: str) -> Callable[[jax.Array, jax.Array], jax.Array]:
    """Per-element losses ``(outputs, targets) -> array`` whose mean is the loss.

    ``"mse"``: (f − y)² elementwise (targets reshaped to the outputs' shape when they
    differ only by a trailing 1). ``"cross_entropy"``: softmax cross-entropy over the last
    axis, one value per leading index; integer targets are labels, float targets are
    probabilities (e.g. one-hot).

    Args:
        name: ``"mse"`` or ``"cross_entropy"``.

    Returns:
        ``(outputs, targets) -> per-element losses``: shaped like the outputs for MSE, like
        the outputs without their last axis for cross-entropy.

    Raises:
        ValueError: an unknown name.
    """
    if name == "mse":

        def mse(out, y):
            if y.shape != out.shape:
                y = y.reshape(out.shape)
            return (out - y) ** 2

        return mse
    if name == "cross_entropy":

        def ce(out, y):
            if jnp.issubdtype(y.dtype, jnp.integer):
                return optax.softmax_cross_entropy_with_integer_labels(out, y)
            return optax.softmax_cross_entropy(out, y)

        return ce
    raise ValueError(f"unknown loss {name!r}; choose one of {ONLINE_LOSSES}")


def _accuracy(out: jax.Array, y: jax.Array) -> jax.Array:
    labels = y if jnp.issubdtype(y.dtype, jnp.integer) else jnp.argmax(y, -1)
    return (jnp.argmax(out, -1) == labels).astype(jnp.float32)


def _optimizer(name: str) -> optax.GradientTransformation:
    if name == "sgd":
        return optax.identity()
    if name == "momentum":
        return optax.trace(decay=0.9)
    if name == "adam":
        return optax.scale_by_adam()
    raise ValueError(f"unknown optimizer {name!r}; choose one of {ONLINE_OPTIMIZERS}")


def online_record_steps(steps: int, n_records: int, ntk_steps: Sequence[int] = ()) -> np.ndarray:
    """The recorded steps: :func:`ntk_scaling.log_steps` ``(steps, n_records)`` ∪ ``ntk_steps``.

    Args:
        steps: T, the last step.
        n_records: at most this many log-spaced records.
        ntk_steps: extra steps at which the eNTK is recorded.

    Returns:
        (r,) int64 sorted, distinct steps from 0 to T.

    Raises:
        ValueError: an eNTK step outside [0, steps].
    """
    base = log_steps(steps, n_records)
    extra = np.asarray(list(ntk_steps), dtype=np.int64)
    if extra.size and (extra.min() < 0 or extra.max() > steps):
        raise ValueError(f"ntk_steps must lie in [0, {steps}], got {extra.tolist()}")
    return np.union1d(base, extra).astype(np.int64)


def _raw_output(model, params, params0, x, scale, centre: bool, linearised: bool):
    if linearised:
        delta = jax.tree_util.tree_map(lambda p, p0: p - p0, params, params0)
        f0, df = jax.jvp(lambda p: model.apply(p, x), (params0,), (delta,))
        out = df if centre else f0 + df
    else:
        out = model.apply(params, x)
        if centre:
            out = out - model.apply(params0, x)
    return out * scale


def trained_output(model: Any, params: Any, params0: Any, x: jax.Array, *, linearised: bool = False) -> jax.Array:
    """The function being trained (module docstring): scale·[apply(θ) − centre·apply(θ₀)].

    Args:
        model: a model of the protocol (``output_scale`` and ``centre`` are read from it).
        params: the current parameters.
        params0: the initial parameters θ₀ (the centring and linearisation point).
        x: inputs.
        linearised: use the first-order expansion of the network at θ₀.

    Returns:
        The outputs, shaped as ``model.apply``'s.
    """
    scale = float(getattr(model, "output_scale", 1.0))
    return _raw_output(model, params, params0, x, scale, bool(getattr(model, "centre", False)), linearised)


# ----------------------------------------------------------------------------- compiled programs


class _State(NamedTuple):
    params: Any
    opt_state: Any
    key: jax.Array
    loss_sum: jax.Array
    finite: jax.Array
    step: jax.Array  #: steps taken so far (int32)
    stream: jax.Array  #: the run's stream key (tasks with ``sample_step``)


def _program_key(obj: Any) -> Any:
    """What the compiled code depends on: ``obj.program_key`` when defined, else ``obj``.

    A model or task may define ``program_key``, an object equal for all instances whose
    ``apply``/``sample`` code is the same (e.g. a mean-field MLP at any γ₀, whose γ₀ only
    enters through ``output_scale``, a runtime argument), so a sweep compiles once.
    """
    return getattr(obj, "program_key", obj)


def _programs(model, task, loss, optimizer, batch_size, linearised):
    centre = bool(getattr(model, "centre", False))
    key = (_program_key(model), _program_key(task), loss, optimizer, batch_size, linearised, centre)
    try:
        hash(key)
    except TypeError:
        return _build_programs(*key)
    return _cached_programs(key)


@functools.lru_cache(maxsize=16)
def _cached_programs(key):
    return _build_programs(*key)


def _build_programs(model, task, loss_name, optimizer, batch_size, linearised, centre):
    per_element = online_loss(loss_name)
    opt = _optimizer(optimizer)

    def batch_loss(params, params0, x, y, scale):
        return jnp.mean(per_element(_raw_output(model, params, params0, x, scale, centre, linearised), y))

    streamed = callable(getattr(task, "sample_step", None))

    def draw(data, s, sub):
        if streamed:
            return task.sample_step(data, s.stream, s.step, batch_size)
        return task.sample(data, sub, batch_size)

    def start_one(params, key):
        stream = jax.random.fold_in(key, 7919)  # leaves ``key``, and so every non-streamed run, unchanged
        return _State(params, opt.init(params), key, jnp.zeros((), jnp.float32), jnp.array(True),
                      jnp.zeros((), jnp.int32), stream)

    def advance_one(state, params0, data, n_steps, lr, scale):
        def body(_, s):
            key, sub = jax.random.split(s.key)
            x, y = draw(data, s, sub)
            value, grads = jax.value_and_grad(batch_loss)(s.params, params0, x, y, scale)
            updates, opt_state = opt.update(grads, s.opt_state, s.params)
            params = jax.tree_util.tree_map(lambda p, u: p - lr * u.astype(p.dtype), s.params, updates)
            return _State(params, opt_state, key, s.loss_sum + value, s.finite & jnp.isfinite(value),
                          s.step + 1, s.stream)

        s0 = state._replace(loss_sum=jnp.zeros_like(state.loss_sum))
        return jax.lax.fori_loop(0, n_steps, body, s0)

    def first_batch_loss_one(params, params0, data, key, scale):
        if streamed:  # the first batch of a stream of its own
            x, y = task.sample_step(data, key, jnp.zeros((), jnp.int32), batch_size)
        else:
            x, y = task.sample(data, key, batch_size)
        return batch_loss(params, params0, x, y, scale)

    def reference_one(params0, x):
        return model.apply(params0, x)

    def eval_one(params, params0, reference, x, y, scale):
        if centre and not linearised:  # the frozen reference on the test set is computed once
            out = (model.apply(params, x) - reference) * scale
        else:
            out = _raw_output(model, params, params0, x, scale, centre, linearised)
        mean_loss = jnp.mean(per_element(out, y))
        accuracy = jnp.mean(_accuracy(out, y)) if loss_name == "cross_entropy" else jnp.zeros(())
        return mean_loss, accuracy

    return _Programs(
        start=jax.vmap(start_one),
        advance=jax.jit(jax.vmap(advance_one, in_axes=(0, 0, None, None, None, None))),
        first_loss=jax.jit(jax.vmap(first_batch_loss_one, in_axes=(0, 0, None, 0, None))),
        reference=jax.jit(jax.vmap(reference_one, in_axes=(0, None))),
        evaluate=jax.jit(jax.vmap(eval_one, in_axes=(0, 0, 0, None, None, None))),
    )


class _Programs(NamedTuple):
    start: Callable
    advance: Callable
    first_loss: Callable
    reference: Callable
    evaluate: Callable


@functools.lru_cache(maxsize=16)
def _kernel_program(model, linearised, implementation):
    def kernel(params, params0, x, scale):
        p = params0 if linearised else params
        if hasattr(model, "ntk"):
            theta = model.ntk(p, x)
        else:
            theta = empirical_ntk(model.apply, p, x, implementation=implementation)
        return flatten_ntk(theta) * scale**2

    return jax.jit(kernel)


@functools.lru_cache(maxsize=16)
def _features_program(model):
    return jax.jit(jax.vmap(lambda params, x: model.features(params, x), in_axes=(0, None)))


# ----------------------------------------------------------------------------- the loop


def _describe(model, task, lr, batch_size, loss, optimizer) -> str:
    return f"model={model!r}, task={task!r}, learning_rate={lr:g}, batch_size={batch_size}, loss={loss}, optimizer={optimizer}"


def _task_identity(arguments: dict[str, Any]) -> dict[str, Any]:
    ident = getattr(arguments["task"], "identity", None)
    return dict(ident()) if callable(ident) else {}


def _stack(trees):
    return jax.tree_util.tree_map(lambda *leaves: jnp.stack(leaves), *trees)


def _evaluate(programs, params, params0, references, x_test, y_test, block: int, scale) -> tuple[np.ndarray, np.ndarray]:
    """Test loss and accuracy per seed: block means weighted by block size (float64)."""
    n = int(x_test.shape[0])
    total = correct = 0.0
    for j, s in enumerate(range(0, n, block)):
        m = min(block, n - s)
        t, c = programs.evaluate(params, params0, references[j], x_test[s : s + m], y_test[s : s + m], scale)
        total = total + m * np.asarray(t, np.float64)
        correct = correct + m * np.asarray(c, np.float64)
    return total / n, correct / n


def _kernel_metrics(kernels: np.ndarray, y_probe: np.ndarray, k_out: int) -> tuple[np.ndarray, ...]:
    """Trace, Γ, alignment and eigenvalues of flattened kernels (s, d, d), float64."""
    y = np.asarray(y_probe)
    if np.issubdtype(y.dtype, np.integer):
        y = np.eye(k_out)[y]
    y = y.reshape(-1).astype(np.float64)
    eig = np.linalg.eigvalsh(0.5 * (kernels + np.swapaxes(kernels, 1, 2)))[:, ::-1]
    trace, _, rank = spectrum_metrics(eig)
    align = np.array([kernel_target_alignment(k, y) for k in kernels])
    return trace, rank, align, eig


def _train_chunk(model, task, data, keys, *, record, ntk_set, lr, batch_size, loss, optimizer, linearised,
                 n_probe, eval_batch_size, ntk_implementation, what):
    programs = _programs(model, task, loss, optimizer, batch_size, linearised)
    scale = jnp.float32(getattr(model, "output_scale", 1.0))
    centre = bool(getattr(model, "centre", False))
    split = [jax.random.split(k, 3) for k in keys]
    params0 = _stack([model.init(s[0]) for s in split])
    state = programs.start(params0, jnp.stack([s[1] for s in split]))
    x_test, y_test = task.test_set(data)
    n_test = int(x_test.shape[0])
    blocks = range(0, n_test, eval_batch_size)
    if centre and not linearised:
        references = [programs.reference(params0, x_test[s : s + eval_batch_size]) for s in blocks]
    else:
        references = [jnp.zeros((len(keys),))] * len(blocks)
    do_ntk = bool(ntk_set)
    if do_ntk:
        x_probe, y_probe = task.probe_set(data, n_probe)
        kernel_fn = _kernel_program(_program_key(model), linearised, ntk_implementation)
        feat_fn = _features_program(_program_key(model)) if hasattr(model, "features") else None
    rows: dict[str, list] = {"test": [], "train": [], "acc": [], "kern": [], "feat": []}
    lr_arr = jnp.float32(lr)
    previous = 0
    for step in record:
        n = int(step) - previous
        if n > 0:
            state = programs.advance(state, params0, data, jnp.int32(n), lr_arr, scale)
            train = np.asarray(state.loss_sum, np.float64) / n
            finite = np.asarray(state.finite)
        else:
            train = np.asarray(programs.first_loss(params0, params0, data, jnp.stack([s[2] for s in split]), scale), np.float64)
            finite = np.isfinite(train)
        test, acc = _evaluate(programs, state.params, params0, references, x_test, y_test, eval_batch_size, scale)
        bad = ~(finite & np.isfinite(train) & np.isfinite(test))
        if np.any(bad):
            raise DivergenceError(
                f"train_online diverged (NaN/inf loss) by step {int(step)} for seeds {np.flatnonzero(bad).tolist()} "
                f"of the chunk ({what}); lower the learning rate"
            )
        rows["test"].append(test)
        rows["train"].append(train)
        rows["acc"].append(acc)
        if do_ntk and int(step) in ntk_set:
            ks = []
            for i in range(len(keys)):
                p_i = jax.tree_util.tree_map(lambda a, i=i: a[i], state.params)
                p0_i = jax.tree_util.tree_map(lambda a, i=i: a[i], params0)
                ks.append(np.asarray(kernel_fn(p_i, p0_i, x_probe, scale), np.float64))
            ks = np.stack(ks)
            if not np.all(np.isfinite(ks)):
                raise DivergenceError(f"train_online: eNTK has NaN/inf entries at step {int(step)} ({what})")
            rows["kern"].append(_kernel_metrics(ks, np.asarray(y_probe), ks.shape[-1] // n_probe))
            if feat_fn is not None:
                rows["feat"].append(np.asarray(feat_fn(state.params, x_probe), np.float64))
        previous = int(step)
    out = {
        "test_loss": np.stack(rows["test"], 1),
        "train_loss": np.stack(rows["train"], 1),
        "test_accuracy": np.stack(rows["acc"], 1),
    }
    if do_ntk:
        tr, rk, al, eig = (np.stack([r[i] for r in rows["kern"]], 1) for i in range(4))
        out.update(ntk_trace=tr, ntk_effective_rank=rk, ntk_alignment=al, ntk_eigenvalues=eig)
        if rows["feat"]:
            out.update(_feature_metrics(np.stack(rows["feat"], 1), np.asarray(y_probe, np.float64)))
    return out


def _feature_metrics(phi: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Alignment and relative change of the feature kernel ΦΦᵀ/p; phi (s, Q, n, p)."""
    gram = np.einsum("sqip,sqjp->sqij", phi, phi) / phi.shape[-1]
    yv = y.reshape(y.shape[0], -1)
    align = np.array([[kernel_target_alignment(g, yv) for g in row] for row in gram])
    change = np.linalg.norm(gram - gram[:, :1], axis=(2, 3)) / np.linalg.norm(gram[:, :1], axis=(2, 3))
    return {"feature_alignment": align, "feature_change": change}


@cached_function(version=1, ignore=("seed_chunk", "eval_batch_size", "ntk_implementation"), data=_task_identity)
def train_online(
    model: Any,
    task: Any,
    *,
    steps: int,
    batch_size: int,
    learning_rate: float,
    loss: str = "mse",
    optimizer: str = "sgd",
    n_seeds: int = 4,
    seed: int = 0,
    n_records: int = 40,
    ntk_steps: Sequence[int] = (),
    n_probe: int = 128,
    linearised: bool = False,
    seed_chunk: int | None = None,
    eval_batch_size: int = 4096,
    ntk_implementation: str | None = None,
) -> OnlineResult:
    """Train ``n_seeds`` copies of ``model`` on ``task`` by online SGD and record the test loss.

    Args:
        model: a model (module docstring: ``init``, ``apply``, optional ``centre``,
            ``output_scale``, ``ntk``, ``features``); a NamedTuple for the cached call.
        task: a task (``load``, ``sample``, ``test_set``, ``probe_set``); a NamedTuple.
        steps: T ≥ 1, the number of SGD steps.
        batch_size: B ≥ 1 fresh samples per step.
        learning_rate: the absolute step size η > 0 (for [B]'s mean-field models
            ``model.learning_rate(eta0)`` = η₀γ₀²N).
        loss: ``"mse"`` or ``"cross_entropy"``.
        optimizer: ``"sgd"``, ``"momentum"`` or ``"adam"``.
        n_seeds: independent runs (initialisation and batch stream), batched with ``vmap``.
        seed: the integer seed of the runs' keys (:func:`ntk_scaling.seed_keys`).
        n_records: at most this many log-spaced records of the test loss (step 0 included).
        ntk_steps: steps at which the eNTK (and the feature kernel) is recorded on the
            task's probe set; step 0 is added when any are given. Empty: no eNTK.
        n_probe: probe inputs for the eNTK records.
        linearised: train the network linearised at initialisation (the lazy reference).
        seed_chunk: train at most this many seeds per compiled call (memory only).
        eval_batch_size: test inputs per evaluation block (memory only).
        ntk_implementation: passed to :func:`ntk_scaling.empirical_ntk` for models without
            their own ``ntk`` (speed and memory only).

    Returns:
        :class:`OnlineResult`.

    Raises:
        TypeError, ValueError: a bad argument (named).
        DivergenceError: a loss became NaN/inf (names the configuration).

    Source: [B] Section 5 (online SGD, MSE, test loss against steps); the protocol details
    (records, eNTK probes) are our choices.
    """
    steps = check_int(steps, "steps")
    batch_size = check_int(batch_size, "batch_size")
    lr = check_float(learning_rate, "learning_rate", positive=True)
    n_seeds = check_int(n_seeds, "n_seeds")
    check_int(seed, "seed", 0)
    n_records = check_int(n_records, "n_records", 2)
    n_probe = check_int(n_probe, "n_probe", 2)
    eval_batch_size = check_int(eval_batch_size, "eval_batch_size")
    if loss not in ONLINE_LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {ONLINE_LOSSES}")
    if optimizer not in ONLINE_OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {ONLINE_OPTIMIZERS}")
    if not isinstance(linearised, bool):
        raise TypeError(f"linearised must be a bool, got {linearised!r}")
    for name in ("init", "apply"):
        if not callable(getattr(model, name, None)):
            raise TypeError(f"model must have a callable {name}() (see ntk_scaling.train_online), got {type(model).__name__}")
    for name in ("load", "sample", "test_set", "probe_set"):
        if not callable(getattr(task, name, None)):
            raise TypeError(f"task must have a callable {name}() (see ntk_scaling.train_online), got {type(task).__name__}")
    ntk_list = sorted({int(check_int(s, "ntk_steps element", 0)) for s in ntk_steps})
    if ntk_list and ntk_list[0] != 0:
        ntk_list = [0, *ntk_list]
    record = online_record_steps(steps, n_records, ntk_list)
    chunk = n_seeds if seed_chunk is None else check_int(seed_chunk, "seed_chunk")
    what = _describe(model, task, lr, batch_size, loss, optimizer)
    data = task.load()
    if callable(getattr(task, "stream_length", None)):
        available = int(task.stream_length(data))
        if steps * batch_size > available:
            raise ValueError(
                f"steps × batch_size = {steps} × {batch_size} = {steps * batch_size} exceeds the {available} distinct "
                f"samples of {task!r}: one pass allows at most {available // batch_size} steps at this batch size"
            )
    keys = seed_keys(seed, n_seeds)
    parts = [
        _train_chunk(
            model, task, data, keys[i : i + chunk], record=record, ntk_set=set(ntk_list), lr=lr,
            batch_size=batch_size, loss=loss, optimizer=optimizer, linearised=linearised, n_probe=n_probe,
            eval_batch_size=eval_batch_size, ntk_implementation=ntk_implementation, what=what,
        )
        for i in range(0, n_seeds, chunk)
    ]
    out = {k: np.concatenate([p[k] for p in parts], 0) for k in parts[0]}
    empty = np.zeros((n_seeds, 0))
    return OnlineResult(
        steps=record,
        test_loss=out["test_loss"],
        train_loss=out["train_loss"],
        test_accuracy=out["test_accuracy"] if loss == "cross_entropy" else None,
        ntk_steps=np.asarray(ntk_list, np.int64),
        ntk_trace=out.get("ntk_trace", empty),
        ntk_effective_rank=out.get("ntk_effective_rank", empty),
        ntk_alignment=out.get("ntk_alignment", empty),
        ntk_eigenvalues=out.get("ntk_eigenvalues", np.zeros((n_seeds, 0, 0))),
        feature_alignment=out.get("feature_alignment"),
        feature_change=out.get("feature_change"),
        learning_rate=lr,
    )
