"""Load a local HTML file in real headless Chromium: dump the DOM after load, take screenshots.

Each call runs a fresh browser with a throw-away profile and every background service off, so
tests neither touch the network nor share state. Without Chromium the calling test skips (and
fails under CI=true) through `require_program`.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from tests.support.tools import require_program

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
TIMEOUT_SECONDS = 90

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def chromium() -> str:
    """The Chromium binary on PATH (skips, or fails under CI, when there is none)."""
    return require_program("chromium", "chromium-browser")


def _run(extra: list[str], page: Path) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        args = [chromium(), *_FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
        result = subprocess.run(
            args, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    if result.returncode != 0:
        raise RuntimeError(f"chromium exited {result.returncode}: {result.stderr[-2000:]}")
    return result


def dump_dom(page: Path) -> str:
    """The serialised DOM of `page` after Chromium has loaded it."""
    dom = _run(["--dump-dom"], page).stdout
    if "<html" not in dom.lower():
        raise RuntimeError(f"chromium returned no DOM for {page}")
    return dom


def screenshot(page: Path, dest: Path, width: int, height: int) -> Path:
    """A PNG of `page` rendered in a `width` x `height` window, written to `dest`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    _run([f"--screenshot={dest.resolve()}", f"--window-size={width},{height}"], page)
    if not dest.is_file() or dest.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot to {dest}")
    return dest


def artifact_path(name: str) -> Path:
    """Where a test keeps an artifact for people to look at (`test-artifacts/`, gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
