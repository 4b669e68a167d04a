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
# # The compute-optimal frontier ([B] Fig. 4)
#
# If a model of width $N$ is trained for $t$ steps at a fixed batch size, the compute it
# uses is proportional to $C = N t$. Plotting the loss of a whole family of widths against
# $C$ and taking the lower envelope gives the *compute-optimal frontier*
# $L^\star(C) = \min_N L(N, C/N)$. [B] (arXiv 2409.17858) predicts $L^\star \sim C^{-r}$ with
# an exponent $r$ that depends on the phase of the task and, for hard tasks, on whether
# the features are learned (Table 1; our reconstruction in math notes §1.6 and
# `nts.compute_optimal_exponent`). Fig. 4 of the paper checks the hard and easy cases by
# simulation; this chapter repeats that check with our simulator of the projected model
# (`ntk_scaling.linear_model`, math notes §1.3, reconstructed).
#
# How we measure. For each width we simulate online SGD with a large batch (so that the
# SGD-noise term is negligible, as it is for hard tasks), interpolate each seed's loss
# curve in log-log space, and take the envelope over widths on a log grid of $C$
# (`nts.compute_frontier`). With a finite set of widths the envelope is only trustworthy
# where the best width is neither the smallest nor the largest one; the slope is fitted
# there (`nts.fit_frontier_exponent`, interval from a bootstrap over seeds). The optimal
# width $N^\star(C)$ is the vertex of a parabola through $\log L$ against $\log N$ at the
# best width and its two neighbours; the compute at which each width overtakes the next
# narrower one (`nts.width_crossovers`) is shown as a cross-check.
#
# Three cautions. Our simulator starts the readout from $w(0) \sim \mathcal{N}(0, I_N)$, so
# the initial function carries random output variance that shrinks like $1/N$; in the
# first few steps a wider model is therefore better at equal compute for a reason that
# has nothing to do with the scaling law. We fit only where the optimal run is at least
# `min_steps` steps long. The number of modes $M$ is finite: we keep $M$ much larger than the widest
# model and than the number of modes learned by the end of training, since a truncated
# spectrum makes late-time slopes too steep (math notes §1.9). And in the rich model the
# kernel grows during training, so the learning rate of the rich runs is smaller than the
# lazy one to stay stable to the last step; this rescales time but does not change any
# exponent. The simulator warns if the loss ever rises, and the chapter refuses to plot
# such runs.

# %% tags=["parameters"]
profile = "default"
alpha = 2.0  # capacity exponent of both tasks
beta_hard = 0.5  # source exponent of the hard task
beta_easy = 1.3  # source exponent of the easy task (1 < β < 2 − 1/α)
include_easy = True  # also run the easy task
widths = [8, 11, 16, 23, 32, 45, 64, 91, 128]  # model widths N (factor √2 apart)
n_modes = 2048  # M, modes of the power-law task (≫ widths)
steps = 20000  # SGD steps per run
lr_lazy = 0.5  # learning rate of the lazy runs
lr_rich = 0.1  # learning rate of the rich runs (the rich kernel grows)
gamma_rich = 1.0  # feature-learning strength of the rich runs
batch = 1024  # online batch size (large: SGD noise negligible)
n_seeds = 4  # independent seeds per width
n_records = 64  # log-spaced records per run
seed = 0
min_steps = 50  # fit only where the optimal run is at least this many steps long
tolerance = 0.05  # allowed |measured − predicted| beyond the interval, for the verdicts
tolerance_width = 0.1  # same for the exponent of the optimal width

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "alpha": nts.Real(gt=1),
    "beta_hard": nts.Real(gt=0, lt=1),
    "beta_easy": nts.Real(gt=1),
    "include_easy": nts.Bool(),
    "widths": nts.ListOf(nts.Int(ge=1), min_len=3, increasing=True),
    "n_modes": nts.Int(ge=1),
    "steps": nts.Int(ge=1),
    "lr_lazy": nts.Real(gt=0),
    "lr_rich": nts.Real(gt=0),
    "gamma_rich": nts.Real(gt=0),
    "batch": nts.Int(ge=1),
    "n_seeds": nts.Int(ge=2),
    "n_records": nts.Int(ge=3),
    "seed": nts.Int(ge=0),
    "min_steps": nts.Int(ge=1),
    "tolerance": nts.Real(ge=0),
    "tolerance_width": nts.Real(ge=0),
})

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

import ntk_scaling as nts

nts.plotting.use_book_style()
glue("c14_tolerance", tolerance, display=False)
glue("c14_min_steps", min_steps, display=False)
glue("c14_n_seeds", n_seeds, display=False)
glue("c14_n_modes", n_modes, display=False)
glue("c14_steps", steps, display=False)
glue("c14_widths", ", ".join(str(w) for w in widths), display=False)

# %%
configs = [("hard", beta_hard, False), ("hard", beta_hard, True)]
if include_easy:
    configs += [("easy", beta_easy, False), ("easy", beta_easy, True)]
