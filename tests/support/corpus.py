"""Real-world PDFs for drop tests: every PDF shipped in the source releases of pypdf, pikepdf and
pyHanko (their test files: broken, encrypted, signed, odd or ordinary), fetched once with pip.

    files = corpus_files(fetch_sdists(cache_folder))   # skips (fails under CI) without PyPI

The releases are pinned, so the corpus is the same on every run; they are kept in the cache
folder and read straight from the archives, nothing is unpacked to disk.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from tests.support.tools import in_ci

SDISTS = ("pypdf==7.1.1", "pikepdf==10.18.0", "pyHanko==0.38.0")
PDF_MAGIC = b"%PDF-"
DOWNLOAD_TIMEOUT = 900.0


@dataclass(frozen=True)
class CorpusFile:
    """One PDF of the corpus: where it sits in its release (for the report) and its bytes."""

    source: str
    data: bytes


def sdist_name(pin: str) -> str:
    """The archive name pip saves for `pin` ("pyHanko==0.38.0" -> "pyhanko-0.38.0.tar.gz")."""
    name, version = pin.split("==")
    return f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}.tar.gz"


def fetch_sdists(cache: Path) -> list[Path]:
    """The pinned source releases in `cache`, downloaded with pip unless already there."""
    wanted = [cache / sdist_name(pin) for pin in SDISTS]
    if not all(path.is_file() for path in wanted):
        _download(cache, wanted)
    return wanted


def _download(cache: Path, wanted: list[Path]) -> None:
    """pip download into a folder of its own, moved into the cache only when complete."""
    partial = cache / "partial"
    partial.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    try:
        done = subprocess.run(
            [*argv, "--dest", str(partial), *SDISTS],
            capture_output=True,
            text=True,
            timeout=DOWNLOAD_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        _unavailable(f"pip download did not run: {exc}")
    missing = [p.name for p in wanted if not (partial / p.name).is_file()]
    if done.returncode != 0 or missing:
        _unavailable(f"pip download failed (missing {missing}): {done.stderr[-2000:]}")
    for path in wanted:
        (partial / path.name).replace(path)
    shutil.rmtree(partial, ignore_errors=True)


def _unavailable(message: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{message} (CI=true: the PDF corpus must be downloadable)")
    pytest.skip(message)


def corpus_files(sdists: list[Path]) -> list[CorpusFile]:
    """Every file of the releases that starts with %PDF- or is named *.pdf, in archive order."""
    return [found for sdist in sdists for found in _pdfs_in(sdist)]


def _pdfs_in(sdist: Path) -> Iterator[CorpusFile]:
    with tarfile.open(sdist) as archive:
        for member in archive:
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            head = handle.read(len(PDF_MAGIC))
            if head == PDF_MAGIC or member.name.lower().endswith(".pdf"):
                yield CorpusFile(member.name, head + handle.read())


def reason_kind(problem: str) -> str:
    """A rejection's problem without its particulars (page, names, numbers), to group by."""
    kind = re.sub(r"^halaman \d+: ", "", problem)
    kind = re.sub(r"'[^']*'", "'…'", kind)
    kind = re.sub(r" oleh .+? gagal", " oleh … gagal", kind)
    kind = re.sub(r"\([^)]*\)", "(…)", kind)
    kind = re.sub(r"\d+([.,]\d+)?", "#", kind)
    return re.split(r"[.:;]\s", kind, maxsplit=1)[0]


def summary(problems: Mapping[str, str]) -> str:
    """Per kind of reason: how many files got it, and which (file -> problem, grouped)."""
    groups: dict[str, list[str]] = {}
    for source, problem in problems.items():
        groups.setdefault(reason_kind(problem), []).append(source)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    lines = [f"{len(problems)} files, {len(groups)} kinds of reason"]
    for kind, sources in ordered:
        lines.append(f"\n[{len(sources)}] {kind}")
        lines.extend(f"    {source}" for source in sorted(sources))
    return "\n".join(lines)
