"""Driving cases through a share with `watch --once` passes, for tests that need a case at a
given step quickly (no watcher thread, no LibreOffice: the signing copy is a quick text PDF, sealed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from pipeline.app import App, open_app
from pipeline.settings import Settings, load_settings
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher
from tests.support.pdfs import quick_pdf
from tests.support.pki import Issued, make_ca, make_signer, sign_pdf, write_trust_roots
from tests.support.staff import Staff, fill_form, one

FIRST = "DK-2026-001"


def quick_app(settings: Settings) -> App:
    """An app whose signing copies are quick text PDFs (sealed like LibreOffice's)."""
    return open_app(settings, to_pdf=quick_pdf)


def run_pass(app: App) -> dict[str, int]:
    watcher = Watcher(
        app.runner,
        polling=False,
        settle=0.0,
        rescan=60.0,
        policy=RetryPolicy(first=0.1, max_attempts=2, max_wait=0.5),
    )
    return dict(watcher.run_once())


def drive_to_draft(app: App, staff: Staff, case_id: str = FIRST) -> None:
    """From the disposition to draft v1 waiting in outbox/analis/."""
    staff.disposisi()
    run_pass(app)
    for b in app.settings.office.bidang:
        staff.isi_formulir(case_id, b.slug)
    run_pass(app)


def revised_form(settings: Settings, slug: str, dest: Path, first_realisasi: float) -> Path:
    """The bidang's issued form filled again, with another value in its first row."""
    form = one(settings.root / "outbox/bidang" / slug, f"{FIRST} *.xlsx")
    bidang = settings.office.bidang_by_slug(slug)
    assert bidang is not None
    fill_form(form, dest, bidang)
    workbook = load_workbook(dest)
    workbook.active.cell(row=7, column=6, value=first_realisasi)
    workbook.save(dest)
    return dest


def drive_to_signing(app: App, staff: Staff, case_id: str = FIRST) -> None:
    """From the disposition to the signing copy waiting in outbox/kepala-dinas/."""
    drive_to_draft(app, staff, case_id)
    staff.telaah_draf(case_id, 1)
    run_pass(app)
    for role in ("kasubag-ppmep", "sekretaris"):
        staff.paraf(case_id, role)
        run_pass(app)


def configure(
    settings: Settings,
    *,
    smtp_port: int | None = None,
    emails: dict[str, str] | None = None,
    policy: str | None = None,
) -> Settings:
    """Edit the share's config/kantor.toml as the office's IT person would, and reload it."""
    path = settings.root / "config" / "kantor.toml"
    text = path.read_text(encoding="utf-8")
    if smtp_port is not None:
        text = re.sub(
            r'\[smtp\]\nhost = ""\nport = \d+\nstarttls = true',
            f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nstarttls = false',
            text,
        )
    for slug, email in (emails or {}).items():
        text = re.sub(rf'(slug = "{slug}"\nnama = "[^"]*"\nemail = )""', rf'\g<1>"{email}"', text)
    if policy is not None:
        text = text.replace('kebijakan = "terima-scan"', f'kebijakan = "{policy}"')
    path.write_text(text, encoding="utf-8")
    return load_settings(settings.root, settings.state_dir, settle_seconds=0.0)


def trust_folder(settings: Settings) -> Path:
    folder = settings.root / "config" / "sertifikat"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class TteDesk:
    """A share that requires a trusted TTE at step 9 (`wajib-tte`), trusting a fresh test CA,
    with its app and a desk, and the first case waiting for the Head's signature."""

    settings: Settings
    app: App
    staff: Staff
    ca: Issued

    @classmethod
    def open(cls, share: Settings, work: Path) -> TteDesk:
        """Close `app` when done."""
        ca = make_ca()
        write_trust_roots(trust_folder(share), ca)
        settings = configure(share, policy="wajib-tte")
        app = quick_app(settings)
        staff = Staff(settings, work / "desk")
        try:
            drive_to_signing(app, staff)
        except BaseException:
            app.close()
            raise
        return cls(settings, app, staff, ca)

    def sign_and_file(self, work: Path) -> None:
        """The signing copy signed by a signer of the CA, dropped and filed."""
        signed = self.staff.scratch / f"{FIRST} Ditandatangani.pdf"
        signer = make_signer(self.ca)
        signed.write_bytes(sign_pdf(self.staff.signing_copy(FIRST), signer, self.ca, work))
        self.staff.drop(signed, "kepala-dinas/tanda-tangan")
        assert run_pass(self.app)["accepted"] == 1
