"""Keeping each outbox to what is current: older versions and closed cases move to `lama/`.

Only the pipeline's own outputs live in an outbox (the case keeps its copies in berkas/), so
moving them never touches an original; nothing is deleted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pipeline.store.fsops import move_file, unique_path

log = logging.getLogger(__name__)
OLD = "lama"
KEPT = frozenset({"distribusi", "regenerasi"})  # copies for others and batch output stay
_VERSION = re.compile(r"\bv\d+\b")


def older_versions(existing: Iterable[str]) -> list[str]:
    """Every name of which a higher version of the same document is present (idempotent)."""
    newest: dict[str, tuple[int, str]] = {}
    for name in existing:
        found = _VERSION.findall(name)
        if found:
            shape, number = _VERSION.sub("v#", name), int(found[-1][1:])
            newest[shape] = max(newest.get(shape, (number, name)), (number, name))
    return sorted(
        n for n in existing if _VERSION.findall(n) and newest[_VERSION.sub("v#", n)][1] != n
    )


def of_case(existing: Iterable[str], case_id: str) -> list[str]:
    return sorted(n for n in existing if n.startswith(f"{case_id} "))


def retire(folder: Path, names: Iterable[str]) -> int:
    """Move `names` of `folder` into `folder/lama/` (under a free name); returns how many."""
    moved = 0
    for name in names:
        source = folder / name
        if source.is_file():
            move_file(source, unique_path(folder / OLD, name))
            moved += 1
    return moved


def tidy_case(root: Path, case_id: str, closed: bool, given: Iterable[str] = ()) -> int:
    """Bring every role outbox in line for one case (after a crash: the same as tidy_after).
    `given` are the signed record's copies given out to roles: they stay."""
    moved, kept = 0, set(given)
    for folder in _role_outboxes(root):
        names = of_case(_names(folder), case_id)
        gone = _not_given(root, folder, names, kept) if closed else older_versions(names)
        moved += retire(folder, gone)
    return moved


def tidy_after(root: Path, written: Iterable[str], closed_case: str | None) -> int:
    """After an outcome: retire what the new outputs supersede, and a closed case's files
    (but for the copies of its signed record the closing itself gave out)."""
    moved, written = 0, list(written)
    for rel in written:
        path = PurePosixPath(rel)
        if path.parts[0] == "outbox" and path.parts[1] not in KEPT:
            folder = root / path.parent
            moved += retire(folder, older_versions(_names(folder)))
    if closed_case:
        moved += tidy_case(root, closed_case, True, written)
    return moved


def _not_given(root: Path, folder: Path, names: list[str], given: set[str]) -> list[str]:
    here = folder.relative_to(root).as_posix()
    return [n for n in names if f"{here}/{n}" not in given]


def _names(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []


def _role_outboxes(root: Path) -> list[Path]:
    outbox = root / "outbox"
    folders = [
        p for p in outbox.iterdir() if p.is_dir() and p.name not in KEPT and p.name != "bidang"
    ]
    bidang = outbox / "bidang"
    return folders + ([p for p in bidang.iterdir() if p.is_dir()] if bidang.is_dir() else [])
