from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.share import prepare_share


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """A test must stop every thread it starts (watchers, observers, servers)."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for thread in leaked:
        thread.join(timeout=5)
    still = [t.name for t in leaked if t.is_alive() and not t.daemon]
    assert not still, f"threads left running: {still}"


@pytest.fixture
def share(tmp_path: Path) -> Settings:
    """A fresh share with the shipped configuration and templates, state outside it."""
    return prepare_share(tmp_path / "share", tmp_path / "state", settle_seconds=0.0)
