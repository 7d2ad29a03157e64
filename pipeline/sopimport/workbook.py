"""Reading the sheets of an Excel .xlsx for the importer: values, merged ranges, fills, marks.

openpyxl gives the values Excel last saved, the merged ranges and each cell's fill; the
pictures and shapes that mark actors come from `drawings`. Each worksheet is one grid; a sheet
is read up to `MAX_ROWS` rows and `MAX_COLUMNS` columns (formatting applied to whole columns
makes `max_row` huge while the table is small).
"""

from __future__ import annotations

import logging
import warnings
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles.fills import GradientFill
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.core.errors import ConfigError
from pipeline.sopimport.drawings import Axis, marked_cells, sheet_drawings
from pipeline.sopimport.grid import Cell, Grid, Source, clean, rectangle, shown_colour

log = logging.getLogger(__name__)

MAX_ROWS = 1000
MAX_COLUMNS = 60
EMU_PER_PIXEL = 9525
EMU_PER_POINT = 12700
DEFAULT_WIDTH = 8.43  # characters: Excel's default column width
DEFAULT_HEIGHT = 15.0  # points: Excel's default row height
WHITE_INDEXES = frozenset({9, 64})  # indexed colours white and "system foreground" (no fill)
READ_ERRORS = (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError)


def read_xlsx(path: Path) -> Source:
    book = _open(path)
    with zipfile.ZipFile(path) as archive:
        drawings = sheet_drawings(archive)
    grids = tuple(_grid(sheet, drawings.get(sheet.title, b"")) for sheet in book.worksheets)
    log.debug("%s: %d sheet(s), drawings on %s", path.name, len(grids), sorted(drawings))
    return Source(path.name, grids)


def _open(path: Path) -> Any:
    try:
        with warnings.catch_warnings():  # "extension is not supported": nothing we read
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(path, data_only=True)
    except READ_ERRORS as exc:
        raise ConfigError(
            f"{path.name} cannot be read as an Excel workbook ({exc}); open it in Excel or "
            "LibreOffice and save it as .xlsx"
        ) from exc


def _grid(sheet: Any, drawing: bytes) -> Grid:
    height, width = min(sheet.max_row, MAX_ROWS), min(sheet.max_column, MAX_COLUMNS)
    if sheet.max_row > MAX_ROWS or sheet.max_column > MAX_COLUMNS:
        log.info("sheet %r read up to row %d, column %d", sheet.title, height, width)
    drawn = _drawn(sheet, drawing) if drawing else set()
    rows = [
        [_cell(cell, (cell.row, cell.column) in drawn) for cell in row]
        for row in sheet.iter_rows(min_row=1, max_row=height, min_col=1, max_col=width)
    ]
    for merged in sheet.merged_cells.ranges:
        _spread(rows, merged.bounds)
    return rectangle(rows)


def _drawn(sheet: Any, drawing: bytes) -> set[tuple[int, int]]:
    """The cells under the sheet's marks; a mark over a merged cell marks its first cell."""
    found = marked_cells(drawing, _columns(sheet), _rows(sheet))
    return {_merged_origin(sheet, position) for position in found}


def _merged_origin(sheet: Any, position: tuple[int, int]) -> tuple[int, int]:
    row, column = position
    for merged in sheet.merged_cells.ranges:
        first_column, first_row, last_column, last_row = merged.bounds
        if first_row <= row <= last_row and first_column <= column <= last_column:
            return first_row, first_column
    return position


def _spread(rows: list[list[Cell]], bounds: tuple[int, int, int, int]) -> None:
    """Every position of a merged range holds its first cell, `continued` after the first."""
    first_column, first_row, last_column, last_row = bounds
    if first_row > len(rows) or first_column > len(rows[first_row - 1]):
        return
    origin = rows[first_row - 1][first_column - 1]
    for row in range(first_row, min(last_row, len(rows)) + 1):
        for column in range(first_column, min(last_column, len(rows[row - 1])) + 1):
            if (row, column) != (first_row, first_column):
                rows[row - 1][column - 1] = replace(origin, continued=True)


def _cell(cell: Any, drawn: bool) -> Cell:
    return Cell(clean(_text(cell.value)), drawn, _fill(cell))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return f"{value:%d-%m-%Y}"
    return str(value)


def _fill(cell: Any) -> str | None:
    fill = cell.fill
    if isinstance(fill, GradientFill):
        return "gradient"
    if fill is None or fill.fill_type in {None, "none"}:
        return None
    return _colour(fill.fgColor)


def _colour(colour: Any) -> str | None:
    if colour.type == "rgb" and isinstance(colour.rgb, str):
        return shown_colour(colour.rgb[-6:])
    if colour.type == "theme":  # theme 0 is the page's background (white) unless tinted
        return None if colour.theme == 0 and not colour.tint else f"theme{colour.theme}"
    if colour.type == "indexed":
        return None if colour.indexed in WHITE_INDEXES else f"indexed{colour.indexed}"
    return None


# --- column widths and row heights, for where a drawing sits -----------------------------------


def _columns(sheet: Any) -> Axis:
    default = sheet.sheet_format.defaultColWidth or DEFAULT_WIDTH
    widths: dict[int, float] = {}
    for dimension in sheet.column_dimensions.values():
        width = 0.0 if dimension.hidden else dimension.width or default
        for index in range(dimension.min or 1, (dimension.max or dimension.min or 1) + 1):
            widths[index - 1] = width
    return Axis(lambda index: _pixels(widths.get(index, default)) * EMU_PER_PIXEL)


def _pixels(width: float) -> int:
    """A column's width on screen: characters of the default font, 7 pixels each, plus 5."""
    return round(width * 7 + 5) if width else 0


def _rows(sheet: Any) -> Axis:
    default = sheet.sheet_format.defaultRowHeight or DEFAULT_HEIGHT
    heights: dict[int, float] = {}
    for number, dimension in sheet.row_dimensions.items():
        heights[number - 1] = 0.0 if dimension.hidden else dimension.ht or default
    return Axis(lambda index: round(heights.get(index, default) * EMU_PER_POINT))
