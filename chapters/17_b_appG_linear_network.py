# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A plain two-layer linear network ([B] Appendix G, Figs. 12–13)
#
# The solvable model of [B] (arXiv 2409.17858) projects the update of its feature matrix
# $A$ onto the row space of $A(0)$, so that a width-$N$ model only ever uses $N$ directions
# of the infinite-width feature space. Appendix G of the paper drops the projection: what
# is left is an ordinary two-layer linear network $f = \frac1N w^\top A\psi$ trained by SGD,
# with a factor $\gamma$ on the learning rate of the first layer. Two statements are made
# about it: lazy networks stall at a width-dependent plateau while rich ones keep improving
# at a rate close to the rich exponent $2\beta/(1+\beta)$ of the main text; and the
# improvement comes with a rank-one spike in the first-layer weights that keeps growing
# only for hard tasks ($\beta < 1$).
#
# We simulate that network with `ntk_scaling.simulate_projected_model(..., project=False)`
# (our reconstruction of the model, {ref}`eq-b-model-sgd`; $w(0) \sim \mathcal N(0, I_N)$,
# $A(0)_{ij} \sim \mathcal N(0,1)$, online SGD on Gaussian features with covariance
# $\Lambda$, a power-law task truncated at $M$ modes). The spike is tracked by
# `ntk_scaling.simulate_spike`, which finds the top eigenvalue of
# $(A^\top A - A(0)^\top A(0))/N$ by power iteration and its overlap with the effective
# weights $v = A^\top w/N$. The exponents quoted here come from our reconstruction of the
# paper's scaling laws ({ref}`eq-b-scaling-four-terms`, reconstructed and checked numerically).

# %% tags=["parameters"]
profile = "default"
alpha = 2.0  # capacity α
beta = 0.5  # source β of the hard task
beta_easy = 1.5  # source β of the easy task (spike comparison)
n_modes = 1024  # M, modes kept
widths = [16, 32, 64]  # N
n_seeds = 3  # seeds per width (bands: ±1 s.e.)
batch = 32  # B, online SGD batch
steps = 3000  # T
n_records = 40  # log-spaced records
lr_lazy = 0.5  # η of the lazy runs
gamma = 1.0  # feature-learning strength of the rich runs
lr_rich = 0.05  # η of the rich runs (the kernel grows without bound when β < 1)
fit_from = 0.1  # late-time fit window: t from fit_from·T to T
spike_width = 32  # N of the spike runs
spike_seeds = 3  # seeds of the spike runs
spike_records = 24  # records of the spike runs
power_iterations = 40  # power-iteration steps per spike measurement
seed = 0

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "alpha": nts.Real(gt=1),
    "beta": nts.Real(gt=0, lt=1),
    "beta_easy": nts.Real(gt=1),
    "n_modes": nts.Int(ge=2),
    "widths": nts.ListOf(nts.Int(ge=1), min_len=1, increasing=True),
    "n_seeds": nts.Int(ge=2),
    "batch": nts.Int(ge=1),
    "steps": nts.Int(ge=10),
    "n_records": nts.Int(ge=3),
    "lr_lazy": nts.Real(gt=0),
    "gamma": nts.Real(gt=0),
    "lr_rich": nts.Real(gt=0),
    "fit_from": nts.Real(gt=0, lt=1),
    "spike_width": nts.Int(ge=1),
    "spike_seeds": nts.Int(ge=2),
    "spike_records": nts.Int(ge=3),
    "power_iterations": nts.Int(ge=1),
    "seed": nts.Int(ge=0),
})

# %% tags=["remove-cell"]
import jax
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

import ntk_scaling as nts

nts.plotting.use_book_style()
task = nts.power_law_task(alpha, beta, n_modes)
task_easy = nts.power_law_task(alpha, beta_easy, n_modes)
chi_rich = float(nts.time_exponent(beta, rich=True))
bottleneck = float(nts.model_bottleneck_exponent(alpha, beta))

# %% [markdown]
# ## Lazy networks stall, rich ones do not

