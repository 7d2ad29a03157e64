"""Build the shipped docx templates in templates/ with python-docx.

Run `python tools/build_templates.py` after changing this file. Staff may then edit the
templates in Word: keep the {{ … }} and {% … %} tags.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

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


def _kop(doc: DocumentObject) -> None:
    for text, size in (
        ("PEMERINTAH {{ daerah|upper }}", 12),
        ("{{ kantor|upper }}", 14),
        ("{{ alamat }}", 9),
    ):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(text)
        run.bold = size > 9
        run.font.size = Pt(size)
    doc.add_paragraph("_" * 72).alignment = WD_ALIGN_PARAGRAPH.CENTER


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
        for cell, width in zip(line.cells, widths, strict=True):
            cell.width = Cm(width)


def nota_dinas() -> DocumentObject:
    doc = _base()
    _kop(doc)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("NOTA DINAS").bold = True
    for label, value in (
        ("Kepada", "Kepala Sub Bagian Perencanaan, Program, Monitoring, Evaluasi dan Pelaporan"),
        ("Dari", "Sekretaris Dinas"),
        ("Tanggal", "{{ tanggal }}"),
        ("Nomor Kasus", "{{ kasus }}"),
        ("Perihal", "Penyiapan bahan {{ nama_sop|lower }} {{ periode }}"),
    ):
        doc.add_paragraph(f"{label}\t: {value}")
    doc.add_paragraph(
        "Menindaklanjuti disposisi Kepala Dinas (berkas: {{ disposisi }}) dan sesuai SOP Nomor "
        "{{ nomor_sop }}, Saudara diminta menyiapkan bahan-bahan penyusunan pengumpulan data "
        "kinerja {{ periode }} dan mengoordinasikan pengumpulan data dari bidang-bidang berikut. "
        "Formulir data tiap bidang telah tersedia di folder masing-masing."
    )
    _table(
        doc,
        ["No", "Bidang", "Formulir diisi lalu diletakkan di"],
        ["{{ loop.index }}", "{{ b.nama }}", "{{ b.folder }}"],
        "b in bidang",
        [1.0, 7.5, 8.6],
    )
    doc.add_paragraph("Data bidang diharapkan lengkap paling lambat {{ batas_waktu }}.")
    doc.add_paragraph("Demikian untuk dilaksanakan.")
    sign = doc.add_paragraph("Sekretaris Dinas,\n\n\n\n{{ sekretaris_nama }}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _footer(doc, "{{ kasus }} · SOP {{ nomor_sop }}")
    return doc


def draf() -> DocumentObject:
    doc = _base()
    _kop(doc)
    for text in ("{{ judul|upper }}", "{{ periode|upper }}"):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run(text).bold = True
    doc.add_paragraph(
        "Nomor Kasus\t: {{ kasus }}\nVersi Draf\t: {{ versi }}\nTanggal\t: {{ tanggal }}"
    )
    doc.add_heading("I. Ringkasan Capaian Kinerja", level=2)
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
    doc.add_heading("II. Data Kinerja per Bidang", level=2)
    doc.add_paragraph("{%p for b in bidang %}")
    doc.add_paragraph().add_run("{{ loop.index }}. {{ b.nama }}").bold = True
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
    doc.add_paragraph(
        "Capaian dihitung sebagai realisasi ÷ target × 100% untuk indikator yang makin tinggi "
        "makin baik, dan (2 × target − realisasi) ÷ target × 100% untuk indikator yang makin "
        "rendah makin baik."
    )
    _paraf(doc)
    _footer(doc, "{{ kasus }} · {{ judul }} · versi {{ versi }} · SOP {{ nomor_sop }}")
    return doc


def _paraf(doc: DocumentObject) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["Paraf Kasubag PPMEP", "Paraf Sekretaris"], strict=True
    ):
        cell.text = text
    sign = doc.add_paragraph(
        "\n{{ tempat }}, {{ tanggal }}\n{{ kepala_jabatan }},\n\n\n\n"
        "{{ kepala_nama }}\nNIP. {{ kepala_nip }}"
    )
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def main() -> int:
    OUT.mkdir(exist_ok=True)
    nota_dinas().save(str(OUT / "nota-dinas.docx"))
    draf().save(str(OUT / "draf-data-kinerja.docx"))
    print(f"wrote templates to {OUT.name}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
