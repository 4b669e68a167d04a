"""Tests of the provenance read-outs of the reproducibility chapter."""

from __future__ import annotations

import json

import ntk_scaling as nts


def _notebook(path, results):
    path.write_text(json.dumps({"cells": [], "metadata": {"ntk_scaling": {"results": results}}, "nbformat": 4,
                                "nbformat_minor": 5}))


def _record(fn, key, source, device="cpu:cpu", seconds=1.5):
    return {"function": f"ntk_scaling.solvable.dmft.{fn}", "key": key * 4, "source": source,
            "provenance": {"backend": device.split(":")[0], "device": device, "jax_version": "0.10.2",
                           "git_commit": "abc", "wall_seconds": seconds, "date": "2026-11-29"}}


def test_results_are_counted_per_chapter_and_source(tmp_path):
    _notebook(tmp_path / "12_x.ipynb", [_record("dmft_limit", "a", "computed"), _record("dmft_limit", "b", "cache")])
    _notebook(tmp_path / "21_y.ipynb", [_record("train_mlp", "c", "store", device="gpu:NVIDIA H200", seconds=30.0)])
    (tmp_path / "13_z.partial.ipynb").write_text("not json")  # a failed run is ignored
    rows = nts.chapter_results(tmp_path)
    assert len(rows) == 3 and set(rows["chapter"]) == {"12_x", "21_y"}
    summary = nts.provenance_summary(rows)
    assert summary.loc[("12_x", "dmft_limit"), "computed"] == 1
    assert summary.loc[("12_x", "dmft_limit"), "cache"] == 1
    assert summary.loc[("21_y", "train_mlp"), "store"] == 1
    assert summary.loc[("21_y", "train_mlp"), "devices"] == "gpu:NVIDIA H200"
    assert summary.loc[("21_y", "train_mlp"), "compute seconds"] == 30.0
    assert nts.provenance_summary(nts.chapter_results(tmp_path / "missing")).empty


def test_gpu_run_times(tmp_path):
    assert nts.gpu_run_times(tmp_path) is None
    (tmp_path / "gpu").mkdir()
    (tmp_path / "gpu" / "run.json").write_text(json.dumps({
        "device": "gpu:NVIDIA H200", "jax_version": "0.11.2",
        "chapters": {"21_a": {"seconds": 40.0, "estimate_seconds": 45, "status": "done"}}}))
    frame = nts.gpu_run_times(tmp_path)
    assert frame.loc["21_a", "seconds"] == 40.0 and frame.attrs["device"] == "gpu:NVIDIA H200"
