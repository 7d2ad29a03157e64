"""Active content never travels (pipeline.inputs.active, through safety.check_drop).

Every sample is built here from a real python-docx or openpyxl file plus zip edits
(tests.support.hostile). The refused kinds are checked one by one, then in the places they hide
(tracked changes, hyperlinks, footers, character references); the files the office really
sends are checked not to be refused: the shipped templates and what is rendered from them, the
data forms, files saved by python-docx, openpyxl and LibreOffice, ordinary hyperlinks, fields
and charts.
"""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from oletools import msodde

from pipeline.core.errors import Rejected
from pipeline.documents.forms import build_form
from pipeline.documents.templates import Documents
from pipeline.engine.contexts import sample_contexts
from pipeline.inputs.active import (
    check_active_content,
    dde_command,
    field_codes,
    is_dde_formula,
    quoted_text,
)
from pipeline.inputs.kinds import check_drop
from pipeline.settings import Settings
from tests.support import hostile
from tests.support.hostile import ACTIVE, INSERTION, Hostile
from tests.support.tools import in_ci, require_program

SHIPPED = Path(__file__).resolve().parent.parent / "templates"


def refused(path: Path, kind: str) -> Rejected:
    """The rejection `check_drop` gives `path` at an inbox taking `kind`; the file is unchanged."""
    before = path.read_bytes()
    with pytest.raises(Rejected) as caught:
        check_drop(path, {kind})
    assert path.read_bytes() == before, "checking never alters the original"
    assert caught.value.saran.endswith("lalu kirim lagi."), caught.value.saran
    return caught.value


# --- each kind, with its reason ------------------------------------------------------------------


@pytest.mark.parametrize("case", ACTIVE, ids=lambda case: case.kind)
def test_each_kind_of_active_content_is_refused_naming_it(case: Hostile, tmp_path: Path) -> None:
    (kind,) = case.accepted
    rejection = refused(case.make(tmp_path), kind)
    assert case.reason in rejection.message


def test_the_reasons_say_what_was_found_and_how_to_remove_it(tmp_path: Path) -> None:
    dde = refused(hostile.make_ddeauto_split_docx(tmp_path), "docx")
    assert dde.alasan == "dokumen berisi field DDE (DDEAUTO …) yang dapat menjalankan perintah"
    assert "Ctrl+Shift+F9" in dde.saran and "simpan sebagai .docx" in dde.saran
    link = refused(hostile.make_xlsx_external_link(tmp_path), "xlsx")
    assert "Data > Edit Links > Break Link" in link.saran
    template = refused(hostile.make_remote_template_docx(tmp_path), "docx")
    assert "Developer > Document Template" in template.saran
    formula = refused(hostile.make_xlsx_dde_formula(tmp_path), "xlsx")
    assert formula.message.startswith("sheet 'Data', baris 2, kolom B: sel berisi rumus DDE")


def test_a_remote_address_is_never_repeated_to_staff(tmp_path: Path) -> None:
    rejection = refused(hostile.make_remote_template_docx(tmp_path), "docx")
    assert "contoh.invalid" not in rejection.message
    assert "http" not in rejection.message


# --- where DDE hides -----------------------------------------------------------------------------

WRAPS = [
    pytest.param(INSERTION, id="tracked-insertion"),
    pytest.param('w:hyperlink w:anchor="lampiran"', id="hyperlink"),
    pytest.param('w:smartTag w:uri="urn:x" w:element="place"', id="smart-tag"),
    pytest.param("w:customXml", id="custom-xml"),
]


@pytest.mark.parametrize("wrap", WRAPS)
def test_a_ddeauto_field_nested_in_other_elements_is_found(wrap: str, tmp_path: Path) -> None:
    path = hostile.make_ddeauto_split_docx(tmp_path, wrap=wrap)
    assert "DDEAUTO" in refused(path, "docx").alasan


def test_a_dde_field_in_a_content_control_is_found(tmp_path: Path) -> None:
    body = f"<w:sdt><w:sdtContent>{hostile.field_paragraph(['DDE ', hostile.DDE_COMMAND])}"
    body += "</w:sdtContent></w:sdt>"
    path = hostile.rewrite_zip(
        hostile.make_docx(tmp_path), {"word/document.xml": hostile.replace_body(body)}
    )
    assert "field DDE (DDE …)" in refused(path, "docx").alasan


def test_a_dde_command_spelled_by_a_quote_field_is_found(tmp_path: Path) -> None:
    assert "DDEAUTO" in refused(hostile.make_quoted_dde_docx(tmp_path), "docx").alasan


