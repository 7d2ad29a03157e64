"""The bidang data form, written pre-filled for each bidang (read back by
`pipeline.inputs.forms`)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core.capaian import Periode, periode, target_periode
from pipeline.core.forms import CASE_LABEL, HEADER_ROW, HEADERS, OWNER_LABEL, SHEET
from pipeline.core.office import Bidang
from pipeline.inputs.cells import (
    set_text,
)

# --- writing the form -----------------------------------------------------------------------


def build_form(bidang: Bidang, case_id: str, period: str, office: str) -> bytes:
    """A pre-filled .xlsx form for one bidang; only Realisasi and Keterangan are to be filled."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    _title_block(ws, bidang, case_id, period, office)
    _table(ws, bidang, periode(period))
    _print_setup(ws)
    ws.protection.sheet = True  # only Realisasi and Keterangan are unlocked; no password
    wb.properties.title = f"Formulir Data Kinerja {case_id}"
    wb.properties.subject = case_id
    wb.properties.keywords = f"{case_id} {bidang.slug}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.freeze_panes = f"A{HEADER_ROW + 1}"


def _title_block(ws: Worksheet, bidang: Bidang, case_id: str, period: str, office: str) -> None:
    set_text(ws["A1"], f"FORMULIR DATA KINERJA — {office}")
    ws["A1"].font = Font(bold=True, size=13)
    for row, (label, value) in enumerate(
        (
            (CASE_LABEL, case_id),
            ("Periode", period),
            ("Bidang", bidang.nama),
            (OWNER_LABEL, bidang.slug),
        ),
        start=2,
    ):
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        set_text(ws.cell(row=row, column=2), value)
    hint = (
        "Isi kolom Realisasi (angka) dan Keterangan saja, simpan, lalu letakkan file ini di "
        f"inbox/bidang/{bidang.slug}/. Nama file boleh diubah asal nomor kasus tetap ada."
    )
    set_text(ws.cell(row=2, column=4), hint)
    ws.cell(row=2, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=4, end_row=4, end_column=7)


def _table(ws: Worksheet, bidang: Bidang, period: Periode) -> None:
    fill = PatternFill("solid", fgColor="FFF2CC")
    for col, name in enumerate(HEADERS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True)
    for offset, ind in enumerate(bidang.iku, start=1):
        row = HEADER_ROW + offset
        values: tuple[str | float, ...] = (
            ind.kode,
            ind.nama,
            ind.satuan,
            target_periode(ind, period).nilai,  # the target of the report's period
            ind.polaritas.value,
        )
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value)
        for col in (6, 7):
            editable = ws.cell(row=row, column=col)
            editable.fill = fill
            editable.protection = Protection(locked=False)
        ws.cell(row=row, column=2).alignment = Alignment(wrap_text=True)
    for letter, width in zip("ABCDEFG", (14, 55, 14, 12, 11, 14, 40), strict=True):
        ws.column_dimensions[letter].width = width


def _put(ws: Worksheet, row: int, col: int, value: str | float) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
