"""PreparedTemplate: docxtpl's output text, fast path, deterministic, safe with hostile data."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from docxtpl import RichText
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline.core.errors import TemplateError
from pipeline.documents.rendering import PreparedTemplate
from tests.support.plain import docxtpl_render

EXPECTED = frozenset({"judul", "nomor", "kasus_id", "catatan", "grup", "penanda", "tampil"})


def build_report_template(path: Path) -> Path:
    """A realistic template: title block, one table per group, header and footer variables."""
    doc = docx.Document()
    title = doc.add_paragraph().add_run("LAPORAN {{ judul }}")
    title.bold = True
    title.font.size = Pt(14)
    doc.add_paragraph("Nomor: {{ nomor }}")
    doc.add_paragraph("{%p if tampil %}")
    doc.add_paragraph("Catatan: {{ catatan }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for g in grup %}")
    doc.add_paragraph("Bidang {{ g.nama }}")
    table = doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("No", "Indikator", "Capaian"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for row in g.rows %}"
    for cell, key in zip(table.rows[2].cells, ("no", "indikator", "capaian"), strict=True):
        cell.text = f"{{{{ row.{key} }}}}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph().add_run("{{r penanda }}")
    section = doc.sections[0]
    section.header.paragraphs[0].text = "Berkas {{ kasus_id }}"
    section.footer.paragraphs[0].text = "Nomor {{ nomor }} · halaman akhir"
    doc.save(str(path))
    return path


def report_context(seed: int = 1, catatan: str = "baik & <lengkap>") -> dict[str, Any]:
    grup = [
        {
            "nama": f"Layanan {g}",
            "rows": [
                {"no": i + 1, "indikator": f"Indikator {g}.{i}", "capaian": f"{seed + i}.5"}
                for i in range(7)
            ],
        }
        for g in range(6)
    ]
    return {
        "judul": f"CAPAIAN IKU {2020 + seed}",
        "nomor": f"800/{seed:03d}/DPK",
        "kasus_id": f"DK-2026-{seed:03d}",
        "catatan": catatan,
        "grup": grup,
        "penanda": RichText("disetujui", bold=True),
        "tampil": True,
    }


def document_text(data: bytes) -> list[str]:
    """Every paragraph of body (tables included, in order), headers and footers."""
    doc = docx.Document(io.BytesIO(data))
    lines = [Paragraph(p, doc).text for p in doc.element.body.iter(qn("w:p"))]
    for section in doc.sections:
        lines += [p.text for p in section.header.paragraphs]
        lines += [p.text for p in section.footer.paragraphs]
    return lines


def element_counts(data: bytes) -> dict[str, int]:
    """How many tables, rows, cells, paragraphs, line breaks and tabs the body holds."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    return {
        tag: sum(1 for _ in body.iter(qn(f"w:{tag}")))
        for tag in ("tbl", "tr", "tc", "p", "br", "tab")
    }


@pytest.fixture(scope="module")
def template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report_template(tmp_path_factory.mktemp("tpl") / "laporan.docx")


@pytest.fixture(scope="module")
def prepared(template_path: Path) -> PreparedTemplate:
    return PreparedTemplate.load(template_path, EXPECTED)


def test_text_equals_what_docxtpl_renders(template_path: Path, prepared: PreparedTemplate) -> None:
    context = report_context(3, catatan="dua baris\nkedua\tdengan tab")
    ours_docx, theirs_docx = prepared.render(context), docxtpl_render(template_path, context)
    ours = document_text(ours_docx)
    assert ours == document_text(theirs_docx)
    assert element_counts(ours_docx) == element_counts(theirs_docx)
    assert element_counts(ours_docx)["br"] == 1
    assert "Indikator 5.6" in ours
    assert "Berkas DK-2026-003" in ours


def test_conditional_paragraph_follows_the_data(prepared: PreparedTemplate) -> None:
    shown = document_text(prepared.render(report_context()))
    hidden = document_text(prepared.render(report_context() | {"tampil": False}))
    assert any(line.startswith("Catatan:") for line in shown)
    assert not any(line.startswith("Catatan:") for line in hidden)


