"""A drop is judged, kept and filed as one set of bytes: a copy of the inbox file taken when it
is first read (`state/work/diterima/<sha256>/<its name>`), however the file in the inbox
changes meanwhile.

Staff save over a file they have just dropped (a corrected letter under the same name, a form
saved again) while the pipeline is still handling it. Read from the inbox at each step, the
decision could see one version and the kept copy another, or half of one. Now:

    held = hold(path, work)       # the copy and its hash (None: the file is being written)
    ... decide on held.path, write outputs, commit the journal ...
    keep(held.path, dest)         # the judged bytes kept in berkas/ or ditolak/
    release(path, held.sha256)    # the inbox file removed only if it still holds them

A file replaced meanwhile stays in the inbox and is handled as the new drop it is.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.values import Drop
from pipeline.store.fsops import CHUNK, fsync_dir, move_file, sha256_file, temp_name

log = logging.getLogger(__name__)

HELD_FOLDER = "diterima"  # under the state folder's work/


@dataclass(frozen=True)
class Held:
    path: Path
    sha256: str
    size: int


def held_folder(work: Path) -> Path:
    return work / HELD_FOLDER


def held_path(work: Path, sha256: str, name: str) -> Path:
    """Where the bytes of a drop with this hash are held until they are kept, under the name
    it was dropped with (what a file is may be told by its name's ending, e.g. `.docm`)."""
    return held_folder(work) / sha256 / name


def hold(path: Path, work: Path, ready: tuple[int, int] | None = None) -> Held | None:
    """A copy of `path` (read once, hashed while copying), or None when the file's size is no
    longer the one it had when found ready (`ready`: its size and mtime then) or it changed
    while it was read: it is being written again, look again later. PermissionError when it
    may not be read."""
    folder = held_folder(work)
    folder.mkdir(parents=True, exist_ok=True)
    before = path.stat()
    if ready is not None and before.st_size != ready[0]:  # emptied or rewritten since: not
        return None  # its mtime alone (Samba sets it again at close, with the same bytes)
    temp = temp_name(folder / "drop")
    digest = hashlib.sha256()
    try:
        with path.open("rb") as source, temp.open("wb") as copy:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        after = path.stat()
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            temp.unlink()
            return None
        held = held_path(work, digest.hexdigest(), path.name)
        held.parent.mkdir(exist_ok=True)
        temp.replace(held)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Held(held, digest.hexdigest(), after.st_size)


def keep(held: Path, dest: Path) -> None:
    """The held bytes put at `dest` (the pipeline's own copy there, synced) and let go."""
    move_file(held, dest)


def keep_drop(drop: Drop, dest: Path) -> None:
    """A drop's judged bytes kept at `dest`, and its inbox file released."""
    keep(drop.path, dest)
    if drop.inbox is not None:
        release(drop.inbox, drop.sha256)


def holds(path: Path, sha256: str) -> bool:
    """True when `path` is a file with exactly these bytes."""
    try:
        return path.is_file() and sha256_file(path) == sha256
    except OSError:
        return False


def release(inbox_file: Path, sha256: str) -> bool:
    """Remove the dropped file from the inbox if it still holds the bytes that were judged;
    a file saved over meanwhile is left to be handled as a new drop. True when removed."""
    try:
        if sha256_file(inbox_file) != sha256:
            log.info("%s changed while it was handled: it stays as a new drop", inbox_file)
            return False
        inbox_file.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(inbox_file.parent)
    return True


def discard(held: Path) -> None:
    shutil.rmtree(held.parent, ignore_errors=True)


def clear_held(work: Path) -> int:
    """Remove the copies a stopped run left (a drop not yet committed is read again from the
    inbox; one committed is finished from its copy first, see Runner.recover)."""
    folder = held_folder(work)
    if not folder.is_dir():
        return 0
    found = list(folder.iterdir())
    for path in found:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return len(found)
