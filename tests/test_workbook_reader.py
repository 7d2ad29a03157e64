"""Reading a dropped workbook (pipeline.inputs.workbook) and a returned form through it.

Workbooks are written by openpyxl or LibreOffice at test time; where a test needs what Excel
writes and those do not (a formula's saved value, an error value, a shared formula), the sheet
part is edited to hold exactly that.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from python_calamine import CalamineWorkbook

from pipeline.core.errors import Rejected, RejectedMany
from pipeline.documents.forms import build_form
from pipeline.inputs.cells import SheetRows, UncachedFormula
from pipeline.inputs.forms import read_form
from pipeline.inputs.workbook import read_workbook
from pipeline.settings import Settings
from tests.support import hostile
from tests.support.tools import require_program
from tests.test_cells import convert

ROOT = Path(__file__).resolve().parent.parent
SHEET1 = "xl/worksheets/sheet1.xml"
SLUG = "layanan-perpustakaan"  # its IKU are LYN-01..LYN-03, on rows 7..9 of its form

Cell = str | tuple[str, str]  # new inner XML of a cell, or (type, inner XML)


def as_excel_saves(path: Path, cells: dict[str, Cell], part: str = SHEET1) -> Path:
    """Rewrite cells of a sheet part the way Excel writes them (style kept, type replaced)."""

    def edit(xml: bytes) -> bytes:
        for ref, cell in cells.items():
            kind, inner = cell if isinstance(cell, tuple) else ("", cell)
            typed = f' t="{kind}"' if kind else ""
            pattern = re.compile(rf'<c r="{ref}"([^>]*?)(?: t="\w+")?(?:/>|>.*?</c>)'.encode())
            new = f'<c r="{ref}"\\1{typed}>{inner}</c>'.encode()
            xml, count = pattern.subn(new, xml, count=1)
            assert count == 1, f"no cell {ref} in {part}"
        return xml

    return hostile.rewrite_zip(path, {part: edit})


# --- what calamine gives, and what the reader makes of it --------------------------------------


def every_kind_of_cell(folder: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    for ref, value in {
        "A1": "Judul",
        "A2": "=2*5",
        "A3": "=2*6",
        "A4": "=1/0",
        "A5": "=NA()",
        "A6": dt.datetime(2026, 3, 31),
        "A7": 0.85,
        "A8": True,
        "A9": 12.5,
        "B2": "gabungan",
        "A11": "setelah baris kosong",
        "A12": '=IF(A9>0,"","ada")',
        "A13": 7,
        "A14": 0.07,
        "A15": "=A9*2",
        "A16": "=A10*2",
        "A17": "#N/A",
    }.items():
        sheet[ref] = value
    sheet["A7"].number_format = "0%"
    sheet["A14"].number_format = '0.00"%"'  # a literal % sign does not scale the number
    sheet.merge_cells("B2:C3")
    path = folder / "jenis-sel.xlsx"
    book.save(path)
    return as_excel_saves(
        path,
        {
            "A2": "<f>2*5</f><v>10</v>",
            "A4": ("e", "<f>1/0</f><v>#DIV/0!</v>"),
            "A5": ("e", "<f>NA()</f><v>#N/A</v>"),
            "A12": ("str", '<f>IF(A9&gt;0,"","ada")</f><v></v>'),
            "A15": '<f t="shared" ref="A15:A16" si="0">A9*2</f><v>25</v>',
            "A16": '<f t="shared" si="0"/>',
            "A17": ("e", "<v>#N/A</v>"),
        },
    )


def test_what_calamine_itself_returns_for_each_kind_of_cell(tmp_path: Path) -> None:
    """The facts the reader is built on; if an upgrade changes one, the reader must follow."""
    with CalamineWorkbook.from_path(every_kind_of_cell(tmp_path)) as book:
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    column_a = [row[0] for row in rows]
    assert column_a == [
        "Judul",
        10.0,  # a formula with its saved value: the value
        "",  # a formula without one: the same as an empty cell
        "",  # #DIV/0!: also empty
        "",  # #N/A: also empty
        dt.date(2026, 3, 31),  # a date (at midnight) is a date, not a datetime
        0.85,  # a percentage: the bare number, no format
        True,
        12.5,
        "",  # the empty row inside the data is a row of ""
        "setelah baris kosong",
        "",  # a formula whose saved value is empty text
        7.0,  # every number is a float
        0.07,
        25.0,
        "",  # a shared formula without a saved value
        "",  # an error typed as a constant
    ]
    assert [row[1] for row in rows[1:3]] == ["gabungan", ""]  # merged B2:C3: top-left only
    assert len(rows[1]) == 2  # and column C, empty, is not part of the sheet


def test_the_reader_completes_calamine_from_the_sheet_xml(tmp_path: Path) -> None:
    rows = read_workbook(every_kind_of_cell(tmp_path))[0].rows
    assert rows == (
        ("Judul",),
        (10.0, "gabungan"),
        (UncachedFormula("=2*6"),),
        ("#DIV/0!",),
        ("#N/A",),
        (dt.date(2026, 3, 31),),
        (85.0,),
        (True,),
        (12.5,),
        (),
        ("setelah baris kosong",),
        (),  # a saved empty text is empty, not "not yet saved"
        (7.0,),
        (0.07,),
        (25.0,),
        (UncachedFormula("=A10*2"),),  # the shared formula, moved to its own cell
        ("#N/A",),
    )


def test_cells_without_a_reference_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    path = hostile.make_xlsx(tmp_path, rows=[["x"]])
    sheet_data = (
        b"<sheetData><row><c><v>1</v></c><c><f>2*5</f></c></row>"
        b'<row r="3"><c r="B3" t="e"><v>#N/A</v></c><c><v>4</v></c></row></sheetData>'
    )
    hostile.rewrite_zip(
        path, {SHEET1: lambda xml: re.sub(rb"<sheetData>.*</sheetData>", sheet_data, xml)}
    )
    assert read_workbook(path)[0].rows == (
        (1.0, UncachedFormula("=2*5")),
        (),
        (None, "#N/A", 4.0),
    )


def test_rows_sheets_and_merged_cells_keep_their_places(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    data = book.active
    assert data is not None
    data.title = "Data"
    data["A1"] = "Judul formulir"
    data["A3"], data["B3"], data["C3"] = "Kode", "Realisasi", "Tanggal"
    data["A4"], data["B4"], data["C4"] = "IKU-1", 12.5, dt.datetime(2026, 3, 31, 14, 5)
    data.merge_cells("A6:C7")
    data["A6"] = "catatan gabungan"
    book.create_sheet("Petunjuk")["B2"] = "isi kolom Realisasi"
    chart = BarChart()
    chart.add_data(Reference(data, min_col=2, min_row=3, max_row=4), titles_from_data=True)
    book.create_chartsheet("Grafik").add_chart(chart)
    path = tmp_path / "formulir.xlsx"
    book.save(path)

    sheets = read_workbook(path)

    assert [s.name for s in sheets] == ["Data", "Petunjuk"]  # the chart sheet is skipped
    rows = sheets[0].rows
    assert rows[0] == ("Judul formulir",)
    assert rows[1] == ()
    assert rows[3] == ("IKU-1", 12.5, dt.datetime(2026, 3, 31, 14, 5))
    assert rows[5] == ("catatan gabungan",)
    assert sheets[1].rows == ((), (None, "isi kolom Realisasi"))


def test_a_formula_without_a_saved_value_is_marked(tmp_path: Path) -> None:
    sheets = read_workbook(hostile.make_uncached_formula_xlsx(tmp_path))
    assert sheets[0].rows[1] == ("IKU-1", UncachedFormula("=2*5"))


@pytest.mark.libreoffice
def test_a_formula_saved_by_libreoffice_gives_its_value(tmp_path: Path) -> None:
    soffice = require_program("soffice", "libreoffice")
    rows = [["Realisasi", "Galat"], ["=2*5", "=1/0"]]
    source = hostile.make_xlsx(tmp_path, "sumber.xlsx", rows)
    saved = convert(soffice, source, "xlsx", tmp_path / "out")
    assert read_workbook(saved)[0].rows[1] == (10.0, "#DIV/0!")


def test_percentage_cells_are_read_as_shown(tmp_path: Path) -> None:
    path = hostile.make_xlsx(
        tmp_path, rows=[["Capaian", "Biasa", "Teks", "Dua"], [0.85, 0.85, 0.07, 0.125]]
    )
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet["A2"].number_format = "0%"
    sheet["C2"].number_format = '0.00"%"'
    sheet["D2"].number_format = "0.00%"  # built-in format 10
    book.save(path)
    assert read_workbook(path)[0].rows[1] == (85.0, 0.85, 0.07, 12.5)


# --- workbooks openpyxl cannot open, and workbooks nobody can ---------------------------------


def missing_external_link_part(path: Path) -> None:
    """The workbook names an external-link part that the package does not hold."""
    rel = (
        '<Relationship Id="rId99" Target="externalLinks/externalLink1.xml" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink"/>'
    )
    reference = (
        '<externalReferences><externalReference xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships" r:id="rId99"/></externalReferences>'
    )
    hostile.rewrite_zip(
        path,
        {
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(
                b"</Relationships>", rel.encode() + b"</Relationships>"
            ),
            "xl/workbook.xml": lambda x: x.replace(b"</sheets>", b"</sheets>" + reference.encode()),
        },
    )


def empty_fill(path: Path) -> None:
    """A bare `<fill/>` in the style sheet, as some instruments' exports write and Excel opens."""
    hostile.rewrite_zip(
        path, {"xl/styles.xml": lambda x: re.sub(rb'<fills count="(\d+)">', rb"\g<0><fill/>", x)}
    )


