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
# # Finite width: theory against simulation ([B] Fig. 2c–d)
#
# At infinite width the solvable model of [B] (arXiv 2409.17858) keeps improving forever,
# and faster when its features are learned. At finite width $N$ it cannot. The network only
# sees the $N$ random combinations $A(0)\psi$ of the infinite-width features, so its learning
# curve leaves the infinite-width curve and settles on a plateau. [B] Fig. 2(c–d) draws
# finite-$N$ simulations together with the curves of a DMFT at finite $N$ (the paper's
# Eqs. 26–31). Those equations did not survive in our copy of the paper, so this chapter
# uses a finite-$N$ theory that we derived ourselves, and checks it against simulations
# averaged over seeds.
#
# **The theory in three sentences** (derivation and status in the appendix of equations,
# {ref}`eq-b-finite-n-reduction` to {ref}`eq-b-finite-n-sgd`). First, the projected
# dynamics at width $N$ is *exactly* the infinite-width dynamics run on the $N$ eigenmodes
# of one random matrix, the sample covariance $\hat\Sigma$ of $N$ Gaussian vectors with
# the task's spectrum, started from the random point that the readout's initialisation
# sets. The feature kernel stays rank-two structured there, as it stays rank-one at
# $N = \infty$. Second, every quantity that couples the modes is a sum over them, so after
# averaging over $A(0)$ it depends only on two spectral measures of $\hat\Sigma$. We take
# those from their deterministic equivalent, where a self-consistent effective
# regularisation $\kappa$ plays the role of the "response summed over modes" that [B]
# describes. Third, we solve the resulting closed system in continuous time on a
# log-spaced grid, at a cost that grows with $\log t$ (or in $\eta$-steps, to compare step
# by step).
#
# The theory is exact at leading order in $1/N$ for lazy training ($\gamma = 0$), where it
# reduces to the deterministic equivalent of random-feature regression. For rich training
# it also neglects the fluctuations, from one draw of $A(0)$ to the next, of three scalar
# order parameters. With a finite batch and $\gamma > 0$, its treatment of SGD noise is an
# approximate Gaussian closure.
#
# **What we simulate.** The simulations use our reconstruction of [B] Eqs. 3–5
# ({ref}`eq-b-model-network`): $f = \frac1N w^\top A\psi$ with $A(0)_{ij} \sim \mathcal N(0,1)$,
# $w(0) \sim \mathcal N(0, I_N)$, and the update of $A$ projected onto the row space of $A(0)$
# and scaled by the feature-learning strength $\gamma$. Training uses either the population
# gradient ($B = \infty$) or online SGD with $B$ fresh Gaussian samples per step. Every mean
# is over {glue:text}`c13_n_seeds` seeds, each with its own $A(0)$, $w(0)$ and data.

# %% tags=["parameters"]
profile = "default"
alpha = 2.0  # capacity α, eigenvalues λ_k ∝ k^-α
beta_hard = 0.5  # source of the hard task (β < 1)
beta_easy = 1.3  # source of the easy task (1 < β < 2 − 1/α)
n_modes = 512  # M of the simulated tasks (the theory uses the same truncated spectrum)
widths = [32, 64, 128]  # N of the simulated learning curves
n_seeds = 32  # seeds per simulated curve (intervals: 95% of the seed mean)
steps = 1000  # T, simulated SGD steps
theory_steps = 1000000  # the theory curves continue to this step, past the plateaus
n_records = 40  # log-spaced records per curve
gamma = 1.0  # feature-learning strength of the rich runs
lr_lazy = 0.5  # η of the lazy runs
lr_rich = 0.1  # η of the rich runs (the rich kernel grows, so late steps need a smaller η)
batch = 8  # B of the finite-batch check (hard task)
batch_widths = [32, 64]  # widths simulated with the finite batch
floor_widths = [16, 32, 64, 128, 256, 512, 1024]  # N for the plateau against width (theory)
floor_modes = 16384  # M for the plateau exponent (≥ 16 × every width)
floor_sample_widths = [16, 32]  # widths where the exact plateau of sampled A(0) is computed
n_floor_seeds = 8  # sampled A(0) per width for the exact plateau
tol_exp = 0.05  # tolerance for the plateau exponent
agree_fraction = 0.1  # a curve agrees if at most this fraction of records lie outside the 95% interval ...
agree_z = 3.0  # ... and none lies further than this many standard errors
seed = 0

