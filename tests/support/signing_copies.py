"""Real signing copies for the seal and scan tests: Word-like naskah dinas built with python-docx
and converted by LibreOffice, plus PDFs that are not scans of any signing copy."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import docx
import segno
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt
from PIL import Image, ImageDraw
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject

from pipeline.documents.pdfconvert import convert_one

PLACE_DATE = "Kuala Tungkal, 12 Maret 2026"
TITLE = ("KEPALA DINAS PERPUSTAKAAN", "DAN KEARSIPAN", "KABUPATEN TANJUNG JABUNG BARAT")
NAME = "Drs. H. AHMAD SYARIFUDDIN, M.Si"
NIP = "NIP. 19750404 200604 2 006"
BLOCK_INDENT = Cm(9.5)  # the signature block sits in the right half of the page
BODY = (
    "Berdasarkan disposisi Kepala Dinas, bersama ini disampaikan laporan data kinerja Dinas "
    "Perpustakaan dan Kearsipan Kabupaten Tanjung Jabung Barat. Data dihimpun dari setiap bidang "
    "sesuai format isian yang ditetapkan, lalu diperiksa oleh Kasubag PPMEP dan Sekretaris."
)


@dataclass(frozen=True)
class Documents:
    """The PDFs LibreOffice made once per test module."""

    laporan: bytes  # two pages; the second ends with the Head's signature block
    laporan_revisi: bytes  # the same report with one sentence changed (another issued copy)
    nota_dinas: bytes  # another document of the case, one page, never sealed


def _base(width: Cm, height: Cm) -> DocumentObject:
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = width, height
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    doc.styles["Normal"].font.name = "Liberation Sans"
    doc.styles["Normal"].font.size = Pt(11)
    return doc


def _heading(doc: DocumentObject, text: str) -> None:
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run(text).bold = True


def _block_line(doc: DocumentObject, text: str, *, bold: bool = False) -> None:
    para = doc.add_paragraph()
    para.paragraph_format.left_indent = BLOCK_INDENT
    para.paragraph_format.space_after = Pt(0)
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        run = para.add_run(text)
        run.bold = bold
        run.underline = bold


def signature_block(doc: DocumentObject) -> None:
    """A naskah dinas ending: place and date, title, four empty lines, name, NIP."""
    _block_line(doc, PLACE_DATE)
    for line in TITLE:
        _block_line(doc, line + ("," if line == TITLE[-1] else ""))
    for _ in range(4):
        _block_line(doc, "")
    _block_line(doc, NAME, bold=True)
    _block_line(doc, NIP)


def laporan_docx(path: Path, closing: str) -> Path:
    """A two-page report (F4) whose last page ends with the Head's signature block."""
    doc = _base(Cm(21.5), Cm(33))
    _heading(doc, "LAPORAN DATA KINERJA TAHUN 2025")
    for n in range(4):
        doc.add_paragraph(f"{n + 1}. {BODY}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _heading(doc, "II. KESIMPULAN")
    doc.add_paragraph(BODY)
    doc.add_paragraph(closing)
    signature_block(doc)
    doc.save(str(path))
    return path


def nota_dinas_docx(path: Path) -> Path:
    """A one-page nota dinas (A4) with the template's style of signature: one right-aligned
    paragraph with line breaks."""
    doc = _base(Cm(21), Cm(29.7))
    _heading(doc, "NOTA DINAS")
    doc.add_paragraph(
        "Kepada Yth. Kepala Sub Bagian PPMEP\nDari: Sekretaris\nPerihal: data kinerja"
    )
    doc.add_paragraph(BODY)
    doc.add_paragraph(
        f"{PLACE_DATE}\nSEKRETARIS,\n\n\n\nRINA KARTIKA, S.E.\nNIP. 19800101 200501 2 001"
    ).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(str(path))
    return path


def make_documents(work: Path) -> Documents:
    """Build the documents with python-docx and convert each with LibreOffice."""
    out, profile = work / "pdf", work / "profile"
    sources = (
        laporan_docx(work / "laporan.docx", "Demikian laporan ini disampaikan."),
        laporan_docx(work / "laporan-revisi.docx", "Demikian laporan ini kami sampaikan."),
        nota_dinas_docx(work / "nota-dinas.docx"),
    )
    pdfs = [convert_one(source, out, profile, timeout=120).read_bytes() for source in sources]
    return Documents(*pdfs)


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    return _written(writer)


def doodle_pdf() -> bytes:
    """A page of vector strokes only (no text, no image): a drawing, not a scan."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    strokes = " ".join(f"{80 + 9 * i} {300 + (i % 5) * 20} l" for i in range(40))
    stream = DecodedStreamObject()
    stream.set_data(f"q 0 0 1 RG 2 w 80 300 m {strokes} S 100 100 400 600 re S Q".encode())
    page.replace_contents(stream)
    return _written(writer)


def picture_pdf() -> bytes:
    """An image-only PDF of something else, carrying a QR code that is not ours."""
    image = Image.new("RGB", (1240, 1754), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 300, 1000, 1100), outline=(20, 60, 160), width=12)
    draw.rectangle((300, 1300, 900, 1500), fill=(160, 40, 40))
    foreign = segno.make("https://jdih.tanjabbarkab.go.id/peraturan/2025/12", error="m")
    png = io.BytesIO()
    foreign.save(png, kind="png", scale=6, border=4)
    image.paste(Image.open(png).convert("RGB"), (1000, 1500))
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150, quality=85)
    return out.getvalue()


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