def misspelt_style_attribute(path: Path) -> None:
    """An unknown attribute on a cell style (`biltinId`), which Excel ignores."""
    hostile.rewrite_zip(
        path, {"xl/styles.xml": lambda x: x.replace(b"builtinId=", b"biltinId=", 1)}
    )


REFUSED_BY_OPENPYXL = [
    pytest.param(missing_external_link_part, KeyError, id="external-link-part-KeyError"),
    pytest.param(empty_fill, TypeError, id="empty-fill-TypeError"),
    pytest.param(misspelt_style_attribute, TypeError, id="style-attribute-TypeError"),
]


def returned_form(share: Settings, folder: Path) -> Path:
    """The issued form filled by staff, with Realisasi of LYN-02 a formula Excel has saved."""
    bidang = share.office.bidang_by_slug(SLUG)
    assert bidang is not None
    path = folder / "DK-2026-001 layanan.xlsx"
    path.write_bytes(build_form(bidang, "DK-2026-001", "Tahun 2026", share.office.nama))
    book = openpyxl.load_workbook(path)
    sheet = book["Data Kinerja"]
    sheet["F7"], sheet["F8"], sheet["F9"] = "26.000", "=11000+160.5", 4.5
    sheet["G8"] = "rekap aplikasi peminjaman"
    book.save(path)
    return as_excel_saves(path, {"F8": "<f>11000+160.5</f><v>11160.5</v>"})