# %% tags=["remove-cell"]
import jax
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "alpha": nts.Real(gt=1),
    "beta_hard": nts.Real(gt=0, lt=1),
    "beta_easy": nts.Real(gt=1),
    "n_modes": nts.Int(ge=64),
    "widths": nts.ListOf(nts.Int(ge=2), min_len=2, increasing=True),
    "n_seeds": nts.Int(ge=2),
    "steps": nts.Int(ge=10),
    "theory_steps": nts.Int(ge=10),
    "n_records": nts.Int(ge=8),
    "gamma": nts.Real(gt=0),
    "lr_lazy": nts.Real(gt=0),
    "lr_rich": nts.Real(gt=0),
    "batch": nts.Int(ge=1),
    "batch_widths": nts.ListOf(nts.Int(ge=2), min_len=1, increasing=True),
    "floor_widths": nts.ListOf(nts.Int(ge=2), min_len=3, increasing=True),
    "floor_modes": nts.Int(ge=64),
    "floor_sample_widths": nts.ListOf(nts.Int(ge=2), min_len=2, increasing=True),
    "n_floor_seeds": nts.Int(ge=2),
    "tol_exp": nts.Real(ge=0),
    "agree_fraction": nts.Real(ge=0, le=1),
    "agree_z": nts.Real(gt=0),
    "seed": nts.Int(ge=0),
})
if max(widths + batch_widths) >= n_modes:
    raise ValueError(f"n_modes = {n_modes} must exceed every simulated width")
if not set(floor_sample_widths) <= set(floor_widths):
    raise ValueError("floor_sample_widths must be a subset of floor_widths")
if max(floor_widths) * 16 > floor_modes:
    raise ValueError("floor_modes must be at least 16 × the largest floor width (a truncated task lowers the plateau)")
nts.plotting.use_book_style()
tasks = {"hard": nts.power_law_task(alpha, beta_hard, n_modes), "easy": nts.power_law_task(alpha, beta_easy, n_modes)}
learning = {"lazy": (0.0, lr_lazy), "rich": (gamma, lr_rich)}
configs = [(t, m) for t in tasks for m in learning]
glue("c13_n_seeds", n_seeds, display=False)
glue("c13_gamma", gamma, display=False)
glue("c13_batch", batch, display=False)
glue("c13_steps", steps, display=False)
glue("c13_n_modes", n_modes, display=False)

# %% [markdown]
# ## Learning curves: simulation and theory
#
# For each task (hard, $\beta$ = {glue:text}`c13_beta_hard`; easy, $\beta$ =
# {glue:text}`c13_beta_easy`), each mode of training (lazy; rich with $\gamma$ =
# {glue:text}`c13_gamma`) and each width, we simulate {glue:text}`c13_steps` steps of
# gradient descent on the population loss. We compute the finite-$N$ theory twice: in
# $\eta$-steps at the simulation's record steps (for the comparison), and as a gradient
# flow out to step {glue:text}`c13_theory_steps` (for the figure, which shows where the
# curves end). The rich runs use a smaller learning rate because their kernel grows as
# they train.

# %%
sims = {t: nts.lazy_rich_sweep(tasks[t], over="width", values=widths, gamma=gamma, lr_lazy=lr_lazy, lr_rich=lr_rich,
                               seed=seed, batch=None, steps=steps, n_seeds=n_seeds, n_records=n_records)
        for t in tasks}
