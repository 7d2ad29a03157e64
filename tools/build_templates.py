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
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt
from docx.table import _Row

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
    doc = _base()
    _kop(doc)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("NOTA DINAS").bold = True
    _fields(
        doc,
        [
            (
                "Kepada",
                "Kepala Sub Bagian Perencanaan, Program, Monitoring, Evaluasi dan Pelaporan",
            ),
            ("Dari", "Sekretaris Dinas"),
            ("Tanggal", "{{ tanggal }}"),
            ("Nomor Kasus", "{{ kasus }}"),
            ("Perihal", "Penyiapan bahan {{ nama_sop|lower }} {{ periode }}"),
        ],
    )
    doc.add_paragraph()
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
    doc.add_paragraph()
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
    _fields(doc, [("Nomor Kasus", "{{ kasus }}"), ("Versi Draf", "{{ versi }}"),
                  ("Tanggal", "{{ tanggal }}")])  # fmt: skip
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
