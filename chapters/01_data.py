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
# # The data sets
#
# Paper [A] (arXiv 2507.05035) trains fully connected networks on three image
# classification benchmarks: MNIST, Fashion-MNIST and CIFAR-10. This chapter loads them
# exactly as the later chapters do, shows what they look like, and checks the properties
# the experiments lean on: balanced classes in the small training subsets and the
# pixel statistics used for standardisation.
#
# The loaders in `ntk_scaling.data` download the official files once into a cache and
# verify them against checksums. Offline, the environment variable `NTK_SCALING_DATA`
# points them at a folder holding the same files; CI uses exact copies of MNIST and
# Fashion-MNIST and a *JPEG re-encoding* of a CIFAR-10 subset. JPEG is lossy, so every
# result computed on that copy is labelled "CIFAR-10 (JPEG copy)".

# %% tags=["parameters"]
profile = "default"
n_subset = 100  # size of the class-balanced training subset shown below
n_grid = 8  # images per class in the sample grids
subset_seed = 0

# %% tags=["remove-cell"]
import ntk_scaling as nts

nts.check_parameters(globals(), {
    "profile": nts.Str(),
    "n_subset": nts.Int(ge=10),
    "n_grid": nts.Int(ge=1, le=50),
    "subset_seed": nts.Int(ge=0),
})

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

import ntk_scaling as nts
from ntk_scaling import CIFAR10_CLASSES, FASHION_MNIST_CLASSES, MNIST_CLASSES

nts.plotting.use_book_style()
glue("c01_n_grid", n_grid, display=False)
glue("c01_n_subset", n_subset, display=False)

# %%
datasets = {
    "MNIST": (nts.load_mnist, MNIST_CLASSES),
    "Fashion-MNIST": (nts.load_fashion_mnist, FASHION_MNIST_CLASSES),
    nts.cifar10_provenance(): (nts.load_cifar10, CIFAR10_CLASSES),
}
loaded = {name: {split: load(split) for split in ("train", "test")} for name, (load, _) in datasets.items()}

rows = []
for name, splits in loaded.items():
    x_train, y_train = splits["train"]
    x_test, y_test = splits["test"]
    pixels = x_train.astype(np.float64) / 255.0
    rows.append(
        {
            "data set": name,
            "train images": x_train.shape[0],
            "test images": x_test.shape[0],
            "image shape": "×".join(map(str, x_train.shape[1:])),
            "pixel mean": pixels.mean(),
            "pixel std": pixels.std(),
            "smallest class share (train)": np.bincount(y_train).min() / y_train.size,
        }
    )
summary = pd.DataFrame(rows).set_index("data set")
glue("c01_mnist_train", int(summary.loc["MNIST", "train images"]), display=False)
glue("c01_cifar_name", nts.cifar10_provenance(), display=False)
glue("c01_cifar_train", int(summary.iloc[2]["train images"]), display=False)
summary.style.format({"pixel mean": "{:.3f}", "pixel std": "{:.3f}", "smallest class share (train)": "{:.3f}"})

# %% [markdown]
# MNIST has {glue:text}`c01_mnist_train` training images; the CIFAR-10 source in use is
# "{glue:text}`c01_cifar_name`" with {glue:text}`c01_cifar_train` training images
# (the full official set has 50000).
#
# ## What the images look like

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(10, 3.6))
for ax, (name, (_, classes)) in zip(axes, datasets.items()):
    x, y = loaded[name]["train"]
    tiles = []
    for c in range(10):
        members = np.flatnonzero(y == c)[:n_grid]
        tiles.append(np.concatenate(list(x[members]), axis=1))
    grid_image = np.concatenate(tiles, axis=0)
    ax.imshow(grid_image, cmap="gray" if grid_image.ndim == 2 else None)
    ax.set_yticks(np.arange(10) * x.shape[1] + x.shape[1] / 2, list(classes), fontsize=7)
    ax.set_xticks([])
    ax.grid(False)
    ax.set_title(name)
