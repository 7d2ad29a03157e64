"""Assembling the shell: the journal, the runner, the PDF maker and the status writer."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.board import render_board, render_role_status
from pipeline.config import Settings
from pipeline.fsops import atomic_write
from pipeline.journal import Journal
from pipeline.pdfconvert import ConversionError, convert_one, soffice_path
from pipeline.runner import Runner
from pipeline.share import ROLES
from pipeline.stages import PdfMaker
from pipeline.status import build_status

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
        with tempfile.TemporaryDirectory(dir=state_dir) as work:
            source = Path(work) / f"{name}.docx"
            source.write_bytes(data)
            try:
                return convert_one(source, Path(work) / "pdf", profile, PDF_TIMEOUT).read_bytes()
            except ConversionError as exc:
                log.error("PDF conversion failed for %s: %s", name, exc)
                return None

    return to_pdf


@dataclass
class StatusWriter:
    """Rewrites status.html and each role's STATUS.txt (atomically) from the journal."""

    settings: Settings
    journal: Journal
    clock: Callable[[], datetime]

    def roles(self) -> list[str]:
        return [*ROLES, *(f"bidang/{b.slug}" for b in self.settings.office.bidang)]

    def write(self) -> None:
        now = self.clock()
        status = build_status(self.settings, self.journal, now)
        tz = self.settings.tz
        atomic_write(self.settings.root / "status.html", render_board(status, now, tz).encode())
        for role in self.roles():
            text = render_role_status(status, role, now, tz)
            atomic_write(self.settings.root / "outbox" / role / "STATUS.txt", text.encode())


@dataclass
class App:
    settings: Settings
    journal: Journal
    runner: Runner
    status: StatusWriter

    def close(self) -> None:
        self.journal.close()


def open_app(
    settings: Settings, clock: Callable[[], datetime] = utc_now, to_pdf: PdfMaker | None = None
) -> App:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    journal = Journal(settings.state_dir / JOURNAL_FILE)
    status = StatusWriter(settings, journal, clock)
    maker = to_pdf if to_pdf is not None else make_pdf_maker(settings.state_dir)
    runner = Runner(settings, journal, clock, maker, on_change=status.write)
    return App(settings, journal, runner, status)