matched, long, limit = {}, {}, {}
for t, m in configs:
    g, lr = learning[m]
    # N = ∞: the same flow with the M modes of Λ (equal to nts.dmft_limit, cost ∝ log t)
    limit[t, m] = nts.solve_reduced_modes(nts.infinite_width_modes(tasks[t]), lr=lr, gamma=g, steps=theory_steps,
                                          n_records=2 * n_records)
    for n in widths:
        matched[t, m, n] = nts.dmft_finite_width(tasks[t], width=n, lr=lr, gamma=g, steps=steps,
                                                 n_records=n_records, dynamics="discrete")
        long[t, m, n] = nts.dmft_finite_width(tasks[t], width=n, lr=lr, gamma=g, steps=theory_steps,
                                              n_records=2 * n_records)
floors = {(t, n): nts.finite_width_floor(tasks[t], n) for t in tasks for n in widths}
glue("c13_theory_steps", theory_steps, display=False)
glue("c13_beta_hard", beta_hard, display=False)
glue("c13_beta_easy", beta_easy, display=False)

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 2, figsize=(10.5, 7.6), sharex=True)
cols = nts.plotting.colors(len(widths))
for (t, m), ax in zip(configs, axes.ravel()):
    for n, c in zip(widths, cols):
        r = sims[t][m][n]
        mean = r.test_loss.mean(0)
        half = 1.96 * r.test_loss.std(0, ddof=1) / np.sqrt(n_seeds)
        ax.plot(r.steps[1:], mean[1:], color=c, lw=1.6, label=f"N = {n}, simulation")
        ax.fill_between(r.steps[1:], (mean - half)[1:], (mean + half)[1:], color=c, alpha=0.3, lw=0)
        th = long[t, m, n]
        ax.plot(th.steps[1:], th.loss[1:], color=c, ls="--", lw=1.1)
        ax.axhline(floors[t, n], color=c, ls=":", lw=0.9)
    lim = limit[t, m]
    ax.plot(lim.steps[1:], lim.loss[1:], "k-.", lw=1.1, label="N = ∞ (DMFT)")
    ax.plot([], [], "k--", lw=1.1, label="finite-N theory")
    g, lr = learning[m]
    ax.set_title(f"{t} (β = {tasks[t].beta:g}), {m}: γ = {g:g}, η = {lr:g}")
    ax.set_ylim(0.5 * min(floors[t, n] for n in widths), None)
    nts.plotting.label_axes(ax, "step t" if t == "easy" else "", "test loss L(t)", loglog=True)
