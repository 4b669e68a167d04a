"""Tests of typed chapter parameters (ntk_scaling.book.parameters), papermill's strings included."""

from __future__ import annotations

import jupytext
import pytest

import ntk_scaling as nts
from ntk_scaling.book.parameters import ParameterError


def test_numbers_written_without_a_decimal_point_and_papermill_lists_are_coerced():
    ns = {"lr": "1e-3", "learning_rates": ["1e-3", "1e-5"], "n_trains": "[128, 256, 512]", "flag": "True",
          "chunk": "None", "width": "1e3"}
    out = nts.check_parameters(ns, {
        "lr": nts.Real(gt=0),
        "learning_rates": nts.ListOf(nts.Real(gt=0)),
        "n_trains": nts.ListOf(nts.Int(ge=10), min_len=3, increasing=True),
        "flag": nts.Bool(),
        "chunk": nts.Optional(nts.Int(ge=1)),
        "width": nts.Int(ge=1),
    })
    assert out == {"lr": 1e-3, "learning_rates": [1e-3, 1e-5], "n_trains": [128, 256, 512], "flag": True,
                   "chunk": None, "width": 1000}
    assert ns["n_trains"] == [128, 256, 512] and type(ns["width"]) is int  # written back


@pytest.mark.parametrize(
    "value, spec, message",
    [
        (["1e-3", "x"], nts.ListOf(nts.Real()), r"parameter 'p'\[1\] must be a number, got the string 'x'"),
        ("[", nts.ListOf(nts.Int()), "must be a list such as"),
        ([128, 256], nts.ListOf(nts.Int(), min_len=3), "needs at least 3 elements"),
        ([256, 128, 512], nts.ListOf(nts.Int(), increasing=True), "strictly increasing"),
        (2.5, nts.Int(), "must be an integer, got 2.5"),
        (True, nts.Int(), "must be an integer, got bool"),
        (0.0, nts.Real(gt=0), "must be a number > 0"),
        (float("nan"), nts.Real(), "must be finite"),
        ("adamw", nts.Choice(["mse", "cross_entropy"]), r"must be one of \['mse', 'cross_entropy'\]"),
        (1, nts.Bool(), "must be True or False"),
        (3, nts.Str(), "must be a string"),
    ],
)
def test_bad_values_name_the_parameter_and_element(value, spec, message):
    with pytest.raises(ParameterError, match=message):
        nts.check_parameters({"p": value}, {"p": spec})


def test_missing_parameter_and_bad_spec():
    with pytest.raises(ParameterError, match=r"\['q'\] are checked but not set"):
        nts.check_parameters({"p": 1}, {"p": nts.Int(), "q": nts.Int()})
    with pytest.raises(TypeError, match="spec for 'p'"):
        nts.check_parameters({"p": 1}, {"p": int})


def test_papermill_string_parameters_reach_a_chapter_typed(tmp_path):
    """What `papermill in.ipynb out.ipynb -p n_trains "[128, 256, 512]"` does, through papermill itself."""
    import papermill

    source = '''# %% tags=["parameters"]
n_trains = [100, 200, 400]
lr = 0.1

# %%
import ntk_scaling as nts
nts.check_parameters(globals(), {"n_trains": nts.ListOf(nts.Int(ge=10), min_len=3), "lr": nts.Real(gt=0)})
print(sum(n_trains), lr * 2)
'''
    nb = jupytext.reads(source, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    out = papermill.execute_notebook(nb, str(tmp_path / "out.ipynb"), parameters={"n_trains": "[128, 256, 512]",
                                     "lr": "1e-3"}, kernel_name="python3", progress_bar=False)
    printed = "".join(o.get("text", "") for c in out.cells for o in c.get("outputs", []))
    assert "896 0.002" in printed
    with pytest.raises(papermill.PapermillExecutionError, match=r"parameter 'n_trains' needs at least 3 elements"):
        papermill.execute_notebook(nb, str(tmp_path / "bad.ipynb"), parameters={"n_trains": "[128, 256]"},
                                   kernel_name="python3", progress_bar=False)


def test_spec_from_default_types_lists_element_by_element():
    from ntk_scaling.book.parameters import spec_from_default

    assert spec_from_default([1e-3, 1e-4]).coerce(["1e-2", 3], "x") == [1e-2, 3.0]
    assert spec_from_default([16, 32]).coerce("[8, 1e2]", "x") == [8, 100]
    assert spec_from_default(None).coerce("anything", "x") == "anything"
