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
# # Exponents and phases of the solvable model ([B] Fig. 1)
#
# Bordelon, Atanasov and Pehlevan ([B], arXiv 2409.17858) summarise their theory in one
# figure: how fast the loss falls with training time $t$ when features are frozen (lazy,
# $\gamma \to 0$) and when they are learned (rich, $\gamma > 0$), and which term of the
# loss dominates for each task. A task is described by two exponents of the initial
# infinite-width NTK: the capacity $\alpha$ (eigenvalues $\lambda_k \sim k^{-\alpha}$,
# $\alpha > 1$) and the source $\beta$ (the target power left beyond mode $k$ falls like
# $k^{-\alpha\beta}$).
#
# Our copy of the paper lost its formulas. Every exponent in this chapter comes from
# `ntk_scaling.exponents`, which implements our reconstruction (appendix
# {ref}`eq-b-model-task` and {ref}`eq-b-scaling-chi`, status "reconstructed and checked
# numerically": derived so as to agree with every fragment of the text, with Paquette et
# al. (2024) for the lazy phases, and with simulations). The central one is [B] Eq. 10,
#
# $$\chi(\beta) = \beta \max\left(1, \frac{2}{1+\beta}\right),$$
#
# the exponent of $L \sim t^{-\chi}$ at infinite width and batch in the rich regime; the
# lazy exponent is $\chi = \beta$. The chapter evaluates the library, draws the figure,
# and checks two parts of the picture against independent numerics: the lazy time
# exponent from the exact gradient-flow loss, and the statement that hard tasks
# ($\beta < 1$) lie outside the RKHS of the initial kernel. Measured rich exponents are in
# the simulation and DMFT chapters.

# %% tags=["parameters"]
profile = "default"
beta_max = 2.5  # right end of the χ(β) panel
n_beta = 501  # β grid for the χ(β) panel
alpha_min = 1.02  # phase diagrams: α range (α > 1)
alpha_max = 4.0
phase_beta_max = 3.0  # phase diagrams: β range
n_grid = 300  # phase-diagram resolution per axis
check_betas = [0.25, 0.5]  # β values at which the rich exponent is quoted
small_beta = 0.01  # β used for the "nearly doubles" limit
exact_alpha = 2.0  # lazy exact-loss check: capacity
exact_beta = 0.5  # lazy exact-loss check: source
exact_modes = 1000000  # modes kept in the exact lazy sum (≫ learned modes)
exact_t_min = 100.0  # fit window of the exact lazy loss, in steps at unit lr
exact_t_max = 10000.0
rkhs_k_max = 1000000  # largest K of the RKHS-norm partial sums
dmft_beta = 0.5  # rich cross-check with the infinite-width DMFT: source exponent
dmft_modes = 20000  # modes of the DMFT task (≫ modes learned by dmft_steps)
dmft_steps = 20000  # flow steps at unit lr
dmft_gamma = 1.0  # feature-learning strength
dmft_t_min = 300.0  # fit window of the rich local exponent
dmft_t_max = 3000.0
dmft_tolerance = 0.03  # allowance for the slow approach of the rich exponent
width_demo = 1024  # N in the four-term demonstration
batch_demo = 1  # B in the four-term demonstration

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "beta_max": nts.Real(gt=1),
    "n_beta": nts.Int(ge=10),
    "alpha_min": nts.Real(gt=1),
    "alpha_max": nts.Real(gt=1),
    "phase_beta_max": nts.Real(gt=1),
    "n_grid": nts.Int(ge=10),
    "check_betas": nts.ListOf(nts.Real(gt=0, lt=1), min_len=2, max_len=2),
    "small_beta": nts.Real(gt=0, lt=1),
    "exact_alpha": nts.Real(gt=1),
    "exact_beta": nts.Real(gt=0),
    "exact_modes": nts.Int(ge=1000),
    "exact_t_min": nts.Real(gt=0),
    "exact_t_max": nts.Real(gt=0),
    "rkhs_k_max": nts.Int(ge=100),
    "dmft_beta": nts.Real(gt=0, lt=1),
    "dmft_modes": nts.Int(ge=100),
    "dmft_steps": nts.Int(ge=100),
    "dmft_gamma": nts.Real(gt=0),
    "dmft_t_min": nts.Real(gt=0),
    "dmft_t_max": nts.Real(gt=0),
    "dmft_tolerance": nts.Real(ge=0),
    "width_demo": nts.Int(ge=1),
    "batch_demo": nts.Int(ge=1),
})
for low, high in (("alpha_min", "alpha_max"), ("exact_t_min", "exact_t_max"), ("dmft_t_min", "dmft_t_max")):
    if not globals()[low] < globals()[high]:
        raise nts.ParameterError(f"parameter {low!r} must be below {high!r}, got {globals()[low]} and {globals()[high]}")

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from myst_nb import glue

