"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory) -> Path:
    """A result cache private to this test session."""
    return tmp_path_factory.mktemp("result-cache")


@pytest.fixture(autouse=True)
def isolated_results(request, session_cache, monkeypatch):
    """Unit tests never read the user's cache or the committed results store.

    The chapter tests keep the environment's settings: CI points the cache at a fresh
    folder and computes the ci profile afresh (the store has no ci folder).
    """
    if request.node.get_closest_marker("chapters") is None:
        monkeypatch.setenv("NTK_SCALING_CACHE", str(session_cache))
        monkeypatch.setenv("NTK_SCALING_RESULTS", "off")
        monkeypatch.delenv("NTK_SCALING_PROFILE", raising=False)
        monkeypatch.delenv("NTK_SCALING_LEDGER", raising=False)
        monkeypatch.delenv("NTK_SCALING_STORE_ONLY", raising=False)


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
