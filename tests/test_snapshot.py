"""The verdict snapshot and the scoreboard: reading executed chapters, comparing, counting.

These tests need no executed chapter: they build small notebooks with the outputs a
chapter produces (a claims table, glued values) and check the collection, the
comparison and the scoreboard on them. The chapter tests (tests/test_chapters.py) apply
the same comparison to every real chapter.
"""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest
from IPython.core.formatters import format_display_data

import ntk_scaling as nts
from ntk_scaling.book import runner
from ntk_scaling.book.scoreboard import scoreboard_markdown, snapshot_counts, verdict_counts, write_scoreboard
from ntk_scaling.book.snapshot import (
    ChapterRecord,
    ClaimRecord,
    chapter_paper,
    claims_from_html,
    collect_records,
    compare_with_snapshot,
    glued_numbers,
    is_timing_key,
    load_snapshot,
    read_chapter_record,
    snapshot_dict,
    write_snapshot,
)


def _glue_output(name, value):
    """The output ``myst_nb.glue(name, value, display=False)`` stores in a notebook."""
    data, _ = format_display_data(value)
    prefix = "application/papermill.record/"
    return nbformat.v4.new_output(
        "display_data", data={prefix + k: v for k, v in data.items() if k == "text/plain"},
        metadata={"scrapbook": {"name": name, "mime_prefix": prefix}})


def _claims(*verdicts):
    return nts.claims_table([
        nts.Claim(f"Claim {i} with <markup> & a | pipe and $x_1$", "0.5", f"0.{i} [0.1, 0.9]", v, "note")
        for i, v in enumerate(verdicts, 1)
    ])


def _notebook(path, title, verdicts, numbers, profile="ci"):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}\n\nText."))
    glue_cell = nbformat.v4.new_code_cell("glue(...)")
    glue_cell.outputs = [_glue_output(k, v) for k, v in numbers.items()]
    nb.cells.append(glue_cell)
    if verdicts:
        table = nbformat.v4.new_code_cell("nts.claims_table([...])")
        frame = _claims(*verdicts)
        table.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": frame.to_html(),
                                                "text/plain": repr(frame)}, execution_count=1)]
        nb.cells.append(table)
    nb.metadata["ntk_scaling"] = {"profile": profile}
    nbformat.write(nb, path)
    return path


def test_claims_are_read_back_from_the_rendered_table():
    frame = _claims("agrees", "disagrees", "not tested")
    claims = claims_from_html(frame.to_html())
    assert [c.verdict for c in claims] == ["agrees", "disagrees", "not tested"]
    assert claims[0].statement == "Claim 1 with <markup> & a | pipe and $x_1$"
    assert claims[1].ours == "0.2 [0.1, 0.9]" and claims[2].note == "note"
    assert claims_from_html(frame._repr_html_()) == claims  # what Jupyter stores
    assert claims_from_html("<table><tr><th>a</th></tr><tr><td>1</td></tr></table>") == []


def test_claims_tables_show_long_claims_in_full():
    long = "A claim that is much longer than the fifty characters pandas shows by default, " * 2
    frame = nts.claims_table([nts.Claim(long, "1", "1 [0, 2]", "agrees", "a note " * 20)])
    assert isinstance(frame, nts.ClaimsTable)
    (claim,) = claims_from_html(frame._repr_html_())
    assert claim.statement == long.strip() and claim.note == ("a note " * 20).strip()


def test_glued_numbers_parse_python_and_numpy_scalars_and_skip_timings_and_text():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        _glue_output("c1_float", 0.25), _glue_output("c1_np", np.float64(1.5)), _glue_output("c1_int", np.int64(7)),
        _glue_output("c1_nan", float("nan")), _glue_output("c1_text", "hard"), _glue_output("c1_flag", True),
        _glue_output("c1_sweep_seconds", 12.0), _glue_output("c1_total_minutes", 3.0),
    ]
    nb.cells.append(cell)
    numbers = glued_numbers(nb)
    assert set(numbers) == {"c1_float", "c1_np", "c1_int", "c1_nan"}
    assert numbers["c1_np"] == 1.5 and numbers["c1_int"] == 7 and np.isnan(numbers["c1_nan"])
    assert is_timing_key("c29_timing_cpu") and is_timing_key("c99_n_timed") and not is_timing_key("c12_p_pred")


def test_chapter_paper_from_its_name():
    assert chapter_paper("21_a_model_scaling") == "[A]"
    assert chapter_paper("10_b_fig1_exponents") == "[B]"
    assert chapter_paper("00_intro") == "other" and chapter_paper("99_reproducibility") == "other"