@pytest.mark.parametrize(("damage", "error"), REFUSED_BY_OPENPYXL)
def test_a_form_openpyxl_cannot_open_is_read_with_saved_values(
    share: Settings, tmp_path: Path, damage: Callable[[Path], None], error: type[Exception]
) -> None:
    path = returned_form(share, tmp_path)
    damage(path)
    with pytest.raises(error):
        openpyxl.load_workbook(path, read_only=True, data_only=True)
    bidang = share.office.bidang_by_slug(SLUG)
    assert bidang is not None

    data, text = read_form(path, bidang)

    assert [(r.kode, r.realisasi) for r in data.rows] == [
        ("LYN-01", 26000.0),
        ("LYN-02", 11160.5),
        ("LYN-03", 4.5),
    ]
    assert data.rows[1].keterangan == "rekap aplikasi peminjaman"
    assert "DK-2026-001" in text


def test_errors_and_unsaved_formulas_in_a_form_keep_their_reasons(
    share: Settings, tmp_path: Path
) -> None:
    path = as_excel_saves(
        returned_form(share, tmp_path),
        {
            "F7": ("e", "<f>1/0</f><v>#DIV/0!</v>"),
            "F8": "<f>2*5</f>",
            "G9": ("str", "<f>B9</f>"),
        },
    )
    bidang = share.office.bidang_by_slug(SLUG)
    assert bidang is not None
    with pytest.raises(RejectedMany) as caught:
        read_form(path, bidang)
    assert [p.message for p in caught.value.problems] == [
        "sheet 'Data Kinerja', baris 7, kolom Realisasi: berisi galat rumus #DIV/0!. "
        "Perbaiki rumusnya di Excel, lalu kirim lagi.",
        "sheet 'Data Kinerja', baris 8, kolom Realisasi: nilai rumus belum tersimpan (=2*5). "
        "Buka lalu simpan ulang di Excel, kemudian kirim lagi.",
        "sheet 'Data Kinerja', baris 9, kolom Keterangan: nilai rumus belum tersimpan (=B9). "
        "Buka lalu simpan ulang di Excel, kemudian kirim lagi.",
    ]


@pytest.mark.libreoffice
def test_a_form_saved_by_libreoffice_then_refused_by_openpyxl_is_read(
    share: Settings, tmp_path: Path
) -> None:
    soffice = require_program("soffice", "libreoffice")
    filled = returned_form(share, tmp_path)
    book = openpyxl.load_workbook(filled)
    book["Data Kinerja"]["F9"] = "=9/2"
    book.save(filled)
    saved = convert(soffice, filled, "xlsx", tmp_path / "out")
    empty_fill(saved)
    with pytest.raises(TypeError):
        openpyxl.load_workbook(saved, read_only=True, data_only=True)
    bidang = share.office.bidang_by_slug(SLUG)
    assert bidang is not None

    data, text = read_form(saved, bidang)

    assert [r.realisasi for r in data.rows] == [26000.0, 11160.5, 4.5]  # LibreOffice's values
    assert "DK-2026-001" in text


