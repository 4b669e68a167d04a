"""Docstrings: Google-style sections on every public function, and no missing citations.

ruff (pydocstyle, Google convention; see pyproject.toml) checks the form of every
docstring. This test adds what ruff cannot see: every public function (a name in its
module's ``__all__``) documents its arguments (``Args:``), what it returns
(``Returns:``/``Yields:``) and what it raises (``Raises:``) whenever it has arguments,
returns a value or raises. And no chapter or docstring in the files listed cites the
"math notes", a document outside the book: they cite the appendix "Equations and their
status" instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "ntk_scaling"

#: Modules whose public functions must carry Args/Returns/Raises sections. Modules owned
#: by parallel work (training/full_batch.py, training/online.py) join this list when that
#: work merges.
DOCUMENTED = [
    "cache.py",
    "sweeps.py",
    "fitting.py",
    "steps.py",
    "validation.py",
    "book/claims.py",
    "book/a_claims.py",
    "training/protocol.py",
    "book/equations.py",
    "book/headless.py",
    "book/parameters.py",
    "book/plotting.py",
    "book/provenance.py",
    "book/runner.py",
    "book/scoreboard.py",
    "book/snapshot.py",
    "data/datasets.py",
    "data/subsets.py",
    "data/vision.py",
    "data/text.py",
    "nets/transformer.py",
    "training/language_runs.py",
    "kernels/empirical.py",
    "kernels/infinite_width.py",
    "kernels/metrics.py",
    "nets/mlp.py",
    "nets/cnn.py",
    "nets/resnet.py",
    "kernels/spectra.py",
    "data/vision_stream.py",
    "training/vision_runs.py",
    "solvable/exponents.py",
    "solvable/tasks.py",
    "training/circle_runs.py",
    "solvable/compute_optimal.py",
    "solvable/deterministic_equivalent.py",
    "solvable/dmft.py",
    "solvable/dmft_finite.py",
    "solvable/kernel_lens.py",
    "solvable/linear_model.py",
    "data/circle.py",
    "kernels/circle.py",
    "nets/mup.py",
    "training/bridge.py",
    "training/readouts.py",
    "training/full_batch.py",
    "training/online.py",
]

#: Files that must not cite the math notes (chapters and library modules).
NO_NOTES = [
    *(f"chapters/{name}.py" for name in (
        "00_intro", "01_data", "10_b_fig1_exponents", "12_b_fig2ab_gamma_sweep", "15_b_fig3_sgd_noise",
        "16_b_appD_data_reuse", "17_b_appG_linear_network", "18_b_fig11_bootstrap", "29_performance",
        "98_equations", "99_reproducibility", "11_b_table1_compute_optimal", "13_b_fig2cd_finite_width",
        "14_b_fig4_compute_frontier", "20_a_ntk_metrics_toy", "21_a_model_scaling", "22_a_data_scaling",
        "23_a_feature_kernel_transition",
        "24_b_fig5_fig7_circle_tasks", "26_bridge_ntk_lens_on_b",
        "25_b_fig6_mnist_cnn", "27_b_fig6_fig8_cifar_resnet", "28_b_fig9_language", "30_a_protocol_robustness",
        "31_a_critical_width_sp_vs_mup")),
    *(f"src/ntk_scaling/{m}" for m in DOCUMENTED),
    "src/ntk_scaling/__init__.py",
]


def _public_functions(path: Path):
    tree = ast.parse(path.read_text())
    exported: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                exported = set(ast.literal_eval(node.value))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in exported:
            yield node


def _raises(node: ast.FunctionDef) -> bool:
    own = [n for n in ast.walk(node) if isinstance(n, ast.Raise) and n.exc is not None]
    return bool(own)


def _returns_value(node: ast.FunctionDef) -> bool:
    if node.returns is not None and not (isinstance(node.returns, ast.Constant) and node.returns.value is None):
        return True
    return any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(node))


def _has_parameters(node: ast.FunctionDef) -> bool:
    a = node.args
    names = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
    names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
    return any(n not in ("self", "cls") for n in names)


@pytest.mark.parametrize("module", DOCUMENTED)
def test_public_functions_have_google_sections(module):
    path = SRC / module
    problems = []
    for fn in _public_functions(path):
        doc = ast.get_docstring(fn) or ""
        if not doc:
            problems.append(f"{fn.name}: no docstring")
            continue
        if _has_parameters(fn) and "Args:" not in doc:
            problems.append(f"{fn.name}: no Args section")
        if _returns_value(fn) and "Returns:" not in doc and "Yields:" not in doc:
            problems.append(f"{fn.name}: no Returns section")
        if _raises(fn) and "Raises:" not in doc:
            problems.append(f"{fn.name}: raises but has no Raises section")
    assert not problems, f"{module}: " + "; ".join(problems)


@pytest.mark.parametrize("relpath", NO_NOTES)
def test_no_citation_of_the_math_notes(relpath):
    text = (ROOT / relpath).read_text().lower()
    for phrase in ("math notes", "math-notes", "notes §"):
        assert phrase not in text, f"{relpath} cites the {phrase!r}: cite the appendix of equations instead"
