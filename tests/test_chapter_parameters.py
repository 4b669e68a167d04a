"""Every chapter checks its parameters at the top, with specs that every profile passes.

The check cell is the cell right after the parameters cell:
``nts.check_parameters(globals(), {name: spec, ...})``. These tests read both cells with
``ast`` (no chapter is executed, except one, to see the message at the top).
"""

from __future__ import annotations

import ast

import jupytext
import nbformat
import pytest
import yaml

import ntk_scaling as nts
from ntk_scaling.book import runner

CHAPTERS = sorted(p.stem for p in runner.CHAPTER_DIR.glob("*.py"))
PROFILES = sorted(p.name for p in runner.PARAMS_DIR.iterdir() if p.is_dir())


def _cells(name: str):
    nb = jupytext.read(runner.chapter_path(name))
    index = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(index) == 1, f"{name}: expected one parameters cell"
    return nb, index[0]


def _check_call(source: str) -> ast.Call | None:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called == "check_parameters":
                return node
    return None


def check_cell_names(name: str) -> tuple[set[str], set[str]]:
    """(names in the parameters cell, names checked by the cell right after it)."""
    nb, i = _cells(name)
    assert i + 1 < len(nb.cells), f"{name}: nothing after the parameters cell"
    after = nb.cells[i + 1]
    call = _check_call(after.source) if after.cell_type == "code" else None
    assert call is not None, f"{name}: the cell right after the parameters cell must call nts.check_parameters"
    assert "remove-cell" in after.metadata.get("tags", []), f"{name}: tag the check cell remove-cell"
    assert len(call.args) == 2 and isinstance(call.args[1], ast.Dict), (
        f"{name}: write check_parameters(globals(), {{...}}) with the specs as a dict literal")
    checked = set()
    for key in call.args[1].keys:
        assert isinstance(key, ast.Constant) and isinstance(key.value, str), f"{name}: spec keys must be strings"
        checked.add(key.value)
    return set(runner.parameter_defaults(nb, name)), checked


@pytest.mark.parametrize("name", CHAPTERS)
def test_check_cell_covers_exactly_the_parameters(name):
    declared, checked = check_cell_names(name)
    assert not declared - checked, f"{name}: parameters not checked: {sorted(declared - checked)}"
    assert not checked - declared, f"{name}: checked but not parameters: {sorted(checked - declared)}"


def _run_check_cell(name: str, values: dict) -> dict:
    nb, i = _cells(name)
    namespace = {**runner.parameter_defaults(nb, name), **values}
    exec(compile(nb.cells[i + 1].source, f"{name}: check cell", "exec"), namespace)  # imports nts, checks
    return namespace


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", CHAPTERS)
def test_defaults_and_every_profile_pass_the_chapters_checks(name, profile):
    nb, _ = _cells(name)
    defaults = runner.parameter_defaults(nb, name)
    _run_check_cell(name, {})
    path = runner.PARAMS_DIR / profile / f"{name}.yaml"
    if path.exists():
        values = runner.coerce_values(yaml.safe_load(path.read_text()) or {}, defaults, str(path), name)
        _run_check_cell(name, values)


def test_too_few_points_stop_at_the_top():
    with pytest.raises(nts.ParameterError, match=r"'limit_train_sizes' needs at least 3 elements"):
        _run_check_cell("16_b_appD_data_reuse", {"limit_train_sizes": [8, 16]})
    with pytest.raises(nts.ParameterError, match=r"'floor_widths'\[1\] must be an integer"):
        _run_check_cell("13_b_fig2cd_finite_width", {"floor_widths": [8, "wide", 32]})
    # relations between parameters, checked in the same cell
    with pytest.raises(nts.ParameterError, match="must start with 0.0"):
        _run_check_cell("12_b_fig2ab_gamma_sweep", {"gammas": [0.1, 1.0]})
    with pytest.raises(nts.ParameterError, match="must contain 16"):
        _run_check_cell("15_b_fig3_sgd_noise", {"batches": [1, 4, 64]})
    with pytest.raises(nts.ParameterError, match="'exact_t_min' must be below 'exact_t_max'"):
        _run_check_cell("10_b_fig1_exponents", {"exact_t_min": 1e4, "exact_t_max": 1e2})


def test_a_real_chapter_with_two_points_stops_at_the_top_with_a_clear_message(tmp_path, monkeypatch):
    """Executed through the runner: the check cell raises, before any computation."""
    monkeypatch.setattr(runner, "BOOK_DIR", tmp_path)
    monkeypatch.setattr(runner, "RUN_LOG", tmp_path / "run_log.json")
    name = "16_b_appD_data_reuse"
    with pytest.raises(runner.ChapterError, match=r"ParameterError: parameter 'limit_train_sizes' needs at least 3"):
        runner.run_chapter(name, "ci", quiet=True, overrides={"limit_train_sizes": [8, 16]})
    partial = nbformat.read(tmp_path / f"{name}.partial.ipynb", as_version=4)
    failed = [c for c in partial.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failed) == 1 and "check_parameters" in failed[0].source
    code = [c for c in partial.cells if c.cell_type == "code"]
    assert code.index(failed[0]) <= 2  # injected parameters, parameters, then the check
    assert not (tmp_path / f"{name}.ipynb").exists()
