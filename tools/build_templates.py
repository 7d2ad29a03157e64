"""Build the shipped docx templates in templates/ with python-docx.

Run `python tools/build_templates.py` after changing this file. Staff may then edit the
templates in Word: keep the {{ … }} and {% … %} tags.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Row
from docx.text.paragraph import Paragraph
from PIL import Image

from pipeline.core.pemeriksaan import CHECKLIST_TITLE

OUT = Path(__file__).resolve().parent.parent / "templates"


def _base() -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(33), Cm(21.5)  # F4, the usual naskah dinas size
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    return doc


LOGO_DESCR = "logo-kantor"
"""The kop's picture: replaced by templates/logo.png when the office provides one."""


def _transparent_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 255, 255, 0)).save(out, format="PNG")
    return out.getvalue()


def _kop(doc: DocumentObject) -> None:
    """The letterhead: the logo on the left, the regency, the office and its address centred,
    and a double rule under it."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    for column, cell, width in zip(table.columns, (left, right), (Cm(2.6), Cm(14.5)), strict=True):
        column.width = cell.width = width
    picture = left.paragraphs[0].add_run().add_picture(io.BytesIO(_transparent_png()), Cm(2.2))
    picture._inline.docPr.set("descr", LOGO_DESCR)
    right.paragraphs[0].text = ""
    lines = (("PEMERINTAH {{ daerah|upper }}", 13), ("{{ kantor|upper }}", 15), ("{{ alamat }}", 9))
    for n, (text, size) in enumerate(lines):
        para = right.paragraphs[0] if n == 0 else right.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.space_after = Pt(0)
        run = para.add_run(text)
        run.bold = size > 9
        run.font.size = Pt(size)
    _rule(doc.add_paragraph())


def _rule(para: Paragraph) -> None:
    """A double line under the kop (a paragraph border, as Word draws one)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "thinThickSmallGap"), ("w:sz", "18"), ("w:space", "1")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    para._p.get_or_add_pPr().append(borders)


def _centred(doc: DocumentObject, text: str, bold: bool = True, size: int = 11) -> None:
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.space_after = Pt(0)
    run = para.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _signature(doc: DocumentObject, date_line: str, jabatan: str, nama: str, nip: str) -> None:
    """Place and date, the signatory's title, room to sign, the name and NIP, on the right."""
    # the room to sign is line breaks between the title and the name, in one paragraph
    for runs in (
        [(date_line, False)],
        [(f"{jabatan},\n\n\n\n", False), (nama, True)],
        [(f"NIP. {nip}", False)],
    ):
        para = doc.add_paragraph()
        para.paragraph_format.left_indent = Cm(9.0)
        para.paragraph_format.space_after = Pt(0)
        para.paragraph_format.keep_with_next = True
        for text, bold in runs:
            para.add_run(text).bold = bold


def _footer(doc: DocumentObject, text: str) -> None:
    para = doc.sections[0].footer.paragraphs[0]
    para.text = text
    para.runs[0].font.size = Pt(8)


def _table(
    doc: DocumentObject, headers: list[str], row: list[str], loop: str, widths: list[float]
) -> None:
    table = doc.add_table(rows=3, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for " + loop + " %}"
    for cell, text in zip(table.rows[2].cells, row, strict=True):
        cell.text = text
    end = table.add_row()
    end.cells[0].text = "{%tr endfor %}"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for line in table.rows:
        _keep_whole(line)
        for cell, width in zip(line.cells, widths, strict=True):
            cell.width = Cm(width)
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(9)


