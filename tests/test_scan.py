"""A wet-signed scan is accepted only as the signing copy that was issued, whole, and signed.

The scans are made by `wet_signed_scan` from a real LibreOffice signing copy: turned, skewed,
at 150 and 300 dpi, in colour and grey, as JPEG of several qualities; each is also made with the
signature box left empty, which must be refused.
"""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from pipeline.core.errors import Rejected
from pipeline.signing.scan import INK_MIN_MM2, ScanPage, check_marks, check_scan, read_marks
from pipeline.signing.seal import Rect, Seal, SealedPage, seal_pdf
from pipeline.signing.specimen import wet_signed_scan
from tests.support.signing_copies import (
    Documents,
    blank_pdf,
    doodle_pdf,
    make_documents,
    picture_pdf,
)
from tests.support.tools import require_program

CASE = "DK-2026-001"


@dataclass(frozen=True)
class Issued:
    """The signing copy as issued, and copies that must not pass for it."""

    pdf: bytes
    seal: Seal
    other_case: bytes  # the same document sealed for DK-2026-002
    other_version: bytes  # sealed as version 2
    earlier: bytes  # an earlier copy of this case and version (another text, another hash)
    nota_dinas: bytes  # another document of the case, never sealed


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    require_program("soffice", "libreoffice")
    documents: Documents = make_documents(tmp_path_factory.mktemp("naskah"))
    pdf, seal = seal_pdf(documents.laporan, CASE, 3)
    return Issued(
        pdf=pdf,
        seal=seal,
        other_case=seal_pdf(documents.laporan, "DK-2026-002", 3)[0],
        other_version=seal_pdf(documents.laporan, CASE, 2)[0],
        earlier=seal_pdf(documents.laporan_revisi, CASE, 3)[0],
        nota_dinas=documents.nota_dinas,
    )


SCANNERS = {
    "200 dpi, colour": {},
    "150 dpi": {"dpi": 150},
    "300 dpi": {"dpi": 300},
    "grey": {"grey": True},
    "jpeg 60": {"jpeg_quality": 60},
    "jpeg 90": {"jpeg_quality": 90},
    "turned 90": {"rotate": 90},
    "turned 180": {"rotate": 180},
    "turned 270": {"rotate": 270},
    "skewed +3": {"rotate": 3},
    "skewed -3": {"rotate": -3},
    "150 dpi grey jpeg 60 skewed -3": {"dpi": 150, "grey": True, "jpeg_quality": 60, "rotate": -3},
    "300 dpi turned 93 jpeg 60": {"dpi": 300, "jpeg_quality": 60, "rotate": 93},
}


# --- accepted ---------------------------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.parametrize("scanner", SCANNERS.values(), ids=SCANNERS.keys())
def test_signed_scan_is_accepted(issued: Issued, scanner: dict[str, Any]) -> None:
    check = check_scan(wet_signed_scan(issued.pdf, **scanner), issued.seal, issued.pdf)
    assert [p.mark for p in check.pages] == [issued.seal.mark(0), issued.seal.mark(1)]
    assert check.sign_page == 1
    assert check.ink_mm2 >= 4 * INK_MIN_MM2  # the threshold sits well below a signature
    assert 0.02 < check.ink_ratio < 0.2


@pytest.mark.libreoffice
@pytest.mark.parametrize("scanner", SCANNERS.values(), ids=SCANNERS.keys())
def test_scan_with_the_box_left_empty_is_refused(issued: Issued, scanner: dict[str, Any]) -> None:
    scan = wet_signed_scan(issued.pdf, ink=False, **scanner)
    with pytest.raises(Rejected) as refused:
        check_scan(scan, issued.seal, issued.pdf)
    assert refused.value.alasan.startswith("belum ada tanda tangan pada kotak tanda tangan")
    assert "halaman 2 dari 2" in refused.value.alasan


@pytest.mark.libreoffice
def test_the_signing_copy_itself_unsigned_is_refused(issued: Issued) -> None:
    with pytest.raises(Rejected, match="belum ada tanda tangan"):
        check_scan(issued.pdf, issued.seal, issued.pdf)


@pytest.mark.libreoffice
def test_page_scanned_twice_or_out_of_order_is_harmless(issued: Issued) -> None:
    twice = check_scan(wet_signed_scan(issued.pdf, pages=[1, 0, 1]), issued.seal, issued.pdf)
    assert [p.mark.page if p.mark else None for p in twice.pages] == [2, 1, 2]
    assert twice.sign_page in {0, 2}


@pytest.mark.libreoffice
def test_record_is_plain_json(issued: Issued) -> None:
    check = check_scan(wet_signed_scan(issued.pdf), issued.seal, issued.pdf)
    record = json.loads(json.dumps(check.to_record()))
    assert record["sign_page"] == 1
    assert record["pages"][1]["mark"] == issued.seal.mark(1).payload()
    assert record["ink_mm2"] >= INK_MIN_MM2


@pytest.mark.libreoffice
def test_without_a_box_the_last_page_must_hold_new_ink(issued: Issued) -> None:
    no_box = dataclasses.replace(issued.seal, sign_page=None, sign_box=None)
    assert check_scan(wet_signed_scan(issued.pdf, rotate=-2), no_box, issued.pdf).sign_page == 1
    with pytest.raises(Rejected, match="belum ada tanda tangan"):
        check_scan(wet_signed_scan(issued.pdf, ink=False, rotate=-2), no_box, issued.pdf)


