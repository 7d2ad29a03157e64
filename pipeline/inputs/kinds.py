"""First look at every drop: what it really is, and whether it is safe to parse.

Nothing here trusts the file name. `check_drop` reads the first bytes (`intake.content_kind`,
and for zip-based Office files the central directory and part names) to decide the kind, then
applies the limits in `Limits` before any parser sees the file:

- size: larger than `max_bytes` is rejected without reading it;
- zip (xlsx/docx): member count, total declared uncompressed size and compression ratio come
  from the central directory, so a zip bomb is refused before anything is inflated. Python's
  `zipfile` never inflates a member past its declared size (it fails the CRC instead), so the
  declared sizes are an upper bound for every later reader (openpyxl, python-docx, docxtpl);
- XML: Office never writes a document type declaration, so any XML part carrying `<!DOCTYPE`
  is refused; this closes XXE and entity-expansion (billion laughs) for every later parser.
  openpyxl parses with lxml (`resolve_entities=False`) and defusedxml, python-docx with lxml
  (`resolve_entities=False`); the tests check both against generated hostile files as well;
- active content (DDE, external links, embedded objects, ActiveX, templates) in a .docx/.xlsx
  is refused by `pipeline.inputs.active` once the zip and XML checks have passed;
- PDF: header, end marker (truncation), encryption and page count, through `open_pdf`, the one
  reader of a dropped PDF (the signature check opens PDFs with it too);
- images (PNG, JPEG, GIF, BMP, TIFF): end or size markers (truncation);
- formats refused at every inbox, each named in its reason: password-protected Office files and
  old .xls/.doc (OLE containers), bare BIFF2-BIFF5 worksheets, RTF, Excel Binary (.xlsb),
  OpenDocument.

Every refusal is a `Rejected` whose `alasan` and `saran` are written for staff, in Indonesian.
"""

from __future__ import annotations

import logging
import math
import struct
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from pipeline.core.errors import Rejected
from pipeline.inputs.active import check_active_content, is_xml_part, part_types
from pipeline.inputs.content import CFB_MAGIC as CFB_MAGIC  # re-exported: tests build OLE heads
from pipeline.inputs.content import IMAGE_KINDS, content_kind, looks_complete
from pipeline.inputs.pdf import check_structure
from pipeline.inputs.probe import file_contains, read_head, read_tail, stream_contains, truncated

log = logging.getLogger(__name__)

MIB = 1024 * 1024
KINDS = frozenset({"xlsx", "docx", "pdf", "image"})

KIND_LABELS = {
    "xlsx": "buku kerja Excel (.xlsx)",
    "docx": "dokumen Word (.docx)",
    "pdf": "PDF",
    "image": "gambar (PNG/JPEG/GIF/BMP/TIFF)",
}
SUFFIX_KINDS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xlsb": "xlsx",
    ".docx": "docx",
    ".docm": "docx",
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".gif": "image",
    ".bmp": "image",
    ".tif": "image",
    ".tiff": "image",
}
SUFFIX_NOUNS = {"xlsx": "buku kerja Excel", "docx": "dokumen Word", "pdf": "PDF", "image": "gambar"}

RTF_MAGIC = b"{\\rtf"
BIFF_BOFS = frozenset({0x0009, 0x0209, 0x0409, 0x0809})  # BOF record of BIFF2, 3, 4, 5/8
BIFF_BOF_SIZES = frozenset({4, 6, 8, 16})
BIFF_DOCUMENTS = frozenset({0x0005, 0x0006, 0x0010, 0x0020, 0x0040, 0x0100})
ENCRYPTED_OOXML_MARK = "EncryptionInfo".encode("utf-16-le")
DOCTYPE_MARKS = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))
MACRO_CONTENT_TYPE = "macroEnabled"
HEAD_BYTES = 1024
TAIL_BYTES = 2048
RATIO_FLOOR = MIB  # members smaller than this are too small for their ratio to matter
SCAN_CHUNK = MIB

