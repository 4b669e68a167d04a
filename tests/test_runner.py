"""Tests of the chapter runner: parameter parsing and validation, profiles, the TOC."""

from __future__ import annotations

import jupytext
import pytest

from ntk_scaling.book import runner

CHAPTER = '''# %% [markdown]
# # A chapter

# %% tags=["parameters"]
profile = "default"
width = 64
lr = 0.1
widths = [32, 64]
use_bias = True
note = "x"
'''


@pytest.fixture
def nb():
    return jupytext.reads(CHAPTER, fmt="py:percent")


@pytest.fixture
def profiles(tmp_path, monkeypatch):
    (tmp_path / "ci").mkdir()
    monkeypatch.setattr(runner, "PARAMS_DIR", tmp_path)
    return tmp_path / "ci"


def test_parameter_defaults(nb):
    assert runner.parameter_defaults(nb, "x") == {
        "profile": "default", "width": 64, "lr": 0.1, "widths": [32, 64], "use_bias": True, "note": "x"}


def test_parameters_cell_must_be_literal():
    bad = jupytext.reads('# %% tags=["parameters"]\nimport numpy as np\nw = np.ones(3)\n', fmt="py:percent")
    with pytest.raises(runner.ParameterError, match="'w' must be a literal"):
        runner.parameter_defaults(bad, "bad")


def test_exactly_one_parameters_cell():
    none = jupytext.reads("# %%\nx = 1\n", fmt="py:percent")
    with pytest.raises(runner.ParameterError, match="exactly one cell tagged 'parameters'"):
        runner.parameter_defaults(none, "none")


def test_profile_values_and_injected_profile(nb, profiles):
    (profiles / "c.yaml").write_text("width: 128\nlr: 1\nwidths: [8]\n")
    values = runner.load_profile("c", "ci", runner.parameter_defaults(nb))
    assert values == {"width": 128, "lr": 1.0, "widths": [8], "profile": "ci"}
    assert isinstance(values["lr"], float)


def test_yaml_numbers_without_a_decimal_point_are_numbers(nb, profiles):
    # PyYAML reads 1e-3 as the string '1e-3'; element by element they become floats again
    (profiles / "c.yaml").write_text("lr: 1e-3\nwidths: [1e2, 256]\n")
    values = runner.load_profile("c", "ci", runner.parameter_defaults(nb))
    assert values["lr"] == 1e-3 and values["widths"] == [100, 256]
    assert all(type(w) is int for w in values["widths"])


def test_command_line_overrides_are_typed_like_profile_values(nb):
    defaults = runner.parameter_defaults(nb)
    overrides = runner.parse_overrides([["lr", "0.5"], ["widths", "[16, 32]"], ["use_bias", "false"]])
    values = runner.coerce_values(overrides, defaults, "-p", "c")
    assert values == {"lr": 0.5, "widths": [16, 32], "use_bias": False}
    with pytest.raises(runner.ParameterError, match=r"-p: parameter 'widths'\[0\] must be an integer"):
        runner.coerce_values(runner.parse_overrides([["widths", "[a, 2]"]]), defaults, "-p", "c")
    with pytest.raises(runner.ParameterError, match="unknown parameter"):
        runner.coerce_values({"lrr": 1}, defaults, "-p", "c")


@pytest.mark.parametrize(
    "text, message",
    [
        ("widht: 128\n", r"unknown parameter\(s\) \['widht'\]"),
        ("width: 1.5\n", "parameter 'width' must be an integer, got 1.5"),
        ("use_bias: 1\n", "parameter 'use_bias' must be True or False"),
        ("widths: 3\n", "parameter 'widths' must be a list"),
        ("widths: [32, x]\n", r"parameter 'widths'\[1\] must be an integer, got the string 'x'"),
        ("width: [1\n", "not valid YAML"),
        ("- 1\n- 2\n", "expected a mapping"),
    ],
)
def test_profile_errors_name_the_problem(nb, profiles, text, message):
    (profiles / "c.yaml").write_text(text)
    with pytest.raises(runner.ParameterError, match=message):
        runner.load_profile("c", "ci", runner.parameter_defaults(nb))


def test_missing_profile_file_and_unknown_profile(nb, profiles):
    with pytest.raises(runner.ParameterError, match="has no parameter file"):
        runner.load_profile("c", "ci", runner.parameter_defaults(nb))
    with pytest.raises(runner.ParameterError, match="unknown profile 'huge'; profiles: ci"):
        runner.load_profile("c", "huge", runner.parameter_defaults(nb))