# %%
runs = nts.lazy_rich_sweep(
    task, over="width", values=widths, gamma=gamma, lr_lazy=lr_lazy, lr_rich=lr_rich, seed=seed,
    batch=batch, steps=steps, n_seeds=n_seeds, n_records=n_records, project=False,
)
# the lazy network is a random-feature model: its t → ∞ loss is the projection floor of the same A(0)
floors = {n: nts.projection_floor(jax.random.key(seed * 100003 + n), task, n, n_seeds) for n in widths}
t_rec = runs["rich"][widths[0]].steps
fits = {n: nts.fit_power_law_seeds(t_rec, runs["rich"][n].test_loss, xmin=fit_from * steps) for n in widths}

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
cols = nts.plotting.colors(len(widths))
for ax, label in zip(axes, ("lazy", "rich")):
    for n, c in zip(widths, cols):
        r = runs[label][n]
        nts.plotting.seed_band(ax, r.steps[1:], r.test_loss[:, 1:], color=c, label=f"N = {n}")
        ax.axhline(floors[n].mean(), color=c, ls=":", lw=1)
    nts.plotting.label_axes(ax, "SGD step t", "test loss L(t)", loglog=True)
    ax.set_title(f"{label}, no projection: γ = {0.0 if label == 'lazy' else gamma:g}, "
                 f"η = {lr_lazy if label == 'lazy' else lr_rich:g}")
t_g = np.geomspace(fit_from * steps, steps, 10)
anchor_y = 0.6 * float(np.exp(np.log(runs["rich"][widths[-1]].test_loss).mean(0))[np.searchsorted(t_rec, t_g[0])])
nts.plotting.guide_line(axes[1], t_g, -chi_rich, anchor=(t_g[0], anchor_y), color="C3",
                        label=f"t^(−2β/(1+β)) = t^(−{chi_rich:.3g})")
for ax in axes:
    ax.legend(loc="lower left")