axes[0, 0].legend(fontsize=7, loc="lower left")
nts.plotting.panel_letters(axes.ravel())
fig.tight_layout()
glue("c13_fig_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c13_fig_curves
# :name: "c13-fig-curves"
#
# Test loss against step for widths $N$ (colours), for a hard task (a, b) and an easy task
# (c, d), trained lazily (a, c) or richly (b, d) with the population gradient. Solid
# lines with bands show the seed mean of the simulations with its 95% confidence interval
# ({glue:text}`c13_n_seeds` seeds, {glue:text}`c13_steps` steps). Dashed lines show our
# finite-$N$ theory, run on as a gradient flow, and dotted lines the plateau
# $\mathcal L_\infty(N)$ that it predicts. The dash-dotted black line is the $N = \infty$
# DMFT. $M$ = {glue:text}`c13_n_modes` modes.
# ```
#
# The dashed theory curves run through the simulated bands and go on to the plateaus
# ({numref}`c13-fig-curves`). The figure does not show how well they match; the next
# figure does, by dividing each simulated mean by its theory curve.

# %%
rows, agreement = [], {}
for t, m in configs:
    for n in widths:
        r = sims[t][m][n]
        ag = nts.compare_with_simulation(matched[t, m, n], r.steps, r.test_loss)
        agreement[t, m, n] = ag
        lim = np.exp(np.interp(np.log(r.steps[1:] * learning[m][1]), np.log(limit[t, m].steps[1:] * learning[m][1]),
                               np.log(limit[t, m].loss[1:])))
        dev_inf = float(np.max(np.abs(lim / r.test_loss.mean(0)[1:] - 1)))
        rows.append({"task": t, "training": m, "N": n, "max |z|": ag.max_z, "at step": ag.worst_step,
                     "records outside 95%": ag.frac_outside, "max |theory/sim − 1|": ag.max_rel,
                     "max |N=∞ theory/sim − 1|": dev_inf, "verdict": ag.verdict(allowed_fraction=agree_fraction, max_z=agree_z)})
table = pd.DataFrame(rows)
table.style.format({"max |z|": "{:.2f}", "records outside 95%": "{:.0%}", "max |theory/sim − 1|": "{:.1%}",
                    "max |N=∞ theory/sim − 1|": "{:.0%}"}).hide(axis="index")

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 2, figsize=(10.5, 6.2), sharex=True, sharey=True)
for (t, m), ax in zip(configs, axes.ravel()):
    for n, c in zip(widths, cols):
        r, th = sims[t][m][n], matched[t, m, n]
        mean = r.test_loss.mean(0)
        half = 1.96 * r.test_loss.std(0, ddof=1) / np.sqrt(n_seeds)
        ax.plot(r.steps[1:], mean[1:] / th.loss[1:] - 1, color=c, label=f"N = {n}")
        ax.fill_between(r.steps[1:], (mean - half)[1:] / th.loss[1:] - 1, (mean + half)[1:] / th.loss[1:] - 1,
                        color=c, alpha=0.25, lw=0)
    ax.axhline(0.0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_title(f"{t}, {m}", fontsize=9)
    nts.plotting.label_axes(ax, "step t" if t == "easy" else "", "simulation / theory − 1")
axes[0, 0].legend(fontsize=7)
nts.plotting.panel_letters(axes.ravel())
fig.tight_layout()
glue("c13_fig_residuals", fig, display=False)
plt.close(fig)
worst = max(agreement.items(), key=lambda kv: kv[1].max_z)
glue("c13_worst_z", worst[1].max_z, display=False)
glue("c13_worst_where", f"{worst[0][0]} task, {worst[0][1]}, N = {worst[0][2]}, step {worst[1].worst_step}",
     display=False)
glue("c13_max_rel", max(a.max_rel for a in agreement.values()), display=False)
glue("c13_frac_outside", float(np.mean([a.frac_outside for a in agreement.values()])), display=False)
glue("c13_max_dev_inf", float(table["max |N=∞ theory/sim − 1|"].max()), display=False)
glue("c13_n_agree", int(sum(a.verdict(allowed_fraction=agree_fraction, max_z=agree_z) == "agrees"
                           for a in agreement.values())), display=False)
easy_half = float(np.median([1.96 * sims["easy"][m][n].test_loss.std(0, ddof=1)[1:].mean()
                             / sims["easy"][m][n].test_loss.mean(0)[1:].mean() / np.sqrt(n_seeds)
                             for m in learning for n in widths]))
glue("c13_easy_half", easy_half, display=False)
glue("c13_n_compared", len(agreement), display=False)

# %% [markdown]
# ```{glue:figure} c13_fig_residuals
# :name: "c13-fig-residuals"
#
# Relative difference between the simulated mean and the finite-$N$ theory, both in
# $\eta$-steps at the same record steps, for the four panels of {numref}`c13-fig-curves`.
# Bands show the 95% confidence interval of the seed mean. Where a band contains zero, the
# theory lies inside the interval.
# ```
#
# Over the {glue:text}`c13_n_compared` curves, an average of
# {glue:text}`c13_frac_outside:.0%` of the records lie outside the 95% interval; 5% would
# be expected by chance. The largest excursion is {glue:text}`c13_worst_z:.2f`
# standard errors ({glue:text}`c13_worst_where`), and the largest relative difference
# anywhere is {glue:text}`c13_max_rel:.1%` ({numref}`c13-fig-residuals`). The table lists
# every curve: {glue:text}`c13_n_agree` of the {glue:text}`c13_n_compared` meet the
# rule of the first claim below. Where the bands are widest, on the easy task, the seed
# mean is itself uncertain by about ±{glue:text}`c13_easy_half:.0%` (median half-width of
# the 95% interval). Few target directions carry the loss there, so it varies strongly
# from one draw of $A(0)$ to the next. The $N = \infty$ theory misses the same
# simulations by up to {glue:text}`c13_max_dev_inf:.0%` (last column): the finite-$N$
# theory accounts for the departure from infinite width, including the slow creep that
# starts well before the plateau.
#
# The relative differences are largest in the first few steps. The random initial readout
# $w(0)$ gives each seed an extra loss of relative size $O(N^{-1/2})$, the cross term
# $2b^\top X^\top w(0)/N$, which averages out only over many seeds.
#
# ## Finite batch
#
# With a finite batch, SGD noise adds to the loss. At $\gamma = 0$ the theory follows the
# second moments of every mode exactly. At $\gamma > 0$ it uses a Gaussian closure
# ({ref}`eq-b-finite-n-sgd`). We check both on the hard task with $B$ =
# {glue:text}`c13_batch`.

# %%
batch_sims = nts.lazy_rich_sweep(tasks["hard"], over="width", values=batch_widths, gamma=gamma, lr_lazy=lr_lazy,
                                 lr_rich=lr_rich, seed=seed + 1, batch=batch, steps=steps, n_seeds=n_seeds,
                                 n_records=n_records)
batch_theory = {(m, n): nts.dmft_finite_width(tasks["hard"], width=n, lr=learning[m][1], gamma=learning[m][0],
                                              steps=steps, n_records=n_records, batch=batch)
                for m in learning for n in batch_widths}
batch_agreement = {k: nts.compare_with_simulation(th, batch_sims[k[0]][k[1]].steps, batch_sims[k[0]][k[1]].test_loss)
                   for k, th in batch_theory.items()}
noise_effect = max(float(np.max(batch_theory[m, n].loss[1:] / matched["hard", m, n].loss[1:] - 1))
                   for m in learning for n in batch_widths if n in widths)
pd.DataFrame([{"training": m, "N": n, "B": batch, "max |z|": a.max_z, "records outside 95%": a.frac_outside,
               "max |theory/sim − 1|": a.max_rel, "verdict": a.verdict(allowed_fraction=agree_fraction, max_z=agree_z)}
              for (m, n), a in batch_agreement.items()]
             ).style.format({"max |z|": "{:.2f}", "records outside 95%": "{:.0%}",
                             "max |theory/sim − 1|": "{:.1%}"}).hide(axis="index")

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.8), sharey=True)
bcols = nts.plotting.colors(len(batch_widths))
for ax, m in zip(axes, learning):
    for n, c in zip(batch_widths, bcols):
        r = batch_sims[m][n]
        mean = r.test_loss.mean(0)
        half = 1.96 * r.test_loss.std(0, ddof=1) / np.sqrt(n_seeds)
        ax.plot(r.steps[1:], mean[1:], color=c, label=f"N = {n}, B = {batch}, simulation")
        ax.fill_between(r.steps[1:], (mean - half)[1:], (mean + half)[1:], color=c, alpha=0.3, lw=0)
        ax.plot(r.steps[1:], batch_theory[m, n].loss[1:], "--", color=c, lw=1.1)
        if n in widths:
            ax.plot(r.steps[1:], matched["hard", m, n].loss[1:], ":", color=c, lw=1.0)
    ax.plot([], [], "k--", label=f"theory, B = {batch}")
    ax.plot([], [], "k:", label="theory, B = ∞")
    ax.set_title(f"hard, {m}", fontsize=9)
    nts.plotting.label_axes(ax, "SGD step t", "test loss L(t)", loglog=True)
