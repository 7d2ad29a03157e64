"""An office at work on a share, on a clock the test sets: each drop is a real file handed to
the real runner (the board and STATUS.txt are refreshed by it, as in the watcher). The signing
copy is the tests' quick text PDF, sealed; the Head signs it electronically (TTE) with a test
CA the share trusts, so that closing a case needs neither LibreOffice nor a scan."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pipeline.app import App, open_app
from pipeline.settings import Settings
from tests.support import pki
from tests.support.pdfs import quick_pdf
from tests.support.staff import Staff, disposition_docx, one

OPENING = "kepala-dinas/disposisi-data-kinerja"


class Clock:
    """The office clock the pipeline reads; the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class Office:
    def __init__(self, settings: Settings, scratch: Path, clock: Clock) -> None:
        self.settings = settings
        self.root = settings.root
        self.clock = clock
        self.staff = Staff(settings, scratch)
        self.ca = pki.make_ca()
        self.signer = pki.make_signer(self.ca)
        pki.write_trust_roots(settings.root / "config" / "sertifikat", self.ca)
        self.app: App = open_app(settings, clock=clock, to_pdf=quick_pdf)
        self.sent: set[tuple[str, str]] = set()

    def close(self) -> None:
        self.app.close()

    def reopen(self) -> None:
        """Start the pipeline again on the same share (after `close`)."""
        self.app = open_app(self.settings, clock=self.clock, to_pdf=quick_pdf)

    def at(self, moment: datetime) -> Office:
        self.clock.now = moment
        return self

    def handle(self, path: Path, expected: str = "accepted") -> None:
        result = self.app.runner.process(path)
        assert result.value == expected, f"{path.name}: {result.value}"

    def open_case(self, period: str) -> str:
        """A disposition naming `period` opens a case; returns its id."""
        name = f"Disposisi {period}.docx"
        disposition_docx(self.staff.scratch / name, period)
        self.handle(self.staff.drop(self.staff.scratch / name, OPENING))
        [record] = self.app.journal.accepted_drops(OPENING, name)
        assert record.case_id is not None
        return record.case_id

    def form(self, case_id: str, slug: str) -> None:
        self.handle(self.staff.isi_formulir(case_id, slug))
        self.sent.add((case_id, slug))

    def forms(self, case_id: str) -> None:
        """Every bidang that has not sent its form for the case yet sends it."""
        for bidang in self.settings.office.bidang:
            if (case_id, bidang.slug) not in self.sent:
                self.form(case_id, bidang.slug)

    def draft(self, case_id: str) -> None:
        self.handle(self.staff.telaah_draf(case_id, 1))

    def paraf(self, case_id: str, role: str) -> None:
        self.handle(self.staff.paraf(case_id, role))

    def sign(self, case_id: str) -> None:
        copy = one(self.root / "outbox/kepala-dinas", f"{case_id} Untuk Ditandatangani.pdf")
        signed = pki.sign_pdf(copy.read_bytes(), self.signer, self.ca, self.staff.scratch)
        dest = self.root / "inbox/kepala-dinas/tanda-tangan" / f"{case_id} Ditandatangani.pdf"
        dest.write_bytes(signed)
        self.handle(dest)

    def play_to_end(self, case_id: str) -> None:
        """From the forms still missing to the signed record filed in the archive."""
        self.forms(case_id)
        self.draft(case_id)
        for role in ("kasubag-ppmep", "sekretaris"):
            self.paraf(case_id, role)
        self.sign(case_id)
