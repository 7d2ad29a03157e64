"""Reminders when a step passes its standard time: a note in the waiting role's outbox and one
mail to a real SMTP server on 127.0.0.1, driven by real drops and an injected office clock."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.app import App, open_app
from pipeline.settings import Settings, load_settings
from pipeline.share import prepare_share
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher
from tests.support.pdfs import quick_pdf
from tests.support.smtp import SmtpServer, _run, free_port, plain_server
from tests.support.staff import Staff, disposition_docx

pytestmark = pytest.mark.smtp

WIB = ZoneInfo("Asia/Jakarta")
CASE = "DK-2026-001"
ANALIS_MAIL = "analis.ppmep@dispusip.example.go.id"


class Clock:
    """The office clock the pipeline reads; the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=WIB)  # 5 Oct 2026 is a Monday


def _section(text: str, table: str, body: str) -> str:
    """`text` with the whole `[table]` section replaced by `body`."""
    pattern = re.compile(rf"^\[{re.escape(table)}\]\n.*?(?=^\[|\Z)", re.M | re.S)
    assert pattern.search(text), f"no [{table}] in kantor.toml"
    return pattern.sub(lambda _: f"[{table}]\n{body}\n", text, count=1)


def configure(
    tmp_path: Path, *, smtp_port: int | None, emails: dict[str, str], holidays: tuple[str, ...] = ()
) -> Settings:
    """A share whose kantor.toml names an SMTP server, role addresses and extra holidays."""
    share = prepare_share(tmp_path / "share", tmp_path / "state", settle_seconds=0.0)
    office = share.root / "config" / "kantor.toml"
    text = office.read_text(encoding="utf-8")
    host = f'host = "127.0.0.1"\nport = {smtp_port}\nstarttls = false' if smtp_port else 'host = ""'
    text = _section(text, "smtp", f'{host}\npengirim = "sop@dispusip.example.go.id"')
    text = _section(text, "email_peran", "\n".join(f'"{r}" = "{e}"' for r, e in emails.items()))
    extra = "".join(f'"{d}", ' for d in holidays)
    text = text.replace("libur = [", f"libur = [{extra}", 1)
    office.write_text(text, encoding="utf-8")
    return load_settings(share.root, share.state_dir, settle_seconds=0.0)


class Office:
    """The running pipeline with an injected clock, and staff dropping files into it."""

    def __init__(self, settings: Settings, clock: Clock, scratch: Path) -> None:
        self.app: App = open_app(settings, clock=clock, to_pdf=quick_pdf)
        self.clock = clock
        self.root = settings.root
        self.staff = Staff(settings, scratch)
        self.watcher = Watcher(
            self.app.runner, polling=False, settle=0.0, rescan=60.0, policy=RetryPolicy()
        )

    def handle(self) -> None:
        results = self.watcher.run_once()
        assert results["rejected"] == 0, "a drop was rejected"
        self.watcher.results.clear()

    def open_case(self, period: str = "Triwulan III 2026") -> None:
        path = self.staff.scratch / f"Disposisi {period}.docx"
        disposition_docx(path, period)
        self.staff.drop(path, "kepala-dinas/disposisi-data-kinerja")
        self.handle()

    def forms(self, case: str, slugs: list[str] | None = None) -> None:
        for bidang in self.app.settings.office.bidang:
            if slugs is None or bidang.slug in slugs:
                self.staff.isi_formulir(case, bidang.slug)
        self.handle()

    def tick(self, when: datetime) -> bool:
        self.clock.now = when
        return self.app.status.tick()

    def notes(self) -> list[Path]:
        return sorted(self.root.glob("outbox/**/PENGINGAT *.txt"))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with plain_server() as server:
        yield server


@contextmanager
def office_at_step_5(settings: Settings, tmp_path: Path) -> Iterator[Office]:
    """One case waiting for the analyst (step 5, 2 working days) since Monday 5 Oct 08:00."""
    office = Office(settings, Clock(wib(5, 8)), tmp_path / "desk")
    try:
        office.open_case()
        office.forms(CASE)
        case = office.app.journal.case(CASE)
        assert case is not None and case.has("draf_awal")
        yield office
    finally:
        office.app.close()


@pytest.fixture
def mailed_office(tmp_path: Path, smtp_server: SmtpServer) -> Iterator[Office]:
    settings = configure(tmp_path, smtp_port=smtp_server.port, emails={"analis": ANALIS_MAIL})
    with office_at_step_5(settings, tmp_path) as office:
        yield office


def test_one_note_and_one_mail_however_often_it_ticks(
    mailed_office: Office, smtp_server: SmtpServer
) -> None:
    office = mailed_office
    assert office.tick(wib(7, 7, 59))  # due Wednesday 08:00: not yet
    assert office.notes() == [] and smtp_server.messages == []

    assert office.tick(wib(7, 8, 5))
    [note] = office.notes()
    assert note == office.root / "outbox" / "analis" / f"PENGINGAT {CASE} langkah 5.txt"
    text = note.read_text(encoding="utf-8")
    assert f"PENGINGAT: langkah 5 berkas {CASE}" in text
    assert "Terlambat 5 menit" in text and "inbox/analis/draf/" in text
    [message] = smtp_server.messages
    assert smtp_server.recipients == [[ANALIS_MAIL]]
    assert CASE in message["Subject"] and "langkah 5" in message["Subject"]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().splitlines() == text.splitlines()

    for minutes in range(3, 3 * 30, 3):  # an hour and a half of watcher ticks
        office.tick(wib(7, 8, 5) + timedelta(minutes=minutes))
    assert office.notes() == [note] and note.read_text(encoding="utf-8") == text
    assert len(smtp_server.messages) == 1
    assert office.app.status.reminders is not None
    assert office.app.status.reminders.pending_mails() == []