axes[0].legend(fontsize=7)
nts.plotting.panel_letters(axes)
fig.tight_layout()
glue("c13_fig_batch", fig, display=False)
plt.close(fig)
glue("c13_noise_effect", noise_effect, display=False)
batch_worst = max(batch_agreement.items(), key=lambda kv: kv[1].max_z)
glue("c13_batch_worst_z", batch_worst[1].max_z, display=False)
glue("c13_batch_worst_where", f"{batch_worst[0][0]}, N = {batch_worst[0][1]}, step {batch_worst[1].worst_step}",
     display=False)
glue("c13_batch_outside", float(np.mean([a.frac_outside for a in batch_agreement.values()])), display=False)
glue("c13_batch_max_rel", max(a.max_rel for a in batch_agreement.values()), display=False)

# %% [markdown]
# ```{glue:figure} c13_fig_batch
# :name: "c13-fig-batch"
#
# Online SGD with $B$ = {glue:text}`c13_batch` fresh samples per step on the hard task,
# lazy (a) and rich (b). Solid lines with bands: simulations (mean and 95% interval).
# Dashed: the finite-$N$ theory with the same batch. Dotted: the theory at $B = \infty$,
# for comparison.
# ```
#
# The SGD noise raises the loss by up to {glue:text}`c13_noise_effect:.0%` in this range
# ({numref}`c13-fig-batch`). On average {glue:text}`c13_batch_outside:.0%` of the records
# lie outside the 95% interval. The largest excursion is
# {glue:text}`c13_batch_worst_z:.2f` standard errors ({glue:text}`c13_batch_worst_where`),
# and the largest relative difference is {glue:text}`c13_batch_max_rel:.1%`; the table
# above gives the verdict for each curve. On this hard task the noise is a small effect. On easier tasks with smaller batches it is not,
# and there the rich closure has a measured error: 3% on the ratio
# $\mathcal L_B/\mathcal L_\infty$ at $\eta/B = 0.015$, 8% at $\eta/B = 0.04$, and up to a
# factor 2 in the first ten steps at $\eta/B = 0.15$ (super-easy task, $N = 64$; see
# {ref}`eq-b-finite-n-sgd`).
#
# ## The plateau against the width
#
# The theory's plateau is the deterministic equivalent of the least-squares residual of
# the target outside the row space of $A(0)$:
# $\mathcal L_\infty = \kappa_0 \sum_k \lambda_k w_k^{*2}/(\lambda_k+\kappa_0)$ with
# $\sum_k \lambda_k/(\lambda_k+\kappa_0) = N$ ({ref}`eq-b-finite-n-deterministic-equivalent`).
# It is the same with and without feature learning, because no training can leave that row
# space. We compute it for widths up to {glue:text}`c13_floor_max` on a task with
# $M$ = {glue:text}`c13_floor_modes` modes. We check it against the exact residual of
# {glue:text}`c13_n_floor_seeds` sampled $A(0)$ per width.

