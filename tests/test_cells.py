"""Headers, numbers and text as staff wrote them, and text written back safely (pipeline.inputs.cells).

Reading a workbook file is tested in test_workbook_reader.py.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.errors import Rejected, Where
from pipeline.inputs.cells import (
    SheetRows,
    UncachedFormula,
    cell_text,
    check_saved,
    formula_safe,
    locate_columns,
    parse_number,
    set_text,
)
from tests.support.tools import in_ci, require_program

HERE = Where(sheet="Data", row=7, column="Realisasi")


def convert(soffice: str, source: Path, fmt: str, outdir: Path) -> Path:
    """Convert with LibreOffice headless; skip (fail under CI) when Calc is not installed."""
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(outdir / 'lo').as_uri()}",
         "--convert-to", fmt, "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    result = outdir / f"{source.stem}.{fmt}"
    if not result.exists():
        message = "LibreOffice Calc is missing (package libreoffice-calc-nogui)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return result


# --- locate_columns ----------------------------------------------------------------------------

REQUIRED = ["Kode", "Indikator", "Satuan", "Target", "Realisasi"]


def test_header_found_below_a_title_in_any_order_and_spelling() -> None:
    sheet = SheetRows(
        "Data",
        (
            ("FORMULIR DATA KINERJA",),
            (),
            (None, "realisasi ", "KODE", "Indikator\u00a0", "  satuan", "Target\n", "Keterangan"),
            (None, 5, "IKU-1"),
        ),
    )
    row, columns = locate_columns(sheet, REQUIRED, ["Keterangan", "Sumber"])
    assert row == 3
    assert columns == {
        "Realisasi": 1,
        "Kode": 2,
        "Indikator": 3,
        "Satuan": 4,
        "Target": 5,
        "Keterangan": 6,
    }


def test_missing_headers_are_named_with_the_sheet() -> None:
    sheet = SheetRows("Bidang Layanan", (("Kode", "Indikator", "Satuan", "Nilai"),))
    with pytest.raises(Rejected) as caught:
        locate_columns(sheet, REQUIRED)
    assert "Target, Realisasi" in caught.value.alasan
    assert "Kode" not in caught.value.alasan
    assert caught.value.where == Where(sheet="Bidang Layanan", row=1)


def test_header_beyond_row_20_is_not_searched() -> None:
    rows = (*(() for _ in range(20)), ("Kode", "Realisasi"))
    with pytest.raises(Rejected, match="tidak ditemukan: Kode, Realisasi"):
        locate_columns(SheetRows("Data", rows), ["Kode", "Realisasi"])
    assert locate_columns(SheetRows("Data", rows[1:]), ["Kode", "Realisasi"])[0] == 20


def test_doubled_header_is_rejected() -> None:
    sheet = SheetRows("Data", (("Kode", "Realisasi", "REALISASI"),))
    with pytest.raises(Rejected, match="'Realisasi' muncul 2 kali"):
        locate_columns(sheet, ["Kode", "Realisasi"])


# --- parse_number -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, 7.0),
        (12.5, 12.5),
        ("1.234,5", 1234.5),
        ("1.234", 1234.0),
        ("1.234.567", 1234567.0),
        ("12,5", 12.5),
        ("1,234", 1.234),
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567.0),
        ("12.5", 12.5),
        ("0.123", 0.123),
        ("85%", 85.0),
        ("12,5 %", 12.5),
        ("  42 ", 42.0),
        ("\u00a01 234,5\u00a0", 1234.5),
        ("Rp 1.500.000", 1500000.0),
        ("+3", 3.0),
        ("0", 0.0),
    ],
)
def test_parse_number_reads_what_staff_type(value: object, expected: float) -> None:
    assert parse_number(value, HERE) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("tujuh", "berisi teks 'tujuh', isi dengan angka"),
        (None, "kosong"),
        ("   ", "kosong"),
        (-5, "negatif"),
        ("-1.234,5", "negatif"),
        (math.nan, "bukan angka"),
        (math.inf, "tak hingga"),
        (True, "BENAR/SALAH"),
        (dt.date(2026, 1, 2), "tanggal"),
        ("#DIV/0!", "galat rumus #DIV/0!"),
        ("1.23,5", "berisi teks '1.23,5'"),
        ("1,2,3", "berisi teks"),
        ("12..5", "berisi teks"),
        ("+-5", "berisi teks"),
        ("5-", "berisi teks"),
        ("1e5", "berisi teks"),
    ],
)
def test_parse_number_rejects_with_reason_and_place(value: object, fragment: str) -> None:
    with pytest.raises(Rejected) as caught:
        parse_number(value, HERE)
    assert fragment in caught.value.alasan
    assert caught.value.where == HERE
    assert "baris 7" in caught.value.message and "kolom Realisasi" in caught.value.message


@pytest.mark.parametrize("check", [parse_number, check_saved], ids=["number", "any-cell"])
def test_uncached_formula_says_to_save_in_excel(check: Callable[[object, Where], object]) -> None:
    with pytest.raises(Rejected) as caught:
        check(UncachedFormula("=SUM(B2:B4)"), HERE)
    assert caught.value.alasan == "nilai rumus belum tersimpan (=SUM(B2:B4))"
    assert "buka lalu simpan ulang di excel" in caught.value.saran.casefold()
    assert caught.value.where == HERE


@pytest.mark.parametrize("value", [None, "", "catatan", 0.0, "#N/A"])
def test_check_saved_lets_every_other_cell_through(value: object) -> None:
    check_saved(value, HERE)


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_indonesian_formatting_round_trips(number: object) -> None:
    whole, _, frac = f"{number:,.2f}".partition(".")
    text = whole.replace(",", ".") + "," + frac
    assert parse_number(text, HERE) == pytest.approx(float(str(number)))


@given(st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.none(), st.booleans()))
def test_parse_number_is_total(value: object) -> None:
    """Any cell ends as a non-negative finite number or as a Rejected with the place."""
    try:
        number = parse_number(value, HERE)
    except Rejected as rejected:
        assert rejected.where == HERE and rejected.alasan
    else:
        assert math.isfinite(number) and number >= 0


# --- cell_text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (12.0, "12"),
        (12.5, "12.5"),
        (0.1 + 0.2, "0.3"),
        (7, "7"),
        (True, "BENAR"),
        (dt.datetime(2026, 3, 1), "01-03-2026"),
        (dt.datetime(2026, 3, 1, 14, 5), "01-03-2026 14:05"),
        (dt.date(2025, 12, 31), "31-12-2025"),
        (dt.time(8, 30), "08:30"),
        ("  Perpustakaan\u00a0Keliling \r\n baris dua\x07 ", "Perpustakaan Keliling \n baris dua"),
        ("Cafe\u0301", "Café"),
        (UncachedFormula("=A1"), ""),
    ],
)
def test_cell_text(value: object, expected: str) -> None:
    assert cell_text(value) == expected


# --- formula_safe and set_text ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "  =cmd", "＝1"])
def test_formula_safe_prefixes_formula_triggers(text: str) -> None:
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Laporan", "1+1", "", "IKU-1", "a=b", "'=quoted"])
def test_formula_safe_leaves_plain_text(text: str) -> None:
    assert formula_safe(text) == text


def test_set_text_writes_a_string_cell_with_quote_prefix(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    set_text(sheet["A1"], '=HYPERLINK("http://contoh.invalid","klik")')
    set_text(sheet["A2"], "Laporan biasa")
    path = tmp_path / "keluar.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml
    reread = openpyxl.load_workbook(path)["Sheet"]
    assert reread["A1"].value == '=HYPERLINK("http://contoh.invalid","klik")'
    assert reread["A1"].data_type == "s"
    assert reread["A1"].quotePrefix is True
    assert reread["A2"].quotePrefix is False


@pytest.mark.libreoffice
def test_libreoffice_does_not_run_text_written_by_set_text(tmp_path: Path) -> None:
    soffice = require_program("soffice", "libreoffice")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    set_text(sheet["A1"], "=1+1")
    sheet["A2"] = "=1+1"  # the unsafe way, for contrast
    path = tmp_path / "keluar.xlsx"
    book.save(path)
    csv = convert(soffice, path, "csv", tmp_path / "out")
    assert csv.read_text(encoding="utf-8").splitlines() == ["=1+1", "2"]


def test_absurdly_large_numbers_are_refused() -> None:
    from pipeline.core.errors import Rejected, Where
    from pipeline.inputs.cells import parse_number

    assert parse_number("999.999.999.999", Where(row=7, column="Realisasi")) == 999_999_999_999.0
    with pytest.raises(Rejected, match="terlalu besar"):
        parse_number(1e308, Where(row=7, column="Realisasi"))
