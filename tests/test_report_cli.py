"""`pipeline report`: the yearly SOP compliance workbook and chart, from cases really played
through the pipeline with an injected office clock, read back with openpyxl."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from pipeline.app import App, open_app
from pipeline.cli import main
from pipeline.settings import Settings
from pipeline.share import prepare_share
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher
from tests.support.pdfs import quick_pdf
from tests.support.staff import Staff, disposition_docx

WIB = ZoneInfo("Asia/Jakarta")
PNG = b"\x89PNG\r\n\x1a\n"


def wib(day: int, hour: int, minute: int = 0, month: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)  # 5 Oct 2026 is a Monday


class Office:
    """The pipeline with an injected clock; each drop is handled at the time the test sets."""

    def __init__(self, settings: Settings, scratch: Path) -> None:
        self.now = wib(1, 0)
        self.app: App = open_app(settings, clock=lambda: self.now, to_pdf=quick_pdf)
        self.staff = Staff(settings, scratch)
        self.watcher = Watcher(
            self.app.runner, polling=False, settle=0.0, rescan=60.0, policy=RetryPolicy()
        )

    def at(self, moment: datetime) -> Staff:
        self.now = moment
        return self.staff

    def handle(self) -> None:
        results = self.watcher.run_once()
        assert results["rejected"] == 0 and results["accepted"] >= 1
        self.watcher.results.clear()

    def disposisi(self, when: datetime, period: str) -> None:
        path = self.at(when).scratch / f"Disposisi {period}.docx"
        disposition_docx(path, period)
        self.staff.drop(path, "kepala-dinas/disposisi-data-kinerja")
        self.handle()

    def forms(self, when: datetime, case: str) -> None:
        for bidang in self.staff.settings.office.bidang:
            self.at(when).isi_formulir(case, bidang.slug)
        self.handle()

    def sign(self, when: datetime, case: str) -> None:
        self.at(when).tanda_tangan(case)
        self.handle()

    def review_and_paraf(self, case: str, *moments: datetime) -> None:
        self.at(moments[0]).telaah_draf(case, 1)
        self.handle()
        for role, moment in zip(("kasubag-ppmep", "sekretaris"), moments[1:], strict=True):
            self.at(moment).paraf(case, role)
            self.handle()


@pytest.fixture(scope="module")
def closed_cases(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A case of 2025 and two of 2026, all closed. In 2026 the analyst's review (step 5,
    2 working days) took 1 working day for DK-2026-001 and 4 for DK-2026-002."""
    base = tmp_path_factory.mktemp("report")
    share = prepare_share(base / "share", base / "state", settle_seconds=0.0)
    office = Office(share, base / "desk")
    try:
        last_year = wib(29, 8, month=12, year=2025)
        office.disposisi(last_year, "Triwulan IV 2025")
        office.forms(last_year, "DK-2025-001")
        office.review_and_paraf("DK-2025-001", last_year, last_year, last_year)
        office.sign(last_year, "DK-2025-001")

        office.disposisi(wib(5, 8), "Triwulan I 2026")
        office.disposisi(wib(5, 9), "Triwulan II 2026")
        office.forms(wib(5, 10), "DK-2026-001")
        office.forms(wib(5, 12), "DK-2026-002")
        office.review_and_paraf("DK-2026-001", wib(6, 10), wib(6, 14), wib(7, 9))
        office.sign(wib(7, 11), "DK-2026-001")
        office.review_and_paraf("DK-2026-002", wib(9, 12), wib(9, 12, 30), wib(9, 13))
        office.sign(wib(9, 14), "DK-2026-002")
        for case in ("DK-2025-001", "DK-2026-001", "DK-2026-002"):
            state = office.app.journal.case(case)
            assert state is not None and state.closed, case
    finally:
        office.app.close()
    return share


def summary(xlsx: Path) -> dict[int, dict[str, Any]]:
    """The 'Kepatuhan SOP' sheet as {step no: {header: value}}."""
    sheet = load_workbook(xlsx)["Kepatuhan SOP"]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    headers = [str(h) for h in rows[0]]
    return {int(r[0]): dict(zip(headers, r, strict=True)) for r in rows[1:] if r[0] is not None}


def run_report(settings: Settings, *extra: str) -> int:
    return main(["-q", "report", str(settings.root), "--state", str(settings.state_dir), *extra])


def test_report_of_a_year_into_the_secretary_outbox(
    closed_cases: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_report(closed_cases, "--year", "2026") == 0
    outbox = closed_cases.root / "outbox" / "sekretaris"
    xlsx = outbox / "Laporan Kepatuhan SOP DK 2026.xlsx"
    chart = outbox / "Laporan Kepatuhan SOP DK 2026.png"
    printed = capsys.readouterr().out
    assert str(xlsx) in printed and str(chart) in printed
    assert chart.read_bytes().startswith(PNG)

    steps = summary(xlsx)
    assert sorted(steps) == list(range(1, 11))
    assert all(s["Selesai"] == 2 for s in steps.values()), "the 2025 case is not counted"
    review = steps[5]
    assert (review["Pelaksana"], review["Waktu baku"]) == (
        "Analis Perencana, Evaluasi dan Pelaporan",
        "2 hari kerja",
    )
    stamp = str(load_workbook(xlsx)["Kepatuhan SOP"]["A3"].value)
    assert re.fullmatch(
        r"Data per (Sen|Sel|Rab|Kam|Jum|Sab|Min), \d+ \w+ \d{4} \d{2}\.\d{2} WIB", stamp
    )
    assert (review["Tepat waktu"], review["Terlambat"], review["Masih berjalan"]) == (1, 1, 0)
    assert (review["Median"], review["Terlama"], review["% tepat waktu"]) == (2.5, 4.0, 0.5)
    assert review["Satuan"] == "hari kerja"
    paraf = steps[8]  # Tue 14:00 → Wed 09:00 and Fri 12:30 → 13:00, standard 3 working days
    assert (paraf["Tepat waktu"], paraf["Terlambat"], paraf["Terlama"]) == (2, 0, 0.79)
    filing = steps[10]
    assert (filing["Waktu baku"], filing["Satuan"], filing["Terlama"]) == ("20 menit", "menit", 0)

    detail = list(load_workbook(xlsx)["Rincian"].iter_rows(min_row=2, values_only=True))
    assert len(detail) == 20
    late = [(r[0], r[2]) for r in detail if r[-1] == "terlambat"]
    assert late == [("DK-2026-002", 5)]


def test_report_of_another_year_into_a_chosen_folder(
    closed_cases: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "laporan tahunan"
    assert run_report(closed_cases, "--year", "2025", "--out", str(out)) == 0
    xlsx = out / "Laporan Kepatuhan SOP DK 2025.xlsx"
    assert str(xlsx) in capsys.readouterr().out
    assert (out / "Laporan Kepatuhan SOP DK 2025.png").read_bytes().startswith(PNG)
    steps = summary(xlsx)
    assert [s["Selesai"] for s in steps.values()] == [1] * 10
    assert not list((closed_cases.root / "outbox" / "sekretaris").glob("* 2025.*"))
