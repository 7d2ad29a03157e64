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

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

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
    """Write the list to `dest` atomically (temp file in the same folder, fsync, rename)."""
    workbook = Workbook()
    sheet: Worksheet = workbook.active
    sheet.title = "Daftar Arsip Aktif"
    _write_title(sheet, title, office)
    _write_header(sheet)
    for number, row in enumerate(rows, start=1):
        _write_row(sheet, HEADER_ROW + number, number, row)
    _finish(sheet, len(rows))
    _save_atomically(workbook, dest)
    log.info("daftar arsip written: %s (%d rows)", dest, len(rows))


def _write_title(sheet: Worksheet, title: str, office: str) -> None:
    last = len(HEADERS)
    for row, text in ((1, title), (2, office)):
        _set_text(sheet.cell(row=row, column=1), text)
        sheet.cell(row=row, column=1).font = Font(bold=True, size=13 if row == 1 else 11)
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)


def _write_header(sheet: Worksheet) -> None:
    for column, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=header)
        cell.font = Font(bold=True)
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[cell.column_letter].width = width


def _write_row(sheet: Worksheet, at: int, number: int, row: ArsipRow) -> None:
    values = (
        row.kode_klasifikasi,
        row.uraian,
        row.kurun_waktu,
        row.jumlah,
        row.tingkat_perkembangan,
        row.keterangan,
    )
    sheet.cell(row=at, column=1, value=number).border = _BORDER
    for column, value in enumerate(values, start=2):
        cell = sheet.cell(row=at, column=column)
        _set_text(cell, value)
        cell.border = _BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def _set_text(cell: Cell, value: str) -> None:
    """Store `value` as a string cell; never as a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _finish(sheet: Worksheet, count: int) -> None:
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    last_column = sheet.cell(row=HEADER_ROW, column=len(HEADERS)).column_letter
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + max(count, 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"


def _save_atomically(workbook: Workbook, dest: Path) -> None:
    with atomic_writer(dest) as handle:
        workbook.save(handle)
