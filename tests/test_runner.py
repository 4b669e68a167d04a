"""Tests of the chapter runner: parameter parsing and validation, profiles, the TOC."""

from __future__ import annotations

import jupytext
import pytest

from ntk_scaling import runner

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
    assert values == {"width": 128, "lr": 1, "widths": [8], "profile": "ci"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("widht: 128\n", r"unknown parameter\(s\) \['widht'\]"),
        ("width: 1.5\n", "'width' should be int"),
        ("use_bias: 1\n", "'use_bias' should be bool"),
        ("widths: 3\n", "'widths' should be list"),
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


@pytest.mark.parametrize("profile", ["ci", "gpu"])
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
