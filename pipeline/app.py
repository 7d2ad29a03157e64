"""Assembling the shell: the journal, the runner, the PDF maker and the status writer."""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.access.samba import forced_owner
from pipeline.archive.listing import ArchiveListWriter
from pipeline.core.people import Attribution, Notice, notices
from pipeline.documents.materialize import PdfMaker
from pipeline.documents.pdfconvert import ConversionError, convert_one, soffice_path
from pipeline.notify.distribution import Distributor
from pipeline.notify.reminders import Reminders
from pipeline.settings import Settings
from pipeline.store.fsops import atomic_write
from pipeline.store.journal import Journal
from pipeline.store.lock import FlowLock
from pipeline.store.owners import detect_attribution
from pipeline.views.board import REFRESH_SECONDS, render_board, render_role_status, role_label
from pipeline.views.status import build_status
from pipeline.watching.runner import Runner

log = logging.getLogger(__name__)
JOURNAL_FILE = "journal.sqlite3"
PDF_TIMEOUT = 180.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def make_pdf_maker(state_dir: Path) -> PdfMaker:
    """docx bytes → PDF bytes with LibreOffice (one profile for this watcher), or None."""
    if soffice_path() is None:
        log.warning("LibreOffice not found: signing copies are issued as .docx with a note")
        return lambda data, name: None
    profile = state_dir / "libreoffice-profile"

    def to_pdf(data: bytes, name: str) -> bytes | None:
        (state_dir / "work").mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=state_dir / "work") as work:
            source = Path(work) / f"{name}.docx"
            source.write_bytes(data)
            try:
                return convert_one(source, Path(work) / "pdf", profile, PDF_TIMEOUT).read_bytes()
            except ConversionError as exc:
                log.error("PDF conversion failed for %s: %s", name, exc)
                return None

    return to_pdf


def _stale(last: datetime | None, now: datetime, seconds: float) -> bool:
    """More than `seconds` since `last` (or never; a clock set back counts as elapsed too)."""
    return last is None or abs((now - last).total_seconds()) > seconds


@dataclass
class StatusWriter:
    """Rewrites status.html and each role's STATUS.txt (atomically) from the journal.

    `write()` runs after every accepted or rejected drop; `tick()` is called from the watch loop
    and, every `refresh_seconds`, rewrites the board (overdue states change with time alone)
    and runs the reminders. Both must run on the thread that owns the journal (the watcher's).
    """

    settings: Settings
    journal: Journal
    clock: Callable[[], datetime]
    reminders: Reminders | None = None
    notices: tuple[Notice, ...] = ()
    refresh_seconds: float = REFRESH_SECONDS
    written_at: datetime | None = field(default=None, init=False)
    reminded_at: datetime | None = field(default=None, init=False)

    def roles(self) -> list[str]:
        return list(self.settings.roles())

    def write(self) -> None:
        now = self.clock()
        self._write(self.build(now), now)

    def build(self, now: datetime) -> dict[str, Any]:
        return build_status(self.settings, self.journal, now, self.notices)

    def _write(self, status: Mapping[str, Any], now: datetime) -> None:
        self.written_at = now
        tz = self.settings.tz
        board = render_board(status, now, tz).encode()
        atomic_write(self.settings.root / "status.html", board, durable=False)
        for role in self.roles():
            text = render_role_status(status, role, now, tz)
            path = self.settings.root / "outbox" / role / "STATUS.txt"
            atomic_write(path, text.encode(), durable=False)

    def tick(self, now: datetime | None = None) -> bool:
        """Refresh the board and run the reminders if `refresh_seconds` have passed.

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
            self._refresh(now, board=board, remind=remind)
        except (OSError, sqlite3.Error) as exc:
            log.warning(
                "periodic status refresh failed (retried in %ss): %s", self.refresh_seconds, exc
            )
            return False
        return True

    def _refresh(self, now: datetime, *, board: bool, remind: bool) -> None:
        status = self.build(now)
        if board:
            self._write(status, now)
        if remind and self.reminders is not None:
            self.reminders.run(status, now)


@dataclass
class App:
    settings: Settings
    journal: Journal
    runner: Runner
    status: StatusWriter
    distributor: Distributor
    notices: tuple[Notice, ...] = ()

    def tick(self) -> None:
        """Periodic work between drops: retry due mail, refresh the board and reminders."""
        self.distributor.run_due()
        self.status.tick(self.runner.clock())

    def close(self) -> None:
        self.journal.close()


def office_notices(settings: Settings, attribution: Attribution) -> tuple[Notice, ...]:
    """The standing warnings of this share (missing names, owners unknown), also logged."""
    return tuple(notices(settings.office, attribution, role_label))


def open_app(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    to_pdf: PdfMaker | None = None,
    attribution: Attribution | None = None,
) -> App:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    journal = Journal(settings.state_dir / JOURNAL_FILE)
    attribution = attribution or detect_attribution(settings.root, forced_owner(settings.root))
    found = office_notices(settings, attribution)
    status = StatusWriter(settings, journal, clock, Reminders(settings, journal), found)
    maker = to_pdf if to_pdf is not None else make_pdf_maker(settings.state_dir)
    distributor = Distributor(settings, journal, clock)
    archive_list = ArchiveListWriter(settings)

    def after_each_drop() -> None:
        status.write()
        archive_list.refresh()
        distributor.run_due()

    runner = Runner(
        settings,
        journal,
        clock,
        maker,
        on_change=after_each_drop,
        attribution=attribution,
        flow_lock=FlowLock(settings.state_dir),
    )
    return App(settings, journal, runner, status, distributor, found)
