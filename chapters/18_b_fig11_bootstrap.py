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
# # Bootstrapping the rich exponent ([B] Appendix E, Fig. 11)
#
# Appendix E of [B] (arXiv 2409.17858) derives the rich time exponent of hard tasks in two
# ways. The first is an iteration: start from the lazy solution, ask how fast the kernel
# grows if the loss falls at that rate, feed the faster kernel growth back into the loss,
# and repeat. Each round, or *level*, gives a larger exponent, and the levels approach
# $2\beta/(1+\beta)$, the value that a self-consistent argument then confirms as a stable
# fixed point. Figure 11 of the paper plots the first few levels.
#
# **What is reconstructed.** Our copy of the paper has no formulas, so both the recursion
# and what Fig. 11 plots are our reconstruction ({ref}`eq-b-dmft-bootstrap`, with
# low-to-medium confidence about the figure). The reasoning is as follows. If
# $L \sim t^{-\chi_n}$, the norm of the learned function grows like
# $\|v(t)\|^2 \sim t^{\chi_n(1-\beta)/\beta}$ (the learned modes up to
# $k_\star \sim L^{-1/(\alpha\beta)}$ carry $k_\star^{\alpha(1-\beta)}$ of target norm), the kernel
# multiplier grows like $\|v\|$, and the effective time $\tau(t) = \int K \sim
# t^{1 + \chi_n(1-\beta)/(2\beta)}$. The lazy law $L \sim \tau^{-\beta}$ then gives
#
# $$\chi_{n+1} = \beta + \tfrac{1-\beta}{2}\,\chi_n, \qquad \chi_0 = \beta,$$
#
# a linear map with fixed point $\chi_\infty = 2\beta/(1+\beta)$ and contraction factor
# $(1-\beta)/2$. The paper's text mentions a separate perturbative "warm-up" estimate that
# overshoots the exponent; we did not recover it and do not plot it. The levels are
# computed by `nts.bootstrap_exponents`.

# %% tags=["parameters"]
profile = "default"
n_levels = 6  # levels drawn (besides the limit)
n_beta = 400  # β grid on (0, 1)
gap_betas = [0.1, 0.25, 0.5, 0.75]  # β values of the convergence panel
n_gap_levels = 12  # levels used to measure the convergence rate
tolerance_rel = 0.01  # "converged" means within this relative distance of the limit
other_starts = [0.0, 1.0]  # other initial exponents used to test the fixed point's stability

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "n_levels": nts.Int(ge=1),
    "n_beta": nts.Int(ge=2),
    "gap_betas": nts.ListOf(nts.Real(gt=0, lt=1), min_len=1, increasing=True),
    "n_gap_levels": nts.Int(ge=3),
    "tolerance_rel": nts.Real(gt=0, lt=1),
    "other_starts": nts.ListOf(nts.Real(ge=0)),
})

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

import ntk_scaling as nts

nts.plotting.use_book_style()

# %%
betas = np.linspace(1e-3, 1.0, n_beta)
levels = nts.bootstrap_exponents(betas, n_levels)  # (n_levels + 1, n_beta)
limit = nts.bootstrap_limit(betas)
eq10 = nts.time_exponent(betas, rich=True)
max_limit_vs_eq10 = float(np.max(np.abs(limit - eq10)))
monotone = bool(np.all(np.diff(levels, axis=0) >= 0) and np.all(levels <= limit + 1e-15))
level1_closed = float(np.max(np.abs(levels[1] - betas * (3 - betas) / 2)))

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.4, 3.8))
cols = nts.plotting.colors(n_levels + 1, "viridis")
for n in range(n_levels + 1):
    ax.plot(betas, levels[n], color=cols[n], lw=1.3, label=f"level n = {n}" + (" (lazy)" if n == 0 else ""))
