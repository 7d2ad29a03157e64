"""pdfconvert: many .docx to PDF in one LibreOffice run, each converter with its own profile."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from pipeline.core.errors import PipelineError
from pipeline.documents import pdfconvert
from pipeline.documents.pdfconvert import ConversionError, convert_batch, convert_one
from pipeline.documents.rendering import PreparedTemplate
from tests.support.tools import require_program


def _write_docx(path: Path, nomor: str) -> Path:
    doc = docx.Document()
    doc.add_paragraph("LAPORAN CAPAIAN IKU")
    doc.add_paragraph(f"Nomor {nomor}")
    doc.save(str(path))
    return path


def _rendered_docx(tmp_path: Path, count: int) -> list[Path]:
    """Documents made by PreparedTemplate: a title and a table row per indicator."""
    doc = docx.Document()
    doc.add_paragraph("LAPORAN CAPAIAN IKU")
    doc.add_paragraph("Nomor {{ nomor }}")
    table = doc.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text = "{%tr for r in rows %}"
    table.rows[1].cells[0].text = "{{ r.indikator }}"
    table.rows[1].cells[1].text = "{{ r.capaian }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    doc.save(str(tmp_path / "templat.docx"))
    template = PreparedTemplate.load(tmp_path / "templat.docx")
    paths = []
    for n in range(count):
        rows = [{"indikator": f"Indikator {n}.{i}", "capaian": f"{90 + i}"} for i in range(3)]
        path = tmp_path / f"laporan-{n}.docx"
        path.write_bytes(template.render({"nomor": f"800/{n:03d}/DPK", "rows": rows}))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("soffice-profile")


@pytest.mark.libreoffice
def test_convert_batch_makes_one_pdf_per_document(tmp_path: Path, profile: Path) -> None:
    require_program("soffice", "libreoffice")
    sources = _rendered_docx(tmp_path, 3)
    pdfs = convert_batch(sources, tmp_path / "pdf", profile, timeout=180)
    assert [p.name for p in pdfs] == ["laporan-0.pdf", "laporan-1.pdf", "laporan-2.pdf"]
    for n, pdf in enumerate(pdfs):
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert f"Nomor 800/{n:03d}/DPK" in text
        assert f"Indikator {n}.2" in text


@pytest.mark.libreoffice
def test_a_document_soffice_cannot_load_is_an_error(tmp_path: Path, profile: Path) -> None:
    require_program("soffice", "libreoffice")
    missing = tmp_path / "tidak-ada.docx"
    with pytest.raises(ConversionError, match="no PDF was produced for tidak-ada") as caught:
        convert_one(missing, tmp_path / "pdf", profile, timeout=180)
    assert isinstance(caught.value, PipelineError)


@pytest.mark.libreoffice
def test_timeout_stops_soffice(tmp_path: Path) -> None:
    require_program("soffice", "libreoffice")
    source = _write_docx(tmp_path / "lambat.docx", "1")
    with pytest.raises(ConversionError, match="did not finish"):
        convert_one(source, tmp_path / "pdf", tmp_path / "fresh-profile", timeout=0.2)


def test_two_documents_with_the_same_stem_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="stem"):
        pdfconvert.pdf_targets([tmp_path / "a" / "x.docx", tmp_path / "b" / "x.docx"], tmp_path)


def test_command_uses_the_converters_own_profile(tmp_path: Path) -> None:
    command = pdfconvert.soffice_command("soffice", [tmp_path / "a.docx"], tmp_path, tmp_path / "p")
    assert f"-env:UserInstallation={(tmp_path / 'p').resolve().as_uri()}" in command
    assert command[-1] == str(tmp_path / "a.docx")


def test_an_empty_batch_starts_nothing(tmp_path: Path) -> None:
    assert convert_batch([], tmp_path / "pdf", tmp_path / "profile", timeout=1) == []
    assert not (tmp_path / "pdf").exists()


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "palsu.pdf"
    fake.write_bytes(b"PK\x03\x04 not a pdf")
    with pytest.raises(ConversionError, match="not a PDF"):
        pdfconvert.check_pdf(fake, "")