def test_render_is_deterministic(template_path: Path, prepared: PreparedTemplate) -> None:
    first = prepared.render(report_context(2), {"data_sha256": "abc"})
    again = PreparedTemplate.load(template_path).render(report_context(2), {"data_sha256": "abc"})
    assert first == again
    assert first != prepared.render(report_context(4), {"data_sha256": "abc"})


def test_output_is_a_valid_docx_with_fixed_timestamps(
    template_path: Path, prepared: PreparedTemplate
) -> None:
    data = prepared.render(report_context())
    with zipfile.ZipFile(io.BytesIO(data)) as out, zipfile.ZipFile(template_path) as tpl:
        assert out.testzip() is None
        assert out.namelist() == tpl.namelist()
        assert {i.date_time for i in out.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        changed = {n for n in tpl.namelist() if out.read(n) != tpl.read(n)}
        for name in out.namelist():
            if name.endswith(".xml"):
                etree.fromstring(out.read(name))
    assert changed == {"word/document.xml", "word/header1.xml", "word/footer1.xml"}
    assert len(docx.Document(io.BytesIO(data)).tables) == 6


@pytest.mark.parametrize(
    "hostile",
    ["{{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}", "<w:t>&amp; &", "{_{ a }_} {_% %_}",
     "{{ ''.__class__.__mro__ }}", "\"kutip\" 'tunggal' ]]> <!-- x -->"],
)  # fmt: skip
def test_data_is_only_data(prepared: PreparedTemplate, hostile: str) -> None:
    text = document_text(prepared.render(report_context(catatan=hostile)))
    assert f"Catatan: {hostile}" in text


def test_control_characters_in_data_do_not_break_the_document(prepared: PreparedTemplate) -> None:
    text = document_text(prepared.render(report_context(catatan="a\x00b\x1bc")))
    assert "Catatan: abc" in text


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40))
def test_any_text_comes_out_verbatim(prepared: PreparedTemplate, value: str) -> None:
    text = document_text(prepared.render(report_context(catatan=value)))
    assert f"Catatan: {value}" in text


def test_missing_variable_is_a_template_error(prepared: PreparedTemplate) -> None:
    context = report_context()
    del context["nomor"]
    with pytest.raises(TemplateError, match="nomor"):
        prepared.render(context)


def test_missing_attribute_in_a_row_is_a_template_error(prepared: PreparedTemplate) -> None:
    context = report_context()
    del context["grup"][2]["rows"][1]["capaian"]
    with pytest.raises(TemplateError, match="capaian"):
        prepared.render(context)


def test_variables_are_listed(prepared: PreparedTemplate) -> None:
    assert prepared.variables == EXPECTED


def test_unknown_variable_is_a_lint_error(template_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"not provided.*catatan, grup"):
        PreparedTemplate.load(template_path, EXPECTED - {"grup", "catatan"})


def _one_paragraph_template(tmp_path: Path, *texts: str) -> Path:
    doc = docx.Document()
    for text in texts:
        doc.add_paragraph(text)
    path = tmp_path / "rusak.docx"
    doc.save(str(path))
    return path


def test_tr_outside_a_table_row_is_a_lint_error(tmp_path: Path) -> None:
    path = _one_paragraph_template(tmp_path, "{%tr for r in rows %}", "{{ r }}", "{%tr endfor %}")
    with pytest.raises(TemplateError, match=r"rusak\.docx.*not inside a table row"):
        PreparedTemplate.load(path)


@pytest.mark.parametrize(
    "texts",
    [("{{ nama ",), ("{% for x in %}", "{% endfor %}"), ("{% if a %}", "tanpa penutup")],
)
def test_malformed_tag_is_a_lint_error(tmp_path: Path, texts: tuple[str, ...]) -> None:
    path = _one_paragraph_template(tmp_path, "Judul", *texts)
    with pytest.raises(TemplateError, match="syntax error"):
        PreparedTemplate.load(path)