def test_a_flipped_verdict_and_a_moved_number_are_reported(tmp_path):
    path = _notebook(tmp_path / "10_b_x.ipynb", "X", ["agrees", "disagrees"], {"c10_r": 0.4, "c10_zero": 0.0})
    record = read_chapter_record(path)
    snap = tmp_path / "ci.json"
    write_snapshot(snap, {"10_b_x": record}, "ci")
    saved = load_snapshot(snap)
    assert compare_with_snapshot(record, saved) == []
    assert saved["tolerance"]["numbers_rtol"] == nts.NUMBER_RTOL and saved["tolerance"]["verdicts"] == "exact"

    flipped = record._replace(claims=[record.claims[0]._replace(verdict="disagrees"), record.claims[1]])
    (diff,) = compare_with_snapshot(flipped, saved)
    assert "claim 1" in diff and "was 'agrees', now 'disagrees'" in diff

    within = record._replace(numbers={"c10_r": 0.4 * (1 + 0.5 * nts.NUMBER_RTOL), "c10_zero": 1e-12})
    assert compare_with_snapshot(within, saved) == []
    moved = record._replace(numbers={"c10_r": 0.41, "c10_new": 1.0})
    diffs = compare_with_snapshot(moved, saved)
    assert any("c10_r = 0.41" in d for d in diffs)
    assert any("c10_new" in d and "new" in d for d in diffs) and any("c10_zero" in d and "gone" in d for d in diffs)
    fewer = record._replace(claims=record.claims[:1])
    assert any("1 claims, the snapshot has 2" in d for d in compare_with_snapshot(fewer, saved))
    other = record._replace(name="11_b_new")
    assert "not in the snapshot" in compare_with_snapshot(other, saved)[0]


def test_nan_and_infinity_survive_the_snapshot(tmp_path):
    record = ChapterRecord("10_b_x", "X", "ci", [], {"a": float("nan"), "b": float("inf")})
    snap = write_snapshot(tmp_path / "ci.json", {"10_b_x": record}, "ci")
    json.loads(snap.read_text())  # valid JSON, no bare NaN
    assert compare_with_snapshot(record, load_snapshot(snap)) == []


def test_snapshot_refuses_another_profile():
    record = ChapterRecord("10_b_x", "X", "gpu", [], {})
    with pytest.raises(ValueError, match="profile 'gpu'"):
        snapshot_dict({"10_b_x": record}, "ci")


def test_scoreboard_counts_per_paper_and_profile_and_links_chapters(tmp_path):
    _notebook(tmp_path / "10_b_one.ipynb", "Fig. 1 ([B] *a*)", ["agrees", "agrees", "partly"], {})
    _notebook(tmp_path / "21_a_two.ipynb", "Model scaling", ["disagrees", "not tested"], {})
    _notebook(tmp_path / "01_data.ipynb", "Data", ["agrees"], {"c01_n": 3})
    records = collect_records(tmp_path, ["01_data", "10_b_one", "21_a_two", "99_missing"])
    assert list(records) == ["01_data", "10_b_one", "21_a_two"]
    counts = verdict_counts(records)
    assert counts["[B]"] == {"agrees": 2, "partly": 1} and counts["[A]"] == {"disagrees": 1, "not tested": 1}

    gpu = snapshot_dict({"21_a_two": ChapterRecord("21_a_two", "M", "gpu", [ClaimRecord("c", "", "", "agrees", "")],
                                                   {})}, "gpu")
    assert snapshot_counts(gpu) == {"[A]": {"agrees": 1}}
    text = scoreboard_markdown(records, {"gpu": gpu, "ci": gpu})
    assert "| **ci** (this edition) | [B] | 2 | 1 | 0 | 0 | 3 |" in text
    assert "| **ci** (this edition) | [A] | 0 | 0 | 1 | 1 | 2 |" in text
    assert "| gpu (snapshot) | [A] | 1 | 0 | 0 | 0 | 1 |" in text
    assert "ci (snapshot)" not in text  # this edition's own profile is shown live
    assert "{doc}`Fig. 1 ([B] *a*) <10_b_one>`" in text  # role text is not markdown: not escaped
    assert r"Claim 1 with \<markup\> & a \| pipe and \$x\_1\$" in text  # escaped for a MyST table
    assert text.index("### Claims of [B]") < text.index("### Claims of [A]") < text.index("### The book's own")
    assert "| the book's own checks | 1 | 0 | 0 | 0 | 1 |" in text
    assert "|  | Claim 2" in text  # the chapter is linked once, on its first claim

    target = write_scoreboard(tmp_path, ["01_data", "10_b_one", "21_a_two"])
    assert target.name == "_scoreboard.md" and "this edition" in target.read_text()


def test_committed_ci_snapshot_covers_exactly_the_books_chapters():
    """A chapter added or removed without `make snapshot` is named here (and in its chapter test)."""
    snapshot = load_snapshot(runner.SNAPSHOT_DIR / "ci.json")
    assert snapshot["profile"] == "ci"
    chapters = runner.toc_chapters()
    missing = [c for c in chapters if c not in snapshot["chapters"]]
    stale = [c for c in snapshot["chapters"] if c not in chapters]
    assert not missing and not stale, (
        f"snapshots/ci.json lacks {missing} and has chapters no longer in the book {stale}; "
        "run `make snapshot` and review the diff")
    for name, chapter in snapshot["chapters"].items():
        assert chapter["paper"] == chapter_paper(name)
        assert all(c["verdict"] in ("agrees", "partly", "disagrees", "not tested") for c in chapter["claims"])
