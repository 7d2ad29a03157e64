"""A quick PDF maker for tests that do not need LibreOffice's layout: every line of the .docx
(headers, body, tables, footers; empty lines inside a paragraph kept) set in Helvetica on A4
pages, so that the signing copy is a real PDF the pipeline can seal and a scan can be matched
against, in milliseconds instead of a LibreOffice start."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

from pipeline.inputs.word import docx_text

WIDTH, HEIGHT = 595.0, 842.0
MARGIN, BOTTOM, SIZE, LEADING = 72.0, 110.0, 10.0, 14.0


def quick_pdf(docx: bytes, name: str) -> bytes:
    """`docx` as a plain text PDF (the `to_pdf` of a test app)."""
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "source.docx"
        source.write_bytes(docx)
        lines = docx_text(source).split("\n")
    return lines_pdf(lines)


def lines_pdf(lines: list[str]) -> bytes:
    writer = PdfWriter()
    font = _font(writer)
    for chunk in _pages(lines):
        page = writer.add_blank_page(WIDTH, HEIGHT)
        stream = DecodedStreamObject()
        stream.set_data(_content(chunk))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _font(writer: PdfWriter) -> object:
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    return writer._add_object(font)


def _pages(lines: list[str]) -> Iterator[list[str]]:
    per_page = int((HEIGHT - MARGIN - BOTTOM) // LEADING)
    for start in range(0, max(1, len(lines)), per_page):
        yield lines[start : start + per_page]


def _content(lines: list[str]) -> bytes:
    ops = [f"BT /F1 {SIZE} Tf {LEADING} TL {MARGIN} {HEIGHT - MARGIN} Td"]
    for line in lines:
        ops.append(f"({_escape(line[:95])}) '")
    ops.append("ET")
    return "\n".join(ops).encode("cp1252", errors="replace")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