# --- refused: not the signing copy ------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    "make",
    [
        lambda issued: blank_pdf(),
        lambda issued: picture_pdf(),
        lambda issued: doodle_pdf(),
        lambda issued: issued.nota_dinas,
        lambda issued: wet_signed_scan(issued.nota_dinas),
    ],
    ids=["blank page", "image of something else", "vector doodle", "nota dinas", "nota scanned"],
)
def test_pdf_without_our_qr_is_not_a_scan_of_the_copy(issued: Issued, make: Any) -> None:
    with pytest.raises(Rejected) as refused:
        check_scan(make(issued), issued.seal, issued.pdf)
    assert "bukan pindaian naskah DK-2026-001 versi 3" in refused.value.alasan
    assert "outbox/kepala-dinas/" in refused.value.saran
    assert "150–300 dpi" in refused.value.saran


@pytest.mark.libreoffice
def test_scan_of_another_case_names_that_case(issued: Issued) -> None:
    with pytest.raises(Rejected) as refused:
        check_scan(wet_signed_scan(issued.other_case), issued.seal, issued.pdf)
    assert "naskah DK-2026-002, bukan naskah DK-2026-001" in refused.value.alasan
    assert refused.value.where.page == 1


@pytest.mark.libreoffice
def test_one_page_of_another_case_is_named_by_its_page(issued: Issued) -> None:
    scan = _joined(
        wet_signed_scan(issued.pdf, pages=[0]), wet_signed_scan(issued.other_case, pages=[1])
    )
    with pytest.raises(Rejected) as refused:
        check_scan(scan, issued.seal, issued.pdf)
    assert "DK-2026-002" in refused.value.alasan
    assert refused.value.where.page == 2


@pytest.mark.libreoffice
def test_scan_of_another_version_names_both_versions(issued: Issued) -> None:
    with pytest.raises(Rejected) as refused:
        check_scan(wet_signed_scan(issued.other_version), issued.seal, issued.pdf)
    assert "versi 2 naskah DK-2026-001" in refused.value.alasan
    assert "adalah versi 3" in refused.value.alasan


@pytest.mark.libreoffice
def test_scan_of_an_earlier_copy_of_the_same_version_is_refused(issued: Issued) -> None:
    with pytest.raises(Rejected) as refused:
        check_scan(wet_signed_scan(issued.earlier), issued.seal, issued.pdf)
    assert "diterbitkan lebih dahulu" in refused.value.alasan
    assert issued.seal.short_hash in refused.value.alasan


# --- refused: incomplete or unreadable --------------------------------------------------------


@pytest.mark.libreoffice
def test_missing_page_is_named(issued: Issued) -> None:
    with pytest.raises(Rejected) as refused:
        check_scan(wet_signed_scan(issued.pdf, pages=[1]), issued.seal, issued.pdf)
    assert refused.value.alasan == "halaman 1 dari 2 tidak ada dalam pindaian"


@pytest.mark.libreoffice
def test_page_without_a_readable_qr_is_named(issued: Issued) -> None:
    scan = _joined(wet_signed_scan(issued.pdf), doodle_pdf())  # content, no QR
    with pytest.raises(Rejected) as refused:
        check_scan(scan, issued.seal, issued.pdf)
    assert "tidak ada kode QR naskah yang terbaca" in refused.value.alasan
    assert refused.value.where.page == 3
    assert refused.value.message.startswith("halaman 3: ")


def test_file_that_is_not_a_pdf_is_refused() -> None:
    seal = _seal(pages=1)
    with pytest.raises(Rejected, match="bukan PDF"):
        check_scan(b"%PDF-1.7 torn off", seal, blank_pdf())


# --- the decision on the marks alone ----------------------------------------------------------


def test_all_missing_pages_are_listed() -> None:
    seal = _seal(pages=4)
    with pytest.raises(Rejected) as refused:
        check_marks([ScanPage(0, seal.mark(1))], seal)
    assert refused.value.alasan == "halaman 1, 3 dan 4 dari 4 tidak ada dalam pindaian"


def test_foreign_case_is_reported_before_an_unreadable_page() -> None:
    seal = _seal(pages=2)
    foreign = dataclasses.replace(seal.mark(1), case_id="DK-2025-114")
    with pytest.raises(Rejected) as refused:
        check_marks([ScanPage(0, None), ScanPage(1, foreign)], seal)
    assert "DK-2025-114" in refused.value.alasan


def test_marks_of_exactly_the_copy_pass() -> None:
    seal = _seal(pages=3)
    check_marks([ScanPage(n, seal.mark(n)) for n in (2, 0, 1, 1)], seal)


@pytest.mark.libreoffice
def test_read_marks_reports_every_page(issued: Issued) -> None:
    scan = _joined(wet_signed_scan(issued.pdf, rotate=180, grey=True), blank_pdf())
    assert read_marks(scan) == [
        ScanPage(0, issued.seal.mark(0)),
        ScanPage(1, issued.seal.mark(1)),
        ScanPage(2, None),
    ]


@pytest.mark.libreoffice
def test_specimen_is_deterministic(issued: Issued) -> None:
    first = wet_signed_scan(issued.pdf, dpi=150, rotate=-3, grey=True)
    assert wet_signed_scan(issued.pdf, dpi=150, rotate=-3, grey=True) == first
    assert len(PdfReader(io.BytesIO(first)).pages) == 2


# --- helpers ----------------------------------------------------------------------------------


def _seal(pages: int) -> Seal:
    page = SealedPage(595.0, 842.0, Rect(509.0, 26.0, 569.0, 86.0))
    return Seal(CASE, 3, "a1b2c3d4e5f6", (page,) * pages, None, None)


def _joined(*pdfs: bytes) -> bytes:
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
