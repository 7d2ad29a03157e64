"""Reading dropped PDFs: the one place a PDF is opened with pypdf, its locks judged and its
text read, so each fault is judged once and worded once at every inbox and at the signature
check."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from pipeline.core.errors import Rejected, Where
from pipeline.inputs.probe import file_contains, read_tail, truncated

log = logging.getLogger(__name__)

SAVE_AGAIN = "Simpan ulang berkas di aplikasinya, lalu kirim lagi."


@dataclass(frozen=True)
class PdfFacts:
    """What a readable PDF holds: its page count and the text of its first pages."""

    pages: int
    text: str


# --- PDF -------------------------------------------------------------------------------------


def check_structure(path: Path) -> None:
    """A PDF whose end marker is there and that opens (see `open_pdf`)."""
    if b"%%EOF" not in read_tail(path):
        raise truncated("PDF")
    open_pdf(path)


def check_pdf(path: Path, text_pages: int = 5) -> PdfFacts:
    """Open a PDF with `open_pdf`: its page count and the text of its first `text_pages` pages.

    Locked (needing a password or a certificate to open), page-less and unreadable PDFs raise
    `Rejected`. A PDF restricted only by an owner password opens without one and is accepted.
    """
    reader = open_pdf(path)
    pages = len(reader.pages)
    texts = [_page_text(reader, number) for number in range(min(pages, text_pages))]
    return PdfFacts(pages=pages, text="\n".join(texts))


def open_pdf(source: Path | bytes) -> PdfReader:
    """The one reader of a dropped PDF (a file, or the bytes of one); every inbox and the
    signature check open PDFs here, so each fault is judged once and worded once.

    A PDF that opens without a password (restricted only by an owner password, or with an empty
    user password) is decrypted and returned. One that needs a password, one locked for
    certificate holders (security handler /Adobe.PubSec) or by another handler, a broken one and
    one without pages raise `Rejected`.
    """
    try:
        reader = PdfReader(
            io.BytesIO(source) if isinstance(source, bytes) else source, strict=False
        )
        _unlock(reader)
        pages = len(reader.pages)
    except Rejected:
        raise
    except Exception as exc:  # a malformed PDF may raise anything from deep inside pypdf
        raise _unreadable_pdf(source, exc) from exc
    if pages == 0:
        raise Rejected(
            "PDF tidak berisi halaman", "Cetak ulang ke PDF dari dokumennya lalu kirim lagi."
        )
    return reader


def password_locked() -> Rejected:
    """The one wording, at every inbox, for a PDF that needs a password to open."""
    return Rejected(
        "file PDF dilindungi kata sandi (terenkripsi)",
        "Simpan atau cetak ulang ke PDF tanpa kata sandi pembuka, lalu kirim lagi.",
    )


def _unlock(reader: PdfReader) -> None:
    if reader.is_encrypted and not reader.decrypt(""):
        raise password_locked()


def _unreadable_pdf(source: Path | bytes, exc: Exception) -> Rejected:
    locked = _locked_by_handler(source) if isinstance(exc, NotImplementedError) else None
    if locked is not None:
        log.info("PDF locked by a security handler pypdf does not know: %r", exc)
        return locked
    log.info("unreadable PDF: %r", exc)
    return Rejected("file PDF rusak atau terpotong dan tidak dapat dibaca", SAVE_AGAIN)


def _locked_by_handler(source: Path | bytes) -> Rejected | None:
    """pypdf knows only the password ("Standard") security handler and refuses the others."""
    if not _pdf_contains(source, b"/Encrypt"):
        return None
    if _pdf_contains(source, b"/Adobe.PubSec"):
        return Rejected(
            "PDF dikunci dengan sertifikat digital (hanya dapat dibuka pemegang sertifikat)",
            "Buka PDF itu dengan sertifikatnya, simpan atau cetak ulang ke PDF tanpa "
            "pengamanan, lalu kirim lagi.",
        )
    return Rejected(
        "PDF dikunci dengan pengaman khusus yang tidak didukung",
        "Simpan atau cetak ulang ke PDF tanpa pengamanan, lalu kirim lagi.",
    )


def _pdf_contains(source: Path | bytes, needle: bytes) -> bool:
    return needle in source if isinstance(source, bytes) else file_contains(source, needle)


def _page_text(reader: PdfReader, number: int) -> str:
    try:
        return reader.pages[number].extract_text()
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        log.info("no text from page %d: %r", number + 1, exc)
        raise Rejected(
            "isi halaman PDF tidak dapat dibaca", SAVE_AGAIN, Where(page=number + 1)
        ) from exc


def pdf_content(data: bytes) -> tuple[str, int]:
    """What a PDF shows, for comparing two PDFs: its text (whitespace folded) and its image count.

    A PDF that cannot be read gives ("", 0): nothing to compare.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        images = sum(len(page.images) for page in reader.pages)
    except Exception:
        return "", 0
    return " ".join(text.split()), images
