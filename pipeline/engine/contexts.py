"""What the documents say: the values each template is rendered with. Pure.

Every value comes from the office config, the SOP definition and the case's stored data; none
from the current time unless passed in, so a document can be rendered again byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pipeline.core.capaian import (
    Hasil,
    Periode,
    format_angka,
    format_persen,
    hitung,
    kriteria,
    periode,
    rata_rata,
)
from pipeline.core.office import AturanCapaian, Bidang, Office
from pipeline.core.pemeriksaan import cara_perhitungan, catatan_pemeriksaan
from pipeline.core.values import BidangData, DataRow
from pipeline.engine.model import Naskah, SopDef

DRAFT_VERSION_PROPERTY = "sop-pipeline-versi"
BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def tanggal(moment: datetime) -> str:
    """21 November 2026."""
    return f"{moment.day} {BULAN[moment.month - 1]} {moment.year}"


def last_day(due: datetime) -> datetime:
    """The last day to act: a deadline at 00.00 local time means the end of the day before."""
    return due - timedelta(microseconds=1) if due.time() == time(0) else due


BLANK_LINE = "…………………………………"
"""Printed where a name or NIP is not configured yet: a visible line to fill in by hand."""


def signatory(office: Office, role: str) -> tuple[str, str]:
    """Name and NIP of the pegawai holding `role`, or marked blank lines to fill by hand."""
    person = office.named_holder(role)
    if person is None:
        return BLANK_LINE, BLANK_LINE
    return person.nama, person.nip or BLANK_LINE


def office_context(office: Office, sop: SopDef) -> dict[str, Any]:
    kepala, kepala_nip = signatory(office, "kepala-dinas")
    return {
        "kantor": office.nama,
        "daerah": office.daerah,
        "alamat": office.alamat,
        "tempat": office.tempat,
        "kepala_jabatan": office.kepala_jabatan,
        "kepala_nama": kepala,
        "kepala_nip": kepala_nip,
        "sekretaris_nama": signatory(office, "sekretaris")[0],
        "nomor_sop": sop.nomor,
        "nama_sop": sop.nama,
        "judul": sop.judul_dokumen,
    }


def person(office: Office, role: str, sop: SopDef) -> dict[str, str]:
    """`{jabatan, nama, nip}` of the pegawai holding `role`; blank lines where none is set."""
    holder = office.named_holder(role)
    titled = [p.jabatan for p in (holder, *office.holders(role)) if p is not None and p.jabatan]
    jabatan = next(iter(titled), "") or sop.label(role) or role
    nama, nip = signatory(office, role)
    return {"jabatan": jabatan, "nama": nama, "nip": nip}


def naskah_context(
    office: Office,
    sop: SopDef,
    case_id: str,
    period: str,
    naskah: Naskah,
    now: datetime,
    due: datetime,
    number: str = "",
    source: str = "",
) -> dict[str, Any]:
    """A document of a stage (e.g. the nota dinas): the office, the case, who it is from and
    to, its number, the deadline of the step it asks for."""
    bidang = [
        {"nama": b.nama, "slug": b.slug, "folder": f"inbox/bidang/{b.slug}/"} for b in office.bidang
    ]
    return office_context(office, sop) | {
        "kasus": case_id,
        "periode": period,
        "tanggal": tanggal(now),
        "disposisi": source,
        "bidang": bidang,
        "batas_waktu": tanggal(last_day(due)),
        "nomor": number or BLANK_LINE,
        "sifat": naskah.sifat,
        "lampiran": naskah.lampiran,
        "hal": naskah.subject(period),
        "dari": person(office, naskah.dari, sop),
        "kepada": [person(office, r, sop) for r in naskah.kepada],
        "tembusan": [person(office, r, sop) for r in naskah.tembusan],
    }


def _bidang_rows(
    bidang: Bidang, data: BidangData, period: Periode, aturan: AturanCapaian
) -> tuple[list[dict[str, str]], list[Hasil]]:
    """A bidang's table rows, each measured against the target of the report's period."""
    by_kode = {r.kode: r for r in data.rows}
    rows, figures = [], []
    for ind in bidang.iku:
        got = by_kode[ind.kode]
        hasil = hitung(ind, period, got.realisasi, aturan.batas_atas)
        figures.append(hasil)
        rows.append(
            {
                "kode": ind.kode,
                "indikator": ind.nama,
                "satuan": ind.satuan,
                "target": format_angka(hasil.target.nilai),
                "realisasi": format_angka(got.realisasi),
                "capaian": format_persen(hasil.nilai),
                "keterangan": got.keterangan,
            }
        )
    return rows, figures


def capaian_notes(
    office: Office, period: str, figures: Sequence[tuple[str, Hasil]]
) -> dict[str, list[str]]:
    """How the capaian were computed (`perhitungan`) and what the analyst should check
    (`pemeriksaan`, empty when every figure is plausible); `figures` pair each result with
    its bidang's name."""
    of_period = periode(period)
    results = [hasil for _, hasil in figures]
    return {
        "perhitungan": cara_perhitungan(results, of_period, period, office.capaian),
        "pemeriksaan": catatan_pemeriksaan(figures, of_period, office.capaian),
    }


def draft_context(
    office: Office,
    sop: SopDef,
    case_id: str,
    period: str,
    version: int,
    data: Mapping[str, BidangData],
    now: datetime,
) -> dict[str, Any]:
    """The draft's content: one table per bidang with capaian, a summary, how capaian was
    computed and the analyst's checklist."""
    sections: list[dict[str, Any]] = []
    all_figures: list[tuple[str, Hasil]] = []
    for b in office.bidang:
        rows, figures = _bidang_rows(b, data[b.slug], periode(period), office.capaian)
        mean = rata_rata(f.nilai for f in figures)
        sections.append(
            {
                "nama": b.nama,
                "rows": rows,
                "jumlah": str(len(rows)),
                "rata_rata": format_persen(mean),
                "kriteria": kriteria(mean),
            }
        )
        all_figures.extend((b.nama, f) for f in figures)
    overall = rata_rata(f.nilai for _, f in all_figures)
    summary = {
        "jumlah_iku": str(len(all_figures)),
        "tercapai": str(sum(f.tercapai for _, f in all_figures)),
        "rata_rata": format_persen(overall),
        "kriteria": kriteria(overall),
    }
    return office_context(office, sop) | {
        "kasus": case_id,
        "periode": period,
        "versi": str(version),
        "tanggal": tanggal(now),
        "nomor": BLANK_LINE,
        "tanggal_naskah": BLANK_LINE,
        "bidang": sections,
        "ringkasan": summary,
        **capaian_notes(office, period, all_figures),
    }


SAMPLE_MOMENT = datetime(2000, 1, 3, tzinfo=UTC)


def sample_contexts(office: Office, sop: SopDef) -> dict[str, dict[str, Any]]:
    """A context for each template the SOP uses, from sample data: its keys are the names the
    template may use (the watcher's start-up and `pipeline sop check` render each once)."""
    data = {
        b.slug: BidangData(b.slug, tuple(DataRow(i.kode, i.target, "") for i in b.iku))
        for b in office.bidang
    }
    case, period, moment = f"{sop.kode}-2000-001", "Tahun 2000", SAMPLE_MOMENT
    found: dict[str, dict[str, Any]] = {}
    for stage in sop.stages:
        for naskah in stage.naskah:
            found[naskah.template] = naskah_context(
                office, sop, case, period, naskah, moment, moment, "000/001/X/2000", "surat.pdf"
            )
        if stage.template:
            found[stage.template] = draft_context(office, sop, case, period, 1, data, moment)
    return found
