"""Capaian in the rendered draft: the shipped template rendered with the real renderer (and with
plain docxtpl), read back with python-docx. The period's targets, the floor and the cap, the
"Cara perhitungan capaian" note, and the analyst's checklist, which lists implausible figures
and nothing else; the demo's sample data pass it clean."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook

from pipeline.app import App
from pipeline.core.capaian import periode, target_periode
from pipeline.core.office import Office
from pipeline.core.values import BidangData, DataRow
from pipeline.demo import (
    CHECKLIST_TITLE,
    SAMPLE_FACTORS,
    fill_form,
    play,
    review_draft,
    sample_realisasi,
)
from pipeline.documents.forms import build_form
from pipeline.documents.templates import Documents
from pipeline.engine.contexts import draft_context
from pipeline.inputs.forms import read_form
from pipeline.settings import Settings, load_settings
from pipeline.share import prepare_share
from tests.support.plain import docxtpl_render
from tests.support.staff import Staff, one, wait_for
from tests.support.watching import running_app

DRAF = "draf-data-kinerja.docx"
CASE = "DK-2026-001"
WRITTEN = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
ITEM = "\u2610 "


def realisasi_near_target(office: Office, period: str) -> dict[str, dict[str, float]]:
    """Plausible figures: what the demo's staff would type into each bidang's issued form."""
    return {
        b.slug: {
            i.kode: sample_realisasi(
                i, target_periode(i, periode(period)).nilai, SAMPLE_FACTORS[n % 5]
            )
            for n, i in enumerate(b.iku)
        }
        for b in office.bidang
    }


def data_of(figures: dict[str, dict[str, float]]) -> dict[str, BidangData]:
    return {
        slug: BidangData(
            slug, tuple(DataRow(k, v, "Laporan bulanan bidang") for k, v in rows.items())
        )
        for slug, rows in figures.items()
    }


def pipeline_renderer(template: Path, context: dict[str, Any]) -> bytes:
    return Documents(template.parent).render(template.name, context)


RENDERERS = {"pipeline": pipeline_renderer, "docxtpl": docxtpl_render}


def body_text(data: bytes | Path) -> list[str]:
    """Every paragraph of the body in order, table cells included."""
    doc = docx.Document(io.BytesIO(data) if isinstance(data, bytes) else str(data))
    return [Paragraph(p, doc).text for p in doc.element.body.iter(qn("w:p"))]


def row_of(lines: list[str], kode: str) -> list[str]:
    """Kode, indikator, satuan, target, realisasi, capaian of one indicator's table row."""
    at = lines.index(kode)
    return lines[at : at + 6]


def render(
    settings: Settings,
    figures: dict[str, dict[str, float]],
    period: str,
    renderer: Callable[[Path, dict[str, Any]], bytes] = pipeline_renderer,
    office: Office | None = None,
) -> list[str]:
    office = office or settings.office
    context = draft_context(office, settings.sops[0], CASE, period, 1, data_of(figures), WRITTEN)
    return body_text(renderer(settings.templates_dir / DRAF, context))


def checklist(lines: list[str]) -> list[str]:
    return [line[len(ITEM) :] for line in lines if line.startswith(ITEM)]


@pytest.fixture
def implausible(share: Settings) -> dict[str, dict[str, float]]:
    figures = realisasi_near_target(share.office, "Tahun 2026")
    figures["sekretariat"]["SEK-03"] = 5  # lower is better, target 2: the formula says -50 %
    figures["layanan-perpustakaan"]["LYN-01"] = 250000  # a zero too many
    figures["pembinaan-kearsipan"]["PBK-03"] = 33.6  # a count with decimals
    figures["pengelolaan-arsip"]["ARS-02"] = -3  # cannot be negative
    return figures