for phase, b, _ in configs:
    if nts.task_regime(alpha, b) != phase:
        raise ValueError(f"(alpha, beta) = ({alpha}, {b}) is {nts.task_regime(alpha, b)}, not {phase}")

results = {}
for phase, b, rich in configs:
    m = nts.measure_frontier(
        alpha=alpha, beta=b, rich=rich, widths=widths, gamma=gamma_rich, lr=lr_rich if rich else lr_lazy,
        n_modes=n_modes, batch=batch, steps=steps, n_seeds=n_seeds, n_records=n_records, seed=seed,
        min_steps=min_steps,
    )
    results[(phase, rich)] = dict(
        family=m.family, frontier=m.frontier, fit=m.fit, crossovers=m.crossovers, fit_n=m.fit_width,
        r_pred=m.r_predicted, alloc=nts.optimal_allocation(alpha, b, rich), beta=b,
    )
families = {key: res["family"] for key, res in results.items()}

# %%
rows = []
for (phase, rich), res in results.items():
    ci = tuple(-c for c in res["fit"].exponent_ci[::-1])
    rows.append(
        {
            "task": f"{phase} (α = {alpha}, β = {res['beta']})",
            "training": "rich" if rich else "lazy",
            "Table 1 r": res["r_pred"],
            "measured r": -res["fit"].exponent,
            "95% interval": f"[{ci[0]:.3f}, {ci[1]:.3f}]",
            "points fitted": res["fit"].n,
            "N* exponent (theory)": res["alloc"].model,
            "N* exponent (measured)": np.nan if res["fit_n"] is None else res["fit_n"].exponent,
        }
    )
summary = pd.DataFrame(rows)
summary.style.format(precision=3).hide(axis="index")

# %% tags=["hide-input"]
n_panels = len(results)
ncols = 2
nrows = (n_panels + 1) // 2
fig, axes = plt.subplots(nrows, ncols, figsize=(10, 3.8 * nrows), squeeze=False)
for ax, ((phase, rich), res) in zip(axes.ravel(), results.items()):
    fam = families[(phase, rich)]
    cols = nts.plotting.colors(fam.widths.size)
    for i, n in enumerate(fam.widths):
        nts.plotting.seed_band(ax, n * fam.steps, fam.losses[:, i], color=cols[i], label=f"N = {int(n)}", lw=1)
    fr = res["frontier"]
    mean_frontier = np.exp(np.log(fr.loss).mean(0))
    ax.plot(fr.compute, mean_frontier, color="k", lw=2.2, alpha=0.6, label="frontier")
    win = fr.interior & (fr.compute / fr.best_width >= min_steps)
    cw = fr.compute[win]
    ax.axvspan(cw.min(), cw.max(), color="0.85", alpha=0.5, lw=0)
    mid = np.sqrt(cw.min() * cw.max())
    anchor = (mid, float(np.exp(np.interp(np.log(mid), np.log(fr.compute), np.log(mean_frontier)))) * 0.6)
    nts.plotting.guide_line(ax, cw, -res["r_pred"], anchor=anchor, color="C3", lw=1.5,
                            label=f"Table 1: C^(−{res['r_pred']:.3f})")
    ax.set_title(f"{phase}, {'rich γ = ' + str(gamma_rich) if rich else 'lazy'}: measured r = "
                 f"{-res['fit'].exponent:.3f}")
    nts.plotting.label_axes(ax, "compute C = N·t (width × steps)", "test loss", loglog=True)
    ax.legend(fontsize=7, ncol=2, loc="lower left")
for ax in axes.ravel()[n_panels:]:
    ax.set_visible(False)
nts.plotting.panel_letters(axes.ravel()[:n_panels])
fig.tight_layout()
glue("c14_fig_frontier", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c14_fig_frontier
# :name: "c14-fig-frontier"
#
# Test loss against compute $C = N t$ for widths $N$ = {glue:text}`c14_widths` (colours;
# mean over {glue:text}`c14_n_seeds` seeds with ±1 s.e. bands), their lower envelope
# (black) and the Table 1 prediction $C^{-r}$ (red dashed, placed below the frontier for
# readability). The grey band is the fit window: the best width is interior to the set
# of widths and trains for at least {glue:text}`c14_min_steps` steps. $M$ = {glue:text}`c14_n_modes` modes,
# {glue:text}`c14_steps` steps.
# ```

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.6, 3.8))
markers = {False: "o", True: "s"}
for k, ((phase, rich), res) in enumerate(results.items()):
    fr, xo, color = res["frontier"], res["crossovers"], f"C{k}"
    use = np.isfinite(fr.optimal_width) & (fr.compute / np.nan_to_num(fr.optimal_width, nan=1.0) >= min_steps)
    ax.loglog(fr.compute[use], fr.optimal_width[use], color=color, lw=1.5, label=f"{phase}, {'rich' if rich else 'lazy'}")
    ok = np.isfinite(xo.compute)
    ax.loglog(xo.compute[ok], xo.width[ok], markers[rich], color=color, ls="none", ms=4, mfc="none")
    if use.sum() >= 2:
        c = fr.compute[use]
        anchor = (float(np.sqrt(c.min() * c.max())),
                  float(np.exp(np.interp(np.log(np.sqrt(c.min() * c.max())), np.log(c), np.log(fr.optimal_width[use])))))
        nts.plotting.guide_line(ax, c, res["alloc"].model, anchor=anchor, color=color, lw=1)
