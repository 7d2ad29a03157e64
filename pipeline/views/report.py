"""The yearly SOP compliance report: per step, how many cases kept to the standard time.

`compliance()` is pure (status mapping in, rows out); `build_compliance_report()` writes the
workbook (with a native bar chart) and a chart image, each to a temporary name in its
destination folder, then renames it into place.

Durations are in working days (see `pipeline.core.sla.working_days_between`), or in minutes for a
step whose standard is in minutes (the SOP's 20-minute filing step). A step still running is
counted as late once it has passed its due time at the status's `generated_at`.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from statistics import median
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill

from pipeline.core.sla import (
    Standard,
    WorkCalendar,
    due_at,
    is_overdue,
    minutes_between,
    working_days_between,
)
from pipeline.views.board import format_time, role_label

log = logging.getLogger(__name__)

_HEADERS = (
    "No",
    "Pelaksana",
    "Kegiatan",
    "Waktu baku",
    "Selesai",
    "Tepat waktu",
    "Terlambat",
    "Masih berjalan",
    "% tepat waktu",
    "Median",
    "Terlama",
    "Satuan",
)
_DETAIL_HEADERS = (
    *("Kasus", "Periode", "Langkah", "Pelaksana", "Mulai", "Selesai", "Batas"),
    *("Durasi", "Satuan", "Status"),
)


@dataclass(frozen=True)
class StepRun:
    """One case's pass through one step."""

    case_id: str
    period: str
    no: int
    actor: str
    standard: Standard
    started: datetime
    completed: datetime | None
    due: datetime
    late: bool
    duration: float | None  # working days, or minutes for a minute standard

    @property
    def status(self) -> str:
        if self.late:
            return "terlambat"
        return "tepat waktu" if self.completed else "berjalan"


@dataclass(frozen=True)
class StepCompliance:
    """The year's figures for one SOP step."""

    no: int
    actor: str
    activity: str
    standard: Standard | None
    completed: int
    met: int
    late: int
    running: int
    median: float | None
    worst: float | None

    @property
    def unit(self) -> str:
        return "menit" if self.standard and self.standard.in_minutes else "hari kerja"

    @property
    def met_share(self) -> float | None:
        judged = self.met + self.late
        return self.met / judged if judged else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _standard(step: Mapping[str, Any]) -> Standard:
    return Standard(
        days=int(step.get("standard_days") or 0), minutes=int(step.get("standard_minutes") or 0)
    )


def _duration(start: datetime, end: datetime, standard: Standard, cal: WorkCalendar) -> float:
    if standard.in_minutes:
        return minutes_between(start, end)
    return working_days_between(start, end, cal)


def _run(
    case: Mapping[str, Any], step: Mapping[str, Any], now: datetime, cal: WorkCalendar
) -> StepRun | None:
    started, completed = _time(step.get("started_at")), _time(step.get("completed_at"))
    if started is None:
        return None
    standard = _standard(step)
    return StepRun(
        case_id=str(case.get("id")),
        period=str(case.get("period") or ""),
        no=int(step["no"]),
        actor=str(step.get("actor") or ""),
        standard=standard,
        started=started,
        completed=completed,
        due=due_at(started, standard, cal),
        late=is_overdue(started, completed, now, standard, cal),
        duration=_duration(started, completed, standard, cal) if completed else None,
    )


def cases_of_year(
    status: Mapping[str, Any], year: int, cal: WorkCalendar
) -> list[Mapping[str, Any]]:
    """The cases opened in `year` (local calendar year of the office)."""
    chosen = []
    for case in status.get("cases", ()):
        opened = _time(case.get("opened_at"))
        if case.get("cancelled"):
            continue
        if opened is not None and opened.astimezone(cal.tz).year == year:
            chosen.append(case)
    return chosen