@pytest.mark.parametrize("renderer", RENDERERS)
def test_implausible_figures_are_listed_for_the_analyst(
    share: Settings, implausible: dict[str, dict[str, float]], renderer: str
) -> None:
    lines = render(share, implausible, "Tahun 2026", RENDERERS[renderer])
    assert CHECKLIST_TITLE in lines
    items = checklist(lines)
    assert len(items) == 4, items
    by_code = {item.split(" ")[0]: item for item in items}
    assert "5 temuan lebih dari 2 kali targetnya (2 temuan)" in by_code["SEK-03"]
    assert "250.000 orang lebih dari 2 kali targetnya (25.000 orang)" in by_code["LYN-01"]
    assert "33,6 OPD berdesimal" in by_code["PBK-03"]
    assert "-3 berkas bernilai negatif" in by_code["ARS-02"]
    assert "Bidang Pengelolaan Arsip" in by_code["ARS-02"]  # whom to ask
    assert row_of(lines, "SEK-03")[3:] == ["2", "5", "0%"]  # never -50 %
    assert row_of(lines, "ARS-02")[3:] == ["1.500", "-3", "0%"]
    assert not any(line.startswith("-") and line.endswith("%") for line in lines)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_plausible_figures_leave_no_checklist(share: Settings, renderer: str) -> None:
    figures = realisasi_near_target(share.office, "Tahun 2026")
    lines = render(share, figures, "Tahun 2026", RENDERERS[renderer])
    assert CHECKLIST_TITLE not in lines and checklist(lines) == []
    assert "Cara perhitungan capaian:" in lines
    assert (
        "Indikator yang makin rendah makin baik: capaian = (2 × target − realisasi) ÷ target × "
        "100%, paling rendah 0% (bila realisasi dua kali target atau lebih)." in lines
    )
    assert "Capaian tidak dibatasi ke atas." in lines
    assert "Target yang dipakai untuk Tahun 2026: target tahunan." in lines


def test_the_report_s_period_chooses_the_target_shown_and_used(share: Settings) -> None:
    config = share.root / "config" / "kantor.toml"  # LYN-01 with its annual target only
    text = config.read_text(encoding="utf-8")
    text = text.replace(", target_triwulan = [6000, 12500, 18750, 25000]", "")
    config.write_text(text.replace("target_triwulan = [8, 18, 28, 40], ", ""), "utf-8")
    share = load_settings(share.root, share.state_dir)
    third = render(
        share, realisasi_near_target(share.office, "Triwulan III 2026"), "Triwulan III 2026"
    )
    # shipped config: LYN-02 cumulative 2.800/5.900/9.000/12.000; ARS-02 per quarter 400
    assert row_of(third, "LYN-02")[3:] == ["9.000", "8.370", "93%"]
    assert row_of(third, "ARS-02")[3:5] == ["400", "372"]
    assert row_of(third, "LYN-01")[3] == "25.000"  # no quarter target: the annual one
    (note,) = checklist(third)
    assert note.startswith("Target Triwulan III belum ditetapkan untuk LYN-01, PGB-03;")
    used = next(line for line in third if line.startswith("Target yang dipakai"))
    assert (
        "target kumulatif s.d. Triwulan III (realisasi dihitung sejak Januari): SEK-02, LYN-02, "
        "ARS-01, PBK-03;" in used
    )
    assert "target Triwulan III saja (bukan kumulatif): SEK-01, SEK-03, LYN-03," in used
    assert "target tahunan, karena target Triwulan III belum ditetapkan: LYN-01, PGB-03." in used
    first_half = render(
        share, realisasi_near_target(share.office, "Semester I 2026"), "Semester I 2026"
    )
    assert row_of(first_half, "LYN-02")[3] == "5.900"  # s.d. June: the Triwulan II target
    assert row_of(first_half, "PGB-03")[3] == "18"
    year = render(share, realisasi_near_target(share.office, "Tahun 2026"), "Tahun 2026")
    assert row_of(year, "LYN-02")[3] == "12.000" and row_of(year, "ARS-02")[3] == "1.500"


def test_the_office_cap_from_the_config_applies_and_is_stated(share: Settings) -> None:
    config = share.root / "config" / "kantor.toml"
    text = config.read_text(encoding="utf-8")
    assert "# batas_atas = 120" in text
    config.write_text(text.replace("# batas_atas = 120", "batas_atas = 120"), encoding="utf-8")
    capped = load_settings(share.root, share.state_dir)
    assert capped.office.capaian.batas_atas == 120
    figures = realisasi_near_target(capped.office, "Tahun 2026")
    figures["layanan-perpustakaan"]["LYN-01"] = 32500  # 130 %
    figures["sekretariat"]["SEK-03"] = 0  # no findings left: 200 %
    lines = render(capped, figures, "Tahun 2026")
    assert row_of(lines, "LYN-01")[5] == "120%" and row_of(lines, "SEK-03")[5] == "120%"
    assert (
        "Capaian paling tinggi 120% sesuai ketentuan kantor; rata-rata dihitung dari capaian "
        "yang sudah dibatasi. Yang dibatasi: SEK-03 (200% menjadi 120%), LYN-01 (130% menjadi "
        "120%)." in lines
    )
    uncapped = render(share, figures, "Tahun 2026")
    assert row_of(uncapped, "LYN-01")[5] == "130%" and row_of(uncapped, "SEK-03")[5] == "200%"