nts.plotting.panel_letters(axes)
glue("c17_fig_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c17_fig_curves
# :name: "c17-fig-curves"
#
# Two-layer linear network without projection on a hard task, for several widths $N$
# (colours): (a) lazy, (b) rich. Seed means with ±1 s.e. bands. Dotted lines: the exact
# $t \to \infty$ loss of a width-$N$ random-feature model with the same $A(0)$ (the plateau
# the projected model cannot beat). Red dashed in (b): the rich exponent $2\beta/(1+\beta)$
# of the main text, offset.
# ```
#
# The lazy network is a random-feature model and stops at its plateau, which scales like
# $N^{-\alpha\beta}$ (exponent {glue:text}`c17_bottleneck:.2f` here; chapter 13 measures it).
# The rich network goes through it: at the last step the loss of the narrowest rich network
# is {glue:text}`c17_below_floor:.3f` times its plateau ({numref}`c17-fig-curves`). Over the
# last decade of steps its loss falls as $t^{-\chi}$ with the exponents in the table, against
# $2\beta/(1+\beta)$ = {glue:text}`c17_chi_rich:.3f`.

# %%
n0 = widths[0]
below_floor = float(np.mean(runs["rich"][n0].test_loss[:, -1] / floors[n0]))
lazy_at_floor = float(np.mean(runs["lazy"][n0].test_loss[:, -1] / floors[n0]))
chi_fit = {n: -fits[n].exponent for n in widths}
chi_ci = {n: (-fits[n].exponent_ci[1], -fits[n].exponent_ci[0]) for n in widths}
pd.DataFrame(
    {
        "N": widths,
        "plateau of the lazy model": [floors[n].mean() for n in widths],
        "lazy L(T)/plateau": [np.mean(runs["lazy"][n].test_loss[:, -1] / floors[n]) for n in widths],
        "rich L(T)/plateau": [np.mean(runs["rich"][n].test_loss[:, -1] / floors[n]) for n in widths],
        "rich late exponent": [chi_fit[n] for n in widths],
        "95% interval": [f"[{chi_ci[n][0]:.3f}, {chi_ci[n][1]:.3f}]" for n in widths],
        "rich a(T) = |w|²/N": [runs["rich"][n].weight_norm[:, -1].mean() for n in widths],
    }
).style.format(precision=4).hide(axis="index")

# %% tags=["remove-cell"]
glue("c17_bottleneck", bottleneck, display=False)
glue("c17_below_floor", below_floor, display=False)
glue("c17_chi_rich", chi_rich, display=False)

# %% [markdown]
# ## The rank-one spike
#
# In a two-layer linear network trained by gradient flow with learning rates in the ratio
# $\gamma$, the matrix $AA^\top - \gamma ww^\top$ does not change (balancedness, as in Du et
# al. 2018). The growth of the readout norm, measured by $a(t) = |w|^2/N$, is therefore
# matched by growth of the first layer, and [B] Appendix G.3 attributes the improved
# scaling to a rank-one spike in $A$ that keeps growing only for hard tasks. How fast it
# should grow follows from the mechanism behind the rich exponent ({ref}`eq-b-scaling-mechanism`):
# $a$ grows like $\|v\|$, and $\|v\|^2$ grows without bound only when the target has infinite
# norm ($\beta < 1$), as $t^{2(1-\beta)/(1+\beta)}$. So $a(t) - a(0)$ should grow like
# $t^{(1-\beta)/(1+\beta)}$ for $\beta < 1$ (our derivation, {ref}`eq-b-dmft-spike`) and level off for
# $\beta > 1$. We also measure the change of the first layer itself, $\Delta = A - A(0)$: its
# top squared singular value $\sigma_1^2/N$ (the spike), the fraction
# $\sigma_1^2/\|\Delta\|_F^2$ it carries (1 for an exactly rank-one change), and the overlap
# of its top right singular vector with the learned part $v(t) - v(0)$ of the effective
# weights.

# %%
def spike_run(b: float) -> nts.SpikeResult:
    tk = task if b == beta else task_easy
    return nts.simulate_spike(
        jax.random.key(seed * 31 + 7), tk, width=spike_width, batch=batch, lr=lr_rich, gamma=gamma, steps=steps,
        n_seeds=spike_seeds, n_records=spike_records, power_iterations=power_iterations,
    )


spikes = {b: spike_run(b) for b in (beta, beta_easy)}  # nts.simulate_spike is a cached library function
spike_pred = (1 - beta) / (1 + beta)
growth = {b: np.maximum(s.weight_norm - s.weight_norm[:, :1], 1e-12) for b, s in spikes.items()}
late = {b: spikes[b].steps >= fit_from * steps for b in spikes}
growth_fit = nts.fit_power_law_seeds(spikes[beta].steps, growth[beta], xmin=fit_from * steps)
growth_slope, growth_ci = growth_fit.exponent, growth_fit.exponent_ci
i_from = {b: int(np.searchsorted(spikes[b].steps, fit_from * steps)) for b in spikes}
growth_ratio = {b: float((spikes[b].weight_norm[:, -1] - spikes[b].weight_norm[:, 0]).mean()
                         / (spikes[b].weight_norm[:, i_from[b]] - spikes[b].weight_norm[:, 0]).mean()) for b in spikes}
spike_fit = {b: nts.fit_power_law_seeds(spikes[b].steps, spikes[b].spike, xmin=fit_from * steps) for b in spikes}
spike_slope = {b: spike_fit[b].exponent for b in spikes}
rank_one = {b: float(np.mean(spikes[b].spike[:, -1] / spikes[b].frobenius[:, -1])) for b in spikes}
overlap_end = {b: float(spikes[b].overlap[:, -1].mean()) for b in spikes}

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for b, c in ((beta, "C3"), (beta_easy, "C0")):
    s = spikes[b]
    nts.plotting.seed_band(axes[0], s.steps[1:], growth[b][:, 1:], color=c, label=f"β = {b:g}: a(t) − a(0)")
    nts.plotting.seed_band(axes[0], s.steps[1:], np.maximum(s.spike[:, 1:], 1e-12), color=c, ls="--",
                           label=f"β = {b:g}: spike σ₁²/N of A − A(0)")
    nts.plotting.seed_band(axes[1], s.steps[1:], s.spike[:, 1:] / s.frobenius[:, 1:], color=c, geometric=False,
                           label=f"β = {b:g}: σ₁²/‖Δ‖²_F")
    nts.plotting.seed_band(axes[1], s.steps[1:], s.overlap[:, 1:], color=c, geometric=False, ls=":",
                           label=f"β = {b:g}: overlap with v − v(0)")
t_g = np.geomspace(fit_from * steps, steps, 10)
y0 = float(np.exp(np.log(growth[beta][:, 1:]).mean(0))[np.searchsorted(spikes[beta].steps[1:], t_g[0])])
nts.plotting.guide_line(axes[0], t_g, spike_pred, anchor=(t_g[0], 1.6 * y0),
                        label=f"t^((1−β)/(1+β)) = t^{spike_pred:.3g}")
nts.plotting.label_axes(axes[0], "SGD step t", "growth of the weights", loglog=True)
nts.plotting.label_axes(axes[1], "SGD step t", "fraction / |cos|")
axes[1].set_xscale("log")
axes[1].set_ylim(0, 1.05)
axes[0].set_ylim(bottom=1e-3)
for ax in axes:
    ax.legend(fontsize=7)
nts.plotting.panel_letters(axes)
glue("c17_fig_spike", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c17_fig_spike
# :name: "c17-fig-spike"
#
# Growth of the rich two-layer linear network's weights (width {glue:text}`c17_spike_width`,
# no projection) for a hard task (red) and an easy task (blue). (a) Solid: readout growth
# $a(t) - a(0)$, tied to the first layer by balancedness; dashed: the spike $\sigma_1^2/N$ of
# $\Delta = A - A(0)$; black dashed: the predicted growth $t^{(1-\beta)/(1+\beta)}$ of the hard
# task, offset. (b) Solid: fraction of $\|\Delta\|_F^2$ in the top singular value; dotted:
# overlap of the top right singular vector with $v(t) - v(0)$. Seed means with ±1 s.e. bands.
# ```
#
# Over the last decade of steps, $a(t) - a(0)$ grows as $t^{s}$ with $s$ =
# {glue:text}`c17_growth_hard:.3f` (95% interval {glue:text}`c17_growth_lo_hard:.3f` to
# {glue:text}`c17_growth_hi_hard:.3f`) for the hard task, against our prediction
# {glue:text}`c17_spike_pred:.3f`. Over the same decade it is multiplied by
# {glue:text}`c17_ratio_hard:.2f` for the hard task and by {glue:text}`c17_ratio_easy:.2f` for the
# easy task, whose readout has stopped growing ({numref}`c17-fig-spike`). The change of the first layer
# is close to rank one for both tasks (top singular value {glue:text}`c17_rank_one_hard:.3f`
# and {glue:text}`c17_rank_one_easy:.3f` of the squared Frobenius norm at the last step). Its
# size keeps growing for both at these sizes, as $t^{s}$ with $s$ = {glue:text}`c17_spike_hard:.3f`
# (hard) and {glue:text}`c17_spike_easy:.3f` (easy): the clean hard/easy split of the paper's
# Fig. 13 shows up here in the balanced readout growth, not in $\sigma_1(\Delta)$ itself. The
# spike direction is only partly aligned with the learned weights (overlap
# {glue:text}`c17_overlap_hard:.2f`, hard): it points along the accumulated gradients
# $\Lambda v^0$, which weight the modes being learned. With $w(0) \neq 0$ the cross terms
# $A(0)\Delta^\top$ in the balance equation are not small; the paper's initialisation for
# this figure was not recovered, and a smaller readout initialisation may sharpen the split.

# %% tags=["remove-cell"]
glue("c17_spike_width", spike_width, display=False)
glue("c17_rank_one_hard", rank_one[beta], display=False)
glue("c17_rank_one_easy", rank_one[beta_easy], display=False)
glue("c17_overlap_hard", overlap_end[beta], display=False)
glue("c17_growth_hard", growth_slope, display=False)
glue("c17_growth_lo_hard", growth_ci[0], display=False)
glue("c17_growth_hi_hard", growth_ci[1], display=False)
glue("c17_ratio_hard", growth_ratio[beta], display=False)
glue("c17_ratio_easy", growth_ratio[beta_easy], display=False)
glue("c17_spike_hard", spike_slope[beta], display=False)
glue("c17_spike_easy", spike_slope[beta_easy], display=False)
glue("c17_spike_pred", spike_pred, display=False)

# %% [markdown]
# ## Claims

# %%
tol_chi = 0.1
tol_spike = 0.1
n_last = widths[-1]
claims = [
    nts.Claim(
        "Without projection, lazy networks plateau at a width-dependent level",
        "plateau ∼ N^(−αβ)",
        f"L(T)/plateau = {lazy_at_floor:.3f} at N = {n0}",
        "agrees" if abs(lazy_at_floor - 1) < 0.1 else "partly" if lazy_at_floor < 2 else "disagrees",
        "Rule: within 10% of the exact random-feature plateau of the same A(0) ('partly' below 2x: not yet "
        "converged); the N scaling of that plateau is measured in chapter 13.",
    ),
    nts.Claim(
        "Rich networks without projection are not limited by the width bottleneck",
        "loss keeps improving below the lazy plateau",
        f"rich L(T)/plateau = {below_floor:.3f} at N = {n0}",
        "agrees" if below_floor < 0.5 else "disagrees",
        "Rule: rich loss at T below half the plateau that no projected model of that width can beat.",
    ),
    nts.Claim(
        "The rich linear network improves at the rate 2β/(1+β) (App. G.2)",
        f"{chi_rich:.3f}",
        nts.format_interval(chi_fit[n_last], chi_ci[n_last], 3) + f" at N = {n_last}",
        nts.verdict_interval(chi_rich, chi_ci[n_last], tolerance=tol_chi),
        f"Late window t ∈ [{fit_from * steps:g}, {steps}]; tolerance {tol_chi} for a still-drifting local "
        "exponent and finite M.",
    ),
    nts.Claim(
        "The weights keep growing (balanced rank-one spike) only for β < 1 (App. G.3)",
        f"grows for β = {beta:g} (our prediction t^{spike_pred:.3f}), saturates for β = {beta_easy:g}",
        f"a(t) − a(0) ∝ t^s, s = {nts.format_interval(growth_slope, growth_ci, 3)} (β = {beta:g}); "
        f"growth factor over the last decade {growth_ratio[beta]:.2f} (β = {beta:g}), "
        f"{growth_ratio[beta_easy]:.2f} (β = {beta_easy:g})",
        ("agrees" if (nts.verdict_interval(spike_pred, growth_ci, tolerance=tol_spike) == "agrees"
                      and growth_ratio[beta_easy] < 1.1) else "disagrees"),
        f"Rule: hard-task exponent matches (1−β)/(1+β) within {tol_spike} (our derivation, not a number from "
        "the paper) and the easy task's a(t) − a(0) grows by less than 10% over the last decade.",
    ),
    nts.Claim(
        "The change of the first layer is rank one",
        "rank-one spike",
        f"σ₁²/‖Δ‖²_F = {rank_one[beta]:.3f} (β = {beta:g}), {rank_one[beta_easy]:.3f} (β = {beta_easy:g}); "
        f"σ₁² growth exponent {spike_slope[beta]:.2f} / {spike_slope[beta_easy]:.2f}",
        "partly" if min(rank_one.values()) > 0.8 else "disagrees",
        "Rank one for both tasks; but σ₁(Δ) itself also grows for the easy task at our sizes, so only the "
        "balanced readout growth separates hard from easy ('partly').",
    ),
]
nts.claims_table(claims)