def test_every_chapter_is_in_the_toc_and_back():
    in_toc = runner.toc_chapters()
    on_disk = sorted(p.stem for p in runner.CHAPTER_DIR.glob("*.py"))
    assert sorted(in_toc) == on_disk
    assert in_toc[0] == "00_intro" and in_toc[-1] == "99_reproducibility"


@pytest.mark.parametrize("profile", ["ci", "large", "gpu"])
def test_all_profiles_are_valid(profile):
    runner.check_profile(profile)  # raises ParameterError on any bad file


def test_fingerprint_tracks_the_profile_file(tmp_path, monkeypatch):
    (tmp_path / "ci").mkdir()
    monkeypatch.setattr(runner, "PARAMS_DIR", tmp_path)
    (tmp_path / "ci" / "00_intro.yaml").write_text("{}\n")
    before = runner.fingerprint("00_intro", "ci")
    (tmp_path / "ci" / "00_intro.yaml").write_text("# changed\n{}\n")
    assert runner.fingerprint("00_intro", "ci") != before


def test_cli_reports_bad_parameters(tmp_path, monkeypatch, capsys):
    (tmp_path / "ci").mkdir()
    monkeypatch.setattr(runner, "PARAMS_DIR", tmp_path)
    (tmp_path / "ci" / "00_intro.yaml").write_text("no_such_knob: 3\n")
    assert runner.main(["check", "--profile", "ci", "00_intro"]) == 1
    assert "no_such_knob" in capsys.readouterr().err


def test_unknown_chapter_names_the_known_ones():
    with pytest.raises(FileNotFoundError, match="00_intro"):
        runner.chapter_path("no_such_chapter")


def _scratch_book(tmp_path, monkeypatch, body: str) -> None:
    for sub in ("chapters", "params/ci", "book"):
        (tmp_path / sub).mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(runner, "CHAPTER_DIR", tmp_path / "chapters")
    monkeypatch.setattr(runner, "PARAMS_DIR", tmp_path / "params")
    monkeypatch.setattr(runner, "BOOK_DIR", tmp_path / "book")
    monkeypatch.setattr(runner, "RUN_LOG", tmp_path / "book" / "run_log.json")
    (tmp_path / "chapters" / "t.py").write_text(body)
    (tmp_path / "params" / "ci" / "t.yaml").write_text("n: 3\n")


def test_run_chapter_executes_records_and_skips_when_fresh(tmp_path, monkeypatch):
    _scratch_book(tmp_path, monkeypatch, '# %% tags=["parameters"]\nn = 1\n\n# %%\nprint(n * 7)\n')
    first = runner.run_chapter("t", "ci", quiet=True)
    assert not first.skipped and first.output.exists()
    import nbformat

    nb = nbformat.read(first.output, as_version=4)
    assert any("21" in o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert nb.metadata["ntk_scaling"]["parameters"] == {"n": 3}
    assert "remove-cell" in [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])][0].metadata.tags
    assert runner.run_chapter("t", "ci", quiet=True).skipped
    assert "t" in (tmp_path / "book" / "run_log.json").read_text()


def test_failing_chapter_names_chapter_and_cell(tmp_path, monkeypatch):
    _scratch_book(tmp_path, monkeypatch, '# %% tags=["parameters"]\nn = 1\n\n# %%\nx = 1\n\n# %%\nraise ValueError("boom")\n')
    with pytest.raises(runner.ChapterError, match=r"chapter t failed in cell \d+ \(ValueError: boom\)"):
        runner.run_chapter("t", "ci", quiet=True)
    assert not (tmp_path / "book" / "t.ipynb").exists(), "a failed run must not look like a finished chapter"


@pytest.mark.parametrize("name", runner.toc_chapters())
def test_parameters_cell_parses_for_papermill(name):
    """Papermill's parameter parser chokes on '=' inside comments (it prints 'Unable to parse line')."""
    nb = jupytext.read(runner.chapter_path(name))
    source = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])][0].source
    for line in source.splitlines():
        comment = line.split("#", 1)[1] if "#" in line else ""
        assert "=" not in comment, f"{name}: '=' in a parameters-cell comment: {line!r}"
    assert "profile" in runner.parameter_defaults(nb, name), f"{name}: declare profile = 'default'"
