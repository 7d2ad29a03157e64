"""What the documents say (pure context building) and rendering them from the templates."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import jinja2

from pipeline import __version__
from pipeline.capaian import capaian, format_angka, format_persen, kriteria, rata_rata
from pipeline.config import Bidang, Office
from pipeline.errors import TemplateError
from pipeline.forms import BidangData, DataRow
from pipeline.rendering import PreparedTemplate
from pipeline.sop import Sop

NOTA_DINAS = "nota-dinas.docx"
DRAFT_VERSION_PROPERTY = "sop-pipeline-versi"
DRAF = "draf-data-kinerja.docx"
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


def _office_context(office: Office, sop: Sop) -> dict[str, Any]:
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
        "judul": sop.document_title,
    }


def nota_dinas_context(
    office: Office,
    sop: Sop,
    case_id: str,
    period: str,
    disposisi: str,
    now: datetime,
    due: datetime,
) -> dict[str, Any]:
    bidang = [{"nama": b.nama, "folder": f"inbox/bidang/{b.slug}/"} for b in office.bidang]
    return _office_context(office, sop) | {
        "kasus": case_id,
        "periode": period,
        "tanggal": tanggal(now),
        "disposisi": disposisi,
        "bidang": bidang,
        "batas_waktu": tanggal(last_day(due)),
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
    sop: Sop,
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
    return _office_context(office, sop) | {
        "kasus": case_id,
        "periode": period,
        "versi": str(version),
        "tanggal": tanggal(now),
        "bidang": sections,
        "ringkasan": summary,
    }


def data_hash(context: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(context, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def sample_contexts(office: Office, sop: Sop) -> dict[str, dict[str, Any]]:
    """A context for each template from sample data; its keys are the names a template may use."""
    moment = datetime(2000, 1, 3, tzinfo=UTC)
    data = {
        b.slug: BidangData(b.slug, tuple(DataRow(i.kode, i.target, "") for i in b.iku))
        for b in office.bidang
    }
    case, period = f"{sop.case_prefix}-2000-001", "Tahun 2000"
    return {
        NOTA_DINAS: nota_dinas_context(office, sop, case, period, "disposisi.pdf", moment, moment),
        DRAF: draft_context(office, sop, case, period, 1, data, moment),
    }


class Documents:
    """The templates of one share, each prepared once and reused for every render."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self._prepared: dict[str, PreparedTemplate] = {}

    def template(self, name: str) -> PreparedTemplate:
        if name not in self._prepared:
            self._prepared[name] = PreparedTemplate.load(self.templates_dir / name)
        return self._prepared[name]

    def check_all(self, office: Office, sop: Sop) -> None:
        """Load, lint and try every template once: a template broken by an edit stops start-up
        with a `TemplateError` naming it and the problem, before any case is rendered with it."""
        for name, context in sample_contexts(office, sop).items():
            try:
                self._prepared[name] = PreparedTemplate.load(
                    self.templates_dir / name, frozenset(context)
                )
            except jinja2.TemplateError as exc:  # from Jinja's compiler, e.g. an unknown filter
                raise TemplateError(f"template {name}: {exc}") from exc
            self.render(name, context)

    def render(self, name: str, context: Mapping[str, Any]) -> bytes:
        template = self.template(name)
        properties = {
            "sop-pipeline-template": template.sha256,
            "sop-pipeline-data": data_hash(context),
            "sop-pipeline-version": __version__,
        }
        if "kasus" in context:
            properties["sop-pipeline-kasus"] = str(context["kasus"])
        if "versi" in context:  # which draft an edited copy was made from (Word keeps it)
            properties[DRAFT_VERSION_PROPERTY] = str(context["versi"])
        return template.render(dict(context), properties)
