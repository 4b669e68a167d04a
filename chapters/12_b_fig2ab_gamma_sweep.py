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
# # Feature learning at infinite width: a sweep over γ ([B] Fig. 2a–b)
#
# In the solvable model of [B] (arXiv 2409.17858) the feature-learning strength $\gamma$
# decides whether the features stay frozen ($\gamma = 0$, a random-feature model) or keep
# moving. At infinite width and infinite batch the only thing left is the population
# gradient flow, and the paper's headline claim concerns it: for *hard* tasks (source
# $\beta < 1$, targets outside the RKHS of the initial kernel) feature learning raises the
# time exponent of the loss from $\beta$ to $2\beta/(1+\beta)$, while for *easy* tasks
# ($\beta > 1$) the exponent stays $\beta$. Fig. 2(a–b) of the paper shows this with
# $\gamma$ sweeps. This chapter recomputes those sweeps, measures the exponents, and tests
# when the change of exponent sets in.
#
# **Where the curves come from.** The paper's mean-field equations (its Eqs. 26–31 and
# 43–44) were lost from our copy; we use our reconstruction (appendix
# {ref}`eq-b-dmft-rank-one`, reconstructed and checked numerically) as implemented in `ntk_scaling.dmft_limit`. At $N \to \infty$ the model reduces
# *exactly* to a system in the $M$ modes alone: the error $v^0 = w^* - v$ obeys
# $\dot v^0 = -K(v)\,\Lambda v^0$ with the kernel
# $K = \kappa I + (\gamma/\kappa)\, v v^\top$ and
# $\kappa = 1+\gamma a = \tfrac12\big[1+\gamma+\sqrt{(1+\gamma)^2+4\gamma\|v\|^2}\big]$,
# where $a = |w|^2/N$ is the squared readout norm. (We derived this rank-one form from the
# reconstructed order-parameter equations; the library docstring gives the derivation
# and the tests check it against the full equations, against the paper-style $T\times T$
# matrix closure of the single-site process, and against direct simulations.) The kernel
# grows like $\sqrt{\gamma}\,\|v\|$, and $\|v\|$ grows without bound when $\beta<1$:
# that growth is the mechanism behind the faster exponent. We integrate the flow with an
# exponential integrator that stays stable however large $\kappa$ becomes; step $t$ means
# flow time $\eta t$.
#
# The predictions we test are reconstructed ({ref}`eq-b-scaling-chi`, {ref}`eq-b-scaling-crossover`): the late-time
# exponent $\chi = \beta\max(1, 2/(1+\beta))$ ([B] Eq. 10) and a crossover time
# $t_\times \sim \gamma^{-1/(1-\beta)}/\eta$ after which a hard task shows the rich
# exponent. The crossover law is our derivation (for small $\gamma$,
# $\gamma a \approx \gamma\|v\|^2 \sim \gamma t^{1-\beta}$ becomes of order one there), not a
# formula read from the paper.

