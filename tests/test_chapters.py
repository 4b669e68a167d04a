"""Execute every chapter of the table of contents with the ci profile, and guard its verdicts.

The executed notebooks land in book/, where the book build picks them up; a chapter
whose inputs (source, profile file, library) are unchanged since its last successful
execution is not run twice. Each executed chapter is compared with the committed
snapshot ``snapshots/ci.json``: every claims-table verdict exactly, every glued number
(timings excluded) within the tolerance the file states. A deliberate change is recorded
with ``make snapshot`` and reviewed in the commit's diff.
"""

from __future__ import annotations

import nbformat
import pytest

from ntk_scaling.book import runner
from ntk_scaling.book.snapshot import compare_with_snapshot, load_snapshot, read_chapter_record

CHAPTERS = runner.toc_chapters()
SNAPSHOT = runner.SNAPSHOT_DIR / "ci.json"


@pytest.mark.chapters
@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_with_ci_profile(name):
    result = runner.run_chapter(name, "ci")
    nb = nbformat.read(result.output, as_version=4)
    assert nb.metadata["ntk_scaling"]["profile"] == "ci"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{name}: a cell raised"
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if "## Claims" in sources:
        last_code = [c for c in nb.cells if c.cell_type == "code"][-1]
        html = "".join(o.get("data", {}).get("text/html", "") for o in last_code.outputs)
        assert "<table" in html and "Verdict" in html, f"{name}: the claims table did not render"
    # the strict build rejects a glue key glued twice; name it here, with its chapter
    keys = [o.get("metadata", {}).get("scrapbook", {}).get("name") for c in nb.cells for o in c.get("outputs", [])]
    keys = [k for k in keys if k]
    assert len(keys) == len(set(keys)), f"{name}: glue keys glued twice: {sorted({k for k in keys if keys.count(k) > 1})}"
    assert all(k.startswith(f"c{name[:2]}_") for k in keys), f"{name}: glue keys must start with c{name[:2]}_"
    differences = compare_with_snapshot(read_chapter_record(result.output), load_snapshot(SNAPSHOT))
    assert not differences, (
        f"{name} differs from {SNAPSHOT.name}:\n  " + "\n  ".join(differences)
        + "\nIf the change is intended, run `make snapshot` and commit the reviewed diff."
    )


def _glued(path) -> dict[str, str]:
    nb = nbformat.read(path, as_version=4)
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = output.get("data", {})
                out[name] = next((v for k, v in data.items() if k.endswith("text/plain")), None)
    return out


@pytest.mark.chapters
def test_changing_lr_changes_chapter_12(tmp_path, monkeypatch):
    """The learning rate reaches every cached curve: a new lr can never show the old curves."""
    monkeypatch.setattr(runner, "BOOK_DIR", tmp_path)
    monkeypatch.setattr(runner, "RUN_LOG", tmp_path / "run_log.json")
    small = {"steps": 600, "n_modes": 4000, "steps_exp": 600, "n_modes_exp": 1000, "crossover_steps": 600,
             "crossover_modes": 4000}
    glued = {}
    for lr in (0.5, 0.25):
        result = runner.run_chapter("12_b_fig2ab_gamma_sweep", "ci", quiet=True, force=True, overrides={**small, "lr": lr})
        glued[lr] = _glued(result.output)
    assert glued[0.5]["c12_lr"] != glued[0.25]["c12_lr"]
    assert glued[0.5]["c12_kstar"] != glued[0.25]["c12_kstar"]  # a quantity read off the curves themselves