def test_tick_does_nothing_within_the_refresh_period(
    mailed_office: Office, smtp_server: SmtpServer
) -> None:
    office = mailed_office
    office.app.status.refresh_seconds = 600
    assert office.tick(wib(7, 7, 55))
    assert not office.tick(wib(7, 8, 1)), "only 6 minutes since the last refresh"
    assert office.notes() == [] and smtp_server.messages == []
    assert office.tick(wib(7, 8, 6))
    assert len(office.notes()) == 1 and len(smtp_server.messages) == 1


def test_a_role_without_an_address_gets_the_note_only(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    settings = configure(tmp_path, smtp_port=smtp_server.port, emails={"sekretaris": "sek@x.id"})
    with office_at_step_5(settings, tmp_path) as office:
        for hour in range(9, 17):
            office.tick(wib(7, hour))
        assert [p.relative_to(office.root).as_posix() for p in office.notes()] == [
            f"outbox/analis/PENGINGAT {CASE} langkah 5.txt"
        ]
        assert smtp_server.messages == []


def test_working_days_and_configured_holidays_decide_when_a_step_is_late(tmp_path: Path) -> None:
    # Monday 12 Oct is made a holiday: the analyst's 2 working days from Friday 9 Oct 08:00
    # run over Tuesday and Wednesday, so the step falls due on Wednesday 14 Oct at 08:00.
    settings = configure(tmp_path, smtp_port=None, emails={}, holidays=("2026-10-12",))
    office = Office(settings, Clock(wib(9, 8)), tmp_path / "desk")
    try:
        office.open_case()
        office.forms(CASE)
        for moment in (wib(10, 12), wib(12, 12), wib(13, 12), wib(14, 7, 59)):
            office.tick(moment)
            assert office.notes() == [], f"reminder too early at {moment}"
        assert office.tick(wib(14, 8, 5))
        assert len(office.notes()) == 1
    finally:
        office.app.close()


def test_mail_is_retried_with_back_off_until_the_server_answers(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here yet
    settings = configure(tmp_path, smtp_port=port, emails={"analis": ANALIS_MAIL})
    with office_at_step_5(settings, tmp_path) as office:
        reminders = office.app.status.reminders
        assert reminders is not None
        assert office.tick(wib(7, 9))  # the failure is logged, not raised
        assert len(office.notes()) == 1
        [pending] = reminders.pending_mails()
        assert pending.attempts == 1 and pending.to == ANALIS_MAIL

        with _run(SmtpServer("127.0.0.1", port)) as server:
            office.tick(wib(7, 9, 3))  # the first retry waits five minutes
            assert server.messages == [] and reminders.pending_mails()[0].attempts == 1
            office.tick(wib(7, 9, 6))
            assert len(server.messages) == 1 and server.recipients == [[ANALIS_MAIL]]
            for minutes in range(9, 60, 3):
                office.tick(wib(7, 9, minutes))
            assert len(server.messages) == 1
        assert reminders.pending_mails() == []
        assert len(office.notes()) == 1


def test_each_late_bidang_gets_its_own_note(tmp_path: Path, smtp_server: SmtpServer) -> None:
    emails = {"bidang/pengelolaan-arsip": "arsip@x.id", "bidang/sekretariat": "sekretariat@x.id"}
    settings = configure(tmp_path, smtp_port=smtp_server.port, emails=emails)
    office = Office(settings, Clock(wib(5, 8)), tmp_path / "desk")
    try:
        office.open_case()
        office.forms(CASE, ["sekretariat", "layanan-perpustakaan"])  # three bidang still owe data
        for hour in (8, 9, 10):
            office.tick(wib(7, hour, 30))
        late = {p.parent.relative_to(office.root / "outbox").as_posix() for p in office.notes()}
        assert late == {
            "bidang/pengembangan-perpustakaan",
            "bidang/pengelolaan-arsip",
            "bidang/pembinaan-kearsipan",
        }
        assert all(p.name == f"PENGINGAT {CASE} langkah 3.txt" for p in office.notes())
        note = office.root / "outbox/bidang/pengelolaan-arsip" / f"PENGINGAT {CASE} langkah 3.txt"
        assert "inbox/bidang/pengelolaan-arsip/" in note.read_text(encoding="utf-8")
        assert smtp_server.recipients == [["arsip@x.id"]], "sekretariat delivered: no mail"
    finally:
        office.app.close()


def test_a_note_is_withdrawn_once_its_step_has_moved_on(tmp_path: Path) -> None:
    settings = configure(tmp_path, smtp_port=None, emails={})
    with office_at_step_5(settings, tmp_path) as office:
        office.tick(wib(7, 9))
        [note] = office.notes()
        office.staff.telaah_draf(CASE, 1)  # the analyst finally sends the reviewed draft
        office.handle()
        office.tick(wib(7, 12))
        assert not note.exists()
        assert office.notes() == []
