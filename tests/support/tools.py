"""Skip-or-fail rules for tests that need real outside programs.

On a laptop without LibreOffice, Samba or Chromium such a test skips; under CI (CI=true) it
fails loudly instead, so a missing install step can never pass as a green run.
"""

from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_program(*names: str) -> str:
    """Return the path of the first program found on PATH; skip (or fail under CI) if none."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"needs one of {', '.join(names)} on PATH"
    if in_ci():
        pytest.fail(f"{message} (CI=true: this test must run, install it in .ci/run)")
    pytest.skip(message)
    raise AssertionError("unreachable")


def require_module(name: str) -> None:
    """Import a Python module or skip (fail under CI)."""
    try:
        __import__(name)
    except ImportError:
        if in_ci():
            pytest.fail(f"needs Python module {name} (CI=true: this test must run)")
        pytest.skip(f"needs Python module {name}")
