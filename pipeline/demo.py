"""`pipeline demo`: one whole case played with sample files, as each role would drop them."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from openpyxl import load_workbook
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from pipeline.app import open_app
from pipeline.core.office import Bidang, Indikator
from pipeline.core.pemeriksaan import CHECKLIST_ITEM, CHECKLIST_TITLE
from pipeline.documents.stamp import stamp_text
from pipeline.settings import Settings
from pipeline.signing.specimen import wet_signed_scan
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher

SAMPLE_FACTORS = (1.04, 0.93, 1.12, 0.88, 1.0)
SAMPLE_NOTES = {
    "%": "Dihitung dari laporan realisasi bidang per akhir periode",
    "nilai": "Hasil penilaian terakhir yang diterima dari evaluator",
    "indeks": "Hasil pengukuran terakhir bersama Perpustakaan Nasional",
    "orang": "Rekap buku tamu dan aplikasi keanggotaan perpustakaan",
    "eksemplar": "Laporan sirkulasi dari aplikasi INLISLite",
    "menit": "Rata-rata dari sampel transaksi peminjaman di loket layanan",
    "temuan": "Rekap tindak lanjut LHP Inspektorat per akhir periode",
    "perpustakaan": "Berita acara pembinaan dan daftar hadir kunjungan",
    "berkas": "Berita acara alih media dan daftar arsip hasil pemindaian",
    "OPD": "Laporan pembinaan kearsipan ke perangkat daerah",
}
OTHER_NOTE = "Laporan kegiatan bidang yang telah diverifikasi"
FRACTIONAL_UNITS = frozenset({"%", "nilai", "indeks"})
"""Units whose realisasi may have decimals; every other unit counts whole things."""
RESULT_WORDS = {
    "accepted": "diterima",
    "rejected": "ditolak",
    "recovered": "dipulihkan",
    "not-ready": "belum siap",
    "gone": "hilang",
    "swept": "sisa dibersihkan",
}


def sample_realisasi(indikator: Indikator, target: float, factor: float) -> float:
    """A plausible realisasi near `target` (the one the form shows for the period): whole
    counts, one decimal for percentages, scores and indexes."""
    value = target * factor
    return round(value, 1) if indikator.satuan in FRACTIONAL_UNITS else float(round(value))


def sample_note(indikator: Indikator) -> str:
    """Where a bidang would say its figure comes from."""
    return SAMPLE_NOTES.get(indikator.satuan, OTHER_NOTE)


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF carrying `lines` as text (what a scanned-and-OCRed letter would hold)."""
    blank = io.BytesIO()
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    page[NameObject("/Contents")] = writer._add_object(DecodedStreamObject())
    writer.write(blank)
    return stamp_text(blank.getvalue(), "\n".join(lines)) if lines else blank.getvalue()


def sign_by_stamp(pdf: bytes, text: str) -> bytes:
    """A visible approval stamp added as an incremental update (the original bytes stay)."""
    return stamp_text(pdf, text, last_page=False)


def disposition_docx(path: Path, period: str) -> None:
    doc = Document()
    doc.add_heading("LEMBAR DISPOSISI", level=1)
    doc.add_paragraph("Surat dari: Inspektorat Kabupaten — permintaan data kinerja " + period)
    doc.add_paragraph("Diteruskan kepada: Sekretaris Dinas")
    doc.add_paragraph(
        "Isi disposisi: Koordinasikan penyusunan pengumpulan data kinerja sesuai SOP."
    )
    doc.save(str(path))


def fill_form(form: Path, dest: Path, bidang: Bidang, keterangan: str | None = None) -> None:
    """Fill a bidang's issued form as its staff would: realisasi near the target the form
    shows, and where the figure comes from, for every IKU."""
    wb = load_workbook(form)
    ws = wb.active
    assert ws is not None
    for offset, ind in enumerate(bidang.iku):
        row = 7 + offset
        factor = SAMPLE_FACTORS[offset % len(SAMPLE_FACTORS)]
        shown = ws.cell(row=row, column=4).value
        target = float(shown) if isinstance(shown, int | float) else ind.target
        ws.cell(row=row, column=6, value=sample_realisasi(ind, target, factor))
        ws.cell(row=row, column=7, value=keterangan or sample_note(ind))
    wb.save(dest)


