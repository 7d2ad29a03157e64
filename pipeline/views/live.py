"""Keeping `status.html`, each role's `STATUS.txt` and the history pages current, at a cost
that does not grow with the history.

The writer keeps in memory what the board shows: the open cases (as the journal had them at
their last change), the recently closed ones (from their summaries), each one's row and
timeline as last rendered, and the open rejections. A drop changes one case: `refresh_case`
reads that case again (and, if it closed, summarises it once and adds it to the history pages),
renders its entry again, and rewrites `status.html` and the `STATUS.txt` of the roles that case
or the rejections concern. Time alone changes only the overdue marks, the deadlines and what
falls off the board: `refresh_time` recomputes those from memory, every entry at once, and
rewrites the STATUS.txt whose text changed. `write` reads everything the board shows again
(start-up, a cancelled case, the command line); `build` is the whole history (`pipeline
status`, the reports).

Every method runs on the thread that owns the journal (the watcher's).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.core.people import Notice
from pipeline.core.values import CaseState
from pipeline.notify.reminders import Reminders
from pipeline.settings import Settings
from pipeline.store.fsops import atomic_write
from pipeline.store.journal import Journal
from pipeline.views import history
from pipeline.views.board import (
    RECENTLY_CLOSED,
    RECENTLY_CLOSED_MAX,
    REFRESH_SECONDS,
    case_entry,
    render_board,
    render_role_status,
    waiting_roles,
)
from pipeline.views.history import PageInfo
from pipeline.views.status import (
    build_status,
    closed_summary,
    open_record,
    rejection_records,
    status_frame,
)

log = logging.getLogger(__name__)
UPDATED = "Diperbarui: "  # the line of STATUS.txt that changes on every rewrite
Record = dict[str, Any]


def _stale(last: datetime | None, now: datetime, seconds: float) -> bool:
    """More than `seconds` since `last` (or never; a clock set back counts as elapsed too)."""
    return last is None or abs((now - last).total_seconds()) > seconds


def _content(text: str) -> str:
    """A STATUS.txt without its time of writing: what says whether it changed."""
    return "\n".join(line for line in text.splitlines() if not line.startswith(UPDATED))


def _rejection_roles(before: list[Record], after: list[Record]) -> set[str]:
    """The roles whose list of rejected files differs."""
    changed = {tuple(sorted(r.items())) for r in before} ^ {tuple(sorted(r.items())) for r in after}
    return {str(dict(r).get("role")) for r in changed}


@dataclass
class Shown:
    """What the board shows, kept between refreshes: each case's record and rendered entry."""

    open: dict[str, CaseState] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)
    recent: list[str] = field(default_factory=list)  # closed recently, the latest first
    rejections: list[Record] = field(default_factory=list)

    def cases(self) -> list[Record]:
        return [self.records[c] for c in (*self.open, *self.recent) if c in self.records]

    def show(self, record: Record, now: datetime, settings: Settings) -> None:
        case_id = str(record["id"])
        self.records[case_id] = record
        self.entries[case_id] = case_entry(record, now, settings.tz)

    def forget(self, keep: Iterable[str]) -> None:
        kept = set(keep)
        self.records = {c: r for c, r in self.records.items() if c in kept}
        self.entries = {c: e for c, e in self.entries.items() if c in kept}


@dataclass
class HistoryPages:
    """`riwayat/`: a case joins the last page when it is summarised; only that page,
    the one before it (when a page begins) and the index are ever rewritten. The index is
    written at start-up when missing (it says that nothing has closed yet), so that the board's
    link to it always leads somewhere."""

    settings: Settings
    journal: Journal
    pages: dict[int, PageInfo] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.settings.root / history.FOLDER

    @property
    def count(self) -> int:
        return sum(p.count for p in self.pages.values())

    def load(self) -> None:
        found = self.journal.summary_pages(history.PAGE_SIZE)
        self.pages = {page: PageInfo(page, n, first, last) for page, n, first, last in found}

    def missing(self) -> set[int]:
        """Pages never written (a journal summarised by an upgrade, a share restored)."""
        return {p for p in self.pages if not (self.folder / history.page_name(p)).exists()}

    def indexed(self) -> bool:
        return (self.folder / history.INDEX).exists()

    def write(self, pages: set[int], now: datetime) -> None:
        entries = {page: self.journal.summaries(*history.page_span(page)) for page in pages}
        begun = {page for page in entries if page not in self.pages}
        self.pages |= {p: PageInfo.of(p, found) for p, found in entries.items() if found}
        before = {p - 1 for p in begun if p - 1 in self.pages and p - 1 not in entries}
        entries |= {p: self.journal.summaries(*history.page_span(p)) for p in before}
        last, tz = max(self.pages, default=0), self.settings.tz
        for page, found in sorted(entries.items()):
            html = history.render_history_page(found, page, last, now, tz)
            atomic_write(self.folder / history.page_name(page), html.encode(), durable=False)
        index = history.render_history_index(list(self.pages.values()), now, tz)
        atomic_write(self.folder / history.INDEX, index.encode(), durable=False)


