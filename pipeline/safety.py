"""First look at every drop: what it really is, and whether it is safe to parse.

Nothing here trusts the file name. `check_drop` reads the first bytes (and, for zip-based Office
files, the central directory and part names) to decide the kind, then applies the limits in
`Limits` before any parser sees the file:

- size: larger than `max_bytes` is rejected without reading it;
- zip (xlsx/docx): member count, total declared uncompressed size and compression ratio come
  from the central directory, so a zip bomb is refused before anything is inflated. Python's
  `zipfile` never inflates a member past its declared size (it fails the CRC instead), so the
  declared sizes are an upper bound for every later reader (openpyxl, python-docx, docxtpl);
- XML: Office never writes a document type declaration, so any XML part carrying `<!DOCTYPE`
  is refused; this closes XXE and entity-expansion (billion laughs) for every later parser.
  openpyxl parses with lxml (`resolve_entities=False`) and defusedxml, python-docx with lxml
  (`resolve_entities=False`); the tests check both against generated hostile files as well;
- PDF: header, end marker (truncation), encryption and page count via pypdf.

Every refusal is a `Rejected` whose `alasan` and `saran` are written for staff, in Indonesian.
"""

from __future__ import annotations

import io
import logging
import math
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring, iterparse
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from pipeline.errors import Rejected, Where

log = logging.getLogger(__name__)

MIB = 1024 * 1024
KINDS = frozenset({"xlsx", "docx", "pdf", "image"})

KIND_LABELS = {
    "xlsx": "buku kerja Excel (.xlsx)",
    "docx": "dokumen Word (.docx)",
    "pdf": "PDF",
    "image": "gambar (PNG/JPEG/TIFF)",
}
SUFFIX_KINDS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".docx": "docx",
    ".docm": "docx",
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
SUFFIX_NOUNS = {"xlsx": "buku kerja Excel", "docx": "dokumen Word", "pdf": "PDF", "image": "gambar"}

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*")
PDF_MAGIC = b"%PDF-"
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


@dataclass(frozen=True)
class PdfFacts:
    """What a readable PDF holds: its page count and the text of its first pages."""

    pages: int
    text: str


# --- the entry point -----------------------------------------------------------------------


