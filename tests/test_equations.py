"""The appendix of equations: every topic file included, every entry complete, every citation resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ntk_scaling.book.equations import (
    EQUATION_ORDER,
    equation_files,
    equation_labels,
    equations_index,
    write_equations_index,
)

ROOT = Path(__file__).resolve().parents[1]
CITATION = re.compile(r"\b(eq-[a-z0-9]+-[a-z0-9_]+(?:-[a-z0-9_]+)+)\b")


def test_every_topic_file_is_included_in_a_fixed_order_that_tolerates_new_files(tmp_path):
    (tmp_path / "equations").mkdir()
    for stem in ("zz_new", "a_ntk_metrics", "b_model", "aa_other", "_draft"):
        (tmp_path / "equations" / f"{stem}.md").write_text(f"## {stem}\n")
    names = [p.stem for p in equation_files(tmp_path)]
    assert names == ["b_model", "a_ntk_metrics", "aa_other", "zz_new"]  # known order, then new ones sorted
    index = equations_index(tmp_path)
    assert index.count("{include}") == 4 and "../equations/zz_new.md" in index
    target = write_equations_index(tmp_path)
    assert target == tmp_path / "book" / "_equations.md" and target.read_text() == index


def test_the_checkouts_topic_files_are_all_included():
    files = equation_files(ROOT)
    on_disk = sorted(p for p in (ROOT / "equations").glob("*.md") if not p.name.startswith("_"))
    assert sorted(files) == on_disk and len(files) >= 7
    known = [p.stem for p in files if p.stem in EQUATION_ORDER]
    assert known == [s for s in EQUATION_ORDER if s in known]


def test_labels_are_unique_and_well_formed(tmp_path):
    labels = equation_labels(ROOT)
    assert "eq-b-scaling-chi" in labels and "eq-a-metrics-trace-ratio" in labels
    (tmp_path / "equations").mkdir()
    (tmp_path / "equations" / "b_one.md").write_text("(eq-b-one-x)=\n### X\n")
    (tmp_path / "equations" / "b_two.md").write_text("(eq-b-one-x)=\n### X again\n")
    with pytest.raises(ValueError, match="defined in b_one.md and again in b_two.md"):
        equation_labels(tmp_path)
    (tmp_path / "equations" / "b_two.md").write_text("(eq-B-bad)=\n")
    with pytest.raises(ValueError, match="must read"):
        equation_labels(tmp_path)


@pytest.mark.parametrize("path", equation_files(ROOT), ids=lambda p: p.stem)
def test_every_entry_has_a_heading_a_formula_a_status_and_a_check(path):
    entries = re.split(r"^\(eq-[^)]*\)=\s*$", path.read_text(), flags=re.M)[1:]
    assert entries, f"{path.name}: no labelled entry"
    for entry in entries:
        head = entry.strip().splitlines()[0]
        assert head.startswith("### "), f"{path.name}: a label must be followed by a level-3 heading, got {head!r}"
        assert "**Status:**" in entry, f"{path.name}: {head}: no status"
        if "methods" not in path.stem:
            assert "$$" in entry or "| " in entry, f"{path.name}: {head}: no formula"
        assert "**Check:**" in entry, f"{path.name}: {head}: no check"


def test_every_citation_of_an_equation_resolves():
    labels = set(equation_labels(ROOT))
    sources = [*ROOT.glob("chapters/*.py"), *ROOT.glob("equations/*.md"), *ROOT.glob("src/ntk_scaling/**/*.py")]
    unknown = {}
    for path in sources:
        for label in CITATION.findall(path.read_text()):
            if label not in labels and "<" not in label:
                unknown.setdefault(label, []).append(path.relative_to(ROOT).as_posix())
    unknown.pop("eq-b-one-x", None)
    assert not unknown, f"citations of labels that no equations/*.md defines: {unknown}"


def test_the_appendix_chapter_includes_the_generated_index():
    source = (ROOT / "chapters" / "98_equations.py").read_text()
    assert "{include} _equations.md" in source and "write_equations_index" in source
    toc = (ROOT / "_toc.yml").read_text()
    assert toc.index("book/98_equations") < toc.index("book/99_reproducibility")
