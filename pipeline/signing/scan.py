"""Checking a wet-signed scan against the signing copy that was issued.

    check = check_scan(scan_pdf, seal, issued_pdf)   # raises Rejected, in Bahasa Indonesia
    check.to_record()                                 # facts for the archive manifest

Every page of the signing copy carries a QR code (`pipeline.signing.seal`). A scan is accepted
only when its pages carry the codes of exactly this copy (case, version, hash), every page of the
copy is there, and the signature box holds ink the copy did not have. An empty page without a
code (the back of a sheet scanned two-sided) is left out; any other page without one is refused.

The ink check (`pipeline.signing.ink`) registers the scan on the copy by the corners of the
page's QR code and compares the signature box with the issued page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import zxingcpp

from pipeline.core.errors import Rejected, Where
from pipeline.documents.pdfium import PdfiumError, opened
from pipeline.inputs.pdf import password_locked
from pipeline.signing.ink import (
    BLANK_DPI,
    Corners,
    InkMeasure,
    SignArea,
    is_blank,
    new_ink,
    render_gray,
)
from pipeline.signing.seal import Rect, Seal, SealMark

log = logging.getLogger(__name__)

QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
READ_DPI = (200, 300)  # QR codes are looked for at 200 dpi, then at 300 dpi
INK_MIN_MM2 = 12.0  # new ink that counts as a signature: 3 cm of a 0.4 mm pen line
PAGE_MARGIN = 36.0  # without a signature box, the last page inside this margin stands for it
PAGE_SLACK = 11  # and misregistration far from the QR code is forgiven more
SIGNING_OUTBOX = "outbox/kepala-dinas/"


@dataclass(frozen=True)
class ScanPage:
    """One page of the scan and the mark its QR code carries (None: no mark of ours read)."""

    index: int  # 0-based in the scan
    mark: SealMark | None


@dataclass(frozen=True)
class ScanCheck:
    """An accepted scan. `sign_page` is the 0-based scan page whose signature box was checked."""

    pages: tuple[ScanPage, ...]
    sign_page: int
    ink_ratio: float  # share of the signature box holding new ink
    ink_mm2: float = 0.0  # the same as an area on paper
    blank_pages: tuple[int, ...] = ()  # 0-based scan pages left out as empty (duplex backs)

    def to_record(self) -> dict[str, Any]:
        return {
            "method": "pindaian-qr",
            "pages": [
                {"index": p.index, "mark": p.mark.payload() if p.mark else None} for p in self.pages
            ],
            "blank_pages": list(self.blank_pages),
            "sign_page": self.sign_page,
            "ink_ratio": round(self.ink_ratio, 4),
            "ink_mm2": round(self.ink_mm2, 1),
        }


@dataclass(frozen=True)
class _Reading:
    """Where the QR code of a scan page was found, in pixels of a rendering at `dpi`."""

    page: ScanPage
    corners: Corners = ()
    dpi: int = 0


def read_marks(pdf: bytes) -> list[ScanPage]:
    """The mark of ours on each page of `pdf` (None where none is readable)."""
    with _opened(pdf) as document:
        return [_read(_page(document, n), n).page for n in range(len(document))]


def check_scan(scan_pdf: bytes, seal: Seal, issued_pdf: bytes) -> ScanCheck:
    """Accept `scan_pdf` as the signed `issued_pdf` (sealed with `seal`) or raise `Rejected`."""
    with _opened(scan_pdf) as scan, _opened(issued_pdf) as issued:
        readings = [_read(_page(scan, n), n) for n in range(len(scan))]
        blank = _blank_pages(scan, readings)
        check_marks([r.page for r in readings if r.page.index not in blank], seal)
        area = sign_area(seal)
        ink, index = _best_ink(scan, readings, _page(issued, area.page), area)
    log.info("scan of %s v%d: %.1f mm² of new ink on scan page %d, %d empty page(s) left out",
             seal.case_id, seal.version, ink.area_mm2, index + 1, len(blank))  # fmt: skip
    if ink.area_mm2 < INK_MIN_MM2:
        raise _unsigned(index, area, seal)
    pages = tuple(r.page for r in readings)
    return ScanCheck(pages, index, ink.ratio, ink.area_mm2, blank)


# --- the decision on the marks (pure) ---------------------------------------------------------


def check_marks(pages: Sequence[ScanPage], seal: Seal) -> None:
    """Raise `Rejected` unless the marks read are exactly the pages of the sealed copy."""
    if not any(p.mark for p in pages):
        raise Rejected(
            f"PDF ini bukan pindaian naskah {seal.case_id} versi {seal.version} yang diterbitkan "
            "untuk ditandatangani: tidak satu halaman pun memuat kode QR naskah itu",
            _how_to_scan(seal),
        )
    for page in pages:
        if page.mark is not None:
            _check_mark(page.index, page.mark, seal)
    for page in pages:
        if page.mark is None:
            raise _unreadable(page.index)
    _check_complete(pages, seal)


def _check_mark(index: int, mark: SealMark, seal: Seal) -> None:
    where = Where(page=index + 1)
    if mark.case_id != seal.case_id:
        raise Rejected(
            f"kode QR pada halaman ini menyebut naskah {mark.case_id}, bukan naskah "
            f"{seal.case_id} yang menunggu tanda tangan",
            f"Jangan mencampur naskah lain. {_how_to_scan(seal)}",
            where,
        )
    if mark.version != seal.version:
        raise Rejected(
            f"kode QR pada halaman ini menyebut versi {mark.version} naskah {seal.case_id}, "
            f"sedangkan yang diterbitkan untuk ditandatangani adalah versi {seal.version}",
            _how_to_scan(seal),
            where,
        )
    if mark.short_hash != seal.short_hash or mark.pages != len(seal.pages):
        raise Rejected(
            f"halaman ini berasal dari cetakan naskah {seal.case_id} versi {seal.version} yang "
            f"diterbitkan lebih dahulu (kode {mark.short_hash}), bukan dari naskah yang berlaku "
            f"(kode {seal.short_hash})",
            f"Jangan memakai cetakan lama. {_how_to_scan(seal)}",
            where,
        )


def _how_to_scan(seal: Seal) -> str:
    return (
        f"Cetak naskah {seal.case_id} versi {seal.version} dari folder {SIGNING_OUTBOX}, "
        "tandatangani, lalu pindai semua halamannya (150–300 dpi, seluruh halaman, kode QR di "
        "kanan bawah terlihat jelas) dan letakkan kembali PDF hasil pindaiannya di folder yang sama."
    )


def _unreadable(index: int) -> Rejected:
    return Rejected(
        "halaman ini berisi tulisan atau gambar, tetapi tidak ada kode QR naskah yang terbaca "
        "(halaman lain, atau kode QR di kanan bawah terpotong, tertutup atau buram)",
        "Pindai ulang halaman itu dengan jelas, seluruh halaman dan kode QR-nya terlihat, tanpa "
        "halaman lain (halaman belakang yang kosong boleh ikut terpindai), lalu letakkan kembali "
        "seluruh hasil pindaiannya.",
        Where(page=index + 1),
    )


def _check_complete(pages: Sequence[ScanPage], seal: Seal) -> None:
    seen = {p.mark.page for p in pages if p.mark is not None}
    missing = [n for n in range(1, len(seal.pages) + 1) if n not in seen]
    if missing:
        raise Rejected(
            f"halaman {_listed(missing)} dari {len(seal.pages)} tidak ada dalam pindaian",
            "Pindai semua halaman naskah yang sudah ditandatangani, lalu letakkan kembali hasil "
            "pindaian yang lengkap.",
        )


def _listed(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} dan {words[-1]}"


def sign_area(seal: Seal) -> SignArea:
    """The signature box; without one found at sealing, the last page above the QR code's band
    stands for it."""
    if seal.sign_page is not None and seal.sign_box is not None:
        return SignArea(seal.sign_page, seal.sign_box, seal.pages[seal.sign_page])
    page = len(seal.pages) - 1
    sealed = seal.pages[page]
    bottom = sealed.qr.y1 + PAGE_MARGIN / 3
    box = Rect(PAGE_MARGIN, bottom, sealed.width - PAGE_MARGIN, sealed.height - PAGE_MARGIN)
    return SignArea(page, box, sealed, PAGE_SLACK)


def _unsigned(index: int, area: SignArea, seal: Seal) -> Rejected:
    return Rejected(
        f"belum ada tanda tangan pada kotak tanda tangan (halaman {area.page + 1} dari "
        f"{len(seal.pages)} naskah, di atas nama penanda tangan)",
        "Tandatangani naskah pada tempat tanda tangan di atas nama Kepala Dinas, lalu pindai "
        "semua halamannya dan letakkan kembali hasil pindaiannya.",
        Where(page=index + 1),
    )


# --- reading the QR codes ---------------------------------------------------------------------


PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD


@contextmanager
def _opened(pdf: bytes) -> Iterator[Any]:
    with ExitStack() as stack:
        try:
            document = stack.enter_context(opened(pdf))
        except PdfiumError as exc:
            if exc.err_code == PDFIUM_PASSWORD_ERROR:
                raise password_locked() from exc
            raise Rejected(
                "berkas ini bukan PDF yang dapat dibuka", "Simpan ulang hasil pindaian sebagai PDF."
            ) from exc
        yield document


def _page(document: Any, index: int) -> Any:
    """Page `index` of an open document; a page PDFium cannot load is named to the person."""
    try:
        return document[index]
    except PdfiumError as exc:
        raise Rejected(
            "halaman ini rusak dan tidak dapat ditampilkan",
            "Pindai ulang atau simpan ulang hasil pindaian sebagai PDF, lalu kirim lagi.",
            Where(page=index + 1),
        ) from exc


def _read(page: Any, index: int) -> _Reading:
    for dpi in READ_DPI:
        for barcode in zxingcpp.read_barcodes(render_gray(page, dpi), formats=QR_ONLY):
            mark = SealMark.parse(barcode.text)
            if mark is not None:
                return _Reading(ScanPage(index, mark), _corners(barcode.position), dpi)
    return _Reading(ScanPage(index, None))


def _blank_pages(scan: Any, readings: Sequence[_Reading]) -> tuple[int, ...]:
    """The scan pages without a mark that are empty: backs of sheets scanned two-sided."""
    unmarked = [r.page.index for r in readings if r.page.mark is None]
    return tuple(n for n in unmarked if is_blank(render_gray(_page(scan, n), BLANK_DPI)))


def _corners(position: zxingcpp.Position) -> Corners:
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return tuple((float(p.x), float(p.y)) for p in points)


def _best_ink(
    scan: Any, readings: Sequence[_Reading], issued_page: Any, area: SignArea
) -> tuple[InkMeasure, int]:
    """The most new ink on any scan of the signature page, and that scan page's index."""
    found = [
        (
            new_ink(render_gray(_page(scan, r.page.index), r.dpi), r.corners, issued_page, area),
            r.page.index,
        )
        for r in readings
        if r.page.mark is not None and r.page.mark.page == area.page + 1
    ]
    return max(found, key=lambda pair: pair[0].area_mm2)
