"""The Daftar Arsip Aktif (active-records list) as an Excel workbook.

Interface:

    write_daftar_arsip(rows, archive / "daftar-arsip.xlsx", office="Dinas Perpustakaan ...")

Columns follow the standard list: No, Kode Klasifikasi, Uraian, Kurun Waktu, Jumlah, Tingkat
Perkembangan, Keterangan. The file is written under a temporary name in the destination folder,
fsynced and renamed over the previous list (it is regenerated from the bags, never edited).

Text from users is always stored as text: a value starting with = + - @ is written as a string
cell with Excel's quote prefix, so it is neither a formula now nor after someone edits the cell.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from pipeline.store.fsops import atomic_writer

log = logging.getLogger(__name__)

TITLE = "DAFTAR ARSIP AKTIF"
HEADERS = (
    "No",
    "Kode Klasifikasi",
    "Uraian",
    "Kurun Waktu",
    "Jumlah",
    "Tingkat Perkembangan",
    "Keterangan",
)
WIDTHS = (6, 18, 60, 16, 12, 22, 40)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_ROW = 4
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True)
class ArsipRow:
    """One archived case (one bag) as a line of the list."""

    kode_klasifikasi: str
    uraian: str
    kurun_waktu: str
    jumlah: str
    tingkat_perkembangan: str
    keterangan: str = ""


def write_daftar_arsip(
    rows: Sequence[ArsipRow], dest: Path, *, office: str, title: str = TITLE
) -> None:
    """Write the list to `dest` atomically (temp file in the same folder, fsync, rename).

    The workbook is streamed (openpyxl's write-only mode): memory and time grow with the rows
    written, not with a whole sheet of cell objects held at once."""
    workbook = Workbook(write_only=True)
    sheet: Any = workbook.create_sheet("Daftar Arsip Aktif")
    _set_up(sheet, len(rows))
    for row_number, text in ((1, title), (2, office)):
        font = Font(bold=True, size=13 if row_number == 1 else 11)
        sheet.append([_text(sheet, text, font=font, alignment=Alignment(horizontal="center"))])
    sheet.append([])
    sheet.append([_header(sheet, header) for header in HEADERS])
    for number, row in enumerate(rows, start=1):
        sheet.append(_line(sheet, number, row))
    _save_atomically(workbook, dest)
    log.info("daftar arsip written: %s (%d rows)", dest, len(rows))


def _set_up(sheet: Any, count: int) -> None:
    """What a streamed sheet must be told before its rows: widths, merges, panes, filter."""
    last = get_column_letter(len(HEADERS))
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row_number in (1, 2):
        sheet.merged_cells.add(f"A{row_number}:{last}{row_number}")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(count, 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"


def _header(sheet: Any, header: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=header)
    cell.font = Font(bold=True)
    cell.border = _BORDER
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def _line(sheet: Any, number: int, row: ArsipRow) -> list[WriteOnlyCell]:
    values = (
        row.kode_klasifikasi,
        row.uraian,
        row.kurun_waktu,
        row.jumlah,
        row.tingkat_perkembangan,
        row.keterangan,
    )
    first = WriteOnlyCell(sheet, value=number)
    first.border = _BORDER
    return [first, *(_text(sheet, v, border=_BORDER, alignment=_TOP) for v in values)]


def _text(sheet: Any, value: str, **style: Any) -> WriteOnlyCell:
    """`value` as a string cell, never as a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _save_atomically(workbook: Workbook, dest: Path) -> None:
    with atomic_writer(dest) as handle:
        workbook.save(handle)