def step_runs(status: Mapping[str, Any], year: int, cal: WorkCalendar) -> list[StepRun]:
    """Every started step of every case opened in `year`, judged at `generated_at`."""
    now = _time(status.get("generated_at"))
    if now is None:
        raise ValueError("status has no generated_at")
    runs = (
        _run(c, s, now, cal) for c in cases_of_year(status, year, cal) for s in c.get("steps", ())
    )
    return [r for r in runs if r is not None]


def _step_meta(cases: Iterable[Mapping[str, Any]], no: int) -> Mapping[str, Any]:
    for case in cases:
        for step in case.get("steps", ()):
            if step.get("no") == no:
                return dict(step)
    return {}


def _summarise(no: int, meta: Mapping[str, Any], runs: Sequence[StepRun]) -> StepCompliance:
    durations = [r.duration for r in runs if r.duration is not None]
    return StepCompliance(
        no=no,
        actor=str(meta.get("actor") or ""),
        activity=str(meta.get("activity") or ""),
        standard=_standard(meta) if meta else None,
        completed=len(durations),
        met=sum(1 for r in runs if r.completed and not r.late),
        late=sum(1 for r in runs if r.late),
        running=sum(1 for r in runs if not r.completed and not r.late),
        median=median(durations) if durations else None,
        worst=max(durations) if durations else None,
    )


def for_sop(status: Mapping[str, Any], code: str) -> dict[str, Any]:
    """The status of one SOP's cases (each SOP has its own steps), titled with that SOP."""
    sops = [s for s in status.get("sops", ()) if s.get("kode") == code]
    cases = [c for c in status.get("cases", ()) if (c.get("sop") or {}).get("kode") == code]
    return dict(status) | {"sop": sops[0] if sops else status.get("sop"), "cases": cases}


def compliance(status: Mapping[str, Any], year: int, cal: WorkCalendar) -> list[StepCompliance]:
    """One row per step of the SOP, for the cases opened in `year`."""
    runs = step_runs(status, year, cal)
    cases = cases_of_year(status, year, cal)
    count = max((len(c.get("steps", ())) for c in status.get("cases", ())), default=0)
    return [
        _summarise(no, _step_meta(cases, no), [r for r in runs if r.no == no])
        for no in range(1, count + 1)
    ]


# --- writing ---------------------------------------------------------------------------------


