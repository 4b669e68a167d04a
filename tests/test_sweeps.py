"""Tests of ntk_scaling.sweep: reuse, divergence, resumption, and the Dask executor."""

from __future__ import annotations

import concurrent.futures

import jax
import numpy as np
import pytest

import ntk_scaling as nts

import cached_examples as ex


@pytest.fixture
def calls(tmp_path, monkeypatch):
    monkeypatch.setenv("NTK_SCALING_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "calls.txt"
    monkeypatch.setenv("NTK_SCALING_TEST_CALLS", str(path))
    return path


def count(path, tag=""):
    return sum(1 for line in path.read_text().splitlines() if line.startswith(tag)) if path.exists() else 0


def test_grid_order_and_errors():
    assert nts.grid(a=[1, 2], b=[10]) == [{"a": 1, "b": 10}, {"a": 2, "b": 10}]
    with pytest.raises(TypeError, match="sequence"):
        nts.grid(a=3)


def test_sweep_reuses_finished_points(calls):
    points = nts.grid(exponent=[0.5, 1.0, 1.5])
    first = nts.sweep(ex.power_curve, points, fixed={"n": 3})
    assert first.n_computed == 3 and first.n_reused == 0
    second = nts.sweep(ex.power_curve, points + [{"exponent": 2.0}], fixed={"n": 3})
    assert second.computed == [False, False, False, True] and second.n_reused == 3
    assert count(calls) == 4
    for a, b in zip(first.results, second.results):
        np.testing.assert_array_equal(a.loss, b.loss)
    assert "1 computed, 3 reused" in second.summary()


def test_sweep_checks_its_arguments(calls):
    with pytest.raises(ValueError, match="both set"):
        nts.sweep(ex.power_curve, [{"exponent": 1.0}], fixed={"exponent": 2.0})
    with pytest.raises(TypeError, match="cached function"):
        nts.sweep(lambda exponent: exponent, [{"exponent": 1.0}])
    with pytest.raises(TypeError, match="unexpected keyword|got an unexpected"):
        nts.sweep(ex.power_curve, [{"exponent": 1.0, "typo": 3}])
    assert count(calls) == 0


def test_diverged_points_are_placeholders_and_not_retried(calls):
    out = nts.sweep(ex.may_diverge, nts.grid(value=[4.0, -1.0, 9.0]))
    assert out.results[0] == 2.0 and out.results[2] == 3.0
    (bad,) = out.diverged
    assert isinstance(out.results[1], nts.Diverged) and "value=-1.0" in bad.error and bad.point == {"value": -1.0}
    again = nts.sweep(ex.may_diverge, nts.grid(value=[4.0, -1.0, 9.0]))
    assert again.n_computed == 0 and len(again.diverged) == 1
    assert count(calls) == 3
    forced = nts.sweep(ex.may_diverge, nts.grid(value=[-1.0]), refresh=True)
    assert forced.n_computed == 1 and count(calls) == 4


def test_interrupted_sweep_resumes_without_recomputing(calls):
    points = nts.grid(value=[1, 2, 3, 4])
    with pytest.raises(KeyboardInterrupt):
        nts.sweep(ex.interrupted, points, fixed={"stop_at": 3})
    assert count(calls) == 2  # 1 and 2 finished and were written
    # the interruption is gone (the key changes with stop_at, so resume with a stop that never fires)
    done = nts.sweep(ex.interrupted, points[:2], fixed={"stop_at": 3})
    assert done.n_computed == 0 and done.results == [1, 4]


def test_thread_pool_executor_gives_the_same_results(calls):
    points = nts.grid(exponent=[0.25, 0.75])
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        threaded = nts.sweep(ex.power_curve, points, executor=pool)
    with nts.cache_policy(enabled=False):
        serial = [ex.power_curve(**p) for p in points]
    for a, b in zip(threaded.results, serial):
        np.testing.assert_array_equal(a.loss, b.loss)


def test_dask_results_equal_in_process_bit_for_bit(calls):
    pytest.importorskip("distributed")
    points = [{"key": jax.random.key(s), "width": w} for s in (0, 1) for w in (8, 16)]
    with nts.cache_policy(enabled=False):
        local = [ex.noisy_simulation(**p) for p in points]
    # the workers start after the fixture set the cache folder, and inherit it
    with nts.dask_executor(n_workers=2, threads_per_worker=1) as pool:
        remote = nts.sweep(ex.noisy_simulation, points, executor=pool)
    assert remote.n_computed == len(points)
    for a, b in zip(local, remote.results):
        np.testing.assert_array_equal(a["x"], b["x"])
        assert a["trace"].tobytes() == b["trace"].tobytes()


def test_dask_worker_killed_mid_sweep_loses_no_finished_result(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    cache = tmp_path / "cache"
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("NTK_SCALING_CACHE", str(cache))
    monkeypatch.setenv("NTK_SCALING_TEST_CALLS", str(calls))
    marker = str(tmp_path / "killed-once")
    points = nts.grid(value=[0, 1, 2, 3, 4, 5])
    with nts.dask_executor(n_workers=2, threads_per_worker=1) as pool:
        out = nts.sweep(ex.kills_worker_once, points, fixed={"marker": marker}, executor=pool)
    assert out.results == [100, 101, 102, 103, 104, 105]
    assert (tmp_path / "killed-once").exists()  # a worker really died on value 2
    finished = count(calls)
    assert finished == 6  # every point finished exactly once: the death lost nothing that had finished
    again = nts.sweep(ex.kills_worker_once, points, fixed={"marker": marker})
    assert again.n_computed == 0 and count(calls) == finished