def test_a_form_with_a_broken_sheet_is_still_called_broken(share: Settings, tmp_path: Path) -> None:
    path = returned_form(share, tmp_path)
    hostile.rewrite_zip(path, {SHEET1: lambda xml: xml[: len(xml) // 2]})
    bidang = share.office.bidang_by_slug(SLUG)
    assert bidang is not None
    with pytest.raises(Rejected, match="rusak"):
        read_form(path, bidang)


def test_a_workbook_naming_a_sheet_it_does_not_hold_is_broken(tmp_path: Path) -> None:
    path = hostile.make_xlsx(tmp_path)
    rename = {"xl/_rels/workbook.xml.rels": lambda x: x.replace(b"sheet1.xml", b"sheet9.xml")}
    hostile.rewrite_zip(path, rename)
    with pytest.raises(Rejected) as caught:
        read_workbook(path)
    assert caught.value.alasan == "buku kerja Excel rusak dan tidak dapat dibaca"


def test_a_corrupt_workbook_is_rejected(tmp_path: Path) -> None:
    path = hostile.make_xlsx(tmp_path)
    hostile.rewrite_zip(path, {SHEET1: lambda xml: xml[: len(xml) // 2]})
    with pytest.raises(Rejected, match="rusak"):
        read_workbook(path)


def test_read_workbook_applies_check_drop(tmp_path: Path) -> None:
    with pytest.raises(Rejected, match="makro"):
        read_workbook(hostile.make_xlsm(tmp_path))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_workbooks_end_as_rows_or_a_reason(
    tmp_path_factory: pytest.TempPathFactory, flips: list[tuple[int, int]]
) -> None:
    path = hostile.make_xlsx(tmp_path_factory.mktemp("rusak"))
    data = bytearray(path.read_bytes())
    for position, value in flips:
        data[position % len(data)] = value
    path.write_bytes(bytes(data))
    try:
        sheets = read_workbook(path)
    except Rejected as rejected:
        assert rejected.alasan and rejected.saran
    else:
        assert all(isinstance(sheet, SheetRows) for sheet in sheets)


# --- size limits, checked before calamine allocates --------------------------------------------


def read_in_child(path: Path) -> str:
    """The rejection read_workbook gives, in a child process with 2 GB of address space: were
    a limit missed, calamine's allocation would abort the child, not the test run."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
        "from pathlib import Path\n"
        "from pipeline.core.errors import Rejected\n"
        "from pipeline.inputs.workbook import read_workbook\n"
        "try:\n"
        "    read_workbook(Path(sys.argv[1]))\n"
        "except Rejected as rejected:\n"
        "    print(rejected.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_two_far_apart_cells_are_refused_before_calamine_allocates(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet["A1"], sheet["XFD1048576"] = "Kode", 1
    path = tmp_path / "jauh.xlsx"
    book.save(path)
    assert read_in_child(path) == (
        "sheet 'Data': buku kerja terlalu besar untuk formulir ini (lebih dari 200.000 sel). "
        "Hapus lembar atau baris yang tidak diperlukan (cukup lembar formulir), simpan, lalu kirim lagi."
    )


def test_a_shared_string_count_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    path = hostile.make_xlsx(tmp_path)
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    hostile.rewrite_zip(path, {}, {"xl/sharedStrings.xml": strings})
    assert "terlalu besar untuk formulir ini (lebih dari 200.000 sel)" in read_in_child(path)


def sheets_of(folder: Path, corners: list[str]) -> Path:
    """A workbook with one sheet per corner: a cell in A1 and one in the given corner."""
    book = openpyxl.Workbook()
    for number, corner in enumerate(corners, start=1):
        sheet = book.create_sheet(f"Lembar {number}")
        sheet["A1"], sheet[corner] = "awal", "akhir"
    del book["Sheet"]
    path = folder / "lembar.xlsx"
    book.save(path)
    return path


def test_the_cell_limit_counts_the_rectangles_of_all_sheets(tmp_path: Path) -> None:
    at_limit = read_workbook(sheets_of(tmp_path, ["OJ500"]))  # 400 columns × 500 rows
    assert at_limit[0].rows[499][399] == "akhir"
    with pytest.raises(Rejected) as caught:
        read_workbook(sheets_of(tmp_path, ["OJ300", "OJ300"]))  # 400 × 300 twice
    assert "lebih dari 200.000 sel" in caught.value.alasan
    assert caught.value.where.sheet == "Lembar 2"
