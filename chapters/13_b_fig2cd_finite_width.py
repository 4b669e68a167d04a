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
# # Finite width against the infinite-width theory ([B] Fig. 2c–d)
#
# At infinite width the solvable model of [B] (arXiv 2409.17858) keeps improving forever,
# faster when its features are learned. At finite width $N$ it cannot: the network only
# ever sees the $N$ random combinations $A(0)\psi$ of the infinite-width features, and its
# learning curve leaves the infinite-width curve to settle on a plateau. [B] Fig. 2(c–d)
# compares finite-$N$ curves with the $N = \infty$ theory; this chapter redoes that
# comparison for a hard task, without and with feature learning.
#
# **What we simulate.** The model is our reconstruction of [B] Eqs. 3–5 (math notes §1.3,
# tagged [R]): $f = \frac1N w^\top A\psi$ with $A(0)_{ij} \sim \mathcal N(0,1)$ and
# $w(0) \sim \mathcal N(0, I_N)$, online SGD with a fresh Gaussian batch of $B$ samples per
# step, and the update of $A$ projected onto the row space of $A(0)$ and scaled by the
# feature-learning strength $\gamma$ ($\gamma = 0$ is the lazy random-feature model). The
# task has power-law spectrum and target ([B] Eq. 6, capacity $\alpha$, source $\beta$),
# truncated at $M$ modes. Simulations come from `ntk_scaling.simulate_projected_model`.
#
# **What we compare with.** The $N = \infty$ curves come from `ntk_scaling.dmft.dmft_limit`,
# the reconstructed mean-field theory of the model (math notes §1.7(a), [R]; its own
# chapter checks it against simulations). The paper also derives a DMFT *at finite $N$*
# (its Eqs. 26–31); those equations were not recovered from our copy of the paper, so for
# finite $N$ we average independent simulations over seeds instead (the paper's own
# finite-$N$ panels also show simulations over random instances), and we compute the
# plateau exactly: neither lazy nor rich training can leave the row space of $A(0)$, so the
# $t \to \infty$ loss is the least-squares residual of the target in that space
# (`ntk_scaling.projection_floor`). The paper's model-bottleneck law (reconstructed Eq. 12)
# predicts that this plateau scales as $N^{-\alpha\min(2,\beta)}$ and that it is the same
# with and without feature learning.

# %% tags=["parameters"]
profile = "default"
alpha = 2.0  # capacity α, eigenvalues λ_k ∝ k^-α
beta = 0.5  # source: hard task (β < 1)
n_modes = 1024  # M, modes kept (≫ the widths)
widths = [16, 32, 64]  # N of the simulated learning curves
n_seeds = 4  # seeds per width (bands: ±1 s.e.)
batch = 32  # B, online SGD batch
steps = 3000  # T, SGD steps
n_records = 40  # log-spaced records per curve
gamma = 1.0  # feature-learning strength of the rich runs
lr_lazy = 0.5  # η of the lazy runs
lr_rich = 0.1  # η of the rich runs (smaller: the rich kernel grows ∝ √N)
floor_widths = [8, 16, 32, 64]  # N for the exact plateau fit (keep M/N at least 16)
n_floor_seeds = 8  # seeds per width for the plateau
t_early = 100  # theory-simulation deviation is measured for 10 ≤ t ≤ t_early
seed = 0

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "alpha": nts.Real(gt=1),
    "beta": nts.Real(gt=0, lt=1),
    "n_modes": nts.Int(ge=2),
    "widths": nts.ListOf(nts.Int(ge=1), min_len=1, increasing=True),
    "n_seeds": nts.Int(ge=2),
    "batch": nts.Int(ge=1),
    "steps": nts.Int(ge=10),
    "n_records": nts.Int(ge=3),
    "gamma": nts.Real(gt=0),
    "lr_lazy": nts.Real(gt=0),
    "lr_rich": nts.Real(gt=0),
    "floor_widths": nts.ListOf(nts.Int(ge=1), min_len=3, increasing=True),
    "n_floor_seeds": nts.Int(ge=2),
    "t_early": nts.Int(ge=11),
    "seed": nts.Int(ge=0),
})

# %% tags=["remove-cell"]
import jax
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

import ntk_scaling as nts
from ntk_scaling import dmft_limit

