"""The yearly SOP compliance report: figures per step, the workbook and the chart, read back."""

from __future__ import annotations

import struct
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from pipeline.core.sla import Standard, WorkCalendar
from pipeline.views.report import _replace_atomically, build_compliance_report, compliance

WIB = ZoneInfo("Asia/Jakarta")
CAL = WorkCalendar()
GENERATED = datetime(2026, 6, 30, 12, 0, tzinfo=WIB)
STANDARDS = ["1 hari", "1 hari", "2 hari", "3 hari", "2 hari", "1 hari", "1 hari", "3 hari"]
STANDARDS += ["1 hari", "20 menit"]
ACTORS = ["kepala-dinas", "sekretaris", "analis", "kasubag-ppmep", "analis", "analis"]
ACTORS += ["kasubag-ppmep", "sekretaris", "kepala-dinas", "sekretaris"]
H = timedelta(hours=1)
ON_TIME = [6 * H, 3 * H, 20 * H, 20 * H, 20 * H, 5 * H, 5 * H, 20 * H, 5 * H, timedelta(minutes=10)]


def make_case(case_id: str, opened: datetime, durations: list[timedelta]) -> dict[str, Any]:
    """Steps run back to back for `durations`; the step after the last one is still open."""
    steps, clock = [], opened
    for no in range(1, 11):
        standard = Standard.parse(STANDARDS[no - 1])
        done = no <= len(durations)
        started = clock if no <= len(durations) + 1 else None
        completed = clock + durations[no - 1] if done else None
        steps.append(
            {
                "no": no,
                "actor": ACTORS[no - 1],
                "activity": f"kegiatan {no}",
                "standard": standard.label(),
                "standard_days": standard.days,
                "standard_minutes": standard.minutes,
                "started_at": started.isoformat() if started else None,
                "completed_at": completed.isoformat() if completed else None,
            }
        )
        clock = completed or clock
    closed = len(durations) == 10
    return {"id": case_id, "period": "Tahun 2026", "opened_at": opened.isoformat(),
            "closed_at": clock.isoformat() if closed else None, "steps": steps}  # fmt: skip


def sample_status() -> dict[str, Any]:
    late_a = list(ON_TIME)
    late_a[7] = 6 * 24 * H + 2 * H  # step 8 (3 working days) runs from Thursday to Wednesday
    late_a[9] = timedelta(minutes=25)  # step 10 (20 minutes) takes 25
    quick_b = list(ON_TIME)
    quick_b[0] = 18 * H
    cases = [
        make_case("DK-2026-001", datetime(2026, 3, 2, 9, 0, tzinfo=WIB), late_a),
        make_case("DK-2026-002", datetime(2026, 3, 3, 8, 0, tzinfo=WIB), quick_b),
        make_case("DK-2026-003", datetime(2026, 5, 4, 9, 0, tzinfo=WIB), ON_TIME[:4]),
        make_case("DK-2026-004", GENERATED - 10 * H, [H, H, H, H]),
        make_case("DK-2025-007", datetime(2025, 11, 3, 9, 0, tzinfo=WIB), [30 * 24 * H] * 10),
    ]
    return {
        "generated_at": GENERATED.isoformat(),
        "sop": {"nomor": "040/34.15/PUSTAKA/2025", "nama": "Mekanisme Pengumpulan Data Kinerja"},
        "cases": cases,
        "rejections": [],
    }


def test_figures_per_step_for_the_year() -> None:
    rows = {r.no: r for r in compliance(sample_status(), 2026, CAL)}
    assert sorted(rows) == list(range(1, 11))
    first = rows[1]
    assert (first.completed, first.met, first.late, first.running) == (4, 4, 0, 0)
    assert first.worst == pytest.approx(0.75)
    assert rows[8].late == 1 and rows[8].met == 1
    tenth = rows[10]
    assert (tenth.met, tenth.late, tenth.unit) == (1, 1, "menit")
    assert tenth.median == pytest.approx(17.5) and tenth.worst == pytest.approx(25.0)
    fifth = rows[5]  # one case stuck past due, one still within its two days
    assert (fifth.completed, fifth.late, fifth.running) == (2, 1, 1)


def test_other_years_are_left_out() -> None:
    rows = {r.no: r for r in compliance(sample_status(), 2025, CAL)}
    assert rows[1].late == 1 and rows[1].met == 0
    assert rows[1].worst == pytest.approx(22.0)  # 30 calendar days, 22 working days (Nov 2025)


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_workbook_and_chart_read_back(tmp_path: Path) -> None:
    xlsx, png = tmp_path / "laporan" / "kepatuhan-2026.xlsx", tmp_path / "kepatuhan-2026.png"
    build_compliance_report(sample_status(), 2026, CAL, xlsx, png)
    wb = load_workbook(xlsx)
    sheet = wb["Kepatuhan SOP"]
    assert "040/34.15/PUSTAKA/2025" in sheet["A1"].value
    header = [c.value for c in sheet[5]]
    assert header[:2] == ["No", "Pelaksana"]
    body = {row[0]: row for row in sheet.iter_rows(min_row=6, max_row=15, values_only=True)}
    assert body[10][5:8] == (1, 1, 0)  # tepat waktu, terlambat, masih berjalan
    assert body[10][9:12] == (17.5, 25.0, "menit")
    assert body[8][3] == "3 hari kerja" and body[8][8] == 0.5
    detail = list(wb["Rincian"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in detail} == {"DK-2026-001", "DK-2026-002", "DK-2026-003", "DK-2026-004"}
    assert ("DK-2026-001", 8) in {(r[0], r[2]) for r in detail if r[9] == "terlambat"}
    with zipfile.ZipFile(xlsx) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert charts and b"barChart" in archive.read(charts[0])
    width, height = _png_size(png)
    assert width > 600 and height > 300
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        [xlsx.name, png.name]
    )


def test_chart_as_svg_by_suffix(tmp_path: Path) -> None:
    svg = tmp_path / "kepatuhan.svg"
    build_compliance_report(sample_status(), 2026, CAL, tmp_path / "k.xlsx", svg)
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "Langkah SOP" in text


def test_failed_write_keeps_the_old_file_and_no_temp(tmp_path: Path) -> None:
    dest = tmp_path / "kepatuhan.xlsx"
    dest.write_bytes(b"old")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        _replace_atomically(dest, broken)
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["kepatuhan.xlsx"]