# %%
floor_tasks = {t: nts.power_law_task(alpha, b, floor_modes) for t, b in (("hard", beta_hard), ("easy", beta_easy))}
nw = np.asarray(floor_widths, float)
floor_theory = {t: np.array([nts.finite_width_floor(floor_tasks[t], n) for n in floor_widths]) for t in floor_tasks}
floor_sampled = {t: np.stack([nts.projection_floor(jax.random.key(seed * 7919 + n + 1), floor_tasks[t], n,
                                                   n_floor_seeds) for n in floor_sample_widths], axis=1)
                 for t in floor_tasks}
plateau = {}
for t in floor_tasks:
    fit = nts.fit_power_law(nw, floor_theory[t])
    local = -np.diff(np.log(floor_theory[t])) / np.diff(np.log(nw))
    plateau[t] = dict(exponent=-fit.exponent, interval=(float(local.min()), float(local.max())),
                      paper=float(nts.model_bottleneck_exponent(alpha, floor_tasks[t].beta)),
                      ours=float(alpha * min(1.0, floor_tasks[t].beta)))
sample_z = max(float(np.max(np.abs(floor_sampled[t].mean(0) - floor_theory[t][[floor_widths.index(n) for n in
                                                                              floor_sample_widths]])
                             / (floor_sampled[t].std(0, ddof=1) / np.sqrt(n_floor_seeds)))) for t in floor_tasks)
