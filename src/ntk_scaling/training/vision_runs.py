"""[B]'s vision experiments (Figs 6 and 8) as cached library calls: online γ₀ sweeps and initial eNTKs.

Chapters 25 (CNN on MNIST) and 27 (ResNet on the CIFAR-10 JPEG copy) call
:func:`vision_online_sweep`, one cached :func:`ntk_scaling.train_online` run per γ₀ over a
:class:`ntk_scaling.VisionStream` consumed in one pass, and :func:`initial_entk_kernel`, the
initial eNTK traced over the logits on held-out images, from which
:func:`ntk_scaling.fit_kernel_spectrum` reads α and β.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from tqdm.auto import tqdm

from ..cache import cached_function
from ..data.vision_stream import VisionStream, check_vision_stream, stream_images
from ..kernels.empirical import empirical_ntk_fn, structured_model_of
from ..kernels.spectra import kernel_eigensystem, target_tail_power
from ..nets.cnn import MeanFieldCNN
from ..nets.resnet import MeanFieldResNet
from ..sweeps import sweep
from ..validation import check_int
from .full_batch import seed_keys
from .online import _task_identity, train_online

__all__ = ["InitialKernel", "VISION_ARCHS", "VisionRun", "initial_entk_kernel", "initial_entk_matrix", "vision_model",
           "vision_online_sweep"]

VISION_ARCHS = ("cnn", "resnet")


class VisionRun(NamedTuple):
    """One γ₀ of a vision sweep."""

    gamma0: float  #: feature-learning strength
    result: Any  #: :class:`ntk_scaling.OnlineResult`, or :class:`ntk_scaling.Diverged`


def vision_model(arch: str, dataset: str, *, width: int, gamma0: float = 1.0, stages: int = 3, blocks: int = 1) -> Any:
    """The μP model of a vision chapter for a data set's image shape.

    Args:
        arch: ``"cnn"`` (:class:`ntk_scaling.MeanFieldCNN`) or ``"resnet"``
            (:class:`ntk_scaling.MeanFieldResNet`).
        dataset: a data set name (its images fix the input shape).
        width: N.
        gamma0: γ₀.
        stages: the ResNet's stages, of widths N, 2N, 4N, ... (ignored for the CNN).
        blocks: the ResNet's residual blocks per stage (ignored for the CNN).

    Returns:
        The model (a NamedTuple).

    Raises:
        ValueError: an unknown architecture.
    """
    shape = tuple(int(s) for s in stream_images(dataset, "train")[0].shape[1:])
    if arch == "cnn":
        return MeanFieldCNN(width=int(width), gamma0=float(gamma0), image_shape=shape)
    if arch == "resnet":
        return MeanFieldResNet(width=int(width), gamma0=float(gamma0), stages=int(stages), blocks=int(blocks), image_shape=shape)
    raise ValueError(f"unknown architecture {arch!r}; choose one of {VISION_ARCHS}")


def vision_online_sweep(
    arch: str,
    dataset: str,
    gammas: Sequence[float],
    *,
    width: int,
    eta0: float,
    steps: int,
    batch_size: int,
    n_seeds: int,
    n_records: int,
    n_train: int,
    n_test: int,
    n_probe: int,
    stages: int = 3,
    blocks: int = 1,
    seed: int = 0,
    order_seed: int = 0,
    executor: Any = None,
) -> list[VisionRun]:
    """Train the chapter's model online, one pass over ``dataset``, at each γ₀ (MSE on one-hot, SGD).

    Args:
        arch: ``"cnn"`` or ``"resnet"``.
        dataset: a data set name (e.g. ``"mnist"``, ``"cifar10"``, ``"cifar10_subset"``).
        gammas: γ₀ values (the smallest is the lazy reference).
        width: N.
        eta0: η₀; the SGD learning rate is η₀γ₀²N.
        steps: T ≤ ⌊n_train/B⌋ (one pass; checked by :func:`ntk_scaling.train_online`).
        batch_size: B.
        n_seeds: seeds, batched with ``vmap``.
        n_records: log-spaced test-loss records.
        n_train: images in the stream (one pass reads each once; :class:`ntk_scaling.VisionStream`).
        n_test: images of the fixed, class-balanced test draw.
        n_probe: held-out training images kept for the eNTK spectrum (never streamed).
        stages: the ResNet's stages (ignored for the CNN).
        blocks: the ResNet's residual blocks per stage (ignored for the CNN).
        seed: seed of the runs (initialisations and stream offsets).
        order_seed: seed of the stream's order and the test draw.
        executor: passed to :func:`ntk_scaling.sweep`.

    Returns:
        One :class:`VisionRun` per γ₀, in the order given.
    """
    task = VisionStream(dataset=dataset, n_train=int(n_train), n_test=int(n_test), n_probe=int(n_probe), order_seed=int(order_seed))
    check_vision_stream(task)
    points = []
    for g in gammas:
        model = vision_model(arch, dataset, width=width, gamma0=float(g), stages=stages, blocks=blocks)
        points.append({"model": model, "learning_rate": model.learning_rate(float(eta0))})
    fixed = {
        "task": task,
        "steps": int(steps),
        "batch_size": int(batch_size),
        "n_seeds": int(n_seeds),
        "seed": int(seed),
        "n_records": int(n_records),
        "loss": "mse",
        "optimizer": "sgd",
    }
    swept = sweep(train_online, points, fixed=fixed, executor=executor, desc=f"{arch} on {dataset}")
    return [VisionRun(float(g), r) for g, r in zip(gammas, swept.results)]


class InitialKernel(NamedTuple):
    """The spectrum of the seed-averaged initial eNTK (traced over the logits) on held-out images.

    Only what the fits of [B]'s α and β need is kept: the eigenvalues and the targets' power
    per eigenvector, (n,) each, instead of the (n, n) kernel (which would not fit the results
    store at n = 1000); :func:`initial_entk_matrix` gives the kernel itself.
    """

    eigenvalues: np.ndarray  #: (n,) float64, descending
    power: np.ndarray  #: (n,) Σ_c (y_c·u_ℓ)² of the one-hot targets on eigenvector ℓ
    labels: np.ndarray  #: (n,) int64 labels of the images
    seed_traces: np.ndarray  #: (s,) Tr of each seed's kernel (spread across initialisations)


def initial_entk_matrix(
    model: Any,
    task: VisionStream,
    *,
    n_images: int,
    n_seeds: int = 2,
    seed: int = 0,
    block_size: int | None = None,
    implementation: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The initial eNTK of ``model`` on the task's held-out probe images, traced over the logits.

    Θ(x, x') = Σ_a Σ_p ∂f_a(x)/∂θ_p ∂f_a(x')/∂θ_p of the raw network at initialisation
    (γ₀ and the centring only rescale it by 1/γ₀², which α and β do not see), averaged over
    ``n_seeds`` initialisations (a finite-width estimate of the kernel's mean).

    Args:
        model: a vision model (:func:`vision_model`); a NamedTuple.
        task: the :class:`ntk_scaling.VisionStream` whose probe images are used.
        n_images: n ≤ ``task.n_probe`` images ([B] uses ≥ 1000).
        n_seeds: initialisations averaged.
        seed: seed of the initialisations.
        block_size: images per eNTK block (memory only); None computes all n at once,
            holding the n·k·P Jacobian (4·10·n·P bytes in float32); blocks recompute each
            block's Jacobian once per block pair.
        implementation: passed to :func:`ntk_scaling.empirical_ntk_fn` (speed only); None
            picks ``STRUCTURED_MODEL`` for models with a structured kernel (the CNN), else
            ``PER_SAMPLE_JACOBIAN`` (never differentiates whole batches).

    Returns:
        ``(kernel (n, n) float64, labels (n,) int64, seed_traces (s,))``: the kernel
        Σ_a Θ_aa(x_i, x_j) of f_net averaged over the seeds, the images' labels, and each
        seed's trace.

    Raises:
        ValueError: ``n_images`` larger than the probe set.

    Source: [B] Section 5.2, Figs 6 and 8 (appendix ``eq-b-vision-spectrum-fits``).
    Cost: per seed one eNTK of n images, (n/block)² blocks of 10-logit Jacobian contractions.
    """
    n = check_int(n_images, "n_images", 10)
    n_seeds = check_int(n_seeds, "n_seeds")
    data = task.load()
    x, y = task.probe_set(data, n)
    if implementation is None:
        implementation = "structured_model" if structured_model_of(model.apply) is not None else "per_sample_jacobian"
    fn = empirical_ntk_fn(model.apply, trace_logits=True, batch_size=block_size, implementation=implementation)
    total = np.zeros((n, n))
    traces = []
    for key in tqdm(seed_keys(seed, n_seeds), desc="initial eNTK", leave=False):
        params = model.init(jax.random.split(key, 3)[0])
        k = np.asarray(fn(params, x), np.float64)
        traces.append(np.trace(k))
        total += k
    return total / n_seeds, np.asarray(jnp.argmax(y, -1), np.int64), np.asarray(traces)


