"""Reading a dropped .xlsx: every worksheet as plain rows of the values Excel last saved.

Values come from python-calamine. It reads workbooks that Excel opens and openpyxl refuses (a
workbook relationship to an external-link part that is not there raises `KeyError` in openpyxl,
a `<fill/>` or an unknown attribute in the styles part `TypeError`), it keeps each formula's
saved value, and with the pass below it reads a returned form about five times faster than the
two openpyxl loads it replaced (`bench/bench_forms.py`). openpyxl no longer opens a drop.

Before calamine loads a sheet, one pass over the sheet's XML (`xlsx_cells`) measures it against
the cell limit, because calamine allocates a sheet's whole rectangle at once, and records what
calamine's values leave out: error values, formulas without a saved value, and percentage
formats. The workbook is read from one copy of its bytes, so both readers see the same file.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum

from pipeline.core.errors import Rejected, Where
from pipeline.inputs.cells import SheetRows, UncachedFormula
from pipeline.inputs.kinds import DEFAULT_LIMITS, Limits, check_drop
from pipeline.inputs.xlsx_cells import CellMarks, Position, TooManyCells, scan_sheet
from pipeline.inputs.xlsx_package import (
    Package,
    declared_strings,
    percent_styles,
    read_package,
)

log = logging.getLogger(__name__)

MAX_CELLS = 200_000  # a data form has tens of rows; this bounds the time a bad drop holds others

Grid = list[list[object]]


def read_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[SheetRows, ...]:
    """Every worksheet of the .xlsx at `path`, with the values Excel last saved.

    The file is first passed through `safety.check_drop` (kind, size, zip and XML limits).
    A formula cell without a cached value becomes `UncachedFormula`; an error value is its text
    ("#DIV/0!"); a number shown as a percentage (number format with `%`) is returned as the
    number shown (0.85 → 85.0); numbers come as float, dates as `date` or `datetime`, times as
    `time`. Merged areas hold their value in the top-left cell only. Chart and dialog sheets are
    skipped. More than `MAX_CELLS` cells, or an unreadable workbook, raise `Rejected`.
    """
    check_drop(path, {"xlsx"}, limits)
    data = path.read_bytes()
    try:
        return _read(data)
    except Rejected:
        raise
    except Exception as exc:  # a malformed workbook may raise anything from either parser
        log.info("%s: unreadable workbook: %r", path.name, exc)
        raise Rejected(
            "buku kerja Excel rusak dan tidak dapat dibaca",
            "Buka di Excel, simpan ulang sebagai .xlsx, lalu kirim lagi.",
        ) from exc


def _read(data: bytes) -> tuple[SheetRows, ...]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        package = read_package(archive)
        if declared_strings(archive, package.shared_strings) > MAX_CELLS:
            raise _too_large(Where())
        percent = percent_styles(archive, package.styles)
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            return tuple(_worksheets(archive, package, percent, book))


def _worksheets(
    archive: zipfile.ZipFile, package: Package, percent: frozenset[int], book: CalamineWorkbook
) -> Iterator[SheetRows]:
    kinds = [sheet.typ for sheet in book.sheets_metadata]
    if len(kinds) != len(package.sheets):
        raise ValueError(
            f"calamine lists {len(kinds)} sheets, the workbook part {len(package.sheets)}"
        )
    budget = MAX_CELLS
    for index, (name, part) in enumerate(package.sheets):
        if kinds[index] != SheetTypeEnum.WorkSheet:
            continue
        marks = _scan(archive, name, part, percent, budget)
        budget -= marks.area
        yield _sheet_rows(book.get_sheet_by_index(index), marks)


def _scan(
    archive: zipfile.ZipFile, name: str, part: str, percent: frozenset[int], budget: int
) -> CellMarks:
    try:
        with archive.open(part) as source:
            return scan_sheet(source, percent, budget)
    except TooManyCells:
        raise _too_large(Where(sheet=name)) from None


def _too_large(where: Where) -> Rejected:
    return Rejected(
        f"buku kerja terlalu besar untuk formulir ini (lebih dari {MAX_CELLS:,} sel)".replace(
            ",", "."
        ),
        "Hapus lembar atau baris yang tidak diperlukan (cukup lembar formulir), simpan, lalu kirim lagi.",
        where,
    )


# --- calamine's values, completed --------------------------------------------------------------


def _sheet_rows(sheet: CalamineSheet, marks: CellMarks) -> SheetRows:
    grid: Grid = [
        [None if v == "" else v for v in row] for row in sheet.to_python(skip_empty_area=False)
    ]
    for at, text in marks.errors.items():
        _fill(grid, at, text)
    for at, formula in marks.uncached.items():
        _fill(grid, at, UncachedFormula(formula))
    for at in marks.percent:
        _scale(grid, at)
    return SheetRows(sheet.name, tuple(_trim_row(tuple(row)) for row in grid))


def _fill(grid: Grid, at: Position, value: object) -> None:
    """Put `value` where calamine saw nothing, growing the grid as needed."""
    row, column = at
    grid.extend([] for _ in range(row - len(grid)))
    cells = grid[row - 1]
    cells.extend(None for _ in range(column - len(cells)))
    if cells[column - 1] is None:
        cells[column - 1] = value


def _scale(grid: Grid, at: Position) -> None:
    """A percentage as shown: 0.85 formatted "0%" is 85.0 (Decimal avoids 0.07 → 7.000…01)."""
    row, column = at
    value = grid[row - 1][column - 1] if row <= len(grid) and column <= len(grid[row - 1]) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        grid[row - 1][column - 1] = float(Decimal(repr(value)) * 100)


def _trim_row(row: tuple[object, ...]) -> tuple[object, ...]:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]
