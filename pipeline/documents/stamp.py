"""Visible text stamps on a PDF, added as an incremental update (pyHanko): the bytes that were
there stay exactly as they were."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.stamp import TextStamp, TextStampStyle
from pypdf import PdfReader

MARGIN = 60  # clear of a typical footer


def stamp_text(pdf: bytes, text: str, *, last_page: bool = True) -> bytes:
    """`pdf` with a boxed `text` near the bottom-left corner of its last (or first) page."""
    page = len(PdfReader(io.BytesIO(pdf)).pages) - 1 if last_page else 0
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stamp = TextStamp(writer, style=TextStampStyle(stamp_text=text, border_width=1))
    stamp.apply(page, MARGIN, MARGIN)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # pyHanko's writer is not annotated
    return out.getvalue()