# %% tags=["parameters"]
profile = "default"
alpha = 2.0  # capacity of the Fig. 2 tasks (λ_k ∝ k^-α)
beta_hard = 0.5  # source of the hard task (Fig. 2b)
beta_easy = 1.5  # source of the easy task (Fig. 2a)
gammas = [0.0, 0.001, 0.01, 0.1, 1.0]  # feature-learning strengths of the sweep
lr = 0.5  # η: step t is flow time η t
steps = 4000  # T, last step of the sweep
n_modes = 20000  # M, modes kept in the sweep (k*(T) ≪ M, checked below)
n_records = 80  # log-spaced records per curve
fit_from = 0.1  # late-time fit window: [fit_from·T, T]
alpha_exp = 4.0  # capacity for the exponent study (small k*(t), so M does not bias the slope)
betas_exp = [0.25, 0.5]  # hard sources for the exponent study
gamma_exp = 1.0  # γ of the rich runs in the exponent study
steps_exp = 10000  # T of the exponent study
n_modes_exp = 3000  # M of the exponent study
crossover_gammas = [0.03, 0.1, 0.3, 1.0]  # γ values used to measure the crossover time
crossover_steps = 10000  # T of the crossover runs (the smallest γ crosses late)
crossover_modes = 20000  # M of the crossover runs (truncation makes slopes rise early)
tolerance = 0.03  # exponent tolerance for the verdicts (the rich slope approaches its limit slowly)

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "alpha": nts.Real(gt=1),
    "beta_hard": nts.Real(gt=0, lt=1),
    "beta_easy": nts.Real(gt=1),
    "gammas": nts.ListOf(nts.Real(ge=0), min_len=2, increasing=True),
    "lr": nts.Real(gt=0),
    "steps": nts.Int(ge=10),
    "n_modes": nts.Int(ge=2),
    "n_records": nts.Int(ge=3),
    "fit_from": nts.Real(gt=0, lt=1),
    "alpha_exp": nts.Real(gt=1),
    "betas_exp": nts.ListOf(nts.Real(gt=0, lt=1), min_len=1, max_len=2),
    "gamma_exp": nts.Real(gt=0),
    "steps_exp": nts.Int(ge=10),
    "n_modes_exp": nts.Int(ge=2),
    "crossover_gammas": nts.ListOf(nts.Real(gt=0), min_len=3, increasing=True),
    "crossover_steps": nts.Int(ge=10),
    "crossover_modes": nts.Int(ge=2),
    "tolerance": nts.Real(ge=0),
})
if gammas[0] != 0.0:
    raise nts.ParameterError(f"parameter 'gammas' must start with 0.0 (the lazy reference curve), got {gammas}")

# %% tags=["remove-cell"]
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

import ntk_scaling as nts

nts.plotting.use_book_style()
chi = {b: (float(nts.time_exponent(b, rich=False)), float(nts.time_exponent(b, rich=True))) for b in {beta_hard, beta_easy, *betas_exp}}
glue("c12_lr", float(lr), display=False)
glue("c12_steps", int(steps), display=False)
glue("c12_n_modes", int(n_modes), display=False)
glue("c12_alpha", float(alpha), display=False)
glue("c12_beta_hard", float(beta_hard), display=False)
glue("c12_beta_easy", float(beta_easy), display=False)
glue("c12_tolerance", float(tolerance), display=False)
glue("c12_chi_rich_hard", float(chi[beta_hard][1]), display=False)
glue("c12_fit_lo", int(fit_from * steps), display=False)


def curves_of(alpha, n_modes, steps, points):
    """N = ∞ learning curves at the (beta, gamma) points; each is a cached library call."""
    tasks = {b: nts.power_law_task(alpha, b, n_modes) for b in {p["beta"] for p in points}}
    swept = nts.sweep(
        nts.dmft_limit,
        [dict(task=tasks[p["beta"]], gamma=p["gamma"]) for p in points],
        fixed=dict(lr=lr, steps=steps, n_records=n_records),
        desc=f"DMFT α={alpha:g} M={n_modes}",
    )
    return [{"steps": r.steps, "loss": r.loss, "a": r.kernel_scale} for r in swept.results]


def solve(alpha, beta, gamma, n_modes, steps):
    """One N = ∞ learning curve."""
    return curves_of(alpha, n_modes, steps, [dict(beta=beta, gamma=gamma)])[0]


def late_fit(curve, lo, hi):
    return nts.fit_power_law(curve["steps"], curve["loss"], xmin=lo, xmax=hi)


def running_exponent(curve):
    keep = curve["steps"] > 0
    centres, slopes = nts.local_slope(curve["steps"][keep], curve["loss"][keep], window=7)
    return centres, -slopes


# %% [markdown]
# ## The γ sweep
#
# We run the sweep for an easy task ($\alpha$ = {glue:text}`c12_alpha`, $\beta$ =
# {glue:text}`c12_beta_easy`) and a hard one ($\beta$ = {glue:text}`c12_beta_hard`), with
# $\eta$ = {glue:text}`c12_lr` for {glue:text}`c12_steps` steps and $M$ =
# {glue:text}`c12_n_modes` modes.

# %%
t0 = time.perf_counter()
points = nts.grid(beta=[beta_easy, beta_hard], gamma=gammas)
curves = curves_of(alpha, n_modes, steps, points)
curves = {(p["beta"], p["gamma"]): c for p, c in zip(points, curves)}
sweep_seconds = time.perf_counter() - t0
print(f"{len(points)} curves, {sweep_seconds:.1f} s (stored or cached curves are read from disk)")

