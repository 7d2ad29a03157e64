"""How much ink a scanned page holds in its signature box that the issued page does not.

The scan is registered on the issued page by the four corners of the page's QR code: an affine
map (least squares over the corners) from the page frame to the scan's pixels undoes rotation by
any angle, skew, scale and shift. The area around the box is warped upright into the page frame
at FRAME_DPI, a small translation search against the surrounding text lines corrects what the
extrapolation from the QR code leaves, and both images are binarised against their own paper.

`is_blank` tells an empty page of a scan (the back of a sheet scanned two-sided) by the share of
the page that is ink, judged against the page's own paper as above.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

from pipeline.documents.pdfium import render
from pipeline.signing.seal import Rect, SealedPage

FRAME_DPI = 100  # resolution of the page frame the box is compared in
SURROUND = 24.0  # points around the box: the paper's brightness and the text lines to align on
PAPER_SHARE = 0.75  # at least this share of the pixels around the box is bare paper
INK_LEVEL = 0.7  # darker than this share of the paper's brightness is ink
BOX_MARGIN = 4.0  # points the box is shrunk by, clear of the name and title lines
ALIGN_REACH = 8  # px: the translation search looks this far each way
MM2_PER_PX = (25.4 / FRAME_DPI) ** 2
BLANK_DPI = 100  # resolution an unmarked scan page is judged at: a 0.3 mm pen line is a pixel
BLANK_TRIM = 0.08  # share of each side left out: shadows and punch holes at the edges
BLANK_MAX_SHARE = 0.0005  # ink on at most this share of the rest is an empty page (~20 mm² on A4)
BLANK_MIN_PAPER = 128  # a page whose "paper" is darker than this is a dark page, never empty

Mask = npt.NDArray[np.bool_]
Corners = tuple[tuple[float, float], ...]  # top-left, top-right, bottom-right, bottom-left


@dataclass(frozen=True)
class SignArea:
    """Where on the signing copy the signature must be, and how much misregistration to forgive
    (`slack`: odd, in pixels at FRAME_DPI)."""

    page: int  # 0-based page of the signing copy
    box: Rect
    sealed: SealedPage
    slack: int = 7


@dataclass(frozen=True)
class InkMeasure:
    ratio: float  # share of the (shrunk) box that is new ink
    area_mm2: float  # the same as an area on paper


def render_gray(page: Any, dpi: float) -> Image.Image:
    """A pypdfium2 page rendered in greyscale at `dpi`."""
    return render(page, dpi / 72, grayscale=True)


def new_ink(scan: Image.Image, corners: Corners, issued_page: Any, area: SignArea) -> InkMeasure:
    """The ink in `area.box` of `scan` (a rendering whose QR code has `corners`) that the issued
    page does not have."""
    grid = _grid(area.sealed, area.box.grown(SURROUND))
    warped = _warped(scan, corners, area.sealed, grid)
    issued = _cut(render_gray(issued_page, FRAME_DPI), grid)
    new = _new_pixels(warped, issued, _inner(area, grid), area.slack)
    count = int(np.count_nonzero(new))
    return InkMeasure(count / max(1, new.size), count * MM2_PER_PX)


def _new_pixels(
    warped: Image.Image, issued: Image.Image, inner: tuple[slice, slice], slack: int
) -> Mask:
    """Ink of the scan inside `inner`, aligned on the issued text, less the issued ink widened
    by `slack` pixels."""
    scanned = _dark(warped, _paper(warped))
    paper = _paper(issued)
    dx, dy = _offset(scanned, _dark(issued, paper))
    widened = _dark(issued.filter(ImageFilter.MinFilter(slack)), paper)
    rows, cols = inner
    moved = scanned[rows.start + dy : rows.stop + dy, cols.start + dx : cols.stop + dx]
    new: Mask = moved & ~widened[rows, cols]
    return new


def _cut(page: Image.Image, grid: tuple[int, int, int, int]) -> Image.Image:
    """The grid's part of a page rendering; what lies beyond the page is bare paper."""
    canvas = Image.new("L", (grid[2] - grid[0], grid[3] - grid[1]), 255)
    canvas.paste(page, (-grid[0], -grid[1]))
    return canvas


def _frame(sealed: SealedPage, x: float, y: float) -> tuple[float, float]:
    """Pixel of page point (x, y) in the page frame at FRAME_DPI."""
    scale = FRAME_DPI / 72
    return x * scale, (sealed.height - y) * scale


def _grid(sealed: SealedPage, rect: Rect) -> tuple[int, int, int, int]:
    """`rect` as a whole-pixel box (left, top, right, bottom) in the page frame."""
    left, top = _frame(sealed, rect.x0, rect.y1)
    right, bottom = _frame(sealed, rect.x1, rect.y0)
    return round(left), round(top), round(right), round(bottom)


