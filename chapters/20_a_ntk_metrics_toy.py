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
# # Reading a network through its NTK: trace, effective rank, adaptation and trace ratio
#
# Paper [A] (arXiv 2507.05035) describes training not by the loss alone but by a few numbers
# computed from the empirical neural tangent kernel (eNTK)
# Θ_(i,a),(j,b) = Σ_p ∂f_a(x_i)/∂θ_p ∂f_b(x_j)/∂θ_p, evaluated on a fixed set of held-out
# inputs x_1…x_n and all k outputs, i.e. an (n·k)×(n·k) positive semi-definite matrix
# ({ref}`eq-a-metrics-entk`; the full flattened kernel is the group's default and our choice [R]):
#
# * **trace** TrΘ, the sum of its eigenvalues: how strongly a gradient step moves the
#   outputs on these inputs. Following the group's recorder we divide by the dimension n·k
#   (the mean eigenvalue);
# * **effective rank** Γ = exp(S_vN), with S_vN = −Σ p_i ln p_i the entropy of the
#   normalised eigenvalues p_i = λ_i/Σλ: Γ = n·k when all eigenvalues are equal and Γ = 1
#   when one eigen-direction carries everything, so it counts the directions the kernel
#   actually uses;
# * **adaptation rate** χ = dTrΘ/d ln L_train, the slope of the trace against the log
#   training loss along a run (how much the kernel's size changes per e-fold of loss);
# * **trace ratio** β = (TrΘ_min − TrΘ₀)/TrΘ₀ between initialisation and the epoch of
#   minimum test loss (Θ_min): the relative change of the kernel, zero in the lazy (kernel)
#   regime where the network behaves like its linearisation.
#
# The effective rank, adaptation rate and trace ratio are reconstructed from [A]'s summaries
# [R]; the eigenvalue conventions (clipping at 10⁻¹⁴, natural logarithm) are the group's
# code [V-src]. This chapter shows what the numbers do on a toy problem where we control how
# lazy training is: a small Gaussian-cluster classification task, trained with full-batch
# Adam on the squared error (our choice [G]) by a narrow and a wide network at a large and a
# small learning rate.

# %% tags=["parameters"]
profile = "default"
widths = [32, 512]
learning_rates = [1e-2, 1e-4]
depth = 2
n_seeds = 3
epochs = 300
n_train = 64
n_test = 128
n_ntk = 16
in_dim = 16
n_classes = 4
noise = 1.0
n_checkpoints = 20

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "widths": nts.ListOf(nts.Int(ge=1), min_len=2, distinct=True),
    "learning_rates": nts.ListOf(nts.Real(gt=0), min_len=2, max_len=4, distinct=True),
    "depth": nts.Int(ge=1),
    "n_seeds": nts.Int(ge=1),
    "epochs": nts.Int(ge=1),
    "n_train": nts.Int(ge=10),
    "n_test": nts.Int(ge=1),
    "n_ntk": nts.Int(ge=2),
    "in_dim": nts.Int(ge=1),
    "n_classes": nts.Int(ge=2),
    "noise": nts.Real(ge=0),
    "n_checkpoints": nts.Int(ge=3),
})

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue
from tqdm.auto import tqdm

import ntk_scaling as nts

nts.plotting.use_book_style()

# %% [markdown]
# ## Four runs

# %%
runs = {}
for w in tqdm(widths, desc="widths"):
    for lr in learning_rates:
        runs[w, lr] = nts.train_mlp_cached(
            dataset="synthetic", n_train=n_train, width=w, depth=depth, epochs=epochs, learning_rate=lr,
            n_seeds=n_seeds, n_test=n_test, n_ntk=n_ntk, n_checkpoints=n_checkpoints,
            synthetic_dim=in_dim, synthetic_classes=n_classes, synthetic_noise=noise,
        )
dim = runs[widths[0], learning_rates[0]].ntk_dim
glue("c20_dim", dim, display=False)
glue("c20_n_seeds", n_seeds, display=False)
glue("c20_n_ntk", n_ntk, display=False)
glue("c20_n_classes", n_classes, display=False)


def tag(w, lr):
    return f"m = {w}, lr = {lr:g}"


# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 2, figsize=(9.5, 6.6))
styles = {lr: ls for lr, ls in zip(learning_rates, ["-", "--", ":", "-."])}
cols = {w: c for w, c in zip(widths, nts.plotting.colors(len(widths), "plasma"))}
for (w, lr), r in runs.items():
    e = np.maximum(r.epochs, 0.5)
    kw = dict(color=cols[w], ls=styles[lr])
    nts.plotting.seed_band(axes[0, 0], e, r.test_loss, label=tag(w, lr), **kw)
    nts.plotting.seed_band(axes[0, 1], e, r.ntk_trace / r.ntk_trace[:, :1], label=tag(w, lr), geometric=True, **kw)
    nts.plotting.seed_band(axes[1, 0], e, r.ntk_effective_rank, label=tag(w, lr), **kw)
    axes[1, 1].plot(np.log(r.train_loss.mean(0)), r.ntk_trace.mean(0) / dim, marker="o", ms=2.5, label=tag(w, lr), **kw)
    axes[1, 1].plot(np.log(r.min_train_loss.mean()), r.trace_min.mean() / dim, "*", ms=9, color=cols[w], mec="k", mew=0.5)
nts.plotting.label_axes(axes[0, 0], "epoch (0 drawn at 0.5)", "test loss (MSE)", loglog=True)
nts.plotting.label_axes(axes[0, 1], "epoch (0 drawn at 0.5)", "TrΘ(t) / TrΘ₀", loglog=False)
axes[0, 1].set_xscale("log")
axes[0, 1].axhline(1.0, color="k", lw=0.8)
nts.plotting.label_axes(axes[1, 0], "epoch (0 drawn at 0.5)", "effective rank Γ = exp(S_vN)")
axes[1, 0].set_xscale("log")
nts.plotting.label_axes(axes[1, 1], "ln L_train (training runs right to left)", "TrΘ / (n·k)")
axes[1, 1].invert_xaxis()
axes[1, 1].set_yscale("log")
axes[0, 0].legend(fontsize=7)
nts.plotting.panel_letters(axes.ravel())
fig.tight_layout()
glue("c20_fig_trajectories", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c20_fig_trajectories
# :name: "fig-c20-trajectories"
#
# The NTK metrics along training on the toy task (eNTK on {glue:text}`c20_n_ntk` held-out points
# × {glue:text}`c20_n_classes` outputs, a {glue:text}`c20_dim`-dimensional kernel). Colours: width;
# line style: learning rate. (a) Test loss. (b) Trace relative to its initial value. (c) Effective
# rank. (d) Trace against log training loss, the curve whose slope is the adaptation rate χ; stars
# mark the minimum-test-loss point Θ_min. Bands: ±1 s.e. over {glue:text}`c20_n_seeds` seeds.
# ```

# %%
beta = {k: r.trace_ratio for k, r in runs.items()}
chi = {k: nts.adaptation_rates(r) for k, r in runs.items()}
gamma_change = {k: r.effective_rank_min / r.ntk_effective_rank[:, 0] for k, r in runs.items()}
w_small, w_big = min(widths), max(widths)
lr_big, lr_small = max(learning_rates), min(learning_rates)
abs_beta = {k: np.abs(v) for k, v in beta.items()}
glue("c20_beta_fl", float(beta[w_small, lr_big].mean()), display=False)
glue("c20_beta_lazy", float(beta[w_big, lr_small].mean()), display=False)
glue("c20_beta_wide_fast", float(beta[w_big, lr_big].mean()), display=False)
glue("c20_beta_narrow_slow", float(beta[w_small, lr_small].mean()), display=False)
glue("c20_w_small", w_small, display=False)
glue("c20_w_big", w_big, display=False)
glue("c20_lr_big", lr_big, display=False)
glue("c20_lr_small", lr_small, display=False)

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.4))
keys = list(runs)
x = np.arange(len(keys))
for ax, data, ylabel in ((axes[0], beta, "trace ratio β at Θ_min"), (axes[1], chi, "adaptation rate χ")):
    m = np.array([data[k].mean() for k in keys])
    se = np.array([data[k].std(ddof=1) / np.sqrt(n_seeds) if n_seeds > 1 else 0.0 for k in keys])
    ax.bar(x, m, yerr=se, capsize=3, color=[cols[k[0]] for k in keys], alpha=0.8)
    for i, k in enumerate(keys):
        ax.plot(np.full(n_seeds, i), data[k], "k.", ms=4)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(x, [f"m={k[0]}\nlr={k[1]:g}" for k in keys], fontsize=7)
    nts.plotting.label_axes(ax, "run (width m, learning rate)", ylabel)