@dataclass
class StatusWriter:
    """Writes the board, each role's STATUS.txt and the history pages (atomically).

    `refresh_case(case_id)` runs after every drop; `tick()` is called from the watch loop and,
    every `refresh_seconds`, refreshes what time changes (`refresh_time`), runs the reminders
    and what follows a filing (`on_filed`: the Daftar Arsip, rewritten whole)."""

    settings: Settings
    journal: Journal
    clock: Callable[[], datetime]
    reminders: Reminders | None = None
    notices: tuple[Notice, ...] = ()
    refresh_seconds: float = REFRESH_SECONDS
    on_filed: Callable[[], object] | None = None
    written_at: datetime | None = field(default=None, init=False)
    reminded_at: datetime | None = field(default=None, init=False)
    _shown: Shown | None = field(default=None, init=False, repr=False)
    _texts: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _history: HistoryPages | None = field(default=None, init=False, repr=False)
    _filed: bool = field(default=True, init=False, repr=False)  # `on_filed` is due

    def roles(self) -> list[str]:
        return list(self.settings.roles())

    # --- entry points -------------------------------------------------------------------------

    def write(self) -> None:
        """Read all the board shows again; rewrite it and every role's STATUS.txt."""
        now = self.clock()
        self._load(now)
        self._publish(now, set(self.roles()), changed_only=False)
        self._after_filing()

    def refresh_case(self, case_id: str | None) -> bool:
        """After a drop that changed `case_id` (None: a rejection, no case changed): render that
        case again, rewrite the board and the STATUS.txt of the roles the case or the
        rejections concern. Returns True if the case closed with this drop (it is then
        summarised and added to the history pages)."""
        if self._shown is None:
            self.write()
            return False
        now, shown = self.clock(), self._shown
        before = shown.records.get(case_id or "")
        closed = self._reload(case_id, now) if case_id else False
        after = shown.records.get(case_id or "")
        roles = set(waiting_roles(before or {})) | set(waiting_roles(after or {}))
        rejections, shown.rejections = shown.rejections, rejection_records(self.journal, now)
        self._publish(now, roles | _rejection_roles(rejections, shown.rejections))
        return closed

    def refresh_time(self, now: datetime | None = None) -> None:
        """What time alone changes: overdue marks, deadlines, cases and rejections that are no
        longer recent. Reads no case from the journal; rewrites the STATUS.txt whose text
        changed."""
        now = self.clock() if now is None else now
        if self._shown is None:
            self._load(now)
        shown = self._shown
        assert shown is not None
        for case in shown.open.values():
            shown.show(open_record(self.settings, case, now), now, self.settings)
        self._show_recent(now)
        shown.rejections = rejection_records(self.journal, now)
        self._publish(now, set(self.roles()))

    def build(self, now: datetime) -> dict[str, Any]:
        """Where every case of the history stands (`pipeline status`, the reports)."""
        return build_status(self.settings, self.journal, now, self.notices)

    def live_status(self, now: datetime) -> dict[str, Any]:
        """What the board shows (as of each case's last refresh), in the status shape."""
        if self._shown is None:
            self._load(now)
        assert self._shown is not None and self._history is not None
        return status_frame(self.settings, now, self.notices) | {
            "cases": self._shown.cases(),
            "rejections": self._shown.rejections,
            "history_count": self._history.count,
        }

    def tick(self, now: datetime | None = None) -> bool:
        """Refresh what time changes and run the reminders if `refresh_seconds` have passed.

        Cheap when nothing is due, so it can be called on every turn of the watch loop. Trouble
        with the share or the journal is logged, never raised: the next period tries again.
        Returns True when something was refreshed.
        """
        now = self.clock() if now is None else now
        board = _stale(self.written_at, now, self.refresh_seconds)
        remind = self.reminders is not None and _stale(self.reminded_at, now, self.refresh_seconds)
        if not (board or remind):
            return False
        self.written_at = now if board else self.written_at
        self.reminded_at = now if remind else self.reminded_at
        try:
            if board:
                self.refresh_time(now)
                self._after_filing()
            if remind and self.reminders is not None:
                self.reminders.run(self.live_status(now), now)
        except (OSError, sqlite3.Error) as exc:
            log.warning(
                "periodic status refresh failed (retried in %ss): %s", self.refresh_seconds, exc
            )
            return False
        return True

    # --- reading ------------------------------------------------------------------------------

    def _load(self, now: datetime) -> None:
        self._history = HistoryPages(self.settings, self.journal)
        self._history.load()
        shown = self._shown = Shown()
        pages = self._history
        known = [c for c in self.journal.unsummarised() if self.settings.sop_of(c)]
        self._summarise(known, now, pages.missing(), index=not pages.indexed())
        for case_id in self.journal.case_ids(open_only=True):
            case = self.journal.case(case_id)
            if case is not None and self.settings.sop_of(case_id):
                shown.open[case_id] = case
                shown.show(open_record(self.settings, case, now), now, self.settings)
        self._show_recent(now)
        shown.rejections = rejection_records(self.journal, now)

    def _reload(self, case_id: str, now: datetime) -> bool:
        """Read one case again and render its entry; True if it closed (and was open)."""
        shown = self._shown
        assert shown is not None
        case = self.journal.case(case_id)
        if case is None or not self.settings.sop_of(case_id):
            shown.open.pop(case_id, None)
            return False
        if not case.closed:
            shown.open[case_id] = case
            shown.show(open_record(self.settings, case, now), now, self.settings)
            return False
        was_open = shown.open.pop(case_id, None) is not None
        if was_open:
            self._summarise([case_id], now)
            self._show_recent(now)
        self._filed = self._filed or was_open
        return was_open

    def _show_recent(self, now: datetime) -> None:
        """The cases closed recently, from their summaries (each rendered once)."""
        shown = self._shown
        assert shown is not None
        since = now - RECENTLY_CLOSED
        recent = self.journal.summaries_closed_since(since, RECENTLY_CLOSED_MAX)
        shown.recent = [s.case_id for s in recent if self.settings.sop_of(s.case_id)]
        for summary in recent:
            rendered = shown.records.get(summary.case_id, {}).get("closed_at") is not None
            if summary.case_id in shown.recent and not rendered:
                shown.show(summary.record, now, self.settings)
        shown.forget([*shown.open, *shown.recent])

    def _summarise(
        self, case_ids: list[str], now: datetime, pages: Iterable[int] = (), *, index: bool = False
    ) -> None:
        """Summarise closed cases (once each) and write the history pages they land on (and
        `pages`; the index alone if `index`)."""
        assert self._history is not None
        touched = set(pages)
        for case_id in case_ids:
            case = self.journal.case(case_id)
            if case is not None and case.closed and self.settings.sop_of(case_id):
                seq = self.journal.record_summary(closed_summary(self.settings, case))
                touched |= {history.page_of(seq)} if seq else set()
        if len(case_ids) > 1:
            log.info("summarised %d closed cases for the board and the history", len(case_ids))
        if touched or index:
            self._history.write(touched, now)

    def _after_filing(self) -> None:
        """What follows a filing but need not hold up the drop (the Daftar Arsip, rewritten
        whole): done at the next periodic refresh, or now by `write`."""
        if self._filed and self.on_filed is not None:
            self._filed = False
            self.on_filed()

    # --- writing ------------------------------------------------------------------------------

    def _publish(self, now: datetime, roles: set[str], *, changed_only: bool = True) -> None:
        """The board, and the STATUS.txt of `roles` (those whose text changed, by default)."""
        assert self._shown is not None
        self.written_at = now
        status, tz = self.live_status(now), self.settings.tz
        board = render_board(status, now, tz, self._shown.entries).encode()
        atomic_write(self.settings.root / "status.html", board, durable=False)
        for role in sorted(roles & set(self.roles())):
            text = render_role_status(status, role, now, tz)
            if not changed_only or self._texts.get(role) != _content(text):
                path = self.settings.root / "outbox" / role / "STATUS.txt"
                atomic_write(path, text.encode(), durable=False)
                self._texts[role] = _content(text)
