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
# # Neural scaling laws, reproduced
#
# This book regenerates, from code, the figures and tables of two papers on neural
# scaling laws, checks their quantitative claims, and says where our numbers differ.
#
# **[B]** B. Bordelon, A. Atanasov, C. Pehlevan, *How Feature Learning Can Improve Neural
# Scaling Laws*, arXiv:2409.17858. A two-layer linear model trained by projected SGD on
# features with power-law spectra is solvable: its loss follows a sum of power laws in
# training time $t$, width $N$ and batch size $B$. The spectrum decays with capacity
# $\alpha$ ($\lambda_k \sim k^{-\alpha}$) and the target with source exponent $\beta$.
# When the task is *hard* ($\beta < 1$: the target lies outside the reproducing-kernel
# Hilbert space of the initial kernel), letting the features move improves the time
# exponent from $\beta$ to $\chi = 2\beta/(1+\beta)$, which almost doubles it for very hard
# tasks; easy tasks gain nothing. Consequences follow for compute-optimal training.
#
# **[A]** K. Nikolaou, S. Krippendorf, S. Tovey, C. Holm, *Beyond Scaling Curves:
# Internal Dynamics of Neural Networks Through the NTK Lens*, arXiv:2507.05035. It
# follows the empirical neural tangent kernel $\Theta$ of multilayer perceptrons during
# training on MNIST, Fashion-MNIST and CIFAR-10, through its trace, its effective rank
# $\Gamma = \exp(S_{\mathrm{vN}})$, the adaptation rate $\nu_\Theta$ at which the trace moves
# with the log training loss, and the trace ratio $\Delta_\Theta$, the relative change of the
# trace between initialisation and the best test epoch. Model scaling and data scaling can
# give similar loss exponents with opposite kernel dynamics, and $\lvert\Delta_\Theta\rvert$ falls
# off with width as a power law (log-slope $s_\Delta$), locating a width beyond which
# feature learning fades. [A] writes $\beta$ and $\chi$ for the trace ratio and the
# adaptation rate; the book gives them their own symbols because [B] uses those letters
# for its source and time exponents (see the notation table in {ref}`equations`).
#
# ## How this book is built
#
# Each chapter is a plain Python script (`chapters/NN_topic.py`, Jupytext percent format)
# whose first code cell holds every knob. A *profile* overrides those knobs:
# the `ci` profile is sized for a two-core CPU and is what you are reading unless the
# reproducibility page says otherwise; the `gpu` profile runs at the papers' scale. The
# runner converts each script with Jupytext, executes it with papermill, and Jupyter Book
# renders the executed notebooks. Every number quoted in the text is computed in the
# page and inserted with `glue`; every chapter ends with a table of the paper's claims
# beside our measurements and a verdict computed from them.
#
# Several formulas of [B] could not be recovered verbatim (the text available to us
# had its equations stripped); they were reconstructed and checked numerically, and the
# chapters that rest on a reconstruction say so. Likewise the exact training set-ups of
# [A] are described only in summaries; our choices are stated where they are made. The
# appendix {ref}`equations` lists every formula the library implements with its status
# (from the paper, reconstructed and checked numerically, or our choice) and the test or
# chapter that checks it.

# %% tags=["parameters"]
profile = "default"

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
})

# %% tags=["remove-cell"]
import ntk_scaling as nts
from myst_nb import glue
from ntk_scaling.book.runner import toc_chapters

glue("c00_version", nts.__version__, display=False)
glue("c00_n_chapters", len(toc_chapters()), display=False)
glue("c00_profile", profile, display=False)

# %% [markdown]
# This edition was executed with the **{glue:text}`c00_profile`** profile, library version
# {glue:text}`c00_version`, and has {glue:text}`c00_n_chapters` pages.
#
# ## Scoreboard
#
# Every claim of the two papers that a chapter tests, with the verdict that chapter
# computed and a link to it. A claim "agrees" when the paper's number lies in our
# interval widened by the tolerance the chapter states, "partly" when only part of it
# holds, "disagrees" otherwise, and is "not tested" when the profile is too small to
# measure it. The tables are collected from the executed chapters when the book is
# rendered, not typed: this page runs first, so the runner assembles the scoreboard after
# all chapters have run. A verdict that changes between runs also fails the book's tests,
# which compare every verdict with a committed snapshot.
#
# ```{include} _scoreboard.md
# ```
#
# ## Re-running a chapter
#
# ```bash
# make book                                    # every chapter, ci profile, then the HTML
# make chapter NAME=01_data PROFILE=gpu        # one chapter at paper scale
# python chapters/01_data.py                   # a chapter as a plain script, default knobs
# make snapshot                                # after a deliberate change: rewrite snapshots/ci.json
# ```
#
# Expensive results are cached on disk, keyed by their parameters, so an interrupted run
# resumes where it stopped. The README explains how to point the loaders at local data
# and how to install JAX with CUDA for the `gpu` profile.
