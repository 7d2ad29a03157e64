"""`pipeline sop import`: SOP AP tables in real .docx and .xlsx files made here (the office's own
SOP 040 among them), each skeleton read back the way `pipeline sop check` reads it."""

from __future__ import annotations

import io
import re
import subprocess
import tomllib
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from PIL import Image

from pipeline.cli import main
from pipeline.core.errors import ConfigError
from pipeline.core.sla import Standard
from pipeline.definitions import check_file
from pipeline.engine.definition import TO_DECIDE
from pipeline.sopimport import skeleton
from pipeline.sopimport.drawings import Axis, marked_cells
from pipeline.sopimport.naming import case_code, display_name, role_slug, role_slugs
from pipeline.sopimport.wording import proposed_kind, standard_time
from pipeline.sopimport.writer import toml_text
from tests.support.tools import require_program

DATA = Path(__file__).parent / "data"
SEED = DATA / "SOP-040-mekanisme-pengumpulan-data-kinerja.txt"
CONFIG_040 = Path(__file__).parent.parent / "config" / "sop" / "040-data-kinerja.toml"

# how a row marks its actor
SHADE, PICTURE, SYMBOL, SHAPE, CONNECTOR, VML_SHAPE, VML_LINE = (
    "shade", "picture", "symbol", "shape", "connector", "vml-shape", "vml-line"
)  # fmt: skip


@dataclass(frozen=True)
class Line:
    """One row of an SOP AP table to write; `marks` maps an actor's index to its mark."""

    no: str
    aktivitas: str
    marks: Mapping[int, str]
    kelengkapan: str = ""
    waktu: str = ""
    output: str = ""
    keterangan: str = ""


HEADER = None
"""Where a table repeats its two header rows (after a page break)."""

ACTORS = (
    "Kepala Dinas",
    "Sekretaris Dinas",
    "Kasubag Umum dan Kepegawaian",
    "Bidang - Bidang Lain",
)
KD, SD, KUK, BIDANG = range(4)
ROWS: Sequence[Line | None] = (
    Line("1.", "Menerima surat dan memberi disposisi kepada Sekretaris", {KD: "√"},
         "Surat masuk", "1 Hari", "Disposisi", "-"),
    Line("2.", 'Menyusun konsep "nota dinas" dengan bahan dari folder C:\\Data', {KUK: "X"},
         "Disposisi", "2 Jam", "Konsep nota dinas"),
    Line("3.", "Mengumpulkan data dari bidang", {BIDANG: SHADE},
         "Formulir IKU", "3 Hari", "Data bidang", "IKU"),
    Line("4.", "Memeriksa dan memaraf konsep nota dinas", {SD: PICTURE},
         "Konsep", "1 Hari", "Konsep"),
    HEADER,
    Line("", "serta mengembalikannya bila perlu perbaikan", {},
         output="yang telah diparaf", keterangan="Berlanjut dari halaman sebelumnya"),
    Line("5.", "Menandatangani nota dinas", {KD: SHAPE, SD: CONNECTOR},
         "Konsep yang telah diparaf", "20 Menit", "Nota dinas"),
    Line("6.", "Mengarsipkan dan mengirim nota dinas", {SD: SYMBOL, KUK: VML_LINE},
         "Nota dinas", "30 menit", "Nota dinas terkirim"),
)  # fmt: skip
EXPECTED = [
    ("Menerima surat dan memberi disposisi kepada Sekretaris", "kepala-dinas", "1 hari",
     "Disposisi", ""),
    ('Menyusun konsep "nota dinas" dengan bahan dari folder C:\\Data', "kasubag-uk", "2 jam",
     "Konsep nota dinas", ""),
    ("Mengumpulkan data dari bidang", "bidang", "3 hari", "Data bidang", "IKU"),
    ("Memeriksa dan memaraf konsep nota dinas serta mengembalikannya bila perlu perbaikan",
     "sekretaris", "1 hari", "Konsep yang telah diparaf", "Berlanjut dari halaman sebelumnya"),
    ("Menandatangani nota dinas", "kepala-dinas", "20 menit", "Nota dinas", ""),
    ("Mengarsipkan dan mengirim nota dinas", "sekretaris", "30 menit", "Nota dinas terkirim", ""),
]  # fmt: skip
IDENTITY = (("Nomor SOP", "007/12.3/UMUM/2025"), ("Nama SOP", "PENGELOLAAN NOTA DINAS"))


# --- building Word documents ------------------------------------------------------------------

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
)