@cached_function(version=2, ignore=("block_size", "implementation"), data=_task_identity)
def initial_entk_kernel(
    model: Any,
    task: VisionStream,
    *,
    n_images: int,
    n_seeds: int = 2,
    seed: int = 0,
    block_size: int | None = None,
    implementation: str | None = None,
) -> InitialKernel:
    """The spectrum of :func:`initial_entk_matrix`'s kernel and the targets' power per mode (cached).

    Args:
        model: a vision model (:func:`vision_model`); a NamedTuple.
        task: the :class:`ntk_scaling.VisionStream` whose probe images are used.
        n_images: n ≤ ``task.n_probe`` images ([B] uses ≥ 1000).
        n_seeds: initialisations averaged.
        seed: seed of the initialisations.
        block_size: images per eNTK block (memory only; see :func:`initial_entk_matrix`).
        implementation: eNTK implementation (speed only; see :func:`initial_entk_matrix`).

    Returns:
        :class:`InitialKernel`: eigenvalues (descending) and Σ_c (y_c·u_ℓ)², float64.

    Raises:
        ValueError: ``n_images`` larger than the probe set.

    Source: [B] Section 5.2, Figs 6 and 8 (appendix ``eq-b-vision-spectrum-fits``).
    Cost: that of :func:`initial_entk_matrix` plus one (n, n) eigendecomposition.
    """
    kernel, labels, traces = initial_entk_matrix(model=model, task=task, n_images=n_images, n_seeds=n_seeds, seed=seed, block_size=block_size, implementation=implementation)
    eigenvalues, eigenvectors = kernel_eigensystem(kernel)
    power, _ = target_tail_power(eigenvectors, labels)
    return InitialKernel(eigenvalues=eigenvalues, power=power, labels=labels, seed_traces=traces)