def _keep_whole(row: _Row) -> None:
    """A table row never splits across two pages."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _heading(doc: DocumentObject, text: str) -> None:
    para = doc.add_paragraph()
    para.paragraph_format.space_before = Pt(12)
    para.paragraph_format.keep_with_next = True
    run = para.add_run(text)
    run.bold = True
    run.font.size = Pt(12)


def _fields(doc: DocumentObject, pairs: list[tuple[str, str]]) -> None:
    """'Label : value' lines with the colons aligned on one tab stop."""
    for label, value in pairs:
        para = doc.add_paragraph(f"{label}\t: {value}")
        para.paragraph_format.tab_stops.add_tab_stop(Cm(3.2))
        para.paragraph_format.left_indent = Cm(3.5)  # a wrapped value lines up after the colon
        para.paragraph_format.first_line_indent = Cm(-3.5)
        para.paragraph_format.space_after = Pt(0)


def nota_dinas() -> DocumentObject:
    """A nota dinas in the layout of the rules on tata naskah dinas (Permendagri 1/2023)."""
    doc = _base()
    _kop(doc)
    _centred(doc, "NOTA DINAS", size=12)
    _centred(doc, "NOMOR {{ nomor }}", bold=False)
    doc.add_paragraph()
    _fields(
        doc,
        [
            ("Yth.", "{% for k in kepada %}{{ k.jabatan }}{% if not loop.last %}; {% endif %}"
                     "{% endfor %}"),
            ("Dari", "{{ dari.jabatan }}"),
            ("Sifat", "{{ sifat }}"),
            ("Lampiran", "{{ lampiran }}"),
            ("Hal", "{{ hal }}"),
        ],
    )  # fmt: skip
    _rule(doc.add_paragraph())
    doc.add_paragraph(
        "Menindaklanjuti disposisi {{ kepala_jabatan }} tentang {{ nama_sop }}, dan sesuai "
        "dengan Standar Operasional Prosedur Nomor {{ nomor_sop }}, dengan ini Saudara diminta "
        "menyiapkan bahan-bahan penyusunan data kinerja {{ periode }} dan mengoordinasikan "
        "pengumpulan data dari bidang-bidang berikut:"
    )
    _table(doc, ["No", "Bidang"], ["{{ loop.index }}", "{{ b.nama }}"], "b in bidang", [1.2, 15.9])
    doc.add_paragraph()
    doc.add_paragraph(
        "Formulir isian data kinerja telah disampaikan kepada setiap bidang. Data dari seluruh "
        "bidang diharapkan telah lengkap paling lambat {{ batas_waktu }}, untuk selanjutnya "
        "disusun menjadi draf data kinerja."
    )
    doc.add_paragraph("Demikian disampaikan untuk dilaksanakan.")
    _signature(
        doc, "{{ tempat }}, {{ tanggal }}", "{{ dari.jabatan }}", "{{ dari.nama }}",
        "{{ dari.nip }}",
    )  # fmt: skip
    doc.add_paragraph("{%p if tembusan %}")
    doc.add_paragraph("Tembusan:")
    doc.add_paragraph("{%p for t in tembusan %}")
    doc.add_paragraph("{{ loop.index }}. {{ t.jabatan }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")
    _footer(doc, "{{ kasus }} · SOP {{ nomor_sop }}")
    return doc


def draf() -> DocumentObject:
    doc = _base()
    _kop(doc)
    _centred(doc, "{{ judul|upper }}", size=12)
    _centred(doc, "{{ periode|upper }}", size=12)
    _centred(doc, "Nomor: {{ nomor }}", bold=False)
    _heading(doc, "I. Ringkasan Capaian Kinerja")
    doc.add_paragraph(
        "Dari {{ ringkasan.jumlah_iku }} indikator kinerja utama, {{ ringkasan.tercapai }} "
        "mencapai target. Rata-rata capaian {{ ringkasan.rata_rata }} dengan kriteria "
        "{{ ringkasan.kriteria }}."
    )
    _table(
        doc,
        ["No", "Bidang", "Jumlah IKU", "Rata-rata Capaian", "Kriteria"],
        [
            "{{ loop.index }}",
            "{{ b.nama }}",
            "{{ b.jumlah }}",
            "{{ b.rata_rata }}",
            "{{ b.kriteria }}",
        ],
        "b in bidang",
        [1.0, 7.4, 2.2, 3.0, 3.5],
    )
    _heading(doc, "II. Data Kinerja per Bidang")
    doc.add_paragraph("{%p for b in bidang %}")
    title = doc.add_paragraph()
    title.paragraph_format.keep_with_next = True
    title.paragraph_format.space_before = Pt(8)
    title.add_run("{{ loop.index }}. {{ b.nama }}").bold = True
    _table(
        doc,
        ["Kode", "Indikator", "Satuan", "Target", "Realisasi", "Capaian", "Keterangan"],
        [
            "{{ r.kode }}",
            "{{ r.indikator }}",
            "{{ r.satuan }}",
            "{{ r.target }}",
            "{{ r.realisasi }}",
            "{{ r.capaian }}",
            "{{ r.keterangan }}",
        ],
        "r in b.rows",
        [1.8, 4.6, 1.8, 1.8, 2.0, 1.9, 3.2],
    )
    doc.add_paragraph("{%p endfor %}")
    _capaian_notes(doc)
    _paraf(doc)
    _footer(doc, "{{ kasus }} · {{ judul }} · versi {{ versi }} · SOP {{ nomor_sop }}")
    return doc


def _capaian_notes(doc: DocumentObject) -> None:
    """Under the data tables: how capaian was computed (`perhitungan`, part of the record),
    then, only when a figure looks implausible, the analyst's checklist (`pemeriksaan`),
    shaded, to be worked through and deleted before the final draft is initialled."""
    title = doc.add_paragraph()
    title.paragraph_format.space_before = Pt(10)
    title.paragraph_format.keep_with_next = True
    title.add_run("Cara perhitungan capaian:").bold = True
    doc.add_paragraph("{%p for c in perhitungan %}")
    doc.add_paragraph("{{ c }}", style="List Bullet").runs[0].font.size = Pt(9)
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if pemeriksaan %}")
    lines = [
        (CHECKLIST_TITLE, True),
        (
            "Butir berikut perlu diperiksa sebelum draf diteruskan. Periksa setiap butir "
            "bersama bidang yang bersangkutan, perbaiki tabel atau lengkapi kolom Keterangan, "
            "lalu hapus seluruh Catatan Pemeriksaan ini sebelum draf final diparaf.",
            False,
        ),
    ]
    for text, bold in lines:
        para = doc.add_paragraph()
        para.paragraph_format.space_before = Pt(10 if bold else 0)
        para.paragraph_format.keep_with_next = True
        para.add_run(text).bold = bold
        _shade(para)
    doc.add_paragraph("{%p for butir in pemeriksaan %}")
    _shade(doc.add_paragraph("\u2610 {{ butir }}"))
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")


def _shade(para: Paragraph) -> None:
    """A light yellow background: a working note, not part of the document to be signed."""
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", "FFF2CC")):
        shading.set(qn(key), value)
    para._p.get_or_add_pPr().append(shading)


def _paraf(doc: DocumentObject) -> None:
    """The paraf boxes of the officials who check the document before the Head signs, and the
    signature block (place and date are filled in when the document is numbered)."""
    doc.add_paragraph()
    table = doc.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["Paraf Kasubag PPMEP", "Paraf Sekretaris"], strict=True
    ):
        cell.text = text
    for cell in table.rows[1].cells:
        cell.paragraphs[0].paragraph_format.space_after = Pt(24)
    doc.add_paragraph()
    _signature(
        doc, "{{ tempat }}, {{ tanggal_naskah }}", "{{ kepala_jabatan|upper }}",
        "{{ kepala_nama }}", "{{ kepala_nip }}",
    )  # fmt: skip


def main() -> int:
    OUT.mkdir(exist_ok=True)
    nota_dinas().save(str(OUT / "nota-dinas.docx"))
    draf().save(str(OUT / "draf-data-kinerja.docx"))
    print(f"wrote templates to {OUT.name}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