# what reading a damaged zip can raise: bad headers, bad deflate data, an unsupported method,
# a password-protected member
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)
SAVE_AGAIN = "Simpan ulang berkas di aplikasinya, lalu kirim lagi."


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one drop; checked before any parser reads the file."""

    max_bytes: int = 50 * MIB
    max_members: int = 2000
    max_uncompressed: int = 300 * MIB
    max_ratio: float = 200.0


DEFAULT_LIMITS = Limits()


# --- the entry point -----------------------------------------------------------------------


def check_drop(path: Path, accepted: Collection[str], limits: Limits = Limits()) -> str:
    """Return the kind of `path` ("xlsx", "docx", "pdf" or "image") judged from its content.

    Raises `Rejected` when the file is empty, too large, truncated, encrypted, macro-enabled,
    a zip bomb, carries XML with a DTD or active content, is of a format refused everywhere, or
    is of a kind not in `accepted` (whatever its name says).
    """
    unknown = set(accepted) - KINDS
    if unknown:
        raise ValueError(f"unknown kinds: {sorted(unknown)}")
    _check_size(path, limits)
    kind = _sniff(path, limits)
    if kind is None or kind not in accepted:
        raise _wrong_kind(path, kind, accepted)
    log.debug("%s looks like %s", path.name, kind)
    return kind


def _check_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size == 0:
        raise Rejected("file kosong (0 byte)", SAVE_AGAIN)
    if size > limits.max_bytes:
        raise Rejected(
            f"file terlalu besar ({_mib(size)} MB, batas {_mib(limits.max_bytes)} MB)",
            "Perkecil berkas (misalnya kompres gambar atau pisahkan lampiran), lalu kirim lagi.",
        )


def _mib(size: int) -> str:
    return f"{math.ceil(size * 10 / MIB) / 10:.1f}".replace(".", ",")


def _sniff(path: Path, limits: Limits) -> str | None:
    head = read_head(path)
    content = content_kind(head)
    if content == "zip":
        return check_ooxml(path, limits)
    if content == "cfb":
        raise _cfb_rejection(path)
    if content == "pdf":
        check_structure(path)
        return "pdf"
    if content in IMAGE_KINDS:
        _check_image_end(path, content)
        return "image"
    _refuse_other_formats(head)
    return None


def _wrong_kind(path: Path, kind: str | None, accepted: Collection[str]) -> Rejected:
    wanted = " atau ".join(KIND_LABELS[k] for k in sorted(accepted)) or "berkas yang diminta"
    claimed = SUFFIX_KINDS.get(path.suffix.lower())
    if claimed is not None and claimed != kind:
        noun = SUFFIX_NOUNS[claimed]
        alasan = f"isi file bukan {noun} walaupun namanya {path.suffix.lower()}"
    elif kind is None:
        alasan = "isi file tidak dikenali (bukan Excel, Word, PDF, atau gambar)"
    else:
        alasan = f"isi file berupa {KIND_LABELS[kind]}, yang tidak diterima di folder ini"
    saran = f"Kirim {wanted} yang dibuka dan disimpan dari aplikasinya, bukan hasil ganti nama."
    return Rejected(alasan, saran if accepted else SAVE_AGAIN)


# --- OLE / CFB containers, and the other formats refused everywhere --------------------------


def _cfb_rejection(path: Path) -> Rejected:
    if file_contains(path, ENCRYPTED_OOXML_MARK):
        app = "Word" if path.suffix.lower() in {".docx", ".docm", ".doc"} else "Excel"
        return Rejected(
            f"file {app} dilindungi kata sandi",
            f"Buka di {app}, hapus kata sandinya (File > Info), simpan, lalu kirim lagi.",
        )
    return _old_format()


def _old_format() -> Rejected:
    return Rejected(
        "format lama (.xls/.doc) tidak diterima",
        "Buka di Excel atau Word lalu simpan sebagai .xlsx atau .docx, kemudian kirim lagi.",
    )


def _refuse_other_formats(head: bytes) -> None:
    """RTF, and an old worksheet saved by Excel 2.x-5.0 as a bare BIFF stream (no container)."""
    if head.startswith(RTF_MAGIC):
        raise Rejected(
            "format RTF tidak diterima",
            "Buka di Word lalu simpan sebagai .docx (Dokumen Word), kemudian kirim lagi.",
        )
    if _is_biff(head):
        raise _old_format()


def _is_biff(head: bytes) -> bool:
    """A BOF record at offset 0: its type, a plausible length and a known document type."""
    if len(head) < 8:
        return False
    record, size, _version, document = struct.unpack_from("<HHHH", head)
    return record in BIFF_BOFS and size in BIFF_BOF_SIZES and document in BIFF_DOCUMENTS


# --- zip-based Office files -------------------------------------------------------------------


def check_ooxml(path: Path, limits: Limits = Limits()) -> str:
    """Check a zip-based file against `limits` and say whether it is "xlsx" or "docx".

    Macro-enabled, binary (.xlsb), OpenDocument and unknown zips, XML parts with a DTD, and
    active content (`pipeline.inputs.active`, checked last) are rejected.
    """
    with open_zip(path, limits) as archive:
        kind = _ooxml_kind(archive)
        _refuse_doctypes(archive)
    check_active_content(path, kind)
    return kind


def open_zip(path: Path, limits: Limits = Limits()) -> zipfile.ZipFile:
    """Open `path` as a zip after checking its central directory against `limits`."""
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_READ_ERRORS as exc:
        log.info("%s: not a readable zip: %s", path.name, exc)
        raise Rejected(
            "file rusak atau tidak lengkap (terpotong)",
            "Tunggu sampai penyimpanan selesai, atau simpan ulang berkas lalu kirim lagi.",
        ) from exc
    try:
        check_zip_limits(archive.infolist(), limits)
    except Rejected:
        archive.close()
        raise
    return archive


def check_zip_limits(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse a zip bomb from its central directory alone: count, total size and ratios."""
    if len(members) > limits.max_members:
        raise _bomb(f"berisi terlalu banyak bagian ({len(members)}, batas {limits.max_members})")
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed:
        raise _bomb(f"isi setelah dibuka terlalu besar ({_mib(total)} MB)")
    packed = max(1, sum(m.compress_size for m in members))
    big = [m for m in members if m.file_size >= RATIO_FLOOR]
    ratios = [total / packed] + [m.file_size / max(1, m.compress_size) for m in big]
    if total >= RATIO_FLOOR and max(ratios) > limits.max_ratio:
        raise _bomb(f"rasio pemampatan tidak wajar ({max(ratios):.0f}:1)")


