"""The seal: a QR code printed on every page of the signing copy, and the signature box.

Each page of the issued signing copy carries, at its bottom right, a QR code saying which case,
version and page (i of n) it is and the first 12 hex digits of the SHA-256 of the unsealed copy,
with a small printed line in Indonesian beside it. A scan of the printed, hand-signed copy is
matched back to the copy by these codes (`pipeline.signing.scan`).

    sealed, seal = seal_pdf(pdf, "DK-2026-001", 3)   # keep `seal.to_json()` with the copy

The QR code is drawn as vector rectangles, so it prints sharp at any resolution. The output is
a function of its input only (same bytes in, same bytes out).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import segno
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    RectangleObject,
)

from pipeline.documents.pdfium import opened

log = logging.getLogger(__name__)

SEAL_TAG = "SOPSEAL1"
QR_SIZE = 60.0  # side of the symbol in points, without its quiet zone
QR_INSET = 26.0  # from the page's right and bottom edges to the symbol
QUIET_MODULES = 4  # the white margin the QR standard asks for, in modules
NOTE_GAP = 6.0  # between the printed line and the QR's white box
NOTE_SIZES = (6.0, 4.0)  # largest and smallest type size of the printed line
COURIER_ADVANCE = 0.6  # every Courier glyph is 600/1000 em wide
FONT = "/SopSealCourier"
MIN_BOX_WIDTH = 170.0
BAND_HEIGHT = (20.0, 240.0)  # plausible height of the empty band where the Head signs
LINE_SLACK = 1.0  # text boxes of two lines may overlap this much
NIP_LINE = re.compile(r"NIP\b", re.IGNORECASE)
_PAYLOAD = re.compile(
    SEAL_TAG
    + r"\|([A-Za-z0-9][A-Za-z0-9._-]{0,63})\|v(\d{1,6})\|(\d{1,5})/(\d{1,5})\|([0-9a-f]{12})"
)


@dataclass(frozen=True)
class Rect:
    """A rectangle in PDF points on the visible page, origin at its bottom left."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def grown(self, by: float) -> Rect:
        return Rect(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def union(self, other: Rect) -> Rect:
        return Rect(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    def overlaps_x(self, other: Rect) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1

    def to_json(self) -> list[float]:
        return [self.x0, self.y0, self.x1, self.y1]

    @classmethod
    def from_json(cls, raw: Sequence[float]) -> Rect:
        x0, y0, x1, y1 = (float(v) for v in raw)
        return cls(x0, y0, x1, y1)


@dataclass(frozen=True)
class SealMark:
    """What the QR code of one page says; `page` is 1-based."""

    case_id: str
    version: int
    page: int
    pages: int
    short_hash: str

    def payload(self) -> str:
        return (
            f"{SEAL_TAG}|{self.case_id}|v{self.version}|{self.page}/{self.pages}|{self.short_hash}"
        )

    @classmethod
    def parse(cls, text: str) -> SealMark | None:
        """The mark in a decoded QR text, or None for anything that is not one of ours."""
        found = _PAYLOAD.fullmatch(text)
        if found is None:
            return None
        case_id, version, page, pages, short_hash = found.groups()
        if not 1 <= int(page) <= int(pages):
            return None
        return cls(case_id, int(version), int(page), int(pages), short_hash)

    def describe(self) -> str:
        """The printed line beside the QR code (Indonesian, for staff)."""
        return (
            f"Naskah {self.case_id} versi {self.version} · halaman {self.page} dari "
            f"{self.pages} · kode {self.short_hash}"
        )


@dataclass(frozen=True)
class SealedPage:
    """Size of one sealed page and where its QR symbol (without quiet zone) was drawn."""

    width: float
    height: float
    qr: Rect

    def to_json(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, "qr": self.qr.to_json()}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> SealedPage:
        return cls(float(raw["width"]), float(raw["height"]), Rect.from_json(raw["qr"]))


@dataclass(frozen=True)
class Seal:
    """What the pipeline keeps (as JSON) with an issued signing copy to check its scan later."""

    case_id: str
    version: int
    short_hash: str
    pages: tuple[SealedPage, ...]
    sign_page: int | None  # 0-based page holding the signature box
    sign_box: Rect | None

    def mark(self, page: int) -> SealMark:
        """The mark printed on `page` (0-based)."""
        return SealMark(self.case_id, self.version, page + 1, len(self.pages), self.short_hash)

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "version": self.version,
            "short_hash": self.short_hash,
            "pages": [page.to_json() for page in self.pages],
            "sign_page": self.sign_page,
            "sign_box": self.sign_box.to_json() if self.sign_box else None,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Seal:
        box = raw.get("sign_box")
        return cls(
            case_id=str(raw["case_id"]),
            version=int(raw["version"]),
            short_hash=str(raw["short_hash"]),
            pages=tuple(SealedPage.from_json(page) for page in raw["pages"]),
            sign_page=None if raw.get("sign_page") is None else int(raw["sign_page"]),
            sign_box=Rect.from_json(box) if box else None,
        )


def short_hash_of(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()[:12]


def seal_pdf(pdf: bytes, case_id: str, version: int) -> tuple[bytes, Seal]:
    """`pdf` with the seal on every page, and the `Seal` to keep with it."""
    short_hash = short_hash_of(pdf)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    count = len(writer.pages)
    pages = tuple(
        _seal_page(page, SealMark(case_id, version, n + 1, count, short_hash))
        for n, page in enumerate(writer.pages)
    )
    _ready_for_a_signature_field(writer)
    sealed = _written(writer)
    found = find_signature_box(sealed)
    if found is None:
        log.warning("no signature box found in the signing copy of %s v%d", case_id, version)
    sign_page, sign_box = found if found else (None, None)
    return sealed, Seal(case_id, version, short_hash, pages, sign_page, sign_box)


def _seal_page(page: PageObject, mark: SealMark) -> SealedPage:
    if SealMark.parse(mark.payload()) != mark:
        raise ValueError(f"case id {mark.case_id!r} cannot be carried by a seal")
    if page.rotation:
        page.transfer_rotation_to_content()
    crop = page.cropbox
    width, height = float(crop.width), float(crop.height)
    qr = Rect(width - QR_INSET - QR_SIZE, QR_INSET, width - QR_INSET, QR_INSET + QR_SIZE)
    page.merge_page(_overlay(crop, _seal_content(mark, qr, float(crop.left), float(crop.bottom))))
    page.compress_content_streams()
    return SealedPage(width, height, qr)


def _overlay(crop: RectangleObject, content: str) -> PageObject:
    """A page the size of `crop` drawing `content`, to be merged over a page of the copy."""
    overlay = PageObject.create_blank_page(width=crop.width, height=crop.height)
    overlay.mediabox = RectangleObject(crop)
    courier = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Courier"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    fonts = DictionaryObject({NameObject(FONT): courier})
    overlay[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    stream = DecodedStreamObject()
    stream.set_data(content.encode("ascii"))
    overlay[NameObject("/Contents")] = stream
    return overlay


def _seal_content(mark: SealMark, qr: Rect, dx: float, dy: float) -> str:
    """Content stream operators: white box, QR modules as rectangles, the printed line."""
    symbol = segno.make(mark.payload(), error="m", micro=False)
    module = qr.width / symbol.symbol_size(border=0)[0]
    white = qr.grown(QUIET_MODULES * module)
    return "\n".join(
        [
            "q",
            f"1 0 0 1 {_num(dx)} {_num(dy)} cm",
            f"1 g {_rect(white)} re f",
            "0 g",
            *_module_rects(symbol.matrix, qr, module),
            "f",
            *_note(mark, qr, white),
            "Q",
        ]
    )


def _module_rects(matrix: Iterable[Iterable[int]], qr: Rect, module: float) -> Iterator[str]:
    """One `re` per horizontal run of dark modules; filled as one path, so no seams."""
    for row, cells in enumerate(matrix):
        y = qr.y1 - (row + 1) * module
        for start, length in _dark_runs(cells):
            run = Rect(qr.x0 + start * module, y, qr.x0 + (start + length) * module, y + module)
            yield f"{_rect(run)} re"


def _dark_runs(cells: Iterable[int]) -> Iterator[tuple[int, int]]:
    column = 0
    for dark, group in itertools.groupby(cells):
        length = len(list(group))
        if dark:
            yield column, length
        column += length


def _note(mark: SealMark, qr: Rect, white: Rect) -> list[str]:
    """The printed line, right-aligned before the QR's white box on the symbol's baseline."""
    room = white.x0 - NOTE_GAP - QR_INSET
    text = f"{mark.describe()} — kode QR ini mencocokkan hasil pindaian dengan naskah yang diterbitkan untuk ditandatangani"
    size = min(NOTE_SIZES[0], room / (COURIER_ADVANCE * len(text)))
    if size < NOTE_SIZES[1]:
        text = mark.describe()
        size = min(NOTE_SIZES[0], room / (COURIER_ADVANCE * len(text)))
    x = white.x0 - NOTE_GAP - size * COURIER_ADVANCE * len(text)
    encoded = text.encode("cp1252", errors="replace").hex()
    return [f"BT {FONT} {_num(size)} Tf {_num(x)} {_num(qr.y0)} Td <{encoded}> Tj ET"]


def _rect(rect: Rect) -> str:
    return " ".join(_num(v) for v in (rect.x0, rect.y0, rect.width, rect.height))


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _ready_for_a_signature_field(writer: PdfWriter) -> None:
    """An (empty) interactive form in the catalog: a TTE signer then only adds its signature
    field to it, and what signing appended can be reviewed against the issued revision (the
    diff rules compare the form before and after; a form created by the signer has no before)."""
    root = writer._root_object
    if NameObject("/AcroForm") not in root:
        form = DictionaryObject({NameObject("/Fields"): ArrayObject()})
        root[NameObject("/AcroForm")] = writer._add_object(form)


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the signature box ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """A run of text on one line, as pdfium's text page reports it."""

    box: Rect
    text: str


def find_signature_box(pdf: bytes) -> tuple[int, Rect] | None:
    """The empty band where the Head signs: (0-based page, box), or None.

    The naskah dinas ends with a signature block: place and date, the title (1-3 lines), empty
    lines, the name, then "NIP ...". On the last page with a NIP line, the band runs from the
    name line up to the nearest text line above it, across the block (at least 170 pt wide).
    """
    with opened(pdf) as document:
        for index in reversed(range(len(document))):
            page = document[index]
            segments = _segments(page)
            nips = [s for s in segments if NIP_LINE.match(s.text)]
            if nips:
                return _band_on_page(index, segments, nips, float(page.get_width()))
        return None


def _band_on_page(
    index: int, segments: list[_Segment], nips: list[_Segment], width: float
) -> tuple[int, Rect] | None:
    for nip in sorted(nips, key=lambda s: s.box.y0):
        band = _band(segments, nip, width)
        if band is not None:
            return index, band
    return None


def _segments(page: Any) -> list[_Segment]:
    left, bottom = (float(v) for v in page.get_cropbox()[:2])
    textpage = page.get_textpage()
    segments = []
    for n in range(textpage.count_rects()):
        x0, y0, x1, y1 = textpage.get_rect(n)
        text = str(textpage.get_text_bounded(x0, y0, x1, y1)).strip()
        if text:
            segments.append(_Segment(Rect(x0 - left, y0 - bottom, x1 - left, y1 - bottom), text))
    return segments


def _band(segments: list[_Segment], nip: _Segment, page_width: float) -> Rect | None:
    name = _nearest_above(segments, nip.box, nip.box)
    if name is None:
        return None
    block = nip.box.union(name.box)
    title = _nearest_above(segments, name.box, block)
    if title is None:
        return None
    return _box(block.union(title.box), name.box.y1, title.box.y0, page_width)


def _nearest_above(segments: list[_Segment], below: Rect, span: Rect) -> _Segment | None:
    above = [s for s in segments if s.box.y0 >= below.y1 - LINE_SLACK and s.box.overlaps_x(span)]
    return min(above, key=lambda s: s.box.y0, default=None)


def _box(block: Rect, bottom: float, top: float, page_width: float) -> Rect | None:
    if not BAND_HEIGHT[0] <= top - bottom <= BAND_HEIGHT[1]:
        return None
    width = min(max(block.width, MIN_BOX_WIDTH), page_width)
    center = (block.x0 + block.x1) / 2
    x0 = min(max(center - width / 2, 0.0), page_width - width)
    return Rect(x0, bottom, x0 + width, top)
