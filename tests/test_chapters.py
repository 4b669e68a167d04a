"""Execute every chapter of the table of contents with the ci profile.

The executed notebooks land in book/, where the book build picks them up; a chapter
whose inputs (source, profile file, library) are unchanged since its last successful
execution is not run twice.
"""

from __future__ import annotations

import nbformat
import pytest

from ntk_scaling.book import runner

CHAPTERS = runner.toc_chapters()


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