import ntk_scaling as nts

nts.plotting.use_book_style()

# %% [markdown]
# ## The time exponent with and without feature learning

# %%
betas = np.linspace(1e-3, beta_max, n_beta)
chi_lazy = nts.time_exponent(betas, rich=False)
chi_rich = nts.time_exponent(betas, rich=True)
check = {b: (nts.time_exponent(b, rich=False), nts.time_exponent(b, rich=True)) for b in check_betas}
gain_small = nts.time_exponent_gain(small_beta)
easy_betas = betas[betas >= 1]
max_gap_easy = float(np.max(np.abs(nts.time_exponent(easy_betas) - nts.time_exponent(easy_betas, rich=False))))
jump_at_one = abs(nts.time_exponent(1 - 1e-12) - nts.time_exponent(1 + 1e-12))

pd.DataFrame(
    {
        "β": check_betas,
        "lazy χ = β": [check[b][0] for b in check_betas],
        "rich χ (library)": [check[b][1] for b in check_betas],
        "2β/(1+β)": [2 * b / (1 + b) for b in check_betas],
        "gain rich/lazy": [check[b][1] / check[b][0] for b in check_betas],
    }
).style.format(precision=4).hide(axis="index")

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.2, 3.6))
ax.axvspan(0, 1, color="C3", alpha=0.07, lw=0)
ax.text(0.5, 0.96, "hard: β < 1", transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=8)
ax.text((1 + beta_max) / 2, 0.96, "easy / super-easy", transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=8)
ax.plot(betas, chi_lazy, color="C0", label="lazy (γ → 0): χ = β")
ax.plot(betas, chi_rich, color="C3", label="rich (γ > 0): χ = β·max(1, 2/(1+β))")
ax.plot(betas[betas < 1], 2 * betas[betas < 1], color="0.5", ls=":", lw=1, label="2β (upper bound as β → 0)")
for b in check_betas:
    ax.plot([b], [check[b][1]], "o", color="C3", ms=4)
