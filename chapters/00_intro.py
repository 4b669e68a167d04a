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
# Test intro.

# %% tags=["parameters"]
profile = "default"

# %%
from myst_nb import glue
import ntk_scaling
glue("version", ntk_scaling.__version__, display=False)

# %% [markdown]
# Library version {glue:text}`version`.
