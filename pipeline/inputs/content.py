"""What a file is from its first bytes, and whether all of its bytes have arrived: judged by
the content, never by what the name claims, so that a renamed or locked file is answered at
once instead of being waited for."""

from __future__ import annotations

import logging
import os
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

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
