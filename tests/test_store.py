"""End to end: execute a tiny profile, store its results, render the book from the store alone."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from ntk_scaling.book import runner

CHAPTER = '''# %% [markdown]
# # A stored chapter

# %% tags=["parameters"]
profile = "default"
gamma = 0.0

# %% tags=["remove-cell"]
import ntk_scaling as nts
from myst_nb import glue

nts.check_parameters(globals(), {"profile": nts.Str(), "gamma": nts.Real(ge=0)})

# %%
curve = nts.dmft_limit(nts.power_law_task(2.0, 0.5, 40), lr=0.5, gamma=gamma, steps=60, n_records=8)
print("final loss", repr(float(curve.loss[-1])))
glue("t_final", float(curve.loss[-1]), display=False)

# %% [markdown]
# The final loss is {glue:text}`t_final:.4f`.
'''


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    for sub in ("chapters", "params/tiny", "book"):
        (tmp_path / sub).mkdir(parents=True)
    (tmp_path / "chapters" / "t.py").write_text(CHAPTER)
    (tmp_path / "params" / "tiny" / "t.yaml").write_text("gamma: 0.5\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/t\n")
    shutil.copy(runner.REPO_ROOT / "_config.yml", tmp_path / "_config.yml")
    monkeypatch.setattr(runner, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(runner, "CHAPTER_DIR", tmp_path / "chapters")
    monkeypatch.setattr(runner, "PARAMS_DIR", tmp_path / "params")
    monkeypatch.setattr(runner, "BOOK_DIR", tmp_path / "book")
    monkeypatch.setattr(runner, "RUN_LOG", tmp_path / "book" / "run_log.json")
    monkeypatch.setattr(runner, "toc_chapters", lambda toc_path=None: ["t"])
    monkeypatch.setenv("NTK_SCALING_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NTK_SCALING_RESULTS", str(tmp_path / "results"))
    return tmp_path


def _results(path: Path) -> list[dict]:
    return nbformat.read(path, as_version=4).metadata["ntk_scaling"]["results"]


def _printed(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_store_then_render_from_the_store_alone(scratch, monkeypatch):
    first = runner.run_chapter("t", "tiny", quiet=True)
    (record,) = _results(first.output)
    assert record["source"] == "computed" and record["provenance"]["arguments"]["gamma"] == 0.5
    computed = _printed(first.output)

    summary = runner.store_results("tiny")
    assert summary.entries == 1 and 0 < summary.bytes < 100_000
    (stored,) = (scratch / "results" / "tiny").rglob("*.npz")

    # a fresh machine: no cache, and any miss in the store is an error
    shutil.rmtree(scratch / "cache")
    monkeypatch.setenv("NTK_SCALING_STORE_ONLY", "1")
    again = runner.run_chapter("t", "tiny", quiet=True, force=True)
    (record,) = _results(again.output)
    assert record["source"] == "store" and Path(record["path"]) == stored
    assert record["provenance"]["stored"] == "compacted"
    value = float(_printed(again.output).split("final loss")[1].split()[0])
    assert value == pytest.approx(float(computed.split("final loss")[1].split()[0]), rel=1e-6)  # float32 in store
    log = json.loads((scratch / "book" / "run_log.json").read_text())
    assert log["t"]["from_store"] == 1 and log["t"]["computed"] == 0

    # an override the store does not hold is named, not silently computed
    with pytest.raises(runner.ChapterError, match=r"MissingResultError.*gamma"):
        runner.run_chapter("t", "tiny", quiet=True, overrides={"gamma": 0.25})

    # and the book renders from what was executed
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(scratch), "--builder", "html", "-W", "-n"]
    subprocess.run(cmd, check=True, cwd=scratch, capture_output=True)
    html = (scratch / "_build" / "html" / "book" / "t.html").read_text()
    assert f"{value:.4f}" in html


def test_store_refuses_chapters_run_with_another_profile(scratch):
    (scratch / "params" / "ci").mkdir()
    (scratch / "params" / "ci" / "t.yaml").write_text("{}\n")
    runner.run_chapter("t", "ci", quiet=True)
    with pytest.raises(runner.ParameterError, match="executed with profile 'ci', not 'tiny'"):
        runner.store_results("tiny")


def test_ci_profile_never_reads_the_store(scratch):
    (scratch / "params" / "ci").mkdir()
    (scratch / "params" / "ci" / "t.yaml").write_text("gamma: 0.5\n")
    runner.run_chapter("t", "tiny", quiet=True)
    runner.store_results("tiny")
    # the same call under the ci profile: the store holds it under tiny/, ci computes afresh (from the cache here)
    out = runner.run_chapter("t", "ci", quiet=True)
    assert {r["source"] for r in _results(out.output)} == {"cache"}


def test_committed_store_stays_small():
    root = Path(__file__).resolve().parents[1] / "results"
    if not root.is_dir():
        return
    sizes = {p.name: sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) for p in root.iterdir() if p.is_dir()}
    assert "ci" not in sizes, "the ci profile is computed afresh, never stored"
    assert all(s <= runner.STORE_PROFILE_LIMIT for s in sizes.values()), sizes
    assert sum(sizes.values()) <= runner.STORE_TOTAL_LIMIT
    assert np.all([p.suffix == ".npz" for p in root.rglob("*") if p.is_file() and p.name != "README.md"])
