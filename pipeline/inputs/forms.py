"""Reading a returned bidang form: validated against the bidang's IKU and normalised into
plain `BidangData` once, when it arrives; drafts and batch regeneration render from that."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.core.errors import Rejected, RejectedMany, Where
from pipeline.core.forms import HEADER_ROW, OWNER_LABEL, REQUIRED
from pipeline.core.office import Bidang
from pipeline.core.values import BidangData, DataRow
from pipeline.inputs.cells import SheetRows, cell_text, check_saved, locate_columns, parse_number
from pipeline.inputs.workbook import read_workbook

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
