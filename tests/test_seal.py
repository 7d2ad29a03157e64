"""The seal on the signing copy: QR marks on every page, found again after printing, and the
signature box found in a real LibreOffice PDF of a Word-like naskah dinas."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader, PdfWriter

from pipeline.documents.pdfconvert import convert_one
from pipeline.documents.pdfium import opened, render
from pipeline.signing.scan import read_marks
from pipeline.signing.seal import (
    QR_INSET,
    QR_SIZE,
    Rect,
    Seal,
    SealMark,
    find_signature_box,
    seal_pdf,
)
from tests.support.signing_copies import (
    NAME,
    NIP,
    Documents,
    blank_pdf,
    doodle_pdf,
    make_documents,
)
from tests.support.tools import require_program

CASE = "DK-2026-001"


@dataclass(frozen=True)
class Sealed:
    original: bytes
    pdf: bytes
    seal: Seal


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    require_program("soffice", "libreoffice")
    return make_documents(tmp_path_factory.mktemp("naskah"))


@pytest.fixture(scope="module")
def sealed(documents: Documents) -> Sealed:
    pdf, seal = seal_pdf(documents.laporan, CASE, 3)
    return Sealed(documents.laporan, pdf, seal)


# --- the mark, without any PDF ----------------------------------------------------------------


def test_payload_reads_back_as_the_same_mark() -> None:
    mark = SealMark(CASE, 3, 2, 4, "a1b2c3d4e5f6")
    assert mark.payload() == "SOPSEAL1|DK-2026-001|v3|2/4|a1b2c3d4e5f6"
    assert SealMark.parse(mark.payload()) == mark


@given(
    case_id=st.from_regex(r"[A-Z]{2,4}-20[0-9]{2}-[0-9]{3,5}", fullmatch=True),
    version=st.integers(1, 999),
    pages=st.integers(1, 400),
    data=st.data(),
    short_hash=st.from_regex(r"[0-9a-f]{12}", fullmatch=True),
)
def test_every_mark_round_trips(
    case_id: str, version: int, pages: int, data: st.DataObject, short_hash: str
) -> None:
    page = data.draw(st.integers(1, pages))
    mark = SealMark(case_id, version, page, pages, short_hash)
    assert SealMark.parse(mark.payload()) == mark


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://jdih.tanjabbarkab.go.id/peraturan/2025/12",
        "SOPSEAL1|DK-2026-001|v3|2/4",
        "SOPSEAL1|DK-2026-001|v3|5/4|a1b2c3d4e5f6",  # page beyond the count
        "SOPSEAL1|DK-2026-001|v3|0/4|a1b2c3d4e5f6",
        "SOPSEAL1|DK-2026-001|v3|2/4|a1b2c3d4e5",  # hash cut short
        "SOPSEAL1|DK-2026-001|v3|2/4|A1B2C3D4E5F6",
        "SOPSEAL1|DK-2026-001|3|2/4|a1b2c3d4e5f6",
        "SOPSEAL1|DK-2026-001|v3|2/4|a1b2c3d4e5f6|x",
        "SOPSEAL1|DK-2026-001|v3|2/4|a1b2c3d4e5f6\n",
        "SOPSEAL2|DK-2026-001|v3|2/4|a1b2c3d4e5f6",
        " SOPSEAL1|DK-2026-001|v3|2/4|a1b2c3d4e5f6",
        "SOPSEAL1||v3|2/4|a1b2c3d4e5f6",
        "SOPSEAL1|DK 2026 001|v3|2/4|a1b2c3d4e5f6",
    ],
)
def test_parse_refuses_what_is_not_ours(text: str) -> None:
    assert SealMark.parse(text) is None


@given(st.text())
def test_parse_never_raises(text: str) -> None:
    SealMark.parse(text)


def test_case_id_that_a_mark_cannot_carry_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be carried"):
        seal_pdf(blank_pdf(), "DK|2026", 1)


# --- sealing a real signing copy --------------------------------------------------------------


@pytest.mark.libreoffice
def test_every_page_decodes_to_its_own_mark(sealed: Sealed) -> None:
    marks = [page.mark for page in read_marks(sealed.pdf)]
    assert marks == [sealed.seal.mark(0), sealed.seal.mark(1)]
    assert sealed.seal.mark(1).payload().startswith(f"SOPSEAL1|{CASE}|v3|2/2|")


@pytest.mark.libreoffice
def test_short_hash_is_of_the_unsealed_copy(sealed: Sealed) -> None:
    assert sealed.seal.short_hash == hashlib.sha256(sealed.original).hexdigest()[:12]


@pytest.mark.libreoffice
def test_qr_sits_at_the_bottom_right_where_the_seal_says(sealed: Sealed) -> None:
    _assert_qr_where_sealed(sealed.pdf, sealed.seal)


@pytest.mark.libreoffice
def test_sealing_is_deterministic(sealed: Sealed) -> None:
    again, seal = seal_pdf(sealed.original, CASE, 3)
    assert again == sealed.pdf
    assert seal == sealed.seal


@pytest.mark.libreoffice
def test_original_text_stays_and_the_printed_line_is_added(sealed: Sealed) -> None:
    before = [page.extract_text() for page in PdfReader(io.BytesIO(sealed.original)).pages]
    after = [page.extract_text() for page in PdfReader(io.BytesIO(sealed.pdf)).pages]
    assert NIP in after[1]
    for n, (old, new) in enumerate(zip(before, after, strict=True)):
        assert _words(old) <= _words(new)
        assert f"Naskah {CASE} versi 3 · halaman {n + 1} dari 2" in new
        assert sealed.seal.short_hash in new


@pytest.mark.libreoffice
def test_sealed_copy_opens_in_pypdf_pyhanko_and_pdfium(sealed: Sealed) -> None:
    assert len(PdfReader(io.BytesIO(sealed.pdf)).pages) == 2
    assert PdfFileReader(io.BytesIO(sealed.pdf), strict=True).root["/Pages"]["/Count"] == 2
    with opened(sealed.pdf) as document:
        assert len(document) == 2


@pytest.mark.libreoffice
def test_seal_round_trips_through_json(sealed: Sealed) -> None:
    raw = json.loads(json.dumps(sealed.seal.to_json()))
    assert Seal.from_json(raw) == sealed.seal


# --- the signature box ------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_box_is_the_empty_band_above_the_name(sealed: Sealed) -> None:
    seal = sealed.seal
    assert seal.sign_page == 1 and seal.sign_box is not None
    lines = _lines(sealed.pdf, 1)
    name, title = lines[NAME], lines["KABUPATEN TANJUNG JABUNG BARAT,"]
    box = seal.sign_box
    assert box.y0 == pytest.approx(name.y1, abs=0.5)
    assert box.y1 == pytest.approx(title.y0, abs=0.5)
    assert box.height > 40  # four empty lines of 11 pt type
    assert box.x0 <= name.x0 and box.x1 >= name.x1
    assert _text_in(sealed.pdf, 1, box) == ""


@pytest.mark.libreoffice
def test_box_of_a_right_aligned_block_made_of_line_breaks(documents: Documents) -> None:
    found = find_signature_box(documents.nota_dinas)
    assert found is not None
    page, box = found
    lines = _lines(documents.nota_dinas, 0)
    assert page == 0
    assert box.y0 == pytest.approx(lines["RINA KARTIKA, S.E."].y1, abs=0.5)
    assert box.y1 == pytest.approx(lines["SEKRETARIS,"].y0, abs=0.5)
    assert box.width >= 170
    assert box.x0 >= 0 and box.x1 <= 595.5
    assert _text_in(documents.nota_dinas, 0, box) == ""


@pytest.mark.libreoffice
def test_page_turned_by_its_rotate_entry_gets_the_qr_at_its_visible_bottom_right(
    documents: Documents,
) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(documents.laporan)))
    writer.pages[1].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    pdf, seal = seal_pdf(out.getvalue(), CASE, 3)
    assert seal.pages[1].width > seal.pages[1].height  # shown lying on its side
    assert [page.mark for page in read_marks(pdf)] == [seal.mark(0), seal.mark(1)]
    _assert_qr_where_sealed(pdf, seal)


def test_no_signature_block_no_box(caplog: pytest.LogCaptureFixture) -> None:
    assert find_signature_box(blank_pdf()) is None
    assert find_signature_box(doodle_pdf()) is None
    with caplog.at_level(logging.WARNING, logger="pipeline.signing.seal"):
        _, seal = seal_pdf(blank_pdf(), CASE, 1)
    assert seal.sign_box is None and seal.sign_page is None
    assert "no signature box" in caplog.text


@pytest.mark.libreoffice
def test_nip_without_the_empty_band_gives_no_box(tmp_path: Path) -> None:
    require_program("soffice", "libreoffice")
    doc = docx.Document()
    for line in ("Kuala Tungkal, 12 Maret 2026", "KEPALA DINAS,", NAME, NIP):
        doc.add_paragraph(line)
    doc.save(str(tmp_path / "rapat.docx"))
    pdf = convert_one(tmp_path / "rapat.docx", tmp_path, tmp_path / "profile", 120)
    assert find_signature_box(pdf.read_bytes()) is None


# --- helpers ----------------------------------------------------------------------------------


def _assert_qr_where_sealed(pdf: bytes, seal: Seal, dpi: int = 200) -> None:
    """The QR code read from each rendered page has its corners where the seal recorded them."""
    for n, page in enumerate(seal.pages):
        qr = page.qr
        assert qr.width == pytest.approx(QR_SIZE)
        assert page.width - qr.x1 == pytest.approx(QR_INSET)
        assert qr.y0 == pytest.approx(QR_INSET)
        found = _decoded_corners(pdf, n, dpi)
        expected = [(qr.x0, qr.y1), (qr.x1, qr.y1), (qr.x1, qr.y0), (qr.x0, qr.y0)]
        for (px, py), (x, y) in zip(found, expected, strict=True):
            assert px * 72 / dpi == pytest.approx(x, abs=1.5)
            assert page.height - py * 72 / dpi == pytest.approx(y, abs=1.5)


def _decoded_corners(pdf: bytes, page: int, dpi: int) -> list[tuple[int, int]]:
    with opened(pdf) as document:
        image = render(document[page], dpi / 72)
    (barcode,) = zxingcpp.read_barcodes(image)
    p = barcode.position
    return [(c.x, c.y) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]


def _lines(pdf: bytes, page: int) -> dict[str, Rect]:
    """Each text line pdfium sees on the page, by its text."""
    with opened(pdf) as document:
        textpage: Any = document[page].get_textpage()
        rects = [textpage.get_rect(n) for n in range(textpage.count_rects())]
        return {textpage.get_text_bounded(*r).strip(): Rect(*r) for r in rects}


def _text_in(pdf: bytes, page: int, box: Rect) -> str:
    with opened(pdf) as document:
        textpage: Any = document[page].get_textpage()
        return str(textpage.get_text_bounded(box.x0, box.y0, box.x1, box.y1)).strip()


def _words(text: str) -> set[str]:
    return set(text.split())
