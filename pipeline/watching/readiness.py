"""Deciding whether a file in an inbox is a finished drop.

Staff drop files over a network share, and what arrives is messy: a file can appear before its
bytes do (Windows may size a file first and fill it later), Office keeps lock files and saves
through temporary names, and the same drop fires several events. This module holds the small,
mostly pure decisions the watcher makes before it hands a file to a stage:

- `is_ignored`: names that are never drops (Office locks, partial downloads, desktop and file
  system side files, the pipeline's own temporaries); any other name, dotted or not, is a drop;
- `office_lock_present`: the file is open in Word, Excel or LibreOffice, so it waits;
- (`pipeline.store.mounts.is_network_mount`: the folder sits on a network file system, so
  inotify cannot see remote writes and the watcher must poll;)
- `StabilityTracker`: a file no event vouches for is accepted once its size and mtime stopped
  moving for the settle time;
- `whole_as_what_it_is`: the content is of a kind whose last bytes prove it whole (zip, PDF,
  PNG, JPEG, GIF; probed by `pipeline.inputs.content`) and that end is in place, so a quiet file
  need not wait for the settle time;
- `quiet_for`: how long a file's mtime says it has not been written to;
- `RetryPolicy`: the back-off for a file that is not complete yet.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.inputs.content import HEAD_BYTES, content_kind, looks_complete

log = logging.getLogger(__name__)


_IGNORED_NAMES = frozenset(
    {
        *(".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db"),
        # placeholders that keep an empty folder in a version-controlled copy of the share
        *(".gitkeep", ".keep", ".gitignore"),
    }
)
# Office owner files (~$), macOS AppleDouble (._), LibreOffice locks, GNOME copies in progress
_IGNORED_PREFIXES = ("~$", "._", ".~lock.", ".goutputstream-")
_IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload", ".download")
_TEMP_NAME = re.compile(r"^\..+\.tmp-[0-9a-f]+$")
_IGNORED_PATTERNS = (
    _TEMP_NAME,
    # Excel saves through an extension-less name of eight hex digits, then renames it into place
    re.compile(r"^[0-9a-f]{8}$"),
    # an NFS client keeps a file deleted while open under `.nfs<hex>` until it is closed
    re.compile(r"^\.nfs[0-9a-f]{8,}$"),
)


def is_ignored(name: str) -> bool:
    """True for a file name that is never a drop. Compared case-insensitively, like Windows.

    Only known side files are ignored: Office and LibreOffice locks and save names, partial
    downloads, Windows and macOS desktop files, and the pipeline's own temporaries
    (`.<name>.tmp-<hex>`, archive staging `.<case>.<random>.tmp`). A name that merely starts with
    a dot, as Windows and macOS allow, is a drop like any other and gets an answer.
    """
    folded = name.casefold()
    return (
        not folded
        or folded in _IGNORED_NAMES
        or folded.startswith(_IGNORED_PREFIXES)
        or folded.endswith(_IGNORED_SUFFIXES)
        or any(pattern.match(folded) for pattern in _IGNORED_PATTERNS)
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

    def remaining(self, path: Path, now: float) -> float:
        """Seconds until `path`, unchanged from now on, counts as stable (settle if unseen)."""
        seen = self._seen.get(path)
        since = now if seen is None else seen.since
        return max(0.0, since + self.settle_seconds - now)

    def forget(self, path: Path) -> None:
        """Drop what is known about `path` (it was processed, moved or deleted)."""
        self._seen.pop(path, None)

    def __len__(self) -> int:
        return len(self._seen)


def quiet_for(mtime: float, now: float) -> float:
    """Seconds since a file was last written, by its mtime and the wall clock `now`.

    A mtime in the future (another machine's clock, on a network mount) counts as written just
    now: such a file is left to the settle time, which needs no clock but the watcher's own.
    """
    return max(0.0, now - mtime)


END_MARKED = frozenset({"zip", "pdf", "png", "jpeg", "gif"})
"""Content kinds whose last bytes prove the file whole: a zip's central directory (and each
member's header), a PDF's trailer, a PNG's IEND, a JPEG's end marker, a GIF's trailer. An OLE
container, a BMP and a TIFF are judged by sizes and offsets a pre-sized file already has."""


def whole_as_what_it_is(path: Path) -> bool:
    """True when the content says what it is and its end proves every byte has arrived.

    Only content with an end marker (`END_MARKED`) qualifies: a half-written PDF lacks its
    trailer, a half-written workbook or document its zip central directory or a member's
    header, a pre-sized file is still zeros at its end. Text, unknown content and formats
    judged by their size cannot prove their end, so it is False for them: only the settle time
    can tell.
    """
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError:
        return False
    return content_kind(head) in END_MARKED and looks_complete(path)


# --- the back-off for a file that is not complete yet -----------------------------------------


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