def review_draft(draft: Path, dest: Path) -> None:
    """The analyst works through the draft's checklist, removes it, and adds a note."""
    doc = Document(str(draft))
    remove_checklist(doc)
    doc.add_paragraph("Catatan analis: data telah ditelaah dan dibandingkan dengan Renstra.")
    doc.save(str(dest))


def remove_checklist(doc: DocumentObject) -> None:
    """Delete the Catatan Pemeriksaan (its title, its instruction and every item), as the
    checklist asks once it has been worked through."""
    paragraphs = doc.paragraphs
    start = next((n for n, p in enumerate(paragraphs) if p.text == CHECKLIST_TITLE), None)
    if start is None:
        return
    end = start + 2
    while end < len(paragraphs) and paragraphs[end].text.startswith(CHECKLIST_ITEM):
        end += 1
    for para in paragraphs[start:end]:
        para._p.getparent().remove(para._p)


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if not found:
        raise FileNotFoundError(f"nothing matches {folder / pattern}")
    return found[-1]


def play(settings: Settings) -> Iterator[str]:
    """Drop every file of one case in turn and let the pipeline answer each; yields a report."""
    app = open_app(settings)
    watcher = Watcher(app.runner, polling=False, settle=0.0, rescan=60.0, policy=RetryPolicy())
    root, inbox, outbox = settings.root, settings.root / "inbox", settings.root / "outbox"
    period = "Triwulan III 2026"

    def step(label: str) -> str:
        results = dict(watcher.run_once())
        watcher.results.clear()
        done = [f"{RESULT_WORDS.get(k, k)} {v}" for k, v in sorted(results.items()) if v]
        return f"{label}: " + (", ".join(done) or "tidak ada berkas")

    try:
        disposition_docx(
            inbox / "kepala-dinas/disposisi-data-kinerja" / f"Disposisi Data Kinerja {period}.docx",
            period,
        )
        yield step("1. Kepala Dinas meletakkan disposisi")
        case = _one(outbox / "sekretaris", "*Nota Dinas.docx").name.split(" ")[0]
        yield f"   kasus dibuka: {case}"
        for b in settings.office.bidang:
            form = _one(outbox / "bidang" / b.slug, f"{case} *.xlsx")
            fill_form(form, inbox / "bidang" / b.slug / form.name, b)
        yield step("3. Setiap bidang mengembalikan formulir")
        review_draft(
            _one(outbox / "analis", f"{case} Draf v*.docx"),
            inbox / "analis/draf" / f"{case} Draf v2.docx",
        )
        yield step("5-6. Analis meletakkan draf hasil telaah")
        for role in ("kasubag-ppmep", "sekretaris"):
            final = _one(outbox / role, f"{case} Draf Final *.docx")
            shutil.copyfile(final, inbox / role / "paraf" / final.name)
            yield step(f"7-8. Paraf {role}")
        yield (
            step("9. Kepala Dinas menandatangani (tanda tangan basah, dipindai)")
            if _sign(outbox, inbox, case)
            else "9. Naskah PDF untuk ditandatangani tidak ada (LibreOffice tidak terpasang)"
        )
        where = f"{root / 'archive'}, {outbox / 'distribusi'} dan {root / 'status.html'}"
        yield f"Selesai. Lihat {where}"
    finally:
        app.close()


def _sign(outbox: Path, inbox: Path, case: str) -> bool:
    """The Head signs the printed signing copy by hand and it comes back as a scan."""
    target = inbox / "kepala-dinas/tanda-tangan" / f"{case} Ditandatangani.pdf"
    pdfs = sorted((outbox / "kepala-dinas").glob(f"{case} Untuk Ditandatangani.pdf"))
    if not pdfs:
        return False
    target.write_bytes(wet_signed_scan(pdfs[0].read_bytes(), dpi=150, rotate=-1.5))
    return True
