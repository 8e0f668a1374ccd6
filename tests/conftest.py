"""Shared fixtures: the bundled corpus, and external evaluation data (skipped when absent)."""
from __future__ import annotations

import pytest

from trilat_lib import load_corpus
from trilat_lib.paths import SHARED_DATA_DIR


@pytest.fixture(scope="session")
def seed_corpus():
    return load_corpus()


@pytest.fixture(scope="session")
def shared_data():
    """``../shared/data`` beside the checkout; tests that need it skip cleanly without it."""
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip(f"external evaluation data not found at {SHARED_DATA_DIR}")
    return SHARED_DATA_DIR
