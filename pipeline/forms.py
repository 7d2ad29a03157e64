"""The bidang data form: written pre-filled for each bidang, read back and validated once.

A returned form becomes plain `BidangData`; drafts and batch regeneration render from that,
never by re-reading workbooks.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.cells import (
    SheetRows,
    cell_text,
    check_saved,
    locate_columns,
    parse_number,
    set_text,
)
from pipeline.config import Bidang
from pipeline.errors import Rejected, RejectedMany, Where
from pipeline.inputs.workbook import read_workbook

SHEET = "Data Kinerja"
HEADERS = ("Kode", "Indikator", "Satuan", "Target", "Polaritas", "Realisasi", "Keterangan")
REQUIRED = ("Kode", "Indikator", "Satuan", "Target", "Realisasi", "Keterangan")
HEADER_ROW = 6
CASE_LABEL = "Nomor kasus"
OWNER_LABEL = "Kode bidang"


@dataclass(frozen=True)
class DataRow:
    kode: str
    realisasi: float
    keterangan: str


@dataclass(frozen=True)
class BidangData:
    """What one bidang reported for one case, validated and normalised."""

    bidang: str
    rows: tuple[DataRow, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "bidang": self.bidang,
            "rows": [
                {"kode": r.kode, "realisasi": r.realisasi, "keterangan": r.keterangan}
                for r in self.rows
            ],
        }

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> BidangData:
        rows = raw["rows"]
        assert isinstance(rows, list)
        return cls(
            bidang=str(raw["bidang"]),
            rows=tuple(
                DataRow(str(r["kode"]), float(r["realisasi"]), str(r["keterangan"])) for r in rows
            ),
        )


# --- writing the form -----------------------------------------------------------------------


def build_form(bidang: Bidang, case_id: str, period: str, office: str) -> bytes:
    """A pre-filled .xlsx form for one bidang; only Realisasi and Keterangan are to be filled."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    _title_block(ws, bidang, case_id, period, office)
    _table(ws, bidang)
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


def _table(ws: Worksheet, bidang: Bidang) -> None:
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
            ind.target,
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


# --- reading it back ------------------------------------------------------------------------


def form_case_ids(sheets: Sequence[SheetRows]) -> str:
    """The text of the title block of every sheet, where a case id may be written."""
    return " ".join(cell_text(v) for s in sheets for row in s.rows[:HEADER_ROW] for v in row)


def read_form(path: Path, bidang: Bidang) -> tuple[BidangData, str]:
    """Validate a returned form; returns the data and the title-block text (for the case id)."""
    sheets = read_workbook(path)
    _check_owner(sheets, bidang)
    sheet, header_row, columns = _find_table(sheets)
    rows = _parse_rows(sheet, header_row, columns, bidang)
    return BidangData(bidang.slug, rows), form_case_ids(sheets)


def form_owner(sheets: Sequence[SheetRows]) -> str | None:
    """The bidang slug the issued form was made for (the cell right of 'Kode bidang')."""
    for sheet in sheets:
        for row in sheet.rows[:HEADER_ROW]:
            cells = [cell_text(v).strip() for v in row]
            if len(cells) > 1 and cells[0].casefold() == OWNER_LABEL.casefold():
                return cells[1] or None
    return None


def _check_owner(sheets: Sequence[SheetRows], bidang: Bidang) -> None:
    owner = form_owner(sheets)
    if owner and owner != bidang.slug:
        raise Rejected(
            f"formulir ini milik bidang '{owner}' (lihat sel Kode bidang), bukan {bidang.nama}",
            f"letakkan formulir ini di inbox/bidang/{owner}/; bila Anda dari {bidang.nama}, "
            f"isi formulir Anda sendiri dari outbox/bidang/{bidang.slug}/",
            resend=False,
        )


def _find_table(sheets: Sequence[SheetRows]) -> tuple[SheetRows, int, dict[str, int]]:
    first_error: Rejected | None = None
    for sheet in sheets:
        try:
            header_row, columns = locate_columns(sheet, REQUIRED)
        except Rejected as exc:
            first_error = first_error or exc
            continue
        return sheet, header_row, columns
    if first_error is None:
        raise Rejected("buku kerja tidak berisi sheet apa pun", "Kirim formulir yang diterbitkan.")
    raise first_error


def _parse_rows(
    sheet: SheetRows, header_row: int, columns: dict[str, int], bidang: Bidang
) -> tuple[DataRow, ...]:
    problems: list[Rejected] = []
    seen: dict[str, DataRow] = {}
    for number, values in enumerate(sheet.rows[header_row:], start=header_row + 1):
        try:
            row = _parse_row(sheet.name, number, values, columns, bidang)
        except Rejected as exc:
            problems.append(exc)
            continue
        if row is None:
            continue
        if row.kode in seen:
            problems.append(_duplicate(sheet.name, number, row.kode))
        seen[row.kode] = row
    problems.extend(_missing(sheet.name, bidang, _codes(sheet, header_row, columns)))
    if problems:
        raise RejectedMany(problems)
    return tuple(seen[i.kode] for i in bidang.iku)


def _cell(values: Sequence[object], index: int) -> object:
    return values[index] if index < len(values) else None


def _parse_row(
    sheet: str, number: int, values: Sequence[object], columns: dict[str, int], bidang: Bidang
) -> DataRow | None:
    kode = cell_text(_cell(values, columns["Kode"])).strip()
    if not kode:
        return None
    indikator = bidang.indikator(kode)
    if indikator is None:
        raise Rejected(
            f"kode indikator '{_shown(kode)}' tidak dikenal untuk {bidang.nama}",
            "Gunakan hanya kode yang ada di formulir yang diterbitkan.",
            Where(sheet=sheet, row=number, column="Kode"),
        )
    where = Where(sheet=sheet, row=number, column="Realisasi")
    realisasi = parse_number(_cell(values, columns["Realisasi"]), where)
    note_at = Where(sheet=sheet, row=number, column="Keterangan")
    keterangan = _keterangan(_cell(values, columns["Keterangan"]), note_at)
    return DataRow(indikator.kode, realisasi, keterangan)


def _shown(text: str, limit: int = 40) -> str:
    """A cell's text as quoted in a reason: whole, or its start when it is long."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _keterangan(value: object, where: Where) -> str:
    """The note as text; a formula with no saved value would silently become empty."""
    check_saved(value, where)
    return cell_text(value).strip()


def _duplicate(sheet: str, number: int, kode: str) -> Rejected:
    return Rejected(
        f"kode indikator '{kode}' muncul lebih dari sekali",
        "Hapus baris ganda sehingga setiap indikator hanya satu baris.",
        Where(sheet=sheet, row=number, column="Kode"),
    )


def _codes(sheet: SheetRows, header_row: int, columns: dict[str, int]) -> set[str]:
    """The codes written in the Kode column (casefolded), whatever else their rows hold."""
    return {
        cell_text(_cell(values, columns["Kode"])).strip().casefold()
        for values in sheet.rows[header_row:]
    }


def _missing(sheet: str, bidang: Bidang, codes: set[str]) -> list[Rejected]:
    """Indicators with no row at all (a row with a wrong value is reported for that value)."""
    return [
        Rejected(
            f"indikator {i.kode} ({i.nama}) tidak ada di formulir",
            "Kembalikan baris indikator itu dan isi kolom Realisasi.",
            Where(sheet=sheet),
        )
        for i in bidang.iku
        if i.kode.casefold() not in codes
    ]
