"""Deciding whether a file in an inbox is a finished drop.

Staff drop files over a network share, and what arrives is messy: a file can appear before its
bytes do (Windows may size a file first and fill it later), Office keeps lock files and saves
through temporary names, and the same drop fires several events. This module holds the small,
mostly pure decisions the watcher makes before it hands a file to a stage:

- `is_ignored`: names that are never drops (Office locks, partial downloads, hidden files, the
  pipeline's own temporaries);
- `office_lock_present`: the file is open in Word, Excel or LibreOffice, so it waits;
- `is_network_mount`: the folder sits on a network file system, so inotify cannot see remote
  writes and the watcher must poll;
- `StabilityTracker`: in polling mode, a file is accepted once its size and mtime stopped moving;
- `looks_complete`: a cheap probe that the bytes are all there (zip central directory, PDF
  trailer, image end marker);
- `RetryPolicy`: the back-off for a file that is not complete yet.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

TEMP_PREFIX = "."
"""Outputs are first written as `.<final name>.tmp-<hex>` beside their final name."""
TEMP_MARKER = ".tmp-"

_IGNORED_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db"})
_IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload", ".download")
_TEMP_NAME = re.compile(r"^\..+\.tmp-[0-9a-f]+$")
# Excel saves through an extension-less name of eight hex digits, then renames it into place.
_EXCEL_SAVE_NAME = re.compile(r"^[0-9a-f]{8}$")

NETWORK_FS_TYPES = frozenset(
    {
        "cifs",
        "smb3",
        "smbfs",
        "nfs",
        "nfs4",
        "fuse.sshfs",
        "9p",
        "fuse.gvfsd-fuse",
        "fuse.rclone",
        "davfs",
        "ceph",
        "glusterfs",
    }
)


def temp_name(final: Path) -> Path:
    """The temporary name an output is written under before it is renamed to `final`."""
    return final.with_name(f"{TEMP_PREFIX}{final.name}{TEMP_MARKER}{secrets.token_hex(6)}")


def is_temp_name(name: str) -> bool:
    """True for a name made by `temp_name` (left behind only by a crash)."""
    return _TEMP_NAME.match(name) is not None


def is_ignored(name: str) -> bool:
    """True for a file name that is never a drop. Compared case-insensitively, like Windows."""
    folded = name.casefold()
    return (
        not folded
        or folded.startswith((".", "~$"))
        or folded in _IGNORED_NAMES
        or folded.endswith(_IGNORED_SUFFIXES)
        or _EXCEL_SAVE_NAME.match(folded) is not None
    )


def office_lock_names(name: str) -> frozenset[str]:
    """Case-folded names of the lock files Office and LibreOffice put beside `name`.

    Excel names its owner file `~$` + the full name; Word drops the first one or two characters
    of longer names (`~$ficeReport.docx` for `OfficeReport.docx`), so all three forms count.
    LibreOffice writes `.~lock.<name>#`.
    """
    folded = name.casefold()
    owners = {f"~${folded[cut:]}" for cut in (0, 1, 2) if folded[cut:]}
    return frozenset({*owners, f".~lock.{folded}#"})


def office_lock_present(path: Path) -> bool:
    """True if Word, Excel or LibreOffice has `path` open (its lock file sits beside it)."""
    wanted = office_lock_names(path.name)
    try:
        with os.scandir(path.parent) as entries:
            return any(entry.name.casefold() in wanted for entry in entries)
    except OSError:
        return False


def _unescape_mount_field(field: str) -> str:
    """Decode the octal escapes (`\\040` for a space) the kernel uses in the mount table."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _mount_table(mounts: str) -> list[tuple[Path, str]]:
    table = []
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            table.append((Path(_unescape_mount_field(fields[1])), fields[2]))
    return table


def mount_type(path: Path, mounts: str | None = None) -> str | None:
    """File system type of the mount that holds `path` (the longest containing mount point)."""
    if mounts is None:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8")
    target = path.resolve()
    best: tuple[int, str] | None = None
    for point, fstype in _mount_table(mounts):
        if target.is_relative_to(point) and (best is None or len(point.parts) >= best[0]):
            best = (len(point.parts), fstype)
    return None if best is None else best[1]


def is_network_mount(path: Path, mounts: str | None = None) -> bool:
    """True if `path` lies on a network file system, where inotify misses remote writes."""
    return mount_type(path, mounts) in NETWORK_FS_TYPES


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime_ns: int
    since: float


