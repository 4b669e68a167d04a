"""Tests of the shared infrastructure: fits and claims tables (caching: test_cache.py, sweeps: test_sweeps.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ntk_scaling as nts


def test_fit_power_law_recovers_exponent_and_interval():
    rng = np.random.default_rng(0)
    x = np.logspace(0, 3, 40)
    y = 2.5 * x**-0.7 * np.exp(0.05 * rng.standard_normal(x.size))
    fit = nts.fit_power_law(x, y)
    assert abs(fit.exponent + 0.7) < 0.03
    lo, hi = fit.exponent_ci
    assert lo < -0.7 < hi and hi - lo < 0.1
    assert abs(fit.prefactor - 2.5) < 0.3
    np.testing.assert_allclose(fit(np.array([1.0])), fit.prefactor)


def test_fit_power_law_window_and_errors():
    x = np.logspace(0, 4, 50)
    y = np.where(x < 100, x**-0.5, 10 * x**-1.0)
    assert abs(nts.fit_power_law(x, y, xmin=200).exponent + 1.0) < 1e-10
    with pytest.raises(ValueError, match="NaN"):
        nts.fit_power_law(x, np.full_like(x, np.nan))
    with pytest.raises(ValueError, match="positive"):
        nts.fit_power_law(x, -y)
    with pytest.raises(ValueError, match="at least 3"):
        nts.fit_power_law(x[:2], y[:2])


def test_fit_power_law_seeds_bootstrap_interval_covers_truth():
    rng = np.random.default_rng(1)
    x = np.logspace(1, 3, 12)
    ys = x**-1.2 * np.exp(0.2 * rng.standard_normal((16, 1)) + 0.02 * rng.standard_normal((16, x.size)))
    fit = nts.fit_power_law_seeds(x, ys)
    lo, hi = fit.exponent_ci
    assert lo < -1.2 < hi


def test_local_slope_of_a_broken_power_law():
    x = np.logspace(0, 4, 81)
    y = np.where(x < 100, x**-0.5, 10 * x**-1.0)
    centres, slopes = nts.local_slope(x, y, window=5)
    assert abs(slopes[centres < 30].mean() + 0.5) < 1e-8
    assert abs(slopes[centres > 300].mean() + 1.0) < 1e-8


def test_fit_linear_slope():
    x = np.arange(10.0)
    fit = nts.fit_linear(x, 3 * x + 1)
    assert abs(fit.slope - 3) < 1e-12 and fit.r2 > 0.999999


def test_claims_table_and_verdicts():
    assert nts.verdict_interval(0.5, (0.45, 0.55)) == "agrees"
    assert nts.verdict_interval(0.5, (0.3, 0.4)) == "disagrees"
    assert nts.verdict_interval(0.5, (0.3, 0.45), tolerance=0.06) == "agrees"
    assert nts.verdict_interval(0.5, (np.nan, 0.4)) == "not tested"
    table = nts.claims_table([nts.Claim("s", "0.5", "0.49 [0.45, 0.53]", "agrees")])
    assert list(table.columns) == ["Paper's claim", "Paper", "Ours", "Verdict", "Note"]
    with pytest.raises(ValueError, match="verdict"):
        nts.claims_table([nts.Claim("s", "1", "1", "probably")])


def test_citation_file_describes_the_book_and_cites_both_papers():
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[1]
    cff = yaml.safe_load((root / "CITATION.cff").read_text())
    for field in ("cff-version", "message", "title", "authors", "type", "license", "version", "references"):
        assert field in cff, f"CITATION.cff lacks {field}"
    assert cff["version"] == nts.__version__
    dois = {i["value"] for ref in cff["references"] for i in ref["identifiers"]}
    assert dois == {"10.48550/arXiv.2409.17858", "10.48550/arXiv.2507.05035"}
    assert all(ref["type"] == "article" and ref["authors"] and ref["year"] for ref in cff["references"])


def test_lock_file_pins_what_ci_needs():
    from pathlib import Path

    lock = (Path(__file__).resolve().parents[1] / "requirements.lock").read_text()
    pinned = {line.split("==")[0].lower() for line in lock.splitlines() if "==" in line and not line.startswith("#")}
    for name in ("jax", "jaxlib", "numpy", "scipy", "optax", "jupyter-book", "papermill", "jupytext", "pytest",
                 "pytest-xdist", "dask", "distributed", "ruff", "pyyaml"):
        assert name in pinned, f"requirements.lock does not pin {name}; run `make lock`"
    assert "--hash=sha256:" in lock