def check_drop(path: Path, accepted: Collection[str], limits: Limits = Limits()) -> str:
    """Return the kind of `path` ("xlsx", "docx", "pdf" or "image") judged from its content.

    Raises `Rejected` when the file is empty, too large, truncated, encrypted, macro-enabled,
    a zip bomb, carries XML with a DTD, or is of a kind not in `accepted` (whatever its name says).
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
    head = _read_head(path)
    if head.startswith(b"PK"):
        return check_ooxml(path, limits)
    if head.startswith(CFB_MAGIC):
        raise _cfb_rejection(path)
    if PDF_MAGIC in head:
        _check_pdf_structure(path)
        return "pdf"
    if _is_image(head):
        _check_image_end(path, head)
        return "image"
    return None


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _read_tail(path: Path) -> bytes:
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - TAIL_BYTES))
        return handle.read()


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


# --- OLE / CFB containers: encrypted Office files and the old binary formats ----------------


def _cfb_rejection(path: Path) -> Rejected:
    if _file_contains(path, ENCRYPTED_OOXML_MARK):
        app = "Word" if path.suffix.lower() in {".docx", ".docm", ".doc"} else "Excel"
        return Rejected(
            f"file {app} dilindungi kata sandi",
            f"Buka di {app}, hapus kata sandinya (File > Info), simpan, lalu kirim lagi.",
        )
    return Rejected(
        "format lama (.xls/.doc) tidak diterima",
        "Buka di Excel atau Word lalu simpan sebagai .xlsx atau .docx, kemudian kirim lagi.",
    )


def _file_contains(path: Path, needle: bytes) -> bool:
    with path.open("rb") as handle:
        return _stream_contains(iter(lambda: handle.read(SCAN_CHUNK), b""), (needle,))


def _stream_contains(chunks: Iterator[bytes], needles: tuple[bytes, ...]) -> bool:
    overlap = max(len(n) for n in needles) - 1
    carry = b""
    for chunk in chunks:
        window = carry + chunk
        if any(n in window for n in needles):
            return True
        carry = window[-overlap:]
    return False


# --- zip-based Office files -------------------------------------------------------------------


def check_ooxml(path: Path, limits: Limits = Limits()) -> str:
    """Check a zip-based file against `limits` and say whether it is "xlsx" or "docx".

    Macro-enabled, OpenDocument and unknown zips, and XML parts with a DTD, are rejected.
    """
    with open_zip(path, limits) as archive:
        kind = _ooxml_kind(archive)
        _refuse_doctypes(archive)
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
    has_vba = any(n.lower().endswith("vbaproject.bin") for n in names)
    if has_vba or MACRO_CONTENT_TYPE in types:
        raise Rejected(
            f"{noun} berisi makro ({macro_ext}) tidak diterima",
            f"Simpan sebagai {plain_ext} (tanpa makro), lalu kirim lagi.",
        )


def _refuse_doctypes(archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        if _is_xml_part(info.filename) and _has_doctype(archive, info.filename):
            raise _dtd_rejection(info.filename)


def _is_xml_part(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _has_doctype(archive: zipfile.ZipFile, name: str) -> bool:
    try:
        with archive.open(name) as member:
            return _stream_contains(iter(lambda: member.read(SCAN_CHUNK), b""), DOCTYPE_MARKS)
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


def _is_image(head: bytes) -> bool:
    return head.startswith((PNG_MAGIC, JPEG_MAGIC, *TIFF_MAGICS))


def _check_image_end(path: Path, head: bytes) -> None:
    tail = _read_tail(path)
    if head.startswith(PNG_MAGIC) and b"IEND" not in tail:
        raise _truncated("gambar")
    if head.startswith(JPEG_MAGIC) and b"\xff\xd9" not in tail:
        raise _truncated("gambar")


def _truncated(noun: str) -> Rejected:
    return Rejected(
        f"file {noun} terpotong (tidak lengkap)",
        "Tunggu sampai penyalinan selesai, atau simpan ulang berkas lalu kirim lagi.",
    )


# --- PDF -------------------------------------------------------------------------------------


def _check_pdf_structure(path: Path) -> None:
    if b"%%EOF" not in _read_tail(path):
        raise _truncated("PDF")
    _open_pdf(path)


def check_pdf(path: Path, text_pages: int = 5) -> PdfFacts:
    """Open a PDF with pypdf: its page count and the text of its first `text_pages` pages.

    Encrypted (needing a password to open), page-less and unreadable PDFs raise `Rejected`.
    A PDF restricted only by an owner password opens without one and is accepted.
    """
    reader = _open_pdf(path)
    pages = len(reader.pages)
    texts = [_page_text(reader, number) for number in range(min(pages, text_pages))]
    return PdfFacts(pages=pages, text="\n".join(texts))


def _open_pdf(path: Path) -> PdfReader:
    try:
        reader = PdfReader(path, strict=False)
        _unlock(reader)
        pages = len(reader.pages)
    except Rejected:
        raise
    except Exception as exc:  # a malformed PDF may raise anything from deep inside pypdf
        log.info("%s: unreadable PDF: %r", path.name, exc)
        raise Rejected("file PDF rusak dan tidak dapat dibuka", SAVE_AGAIN) from exc
    if pages == 0:
        raise Rejected(
            "PDF tidak berisi halaman", "Cetak ulang ke PDF dari dokumennya lalu kirim lagi."
        )
    return reader


def _unlock(reader: PdfReader) -> None:
    if reader.is_encrypted and not reader.decrypt(""):
        raise Rejected(
            "file PDF dilindungi kata sandi",
            "Simpan ulang tanpa kata sandi lalu kirim lagi.",
        )


def _page_text(reader: PdfReader, number: int) -> str:
    try:
        return reader.pages[number].extract_text()
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        log.info("no text from page %d: %r", number + 1, exc)
        raise Rejected(
            "isi halaman PDF tidak dapat dibaca", SAVE_AGAIN, Where(page=number + 1)
        ) from exc


# --- text of a .docx -------------------------------------------------------------------------

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCX_TEXT_PARTS = ("word/header", "word/document.xml", "word/footer")


def docx_text(path: Path, limits: Limits = Limits()) -> str:
    """The visible text of a .docx: headers, body (tables and text boxes too), footers.

    The zip is checked against `limits`; each XML part is streamed through defusedxml with
    DTDs forbidden, and paragraphs are cleared as they are read, so no large tree is held.
    Paragraphs are separated by newlines.
    """
    with open_zip(path, limits) as archive:
        parts = _docx_text_parts(archive.namelist())
        if "word/document.xml" not in parts:
            raise Rejected("isi file bukan dokumen Word", "Kirim dokumen Word (.docx) yang asli.")
        return "\n".join(_part_text(archive, name) for name in parts)


def _docx_text_parts(names: list[str]) -> list[str]:
    wanted = [n for n in names if n.startswith(DOCX_TEXT_PARTS) and n.endswith(".xml")]
    order = {prefix: rank for rank, prefix in enumerate(DOCX_TEXT_PARTS)}
    return sorted(wanted, key=lambda n: (order[next(p for p in order if n.startswith(p))], n))


def _part_text(archive: zipfile.ZipFile, name: str) -> str:
    try:
        with archive.open(name) as member:
            return "\n".join(_paragraphs(member))
    except DefusedXmlException as exc:
        raise _dtd_rejection(name) from exc
    except ParseError as exc:
        log.info("XML part %s unreadable: %s", name, exc)
        raise Rejected("dokumen Word rusak (XML tidak sah)", SAVE_AGAIN) from exc
    except ZIP_READ_ERRORS as exc:
        raise _truncated("Word") from exc


def _paragraphs(member: IO[bytes]) -> Iterator[str]:
    for _event, element in iterparse(member, events=("end",), forbid_dtd=True):
        if element.tag == f"{W_NS}p":
            text = _paragraph_text(element)
            element.clear()
            if text:
                yield text


_RUN_TEXT: dict[str, Callable[[Element], str]] = {
    f"{W_NS}t": lambda e: e.text or "",
    f"{W_NS}tab": lambda e: "\t",
    f"{W_NS}br": lambda e: "\n",
    f"{W_NS}cr": lambda e: "\n",
}


def _paragraph_text(paragraph: Element) -> str:
    pieces = (_RUN_TEXT[e.tag](e) for e in paragraph.iter() if e.tag in _RUN_TEXT)
    return "".join(pieces).strip()


def docx_properties(path: Path, limits: Limits = Limits()) -> dict[str, str]:
    """The custom document properties of a .docx (docProps/custom.xml), read safely.

    Word keeps them when staff edit and save, so they tell which rendered draft a file came from.
    """
    with open_zip(path, limits) as archive:
        if "docProps/custom.xml" not in archive.namelist():
            return {}
        try:
            root = fromstring(archive.read("docProps/custom.xml"))
        except (ParseError, DefusedXmlException, ValueError):
            return {}
    return {
        str(prop.get("name")): "".join(prop.itertext()).strip()
        for prop in root
        if prop.get("name") is not None
    }


def pdf_content(data: bytes) -> tuple[str, int]:
    """What a PDF shows, for comparing two PDFs: its text (whitespace folded) and its image count.

    A PDF that cannot be read gives ("", 0): nothing to compare.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        images = sum(len(page.images) for page in reader.pages)
    except Exception:
        return "", 0
    return " ".join(text.split()), images