class StabilityTracker:
    """Accepts a polled file once its size and mtime stayed the same for `settle_seconds`."""

    def __init__(self, settle_seconds: float) -> None:
        if settle_seconds < 0:
            raise ValueError("settle_seconds must not be negative")
        self.settle_seconds = settle_seconds
        self._seen: dict[Path, _Seen] = {}

    def observe(self, path: Path, size: int, mtime_ns: int, now: float) -> bool:
        """Record one look at `path`; True once it has not changed for long enough."""
        seen = self._seen.get(path)
        if seen is None or (seen.size, seen.mtime_ns) != (size, mtime_ns):
            seen = _Seen(size, mtime_ns, now)
            self._seen[path] = seen
        return now - seen.since >= self.settle_seconds

    def forget(self, path: Path) -> None:
        """Drop what is known about `path` (it was processed, moved or deleted)."""
        self._seen.pop(path, None)

    def __len__(self) -> int:
        return len(self._seen)


_ZIP_SUFFIXES = frozenset({".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".odt", ".ods", ".zip"})
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_TAIL = 1024


def _read_ends(path: Path, count: int) -> tuple[bytes, bytes]:
    with path.open("rb") as stream:
        head = stream.read(count)
        stream.seek(max(0, path.stat().st_size - count))
        return head, stream.read(count)


def _zip_complete(path: Path) -> bool:
    """The central directory parses and every member's local header is really there."""
    try:
        with zipfile.ZipFile(path) as archive, path.open("rb") as stream:
            for info in archive.infolist():
                stream.seek(info.header_offset)
                if stream.read(4) != b"PK\x03\x04":
                    return False
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return True


def _pdf_complete(path: Path) -> bool:
    head, tail = _read_ends(path, _TAIL)
    return head.startswith(b"%PDF-") and b"%%EOF" in tail


def _png_complete(path: Path) -> bool:
    head, tail = _read_ends(path, _TAIL)
    return head.startswith(b"\x89PNG\r\n\x1a\n") and tail.endswith(_PNG_END)


def _jpeg_complete(path: Path) -> bool:
    head, tail = _read_ends(path, _TAIL)
    return head.startswith(b"\xff\xd8") and b"\xff\xd9" in tail.rstrip(b"\x00")[-16:]


_PROBES: dict[str, Callable[[Path], bool]] = {
    **dict.fromkeys(_ZIP_SUFFIXES, _zip_complete),
    ".pdf": _pdf_complete,
    ".png": _png_complete,
    ".jpg": _jpeg_complete,
    ".jpeg": _jpeg_complete,
}


def looks_complete(path: Path) -> bool:
    """Cheap check that all of a file's bytes have arrived, judged by what its suffix claims.

    Never raises and never rejects: False means "not yet" (retry later), True means the format's
    end markers are in place. Files of other types are always True. A file pre-sized with zeros
    (Windows sets the length first and fills it later) is False until its bytes are written.
    """
    probe = _PROBES.get(path.suffix.casefold())
    if probe is None:
        return True
    try:
        return probe(path)
    except OSError as error:
        log.debug("cannot probe %s yet: %s", path, error)
        return False


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off for a drop that is not complete yet: first, first*factor, ... up to `cap`.

    `attempt` counts failed checks from 1. A drop is given up on (and may then be rejected)
    only when both `max_attempts` checks failed and at least `max_wait` seconds have passed
    since the first one, so a slow upload is never mistaken for a broken file.
    """

    first: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    max_attempts: int = 10
    max_wait: float = 120.0

    def __post_init__(self) -> None:
        if self.first <= 0 or self.factor < 1 or self.cap < self.first:
            raise ValueError("need first > 0, factor >= 1 and cap >= first")
        if self.max_attempts < 1 or self.max_wait < 0:
            raise ValueError("need max_attempts >= 1 and max_wait >= 0")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the `attempt`-th failed check (1-based)."""
        if attempt < 1:
            raise ValueError("attempt counts from 1")
        exponent = min(attempt - 1, 64)
        return float(min(self.cap, self.first * self.factor**exponent))

    def exhausted(self, attempt: int, waited: float) -> bool:
        """True when no more retries are due after `attempt` failed checks over `waited` s."""
        return attempt >= self.max_attempts and waited >= self.max_wait


def backoff(attempt: int, policy: RetryPolicy | None = None) -> float:
    """Seconds to wait after the `attempt`-th failed check under `policy` (default policy)."""
    return (policy or RetryPolicy()).backoff(attempt)
