"""PDFium, one thread at a time.

PDFium is not thread-safe: no two threads may call it at once, not even on different documents
(pypdfium2's documentation), or the process crashes. The watcher renders and reads PDFs in its
thread (the scan check, the seal, the record's stamp) while other threads of the same process
may do the same (the demo's staff making a signed scan, a test's desk). Every use goes through
`opened`: it holds one process-wide lock for as long as the document is open and closes the
document (with its pages and text pages) before letting go, so that no finalizer closes it
later on another thread. A rendered page is a bitmap of its own, not closed with the document:
`render` closes it at once and returns a PIL copy. Whatever leaves the block must be such a
copy, numbers or text, never a PDFium object.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdfium2
from PIL import Image

LOCK = threading.RLock()
PdfiumError = pypdfium2.PdfiumError


@contextmanager
def opened(pdf: bytes | str | Path) -> Iterator[Any]:
    """`pdf` (its bytes or path) open in PDFium, under the process-wide lock."""
    with LOCK:
        document = pypdfium2.PdfDocument(str(pdf) if isinstance(pdf, Path) else pdf)
        try:
            yield document
        finally:
            document.close()


def render(page: Any, scale: float, *, grayscale: bool = False) -> Image.Image:
    """Page `page` of a document open in `opened`, rendered at `scale` (1 = 72 dpi): a PIL
    image of its own (RGB, or L when `grayscale`); PDFium's bitmap is closed before returning."""
    bitmap = page.render(scale=scale, grayscale=grayscale)
    try:
        image: Image.Image = bitmap.to_pil().convert("L" if grayscale else "RGB")
        return image
    finally:
        bitmap.close()
