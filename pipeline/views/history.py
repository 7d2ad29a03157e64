"""The history of closed cases (`riwayat/`): numbered pages of one hundred cases each in
the order they were closed, and an index of the pages, newest first.

A case is added to the history once, when it is closed (filed or cancelled), so that only the
last page and the index are ever rewritten: the board (`status.html`) shows what is running and
what closed recently; everything older is here. Pure: each function turns summaries of closed
cases into a page; writing it is the caller's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.store.journal import CaseSummary
from pipeline.views.board import format_duration, format_time, page_head

FOLDER = "riwayat"
INDEX = "index.html"
PAGE_SIZE = 100
STATES = {"selesai": "Selesai, diarsipkan", "batal": "Dibatalkan"}


def page_of(seq: int) -> int:
    """The page (from 1) holding the summary at place `seq` (from 1)."""
    return (seq - 1) // PAGE_SIZE + 1


def page_name(page: int) -> str:
    return f"halaman-{page:04d}.html"


def page_span(page: int) -> tuple[int, int]:
    """The first and last place a page holds."""
    return (page - 1) * PAGE_SIZE + 1, page * PAGE_SIZE


@dataclass(frozen=True)
class PageInfo:
    """One history page as the index lists it."""

    page: int
    count: int
    first_closed: datetime
    last_closed: datetime

    @classmethod
    def of(cls, page: int, entries: Sequence[CaseSummary]) -> PageInfo:
        closed = [e.closed_at for e in entries]
        return cls(page, len(entries), min(closed), max(closed))


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _header(title: str, line: str) -> str:
    return f'<header>\n<h1 id="judul">{_e(title)}</h1>\n<p>{line}</p>\n</header>\n'


def _late_steps(entry: CaseSummary) -> str:
    late = sum(1 for step in entry.record.get("steps", ()) if step.get("overdue"))
    return f'<span class="late-text">{late} langkah terlambat</span>' if late else "sesuai waktu"


def _archive_cell(entry: CaseSummary) -> str:
    if not entry.archive_dir:
        return "-"
    return f'<a href="../{_e(entry.archive_dir)}/"><code>{_e(entry.archive_dir)}/</code></a>'


def _row(entry: CaseSummary, tz: ZoneInfo) -> str:
    sop = (entry.record.get("sop") or {}).get("nama", entry.sop)
    cells = [
        ("No", _e(entry.seq)),
        ("Kasus", f"<b>{_e(entry.case_id)}</b><br>{_e(entry.period)}<br>"
                  f"<span class='muted'>{_e(sop)}</span>"),
        ("Dibuka", _e(format_time(entry.opened_at, tz))),
        (STATES["batal"] if entry.state == "batal" else "Selesai",
         f"{_e(format_time(entry.closed_at, tz))}<br><span class='muted'>lama "
         f"{_e(format_duration(entry.closed_at - entry.opened_at))}</span>"),
        ("Waktu baku", _late_steps(entry)),
        ("Pelaku", _e(", ".join(entry.actors) or "-")),
        ("Arsip", _archive_cell(entry)),
    ]  # fmt: skip
    tds = "".join(f'<td data-label="{label}">{html}</td>' for label, html in cells)
    return (
        f'<tr id="kasus-{_e(entry.case_id)}" data-case="{_e(entry.case_id)}" '
        f'data-state="{_e(entry.state)}" data-seq="{entry.seq}">{tds}</tr>'
    )


def _nav(page: int, pages: int) -> str:
    links = []
    if page > 1:
        links.append(f'<a id="sebelumnya" href="{page_name(page - 1)}">« Halaman {page - 1}</a>')
    links.append(f'<a id="daftar-halaman" href="{INDEX}">Daftar halaman</a>')
    if page < pages:
        links.append(f'<a id="berikutnya" href="{page_name(page + 1)}">Halaman {page + 1} »</a>')
    return '<p class="nav">' + " · ".join(links) + "</p>\n"


def render_history_page(
    entries: Sequence[CaseSummary], page: int, pages: int, now: datetime, tz: ZoneInfo
) -> str:
    """One page of the history: its cases in the order they were closed. `pages` is how
    many there are now (a page written when it was the last one links to the next only once
    that one begins, when it is written again)."""
    first, last = page_span(page)
    head = ("No", "Kasus", "Dibuka", "Selesai", "Waktu baku", "Pelaku", "Arsip")
    rows = "\n".join(_row(e, tz) for e in entries)
    line = (
        f"Halaman {page} · kasus ke-{first} s.d. ke-{last} yang ditutup · "
        f'ditulis <time datetime="{_e(now.isoformat())}">{_e(format_time(now, tz))}</time>'
    )
    return (
        page_head(f"Riwayat berkas, halaman {page}", refresh=False)
        + "<body>\n"
        + _header("Riwayat Berkas yang Sudah Selesai", line)
        + "<main>\n"
        + _nav(page, pages)
        + '<table class="cards" id="riwayat"><thead><tr>'
        + "".join(f"<th>{h}</th>" for h in head)
        + f"</tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n"
        + _nav(page, pages)
        + '<p class="muted"><a href="../status.html">Kembali ke papan status</a></p>\n'
        + "</main>\n</body>\n</html>\n"
    )


def _index_row(info: PageInfo, tz: ZoneInfo) -> str:
    first, _ = page_span(info.page)
    span = f"{format_time(info.first_closed, tz)} s.d. {format_time(info.last_closed, tz)}"
    return (
        f'<tr data-page="{info.page}" data-count="{info.count}">'
        f'<td data-label="Halaman"><a href="{page_name(info.page)}">Halaman {info.page}</a></td>'
        f'<td data-label="Kasus">ke-{first} s.d. ke-{first + info.count - 1}</td>'
        f'<td data-label="Ditutup">{_e(span)}</td></tr>'
    )


def render_history_index(pages: Sequence[PageInfo], now: datetime, tz: ZoneInfo) -> str:
    """The list of history pages, the latest first."""
    total = sum(p.count for p in pages)
    ordered = sorted(pages, key=lambda p: p.page, reverse=True)
    rows = "\n".join(_index_row(p, tz) for p in ordered)
    body = (
        '<table class="cards" id="halaman"><thead><tr><th>Halaman</th><th>Kasus</th>'
        f"<th>Ditutup</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n"
        if pages
        else '<p class="empty" id="belum-ada">Belum ada berkas yang selesai.</p>\n'
    )
    line = (
        f'<span id="jumlah" data-count="{total}">{total}</span> kasus ditutup (selesai atau dibatalkan) · '
        f'ditulis <time datetime="{_e(now.isoformat())}">{_e(format_time(now, tz))}</time>'
    )
    return (
        page_head("Riwayat berkas", refresh=False)
        + "<body>\n"
        + _header("Riwayat Berkas yang Sudah Selesai", line)
        + "<main>\n"
        + body
        + '<p class="muted"><a href="../status.html">Kembali ke papan status</a></p>\n'
        + "</main>\n</body>\n</html>\n"
    )