def _word_shape(preset: str, connector: bool) -> str:
    """A floating DrawingML shape as Word writes it, with its VML fallback."""
    kind = "<wps:cNvCnPr/>" if connector else "<wps:cNvSpPr/>"
    fallback = (
        '<v:shape type="#_x0000_t32" o:connectortype="straight"/>' if connector else "<v:rect/>"
    )
    return f"""<mc:AlternateContent {NS}><mc:Choice Requires="wps"><w:drawing>
      <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2"
        behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">
        <wp:simplePos x="0" y="0"/>
        <wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>
        <wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>
        <wp:extent cx="360000" cy="180000"/><wp:effectExtent l="0" t="0" r="0" b="0"/>
        <wp:wrapNone/><wp:docPr id="7" name="Bentuk"/><wp:cNvGraphicFramePr/>
        <a:graphic><a:graphicData
          uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
          <wps:wsp>{kind}<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="360000" cy="180000"/>
            </a:xfrm><a:prstGeom prst="{preset}"><a:avLst/></a:prstGeom></wps:spPr>
            <wps:bodyPr/></wps:wsp>
        </a:graphicData></a:graphic>
      </wp:anchor></w:drawing></mc:Choice>
      <mc:Fallback><w:pict>{fallback}</w:pict></mc:Fallback></mc:AlternateContent>"""


WORD_XML = {
    SYMBOL: f'<w:sym {NS} w:font="Wingdings" w:char="F0FC"/>',
    SHAPE: _word_shape("flowChartProcess", connector=False),
    CONNECTOR: _word_shape("straightConnector1", connector=True),
    VML_SHAPE: f'<w:pict {NS}><v:oval style="width:20pt;height:10pt"/></w:pict>',
    VML_LINE: f'<w:pict {NS}><v:line from="0,0" to="20pt,0"/></w:pict>',
}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 12), "black").save(buffer, "PNG")
    return buffer.getvalue()


def shade(cell: Any, colour: str = "A6A6A6") -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shd)


def word_mark(cell: Any, mark: str) -> None:
    if mark == SHADE:
        shade(cell)
    elif mark == PICTURE:
        cell.paragraphs[0].add_run().add_picture(io.BytesIO(png()), width=Cm(0.4))
    elif mark in WORD_XML:
        element = parse_xml(WORD_XML[mark])
        cell.paragraphs[0].add_run()._r.append(element)
    else:
        cell.text = mark


def identity_table(document: Any, pairs: Sequence[Sequence[str]]) -> None:
    width = max(len(pair) for pair in pairs)
    table = document.add_table(rows=len(pairs), cols=width)
    for r, pair in enumerate(pairs):
        for c, text in enumerate(pair):
            table.cell(r, c).text = text


def ap_table(
    document: Any, actors: Sequence[str], rows: Sequence[Line | None], header: bool = True
) -> None:
    """An SOP AP table: two header rows (merged as in the standard), then `rows`."""
    lines = [HEADER, *rows] if header else list(rows)
    count = sum(2 if line is HEADER else 1 for line in lines)
    table = document.add_table(rows=count, cols=len(actors) + 6)
    table.style = "Table Grid"
    r = 0
    for line in lines:
        if line is HEADER:
            header_rows(table, r, actors)
            r += 2
        else:
            data_row(table, r, len(actors), line)
            r += 1


def header_rows(table: Any, r: int, actors: Sequence[str]) -> None:
    n = len(actors)
    for c in (0, 1, n + 5):
        table.cell(r, c).merge(table.cell(r + 1, c))  # No, Aktivitas, Keterangan: vMerge
    table.cell(r, 2).merge(table.cell(r, n + 1))  # Pelaksana: gridSpan over the actors
    table.cell(r, n + 2).merge(table.cell(r, n + 4))  # Mutu Baku over its three
    for c, text in {
        0: "No",
        1: "Aktivitas",
        2: "Pelaksana",
        n + 2: "Mutu Baku",
        n + 5: "Keterangan",
    }.items():
        table.cell(r, c).text = text
    for c, text in enumerate([*actors, "Kelengkapan", "Waktu", "Output"], start=2):
        table.cell(r + 1, c).text = text
    table.cell(r, 0).paragraphs[0].paragraph_format.page_break_before = r > 0


def data_row(table: Any, r: int, n: int, line: Line) -> None:
    texts = [line.no, line.aktivitas, *[""] * n, line.kelengkapan, line.waktu, line.output,
             line.keterangan]  # fmt: skip
    for c, text in enumerate(texts):
        if text:
            table.cell(r, c).text = text
    for actor, mark in line.marks.items():
        word_mark(table.cell(r, 2 + actor), mark)


def sop_docx(
    path: Path, rows: Sequence[Line | None] = ROWS, actors: Sequence[str] = ACTORS
) -> Path:
    document = docx.Document()
    identity_table(document, IDENTITY)
    document.add_paragraph("Standar Operasional Prosedur Pengelolaan Nota Dinas")
    ap_table(document, actors, rows)
    document.save(str(path))
    return path


# --- building Excel workbooks -----------------------------------------------------------------