ax.plot(betas, limit, color="C3", lw=2, ls="--", label="n → ∞: 2β/(1+β)")
nts.plotting.label_axes(ax, "source exponent β (hard tasks)", "bootstrapped exponent χ_n")
ax.set_xlim(0, 1)
ax.set_ylim(0, 1.02)
ax.legend(loc="lower right", ncol=2)
glue("c18_fig_levels", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c18_fig_levels
# :name: "c18-fig-levels"
#
# Our reconstruction of [B] Fig. 11: the bootstrapped exponent levels $\chi_n(\beta)$ for
# $n = 0$ (lazy, $\chi_0 = \beta$) up to $n$ = {glue:text}`c18_n_levels`, and their limit
# $2\beta/(1+\beta)$ (red dashed), the rich exponent of [B] Eq. 10. What the paper's figure
# actually plots is reconstructed ({ref}`eq-b-dmft-bootstrap`).
# ```
#
# Every level lies below the limit and above the previous level (checked on the grid:
# {glue:text}`c18_monotone`). The first level is $\beta(3-\beta)/2$ in closed form
# (largest deviation of the library on the grid {glue:text}`c18_level1_dev:.1e`), and the
# limit equals [B] Eq. 10 to {glue:text}`c18_limit_dev:.1e`. Convergence is fastest where
# the improvement is smallest: the contraction factor $(1-\beta)/2$ is at most $1/2$, so
# each level at least halves the remaining gap.

# %% tags=["remove-cell"]
glue("c18_n_levels", n_levels, display=False)
glue("c18_monotone", "yes" if monotone else "no", display=False)
glue("c18_level1_dev", level1_closed, display=False)
glue("c18_limit_dev", max_limit_vs_eq10, display=False)

# %% [markdown]
# ## How fast the levels converge
#
# The gap $\chi_\infty - \chi_n$ should shrink geometrically with ratio $(1-\beta)/2$.
# We fit $\log(\chi_\infty - \chi_n)$ against $n$ for a few $\beta$ and compare the
# fitted ratio with the prediction. We also start the map from other initial exponents
# to check that the fixed point attracts them as well.

# %%
gap_b = np.asarray(gap_betas, dtype=float)
gap_levels = nts.bootstrap_exponents(gap_b, n_gap_levels)
gaps = nts.bootstrap_limit(gap_b) - gap_levels  # (n_gap_levels + 1, len(gap_betas))
rows = []
for j, b in enumerate(gap_b):
    n_idx = np.arange(n_gap_levels + 1)
    keep = gaps[:, j] > 1e-13 * nts.bootstrap_limit(b)  # stay above round-off
    fit = nts.fit_linear(n_idx[keep], np.log(gaps[keep, j]))
    ratio = float(np.exp(fit.slope))
    need = int(np.argmax(gaps[:, j] / nts.bootstrap_limit(b) < tolerance_rel))
    starts = {}
    for c0 in other_starts:
        c = c0
        for _ in range(200):
            c = b + c * (1 - b) / 2
        starts[c0] = c
    rows.append(
        {
            "β": b,
            "χ_∞ = 2β/(1+β)": nts.bootstrap_limit(b),
            "fitted ratio": ratio,
            "ratio interval": (float(np.exp(fit.slope_ci[0])), float(np.exp(fit.slope_ci[1]))),
            "(1−β)/2": (1 - b) / 2,
            f"levels to within {tolerance_rel:.0%}": need,
            **{f"limit from χ_0 = {c0}": starts[c0] for c0 in other_starts},
        }
    )
conv = pd.DataFrame(rows)
conv.drop(columns="ratio interval").style.format(precision=4).hide(axis="index")

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.4, 3.6))
cols = nts.plotting.colors(len(gap_b), "plasma")
for j, b in enumerate(gap_b):
    n_idx = np.arange(n_gap_levels + 1)
    ax.semilogy(n_idx, gaps[:, j], "o", color=cols[j], ms=3.5, label=f"β = {b}")
    ax.semilogy(n_idx, gaps[0, j] * ((1 - b) / 2) ** n_idx, color=cols[j], lw=1, ls="--")
nts.plotting.label_axes(ax, "bootstrap level n", "gap to the limit χ_∞ − χ_n")
ax.legend(title="dots: levels; dashed: ((1−β)/2)^n", fontsize=7, title_fontsize=7)
glue("c18_fig_gaps", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c18_fig_gaps
# :name: "c18-fig-gaps"
#
# Distance of the bootstrapped exponent from its limit against the level $n$, for
# several hard tasks (dots), with the predicted geometric decay
# $(\chi_\infty - \chi_0)\,((1-\beta)/2)^n$ (dashed).
# ```
#
# For $\beta$ = {glue:text}`c18_b_slow` the fitted ratio is {glue:text}`c18_ratio_slow:.4f`
# (prediction {glue:text}`c18_ratio_slow_pred:.4f`) and {glue:text}`c18_need_slow` levels bring
# the exponent within {glue:text}`c18_tol:.0%` of its limit; the initial gap there is
# {glue:text}`c18_gap0_slow:.3f`. The harder the task, the larger both the gain from feature
# learning and the number of levels needed to capture it.

# %% tags=["remove-cell"]
slow = conv.iloc[0]
glue("c18_b_slow", float(slow["β"]), display=False)
glue("c18_ratio_slow", float(slow["fitted ratio"]), display=False)
glue("c18_ratio_slow_pred", float(slow["(1−β)/2"]), display=False)
glue("c18_need_slow", int(slow[f"levels to within {tolerance_rel:.0%}"]), display=False)
glue("c18_tol", tolerance_rel, display=False)
glue("c18_gap0_slow", float(gaps[0, 0]), display=False)

# %% [markdown]
# ## Claims

# %%
ratio_dev = float(np.max(np.abs(conv["fitted ratio"] - conv["(1−β)/2"])))
start_dev = float(
    np.max([abs(r[f"limit from χ_0 = {c0}"] - r["χ_∞ = 2β/(1+β)"]) for r in rows for c0 in other_starts])
)
claims = [
    nts.Claim(
        "The bootstrapped levels increase towards a limit as the number of levels grows",
        "levels approach a limit (Fig. 11)",
        f"monotone increasing and bounded on {n_beta} values of β ∈ (0, 1]: {monotone}",
        "agrees" if monotone else "disagrees",
        "Recursion reconstructed (appendix of equations); what Fig. 11 plots is our reconstruction.",
    ),
    nts.Claim(
        "The limit of infinitely many levels is the rich exponent 2β/(1+β)",
        "χ_∞ = 2β/(1+β)",
        f"max |χ_{n_gap_levels} − 2β/(1+β)| over the β of the table = {float(np.max(np.abs(gaps[-1]))):.1e}",
        "agrees" if float(np.max(np.abs(gaps[-1]))) < 1e-3 and max_limit_vs_eq10 < 1e-12 else "disagrees",
        "Same value as Eq. 10 of the main text.",
    ),
    nts.Claim(
        "The limit is a stable fixed point (Appendix E.2)",
        "stable",
        f"from χ_0 ∈ {other_starts} the map ends within {start_dev:.1e} of the limit",
        "agrees" if start_dev < 1e-10 else "disagrees",
        "The map is a contraction with factor (1−β)/2 < 1/2.",
    ),
    nts.Claim(
        "The series is geometric with ratio (1−β)/2 (our reading of the 'geometric series' remark)",
        "ratio (1−β)/2",
        f"largest |fitted − predicted| ratio = {ratio_dev:.1e}",
        "agrees" if ratio_dev < 1e-6 else "disagrees",
        "A property of the reconstructed recursion, not an independent test of the paper.",
    ),
]
nts.claims_table(claims)