def test_a_field_code_held_in_one_run_with_its_markers_is_found(tmp_path: Path) -> None:
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/><w:instrText xml:space="preserve">'
        f'ddeauto {hostile.DDE_COMMAND}</w:instrText><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    path = hostile.rewrite_zip(
        hostile.make_docx(tmp_path), {"word/document.xml": hostile.replace_body(body)}
    )
    assert "DDEAUTO" in refused(path, "docx").alasan


def test_a_dde_field_in_a_footer_is_found(tmp_path: Path) -> None:
    document = hostile.docx.Document()
    document.sections[0].footer.paragraphs[0].text = hostile.MARKER
    document.add_paragraph("isi")
    path = tmp_path / "draf.docx"
    document.save(str(path))
    with zipfile.ZipFile(path) as archive:
        (footer,) = [n for n in archive.namelist() if n.startswith("word/footer")]
    field = hostile.field_paragraph(["DDEAUTO ", hostile.DDE_COMMAND])
    path = hostile.rewrite_zip(path, {footer: _replace_marker_paragraph(field)})
    assert "DDEAUTO" in refused(path, "docx").alasan


def _replace_marker_paragraph(paragraph: str) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        start = xml.index(hostile.MARKER.encode())
        begin = max(xml.rfind(b"<w:p>", 0, start), xml.rfind(b"<w:p ", 0, start))
        assert begin >= 0, "the marker sits in a paragraph"
        end = xml.index(b"</w:p>", start) + len(b"</w:p>")
        return xml[:begin] + paragraph.encode() + xml[end:]

    return edit


HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"


def header_elsewhere(folder: Path, body: str) -> Path:
    """A document whose header part sits outside word/ under a name not ending in .xml; Word
    finds it through its relationship and reads it by its declared content type."""
    header = (f'<?xml version="1.0"?><w:hdr xmlns:w="{hostile.WORD_NS}">{body}</w:hdr>').encode()
    edits = {
        hostile.DOCUMENT_RELS: hostile.add_relationships(
            hostile.relationship("rIdKop", "header", "../kop/kop-surat.bin")
        ),
        "[Content_Types].xml": hostile.add_types(
            f'<Override PartName="/kop/kop-surat.bin" ContentType="{HEADER_TYPE}"/>'
        ),
    }
    return hostile.rewrite_zip(hostile.make_docx(folder), edits, {"kop/kop-surat.bin": header})


def test_a_dde_field_in_a_part_anywhere_under_any_name_is_found(tmp_path: Path) -> None:
    path = header_elsewhere(tmp_path, hostile.field_paragraph(["DDEAUTO ", hostile.DDE_COMMAND]))
    assert "DDEAUTO" in refused(path, "docx").alasan


def test_a_declared_content_type_no_part_has_is_not_a_finding(tmp_path: Path) -> None:
    """Some writers declare defaults for extensions they never use."""
    default = f'<Default Extension="bin" ContentType="{hostile.OLE_TYPE}"/>'
    path = hostile.rewrite_zip(
        hostile.make_docx(tmp_path), {"[Content_Types].xml": hostile.add_types(default)}
    )
    assert check_drop(path, {"docx"}) == "docx"


def test_a_dde_formula_written_with_a_character_reference_is_found(tmp_path: Path) -> None:
    path = hostile.make_xlsx_dde_formula(tmp_path)
    sheet = "xl/worksheets/sheet1.xml"
    path = hostile.rewrite_zip(path, {sheet: lambda xml: xml.replace(b"|", b"&#124;")})
    with zipfile.ZipFile(path) as archive:
        assert b"|" not in archive.read(sheet)
    assert "rumus DDE" in refused(path, "xlsx").alasan


def test_a_dde_formula_in_a_defined_name_is_found(tmp_path: Path) -> None:
    name = "<definedNames><definedName name=\"Data_Luar\">cmd|'/c echo uji'!A0</definedName>"
    path = hostile.rewrite_zip(
        hostile.make_xlsx(tmp_path),
        {
            "xl/workbook.xml": lambda xml: xml.replace(
                b"<definedNames/>", name.encode() + b"</definedNames>"
            )
        },
    )
    assert "rumus DDE (pada nama atau grafik)" in refused(path, "xlsx").alasan


@pytest.mark.parametrize(
    "target", ["\\\\server-kantor\\templat\\kop.dotx", "file://server/templat/kop.dotm"]
)
def test_a_template_on_another_computer_is_remote(tmp_path: Path, target: str) -> None:
    path = hostile.make_remote_template_docx(tmp_path, target=target)
    assert "templat (attachedTemplate)" in refused(path, "docx").alasan


