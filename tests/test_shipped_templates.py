"""The shipped templates: PreparedTemplate renders the same text as docxtpl itself, and the same
bytes every time."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from pipeline.core.values import BidangData, DataRow
from pipeline.documents.rendering import PreparedTemplate
from pipeline.documents.templates import Documents
from pipeline.engine.contexts import draft_context, naskah_context
from pipeline.settings import Settings
from pipeline.share import prepare_share
from tests.support.plain import docxtpl_render

SHIPPED = Path(__file__).resolve().parent.parent / "templates"
NOTA_DINAS = "nota-dinas.docx"
DRAF = "draf-data-kinerja.docx"
CASE = "DK-2026-017"
PERIOD = "Triwulan II 2026"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = tmp_path_factory.mktemp("shipped")
    return prepare_share(base / "share", base / "state")


def bidang_data(settings: Settings) -> dict[str, BidangData]:
    """Realisasi spread around target; remarks with markup characters, a line break, a tab."""
    data = {}
    for b_index, bidang in enumerate(settings.office.bidang):
        rows = tuple(
            DataRow(
                ind.kode,
                round(ind.target * (0.85 + 0.07 * ((b_index + i) % 5)), 2),
                f"Catatan {ind.kode} & <lampiran {i}>" + ("\nbaris kedua\tdengan tab" if i else ""),
            )
            for i, ind in enumerate(bidang.iku)
        )
        data[bidang.slug] = BidangData(bidang.slug, rows)
    return data


def contexts(settings: Settings) -> dict[str, dict[str, Any]]:
    tz = settings.tz
    office, sop = settings.office, settings.sops[0]
    order = datetime(2026, 4, 6, 9, 30, tzinfo=tz)
    (naskah,) = sop.opener.naskah
    return {
        NOTA_DINAS: naskah_context(
            office, sop, CASE, PERIOD, naskah, order, datetime(2026, 4, 8, 9, 30, tzinfo=tz),
            "000.5.2/004/DPK/2026", 'Disposisi "Bupati" & <Inspektorat>.docx',
        ),
        DRAF: draft_context(
            office, sop, CASE, PERIOD, 3, bidang_data(settings), datetime(2026, 4, 20, tzinfo=tz)
        ),
    }  # fmt: skip


def document_text(data: bytes) -> list[str]:
    """Every paragraph of the body (tables included, in order), then headers and footers."""
    doc = docx.Document(io.BytesIO(data))
    lines = [Paragraph(p, doc).text for p in doc.element.body.iter(qn("w:p"))]
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header):
            lines += [p.text for p in part.paragraphs]
    return lines


def element_counts(data: bytes) -> dict[str, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    return {
        t: sum(1 for _ in body.iter(qn(f"w:{t}"))) for t in ("tbl", "tr", "tc", "p", "br", "tab")
    }


@pytest.mark.parametrize("name", [NOTA_DINAS, DRAF])
def test_text_equals_what_docxtpl_renders(settings: Settings, name: str) -> None:
    context = contexts(settings)[name]
    ours = PreparedTemplate.load(SHIPPED / name).render(context)
    theirs = docxtpl_render(SHIPPED / name, context)
    assert document_text(ours) == document_text(theirs)
    assert element_counts(ours) == element_counts(theirs)
    text = "\n".join(document_text(ours))
    assert CASE in text and "{{" not in text and "{%" not in text


def test_the_draft_carries_every_indicator_and_the_remarks_verbatim(settings: Settings) -> None:
    data = PreparedTemplate.load(SHIPPED / DRAF).render(contexts(settings)[DRAF])
    doc = docx.Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for bidang in settings.office.bidang:
        for ind in bidang.iku:
            assert ind.kode in cells
    assert "Catatan SEK-02 & <lampiran 1>\nbaris kedua\tdengan tab" in cells
    footer = doc.sections[0].footer.paragraphs[0].text
    assert CASE in footer and "versi 3" in footer


@pytest.mark.parametrize("name", [NOTA_DINAS, DRAF])
def test_rendering_twice_gives_the_same_bytes(settings: Settings, name: str) -> None:
    context = contexts(settings)[name]
    first = Documents(SHIPPED).render(name, context)
    again = Documents(SHIPPED)
    assert again.render(name, context) == first
    assert again.render(name, context) == first
    changed = dict(context, kasus="DK-2026-018")
    assert again.render(name, changed) != first