glue("c13_floor_max", max(floor_widths), display=False)
glue("c13_floor_modes", floor_modes, display=False)
glue("c13_n_floor_seeds", n_floor_seeds, display=False)
glue("c13_sample_z", sample_z, display=False)
for t in floor_tasks:
    glue(f"c13_floor_exp_{t}", plateau[t]["exponent"], display=False)
    glue(f"c13_floor_paper_{t}", plateau[t]["paper"], display=False)
    glue(f"c13_floor_ours_{t}", plateau[t]["ours"], display=False)

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.8, 4.0))
for (t, c) in (("hard", "C0"), ("easy", "C1")):
    ax.plot(nw, floor_theory[t], "-", color=c, label=f"{t} (β = {floor_tasks[t].beta:g}): theory")
    s = floor_sampled[t]
    ax.errorbar(floor_sample_widths, s.mean(0), yerr=1.96 * s.std(0, ddof=1) / np.sqrt(n_floor_seeds), fmt="o",
                color=c, ms=4, mfc="none", label=f"{t}: exact residual, sampled A(0)")
    nts.plotting.guide_line(ax, nw, -plateau[t]["paper"], anchor=(nw[0], 2.0 * floor_theory[t][0]), color=c, ls=":",
                            label=f"N^(−α·min(2,β)) = N^(−{plateau[t]['paper']:g})")
    if plateau[t]["ours"] != plateau[t]["paper"]:
        nts.plotting.guide_line(ax, nw, -plateau[t]["ours"], anchor=(nw[0], 0.5 * floor_theory[t][0]), color=c,
                                ls="--", label=f"N^(−α·min(1,β)) = N^(−{plateau[t]['ours']:g})")