nts.plotting.use_book_style()
task = nts.power_law_task(alpha, beta, n_modes)
chi_lazy = float(nts.time_exponent(beta, rich=False))
chi_rich = float(nts.time_exponent(beta, rich=True))
bottleneck = float(nts.model_bottleneck_exponent(alpha, beta))

# %% [markdown]
# ## Learning curves at finite width
#
# For every width we run {glue:text}`c13_n_seeds` seeds of the lazy model and of the rich
# model ($\gamma$ = {glue:text}`c13_gamma`), and the $N = \infty$ theory at the same
# learning rate. The rich runs use a smaller learning rate: their kernel grows during
# training (by a factor of order $\sqrt{\gamma N}$ on a hard task at finite $N$), and a step
# size that is stable early becomes unstable late.

# %%
runs = nts.lazy_rich_sweep(
    task, over="width", values=widths, gamma=gamma, lr_lazy=lr_lazy, lr_rich=lr_rich, seed=seed,
    batch=batch, steps=steps, n_seeds=n_seeds, n_records=n_records,
)
theory = {
    label: dmft_limit(task, lr=lr, gamma=g, steps=steps, n_records=n_records, batch=batch,
                      key=jax.random.key(seed + 1))
    for label, g, lr in (("lazy", 0.0, lr_lazy), ("rich", gamma, lr_rich))
}
floors = {n: nts.projection_floor(jax.random.key(seed * 100003 + n), task, n, n_seeds) for n in widths}
t_rec = runs["lazy"][widths[0]].steps

# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
cols = nts.plotting.colors(len(widths))
for j, (label, chi) in enumerate((("lazy", chi_lazy), ("rich", chi_rich))):
    ax, axr = axes[0, j], axes[1, j]
    th = theory[label]
    for n, c in zip(widths, cols):
        r = runs[label][n]
        nts.plotting.seed_band(ax, r.steps[1:], r.test_loss[:, 1:], color=c, label=f"N = {n}")
        ax.axhline(floors[n].mean(), color=c, ls=":", lw=1)
        nts.plotting.seed_band(axr, r.steps[1:], r.test_loss[:, 1:] / th.loss[1:], color=c)
    ax.plot(th.steps[1:], th.loss[1:], "k--", lw=1.4, label="N = ∞ (DMFT)")
    t_g = np.geomspace(max(10, steps / 300), steps, 20)
    nts.plotting.guide_line(ax, t_g, -chi, anchor=(t_g[0], 0.5 * float(np.interp(t_g[0], th.steps, th.loss))),
                            label=f"t^(−{chi:.3g})", color="C3", ls="-.")
    nts.plotting.label_axes(ax, "", "test loss L(t)", loglog=True)
    ax.set_title(f"{label}: γ = {0.0 if label == 'lazy' else gamma:g}, η = {lr_lazy if label == 'lazy' else lr_rich:g}")
    ax.legend(loc="lower left")
    axr.axhline(1.0, color="k", ls="--", lw=1)
    axr.axvspan(10, t_early, color="0.5", alpha=0.12, lw=0)
    nts.plotting.label_axes(axr, "SGD step t", "L_N(t) / L_∞(t)")
    axr.set_xscale("log")