fig.tight_layout()
glue("c01_fig_samples", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c01_fig_samples
# :name: "c01-fig-samples"
#
# The first {glue:text}`c01_n_grid` training images of each class (one row per class)
# in MNIST, Fashion-MNIST and the CIFAR-10 source in use.
# ```
#
# ## Class balance of the small training sets
#
# The model-scaling experiment of [A] trains on only about a hundred images, where an
# unlucky draw could leave a class nearly empty. `balanced_subset` draws the subset
# class by class, so the counts differ by at most one ({numref}`c01-fig-balance`).

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.4, 3.2))
width = 0.27
max_spread = 0
for i, name in enumerate(loaded):
    x, y = loaded[name]["train"]
    _, y_sub = nts.balanced_subset(x, y, n_subset, key=subset_seed)
    counts = np.bincount(y_sub, minlength=10)
    max_spread = max(max_spread, int(counts.max() - counts.min()))
    ax.bar(np.arange(10) + (i - 1) * width, counts, width=width, label=name)
ax.axhline(n_subset / 10, color="k", ls="--", lw=1, label="perfect balance")
ax.set_xlabel("class index")
ax.set_ylabel("images in subset (count)")
ax.set_xticks(range(10))
ax.legend(ncol=2, loc="lower right")
glue("c01_fig_balance", fig, display=False)
glue("c01_max_spread", max_spread, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} c01_fig_balance
# :name: "c01-fig-balance"
#
# Class counts in a class-balanced training subset of {glue:text}`c01_n_subset` images
# per data set; the dashed line is an exactly equal split.
# ```
#
# ## Pixel statistics
#
# Chapters standardise inputs with the mean and standard deviation of each colour
# channel, computed on the training images only and then applied unchanged to the test
# images. {numref}`c01-fig-pixels` shows the raw intensity distributions that this
# rescales: MNIST and Fashion-MNIST are dominated by black background pixels,
# CIFAR-10 intensities are spread over the whole range.

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(6.4, 3.2))
bins = np.linspace(0, 1, 52)
for name in loaded:
    x, _ = loaded[name]["train"]
    sample = x[:2000].astype(np.float32).ravel() / 255.0
    ax.hist(sample, bins=bins, histtype="step", density=True, lw=1.5, label=name)
ax.set_yscale("log")
ax.set_xlabel("pixel intensity (fraction of full scale)")
ax.set_ylabel("probability density")
ax.legend()
glue("c01_fig_pixels", fig, display=False)
plt.close(fig)

x_std, = nts.standardise(loaded["MNIST"]["train"][0][:5000])
glue("c01_std_mean", float(x_std.mean()), display=False)
glue("c01_std_std", float(x_std.std()), display=False)

# %% [markdown]
# ```{glue:figure} c01_fig_pixels
# :name: "c01-fig-pixels"
#
# Distribution of raw pixel intensities over the first 2000 training images of each data
# set (log density).
# ```
#
# After standardisation the MNIST training pixels have mean {glue:text}`c01_std_mean:.2e`
# and standard deviation {glue:text}`c01_std_std:.3f`.
#
# ## Checks

# %%
mnist_test_counts = np.bincount(loaded["MNIST"]["test"][1]).tolist()
checks = [
    nts.Claim(
        "MNIST has 60000 training and 10000 test images of 28×28 pixels",
        "60000 / 10000",
        f"{summary.loc['MNIST', 'train images']} / {summary.loc['MNIST', 'test images']}",
        "agrees" if (summary.loc["MNIST", "train images"], summary.loc["MNIST", "test images"]) == (60000, 10000)
        else "disagrees",
        "Files verified against the well-known checksums of the uncompressed IDX files.",
    ),
    nts.Claim(
        "The MNIST test set has 980 zeros and 1135 ones (a fingerprint of the official split)",
        "980 / 1135",
        f"{mnist_test_counts[0]} / {mnist_test_counts[1]}",
        "agrees" if mnist_test_counts[:2] == [980, 1135] else "disagrees",
    ),
    nts.Claim(
        "Class-balanced subsets differ by at most one image per class",
        "≤ 1",
        str(max_spread),
        "agrees" if max_spread <= 1 else "disagrees",
    ),
    nts.Claim(
        "CIFAR-10 images are 32×32 colour images in ten balanced classes",
        "32×32×3",
        summary.iloc[2]["image shape"],
        "agrees" if summary.iloc[2]["image shape"] == "32×32×3" else "disagrees",
        "Offline we use a lossy JPEG copy of a 20000/5000 subset; results on it are labelled as such."
        if "JPEG" in nts.cifar10_provenance() else "",
    ),
]
nts.claims_table(checks)
