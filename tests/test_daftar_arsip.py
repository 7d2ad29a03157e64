"""Daftar Arsip Aktif: written with openpyxl, read back with openpyxl and as raw sheet XML."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.archive.daftar import HEADERS, ArsipRow, write_daftar_arsip

OFFICE = "Dinas Perpustakaan dan Kearsipan Kabupaten Tanjung Jabung Barat"
ROWS = [
    ArsipRow(
        "000.5.2",
        "Laporan Kinerja triwulan I DK-2026-001",
        "Januari-Maret 2026",
        "1 berkas",
        "Asli",
        "TTE sah",
    ),
    ArsipRow("000.5.2", '=HYPERLINK("http://x","klik")', "2026", "1 berkas", "Asli", "+62 812"),
    ArsipRow("000.5.3", "-1+2", "2026", "2 berkas", "Salinan", "@SUM(A1:A2)"),
]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    dest = tmp_path / "archive" / "daftar-arsip.xlsx"
    write_daftar_arsip(ROWS, dest, office=OFFICE)
    return dest


def test_title_header_and_rows_read_back(written: Path) -> None:
    sheet = openpyxl.load_workbook(written).active
    assert sheet["A1"].value == "DAFTAR ARSIP AKTIF"
    assert sheet["A2"].value == OFFICE
    header = [c.value for c in sheet[4]]
    assert tuple(header) == HEADERS
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert body[0] == [1, *ROWS[0].__dict__.values()]
    assert [row[0] for row in body] == [1, 2, 3]
    assert len(body) == 3


def test_formula_looking_text_stays_text(written: Path) -> None:
    sheet = openpyxl.load_workbook(written).active
    for address, expected in (
        ("C6", ROWS[1].uraian),
        ("G6", "+62 812"),
        ("C7", "-1+2"),
        ("G7", "@SUM(A1:A2)"),
    ):
        cell = sheet[address]
        assert cell.value == expected
        assert cell.data_type == "s"
        assert cell.quotePrefix is True
    assert sheet["C5"].quotePrefix is False
    with zipfile.ZipFile(written) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_rewrite_replaces_the_list_and_leaves_no_temp_file(written: Path) -> None:
    write_daftar_arsip(ROWS[:1], written, office=OFFICE)
    sheet = openpyxl.load_workbook(written).active
    assert sheet.max_row == 5
    assert [p.name for p in written.parent.iterdir()] == ["daftar-arsip.xlsx"]


def test_control_characters_are_dropped(tmp_path: Path) -> None:
    dest = tmp_path / "daftar.xlsx"
    write_daftar_arsip([ArsipRow("000", "a\x00b\x07c", "2026", "1", "Asli")], dest, office=OFFICE)
    assert openpyxl.load_workbook(dest).active["C5"].value == "abc"


def test_empty_list_still_has_the_header(tmp_path: Path) -> None:
    dest = tmp_path / "daftar.xlsx"
    write_daftar_arsip([], dest, office=OFFICE)
    sheet = openpyxl.load_workbook(dest).active
    assert tuple(c.value for c in sheet[4]) == HEADERS
    assert sheet.max_row == 4
