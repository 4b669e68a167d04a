"""The GPU runbook on the CPU: compute a tiny profile without any notebook tooling, bring the
archive back, and execute the chapters from the store alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from ntk_scaling.book import headless, runner

CHAPTER = '''# %% [markdown]
# # Chapter {n}

# %% tags=["parameters"]
profile = "default"
gamma = 0.0
steps = 40

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
import ntk_scaling as nts
from myst_nb import glue

nts.check_parameters(globals(), {{"profile": nts.Str(), "gamma": nts.Real(ge=0), "steps": nts.Int(ge=10)}})

# %%
curve = nts.dmft_limit(nts.power_law_task(2.0, 0.5, 30), lr=0.5, gamma=gamma, steps=steps, n_records=6)
glue("t{n}_final", float(curve.loss[-1]), display=False)
fig, ax = plt.subplots()
ax.loglog(curve.steps[1:], curve.loss[1:])
print("final", float(curve.loss[-1]))
'''

BLOCKED = ("papermill", "jupytext", "nbformat", "myst_nb", "jupyter_book", "nbclient", "IPython")


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    root = tmp_path / "book-checkout"
    for sub in ("chapters", "params/tiny", "book", "results"):
        (root / sub).mkdir(parents=True)
    names = ["t1", "t2", "t3"]
    for i, name in enumerate(names, 1):
        (root / "chapters" / f"{name}.py").write_text(CHAPTER.format(n=i))
    (root / "params" / "tiny" / "t1.yaml").write_text("# estimate_seconds: 20\ngamma: 0.5\n")
    (root / "params" / "tiny" / "t2.yaml").write_text("# estimate_seconds: 20\ngamma: 0.1\nsteps: 50\n")
    (root / "params" / "tiny" / "t3.yaml").write_text("# estimate_seconds: 100000\n{}\n")  # never fits
    (root / "params" / "tiny" / "_run.yaml").write_text(yaml.safe_dump({"order": ["t2", "t1", "t3"],
                                                                        "budget_seconds": 600}))
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/t1\nchapters:\n- file: book/t2\n- file: book/t3\n")
    for attr, value in (("REPO_ROOT", root), ("CHAPTER_DIR", root / "chapters"), ("PARAMS_DIR", root / "params"),
                        ("BOOK_DIR", root / "book"), ("RUN_LOG", root / "book" / "run_log.json")):
        monkeypatch.setattr(runner, attr, value)
    monkeypatch.setenv("NTK_SCALING_BOOK", str(root))
    return root


def _gpu_like_env(tmp_path: Path, root: Path) -> dict:
    """This interpreter with every piece of notebook tooling made unimportable, as on the GPU machine."""
    blocker = tmp_path / "blocked"
    for name in BLOCKED:
        (blocker / name).mkdir(parents=True)
        (blocker / name / "__init__.py").write_text(f"raise ImportError('{name} is not on the GPU machine')\n")
    src = Path(runner.__file__).resolve().parents[2]
    return dict(os.environ, PYTHONPATH=f"{blocker}{os.pathsep}{src}", NTK_SCALING_BOOK=str(root),
                NTK_SCALING_CACHE=str(tmp_path / "gpu-cache"), NTK_SCALING_RESULTS=str(root / "results"))


def test_read_py_percent_matches_jupytext(checkout):
    import jupytext

    ours = headless.read_py_percent(checkout / "chapters" / "t1.py")
    theirs = jupytext.read(checkout / "chapters" / "t1.py")
    assert [c.cell_type for c in ours] == [c.cell_type for c in theirs.cells]
    assert [c.source for c in ours if c.cell_type == "code"] == [c.source for c in theirs.cells if c.cell_type == "code"]
    assert ours[1].metadata["tags"] == ["parameters"]


def test_gpu_run_without_notebook_tooling_then_render_from_the_store(checkout, tmp_path, monkeypatch):
    out = tmp_path / "OUT"
    env = _gpu_like_env(tmp_path, checkout)
    check = subprocess.run([sys.executable, "-c", "import papermill"], env=env, capture_output=True, text=True)
    assert check.returncode != 0 and "not on the GPU machine" in check.stderr
    proc = subprocess.run([sys.executable, "-m", "ntk_scaling.book.headless", "run", "--profile", "tiny",
                           "--out", str(out)], env=env, cwd=checkout, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    record = json.loads((out / "results" / "tiny" / "run.json").read_text())
    assert list(record["chapters"]) == ["t2", "t1", "t3"]  # in order of value
    assert record["chapters"]["t2"]["status"] == record["chapters"]["t1"]["status"] == "done"
    assert record["chapters"]["t3"]["status"] == "skipped: over budget"
    assert record["device"].startswith("cpu")
    archive = out / "tiny-results.tar.gz"
    assert 0 < archive.stat().st_size < headless.ARCHIVE_LIMIT

    # back on "any machine": import the archive, then execute from the store alone
    stored = headless.import_archive(archive, "tiny", root=checkout / "results")
    assert len(list(stored.rglob("*.npz"))) == 2 and (stored / "run.json").exists()
    monkeypatch.setenv("NTK_SCALING_RESULTS", str(checkout / "results"))
    monkeypatch.setenv("NTK_SCALING_CACHE", str(tmp_path / "fresh-cache"))
    monkeypatch.setenv("NTK_SCALING_STORE_ONLY", "1")
    for name in ("t1", "t2"):
        result = runner.run_chapter(name, "tiny", quiet=True)
        meta = nbformat.read(result.output, as_version=4).metadata["ntk_scaling"]
        assert [r["source"] for r in meta["results"]] == ["store"]
        assert meta["results"][0]["provenance"]["backend"] == "cpu"


def test_failing_chapter_is_recorded_and_the_run_goes_on(checkout, tmp_path):
    (checkout / "chapters" / "t2.py").write_text(CHAPTER.format(n=2) + "\nraise RuntimeError('broken chapter')\n")
    out = tmp_path / "OUT"
    env = _gpu_like_env(tmp_path, checkout)
    proc = subprocess.run([sys.executable, "-m", "ntk_scaling.book.headless", "run", "--profile", "tiny",
                           "--out", str(out)], env=env, cwd=checkout, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0
    record = json.loads((out / "results" / "tiny" / "run.json").read_text())
    assert record["chapters"]["t2"]["status"] == "failed" and "broken chapter" in record["chapters"]["t2"]["error"][0]
    assert record["chapters"]["t1"]["status"] == "done"


def test_run_plan_errors_name_the_problem(checkout):
    (checkout / "params" / "tiny" / "_run.yaml").write_text("order: [t1, nope]\nbudget_seconds: 10\n")
    with pytest.raises(runner.ParameterError, match=r"unknown chapters \['nope'\]"):
        headless.run_order("tiny")
    (checkout / "params" / "tiny" / "_run.yaml").unlink()
    with pytest.raises(runner.ParameterError, match="is missing"):
        headless.run_order("tiny")


def test_import_rejects_foreign_archives(tmp_path):
    import tarfile

    bad = tmp_path / "bad.tar.gz"
    (tmp_path / "evil.txt").write_text("x")
    with tarfile.open(bad, "w:gz") as tar:
        tar.add(tmp_path / "evil.txt", arcname="../evil.txt")
    with pytest.raises(ValueError, match="unexpected member"):
        headless.import_archive(bad, "gpu", root=tmp_path / "results")


def test_pack_holds_data_within_its_limit(tmp_path, real_data_dir):
    size = headless.pack_for_gpu(tmp_path / "pack", wheels=False)
    assert size <= headless.PACK_LIMIT
    assert (tmp_path / "pack" / "data" / "subsets" / "cifar10_subset.npz").exists()
    assert sorted(p.name for p in (tmp_path / "pack" / "data" / "mnist").iterdir()) == sorted(
        p.name for p in (real_data_dir / "mnist").glob("*.gz"))
    shutil.rmtree(tmp_path / "pack")


def test_the_gpu_profile_fits_one_short_run():
    """Every chapter of the book is planned for the gpu run, with an estimate, and all fit the budget."""
    plan = headless.run_order("gpu")
    estimates = headless.profile_estimates("gpu")
    chapters = runner.toc_chapters()
    assert sorted(plan.order) == sorted(chapters), "params/gpu/_run.yaml must list every chapter once"
    missing = [name for name in chapters if name not in estimates]
    assert not missing, f"no '# estimate_seconds: N' line in params/gpu for {missing}"
    assert plan.budget_seconds <= 480, "the gpu run is one short run: at most 8 minutes"
    total = sum(estimates[name] for name in chapters)
    assert total <= plan.budget_seconds, f"estimates sum to {total:.0f} s > budget {plan.budget_seconds:.0f} s"