XDR = 'xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"'
A_NS = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def sheet_anchor(column: int, row: int, mark: str) -> str:
    """A shape or connector drawn inside the cell (0-based column and row)."""
    where = (
        f"<xdr:from><xdr:col>{column}</xdr:col><xdr:colOff>50000</xdr:colOff>"
        f"<xdr:row>{row}</xdr:row><xdr:rowOff>20000</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{column}</xdr:col><xdr:colOff>400000</xdr:colOff>"
        f"<xdr:row>{row}</xdr:row><xdr:rowOff>150000</xdr:rowOff></xdr:to>"
    )
    geometry = {SHAPE: "flowChartProcess", VML_SHAPE: "ellipse"}.get(mark, "straightConnector1")
    properties = f'<xdr:spPr><a:prstGeom prst="{geometry}"><a:avLst/></a:prstGeom></xdr:spPr>'
    if mark in (SHAPE, VML_SHAPE):
        body = f'<xdr:sp><xdr:nvSpPr><xdr:cNvPr id="9" name="s"/><xdr:cNvSpPr/></xdr:nvSpPr>{properties}</xdr:sp>'
    else:
        body = f'<xdr:cxnSp><xdr:nvCxnSpPr><xdr:cNvPr id="9" name="c"/><xdr:cNvCxnSpPr/></xdr:nvCxnSpPr>{properties}</xdr:cxnSp>'
    return f"<xdr:twoCellAnchor {XDR} {A_NS}>{where}{body}<xdr:clientData/></xdr:twoCellAnchor>"


