"""Writing the number and the date into a document when it is numbered, as the agenda clerk
does by hand: the dotted line after "Nomor" and the one after the place in the signature block.

The initialled .docx itself is never changed (the paraf is on its exact bytes): the signing copy
is made from a filled-in copy of it. A document whose author already wrote a number or a date
keeps it; what was filled in is reported so that the signing copy's record can say so.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentObject
from docx.table import Table
from docx.text.paragraph import Paragraph

DOTS = re.compile(r"[.…]{3,}(?:[ .…]*[.…])?")
"""A dotted line to fill in by hand (three or more dots or ellipses)."""
NOMOR_LABEL = re.compile(r"^\s*nomor\b", re.IGNORECASE)


@dataclass(frozen=True)
class Blanks:
    """What to write: the number and the date, and the place that starts the date line."""

    nomor: str
    tanggal: str
    tempat: str


def fill_blanks(docx: bytes, blanks: Blanks) -> tuple[bytes, list[str]]:
    """`docx` with its number and date lines filled in, and what was filled ("nomor",
    "tanggal"); the same bytes when there was nothing to fill."""
    document = Document(io.BytesIO(docx))
    filled = []
    if blanks.nomor and _fill_first(document, _is_number_line, blanks.nomor):
        filled.append("nomor")
    if blanks.tanggal and _fill_first(document, _date_line(blanks.tempat), blanks.tanggal):
        filled.append("tanggal")
    if not filled:
        return docx, []
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), filled


def _is_number_line(text: str) -> bool:
    return bool(NOMOR_LABEL.match(text))


def _date_line(tempat: str) -> Callable[[str], bool]:
    place = tempat.strip().casefold()
    return lambda text: bool(place) and text.strip().casefold().startswith(f"{place},")


def _fill_first(document: DocumentObject, wanted: Callable[[str], bool], value: str) -> bool:
    for para in _paragraphs(document):
        if wanted(para.text) and DOTS.search(para.text):
            _replace_dots(para, value)
            return True
    return False


def _paragraphs(document: DocumentObject) -> Iterator[Paragraph]:
    yield from document.paragraphs
    for table in document.tables:
        yield from _table_paragraphs(table)


def _table_paragraphs(table: Table) -> Iterator[Paragraph]:
    for row in table.rows:
        for cell in row.cells:
            yield from cell.paragraphs
            for inner in cell.tables:
                yield from _table_paragraphs(inner)


def _replace_dots(para: Paragraph, value: str) -> None:
    """Replace the first dotted line, inside its run when it lies in one (formatting kept)."""
    for run in para.runs:
        if DOTS.search(run.text):
            run.text = DOTS.sub(value, run.text, count=1)
            return
    text = DOTS.sub(value, para.text, count=1)  # the dots span several runs: one run keeps all
    for n, run in enumerate(para.runs):
        run.text = text if n == 0 else ""