nts.plotting.panel_letters(axes.ravel())
glue("c13_fig_curves", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c13_fig_curves
# :name: "c13-fig-curves"
#
# (a, b) Test loss against SGD step for several widths $N$ (colours), lazy (a) and rich
# (b), on a hard task ($\beta < 1$). Lines are seed means (geometric) with ±1 standard-error
# bands; the dashed black line is the $N = \infty$ DMFT at the same batch size; the dotted
# horizontal lines are the exact $t \to \infty$ plateaus of the same seeds; the dash-dotted
# line has the predicted time exponent ($\beta$ lazy, $2\beta/(1+\beta)$ rich), offset for
# legibility. (c, d) The same curves divided by the $N = \infty$ theory; the grey band is
# the early window in which the deviation is quoted.
# ```
#
# Each finite-$N$ curve follows the $N = \infty$ theory at first and leaves it for its
# plateau ({numref}`c13-fig-curves`). The departure starts well before the plateau: the
# ratio $L_N/L_\infty$ creeps up over time, faster at small $N$. This is the finite-width
# correction of the loss (relative size growing like $t^{1/\alpha}/N$ in our
# reconstruction, math notes §1.5, [R]), which the paper's finite-$N$ DMFT contains and our
# $N = \infty$ theory does not. In the early window $10 \le t \le$ {glue:text}`c13_t_early`,
# the seed mean at the largest width differs from the theory by at most
# {glue:text}`c13_dev_lazy:.1%` (lazy) and {glue:text}`c13_dev_rich:.1%` (rich); the table
# lists every width. At the smallest width, at the last step, the lazy run sits at
# {glue:text}`c13_conv_lazy:.3f` times its exact plateau and the rich run at
# {glue:text}`c13_conv_rich:.3f` times the same plateau: feature learning does not lower the
# bottleneck.

# %%
def deviation(label: str, n: int) -> float:
    r, th = runs[label][n], theory[label]
    keep = (r.steps >= 10) & (r.steps <= t_early)
    return float(np.max(np.abs(r.test_loss.mean(0)[keep] / th.loss[keep] - 1)))


dev_all = {label: [deviation(label, n) for n in widths] for label in ("lazy", "rich")}
dev = {label: d[-1] for label, d in dev_all.items()}
n0 = widths[0]
conv = {label: float(np.mean(runs[label][n0].test_loss[:, -1] / floors[n0])) for label in ("lazy", "rich")}
rich_over_lazy = float(np.mean(runs["rich"][n0].test_loss[:, -1] / runs["lazy"][n0].test_loss[:, -1]))
pd.DataFrame(
    {
        "N": widths,
        "exact plateau (mean)": [floors[n].mean() for n in widths],
        "lazy L(T)/plateau": [np.mean(runs["lazy"][n].test_loss[:, -1] / floors[n]) for n in widths],
        "rich L(T)/plateau": [np.mean(runs["rich"][n].test_loss[:, -1] / floors[n]) for n in widths],
        "rich a(T) = |w|²/N": [runs["rich"][n].weight_norm[:, -1].mean() for n in widths],
        "lazy early deviation": dev_all["lazy"],
        "rich early deviation": dev_all["rich"],
    }
).style.format(precision=4).hide(axis="index")

# %% tags=["remove-cell"]
glue("c13_n_seeds", n_seeds, display=False)
glue("c13_gamma", gamma, display=False)
glue("c13_t_early", t_early, display=False)
glue("c13_dev_lazy", dev["lazy"], display=False)
glue("c13_dev_rich", dev["rich"], display=False)
glue("c13_conv_lazy", conv["lazy"], display=False)
glue("c13_conv_rich", conv["rich"], display=False)

# %% [markdown]
# ## The plateau against the width
#
# The plateau is the loss of the best function in the row space of $A(0)$. We compute it
# exactly for {glue:text}`c13_n_floor_seeds` draws of $A(0)$ at each width and fit a power
# law in $N$; the interval is a bootstrap over seeds. Widths are kept at most $M/16$:
# closer to $M$ the truncated task lowers the plateau (at $N = M$ it is zero), which
# would steepen the fit.

# %%
floor_table = np.stack(
    [nts.projection_floor(jax.random.key(seed * 7919 + n + 1), task, n, n_floor_seeds) for n in floor_widths], axis=1
)
fit_floor = nts.fit_power_law_seeds(np.asarray(floor_widths), floor_table)
floor_exp = -fit_floor.exponent
floor_ci = (-fit_floor.exponent_ci[1], -fit_floor.exponent_ci[0])
glue("c13_n_floor_seeds", n_floor_seeds, display=False)
glue("c13_floor_exp", floor_exp, display=False)
glue("c13_floor_lo", floor_ci[0], display=False)
glue("c13_floor_hi", floor_ci[1], display=False)
glue("c13_bottleneck", bottleneck, display=False)
glue("c13_rich_over_lazy", rich_over_lazy, display=False)

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.4, 3.8))
nw = np.asarray(floor_widths, float)
mean = floor_table.mean(0)
se = floor_table.std(0, ddof=1) / np.sqrt(n_floor_seeds)
ax.errorbar(nw, mean, yerr=se, fmt="o", color="k", ms=4, label="exact plateau (seed mean ± s.e.)")
ax.plot(nw, fit_floor(nw), color="k", lw=1, label=f"fit: N^(−{floor_exp:.3f})")
nts.plotting.guide_line(ax, nw, -bottleneck, anchor=(nw[0], 1.3 * mean[0]), color="C3",
                        label=f"prediction N^(−α·min(2,β)) = N^(−{bottleneck:g})")
