"""Generators of good and hostile drops, written into a folder at test time.

Nothing here is a committed binary: every file is built by openpyxl, python-docx, pypdf or by
hand from documented byte layouts. Each `make_*` function takes a folder, writes one file into
it and returns its path; the optional `name` sets the file name (the extension is part of the
trick for renamed files).

`CORPUS` lists every hostile kind with the inbox kinds it is dropped against and a fragment the
Indonesian rejection reason (`Rejected.alasan`) must contain, so end-to-end tests can be
parametrised over it: `@pytest.mark.parametrize("hostile", CORPUS, ids=lambda h: h.kind)`.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
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


def make_owner_locked_pdf(folder: Path, name: str = "dibatasi.pdf") -> Path:
    """A PDF with only an owner password (permissions): it opens without a password."""
    return _encrypt(make_pdf(folder, name), user_password="")


def _encrypt(path: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.encrypt(user_password=user_password, owner_password="pemilik", algorithm="AES-128")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def make_pdf_without_pages(folder: Path, name: str = "tanpa-halaman.pdf") -> Path:
    """A well-formed PDF whose page tree is empty."""
    path = folder / name
    path.write_bytes(pdf_bytes([]))
    return path


# --- OLE / CFB containers ------------------------------------------------------------------------


def cfb_bytes(streams: Sequence[str]) -> bytes:
    """Bytes shaped like an OLE compound file: CFB header plus a directory naming `streams`.

    Enough for content sniffing (magic D0 CF 11 E0 and UTF-16 directory names), not a file
    Office could open.
    """
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:34] = struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    entries = b"".join(_cfb_entry(n, 5 if i == 0 else 2) for i, n in enumerate(streams))
    directory = entries.ljust(512 * ((len(entries) + 511) // 512), b"\x00")
    return bytes(header) + directory + os.urandom(4096)


def _cfb_entry(name: str, kind: int) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le")
    return encoded.ljust(64, b"\x00") + struct.pack("<HB", len(encoded), kind).ljust(64, b"\x00")


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
    Hostile("truncated-xlsx", make_truncated_xlsx, XLSX, "terpotong"),
    Hostile("truncated-docx", make_truncated_docx, DOCX, "terpotong"),
    Hostile("truncated-pdf", make_truncated_pdf, PDF, "terpotong"),
    Hostile("truncated-png", make_truncated_png, DISPOSISI, "terpotong"),
    Hostile("encrypted-pdf", make_encrypted_pdf, PDF, "dilindungi kata sandi"),
    Hostile("pdf-without-pages", make_pdf_without_pages, PDF, "tidak berisi halaman"),
    Hostile("password-xlsx", make_password_xlsx, XLSX, "file Excel dilindungi kata sandi"),
    Hostile("password-docx", make_password_docx, DOCX, "file Word dilindungi kata sandi"),
    Hostile("legacy-xls", make_legacy_xls, XLSX, "format lama"),
    Hostile("xlsm", make_xlsm, XLSX, "berisi makro (.xlsm)"),
    Hostile("docm", make_docm, DOCX, "berisi makro (.docm)"),
    Hostile("zip-bomb-members", make_zip_bomb_members, DOCX, "terlalu banyak bagian"),
    Hostile("zip-bomb-ratio", make_zip_bomb_ratio, XLSX, "rasio pemampatan"),
    Hostile("xxe-docx", lambda d: make_xxe_docx(d, _outside_secret(d)), DOCX, "DOCTYPE"),
    Hostile("xxe-xlsx", lambda d: make_xxe_xlsx(d, _outside_secret(d)), XLSX, "DOCTYPE"),
    Hostile("billion-laughs-docx", make_billion_laughs_docx, DOCX, "DOCTYPE"),
    Hostile("billion-laughs-xlsx", make_billion_laughs_xlsx, XLSX, "DOCTYPE"),
)
"""Every hostile kind `safety.check_drop` refuses, with the kinds of the inbox it targets."""
