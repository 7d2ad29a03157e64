"""A readable status table on a terminal (rich). Used only by the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.table import Table

from pipeline.views.board import format_deadline


def _when(value: str | None, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(value).astimezone(tz).strftime("%d-%m-%Y %H:%M") if value else "-"


def _waiting(case: dict[str, Any]) -> str:
    return str(case.get("waiting_label") or "-")


def status_table(status: dict[str, Any], tz: ZoneInfo) -> Table:
    table = Table(title=f"SOP {status['sop']['nomor']} — {status['sop']['nama']}")
    table.add_column("Kasus", no_wrap=True)
    for column in ("Periode", "Langkah", "Menunggu", "Sejak", "Batas waktu", "Status"):
        table.add_column(column)
    for case in status["cases"]:
        state = (
            "selesai"
            if case["closed_at"]
            else ("[bold red]TERLAMBAT[/]" if case["overdue"] else "tepat waktu")
        )
        table.add_row(
            case["id"],
            case["period"],
            str(case["step"] or "-"),
            _waiting(case),
            _when(case["waiting_since"], tz),
            format_deadline(datetime.fromisoformat(case["due_at"]), tz) if case["due_at"] else "-",
            state,
        )
    return table


def rejection_lines(status: dict[str, Any]) -> list[str]:
    return [
        f"[yellow]ditolak[/] {r['inbox']}{r['file']}: {r['reason']}" for r in status["rejections"]
    ]
