"""One streaming pass over a worksheet part: its size, and what calamine's values leave out.

python-calamine gives "" alike for an empty cell, an error value (#DIV/0!, #N/A) and a formula
whose value was never saved, and it gives no number formats. This pass reads those cells from
the sheet XML. It runs before calamine loads the sheet, and it measures the sheet as it goes:
calamine allocates the whole rectangle from the first to the last cell at once, so a sheet
holding only A1 and XFD1048576 asks for 512 GiB and aborts the process. The pass stops as soon
as the cells, or the rectangle from A1 to the last row and column, exceed its limit.

Cells are placed as calamine places them (`src/xlsx/cells_reader.rs`), inside `sheetData`
only: a cell's `r` gives its place; a cell without `r` follows the previous one; a row's `r`
sets the row, and a row without one follows the previous row. A reference outside Excel's grid
raises `ValueError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO

from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter

from pipeline.inputs.xml_stream import Handler, StopReading, stream

Position = tuple[int, int]  # (row, column), both 1-based as Excel numbers them

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_ROW_REF = re.compile(r"[A-Za-z]{0,3}([0-9]{1,7})")


class TooManyCells(Exception):
    """The sheet holds more cells, or spans a larger rectangle, than the limit allows."""


@dataclass(frozen=True)
class CellMarks:
    """What one worksheet part says beyond calamine's values."""

    area: int  # cells in the rectangle from A1 to the last row and column used
    errors: Mapping[Position, str]  # cached error values, e.g. "#DIV/0!"
    uncached: Mapping[Position, str]  # formulas without a saved value, e.g. "=2*5"
    percent: frozenset[Position]  # numbers whose number format shows a percentage


def scan_sheet(source: IO[bytes], percent_styles: frozenset[int], limit: int) -> CellMarks:
    """Read the `sheetData` of one worksheet part; raise `TooManyCells` beyond `limit` cells."""
    scan = _Scan(percent_styles, limit)
    stream(source, scan)
    return scan.marks()


@dataclass
class _Cell:
    """One `<c>` element as it is read: its attributes, `<v>` text and `<f>` text."""

    attributes: dict[str, str]
    value: str | None = None
    formula: str | None = None
    formula_attributes: dict[str, str] = field(default_factory=dict)
    reading: str | None = None
    parts: list[str] = field(default_factory=list)

    def open(self, name: str, attributes: dict[str, str]) -> None:
        self.reading, self.parts = name, []
        if name == "f":
            self.formula_attributes = attributes

    def close(self) -> None:
        text = "".join(self.parts)
        if self.reading == "v":
            self.value = text
        else:
            self.formula = text
        self.reading = None


class _Scan(Handler):
    """The `xml_stream` handler: places each cell, measures the sheet, notes what matters."""

    def __init__(self, percent_styles: frozenset[int], limit: int) -> None:
        self.percent_styles = percent_styles
        self.limit = limit
        self.inside = False  # within sheetData
        self.cell: _Cell | None = None
        self.row = self.column = 0  # 0-based, the next cell's place when it has no `r`
        self.last = (-1, -1)
        self.count = 0
        self.errors: dict[Position, str] = {}
        self.uncached: dict[Position, str] = {}
        self.percent: set[Position] = set()
        self.shared: dict[str, tuple[str, Position]] = {}

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if not self.inside:
            self.inside = name == "sheetData"
        elif name == "row":
            reference = attributes.get("r")
            self.row = self.row if reference is None else _row_index(reference)
        elif name == "c":
            self.cell = _Cell(attributes)
        elif name in ("v", "f") and self.cell is not None:
            self.cell.open(name, attributes)

    def end(self, name: str) -> None:
        if not self.inside:
            return
        if name == "sheetData":
            raise StopReading
        if name == "row":
            self.row, self.column = self.row + 1, 0
        elif name == "c" and self.cell is not None:
            self._place(self.cell)
            self.cell = None
        elif name in ("v", "f") and self.cell is not None and self.cell.reading == name:
            self.cell.close()

    def text(self, data: str) -> None:
        if self.cell is not None and self.cell.reading is not None:
            self.cell.parts.append(data)

    def marks(self) -> CellMarks:
        area = (self.last[0] + 1) * (self.last[1] + 1)
        return CellMarks(area, self.errors, self.uncached, frozenset(self.percent))

    def _place(self, cell: _Cell) -> None:
        reference = cell.attributes.get("r")
        row = self.row
        if reference is not None:
            row, self.column = _cell_index(reference)
        self._measure(row, self.column)
        self._classify((row + 1, self.column + 1), cell)
        self.column += 1

    def _measure(self, row: int, column: int) -> None:
        self.count += 1
        self.last = (max(self.last[0], row), max(self.last[1], column))
        if self.count > self.limit or (self.last[0] + 1) * (self.last[1] + 1) > self.limit:
            raise TooManyCells(f"more than {self.limit} cells")

    def _classify(self, at: Position, cell: _Cell) -> None:
        kind = cell.attributes.get("t", "n")
        if cell.formula is not None:
            self._remember_shared(cell, at)
        if kind == "e" and cell.value:
            self.errors[at] = cell.value.strip()
        elif cell.formula is not None and _is_uncached(kind, cell.value):
            self.uncached[at] = "=" + (cell.formula or self._shared_formula(cell, at))
        elif kind == "n" and cell.value and self._shows_percent(cell):
            self.percent.add(at)

    def _shows_percent(self, cell: _Cell) -> bool:
        return int(cell.attributes.get("s") or 0) in self.percent_styles

    def _remember_shared(self, cell: _Cell, at: Position) -> None:
        if cell.formula_attributes.get("t") == "shared" and cell.formula:
            self.shared[cell.formula_attributes.get("si", "")] = (cell.formula, at)

    def _shared_formula(self, cell: _Cell, at: Position) -> str:
        """The formula a cell shares with an earlier one (`<f t="shared" si=…/>`), moved here."""
        master = self.shared.get(cell.formula_attributes.get("si", ""))
        if cell.formula_attributes.get("t") != "shared" or master is None:
            return ""
        text, origin = master
        moved = Translator("=" + text, origin=_coordinate(origin))
        return str(moved.translate_formula(_coordinate(at)))[1:]


def _is_uncached(kind: str, value: str | None) -> bool:
    """No value saved: no `<v>`, or an empty one (a cached empty text keeps `t="str"`)."""
    return value is None or (not value and kind != "str")


def _cell_index(reference: str) -> tuple[int, int]:
    """0-based (row, column) of a reference such as "B7"."""
    match = _CELL_REF.fullmatch(reference)
    if match is None:
        raise ValueError(f"bad cell reference {reference!r}")
    column = 0
    for letter in match[1].upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return _checked(int(match[2]), column)


def _row_index(reference: str) -> int:
    match = _ROW_REF.fullmatch(reference)
    if match is None:
        raise ValueError(f"bad row reference {reference!r}")
    return _checked(int(match[1]), 1)[0]


def _checked(row: int, column: int) -> tuple[int, int]:
    if not (1 <= row <= MAX_ROWS and 1 <= column <= MAX_COLUMNS):
        raise ValueError(f"cell outside the sheet: row {row}, column {column}")
    return row - 1, column - 1


def _coordinate(at: Position) -> str:
    return f"{get_column_letter(at[1])}{at[0]}"
