"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def real_data_dir() -> Path:
    """The folder with the real data sets (NTK_SCALING_DATA, as CI sets it)."""
    root = os.environ.get("NTK_SCALING_DATA")
    if not root or not Path(root, "mnist").is_dir():
        pytest.skip("NTK_SCALING_DATA does not point at the data sets (see README)")
    return Path(root)


# The neural-tangents cross-check lives in tests/reference and runs only inside its own
# pinned environment (scripts/reference_env.sh); the main environment never has it.
try:
    import neural_tangents  # noqa: F401
except ImportError:
    collect_ignore = ["reference"]