def sop_xlsx(
    path: Path, rows: Sequence[Line | None] = ROWS, actors: Sequence[str] = ACTORS
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "SOP AP"
    for r, (label, value) in enumerate(IDENTITY, start=1):
        sheet.cell(r, 1, label)
        sheet.cell(r, 3, value)
        sheet.merge_cells(start_row=r, start_column=3, end_row=r, end_column=6)
    drawn: list[str] = []
    r = 4
    for line in [HEADER, *rows]:
        if line is HEADER:
            sheet_header(sheet, r, actors)
            r += 2
        else:
            drawn += sheet_row(sheet, r, len(actors), line)
            r += 1
    for column in range(3, 3 + len(actors)):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    book.save(path)
    return add_anchors(path, drawn) if drawn else path


def sheet_header(sheet: Any, r: int, actors: Sequence[str]) -> None:
    n = len(actors)
    for c, text in {
        1: "No",
        2: "Aktivitas",
        3: "Pelaksana",
        n + 3: "Mutu Baku",
        n + 6: "Keterangan",
    }.items():
        sheet.cell(r, c, text)
    for c in (1, 2, n + 6):
        sheet.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
    sheet.merge_cells(start_row=r, start_column=3, end_row=r, end_column=n + 2)
    sheet.merge_cells(start_row=r, start_column=n + 3, end_row=r, end_column=n + 5)
    for c, text in enumerate([*actors, "Kelengkapan", "Waktu", "Output"], start=3):
        sheet.cell(r + 1, c, text)


def sheet_row(sheet: Any, r: int, n: int, line: Line) -> list[str]:
    texts = [line.no, line.aktivitas, *[""] * n, line.kelengkapan, line.waktu, line.output,
             line.keterangan]  # fmt: skip
    for c, text in enumerate(texts, start=1):
        if text:
            sheet.cell(r, c, text)
    anchors = []
    for actor, mark in line.marks.items():
        cell = sheet.cell(r, 3 + actor)
        if mark == SHADE:
            cell.fill = PatternFill("solid", fgColor="FFBFBFBF")
        elif mark == PICTURE:
            sheet.add_image(SheetImage(io.BytesIO(png())), cell.coordinate)
        elif mark == SYMBOL:
            cell.value = "ü"  # Wingdings' check mark, as Excel stores it
        elif mark in (SHAPE, VML_SHAPE, CONNECTOR, VML_LINE):
            anchors.append(sheet_anchor(2 + actor, r - 1, mark))
        else:
            cell.value = mark
    return anchors


def add_anchors(path: Path, anchors: Sequence[str]) -> Path:
    """Shapes openpyxl cannot write, added to the drawing part it wrote for the picture."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    name = "xl/drawings/drawing1.xml"
    closing = re.search(r"</(\w+:)?wsDr>", parts[name].decode())
    assert closing is not None
    text = parts[name].decode()
    parts[name] = (text[: closing.start()] + "".join(anchors) + text[closing.start() :]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)
    return path


# --- reading skeletons back -------------------------------------------------------------------


def imported(path: Path) -> tuple[str, dict[str, Any]]:
    text = skeleton(path)
    return text, tomllib.loads(text)


def steps_of(raw: Mapping[str, Any]) -> list[tuple[str, str, str, str, str]]:
    return [
        (s["aktivitas"], s["pelaksana"], s["waktu"], s["output"], s["keterangan"])
        for s in raw["langkah"]
    ]


def to_decide_lines(text: str) -> set[int]:
    return {n for n, line in enumerate(text.splitlines(), 1) if f'= "{TO_DECIDE}"' in line}


def assert_checked_gaps(path: Path, text: str) -> None:
    """`pipeline sop check` reads the skeleton and names its BELUM DITENTUKAN lines, and only them."""
    path.write_text(text, encoding="utf-8")
    sop, problems = check_file(path)
    assert sop is None
    assert [p.line for p in problems] == sorted(to_decide_lines(text))


def step_block(text: str, n: int) -> str:
    return text.split("\n[[langkah]]\n")[n].split("\n\n")[0]


def line_of(text: str, fragment: str) -> str:
    return next(line for line in text.splitlines() if fragment in line)


# --- a Word table: merged headers, three kinds of mark, a row split over a page ---------------


def test_a_word_table_gives_every_step_with_its_marked_actor(tmp_path: Path) -> None:
    text, raw = imported(sop_docx(tmp_path / "SOP Nota Dinas.docx"))
    assert raw["sop"]["nomor"] == "007/12.3/UMUM/2025"
    assert raw["sop"]["nama"] == "Pengelolaan Nota Dinas"
    assert raw["sop"]["kode_kasus"] == TO_DECIDE
    assert raw["sop"]["judul_dokumen"] == "Nota dinas terkirim"
    assert raw["pelaksana"] == dict(
        zip(("kepala-dinas", "sekretaris", "kasubag-uk", "bidang"), ACTORS, strict=True)
    )
    assert steps_of(raw) == EXPECTED
    assert [s["no"] for s in raw["langkah"]] == [1, 2, 3, 4, 5, 6]
    assert raw["langkah"][0]["kelengkapan"] == "Surat masuk"
    assert text.startswith(
        '# Kerangka definisi dari "SOP Nota Dinas.docx"; lengkapi bagian BELUM DITENTUKAN'
    )
    assert "ditandai dengan arsiran" in line_of(text, 'pelaksana = "bidang"')
    assert_checked_gaps(tmp_path / "nota-dinas.toml", text)


def test_each_step_gets_a_stage_to_decide_with_a_proposed_kind(tmp_path: Path) -> None:
    text, raw = imported(sop_docx(tmp_path / "sop.docx"))
    stages = raw["tahap"]
    assert [s["langkah"] for s in stages] == [1, 2, 3, 4, 5, 6]
    assert {s["jenis"] for s in stages} == {TO_DECIDE}
    assert [s["pelaksana"] for s in stages] == [e[1] for e in EXPECTED]
    proposals = re.findall(r'jenis = "BELUM DITENTUKAN"  # usul: "([a-z-]+)"', text)
    assert proposals == ["disposisi", "draf", "pengumpulan", "paraf", "tanda-tangan", "arsip"]
    guide = text[text.index("# --- tahap") : text.index("\n[[tahap]]")]
    for kind in ("disposisi", "pengumpulan", "draf", "paraf", "tanda-tangan", "arsip"):
        assert f"\n# {kind} " in guide


def test_uncertain_rows_are_left_to_decide_with_what_the_document_shows(tmp_path: Path) -> None:
    rows = [
        Line("1.", "Memberi disposisi", {KD: VML_SHAPE, SD: "-"}, waktu="1 hari"),
        Line("2", "Menyusun konsep", {SD: "v", KUK: "√"}, waktu="1-2 hari"),
        Line("3a", "Memeriksa konsep", {}, waktu=""),
        Line("4", "Menandatangani", {KD: SHADE, SD: "x"}, waktu="1 minggu"),
    ]
    text, raw = imported(sop_docx(tmp_path / "sop.docx", rows))
    steps = raw["langkah"]
    assert [s["pelaksana"] for s in steps] == [
        "kepala-dinas",
        "sekretaris",
        TO_DECIDE,
        "sekretaris",
    ]
    assert [s["waktu"] for s in steps] == ["1 hari", TO_DECIDE, TO_DECIDE, "5 hari"]
    assert 'pelaksana = "sekretaris"  # juga ditandai: kasubag-uk' in step_block(text, 2)
    assert 'waktu = "BELUM DITENTUKAN"  # di dokumen: "1-2 hari"' in step_block(text, 2)
    assert 'no = 3  # di dokumen: "3a"' in step_block(text, 3)
    assert 'pelaksana = "BELUM DITENTUKAN"  # tidak ada kolom' in step_block(text, 3)
    assert 'waktu = "BELUM DITENTUKAN"  # kolom waktu kosong' in step_block(text, 3)
    assert 'waktu = "5 hari"  # di dokumen: "1 minggu"' in step_block(text, 4)
    assert_checked_gaps(tmp_path / "sop.toml", text)


def test_a_table_continued_in_a_second_table_and_the_identity_block_in_the_page_header(
    tmp_path: Path,
) -> None:
    document = docx.Document()
    header = document.sections[0].header.add_table(rows=2, cols=2, width=Cm(16))
    for r, (label, value) in enumerate(IDENTITY):
        header.cell(r, 0).text, header.cell(r, 1).text = label, f": {value}"
    ap_table(document, ACTORS, ROWS[:2])
    document.add_page_break()
    ap_table(document, ACTORS, ROWS[2:4])  # the header repeated: the same table goes on
    another = [Line("1.", "Langkah SOP lain", {KD: "√"}, waktu="1 hari")]
    ap_table(document, ACTORS[:2], another)  # another SOP's table: not read
    document.save(str(tmp_path / "sop.docx"))
    _, raw = imported(tmp_path / "sop.docx")
    assert raw["sop"]["nomor"] == "007/12.3/UMUM/2025"
    assert [s["aktivitas"] for s in raw["langkah"]] == [e[0] for e in EXPECTED[:3]] + [
        "Memeriksa dan memaraf konsep nota dinas"
    ]


# --- the same table in Excel ------------------------------------------------------------------


def test_an_excel_table_gives_the_same_steps(tmp_path: Path) -> None:
    rows = [*ROWS[:-1], Line("6.", "Mengarsipkan dan mengirim nota dinas", {SD: SYMBOL, KUK: CONNECTOR},
                              "Nota dinas", "30 menit", "Nota dinas terkirim")]  # fmt: skip
    text, raw = imported(sop_xlsx(tmp_path / "SOP Nota Dinas.xlsx", rows))
    assert raw["sop"]["nomor"] == "007/12.3/UMUM/2025"
    assert raw["sop"]["nama"] == "Pengelolaan Nota Dinas"
    assert list(raw["pelaksana"]) == ["kepala-dinas", "sekretaris", "kasubag-uk", "bidang"]
    assert steps_of(raw) == EXPECTED
    assert_checked_gaps(tmp_path / "nota-dinas.toml", text)


def test_a_one_row_header_with_a_unit_in_waktu_and_a_legend_under_the_table(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [
        [
            "No",
            "Aktivitas",
            "Kepala Dinas",
            "Sekretaris Dinas",
            "Kelengkapan",
            "Waktu (Jam)",
            "Output",
            "Ket.",
        ],
        [str(n) for n in range(1, 9)],
        [1, "Memberi disposisi", "√", None, "Surat", 2, "Disposisi", None],
        ["2)", "Menandatangani surat", None, "v", "Konsep", "1 hari", "Surat", None],
        [None] * 8,
        [None, "Simbol: kotak = proses", "√", None, None, None, None, None],
    ]
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "sop.xlsx")
    _, raw = imported(tmp_path / "sop.xlsx")
    assert list(raw["pelaksana"]) == ["kepala-dinas", "sekretaris"]
    assert [(s["aktivitas"], s["pelaksana"], s["waktu"]) for s in raw["langkah"]] == [
        ("Memberi disposisi", "kepala-dinas", "2 jam"),
        ("Menandatangani surat", "sekretaris", "1 hari"),
    ]
    assert raw["sop"]["nomor"] == TO_DECIDE  # no identity block


def test_a_shape_marks_the_cell_under_its_centre_and_a_connector_marks_nothing() -> None:
    drawing = (
        f"<xdr:wsDr {XDR}>{sheet_anchor(3, 5, SHAPE)}{sheet_anchor(4, 5, CONNECTOR)}"
        f"{sheet_anchor(6, 7, VML_SHAPE)}</xdr:wsDr>"
    ).encode()
    columns = Axis(lambda index: 600_000)
    rows = Axis(lambda index: 190_500)
    assert marked_cells(drawing, columns, rows) == {(6, 4), (8, 7)}


# --- the office's own SOP 040 -----------------------------------------------------------------

# The seed text lost the marks; each step's actor is the one its activity names, in the order of
# the table's columns (Kepala Dinas, Sekretaris Dinas, Kasubag PPMEP, Analis, Bidang):
SEED_ACTOR = {
    1: 0,  # the Head gives the disposition
    2: 1,  # the Secretary receives it and orders the Kasubag PPMEP
    3: 3,  # the analyst collects the material from the bidang and reports to the Kasubag
    4: 2,  # the Kasubag receives the inventory
    5: 3,  # the analyst reviews the draft
    6: 3,  # the analyst corrects it
    7: 2,  # the Kasubag initials and reports to the Secretary
    8: 1,  # the Secretary initials and reports to the Head
    9: 0,  # the Head signs
    10: 1,  # the Secretariat distributes and files
}
SEED_EXPECTED = [
    ("Memberi arahan/disposisi kepada Sekretaris koordinasi penyusunan pengumpulan data kinerja",
     "kepala-dinas", "1 hari", "Disposisi"),
    ("Menerima, menelaah dan memerintahkan Kasubag PPMEP untuk menyiapkan bahan-bahan penyusunan "
     "pengumpulan data kinerja", "sekretaris", "1 hari", "Persiapan/ Draft"),
    ("Melaksanakan koordinasi / pengumpulan bahan dengan bidang-bidang lain dalam penyusunan draft "
     "pengumpulan data kinerja dan meyampaikan kepada kasubag PPMEP", "analis", "2 hari",
     "Bahan-bahan materi/Draft"),
    ("Menerima hasil inventarisasi materi untuk penyusunan draf pengumpulan data kinerja",
     "kasubag-ppmep", "3 hari", "Data Draft Kinerja"),
    ("Menelaah dan menganalisa draft materi draft data pengumpulan kinerja", "analis", "2 hari",
     "Data Draft Kinerja"),
    ("Melakukan perbaikan / edit atas naskah draft data kinerja apabila masih perlu perbaikan",
     "analis", "1 hari", "Dokumen Final Penyusunan Data Kinerja"),
    ("Menerima, memeriksa, memaraf penyusunan data kinerja dan melaporkan kepada sekretaris",
     "kasubag-ppmep", "1 hari", "Dokumen Final Penyusunan Data Kinerja"),
    ("Menerima, memeriksa dan memaraf penyusunan data kinerja yang telah disusun dan melaporkan "
     "kepada Kepala Dinas", "sekretaris", "3 hari", "Dokumen mekanisme pengumpulan data kinerja"),
    ("Menerima, memeriksa dan menandatangani dokumen mekanisme pengumpulan data kinerja",
     "kepala-dinas", "1 hari", "Dokumen mekanisme pengumpulan data kinerja"),
    ("Dokumen mekanisme pengumpulan data kinerja yang telah ditandatangani oleh Kepala Dinas "
     "didistribusikan kepada pihak yang berkepentingan dan diarsipkan", "sekretaris", "20 menit",
     "Dokumen mekanisme pengumpulan data kinerja"),
]  # fmt: skip


@dataclass(frozen=True)
class Seed:
    identity: list[list[str]]
    actors: list[str]
    pages: list[list[Line]]


def read_seed() -> Seed:
    """The seed text: the identity block's rows, the table's actors, its rows page by page."""
    lines = [
        re.sub(r"<[^>]+>", " ", line).rstrip("\n") for line in SEED.read_text("utf-8").splitlines()
    ]
    start = next(n for n, line in enumerate(lines) if line.startswith("No\tAktivitas"))
    title = next(
        n for n, line in enumerate(lines) if line.startswith("Standar Operasional Prosedur")
    )
    identity = [
        [" ".join(c.split()) for c in line.split("\t")] for line in lines[:title] if line.strip()
    ]
    actors = [c for c in lines[start + 1].split("\t")[2:7]]
    pages: list[list[Line]] = [[]]
    for line in lines[start + 2 :]:
        if not line.strip():
            pages.append([])
            continue
        cells = line.split("\t")
        no = int(cells[0].rstrip("."))
        pages[-1].append(Line(cells[0], cells[1], {SEED_ACTOR[no]: SHAPE}, *cells[-4:]))
    return Seed(identity, actors, [page for page in pages if page])


def with_connectors(rows: Sequence[Line]) -> list[Line]:
    """Each shape's arrow to the next step, anchored in the next actor's column."""
    found = []
    for line, following in zip(rows, [*rows[1:], None], strict=True):
        actor = next(iter(line.marks))
        target = next(iter(following.marks)) if following else actor
        found.append(Line(line.no, line.aktivitas, {actor: SHAPE} | ({target: CONNECTOR} if target != actor else {}),
                          line.kelengkapan, line.waktu, line.output, line.keterangan))  # fmt: skip
    return found


def seed_docx(path: Path) -> Path:
    """SOP 040 as Word: its identity block, its table with a page break and the rest after."""
    seed = read_seed()
    document = docx.Document()
    identity_table(document, seed.identity)
    document.add_paragraph("Standar Operasional Prosedur Mekanisme Pengumpulan Data Kinerja")
    rows = with_connectors([line for page in seed.pages for line in page])
    first = len(seed.pages[0])
    ap_table(document, seed.actors, rows[:first])
    document.add_page_break()
    ap_table(document, seed.actors, rows[first:], header=False)
    document.save(str(path))
    return path


def test_the_offices_sop_040_reads_as_its_ten_steps(tmp_path: Path) -> None:
    text, raw = imported(seed_docx(tmp_path / "SOP-040 Mekanisme Pengumpulan Data Kinerja.docx"))
    assert raw["sop"]["nomor"] == "040/34.15/PUSTAKA/2025"
    assert raw["sop"]["nama"] == "Penyusunan Mekanisme Pengumpulan Data Kinerja"
    assert 'di dokumen: "PENYUSUNAN MEKANISME PENGUMPULAN DATA KINERJA"' in text
    assert 'usul: "PMPDK"' in line_of(text, "kode_kasus")
    assert raw["sop"]["judul_dokumen"] == "Dokumen mekanisme pengumpulan data kinerja"
    assert raw["pelaksana"] == {
        "kepala-dinas": "Kepala Dinas",
        "sekretaris": "Sekretaris Dinas",
        "kasubag-ppmep": "Kasubag Perencanaan, Program, Monitoring, Evaluasi dan Pelaporan",
        "analis": "Analisis Perencana Evaluasi dan Pelaporan",
        "bidang": "Bidang - Bidang Lain",
    }
    assert [
        (s["aktivitas"], s["pelaksana"], s["waktu"], s["output"]) for s in raw["langkah"]
    ] == SEED_EXPECTED
    assert [s["no"] for s in raw["langkah"]] == list(range(1, 11))
    assert raw["langkah"][0]["kelengkapan"] == "Surat dari Bupati /Inspektorat /Disposisi"
    assert raw["langkah"][5]["keterangan"] == ""  # "-" in the document
    assert_checked_gaps(tmp_path / "data-kinerja.toml", text)


def test_the_proposed_kinds_agree_with_the_offices_definition_but_for_step_2(
    tmp_path: Path,
) -> None:
    text, _ = imported(seed_docx(tmp_path / "sop-040.docx"))
    proposed = re.findall(r'jenis = "BELUM DITENTUKAN"  # usul: "([a-z-]+)"', text)
    decided = {}
    for stage in tomllib.loads(CONFIG_040.read_text("utf-8"))["tahap"]:
        steps = (
            [stage["langkah"]] if isinstance(stage["langkah"], int) else stage["langkah"].values()
        )
        decided |= {step: stage["jenis"] for step in steps}
    assert len(proposed) == 10
    assert {n: k for n, k in enumerate(proposed, 1) if n != 2} == {
        n: k for n, k in decided.items() if n != 2
    }
    assert proposed[1] == "draf" and decided[2] == "disposisi"  # "menelaah" comes before "bahan"


# --- the command line -------------------------------------------------------------------------


def test_import_then_check_names_the_gaps_and_a_filled_skeleton_passes_in_a_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "data-kinerja.toml"
    assert (
        main(["sop", "import", str(seed_docx(tmp_path / "sop-040.docx")), "--out", str(out), "-q"])
        == 0
    )
    assert "skeleton written" in capsys.readouterr().out
    text = out.read_text("utf-8")
    assert main(["sop", "check", str(out), "-q"]) == 1
    report = capsys.readouterr().out
    named = {int(n) for n in re.findall(r"^data-kinerja\.toml: line (\d+): ", report, re.M)}
    assert named == to_decide_lines(text)
    assert "still to be decided (BELUM DITENTUKAN)" in report

    root = tmp_path / "share"
    assert main(["init", str(root), "--state", str(tmp_path / "state"), "-q"]) == 0
    capsys.readouterr()
    filled = root / "config" / "sop" / "mekanisme-data-kinerja.toml"
    filled.write_text(filled_like_040(text), encoding="utf-8")
    assert main(["sop", "check", str(filled), "-q"]) == 0, capsys.readouterr().out
    assert "OK — SOP 040/34.15/PUSTAKA/2025 (MK), 10 steps" in capsys.readouterr().out


def filled_like_040(text: str) -> str:
    """The skeleton with a case code and the stages of config/sop/040-data-kinerja.toml (its
    opening folder renamed: that SOP is in the share too)."""
    shipped = CONFIG_040.read_text("utf-8")
    stages = shipped[shipped.index("# --- what the pipeline does") :]
    stages = stages.replace("disposisi-data-kinerja", "disposisi-mekanisme-kinerja")
    text = re.sub(r'^kode_kasus = "BELUM DITENTUKAN".*$', 'kode_kasus = "MK"', text, flags=re.M)
    return text[: text.index("# --- tahap")] + stages


def test_import_prints_the_skeleton_without_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sop", "import", str(sop_xlsx(tmp_path / "sop.xlsx")), "-q"]) == 0
    assert tomllib.loads(capsys.readouterr().out)["sop"]["nomor"] == "007/12.3/UMUM/2025"


# --- what cannot be read ----------------------------------------------------------------------


def test_a_document_without_an_sop_table_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "surat.docx"
    document = docx.Document()
    document.add_paragraph("Nomor SOP: 1/2025")
    identity_table(document, [("No", "Nama", "Jabatan"), ("1", "Budi", "Staf")])
    document.save(str(path))
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "surat.docx: the SOP AP table was not found; expected a table with the columns No, Aktivitas"
        ),
    ):
        skeleton(path)
    assert main(["sop", "import", str(path), "-q"]) == 2
    assert (
        "configuration error: surat.docx: the SOP AP table was not found" in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("sop.doc", b"\xd0\xcf\x11\xe0", "not a Word .docx or Excel .xlsx file"),
        ("sop.docx", b"not a zip", "cannot be read as a Word document"),
        ("sop.xlsx", b"not a zip", "cannot be read as an Excel workbook"),
    ],
)
def test_a_file_that_is_not_docx_or_xlsx_is_refused_clearly(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        skeleton(path)


def test_a_table_with_headers_but_no_numbered_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="the SOP AP table has no numbered steps"):
        skeleton(sop_docx(tmp_path / "kosong.docx", rows=[]))


# --- words --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "standard"),
    [("1 Hari", "1 hari"), ("20 Menit", "20 menit"), ("2 Jam", "2 jam"), ("3 hari kerja", "3 hari"),
     ("1 (satu) Hari", "1 hari"), ("15 mnt", "15 menit"), ("2 minggu", "10 hari")],
)  # fmt: skip
def test_standard_times_take_the_formats_wording(written: str, standard: str) -> None:
    assert standard_time(written).value == standard
    Standard.parse(standard)


@pytest.mark.parametrize("written", ["", "1-2 hari", "segera", "0 hari", "1 x 24 jam"])
def test_an_unreadable_standard_time_is_to_decide(written: str) -> None:
    assert standard_time(written).value == TO_DECIDE


@pytest.mark.parametrize(
    ("header", "slug"),
    [
        ("Kepala Dinas", "kepala-dinas"),
        ("Sekretaris Dinas", "sekretaris"),
        ("Kasubag Perencanaan, Program, Monitoring, Evaluasi dan Pelaporan", "kasubag-ppmep"),
        ("Kasubag PPMEP", "kasubag-ppmep"),
        ("Analisis Perencana Evaluasi dan Pelaporan", "analis"),
        ("Bidang - Bidang Lain", "bidang"),
        ("Kepala Sub Bagian Keuangan", "kasubag-keuangan"),
        ("Kepala Bidang Pengelolaan Arsip", "kabid-pa"),
        ("Pengelola Arsip Dinamis Aktif", "pengelola-arsip-dinamis"),
        ("Pranata Komputer Ahli Pértama", "pranata-komputer-ahli"),
    ],
)
def test_actor_slugs(header: str, slug: str) -> None:
    assert role_slug(header) == slug


def test_an_actor_slug_used_twice_is_numbered() -> None:
    assert role_slugs(["Staf", "Staf", "Staf"]) == ("staf", "staf-2", "staf-3")


def test_a_name_in_capitals_is_written_as_staff_read_it() -> None:
    assert (
        display_name("PENGELOLAAN ARSIP DAN SURAT BAB II") == "Pengelolaan Arsip dan Surat Bab II"
    )
    assert display_name("Pengelolaan SOP") == "Pengelolaan SOP"
    assert case_code("Penyusunan Mekanisme Pengumpulan Data Kinerja") == "PMPDK"


def test_the_sops_own_name_does_not_suggest_a_kind() -> None:
    name = "Penyusunan Mekanisme Pengumpulan Data Kinerja"
    found = proposed_kind(
        "Dokumen pengumpulan data kinerja yang telah ditandatangani didistribusikan", name
    )
    assert found is not None and found.value == "arsip" and found.note == 'kata "didistribusikan"'
    assert proposed_kind("Menerima laporan", name) is None


def test_text_is_escaped_for_toml() -> None:
    value = 'kata "kutip", C:\\folder\\, baris\nbaru\tdan \x01 kendali'
    assert tomllib.loads(f"x = {toml_text(value)}")["x"] == value


# --- a Word document LibreOffice made from another format --------------------------------------

HTML = """<html><body>
<table border="1"><tr><td>Nomor SOP</td><td>:</td><td>009/1.2/UMUM/2025</td></tr>
<tr><td>Nama SOP</td><td>:</td><td>Pengelolaan Surat Masuk</td></tr></table>
<p>Standar Operasional Prosedur</p>
<table border="1">
<tr><td rowspan="2">No</td><td rowspan="2">Aktivitas</td><td colspan="3">Pelaksana</td>
<td colspan="3">Mutu Baku</td><td rowspan="2">Ket.</td></tr>
<tr><td>Kepala Dinas</td><td>Sekretaris Dinas</td><td>Pengadministrasi Umum</td>
<td>Kelengkapan</td><td>Waktu</td><td>Output</td></tr>
<tr><td>1</td><td>Mencatat surat masuk</td><td></td><td></td><td>&#10003;</td>
<td>Surat</td><td>15 Menit</td><td>Agenda</td><td></td></tr>
<tr><td>2</td><td>Memberi disposisi</td><td bgcolor="#808080"></td><td></td><td></td>
<td>Surat</td><td>1 Hari</td><td>Disposisi</td><td></td></tr>
<tr><td>3</td><td>Meneruskan disposisi</td><td></td><td>&#9679;</td><td></td>
<td>Disposisi</td><td>1 Jam</td><td>Surat terdisposisi</td><td>-</td></tr>
</table></body></html>"""


@pytest.mark.libreoffice
def test_a_word_document_converted_by_libreoffice(tmp_path: Path) -> None:
    soffice = require_program("soffice", "libreoffice")
    source = tmp_path / "surat-masuk.html"
    source.write_text(HTML, encoding="utf-8")
    command = [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
               "--infilter=HTML (StarWriter)", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", str(tmp_path), str(source)]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    text, raw = imported(tmp_path / "surat-masuk.docx")
    assert raw["sop"]["nomor"] == "009/1.2/UMUM/2025"
    assert raw["sop"]["nama"] == "Pengelolaan Surat Masuk"
    assert list(raw["pelaksana"]) == ["kepala-dinas", "sekretaris", "pengadministrasi-umum"]
    assert [(s["pelaksana"], s["waktu"]) for s in raw["langkah"]] == [
        ("pengadministrasi-umum", "15 menit"),
        ("kepala-dinas", "1 hari"),
        ("sekretaris", "1 jam"),
    ]
    assert_checked_gaps(tmp_path / "surat-masuk.toml", text)