nts.plotting.label_axes(ax, "width N", "plateau L_∞(N)", loglog=True)
ax.legend(fontsize=7)
glue("c13_fig_plateau", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c13_fig_plateau
# :name: "c13-fig-plateau"
#
# The plateau against the width, for the hard and the easy task. Lines: the theory. Open
# circles: the exact least-squares residual for sampled $A(0)$ (mean and 95% interval).
# Dotted: the slope $-\alpha\min(2,\beta)$ quoted for [B]'s model bottleneck, offset
# upwards. Dashed (easy task): the slope $-\alpha\min(1,\beta)$, offset downwards.
# ```
#
# The sampled residuals lie within {glue:text}`c13_sample_z:.1f` standard errors of the
# theory.
# On the hard task the plateau falls as $N^{-\alpha\beta}$: the fitted exponent is
# {glue:text}`c13_floor_exp_hard:.3f` against {glue:text}`c13_floor_paper_hard:.3f`. On
# the easy task it falls as {glue:text}`c13_floor_exp_easy:.3f`, close to $\alpha$ =
# {glue:text}`c13_floor_ours_easy:.3f` and not to $\alpha\beta$ =
# {glue:text}`c13_floor_paper_easy:.3f` ({numref}`c13-fig-plateau`). A target inside the
# RKHS leaves the residual $\kappa_0 |w^*|^2 \propto N^{-\alpha}$, so the plateau of this
# model scales as $N^{-\alpha\min(1,\beta)}$. The $\min(2,\beta)$ form that our notes
# attribute to [B] Eq. 12 is the law of the *data* bottleneck of ridge-like regression,
# and the two forms differ only for $\beta > 1$. For easy tasks the compute-optimal
# balance uses the approach to this plateau, the $N^{-1}t^{-(1-1/\alpha)}$ transient,
# which the theory contains (see the chapter on Fig. 4).
#
# ## Claims

# %%
def overall(verdicts):
    if all(v == "agrees" for v in verdicts):
        return "agrees"
    return "partly" if all(v in ("agrees", "partly") for v in verdicts) else "disagrees"


v_main = overall([a.verdict(allowed_fraction=agree_fraction, max_z=agree_z) for a in agreement.values()])
v_batch = overall([a.verdict(allowed_fraction=agree_fraction, max_z=agree_z) for a in batch_agreement.values()])
n0 = widths[0]
rich_lazy_floor = {m: float(long["hard", m, n0].loss[-1] / floors["hard", n0]) for m in learning}
claims = [
    nts.Claim(
        "Finite-N DMFT curves match finite-N simulations (Fig. 2c–d, dashed lines)",
        "good match along the whole curve",
        f"{len(agreement)} curves (hard/easy × lazy/rich × N ∈ {widths}): max {worst[1].max_z:.2f} s.e., "
        f"{float(np.mean([a.frac_outside for a in agreement.values()])):.0%} of records outside the 95% interval, "
        f"max |Δ| {max(a.max_rel for a in agreement.values()):.1%}",
        v_main,
        f"Our own finite-N theory (the paper's Eqs. 26–31 were lost). Rule: each curve 'agrees' if ≤ "
        f"{agree_fraction:.0%} of records lie outside the 95% interval and none beyond {agree_z:g} s.e., 'partly' "
        f"if none beyond {2 * agree_z:g} s.e.",
    ),
    nts.Claim(
        "The theory captures finite-batch SGD at finite N",
        "DMFT with batch noise (Eq. 26)",
        f"B = {batch}, N ∈ {batch_widths}, hard task: max {max(a.max_z for a in batch_agreement.values()):.2f} s.e.",
        v_batch,
        f"Exact second moments at γ = 0; Gaussian closure at γ > 0 (its error grows with η/B, here "
        f"η/B = {lr_rich / batch:.3g} rich; see the appendix of equations). Same rule as above.",
    ),
    nts.Claim(
        "At finite N the curves leave the N = ∞ theory before the plateau",
        "visible departure, captured by the finite-N DMFT",
        f"N = ∞ theory misses the simulations by up to {float(table['max |N=∞ theory/sim − 1|'].max()):.0%}, "
        f"the finite-N theory by up to {max(a.max_rel for a in agreement.values()):.1%}",
        "agrees" if max(a.max_rel for a in agreement.values()) < 0.5 * float(table["max |N=∞ theory/sim − 1|"].max())
        else "partly",
        "Agrees if the finite-N theory at least halves the largest deviation of the N = ∞ theory.",
    ),
    nts.Claim(
        "Model bottleneck L ∼ N^(−α·min(2,β)), hard task (Eq. 12)",
        f"{plateau['hard']['paper']:.3f}",
        nts.format_interval(plateau["hard"]["exponent"], plateau["hard"]["interval"], 3),
        nts.verdict_interval(plateau["hard"]["paper"], plateau["hard"]["interval"], tolerance=tol_exp),
        f"Deterministic-equivalent plateau for N ∈ [{floor_widths[0]}, {floor_widths[-1]}], M = {floor_modes}; "
        f"interval: local slopes between neighbouring widths; tolerance {tol_exp}. Sampled A(0) lie within "
        f"{sample_z:.1f} s.e.",
    ),
    nts.Claim(
        "Model bottleneck L ∼ N^(−α·min(2,β)), easy task (Eq. 12)",
        f"{plateau['easy']['paper']:.3f}",
        nts.format_interval(plateau["easy"]["exponent"], plateau["easy"]["interval"], 3),
        nts.verdict_interval(plateau["easy"]["paper"], plateau["easy"]["interval"], tolerance=tol_exp),
        f"The plateau of this model scales as N^(−α·min(1,β)) = N^(−{plateau['easy']['ours']:g}) for β > 1 "
        "(residual κ₀|w*|² of a target inside the RKHS), confirmed by sampled A(0). The exponent of [B]'s Eq. 12 "
        "for β > 1 was not recovered verbatim; its text would settle whether it meant the plateau or the "
        "transient that approaches it.",
    ),
    nts.Claim(
        "Feature learning does not change the model bottleneck",
        "rich plateau = lazy plateau",
        f"theory at N = {n0}, step {theory_steps}: L/L_∞ = {rich_lazy_floor['lazy']:.4f} lazy, "
        f"{rich_lazy_floor['rich']:.4f} rich",
        "agrees" if max(abs(v - 1) for v in rich_lazy_floor.values()) < 0.01 else "partly",
        "Exact in the theory (no training leaves the row space of A(0)); the simulations follow the theory "
        "(first claim). Rule: both within 1% of L_∞ at the last theory step.",
    ),
]
nts.claims_table(claims)