@pytest.mark.parametrize(
    "target",
    ["file:///C:\\Users\\analis\\Documents\\Kop Dinas.dotx", "D:\\Templat\\Kop.dotx"],
)
def test_a_template_on_the_authors_own_disk_is_not_fetched(tmp_path: Path, target: str) -> None:
    """Word records the template a document was made from; on anyone else's PC a local path
    finds nothing, so such a document (every letter made from a kop template) is accepted."""
    path = hostile.make_remote_template_docx(tmp_path, target=target)
    assert check_drop(path, {"docx"}) == "docx"


def test_an_external_relationship_written_in_lower_case_is_still_external(tmp_path: Path) -> None:
    path = hostile.make_remote_template_docx(tmp_path)
    rels = "word/_rels/settings.xml.rels"
    path = hostile.rewrite_zip(path, {rels: lambda xml: xml.replace(b'"External"', b'"external"')})
    assert "templat (attachedTemplate)" in refused(path, "docx").alasan


@pytest.mark.parametrize(
    ("kind", "label"),
    [("frame", "bingkai (frame)"), ("subDocument", "subdokumen"), ("video", "tautan (video)")],
)
def test_every_other_external_relationship_is_refused(
    kind: str, label: str, tmp_path: Path
) -> None:
    link = hostile.relationship("rIdX", kind, "https://contoh.invalid/x", external=True)
    path = hostile.rewrite_zip(
        hostile.make_docx(tmp_path), {hostile.DOCUMENT_RELS: hostile.add_relationships(link)}
    )
    assert label in refused(path, "docx").alasan


def test_a_workbook_embedded_as_an_object_is_refused(tmp_path: Path) -> None:
    path = hostile.make_embedded_workbook_docx(tmp_path)
    assert "objek sematan (OLE)" in refused(path, "docx").alasan


def test_a_relationship_part_that_is_not_xml_fails_the_file(tmp_path: Path) -> None:
    path = hostile.rewrite_zip(
        hostile.make_docx(tmp_path),
        {hostile.DOCUMENT_RELS: lambda xml: xml.replace(b"</Relationships>", b"<Relationship")},
    )
    assert "rusak" in refused(path, "docx").alasan


def test_active_content_is_looked_for_only_after_the_zip_and_xml_checks(tmp_path: Path) -> None:
    bomb = hostile.make_zip_bomb_members(tmp_path, "bom.docx", count=2001)
    hostile.rewrite_zip(bomb, {"word/document.xml": hostile.replace_body(
        hostile.field_paragraph(["DDEAUTO ", hostile.DDE_COMMAND]))})  # fmt: skip
    assert "terlalu banyak bagian" in refused(bomb, "docx").alasan
    xxe = hostile.make_billion_laughs_docx(tmp_path, "xxe.docx")
    assert "DOCTYPE" in refused(xxe, "docx").alasan


# --- what oletools finds, we find ----------------------------------------------------------------

DDE_DOCX = [
    hostile.make_dde_fldsimple_docx,
    hostile.make_ddeauto_split_docx,
    hostile.make_quoted_dde_docx,
    lambda folder: hostile.make_ddeauto_split_docx(folder, wrap=INSERTION),
]


@pytest.mark.parametrize("make", DDE_DOCX)
def test_every_dde_field_msodde_reports_is_refused(
    make: Callable[[Path], Path], tmp_path: Path
) -> None:
    """msodde is the reference for DDE in Word files; it misses the tracked insertion (its run
    is not a direct child of the paragraph), which is why the field codes are read here."""
    path = make(tmp_path)
    reported = msodde.process_docx(str(path), msodde.FIELD_FILTER_DDE)
    assert "DDE" in refused(path, "docx").alasan
    assert not reported or "DDE" in reported.upper()


def test_every_dde_link_msodde_reports_in_a_workbook_is_refused(tmp_path: Path) -> None:
    path = hostile.make_xlsx_dde_link(tmp_path)
    assert msodde.process_xlsx(str(path)) == "cmd /c echo uji"
    assert "tautan DDE" in refused(path, "xlsx").alasan


# --- the pure parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "command"),
    [
        (' DDEAUTO "cmd" "/c x"', "DDEAUTO"),
        ('dde "cmd" "/c x"', "DDE"),
        ('"DDEAUTO" cmd', "DDEAUTO"),
        ("QUOTE 68 68 69 32 99", "DDE"),
        ("quote 68 68 69 65 85 84 79", "DDEAUTO"),
        (" PAGE \\* MERGEFORMAT ", None),
        ('HYPERLINK "https://contoh.invalid/dde-laporan"', None),
        ("REF DDE_catatan \\h", None),
        ("DDEX cmd", None),
        ("QUOTE 999999999999999999999999 68", None),
        ("", None),
    ],
)
def test_dde_command_reads_the_field_type(code: str, command: str | None) -> None:
    assert dde_command(code) == command


