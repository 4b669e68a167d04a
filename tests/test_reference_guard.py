"""The main environment must not contain neural-tangents or TensorFlow: the cross-check
runs in its own pinned environment (scripts/reference_env.sh, tests/reference/)."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.mark.parametrize("name", ["neural_tangents", "tensorflow", "tf2jax"])
def test_reference_only_packages_absent_from_main_env(name):
    assert importlib.util.find_spec(name) is None, (
        f"{name} is installed in the main environment; it belongs only in .venv-reference"
    )
