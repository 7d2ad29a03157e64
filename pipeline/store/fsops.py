"""Crash-safe file operations: write to a temporary name in the destination, fsync, rename.

A reader of the share never sees a half-written file under a final name.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
TEMP_PREFIX = "."
"""Outputs are first written as `.<final name>.tmp-<hex>` beside their final name."""
TEMP_MARKER = ".tmp-"
_TEMP_NAME = re.compile(r"^\..+\.tmp-[0-9a-f]+$")


def temp_name(final: Path) -> Path:
    """The temporary name an output is written under before it is renamed to `final`."""
    return final.with_name(f"{TEMP_PREFIX}{final.name}{TEMP_MARKER}{secrets.token_hex(6)}")


def is_temp_name(name: str) -> bool:
    """True for a name made by `temp_name` (left behind only by a crash)."""
    return _TEMP_NAME.match(name) is not None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_dir(folder: Path) -> None:
    """Make the names in `folder` (creations, renames) durable."""
    _fsync(folder)


def fsync_file(path: Path) -> None:
    """Make a file written and closed earlier durable (through a read-only descriptor: Linux
    flushes the file's data and metadata whichever descriptor asks)."""
    _fsync(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_writer(dest: Path, *, durable: bool = True, sync_dir: bool = True) -> Iterator[BinaryIO]:
    """A file handle whose bytes appear at `dest` all at once when the block ends without error.

    Written under a temporary name in the destination folder, fsynced, renamed into place; a
    reader of the share never sees a half-written file under the final name.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(dest)
    try:
        with tmp.open("wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable and sync_dir:
        fsync_dir(dest.parent)


def atomic_write(dest: Path, data: bytes, *, durable: bool = True, sync_dir: bool = True) -> None:
    """Write `data` to `dest` so that `dest` is either absent/old or complete, never partial.

    `durable=False` skips the fsyncs: for files derived from the journal (the status board),
    which are whole or absent after a crash and rewritten at the next start anyway.
    `sync_dir=False` leaves the folder's fsync (what makes the rename durable) to the caller
    that writes several files into one folder and syncs it once (`fsync_dir`) before it
    commits the journal.
    """
    with atomic_writer(dest, durable=durable, sync_dir=sync_dir) as handle:
        handle.write(data)


def atomic_copy(src: Path, dest: Path) -> None:
    with src.open("rb") as reader, atomic_writer(dest) as writer:
        shutil.copyfileobj(reader, writer, CHUNK)


def move_file(src: Path, dest: Path) -> None:
    """Move a file within the share (a drop out of the inbox, a superseded output into lama/),
    never overwriting.

    The kept file is a fresh copy written by the pipeline (temp name, fsync, rename), then the
    source is removed: it belongs to the pipeline and takes the permissions of the folder it
    lands in (`pipeline access`), so the person who dropped it can no longer change what was
    accepted or filed, as they could through a link to their own file.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise FileExistsError(dest)
    atomic_copy(src, dest)
    src.unlink()
    fsync_dir(src.parent)


def rename_file(src: Path, dest: Path) -> None:
    """Move the directory entry itself, unread: for a link (whose target may lie outside the
    share) or a file the pipeline may not read. Same file system, one atomic rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        raise FileExistsError(dest)
    src.rename(dest)
    fsync_dir(dest.parent)
    fsync_dir(src.parent)


def unique_path(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/name (2)` … when that name is taken."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({counter}){suffix}"
        counter += 1
    return candidate
