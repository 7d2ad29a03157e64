"""Assembling the shell: the journal, the runner, the PDF maker and the status writer."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.access.samba import forced_owner
from pipeline.archive.listing import ArchiveListWriter
from pipeline.core.people import Attribution, Notice, notices
from pipeline.documents.materialize import PdfMaker
from pipeline.documents.pdfconvert import ConversionError, convert_one, soffice_path
from pipeline.notify.distribution import Distributor
from pipeline.notify.reminders import Reminders
from pipeline.settings import Settings
from pipeline.signing.revocation import revocation_notices
from pipeline.store.journal import JOURNAL_FILE, Journal
from pipeline.store.lock import FlowLock, utc_now
from pipeline.store.owners import detect_attribution
from pipeline.views.board import role_label
from pipeline.views.live import StatusWriter
from pipeline.watching.runner import Runner

log = logging.getLogger(__name__)
PDF_TIMEOUT = 180.0


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


def _seconds_left(last: datetime | None, now: datetime, seconds: float) -> float:
    """Seconds until `_stale(last, now, seconds)` turns true (0 when it is already)."""
    if last is None:
        return 0.0
    return max(0.0, seconds - abs((now - last).total_seconds()))


@dataclass
class App:
    settings: Settings
    journal: Journal
    runner: Runner
    status: StatusWriter
    distributor: Distributor
    notices: tuple[Notice, ...] = ()

    def tick(self) -> float:
        """Periodic work between drops: retry due mail, refresh the board and reminders.

        Returns the seconds until it is due again, so that the watch loop sleeps until then
        (mail retries, minutes apart, are tried on the same beat)."""
        self.distributor.run_due()
        now = self.runner.clock()
        self.status.tick(now)
        status = self.status
        marks = [status.written_at] + ([status.reminded_at] if status.reminders is not None else [])
        return min(_seconds_left(mark, now, status.refresh_seconds) for mark in marks)

    def close(self) -> None:
        self.journal.close()


def office_notices(
    settings: Settings, attribution: Attribution, now: datetime
) -> tuple[Notice, ...]:
    """The standing warnings of this share (missing names, owners unknown, revocation lists
    unreadable or past their update), also logged."""
    named = dict.fromkeys(r for sop in settings.sops for r in sop.signatories())
    lists = revocation_notices(settings.office.signing.trust_roots, now)
    return (
        *notices(settings.office, attribution, role_label, tuple(named)),
        *(Notice(text) for text in lists),
    )


def open_app(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    to_pdf: PdfMaker | None = None,
    attribution: Attribution | None = None,
) -> App:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    journal = Journal(settings.state_dir / JOURNAL_FILE)
    attribution = attribution or detect_attribution(settings.root, forced_owner(settings.root))
    found = office_notices(settings, attribution, clock())
    archive_list = ArchiveListWriter(settings)  # rewritten whole: after the drop, not in it
    reminders = Reminders(settings, journal)
    status = StatusWriter(settings, journal, clock, reminders, found, on_filed=archive_list.refresh)
    maker = to_pdf if to_pdf is not None else make_pdf_maker(settings.state_dir)
    distributor = Distributor(settings, journal, clock)

    def after_each_drop(case_id: str | None) -> None:
        status.refresh_case(case_id)  # that case and the roles it concerns
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