def _bomb(alasan: str) -> Rejected:
    return Rejected(
        f"file mencurigakan: {alasan}",
        "Berkas ini tidak dapat diproses. Simpan ulang dari Excel atau Word lalu kirim lagi.",
    )


def _ooxml_kind(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    if "mimetype" in names and "[Content_Types].xml" not in names:
        raise Rejected(
            "format OpenDocument (.ods/.odt) tidak diterima",
            "Simpan sebagai .xlsx atau .docx (Simpan Sebagai > format Microsoft), lalu kirim lagi.",
        )
    types = _content_types(archive) if "[Content_Types].xml" in names else ""
    if "xl/workbook.bin" in names:
        raise Rejected(
            "buku kerja Excel Biner (.xlsb) tidak diterima",
            "Buka di Excel lalu simpan sebagai .xlsx (Buku Kerja Excel), kemudian kirim lagi.",
        )
    if "xl/workbook.xml" in names:
        _refuse_macros(names, types, "buku kerja", ".xlsm", ".xlsx")
        return "xlsx"
    if "word/document.xml" in names:
        _refuse_macros(names, types, "dokumen", ".docm", ".docx")
        return "docx"
    raise Rejected(
        "isi file berupa arsip zip, bukan Excel (.xlsx) atau Word (.docx)",
        "Kirim berkas aslinya yang disimpan dari Excel atau Word, bukan arsip zip.",
    )


def _content_types(archive: zipfile.ZipFile) -> str:
    if not _has_doctype(archive, "[Content_Types].xml"):
        return archive.read("[Content_Types].xml").decode("utf-8", "replace")
    raise _dtd_rejection("[Content_Types].xml")


def _refuse_macros(names: set[str], types: str, noun: str, macro_ext: str, plain_ext: str) -> None:
    """VBA projects, Excel 4.0 macro sheets, and any macro-enabled content type."""
    has_vba = any(n.lower().endswith("vbaproject.bin") for n in names)
    has_xlm = any(n.lower().startswith("xl/macrosheets/") for n in names)
    if has_vba or has_xlm or MACRO_CONTENT_TYPE in types:
        raise Rejected(
            f"{noun} berisi makro ({macro_ext}) tidak diterima",
            f"Simpan sebagai {plain_ext} (tanpa makro), lalu kirim lagi.",
        )


def _refuse_doctypes(archive: zipfile.ZipFile) -> None:
    """Every XML part, by name or by the content type [Content_Types].xml declares for it."""
    for name, content_type in _part_types(archive).items():
        if is_xml_part(name, content_type) and _has_doctype(archive, name):
            raise _dtd_rejection(name)


def _part_types(archive: zipfile.ZipFile) -> dict[str, str]:
    names = archive.namelist()
    if "[Content_Types].xml" not in names:
        return dict.fromkeys(names, "")
    try:
        root = fromstring(_content_types(archive))
    except (ParseError, DefusedXmlException, ValueError) as exc:
        log.info("[Content_Types].xml unreadable: %s", exc)
        raise Rejected("file rusak (daftar isi paket tidak sah)", SAVE_AGAIN) from exc
    overrides = {
        e.get("PartName", ""): e.get("ContentType", "")
        for e in root.iter()
        if e.tag.endswith("}Override")
    }
    defaults = {
        e.get("Extension", ""): e.get("ContentType", "")
        for e in root.iter()
        if e.tag.endswith("}Default")
    }
    return part_types(names, overrides, defaults)


def _has_doctype(archive: zipfile.ZipFile, name: str) -> bool:
    try:
        with archive.open(name) as member:
            return stream_contains(iter(lambda: member.read(SCAN_CHUNK), b""), DOCTYPE_MARKS)
    except ZIP_READ_ERRORS as exc:
        log.info("zip member %s unreadable: %s", name, exc)
        raise Rejected(
            "file rusak atau tidak lengkap (terpotong)",
            "Tunggu sampai penyimpanan selesai, atau simpan ulang berkas lalu kirim lagi.",
        ) from exc


def _dtd_rejection(name: str) -> Rejected:
    log.warning("XML part %s declares a DTD; refused", name)
    return Rejected(
        "file mencurigakan: berisi deklarasi XML (DOCTYPE) yang tidak pernah dibuat Excel/Word",
        "Simpan ulang dari Excel atau Word lalu kirim lagi.",
    )


# --- images ------------------------------------------------------------------------------------


def _check_image_end(path: Path, content: str) -> None:
    if not _image_whole(path, content):
        raise truncated("gambar")


def _image_whole(path: Path, content: str) -> bool:
    if content == "png":
        return b"IEND" in read_tail(path)
    if content == "jpeg":
        return b"\xff\xd9" in read_tail(path)
    return looks_complete(path)  # GIF, BMP, TIFF: the end and size markers the watcher waits for