def test_not_a_docx_is_a_template_error(tmp_path: Path) -> None:
    path = tmp_path / "bukan.docx"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(TemplateError, match=r"not a \.docx"):
        PreparedTemplate.load(path)


def test_sha256_is_of_the_template_bytes(template_path: Path, prepared: PreparedTemplate) -> None:
    assert prepared.sha256 == hashlib.sha256(template_path.read_bytes()).hexdigest()


def custom_properties(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("docProps/custom.xml"))
    return {prop.get("name"): "".join(prop.itertext()) for prop in root}


def test_custom_properties_are_added(prepared: PreparedTemplate) -> None:
    props = {"template_sha256": prepared.sha256, "data_sha256": "d" * 64, "versi": "0.1 & <b>"}
    data = prepared.render(report_context(), props)
    assert custom_properties(data) == props
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "docProps/custom.xml" in archive.read("[Content_Types].xml").decode()
        assert "custom-properties" in archive.read("_rels/.rels").decode()
    part = docx.Document(io.BytesIO(data)).part.package.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
    )
    assert b"template_sha256" in part.blob


def test_existing_custom_properties_are_kept(tmp_path: Path, prepared: PreparedTemplate) -> None:
    first = prepared.render(report_context(), {"asal": "templat", "versi": "1"})
    path = tmp_path / "dengan-properti.docx"
    path.write_bytes(first)
    again = PreparedTemplate.load(path).render(report_context(), {"versi": "2"})
    assert custom_properties(again) == {"asal": "templat", "versi": "2"}
    with zipfile.ZipFile(io.BytesIO(again)) as archive:
        assert archive.read("_rels/.rels").decode().count("custom-properties") == 1


def test_without_properties_the_template_parts_are_untouched(
    template_path: Path, prepared: PreparedTemplate
) -> None:
    with zipfile.ZipFile(io.BytesIO(prepared.render(report_context()))) as out:
        assert "docProps/custom.xml" not in out.namelist()
        with zipfile.ZipFile(template_path) as tpl:
            assert out.read("_rels/.rels") == tpl.read("_rels/.rels")


def test_core_properties_are_rendered_like_docxtpl(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("Nomor {{ nomor }}")
    doc.core_properties.title = "Laporan {{ nomor }}"
    path = tmp_path / "judul.docx"
    doc.save(str(path))
    context = {"nomor": "800/7 & 8"}
    ours = docx.Document(io.BytesIO(PreparedTemplate.load(path).render(context)))
    theirs = docx.Document(io.BytesIO(docxtpl_render(path, context)))
    assert ours.core_properties.title == "Laporan 800/7 & 8"
    assert [p.text for p in ours.paragraphs] == [p.text for p in theirs.paragraphs]


def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_repeated_pictures_get_unique_ids_like_docxtpl(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("{%p for n in daftar %}")
    doc.add_paragraph("Lampiran {{ n }}")
    doc.add_picture(io.BytesIO(_png_1x1()))
    doc.add_paragraph("{%p endfor %}")
    path = tmp_path / "gambar.docx"
    doc.save(str(path))
    context = {"daftar": ["satu", "dua", "tiga"]}
    ours = PreparedTemplate.load(path).render(context)

    def ids(data: bytes) -> list[str]:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            body = etree.fromstring(archive.read("word/document.xml"))
        return [e.get("id") for e in body.iter(qn("wp:docPr"))]

    assert ids(ours) == ids(docxtpl_render(path, context)) == ["1001", "1002", "1003"]
    assert document_text(ours) == document_text(docxtpl_render(path, context))


def test_a_tag_pair_that_breaks_the_xml_is_refused_not_shipped(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("awal {% if tampil %}teks")
    doc.add_table(rows=1, cols=1).rows[0].cells[0].text = "sel {% endif %} akhir"
    path = tmp_path / "pasangan.docx"
    doc.save(str(path))
    template = PreparedTemplate.load(path)
    assert "sel" in "".join(document_text(template.render({"tampil": True})))
    with pytest.raises(TemplateError, match=r"pasangan\.docx.*malformed XML"):
        template.render({"tampil": False})