nts.plotting.label_axes(ax, "source exponent β", "time exponent χ in L ∼ t^(−χ)")
ax.set_xlim(0, beta_max)
ax.set_ylim(0, beta_max * 1.05)
ax.legend(loc="lower right")
glue("c10_fig_chi", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c10_fig_chi
# :name: "c10-fig-chi"
#
# Time exponent $\chi$ of the loss at infinite width and batch against the source
# exponent $\beta$: lazy (blue) and rich (red), from the reconstructed [B] Eq. 10. The
# dotted line $2\beta$ is the limit the rich exponent approaches for very hard tasks;
# dots mark the values quoted in the text. The shaded band is the hard phase.
# ```
#
# For hard tasks the rich exponent is $2\beta/(1+\beta)$: at $\beta = 0.25$ the library gives
# {glue:text}`c10_chi_rich_025:.4f` (lazy {glue:text}`c10_chi_lazy_025:.2f`), at
# $\beta = 0.5$ it gives {glue:text}`c10_chi_rich_05:.4f` (lazy {glue:text}`c10_chi_lazy_05:.2f`).
# The ratio rich/lazy is $2/(1+\beta)$, so at $\beta$ = {glue:text}`c10_small_beta` the
# exponent is multiplied by {glue:text}`c10_gain_small:.3f`: feature learning "nearly
# doubles" it. For $\beta \ge 1$ the two curves coincide (largest gap on the grid
# {glue:text}`c10_gap_easy:.1e`), and the rich curve is continuous at $\beta = 1$ (jump
# {glue:text}`c10_jump:.1e`). It has a kink there: the slope of $2\beta/(1+\beta)$ at
# $\beta = 1$ is $1/2$, that of $\beta$ is $1$.

# %% tags=["remove-cell"]
glue("c10_chi_rich_025", check[check_betas[0]][1], display=False)
glue("c10_chi_lazy_025", check[check_betas[0]][0], display=False)
glue("c10_chi_rich_05", check[check_betas[1]][1], display=False)
glue("c10_chi_lazy_05", check[check_betas[1]][0], display=False)
glue("c10_small_beta", small_beta, display=False)
glue("c10_gain_small", gain_small, display=False)
glue("c10_gap_easy", max_gap_easy, display=False)
glue("c10_jump", jump_at_one, display=False)

# %% [markdown]
# ## Phase diagrams
#
# Two boundaries split the $(\alpha, \beta)$ plane. At $\beta = 1$ the RKHS norm of the
# target under the initial NTK changes from infinite (hard) to finite; at
# $\beta = 2 - 1/\alpha$ the SGD-noise term starts to matter before the finite-width
# transient (super-easy). Exactly on a boundary the library calls the task easy; every
# exponent is continuous there, so the label is only a convention. Each region is
# annotated with the term that dominates early and the one it hands over to as $t$ grows
# at fixed width $N$ (the arrows of [B] Fig. 1b,c; appendix {ref}`eq-b-scaling-phases`). The four
# terms are those of [B] Eqs. 8 (lazy) and 9 (rich):
#
# $$L \approx t^{-\chi} + N^{-\alpha\min(2,\beta)} + \frac{1}{N}\, t^{-(1-1/\alpha)g}
#   + \frac{\eta}{B}\, t^{-(2-1/\alpha)g}, \qquad g = \begin{cases}1 & \text{lazy}\\
#   \max(1, 2/(1+\beta)) & \text{rich.}\end{cases}$$
#
# The time and model-bottleneck exponents are medium-high confidence; the exponents of
# the last two terms are reconstructed from Paquette et al. (2024) and were checked
# numerically only for $\beta > 1$ ({ref}`eq-b-scaling-four-terms`). For hard tasks they are sub-leading.

# %%
alphas = np.linspace(alpha_min, alpha_max, n_grid)
phase_betas = np.linspace(1e-3, phase_beta_max, n_grid)
aa, bb = np.meshgrid(alphas, phase_betas)
regime = nts.task_regime(aa, bb)
code = np.select([regime == "hard", regime == "easy"], [0, 1], 2)
area = {name: float(np.mean(regime == name)) for name in nts.REGIMES}

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
cmap = ListedColormap(["#f4c7c3", "#c6dbef", "#d9ead3"])
label_at = {"hard": (2.5, 0.45), "easy": (3.3, 1.38), "super-easy": (2.5, 2.45)}
for ax, rich in zip(axes, (False, True)):
    ax.pcolormesh(alphas, phase_betas, code, cmap=cmap, vmin=0, vmax=2, shading="auto")
    ax.axhline(1.0, color="k", lw=1)
    ax.plot(alphas, nts.easy_boundary(alphas), color="k", lw=1, ls="--")
    for name, (xa, yb) in label_at.items():
        early, late = nts.PHASE_TRANSITIONS[(name, rich)]
        r = nts.compute_optimal_exponent(xa, yb, rich)
        ax.text(xa, yb, f"{name}\n{early}  →  {late}\nr = {r:.2f} at (α, β) = ({xa}, {yb})",
                ha="center", va="center", fontsize=7.5)
    ax.text(3.55, 0.9, "β = 1", fontsize=8)
    ax.text(3.2, 2 - 1 / 3.2 + 0.1, "β = 2 − 1/α", fontsize=8)
    ax.set_title("lazy, γ → 0 (Eq. 8)" if not rich else "rich, γ > 0 (Eq. 9)")
    nts.plotting.label_axes(ax, "capacity exponent α", "source exponent β" if not rich else "")
    ax.set_xlim(alphas[0], alphas[-1])
    ax.set_ylim(0, phase_beta_max)
    ax.grid(False)
nts.plotting.panel_letters(axes)
glue("c10_fig_phases", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c10_fig_phases
# :name: "c10-fig-phases"
#
# Phase diagrams of the solvable model for (a) lazy and (b) rich training, computed with
# `nts.task_regime`. Solid line: $\beta = 1$; dashed line: $\beta = 2 - 1/\alpha$. Each
# region shows the dominant term early in training, the term it hands over to at larger
# $t$ (fixed $N$), and the compute-optimal exponent $r$ of [B] Table 1 at the labelled
# point. Only the hard phase differs between (a) and (b).
# ```
#
# On the plotted window the hard phase covers {glue:text}`c10_area_hard:.0%` of the
# area, the easy band {glue:text}`c10_area_easy:.0%` and the super-easy phase
# {glue:text}`c10_area_super:.0%`; the easy band shrinks to nothing as $\alpha \to 1$.
#
# The arrows describe the window relevant for compute-optimal training. At fixed $N$ and
# $t \to \infty$ every curve eventually stops at the model bottleneck
# $N^{-\alpha\min(2,\beta)}$; {numref}`c10-fig-terms` shows the four terms for one task in
# each phase.

# %% tags=["remove-cell"]
glue("c10_area_hard", area["hard"], display=False)
glue("c10_area_easy", area["easy"], display=False)
glue("c10_area_super", area["super-easy"], display=False)

# %%
demo = {"hard": (2.0, 0.5), "easy": (2.0, 1.3), "super-easy": (2.0, 3.0)}
t_demo = np.geomspace(1, 1e12, 400)
terms_demo = {
    (name, rich): nts.loss_terms(t_demo, width_demo, batch_demo, a, b, rich=rich)
    for name, (a, b) in demo.items()
    for rich in (False, True)
}
switches = {}
for (name, rich), terms in terms_demo.items():
    dom = nts.dominant_term(t_demo, width_demo, batch_demo, *demo[name], rich=rich)
    order = [dom[0]] + [d for i, d in enumerate(dom[1:], 1) if d != dom[i - 1]]
    switches[(name, rich)] = " → ".join(order)
pd.DataFrame(
    {
        "(α, β)": [str(demo[n]) for n in demo],
        "lazy: dominant terms as t grows": [switches[(n, False)] for n in demo],
        "rich: dominant terms as t grows": [switches[(n, True)] for n in demo],
    },
    index=list(demo),
)

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
term_colors = ["C0", "C1", "C2", "C4"]
for ax, name in zip(axes, demo):
    lazy, rich_terms = terms_demo[(name, False)], terms_demo[(name, True)]
    for field, term, color in zip(lazy._fields, nts.TERM_NAMES, term_colors):
        ax.plot(t_demo, getattr(lazy, field), color=color, lw=1, alpha=0.8, label=f"lazy {term}")
    ax.plot(t_demo, lazy.total(), color="k", lw=2, label="lazy total")
    ax.plot(t_demo, rich_terms.total(), color="C3", lw=2, ls="--", label="rich total")
    ax.set_title(f"{name}: α = {demo[name][0]}, β = {demo[name][1]}")
    nts.plotting.label_axes(ax, "step t", "loss terms (prefactors 1)" if name == "hard" else "", loglog=True)
    ax.set_ylim(1e-14, 3)
axes[0].legend(loc="lower left", fontsize=7)
nts.plotting.panel_letters(axes)
glue("c10_fig_terms", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c10_fig_terms
# :name: "c10-fig-terms"
#
# The four terms of [B] Eq. 8 (thin lines, lazy) and their sums (black: lazy; red
# dashed: rich, Eq. 9) for one task per phase, at width $N$ = {glue:text}`c10_width_demo`
# and batch $B$ = {glue:text}`c10_batch_demo`, all prefactors set to one as the paper
# does. (a) Hard: the time term hands over to the model bottleneck, earlier in the rich
# case. (b) Easy: the time term hands over to the finite-width transient. (c) Super-easy:
# the SGD-noise term hands over to the transient. In (b) and (c) lazy and rich coincide.
# ```

# %% tags=["remove-cell"]
glue("c10_width_demo", width_demo, display=False)
glue("c10_batch_demo", batch_demo, display=False)

# %% [markdown]
# ## Three independent checks
#
# **Lazy time exponent.** At infinite width and batch the lazy model is linear
# regression by gradient flow in the eigenbasis, so the error in mode $k$ decays as
# $e^{-\lambda_k t}$ and $L(t) = \sum_k \lambda_k (w^*_k)^2 e^{-2\lambda_k t}$ exactly
# (learning rate one). We sum it over {glue:text}`c10_exact_modes` modes for the task of
# `nts.power_law_task` and fit the slope; this uses none of the exponent formulas.
#
# **Hard tasks lie outside the RKHS.** The RKHS norm of the target under the initial NTK is
# $\sum_k (w^*_k)^2$. We compute its partial sums up to $K$ for a hard and an easy task
# and fit their growth with $K$: a positive exponent means the norm diverges.
#
# **Rich time exponent.** We solve the infinite-width, infinite-batch dynamics of the
# rich model (`nts.dmft_limit`, gradient flow, the reconstructed DMFT of {ref}`eq-b-dmft-rank-one`) for
# a hard task and fit the slope of the loss on a window of intermediate times. The
# approach to $2\beta/(1+\beta)$ is slow, from below ({ref}`eq-b-scaling-chi`), and at late times the finite
# number of modes steepens the curve, so the window stays well inside both limits.

# %%
k = np.arange(1, exact_modes + 1, dtype=np.float64)
lam = k**-exact_alpha
power = k ** (-exact_alpha * exact_beta - 1)  # λ_k (w*_k)^2, as in nts.power_law_task
t_exact = np.geomspace(exact_t_min, exact_t_max, 30)
loss_exact = np.array([np.sum(power * np.exp(-2 * lam * t)) for t in t_exact])
fit_exact = nts.fit_power_law(t_exact, loss_exact)
chi_exact = -fit_exact.exponent
learned_modes = exact_t_max ** (1 / exact_alpha)


def rkhs_growth(alpha, beta):
    """Growth exponent of the partial sums Σ_{k≤K} (w*_k)^2 for K in [K_max/100, K_max]."""
    kk = np.arange(1, rkhs_k_max + 1, dtype=np.float64)
    partial = np.cumsum(kk ** (-(alpha * beta + 1 - alpha)))
    ks = np.unique(np.geomspace(rkhs_k_max / 100, rkhs_k_max, 20).astype(int))
    return nts.fit_power_law(ks, partial[ks - 1]), partial


fit_rkhs_hard, partial_hard = rkhs_growth(exact_alpha, exact_beta)
fit_rkhs_easy, partial_easy = rkhs_growth(exact_alpha, 1.5)
dmft_task = nts.power_law_task(exact_alpha, dmft_beta, dmft_modes)
dmft_rich = nts.dmft_limit(dmft_task, lr=1.0, gamma=dmft_gamma, steps=dmft_steps, n_records=48)
dmft_lazy = nts.dmft_limit(dmft_task, lr=1.0, gamma=0.0, steps=dmft_steps, n_records=48)
fit_dmft = nts.fit_power_law(dmft_rich.steps[1:], dmft_rich.loss[1:], xmin=dmft_t_min, xmax=dmft_t_max)
chi_dmft = -fit_dmft.exponent
chi_dmft_ci = (-fit_dmft.exponent_ci[1], -fit_dmft.exponent_ci[0])
pd.DataFrame(
    {
        "check": ["lazy slope of exact L(t)", "growth of Σ w*² (β = 0.5)", "growth of Σ w*² (β = 1.5)",
                  f"rich DMFT slope, β = {dmft_beta}"],
        "measured": [chi_exact, fit_rkhs_hard.exponent, fit_rkhs_easy.exponent, chi_dmft],
        "theory": [exact_beta, exact_alpha * (1 - exact_beta), 0.0, nts.time_exponent(dmft_beta)],
    }
).style.format(precision=4).hide(axis="index")

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(5.4, 3.6))
for res, color, name in ((dmft_lazy, "C0", "lazy"), (dmft_rich, "C3", f"rich, γ = {dmft_gamma}")):
    centres, slopes = nts.local_slope(res.steps[1:], res.loss[1:], window=6)
    ax.semilogx(centres, -slopes, color=color, label=name)
ax.axhline(dmft_beta, color="C0", ls="--", lw=1, label="β")
ax.axhline(nts.time_exponent(dmft_beta), color="C3", ls="--", lw=1, label="2β/(1+β)")
ax.axvspan(dmft_t_min, dmft_t_max, color="0.85", alpha=0.5, lw=0)
nts.plotting.label_axes(ax, "step t (unit learning rate)", "local exponent −d log L / d log t")
ax.legend(fontsize=7)
glue("c10_fig_dmft", fig, display=False)
plt.close(fig)

# %% tags=["remove-cell"]
glue("c10_exact_modes", exact_modes, display=False)
glue("c10_chi_exact", chi_exact, display=False)
glue("c10_learned_modes", learned_modes, display=False)
glue("c10_rkhs_hard", fit_rkhs_hard.exponent, display=False)
glue("c10_rkhs_easy", fit_rkhs_easy.exponent, display=False)
glue("c10_dmft_beta", dmft_beta, display=False)
glue("c10_dmft_modes", dmft_modes, display=False)
glue("c10_chi_dmft", nts.format_interval(chi_dmft, chi_dmft_ci, 3), display=False)
glue("c10_chi_dmft_pred", nts.time_exponent(dmft_beta), display=False)

# %% [markdown]
# The exact lazy loss falls with slope {glue:text}`c10_chi_exact:.4f` (theory $\beta$);
# at the end of the window only about {glue:text}`c10_learned_modes:.0f` modes are learned, far
# fewer than those kept, so truncation does not bias the slope. The partial sums of the
# RKHS norm grow like $K^{p}$ with $p$ = {glue:text}`c10_rkhs_hard:.3f` for $\beta = 0.5$
# (theory $\alpha(1-\beta) = 1$: the norm is infinite) and $p$ = {glue:text}`c10_rkhs_easy:.1e`
# for $\beta = 1.5$ (a finite norm).
#
# ```{glue:figure} c10_fig_dmft
# :name: "c10-fig-dmft"
#
# Local time exponent of the infinite-width loss for $\alpha$ = 2 and $\beta$ =
# {glue:text}`c10_dmft_beta`, lazy (blue) and rich (red), from the reconstructed DMFT with
# {glue:text}`c10_dmft_modes` modes; dashed lines are the predictions $\beta$ and
# $2\beta/(1+\beta)$. The grey band is the window of the fit quoted in the text.
# ```
#
# In that window the rich loss falls with exponent {glue:text}`c10_chi_dmft` against the
# predicted {glue:text}`c10_chi_dmft_pred:.3f`. The local exponent never settles on a
# plateau at this size: it climbs slowly through the window, crosses the prediction later
# and keeps rising, where the missing tail of modes beyond $M$ steepens the curve (the lazy
# curve shows the same late drift, more weakly). The measurement therefore supports the
# predicted value only to within a few hundredths.
#
# ## Claims

# %%
tol_exact = 0.01
claims = [
    nts.Claim(
        "Rich time exponent of hard tasks is 2β/(1+β) (Eq. 10)",
        "; ".join(f"{2 * b / (1 + b):.3f} at β = {b}" for b in check_betas),
        "; ".join(f"{check[b][1]:.3f} at β = {b}" for b in check_betas) + " (library, reconstructed Eq. 10)",
        "agrees" if all(abs(check[b][1] - 2 * b / (1 + b)) < 1e-12 for b in check_betas) else "disagrees",
        "Checks the library against the paper's closed form only; see the next row for a measurement.",
    ),
    nts.Claim(
        f"Rich time exponent measured at N = B = ∞, β = {dmft_beta}",
        f"{nts.time_exponent(dmft_beta):.3f}",
        nts.format_interval(chi_dmft, chi_dmft_ci, 3),
        nts.verdict_interval(nts.time_exponent(dmft_beta), chi_dmft_ci, tolerance=dmft_tolerance),
        f"Reconstructed DMFT flow, t ∈ [{dmft_t_min:.0f}, {dmft_t_max:.0f}]; the local exponent is still rising "
        f"there, hence a tolerance of {dmft_tolerance}.",
    ),
    nts.Claim(
        "Feature learning nearly doubles the exponent for very hard tasks",
        "χ_rich/χ_lazy → 2 as β → 0",
        f"{gain_small:.3f} at β = {small_beta}",
        "agrees" if gain_small > 1.95 else "disagrees",
        "The ratio is 2/(1+β) exactly under Eq. 10.",
    ),
    nts.Claim(
        "No change of the exponent for easy and super-easy tasks (β ≥ 1)",
        "χ_rich = χ_lazy = β",
        f"max |χ_rich − χ_lazy| = {max_gap_easy:.1e} on β ∈ [1, {beta_max}]",
        "agrees" if max_gap_easy < 1e-12 else "disagrees",
        "",
    ),
    nts.Claim(
        "Lazy time exponent is β (first term of Eq. 8)",
        f"{exact_beta:.3f}",
        nts.format_interval(chi_exact, tuple(-c for c in fit_exact.exponent_ci[::-1]), 4),
        nts.verdict_interval(exact_beta, tuple(-c for c in fit_exact.exponent_ci[::-1]), tolerance=tol_exact),
        f"Exact N = B = ∞ gradient-flow loss, α = {exact_alpha}; tolerance {tol_exact} for the finite fit window.",
    ),
    nts.Claim(
        "Hard tasks (β < 1) lie outside the RKHS of the initial NTK, easy ones inside",
        "‖w*‖² = ∞ iff β < 1",
        f"partial sums grow as K^{fit_rkhs_hard.exponent:.3f} (β = 0.5) and K^{fit_rkhs_easy.exponent:.1e} (β = 1.5)",
        "agrees" if abs(fit_rkhs_hard.exponent - exact_alpha * (1 - exact_beta)) < 0.1 and abs(fit_rkhs_easy.exponent) < 0.01 else "disagrees",
        "Rule: growth exponent within 0.1 of α(1−β) = 1 for the hard task and below 0.01 for the easy one.",
    ),
]
nts.claims_table(claims)
