"""Deciding whether a file in an inbox is a finished drop.

Staff drop files over a network share, and what arrives is messy: a file can appear before its
bytes do (Windows may size a file first and fill it later), Office keeps lock files and saves
through temporary names, and the same drop fires several events. This module holds the small,
mostly pure decisions the watcher makes before it hands a file to a stage:

- `is_ignored`: names that are never drops (Office locks, partial downloads, desktop and file
  system side files, the pipeline's own temporaries); any other name, dotted or not, is a drop;
- `office_lock_present`: the file is open in Word, Excel or LibreOffice, so it waits;
- `is_network_mount`: the folder sits on a network file system, so inotify cannot see remote
  writes and the watcher must poll;
- `StabilityTracker`: in polling mode, a file is accepted once its size and mtime stopped moving;
- `content_kind`: what the first bytes say a file is, whatever its name;
- `looks_complete`: a cheap probe, chosen by the content, that the bytes are all there (zip
  central directory, PDF trailer, OLE container sectors, image end or size markers);
- `RetryPolicy`: the back-off for a file that is not complete yet.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

TEMP_PREFIX = "."
"""Outputs are first written as `.<final name>.tmp-<hex>` beside their final name."""
TEMP_MARKER = ".tmp-"

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


# --- what a file is, from its first bytes --------------------------------------------------

HEAD_BYTES = 1024
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a first member, or the end of an empty zip
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
GIF_MAGICS = (b"GIF87a", b"GIF89a")
TIFF_MAGICS = (b"II*\x00", b"MM\x00*")
IMAGE_KINDS = frozenset({"png", "jpeg", "gif", "bmp", "tiff"})
_BMP_INFO_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def _is_bmp(head: bytes) -> bool:
    """Starts "BM", with reserved words zero and a known DIB header size (two letters alone
    prove little: a text may start with them)."""
    if len(head) < 18 or not head.startswith(b"BM"):
        return False
    reserved, _offset, info_size = struct.unpack_from("<III", head, 6)
    return reserved == 0 and info_size in _BMP_INFO_SIZES


_MAGIC_KINDS: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    ("zip", lambda head: head.startswith(ZIP_MAGICS)),
    ("cfb", lambda head: head.startswith(CFB_MAGIC)),
    ("png", lambda head: head.startswith(PNG_MAGIC)),
    ("jpeg", lambda head: head.startswith(JPEG_MAGIC)),
    ("gif", lambda head: head.startswith(GIF_MAGICS)),
    ("bmp", _is_bmp),
    ("tiff", lambda head: head.startswith(TIFF_MAGICS)),
    ("pdf", lambda head: PDF_MAGIC in head[:HEAD_BYTES]),  # a PDF may start after some junk
)


def content_kind(head: bytes) -> str | None:
    """What the first bytes of a file say it is: "zip", "cfb" (an OLE container), "pdf", "png",
    "jpeg", "gif", "bmp", "tiff", or None when they say nothing known."""
    return next((kind for kind, matches in _MAGIC_KINDS if matches(head)), None)


# --- are all the bytes there? -----------------------------------------------------------------

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
    return PDF_MAGIC in head and b"%%EOF" in tail


def _png_complete(path: Path) -> bool:
    head, tail = _read_ends(path, _TAIL)
    return head.startswith(PNG_MAGIC) and tail.endswith(_PNG_END)


def _jpeg_complete(path: Path) -> bool:
    head, tail = _read_ends(path, _TAIL)
    return head.startswith(b"\xff\xd8") and b"\xff\xd9" in tail.rstrip(b"\x00")[-16:]


def _gif_complete(path: Path) -> bool:
    """A GIF ends with its trailer byte ";" (a pre-sized file still ends in zeros)."""
    _head, tail = _read_ends(path, 1)
    return tail == b";"


def _bmp_complete(path: Path) -> bool:
    """A BMP is as long as the size in its header says (0 there: nothing to check)."""
    head, _tail = _read_ends(path, 6)
    return path.stat().st_size >= _number("<I", head, 2)


def _tiff_complete(path: Path) -> bool:
    """The first image directory (its offset is in the header) lies inside the file and is not
    still zeros: writers often put it last."""
    with path.open("rb") as stream:
        head = stream.read(8)
        order = "<" if head.startswith(b"II") else ">"
        offset = _number(f"{order}I", head, 4)
        stream.seek(offset)
        entries = _number(f"{order}H", stream.read(2).ljust(2, b"\x00"), 0)
        size = os.fstat(stream.fileno()).st_size
    return offset >= 8 and entries > 0 and offset + 2 + 12 * entries + 4 <= size


def _number(layout: str, data: bytes, offset: int) -> int:
    return int(struct.unpack_from(layout, data, offset)[0])


# --- OLE compound files (CFB): encrypted Office files, old .doc/.xls --------------------------

_CFB_FREE = 0xFFFFFFFF
_CFB_FAT_SECTOR = 0xFFFFFFFD
_CFB_HEADER_FAT = 109  # FAT sector numbers held in the header itself


@dataclass(frozen=True)
class _CfbHeader:
    sector: int  # 512 (version 3) or 4096 (version 4); the header takes one sector's room
    fat_count: int
    fat_in_header: tuple[int, ...]
    difat_start: int
    difat_count: int


def _cfb_header(data: bytes) -> _CfbHeader | None:
    if len(data) < 512 or not data.startswith(CFB_MAGIC):
        return None
    major, order, shift = struct.unpack_from("<HHH", data, 26)
    if order != 0xFFFE or (major, shift) not in {(3, 9), (4, 12)}:
        return None
    (fat_count,) = struct.unpack_from("<I", data, 44)
    difat_start, difat_count = struct.unpack_from("<II", data, 68)
    listed = struct.unpack_from(f"<{_CFB_HEADER_FAT}I", data, 76)
    return _CfbHeader(1 << shift, fat_count, listed, difat_start, difat_count)


def _cfb_complete(path: Path) -> bool:
    """The size is whole sectors, and every sector the allocation table (FAT) uses is there:
    the FAT sectors are read and must mark themselves as FAT sectors (not still zeros)."""
    with path.open("rb") as stream:
        header = _cfb_header(stream.read(512))
        size = os.fstat(stream.fileno()).st_size
        if header is None or size % header.sector:
            return False
        sectors = size // header.sector - 1
        if not 0 < header.fat_count <= sectors:
            return False
        fat_ids = _cfb_fat_ids(stream, header, sectors)
        return fat_ids is not None and _cfb_fat_fits(stream, header, fat_ids, sectors)


def _cfb_sector(stream: BinaryIO, header: _CfbHeader, number: int) -> bytes:
    stream.seek((number + 1) * header.sector)
    return stream.read(header.sector)


def _cfb_fat_ids(stream: BinaryIO, header: _CfbHeader, sectors: int) -> list[int] | None:
    """Where the FAT sectors are: listed in the header, then in a chain of DIFAT sectors."""
    ids = list(header.fat_in_header[: min(header.fat_count, _CFB_HEADER_FAT)])
    following = header.difat_start
    for _ in range(min(header.difat_count, sectors)):
        if following >= sectors:
            return None
        block = _cfb_sector(stream, header, following)
        entries = struct.unpack(f"<{len(block) // 4}I", block)
        ids += entries[:-1]
        following = entries[-1]
    ids = ids[: header.fat_count]
    complete = len(ids) == header.fat_count and all(i < sectors for i in ids)
    return ids if complete else None


def _cfb_fat_fits(stream: BinaryIO, header: _CfbHeader, fat_ids: list[int], sectors: int) -> bool:
    data = b"".join(_cfb_sector(stream, header, number) for number in fat_ids)
    fat = struct.unpack(f"<{len(data) // 4}I", data)
    if any(number >= len(fat) or fat[number] != _CFB_FAT_SECTOR for number in fat_ids):
        return False
    used = max((n for n, entry in enumerate(fat) if entry != _CFB_FREE), default=-1)
    return used < sectors


_PROBES: dict[str, Callable[[Path], bool]] = {
    "zip": _zip_complete,
    "cfb": _cfb_complete,
    "pdf": _pdf_complete,
    "png": _png_complete,
    "jpeg": _jpeg_complete,
    "gif": _gif_complete,
    "bmp": _bmp_complete,
    "tiff": _tiff_complete,
}


def looks_complete(path: Path) -> bool:
    """Cheap check that all of a file's bytes have arrived, judged by what its content is.

    The name is not consulted: a PDF named .xlsx is checked as a PDF, a password-protected
    Office file (an OLE container, whatever its name) as an OLE container. Never raises and never
    rejects: False means "not yet" (retry later), True means the format's end or size markers
    are in place. Content of no known kind is True, to be judged (and answered) by the stage.
    An empty file, or one pre-sized with zeros (Windows sets the length first and fills it
    later), is False until its bytes are written.
    """
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
        if not head.strip(b"\x00"):
            return False
        kind = content_kind(head)
        return kind is None or _PROBES[kind](path)
    except (OSError, struct.error) as error:
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
