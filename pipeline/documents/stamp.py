"""Visible text stamps on a PDF, added as an incremental update (pyHanko): the bytes that were
there stay exactly as they were."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.stamp import TextStamp, TextStampStyle
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from pipeline.documents.pdfium import opened

MARGIN = 60  # clear of a typical footer
LINE = 13.0  # the stamp's line height (pyHanko's default 10 pt type), with its frame below
FRAME = 24.0


def stamp_text(pdf: bytes, text: str, *, last_page: bool = True) -> bytes:
    """`pdf` with a boxed `text` near the bottom-left corner of its last (or first) page."""
    page = len(PdfReader(io.BytesIO(pdf)).pages) - 1 if last_page else 0
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stamp = TextStamp(writer, style=TextStampStyle(stamp_text=text, border_width=1))
    stamp.apply(page, MARGIN, MARGIN)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # pyHanko's writer is not annotated
    return out.getvalue()


def stamp_record(pdf: bytes, text: str) -> bytes:
    """`pdf` with the boxed `text` on its last page where it fits under the last line of text
    (never over the signature block), else on a page of its own added at the end."""
    height = LINE * (text.count("\n") + 1) + FRAME
    if not _room_at_bottom(pdf, MARGIN + height):
        pdf = _with_blank_page(pdf)
    return stamp_text(pdf, text)


def _room_at_bottom(pdf: bytes, top: float) -> bool:
    """No text on the last page between the footer (below MARGIN) and `top` (points from the
    bottom edge)."""
    with opened(pdf) as document:
        page = document[len(document) - 1]
        bottom = float(page.get_cropbox()[1])
        textpage = page.get_textpage()
        boxes = [textpage.get_rect(n) for n in range(textpage.count_rects())]
    return all(y1 - bottom < MARGIN or y0 - bottom > top for _, y0, _, y1 in boxes)


def _with_blank_page(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    last = writer.pages[-1]
    page = writer.add_blank_page(float(last.mediabox.width), float(last.mediabox.height))
    page[NameObject("/Contents")] = writer._add_object(DecodedStreamObject())  # stamps need one
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