def _replace_atomically(dest: Path, write: Callable[[Path], None]) -> None:
    """Write through `write(tmp)` to a temporary file beside `dest`, fsync, rename into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")  # created with the umask's mode
    try:
        write(tmp)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _summary_row(row: StepCompliance, names: Mapping[str, str]) -> list[Any]:
    share = row.met_share
    return [
        row.no,
        names.get(row.actor) or role_label(row.actor),
        row.activity,
        row.standard.label() if row.standard else "",
        row.completed,
        row.met,
        row.late,
        row.running,
        None if share is None else round(share, 4),
        _round(row.median),
        _round(row.worst),
        row.unit,
    ]


def _style_header(sheet: Any, row: int, width: int) -> None:
    fill = PatternFill("solid", fgColor="DCE3EC")
    for col in range(1, width + 1):
        cell = sheet.cell(row=row, column=col)
        cell.font, cell.fill = Font(bold=True), fill


def _summary_sheet(
    wb: Workbook,
    status: Mapping[str, Any],
    year: int,
    rows: Sequence[StepCompliance],
    cal: WorkCalendar,
) -> None:
    sheet = wb.active
    sheet.title = "Kepatuhan SOP"
    sop = status.get("sop") or {}
    sheet["A1"] = f"Laporan kepatuhan SOP {sop.get('nomor', '')} tahun {year}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = str(sop.get("nama") or "")
    generated = _time(status.get("generated_at"))
    stamp = format_time(generated, cal.tz) if generated else "-"
    sheet["A3"] = f"Data per {stamp} {generated.astimezone(cal.tz).tzname() if generated else ''}"
    sheet.append([])
    sheet.append(list(_HEADERS))
    _style_header(sheet, 5, len(_HEADERS))
    for row in rows:
        sheet.append(_summary_row(row, status.get("role_names") or {}))
    for cell in sheet["I"][5:]:
        cell.number_format = "0%"
    for col, width in zip(
        "ABCDEFGHIJKL", (5, 16, 60, 14, 9, 12, 11, 14, 13, 9, 9, 11), strict=True
    ):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A6"
    _add_chart(sheet, len(rows))


def _add_chart(sheet: Any, count: int) -> None:
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = "Kepatuhan waktu baku per langkah SOP"
    chart.x_axis.title, chart.y_axis.title = "Langkah", "Jumlah kasus"
    data = Reference(sheet, min_col=6, max_col=7, min_row=5, max_row=5 + count)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=6, max_row=5 + count))
    chart.height, chart.width = 9, 18
    sheet.add_chart(chart, f"A{count + 8}")


def _local(moment: datetime | None, cal: WorkCalendar) -> datetime | None:
    """Excel has no time zones: office-local wall time."""
    return None if moment is None else moment.astimezone(cal.tz).replace(tzinfo=None)


def _detail_row(run: StepRun, cal: WorkCalendar, names: Mapping[str, str]) -> list[Any]:
    unit = "menit" if run.standard.in_minutes else "hari kerja"
    times = [_local(run.started, cal), _local(run.completed, cal), _local(run.due, cal)]
    return [
        run.case_id,
        run.period,
        run.no,
        names.get(run.actor) or role_label(run.actor),
        *times,
        _round(run.duration),
        unit,
        run.status,
    ]


def _detail_sheet(
    wb: Workbook, runs: Sequence[StepRun], cal: WorkCalendar, names: Mapping[str, str]
) -> None:
    sheet = wb.create_sheet("Rincian")
    sheet.append(list(_DETAIL_HEADERS))
    _style_header(sheet, 1, len(_DETAIL_HEADERS))
    for run in sorted(runs, key=lambda r: (r.case_id, r.no)):
        sheet.append(_detail_row(run, cal, names))
    for col in "EFG":
        for cell in sheet[col][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
        sheet.column_dimensions[col].width = 17
    for col, width in zip("ABCD", (14, 20, 8, 16), strict=True):
        sheet.column_dimensions[col].width = width


def _draw_chart(rows: Sequence[StepCompliance], year: int, dest: Path, fmt: str) -> None:
    fig = Figure(figsize=(9, 4.8), dpi=110)
    ax = fig.add_subplot()
    labels = [str(r.no) for r in rows]
    met = [r.met for r in rows]
    late = [r.late for r in rows]
    ax.bar(labels, met, color="#2e7d4f", label="Tepat waktu")
    ax.bar(labels, late, bottom=met, color="#c0392b", label="Terlambat")
    ax.set_title(f"Kepatuhan waktu baku per langkah SOP, tahun {year}")
    ax.set_xlabel("Langkah SOP")
    ax.set_ylabel("Jumlah kasus")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([m + lt for m, lt in zip(met, late, strict=True)] + [1]) * 1.25)
    ax.legend(loc="upper right", ncols=2)
    fig.tight_layout()
    fig.savefig(dest, format=fmt)


def build_compliance_report(
    status: Mapping[str, Any], year: int, cal: WorkCalendar, dest_xlsx: Path, dest_chart: Path
) -> None:
    """Write the year's compliance workbook and chart image (PNG, or SVG by file suffix)."""
    rows = compliance(status, year, cal)
    runs = step_runs(status, year, cal)
    wb = Workbook()
    _summary_sheet(wb, status, year, rows, cal)
    _detail_sheet(wb, runs, cal, status.get("role_names") or {})
    _replace_atomically(dest_xlsx, wb.save)
    fmt = "svg" if dest_chart.suffix.lower() == ".svg" else "png"
    _replace_atomically(dest_chart, lambda tmp: _draw_chart(rows, year, tmp, fmt))
    log.info("compliance report %s: %d step runs -> %s, %s", year, len(runs), dest_xlsx, dest_chart)