for label, marker, c in (("lazy", "s", "C0"), ("rich", "^", "C1")):
    late = [runs[label][n].test_loss[:, -1].mean() for n in widths]
    ax.plot(widths, late, marker, color=c, mfc="none", ms=7, label=f"{label} simulation, L(T = {steps})")
nts.plotting.label_axes(ax, "width N", "loss", loglog=True)
ax.legend()
glue("c13_fig_plateau", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c13_fig_plateau
# :name: "c13-fig-plateau"
#
# Model bottleneck. Black: exact $t \to \infty$ loss of the projected model (seed mean ±
# s.e.) and its power-law fit; red dashed: the predicted slope $-\alpha\min(2,\beta)$, offset.
# Open markers: simulated loss at the last step, lazy (squares) and rich (triangles); where
# a run has converged it lies on the plateau, whichever the value of $\gamma$.
# ```
#
# The fitted exponent is {glue:text}`c13_floor_exp:.3f` (95% interval
# {glue:text}`c13_floor_lo:.3f` to {glue:text}`c13_floor_hi:.3f`) against the predicted
# $\alpha\min(2,\beta)$ = {glue:text}`c13_bottleneck:.3f` ({numref}`c13-fig-plateau`). At the
# smallest simulated width the rich loss at the last step is {glue:text}`c13_rich_over_lazy:.3f`
# times the lazy one. The table below gives the local exponent between neighbouring widths,
# which shows whether the fit is still drifting with $N$.

# %%
local = -np.diff(np.log(floor_table.mean(0))) / np.diff(np.log(nw))
pd.DataFrame({"N → 2N": [f"{a:g} → {b:g}" for a, b in zip(floor_widths[:-1], floor_widths[1:])],
              "local exponent": local}).style.format(precision=3).hide(axis="index")

# %% [markdown]
# ## Claims

# %%
tol_exp = 0.05
tol_dev = 0.10
tol_conv = 0.10
claims = [
    nts.Claim(
        "Finite-N learning curves follow the N = ∞ theory until the model bottleneck (Fig. 2c–d)",
        "good match of theory and simulation",
        f"max deviation for 10 ≤ t ≤ {t_early} at N = {widths[-1]}: {dev['lazy']:.1%} lazy, {dev['rich']:.1%} rich",
        ("agrees" if max(dev.values()) < tol_dev
         else "partly" if all(np.all(np.diff(d) < 0) for d in dev_all.values()) else "disagrees"),
        f"Rule: below {tol_dev:.0%} early on ('partly' if above but shrinking with N at every step of the "
        f"width list: {', '.join(f'{d:.0%}' for d in dev_all['lazy'])} lazy). The curves depart before the "
        "plateau by a finite-N correction that the paper's finite-N DMFT (not recovered) includes and our "
        "N = ∞ DMFT cannot.",
    ),
    nts.Claim(
        "Model bottleneck L ∼ N^(−α·min(2,β)) (Eq. 12)",
        f"{bottleneck:.3f}",
        nts.format_interval(floor_exp, floor_ci, 3),
        nts.verdict_interval(bottleneck, floor_ci, tolerance=tol_exp),
        f"Exact t → ∞ loss of the projected model, N ∈ {floor_widths}, M = {n_modes}; tolerance {tol_exp} "
        "for finite-N and finite-M corrections.",
    ),
    nts.Claim(
        "Feature learning does not change the model bottleneck",
        "rich plateau = lazy plateau",
        f"at N = {n0}: L(T)/plateau = {conv['lazy']:.3f} lazy, {conv['rich']:.3f} rich",
        ("agrees" if max(abs(c - 1) for c in conv.values()) < tol_conv
         else "partly" if min(abs(c - 1) for c in conv.values()) < tol_conv else "disagrees"),
        f"Rule: both within {tol_conv:.0%} of the exact plateau (which no run in the row space of A(0) can "
        "beat); 'partly' if only one has converged by step T.",
    ),
]
nts.claims_table(claims)