def test_a_zero_target_is_explained_not_divided_by(share: Settings) -> None:
    office = share.office
    bidang = office.bidang[0]
    zeroed = tuple(
        dataclasses.replace(i, target=0) if i.kode in {"SEK-02", "SEK-03"} else i
        for i in bidang.iku
    )
    office = dataclasses.replace(
        office, bidang=(dataclasses.replace(bidang, iku=zeroed), *office.bidang[1:])
    )
    figures = realisasi_near_target(office, "Tahun 2026")
    figures["sekretariat"] |= {"SEK-02": 12.5, "SEK-03": 0}
    lines = render(share, figures, "Tahun 2026", office=office)
    assert row_of(lines, "SEK-02")[3:] == ["0", "12,5", "-"]
    assert row_of(lines, "SEK-03")[3:] == ["0", "0", "100%"]
    assert any("SEK-02" in item and "tidak dapat dihitung" in item for item in checklist(lines))


# --- through the real watcher, and the demo ------------------------------------------------------


@pytest.fixture
def running(share: Settings) -> Iterator[App]:
    with running_app(share) as app:
        yield app


def test_a_fractional_count_in_a_returned_form_reaches_the_analyst_s_checklist(
    running: App, tmp_path: Path
) -> None:
    settings = running.settings
    root = settings.root
    staff = Staff(settings, tmp_path / "desk")
    staff.disposisi("Disposisi Data Kinerja Tahun 2026.docx")
    for b in settings.office.bidang:
        folder = root / "outbox/bidang" / b.slug
        wait_for(lambda folder=folder: any(folder.glob(f"{CASE} *.xlsx")), f"form of {b.slug}")
        form = one(folder, f"{CASE} *.xlsx")
        filled = tmp_path / form.name
        fill_form(form, filled, b)
        if b.slug == "sekretariat":  # the temuan typed as 2,24
            wb = load_workbook(filled)
            sheet = wb.active
            assert sheet is not None
            sheet.cell(row=9, column=6, value=2.24)
            wb.save(filled)
        staff.drop(filled, f"bidang/{b.slug}")
    draft = root / f"outbox/analis/{CASE} Draf v1.docx"
    wait_for(draft.exists, "draft v1")
    lines = body_text(draft)
    (item,) = checklist(lines)
    assert item.startswith("SEK-03 (Jumlah temuan pemeriksaan yang belum ditindaklanjuti): ")
    assert "realisasi 2,24 temuan berdesimal, padahal temuan dihitung utuh" in item
    reviewed = tmp_path / f"{CASE} Draf v2.docx"
    review_draft(draft, reviewed)  # the analyst works the checklist off and deletes it
    after = body_text(reviewed)
    assert CHECKLIST_TITLE not in after and checklist(after) == []
    assert "Cara perhitungan capaian:" in after


def test_the_demo_s_forms_look_like_a_real_office_s(share: Settings, tmp_path: Path) -> None:
    for b in share.office.bidang:
        form = tmp_path / f"{b.slug}.xlsx"
        form.write_bytes(build_form(b, CASE, "Triwulan III 2026", share.office.nama))
        filled = tmp_path / f"{b.slug} diisi.xlsx"
        fill_form(form, filled, b)
        data, _ = read_form(filled, b)
        for ind, row in zip(b.iku, data.rows, strict=True):
            if share.office.capaian.counts_whole(ind.satuan):
                assert row.realisasi == int(row.realisasi), (ind.kode, row.realisasi)
            assert row.keterangan and not set("<>") & set(row.keterangan), row.keterangan


def test_the_demo_case_shows_no_implausible_figure(tmp_path: Path) -> None:
    settings = prepare_share(tmp_path / "demo", tmp_path / "state", settle_seconds=0.0)
    report = list(play(settings))
    assert report[-1].startswith("Selesai.")
    folder = settings.root / "berkas" / CASE
    v1 = body_text(one(folder / "keluar", f"{CASE} Draf v1.docx"))
    items = checklist(v1)
    assert [i for i in items if not i.startswith("Target Triwulan III belum ditetapkan")] == []
    assert not any("<" in line or ">" in line for line in v1)
    for b in settings.office.bidang:
        for ind in b.iku:
            shown = row_of(v1, ind.kode)[4]
            if settings.office.capaian.counts_whole(ind.satuan):
                assert "," not in shown, (ind.kode, shown)
    v2 = body_text(one(folder / "masuk", f"* {CASE} Draf v2.docx"))
    assert CHECKLIST_TITLE not in v2 and "Cara perhitungan capaian:" in v2
