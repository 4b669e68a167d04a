"""Online training of the μP transformer on Tiny Shakespeare (ntk_scaling.training.language_runs)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import ntk_scaling as nts

SHARED = Path(os.environ.get("NTK_SCALING_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
pytestmark = pytest.mark.skipif(not (SHARED / "tinyshakespeare" / "input.txt").exists(),
                                reason="no offline copy of Tiny Shakespeare")

SMALL = {"width": 16, "depth": 1, "n_heads": 2, "mlp_ratio": 1, "window": 8, "eta0": 4.0, "steps": 60, "batch_size": 8,
         "n_seeds": 2, "n_records": 6, "n_test": 32}


@pytest.fixture(autouse=True)
def data_dir(monkeypatch):
    monkeypatch.setenv("NTK_SCALING_DATA", str(SHARED))


def test_sweep_learns_starts_at_log_v_and_is_cached():
    runs = nts.language_online_sweep([0.01, 1.0], **SMALL)
    assert [r.gamma0 for r in runs] == [0.01, 1.0]
    for r in runs:
        res = r.result
        assert res.test_loss.shape == (2, res.steps.size) and res.steps[-1] == 60
        np.testing.assert_allclose(res.test_loss[:, 0], np.log(65), rtol=1e-5)  # centred logits: uniform
        assert np.all(res.test_loss[:, -1] < res.test_loss[:, 0] - 0.3)  # it learned
        assert res.test_accuracy is not None and np.all(res.test_accuracy[:, -1] > 0.1)
    again = nts.language_online_sweep([0.01, 1.0], **SMALL)
    np.testing.assert_array_equal(again[1].result.test_loss, runs[1].result.test_loss)


def test_one_pass_is_enforced():
    allowed = nts.one_pass_steps(8, 512)
    assert allowed == (int(round(1_115_394 * 0.9)) // 9) // 512
    with pytest.raises(ValueError, match="one pass allows at most"):
        nts.language_online_sweep([1.0], **{**SMALL, "batch_size": 512, "steps": allowed + 1})


def _late(chi, stderr, seeds):
    return nts.LateExponent(chi, (chi - 2 * stderr, chi + 2 * stderr), stderr, 10.0, 100.0, 5, seeds)


def test_exponent_ratio_interval_covers_and_narrows():
    ratio, (lo, hi) = nts.exponent_ratio(_late(0.1, 0.005, 8), _late(0.2, 0.005, 8))
    assert ratio == pytest.approx(2.0)
    assert lo < 2.0 < hi and hi - lo < 0.8
    _, (lo2, hi2) = nts.exponent_ratio(_late(0.1, 0.005, 2), _late(0.2, 0.005, 2))
    assert hi2 - lo2 > hi - lo  # two seeds: Student-t with one degree of freedom