nts.plotting.panel_letters(axes)
fig.tight_layout()
glue("c20_fig_beta_chi", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c20_fig_beta_chi
# :name: "fig-c20-beta-chi"
#
# (a) Trace ratio β = (TrΘ_min − TrΘ₀)/TrΘ₀ and (b) adaptation rate χ (slope of TrΘ/(n·k) on
# ln L_train up to Θ_min) for the four runs; bars: mean ± 1 s.e., dots: seeds.
# ```
#
# The narrow network at the large learning rate (m = {glue:text}`c20_w_small`, lr =
# {glue:text}`c20_lr_big`) changes its kernel by β = {glue:text}`c20_beta_fl:.2f` before it reaches
# its best test loss; the wide network at the small learning rate (m = {glue:text}`c20_w_big`, lr =
# {glue:text}`c20_lr_small`) by β = {glue:text}`c20_beta_lazy:.3f`. The other two runs give
# {glue:text}`c20_beta_wide_fast:.2f` (wide, large step) and {glue:text}`c20_beta_narrow_slow:.3f`
# (narrow, small step) ({numref}`fig-c20-beta-chi`). Two cautions for the chapters that follow.
# First, with Adam in standard parameterisation a *larger width at a fixed learning rate is not
# automatically lazier*: Adam moves every weight by about the learning rate per step whatever the
# width, so the output change per step grows with width; laziness here is mostly set by the step
# size and the training time. Second, β is a difference of traces, so it says how much the kernel's
# *size* changed, not whether its eigen-directions rotated: the effective rank (panel c of
# {numref}`fig-c20-trajectories`) complements it by tracking the *shape* of the spectrum.

# %% [markdown]
# ## Claims
#
# [A] uses β as a measure of feature learning that must vanish in the lazy regime. We check the two
# directions it relies on, with a seed-level rule: a claim "agrees" when the mean |β| of the run
# expected to be lazier is below that of the other run and the two seed ranges do not overlap,
# "partly" when only the means are ordered.

# %%
def ordered(lazier, other):
    a, b = np.abs(lazier), np.abs(other)
    if a.max() < b.min():
        return "agrees"
    return "partly" if a.mean() < b.mean() else "disagrees"


def txt(v):
    return f"{np.mean(np.abs(v)):.3g} (seeds {np.min(np.abs(v)):.3g}–{np.max(np.abs(v)):.3g})"


nts.claims_table([
    nts.Claim(
        f"A smaller learning rate keeps the kernel closer to its initial value (|β| smaller), m = {w_small}",
        "β → 0 in the lazy regime",
        f"|β|: lr {lr_small:g}: {txt(beta[w_small, lr_small])}; lr {lr_big:g}: {txt(beta[w_small, lr_big])}",
        ordered(beta[w_small, lr_small], beta[w_small, lr_big]),
        "The toy task is ours; [A] does not study the learning rate.",
    ),
    nts.Claim(
        f"A wider network changes its kernel less (|β| smaller) at fixed lr = {lr_big:g}",
        "|β| ∝ m^(−0.7…−0.8)",
        f"|β|: m {w_big}: {txt(beta[w_big, lr_big])}; m {w_small}: {txt(beta[w_small, lr_big])}",
        ordered(beta[w_big, lr_big], beta[w_small, lr_big]),
        "Only two widths here; the width dependence on real data is the subject of the transition chapter.",
    ),
    nts.Claim(
        f"The same holds at the small learning rate lr = {lr_small:g}",
        "|β| decreases with m",
        f"|β|: m {w_big}: {txt(beta[w_big, lr_small])}; m {w_small}: {txt(beta[w_small, lr_small])}",
        ordered(beta[w_big, lr_small], beta[w_small, lr_small]),
        "With Adam in standard parameterisation the step in function space grows with width, which can reverse this ordering.",
    ),
])