def test_quoted_text_spells_character_codes() -> None:
    assert quoted_text("QUOTE 68 68 69") == "DDE"
    assert quoted_text("PAGE 68") == ""


class _Element:
    def __init__(self, text: str = "", **attributes: str) -> None:
        self.text = text
        self.attrib = {f"{{w}}{k}": v for k, v in attributes.items()}


def test_field_codes_join_split_runs_and_keep_nested_fields_apart() -> None:
    elements = [
        ("fldChar", _Element(fldCharType="begin")),
        ("instrText", _Element(" DDE")),
        ("fldChar", _Element(fldCharType="begin")),
        ("instrText", _Element("QUOTE 65")),
        ("fldChar", _Element(fldCharType="end")),
        ("instrText", _Element("AUTO x")),
        ("fldChar", _Element(fldCharType="separate")),
        ("fldChar", _Element(fldCharType="end")),
        ("fldSimple", _Element(instr=" PAGE ")),
        ("instrText", _Element("lepas")),
        ("fldChar", _Element(fldCharType="begin")),
        ("instrText", _Element("terbuka")),
    ]
    assert list(field_codes(elements)) == [
        "QUOTE 65",
        " DDEAUTO x",
        " PAGE ",
        "lepas",
        "terbuka",
    ]


@pytest.mark.parametrize(
    ("formula", "dde"),
    [
        ("cmd|'/c calc'!A0", True),
        ("'cmd'|'/c calc'!A0", True),
        ("=msexcel|'\\..\\..\\windows\\system32\\cmd.exe /c x'!''", True),
        ("SUM(A1:A9)", False),
        ('CONCATENATE("a|b", A1)', False),
        ("'Data|2026'!B2*2", False),
        ("'It''s|here'!A1", False),
        (None, False),
    ],
)
def test_is_dde_formula(formula: str | None, dde: bool) -> None:
    assert is_dde_formula(formula) is dde


# --- what must not be refused --------------------------------------------------------------------

HARMLESS = [
    (hostile.make_docx, "docx"),
    (hostile.make_xlsx, "xlsx"),
    (hostile.make_hyperlink_docx, "docx"),
    (hostile.make_hyperlink_xlsx, "xlsx"),
    (hostile.make_fields_docx, "docx"),
    (hostile.make_chart_docx, "docx"),
    (hostile.make_uncached_formula_xlsx, "xlsx"),
    (lambda folder: hostile.make_xlsx(folder, rows=[["a|b", '="x|y"&"z"']]), "xlsx"),
]


@pytest.mark.parametrize(("make", "kind"), HARMLESS)
def test_ordinary_files_pass(make: Callable[[Path], Path], kind: str, tmp_path: Path) -> None:
    path = make(tmp_path)
    assert check_drop(path, {kind}) == kind
    check_active_content(path, kind)


def test_shipped_templates_and_what_they_render_pass(share: Settings, tmp_path: Path) -> None:
    documents = Documents(SHIPPED)
    for name, context in sample_contexts(share.office, share.sops[0]).items():
        assert check_drop(SHIPPED / name, {"docx"}) == "docx"
        rendered = tmp_path / f"hasil-{name}"
        rendered.write_bytes(documents.render(name, context))
        assert check_drop(rendered, {"docx"}) == "docx"


def test_the_data_forms_pass(share: Settings, tmp_path: Path) -> None:
    for bidang in share.office.bidang:
        form = tmp_path / f"{bidang.slug}.xlsx"
        form.write_bytes(build_form(bidang, "DK-2026-001", "Triwulan II 2026", share.office.nama))
        assert check_drop(form, {"xlsx"}) == "xlsx"


def _libreoffice_copy(soffice: str, source: Path, fmt: str, outdir: Path) -> Path:
    outdir.mkdir()
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(outdir / 'lo').as_uri()}",
         "--convert-to", fmt, "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    result = outdir / f"{source.stem}.{fmt}"
    if not result.exists():
        message = f"LibreOffice could not write .{fmt} (Writer or Calc missing)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return result


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (hostile.make_hyperlink_docx, "docx"),
        (hostile.make_fields_docx, "docx"),
        (hostile.make_chart_docx, "docx"),  # LibreOffice writes the chart's data workbook again
        (hostile.make_hyperlink_xlsx, "xlsx"),
    ],
    ids=["docx-hyperlink", "docx-fields", "docx-chart", "xlsx-hyperlink"],
)
def test_files_saved_by_libreoffice_pass(
    make: Callable[[Path], Path], kind: str, tmp_path: Path
) -> None:
    soffice = require_program("soffice", "libreoffice")
    source = make(tmp_path)
    saved = _libreoffice_copy(soffice, source, kind, tmp_path / "lo-out")
    assert check_drop(saved, {kind}) == kind