nts.plotting.label_axes(ax, "compute C = N·t (width × steps)", "compute-optimal width N*")
ax.legend(fontsize=7, title="dashed: Table 1 allocation", title_fontsize=7)
glue("c14_fig_width", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c14_fig_width
# :name: "c14-fig-width"
#
# Compute-optimal width $N^\star(C)$ (solid): at each $C$ in the fit window, the vertex of a
# parabola through $\log L$ against $\log N$ at the best width and its two neighbours
# (seed-mean curves). Open markers: compute at which each width overtakes the next
# narrower one, plotted at their geometric mean. Dashed lines have the slopes predicted
# by `nts.optimal_allocation`.
# ```

# %% tags=["remove-cell"]
hl, hr = results[("hard", False)], results[("hard", True)]
glue("c14_r_hard_lazy", -hl["fit"].exponent, display=False)
glue("c14_r_hard_rich", -hr["fit"].exponent, display=False)
glue("c14_r_hard_lazy_pred", hl["r_pred"], display=False)
glue("c14_r_hard_rich_pred", hr["r_pred"], display=False)
glue("c14_r_hard_lazy_ci", nts.format_interval(-hl["fit"].exponent, tuple(-c for c in hl["fit"].exponent_ci[::-1]), 3), display=False)
glue("c14_r_hard_rich_ci", nts.format_interval(-hr["fit"].exponent, tuple(-c for c in hr["fit"].exponent_ci[::-1]), 3), display=False)

# %% [markdown]
# For the hard task the measured frontier exponent is {glue:text}`c14_r_hard_lazy_ci`
# lazy against Table 1's {glue:text}`c14_r_hard_lazy_pred:.3f`, and
# {glue:text}`c14_r_hard_rich_ci` rich against {glue:text}`c14_r_hard_rich_pred:.3f`
# (95% bootstrap intervals over seeds). At the sizes of a CPU run only two or three widths
# are ever optimal, the fit window spans a decade of compute or less, and the
# rich runs have not yet reached their asymptotic time exponent there (its local slope
# rises slowly towards $2\beta/(1+\beta)$, math notes §1.9); the estimates are therefore
# rough and biased towards smaller $r$. The widths of the `gpu` profile give the frontier
# several more decades. The verdicts below allow a tolerance of
# {glue:text}`c14_tolerance` beyond the interval.
#
# ## Claims

# %%
claims = []
for (phase, rich), res in results.items():
    ci = tuple(-c for c in res["fit"].exponent_ci[::-1])
    claims.append(
        nts.Claim(
            f"Compute-optimal exponent, {phase} task, {'rich' if rich else 'lazy'} (Table 1, Fig. 4)",
            f"r = {res['r_pred']:.3f} (α = {alpha}, β = {res['beta']})",
            nts.format_interval(-res["fit"].exponent, ci, 3),
            nts.verdict_interval(res["r_pred"], ci, tolerance=tolerance),
            f"{res['fit'].n} frontier points with optimal runs of ≥ {min_steps} steps; tolerance {tolerance}"
            + ("." if ci[0] <= res["r_pred"] <= ci[1] else " (the prediction is outside the interval itself)."),
        )
    )
    fn = res["fit_n"]
    claims.append(
        nts.Claim(
            f"Optimal width N* ∼ C^a, {phase} task, {'rich' if rich else 'lazy'} (Table 1 allocation)",
            f"a = {res['alloc'].model:.3f}",
            "too few points" if fn is None else nts.format_interval(fn.exponent, fn.exponent_ci, 3),
            "not tested" if fn is None else nts.verdict_interval(res["alloc"].model, fn.exponent_ci, tolerance=tolerance_width),
            f"Parabolic N*(C) on the frontier's fit window; tolerance {tolerance_width}.",
        )
    )
r_lazy, r_rich = -hl["fit"].exponent, -hr["fit"].exponent
lazy_ci, rich_ci = tuple(-c for c in hl["fit"].exponent_ci[::-1]), tuple(-c for c in hr["fit"].exponent_ci[::-1])
separated = rich_ci[0] > lazy_ci[1]
claims.append(
    nts.Claim(
        "Feature learning improves the compute-optimal exponent of hard tasks",
        f"rich {hr['r_pred']:.3f} > lazy {hl['r_pred']:.3f}",
        f"rich {r_rich:.3f} vs lazy {r_lazy:.3f}",
        "agrees" if separated else ("partly" if r_rich > r_lazy else "disagrees"),
        "Agrees only if the two 95% intervals are disjoint; 'partly' if the rich estimate is larger but the intervals overlap.",
    )
)
nts.claims_table(claims)