# %% [markdown]
# **How $M$ was chosen.** A truncated spectrum stops the loss from falling once the
# learned-mode index $k^*(t)$ reaches $M$, and well before that it bends the late slope
# upward. At time $t$ the loss is roughly the tail
# $\sum_{k>k^*}\lambda_k (w^*_k)^2 \approx k^{*-\alpha\beta}/(\alpha\beta)$, so we read
# $k^*(T)$ off the final loss of the richest (fastest) run and require it to be a small
# fraction of $M$. We also rerun the richest hard curve with $M/2$ modes: the fitted
# late exponent must not move.

# %%
final_hard = curves[(beta_hard, max(gammas))]["loss"][-1]
k_star = (alpha * beta_hard * final_hard) ** (-1.0 / (alpha * beta_hard))
half = solve(alpha, beta_hard, max(gammas), n_modes // 2, steps)
fit_lo, fit_hi = fit_from * steps, steps
shift_half = late_fit(curves[(beta_hard, max(gammas))], fit_lo, fit_hi).exponent - late_fit(half, fit_lo, fit_hi).exponent
glue("c12_kstar_frac", float(k_star / n_modes), display=False)
glue("c12_kstar", float(k_star), display=False)
glue("c12_shift_half", float(abs(shift_half)), display=False)
print(f"k*(T) ≈ {k_star:.0f} = {k_star / n_modes:.3f} M; exponent change with M/2: {shift_half:+.4f}")

# %% [markdown]
# Here $k^*(T) \approx$ {glue:text}`c12_kstar:.0f`, i.e. {glue:text}`c12_kstar_frac:.3f` of
# $M$, and halving $M$ changes the fitted late exponent of the richest hard curve by
# {glue:text}`c12_shift_half:.4f`.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=False)
cols = nts.plotting.colors(len(gammas))
for ax, beta in zip(axes, [beta_easy, beta_hard]):
    lazy, rich = chi[beta]
    for c, g in zip(cols, gammas):
        cur = curves[(beta, g)]
        keep = cur["steps"] > 0
        ax.plot(cur["steps"][keep], cur["loss"][keep], color=c, label=f"γ = {g:g}")
        tx = nts.crossover_time(g, beta, lr=lr)
        if np.isfinite(tx) and 1 <= tx <= steps:
            ax.plot([tx], [np.interp(tx, cur["steps"], cur["loss"])], "o", color=c, ms=6, mec="k")
    ref = curves[(beta, 0.0)]
    x = np.geomspace(10, steps, 50)
    anchor_l = (x[0], 2 * np.interp(x[0], ref["steps"], ref["loss"]))
    nts.plotting.guide_line(ax, x, -lazy, anchor=anchor_l, label=f"$t^{{-\\beta}}$ = $t^{{-{lazy:.2f}}}$")
    if rich > lazy:
        anchor_r = (x[0], 0.5 * np.interp(x[0], curves[(beta, max(gammas))]["steps"], curves[(beta, max(gammas))]["loss"]))
        nts.plotting.guide_line(ax, x, -rich, anchor=anchor_r, color="C3", label=f"$t^{{-2\\beta/(1+\\beta)}}$ = $t^{{-{rich:.2f}}}$")
    nts.plotting.label_axes(ax, "step t", "test loss L(t)", loglog=True)
    ax.set_title(f"{nts.task_regime(alpha, beta)} task: α = {alpha:g}, β = {beta:g}")
    ax.legend(loc="lower left")
nts.plotting.panel_letters(axes)
fig.tight_layout()
glue("c12_fig_sweep", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c12_fig_sweep
# :name: "c12-fig-sweep"
#
# Infinite-width learning curves (test loss against SGD step, log-log) over the
# feature-learning strength γ, from the reconstructed mean-field theory. (a) Easy task,
# β = 1.5: every γ follows the same power law $t^{-\beta}$ (dashed); larger γ only lowers
# the curve. (b) Hard task, β = 0.5: the curves leave the lazy law $t^{-\beta}$ (black
# dashed) and bend towards $t^{-2\beta/(1+\beta)}$ (red dashed). Dots mark the predicted
# crossover time $t_\times = \gamma^{-1/(1-\beta)}/\eta$ where it falls inside the plotted
# range.
# ```
#
# The running exponent $-\mathrm{d}\log L/\mathrm{d}\log t$ shows the same thing more
# sharply ({numref}`c12-fig-slopes`): for the easy task all curves settle at $\beta$, for
# the hard task each rich curve climbs from $\beta$ towards $2\beta/(1+\beta)$ =
# {glue:text}`c12_chi_rich_hard:.3f`, later for smaller γ.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for ax, beta in zip(axes, [beta_easy, beta_hard]):
    lazy, rich = chi[beta]
    for c, g in zip(cols, gammas):
        xc, sl = running_exponent(curves[(beta, g)])
        ax.plot(xc, sl, color=c, label=f"γ = {g:g}")
        tx = nts.crossover_time(g, beta, lr=lr)
        if np.isfinite(tx) and 1 <= tx <= steps:
            ax.axvline(tx, color=c, ls=":", lw=1)
    ax.axhline(lazy, color="k", ls="--", lw=1, label="lazy β")
    if rich > lazy:
        ax.axhline(rich, color="C3", ls="--", lw=1, label="rich 2β/(1+β)")
    ax.set_xscale("log")
    nts.plotting.label_axes(ax, "step t", "running exponent −dlog L/dlog t")
    ax.set_title(f"α = {alpha:g}, β = {beta:g}")
    ax.legend(loc="best")
axes[0].set_ylim(0.0, 2.0 * chi[beta_easy][0])
axes[1].set_ylim(0.0, 1.3 * chi[beta_hard][1])
nts.plotting.panel_letters(axes)
fig.tight_layout()
glue("c12_fig_slopes", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c12_fig_slopes
# :name: "c12-fig-slopes"
#
# Running exponent of the curves of {numref}`c12-fig-sweep` (least-squares slope over a
# sliding window of 7 log-spaced records). Dashed: the lazy exponent β and the rich
# exponent 2β/(1+β). Dotted verticals: predicted crossover times.
# ```
#
# ## Late-time exponents
#
# We fit $L \propto t^{-\chi}$ on the window $[0.1\,T, T]$ (from step
# {glue:text}`c12_fit_lo`). The least-squares interval of a smooth curve is tiny, so it
# says little; the real uncertainty is how far the running exponent still drifts across
# the window, which we report as well and use, together with a stated tolerance of
# {glue:text}`c12_tolerance`, for the verdicts.

# %%
def exponent_row(curve, beta, gamma, label):
    fit = late_fit(curve, fit_lo_row, fit_hi_row)
    xc, sl = running_exponent(curve)
    inside = (xc >= fit_lo_row) & (xc <= fit_hi_row)
    drift = float(np.ptp(sl[inside])) if inside.any() else float("nan")
    lazy, rich = chi[beta]
    return dict(task=label, beta=beta, gamma=gamma, chi_fit=-fit.exponent, ci_lo=-fit.exponent_ci[1],
                ci_hi=-fit.exponent_ci[0], drift=drift, chi_lazy=lazy, chi_rich=rich,
                predicted=rich if gamma > 0 else lazy)


fit_lo_row, fit_hi_row = fit_lo, fit_hi
rows = [exponent_row(curves[(b, g)], b, g, f"α={alpha:g}") for b in (beta_easy, beta_hard) for g in (0.0, max(gammas))]

# exponent study at larger α: k*(t) ∼ τ^(1/α) stays small, so M = n_modes_exp is far from binding
exp_points = nts.grid(beta=betas_exp, gamma=[0.0, gamma_exp])
exp_curves = curves_of(alpha_exp, n_modes_exp, steps_exp, exp_points)
fit_lo_row, fit_hi_row = fit_from * steps_exp, steps_exp
rows += [exponent_row(c, p["beta"], p["gamma"], f"α={alpha_exp:g}") for p, c in zip(exp_points, exp_curves)]
exp_table = pd.DataFrame(rows)
exp_table["verdict"] = [
    nts.verdict_interval(r.predicted, (r.ci_lo - r.drift, r.ci_hi + r.drift), tolerance=tolerance) for r in exp_table.itertuples()
]
exp_table.round(3)

# %% [markdown]
# Columns: fitted exponent `chi_fit` with its 95% least-squares interval, `drift` = the
# range of the running exponent inside the fit window, the lazy and rich predictions, and
# the verdict for the prediction that applies (rich if γ > 0). For the easy task the rich
# and lazy fits coincide. For the hard tasks the rich exponent is clearly above β and
# close to $2\beta/(1+\beta)$; it approaches that value from below and slowly, so a finite
# window always reads it a little low ({ref}`eq-b-scaling-chi`).

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.4, 3.8))
for (p, c), col in zip(zip(exp_points, exp_curves), ["C0", "C0", "C3", "C3"]):
    xc, sl = running_exponent(c)
    ax.plot(xc, sl, color=col, ls="-" if p["gamma"] > 0 else ":", label=f"β = {p['beta']:g}, γ = {p['gamma']:g}")
for b, col in zip(betas_exp, ["C0", "C3"]):
    ax.axhline(chi[b][0], color=col, lw=0.8, ls="--")
    ax.axhline(chi[b][1], color=col, lw=1.5, ls="--")
ax.set_xscale("log")
nts.plotting.label_axes(ax, "step t", "running exponent −dlog L/dlog t")
ax.set_ylim(0, 0.9)
ax.legend(loc="upper left", ncol=2)
fig.tight_layout()
glue("c12_fig_exponents", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c12_fig_exponents
# :name: "c12-fig-exponents"
#
# Running exponents for two hard tasks at α = 4 (so that few modes are active and the
# truncation at M does not bias the slope), lazy (dotted) and rich (solid). Thin dashed
# lines: lazy prediction β; thick dashed: rich prediction 2β/(1+β).
# ```
#
# ## When does the exponent change?
#
# For a hard task we define the crossover time $t_{1/2}$ of a curve as the first step at
# which its running exponent is half-way between β and $2\beta/(1+\beta)$, and fit
# the local exponent $p = \mathrm{d}\log t_{1/2}/\mathrm{d}\log\gamma$ between neighbouring
# γ values. The reconstructed prediction is $p = -1/(1-\beta)$. It is a small-γ statement:
# rescaling time by $\gamma^{1/(1-\beta)}$ makes the flow γ-independent only once
# $k^*(t_\times) \gg 1$, and for γ of order one the crossover is immediate and $t_{1/2}$ is
# set by the initial transient. So we look at the trend of $p$ as γ decreases.

# %%
cross_curves = curves_of(alpha, crossover_modes, crossover_steps, nts.grid(beta=[beta_hard], gamma=crossover_gammas))
lazy, rich = chi[beta_hard]
t_half = []
for g, c in zip(crossover_gammas, cross_curves):
    xc, sl = running_exponent(c)
    above = np.flatnonzero(sl >= 0.5 * (lazy + rich))
    t_half.append(float(xc[above[0]]) if above.size else np.nan)
t_half = np.asarray(t_half)
ok = np.isfinite(t_half)
p_pred = -1.0 / (1.0 - beta_hard)
pair_exponents = np.diff(np.log(t_half)) / np.diff(np.log(crossover_gammas))
finite_pairs = pair_exponents[np.isfinite(pair_exponents)]
if finite_pairs.size:
    p_small = float(finite_pairs[0])  # between the two smallest γ that cross inside the run
    gaps = np.abs(finite_pairs - p_pred)
    trend = bool(np.all(np.diff(gaps) >= -1e-9))  # approaches p_pred as γ decreases
else:
    p_small, trend = np.nan, False
glue("c12_p_small", float(p_small), display=False)
# truncation check: the smallest crossing γ again with half the modes
g_min = crossover_gammas[int(np.flatnonzero(ok)[0])] if ok.any() else crossover_gammas[0]
half_c = solve(alpha, beta_hard, g_min, crossover_modes // 2, crossover_steps)
xc_h, sl_h = running_exponent(half_c)
above_h = np.flatnonzero(sl_h >= 0.5 * (lazy + rich))
t_half_h = float(xc_h[above_h[0]]) if above_h.size else np.nan
glue("c12_thalf_shift", float(abs(t_half_h / t_half[ok][0] - 1)) if ok.any() else float("nan"), display=False)
glue("c12_g_min", float(g_min), display=False)
glue("c12_p_pred", float(p_pred), display=False)
cross_table = pd.DataFrame({
    "gamma": crossover_gammas,
    "t_half": t_half,
    "t_x predicted": [nts.crossover_time(g, beta_hard, lr=lr) for g in crossover_gammas],
    "local exponent to next γ": np.append(pair_exponents, np.nan),
})
cross_table

# %% [markdown]
# Between the two smallest γ values the local exponent is $p$ =
# {glue:text}`c12_p_small:.2f`, against the reconstructed {glue:text}`c12_p_pred:.2f`, and
# the table shows whether $p$ moves towards the prediction as γ decreases (it is far from it
# between the largest γ values, where the crossover is immediate). Reaching smaller γ needs
# longer runs and many more modes: the truncation at $M$ bends the slopes up early and makes
# the smallest-γ crossings come too soon. Halving $M$ moves $t_{1/2}$ at γ =
# {glue:text}`c12_g_min` by a fraction {glue:text}`c12_thalf_shift:.3f`, which bounds the
# bias in $p$; the GPU profile uses $M = 10^6$ and smaller γ. The prefactor of $t_\times$
# is not predicted; the measured $t_{1/2}$ sits within a small factor of
# $\gamma^{-1/(1-\beta)}/\eta$ at small γ.
#
# ## Claims

# %%
def row(task, gamma):
    return exp_table[(exp_table.task == task[0]) & (exp_table.beta == task[1]) & (exp_table.gamma == gamma)].iloc[0]


def ours(r):
    return f"{r.chi_fit:.3f} [{r.ci_lo:.3f}, {r.ci_hi:.3f}], drift {r.drift:.3f}"


hard_rich = row((f"α={alpha:g}", beta_hard), max(gammas))
hard_lazy = row((f"α={alpha:g}", beta_hard), 0.0)
easy_rich = row((f"α={alpha:g}", beta_easy), max(gammas))
easy_lazy = row((f"α={alpha:g}", beta_easy), 0.0)
q_rich = row((f"α={alpha_exp:g}", min(betas_exp)), gamma_exp)
ratio_easy = curves[(beta_easy, max(gammas))]["loss"][-1] / curves[(beta_easy, 0.0)]["loss"][-1]
glue("c12_ratio_easy", float(ratio_easy), display=False)
if not np.isfinite(p_small):
    cross_verdict = "not tested"
elif trend and abs(p_small - p_pred) <= 0.15:
    cross_verdict = "agrees"
else:
    cross_verdict = "partly" if trend else "disagrees"
claims = [
    nts.Claim("Lazy hard task (γ = 0): L ∼ t^-β", f"χ = β = {hard_lazy.chi_lazy:.3f}", ours(hard_lazy), hard_lazy.verdict),
    nts.Claim(
        "Feature learning raises the hard-task exponent to 2β/(1+β) (Eq. 10)",
        f"χ = {hard_rich.chi_rich:.3f} (β = {beta_hard:g}, γ = {max(gammas):g})", ours(hard_rich), hard_rich.verdict,
        "Approached from below; a finite window reads it slightly low.",
    ),
    nts.Claim(
        "Same for a harder task", f"χ = {q_rich.chi_rich:.3f} (β = {q_rich.beta:g})", ours(q_rich), q_rich.verdict,
        f"Measured at α = {alpha_exp:g} so that the truncation at M does not bias the slope.",
    ),
    nts.Claim(
        "Easy task: the exponent stays β for every γ", f"χ = {easy_rich.chi_lazy:.3f}", ours(easy_rich), easy_rich.verdict,
        f"Lazy fit {easy_lazy.chi_fit:.3f}.",
    ),
    nts.Claim(
        "Easy task: larger γ only lowers the constant", "L_rich/L_lazy < 1 at late times", f"{ratio_easy:.3f} at t = T",
        "agrees" if ratio_easy < 1 else "disagrees",
    ),
    nts.Claim(
        "Crossover to the rich exponent at t ∼ γ^(-1/(1-β)) (our reconstruction; see the appendix of equations)",
        f"p = {p_pred:.2f}", f"local p = {p_small:.2f} at the smallest γ pair; trend towards prediction: {trend}",
        cross_verdict,
        "Rule: agrees if p at the smallest γ pair is within 0.15 of the prediction and p approaches it monotonically as γ decreases; partly if only the trend holds.",
    ),
]
nts.claims_table(claims)
