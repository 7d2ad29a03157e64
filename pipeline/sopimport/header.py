"""The SOP's number and name from its identity block.

The block is a table (often in the page header) with a label cell ("Nomor SOP", "No. SOP",
"Nama SOP", "Judul SOP") and the value in a cell to its right, possibly after a ":" cell; or a
line of text "Nomor SOP : 040/…". The first match in the document wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline.sopimport.grid import Source, clean

NOMOR = re.compile(r"^(?:nomor|no\.?)\s*sop\b\s*:?\s*(.*)$", re.IGNORECASE)
NAMA = re.compile(r"^(?:nama|judul)\s*sop\b\s*:?\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Header:
    nomor: str
    nama: str


def find_header(source: Source) -> Header:
    lines = list(_lines(source))
    return Header(nomor=_value(lines, NOMOR), nama=_value(lines, NAMA))


def _lines(source: Source) -> Iterator[list[str]]:
    """Each table row as its cells' texts (a merged cell once), then each loose line."""
    for grid in source.grids:
        for row in grid:
            yield [cell.text for cell in row if cell.text and not cell.continued]
    for line in source.lines:
        yield [line]


def _value(lines: Sequence[Sequence[str]], pattern: re.Pattern[str]) -> str:
    for cells in lines:
        for index, text in enumerate(cells):
            match = pattern.match(clean(text))
            value = match and (match.group(1).strip() or _next(cells[index + 1 :]))
            if value:
                return value
    return ""


def _next(cells: Sequence[str]) -> str:
    """The first cell after the label with more than a ":" in it."""
    return next((value for text in cells if (value := clean(text.lstrip(" :")))), "")
