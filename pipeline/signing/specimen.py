"""Sample wet-signed scans of a signing copy, for `pipeline demo` and the tests.

    scan = wet_signed_scan(issued_pdf, dpi=150, rotate=-3, grey=True, jpeg_quality=70)

The copy is rasterised as a scanner would (tinted paper, JPEG pages in a PDF), a handwritten-
looking signature is drawn in its signature box, and the pages may be turned or skewed. The same
arguments always give the same bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageChops, ImageDraw

from pipeline.documents.pdfium import opened, render
from pipeline.signing.seal import Rect, find_signature_box

PAPER = (247, 244, 234)  # scanned paper is never pure white
PEN = (24, 42, 125)  # blue ballpoint, the usual ink of an official signature
PEN_WIDTH_MM = 0.5
STROKE_STEPS = 240


def wet_signed_scan(
    issued_pdf: bytes,
    *,
    dpi: int = 200,
    rotate: float = 0.0,
    grey: bool = False,
    jpeg_quality: int = 85,
    ink: bool = True,
    pages: Sequence[int] | None = None,
) -> bytes:
    """A PDF of JPEG pages that looks like the printed `issued_pdf`, signed and scanned.

    `rotate` turns every page counter-clockwise by that many degrees; `ink=False` leaves the
    signature box empty; `pages` (0-based) picks and orders the pages scanned (default: all).
    """
    box = find_signature_box(issued_pdf) if ink else None
    with opened(issued_pdf) as document:
        chosen = range(len(document)) if pages is None else pages
        images = [_scanned(document[n], dpi, _box_on(box, n)) for n in chosen]
    return _pdf([_finished(image, rotate, grey) for image in images], dpi, jpeg_quality)


def _box_on(found: tuple[int, Rect] | None, page: int) -> Rect | None:
    return found[1] if found is not None and found[0] == page else None


def _scanned(page: Any, dpi: int, box: Rect | None) -> Image.Image:
    """One page on paper, signed in `box` if given."""
    printed = render(page, dpi / 72)
    paper = ImageChops.multiply(printed, Image.new("RGB", printed.size, PAPER))
    if box is not None:
        _sign(paper, box, dpi / 72, float(page.get_height()))
    return paper


def _sign(image: Image.Image, box: Rect, scale: float, page_height: float) -> None:
    """Draw a looping signature with an underline flourish across the box."""
    left, top = box.x0 * scale, (page_height - box.y1) * scale
    width, height = box.width * scale, box.height * scale
    pen = max(2, round(PEN_WIDTH_MM / 25.4 * 72 * scale))
    draw = ImageDraw.Draw(image)
    for stroke in (_loops, _flourish):
        points = [stroke(n / STROKE_STEPS) for n in range(STROKE_STEPS + 1)]
        placed = [(left + x * width, top + y * height) for x, y in points]
        draw.line(placed, fill=PEN, width=pen, joint="curve")


def _loops(t: float) -> tuple[float, float]:
    """Cursive loops moving right, in box units (0..1, y downwards)."""
    turn = 2 * math.pi * 5.5 * t
    x = 0.14 + 0.66 * t + 0.05 * math.cos(turn)
    y = 0.45 - 0.28 * math.sin(turn + 0.7) * (0.65 + 0.35 * math.sin(2 * math.pi * t))
    return x, y


def _flourish(t: float) -> tuple[float, float]:
    """A long stroke under the loops, rising to the right."""
    return 0.1 + 0.8 * t, 0.78 - 0.22 * t + 0.06 * math.sin(math.pi * t)


def _finished(image: Image.Image, rotate: float, grey: bool) -> Image.Image:
    if rotate:
        image = image.rotate(
            rotate, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=PAPER
        )
    return image.convert("L") if grey else image


def _pdf(images: list[Image.Image], dpi: int, jpeg_quality: int) -> bytes:
    out = io.BytesIO()
    images[0].save(
        out,
        "PDF",
        save_all=True,
        append_images=images[1:],
        resolution=float(dpi),
        quality=jpeg_quality,
        title=None,
        creationDate=None,
        modDate=None,
    )
    return out.getvalue()
