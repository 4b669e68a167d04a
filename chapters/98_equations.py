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
# (equations)=
# # Equations and their status
#
# This appendix lists every formula that the library implements. Each entry has a label
# that the chapters and the library's docstrings cite, and gives the formula in the
# book's notation, where it comes from, its **status**, and the **check** that supports
# it: a test in `tests/` or a chapter of this book. A status is one of:
#
# - **from the paper**: stated in the paper, or in the authors' public code;
# - **reconstructed and checked numerically**: the formula was lost from our copy of the
#   paper (the text of [B] available to us had its equations stripped, and [A] is known
#   only from summaries). We rebuilt it so that it fits every surviving statement, and the
#   check compares it with a simulation or a closed form;
# - **our choice**: a convention or an estimator the papers leave open;
# - **a standard result**: taken from the literature cited, and checked numerically.
#
# The topic files live in `equations/` at the root of the repository, one file per topic.
# The page includes all of them: first the known topics in a fixed order, then any new
# file in alphabetical order.
#
# ## Notation
#
# The two papers reuse letters for different quantities. The book keeps [B]'s symbols and
# gives [A]'s quantities their own.
#
# | Quantity | [B] writes | [A] writes | The book writes |
# |---|---|---|---|
# | capacity exponent of the spectrum, $\lambda_k \sim k^{-\alpha}$ | $\alpha$ | | $\alpha$ |
# | source exponent of the target | $\beta$ | | $\beta$ |
# | exponent of the loss in time, $\mathcal L \sim t^{-\chi}$ | $\chi$ | | $\chi$ |
# | feature-learning strength | $\gamma$ ($\gamma_0$ in networks) | | $\gamma$ |
# | width, batch size, number of modes | $N$, $B$, $M$ | $m$ (width) | $N$, $B$, $M$; $m$ for [A]'s MLP widths |
# | empirical NTK and its trace | | $\Theta$, $\operatorname{Tr}\Theta$ | $\Theta$, $\operatorname{Tr}\Theta$ |
# | von Neumann entropy of $\Theta/\operatorname{Tr}\Theta$ | | $S_{\mathrm{vN}}$ | $S_{\mathrm{vN}}$ |
# | effective rank $\exp(S_{\mathrm{vN}})$ | | $\Gamma(\Theta)$ | $\Gamma$ |
# | trace ratio $(\operatorname{Tr}\Theta_{\min} - \operatorname{Tr}\Theta_0)/\operatorname{Tr}\Theta_0$ | | $\beta$ | $\Delta_\Theta$ |
# | adaptation rate $d\operatorname{Tr}\Theta / d\ln \mathcal L_{\text{train}}$ | | $\chi(\Theta)$ | $\nu_\Theta$ |
# | log-slope of $\lvert\Delta_\Theta\rvert$ against width | | $\alpha_\beta$ | $s_\Delta$ |
# | log-slope of $\Gamma$ against width | | $\alpha_\Gamma$ | $s_\Gamma$ |
# | exponent of the compute-optimal loss, $\mathcal L^\star \sim C^{-r}$ | | | $r$ |
#
# In {ref}`eq-b-dmft-closure` the letter $\chi$ also names the Gaussian field of the
# single-site process, as is usual in DMFT; the entry says so.

# %% tags=["parameters"]
profile = "default"

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
})

# %% tags=["remove-cell"]
from myst_nb import glue

from ntk_scaling.book.runner import REPO_ROOT

# The include below reads book/_equations.md, which lists every equations/*.md; the
# runner rewrites it before each render, and this cell writes it when the page runs.
nts.write_equations_index(REPO_ROOT)
files = nts.equation_files(REPO_ROOT)
labels = nts.equation_labels(REPO_ROOT)
glue("c98_n_files", len(files), display=False)
glue("c98_n_labels", len(labels), display=False)

# %% [markdown]
# The appendix has {glue:text}`c98_n_labels` entries in {glue:text}`c98_n_files` topic
# files.
#
# ```{include} _equations.md
# ```
