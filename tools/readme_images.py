"""Make the README's pictures of the documents: the nota dinas and the signing copy of the
demo case, each converted to PDF by LibreOffice and its pages rasterised with pypdfium2.

Run `python tools/readme_images.py` after changing the templates (needs LibreOffice). The
pictures go to docs/img/; they are reduced to a small palette to keep the repository small.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

from pipeline.demo import play
from pipeline.documents.pdfconvert import convert_one
from pipeline.documents.pdfium import opened, render
from pipeline.share import prepare_share

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
SCALE = 0.75  # 72 dpi x 0.75: a page about 460 pixels wide
COLOURS = 24


def page_images(pdf: Path, pages: list[int]) -> list[Image.Image]:
    with opened(pdf) as document:
        return [render(document[n], SCALE) for n in pages]


def side_by_side(images: list[Image.Image]) -> Image.Image:
    """The pages next to each other with a grey gap and frame, as a reader sees a spread."""
    gap = 12
    width = sum(i.width for i in images) + gap * (len(images) + 1)
    height = max(i.height for i in images) + 2 * gap
    sheet = Image.new("RGB", (width, height), (200, 200, 200))
    x = gap
    for image in images:
        sheet.paste(image, (x, gap))
        x += image.width + gap
    return sheet


def save_small(image: Image.Image, path: Path) -> None:
    small = image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT)
    small.save(path, format="PNG", optimize=True)
    print(f"wrote {path.relative_to(OUT.parent.parent)} ({path.stat().st_size // 1024} KiB)")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        base = Path(work)
        settings = prepare_share(base / "share", base / "state")
        for line in play(settings):
            print(line)
        root = settings.root
        nota = next((root / "berkas").glob("*/keluar/* Nota Dinas.docx"))
        nota_pdf = convert_one(nota, base / "pdf", base / "profile", 180.0)
        signing = next((root / "berkas").glob("*/keluar/* Untuk Ditandatangani.pdf"))
        with opened(signing) as document:
            count = len(document)
        save_small(side_by_side(page_images(nota_pdf, [0])), OUT / "nota-dinas.png")
        shown = [0, count - 2, count - 1] if count >= 3 else list(range(count))  # the record
        pages = page_images(signing, shown)  # may have a page of its own, after the signature
        save_small(side_by_side(pages), OUT / "naskah-untuk-ditandatangani.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
