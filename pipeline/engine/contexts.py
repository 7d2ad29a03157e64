"""What the documents say: the values each template is rendered with. Pure.

Every value comes from the office config, the SOP definition and the case's stored data; none
from the current time unless passed in, so a document can be rendered again byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pipeline.core.capaian import capaian, format_angka, format_persen, kriteria, rata_rata
from pipeline.core.office import Bidang, Office
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
        "tempat": office.alamat.split(",")[0],
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
    jabatan = (holder.jabatan if holder else "") or sop.label(role) or role
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
        "dari": person(office, naskah.dari, sop),
        "kepada": [person(office, r, sop) for r in naskah.kepada],
        "tembusan": [person(office, r, sop) for r in naskah.tembusan],
    }


@dataclass(frozen=True)
class RowFigures:
    kode: str
    capaian: float | None
    tercapai: bool


def _bidang_rows(bidang: Bidang, data: BidangData) -> tuple[list[dict[str, str]], list[RowFigures]]:
    by_kode = {r.kode: r for r in data.rows}
    rows, figures = [], []
    for ind in bidang.iku:
        got = by_kode[ind.kode]
        value = capaian(ind.target, got.realisasi, ind.polaritas)
        figures.append(RowFigures(ind.kode, value, value is not None and value >= 100.0))
        rows.append(
            {
                "kode": ind.kode,
                "indikator": ind.nama,
                "satuan": ind.satuan,
                "target": format_angka(ind.target),
                "realisasi": format_angka(got.realisasi),
                "capaian": format_persen(value),
                "keterangan": got.keterangan,
            }
        )
    return rows, figures


def draft_context(
    office: Office,
    sop: SopDef,
    case_id: str,
    period: str,
    version: int,
    data: Mapping[str, BidangData],
    now: datetime,
) -> dict[str, Any]:
    """The draft's content: one table per bidang with capaian, and a summary."""
    sections, all_figures = [], []
    for b in office.bidang:
        rows, figures = _bidang_rows(b, data[b.slug])
        mean = rata_rata(f.capaian for f in figures)
        sections.append(
            {
                "nama": b.nama,
                "rows": rows,
                "jumlah": str(len(rows)),
                "rata_rata": format_persen(mean),
                "kriteria": kriteria(mean),
            }
        )
        all_figures.extend(figures)
    overall = rata_rata(f.capaian for f in all_figures)
    summary = {
        "jumlah_iku": str(len(all_figures)),
        "tercapai": str(sum(f.tercapai for f in all_figures)),
        "rata_rata": format_persen(overall),
        "kriteria": kriteria(overall),
    }
    return office_context(office, sop) | {
        "kasus": case_id,
        "periode": period,
        "versi": str(version),
        "tanggal": tanggal(now),
        "bidang": sections,
        "ringkasan": summary,
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
