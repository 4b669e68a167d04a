"""ntk_scaling: the library under the companion book to two neural scaling-law papers.

[A] Nikolaou, Krippendorf, Tovey, Holm, *Beyond Scaling Curves: Internal Dynamics of
    Neural Networks Through the NTK Lens*, arXiv 2507.05035.
[B] Bordelon, Atanasov, Pehlevan, *How Feature Learning Can Improve Neural Scaling
    Laws*, arXiv 2409.17858.

Public names are re-exported here, as optax does, so chapters write ``ntk_scaling.X``.
"""

from __future__ import annotations

__version__ = "0.1.0"

# --- shared infrastructure -------------------------------------------------------
from .cache import cache_dir, cache_key, cached
from .fitting import LinearFit, PowerLawFit, fit_linear, fit_power_law, fit_power_law_seeds, local_slope
from .sweeps import grid, run_sweep
from .reporting import Claim, claims_table, verdict_interval
from . import plotting
from .data import (
    DataFormatError,
    DataUnavailableError,
    balanced_subset,
    cifar10_provenance,
    data_dir,
    load_cifar10,
    load_fashion_mnist,
    load_mnist,
    one_hot,
    standardise,
)

# --- theory of [B]: exponents, phases, compute-optimal laws (helper H1) -----------
from .exponents import (
    Allocation,
    LossExponents,
    LossTerms,
    bootstrap_exponents,
    bootstrap_limit,
    compute_optimal_exponent,
    dominant_term,
    easy_boundary,
    loss_exponents,
    loss_terms,
    model_bottleneck_exponent,
    optimal_allocation,
    task_regime,
    time_exponent,
    time_exponent_gain,
)
from .compute_optimal import (
    Frontier,
    FrontierMeasurement,
    WidthCrossovers,
    WidthFamily,
    compute_frontier,
    fit_frontier_exponent,
    fit_optimal_width_exponent,
    measure_frontier,
    sweep_width_family,
    width_crossovers,
    width_family_point,
)

# --- simulation of [B] (helper H2) -----------------------------------------------
from .tasks import PowerLawTask, power_law_task, initial_loss
from .linear_model import (
    SimulationResult,
    SpikeResult,
    initial_matrices,
    lazy_rich_sweep,
    lazy_reuse_limit,
    projection_floor,
    record_steps,
    simulate_projected_model,
    simulate_spike,
)

# --- DMFT of [B] (helper H3) ------------------------------------------------------
from .dmft import DMFTResult, crossover_time, dmft_limit, dmft_matrix_closure, kernel_multiplier, lazy_error, lazy_loss

# --- models, NTK and metrics of [A] (helper H4) ------------------------------------
from .models import MLPConfig, PARAMETERISATIONS, init_mlp, init_mlp_ensemble, mlp_apply, mlp_forward, n_params, mup_lr_multipliers
from .ntk import (
    NTKImplementation,
    empirical_ntk,
    empirical_ntk_ensemble,
    empirical_ntk_fn,
    flatten_ntk,
    structured_ntk_flops,
)
from .ntk_metrics import (
    AdaptationRate,
    NTKSummary,
    adaptation_rate,
    effective_rank,
    eigenvalues,
    kernel_target_alignment,
    ntk_summary,
    ntk_trace,
    spectral_entropy,
    trace_ratio,
    von_neumann_entropy,
)
from .infinite_width import InfiniteWidthKernels, infinite_width_kernels, infinite_width_nngp, infinite_width_ntk

# --- training of [A] (helper H5) ------------------------------------------------
from .training import (
    BrokenPowerLaw,
    TrainConfig,
    TrainData,
    TrainResult,
    adaptation_rates,
    checkpoint_epochs,
    dataset_label,
    fit_broken_power_law,
    loss_function,
    seed_keys,
    SweepSummary,
    spectrum_metrics,
    sweep_summary,
    synthetic_data,
    train_ensemble,
    train_mlp,
    train_mlp_cached,
    vision_data,
)