def _inner(area: SignArea, grid: tuple[int, int, int, int]) -> tuple[slice, slice]:
    """Rows and columns of the shrunk box inside the grid, kept clear of the search's reach."""
    left, top, right, bottom = _grid(area.sealed, area.box.grown(-BOX_MARGIN))
    height, width = grid[3] - grid[1], grid[2] - grid[0]
    rows = slice(max(top - grid[1], ALIGN_REACH), min(bottom - grid[1], height - ALIGN_REACH))
    cols = slice(max(left - grid[0], ALIGN_REACH), min(right - grid[0], width - ALIGN_REACH))
    return rows, cols


def _affine(corners: Corners, sealed: SealedPage, origin: tuple[int, int]) -> tuple[float, ...]:
    """Pillow's affine data, grid pixel to scan pixel, fitted to the QR code's corners."""
    qr = sealed.qr
    points = [(qr.x0, qr.y1), (qr.x1, qr.y1), (qr.x1, qr.y0), (qr.x0, qr.y0)]
    frame = np.array([[*_frame(sealed, x, y), 1.0] for x, y in points])
    frame[:, :2] -= origin
    solution = np.linalg.lstsq(frame, np.array(corners), rcond=None)[0]
    return tuple(float(v) for v in (*solution[:, 0], *solution[:, 1]))


def _warped(
    scan: Image.Image, corners: Corners, sealed: SealedPage, grid: tuple[int, int, int, int]
) -> Image.Image:
    """The grid's part of the page, cut out of the scan and turned upright."""
    size = (grid[2] - grid[0], grid[3] - grid[1])
    data = _affine(corners, sealed, (grid[0], grid[1]))
    return scan.transform(
        size, Image.Transform.AFFINE, data, resample=Image.Resampling.BILINEAR, fillcolor=255
    )


def is_blank(page: Image.Image) -> bool:
    """True for an empty scanned page (greyscale): light paper with (almost) no ink on it."""
    paper = _paper(page.crop(_middle(page.size)))
    return paper >= BLANK_MIN_PAPER and ink_share(page, paper) <= BLANK_MAX_SHARE


def ink_share(page: Image.Image, paper: float) -> float:
    """The share of the page's middle that is ink against `paper`. Specks of dust are filtered
    away, and dark that reaches the page's edge (a scanner's lid around a skewed sheet, a
    shadow) is not ink."""
    ink = _dark(page.filter(ImageFilter.MedianFilter(3)), paper)
    left, top, right, bottom = _middle(page.size)
    inner = (ink & ~_from_edges(ink))[top:bottom, left:right]
    return float(np.count_nonzero(inner)) / max(1, inner.size)


def _middle(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The page without its edges, where scanners leave shadows and binders punch holes."""
    width, height = size
    dx, dy = round(width * BLANK_TRIM), round(height * BLANK_TRIM)
    return dx, dy, width - dx, height - dy


def _from_edges(dark: Mask) -> Mask:
    """Dark pixels joined to an edge of the page along their row or column."""
    reached: Mask = np.zeros_like(dark)
    for axis in (0, 1):
        for flipped in (False, True):
            seen = np.flip(dark, axis) if flipped else dark
            run = np.cumprod(seen, axis=axis, dtype=np.uint8).astype(bool)
            reached |= np.flip(run, axis) if flipped else run
    return reached


def _paper(gray: Image.Image) -> float:
    """The brightness of the bare paper: the scan's paper is grey, tinted or uneven."""
    return float(np.quantile(np.asarray(gray), PAPER_SHARE))


def _dark(gray: Image.Image, paper: float) -> Mask:
    """True where `gray` is clearly darker than the paper: ink."""
    mask: Mask = np.asarray(gray) < paper * INK_LEVEL
    return mask


def _offset(scanned: Mask, issued: Mask) -> tuple[int, int]:
    """The shift (dx, dy) of `scanned` that best covers the ink of `issued`; the smallest shift
    wins a tie, so an area without printed text stays where the QR code put it."""
    reach = ALIGN_REACH
    core = issued[reach:-reach, reach:-reach]
    height, width = core.shape

    def overlap(shift: tuple[int, int]) -> int:
        dx, dy = shift
        moved = scanned[reach + dy : reach + dy + height, reach + dx : reach + dx + width]
        return int(np.count_nonzero(core & moved))

    steps = range(-reach, reach + 1)
    shifts = sorted(itertools.product(steps, steps), key=_length)
    return max(shifts, key=overlap)


def _length(shift: tuple[int, int]) -> int:
    return abs(shift[0]) + abs(shift[1])
