"""The status board of a running share: rewritten with time alone, never seen half-written
while a real watcher thread moves cases on, and checked in real headless Chromium."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.app import App, open_app
from pipeline.settings import Settings
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher
from tests.support.browser import artifact_path, chromium, dump_dom, screenshot
from tests.support.pdfs import quick_pdf
from tests.support.staff import Staff, disposition_docx, wait_for

WIB = ZoneInfo("Asia/Jakarta")
VOID = {"meta", "br", "link", "img", "input", "hr", "wbr"}


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=WIB)  # 5 Oct 2026 is a Monday


class Clock:
    """The office clock the pipeline reads; the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class Desk:
    """Staff putting each role's file into the share, one step of a case at a time."""

    def __init__(self, settings: Settings, scratch: Path) -> None:
        self.staff = Staff(settings, scratch)
        self.settings = settings

    def disposisi(self, period: str) -> None:
        path = self.staff.scratch / f"Disposisi {period}.docx"
        disposition_docx(path, period)
        self.staff.drop(path, "kepala-dinas/disposisi-data-kinerja")

    def forms(self, case: str) -> None:
        for bidang in self.settings.office.bidang:
            self.staff.isi_formulir(case, bidang.slug)

    def sign(self, case: str) -> None:
        self.staff.tanda_tangan(case, dpi=150)


# --- a share with several cases at different steps, driven with an injected clock --------------


class Office:
    def __init__(self, settings: Settings, clock: Clock, scratch: Path) -> None:
        self.app: App = open_app(settings, clock=clock, to_pdf=quick_pdf)
        self.clock = clock
        self.root = settings.root
        self.desk = Desk(settings, scratch)
        self.watcher = Watcher(
            self.app.runner, polling=False, settle=0.0, rescan=60.0, policy=RetryPolicy()
        )

    def at(self, moment: datetime) -> Office:
        self.clock.now = moment
        return self

    def handle(self, rejected: int = 0) -> None:
        results = self.watcher.run_once()
        assert results["rejected"] == rejected and results["accepted"] >= 1 - rejected
        self.watcher.results.clear()

    def play_until_closed(self, case: str) -> None:
        self.desk.forms(case)
        self.handle()
        self.desk.staff.telaah_draf(case, 1)
        self.handle()
        for role in ("kasubag-ppmep", "sekretaris"):
            self.desk.staff.paraf(case, role)
            self.handle()
        self.desk.sign(case)
        self.handle()


@pytest.fixture
def office(share: Settings, tmp_path: Path) -> Iterator[Office]:
    """Three cases: 001 at step 3 since Monday 08:00 (due Wednesday 08:00), 002 at step 5 since
    Tuesday 09:00, 003 closed on Tuesday; and one rejected drop of the analyst."""
    office = Office(share, Clock(wib(5, 8)), tmp_path / "desk")
    try:
        office.desk.disposisi("Triwulan I 2026")
        office.handle()
        office.at(wib(6, 9)).desk.disposisi("Triwulan II 2026")
        office.handle()
        office.desk.forms("DK-2026-002")
        office.handle()
        office.at(wib(6, 9, 30)).desk.disposisi("Triwulan III 2026")
        office.handle()
        office.play_until_closed("DK-2026-003")
        (share.root / "inbox/analis/draf/catatan rapat.txt").write_text("bukan draf", "utf-8")
        office.at(wib(6, 10)).handle(rejected=1)
        yield office
    finally:
        office.app.close()


class Dom(HTMLParser):
    """From a board (file or Chromium's serialised DOM): case rows, timeline steps, counters."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str | None]] = {}
        self.row_text: dict[str, str] = {}
        self.steps: dict[tuple[str, int], dict[str, str | None]] = {}
        self.counts: dict[str, int] = {}
        self.rejected: list[str | None] = []
        self._row: str | None = None
        self._timeline: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        ident = a.get("id") or ""
        if tag == "tr" and a.get("data-case"):
            self._row = str(a["data-case"])
            self.rows[self._row], self.row_text[self._row] = a, ""
        elif tag == "tr" and a.get("data-file"):
            self.rejected.append(a["data-file"])
        elif tag == "details" and a.get("data-case"):
            self._timeline = a["data-case"]
        elif tag == "li" and self._timeline and a.get("data-step"):
            self.steps[(self._timeline, int(a["data-step"] or 0))] = a
        elif tag == "li" and ident.startswith("jumlah-"):
            self.counts[ident.removeprefix("jumlah-")] = int(a.get("data-count") or -1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None
        elif tag == "details":
            self._timeline = None

    def handle_data(self, data: str) -> None:
        if self._row:
            self.row_text[self._row] += data


def board(office: Office) -> Dom:
    return Dom((office.root / "status.html").read_text(encoding="utf-8"))


def test_the_board_is_rewritten_as_time_passes_without_any_drop(office: Office) -> None:
    page = office.root / "status.html"
    before = page.read_bytes()
    assert board(office).rows["DK-2026-001"]["data-overdue"] == "false"

    office.app.status.tick(wib(6, 10, 1))  # first reminder pass; the board is a minute old
    assert page.read_bytes() == before, "written by the last drop a minute ago"
    assert not office.app.status.tick(wib(6, 10, 2)), "nothing due for another two minutes"

    assert office.app.status.tick(wib(7, 10))  # step 3 of 001 fell due on Wednesday 08:00
    dom = board(office)
    assert dom.rows["DK-2026-001"]["data-overdue"] == "true"
    assert dom.rows["DK-2026-002"]["data-overdue"] == "false"
    assert dom.counts["terlambat"] == 1
    role_file = office.root / "outbox/bidang/sekretariat/STATUS.txt"
    assert "DK-2026-001 · Triwulan I 2026  [TERLAMBAT: Terlambat 2 jam]" in (
        role_file.read_text(encoding="utf-8")
    )


@pytest.mark.browser
def test_board_of_a_live_share_in_chromium(office: Office) -> None:
    chromium()  # skips here without Chromium, fails under CI=true
    assert office.app.status.tick(wib(7, 10))
    page = office.root / "status.html"
    dom = Dom(dump_dom(page))

    late = dom.rows["DK-2026-001"]
    assert (late["data-overdue"], late["class"], late["data-step"]) == ("true", "late", "3")
    assert "TERLAMBAT" in dom.row_text["DK-2026-001"]
    assert "Terlambat 2 jam" in dom.row_text["DK-2026-001"]
    assert dom.steps[("DK-2026-001", 3)]["data-overdue"] == "true"
    assert dom.steps[("DK-2026-001", 2)]["data-state"] == "selesai"

    running = dom.rows["DK-2026-002"]
    assert (running["data-overdue"], running["data-step"]) == ("false", "5")
    assert running["data-waiting-for"] == "analis"
    assert "SESUAI WAKTU" in dom.row_text["DK-2026-002"]
    assert "inbox/analis/draf/" in dom.row_text["DK-2026-002"]

    closed = dom.rows["DK-2026-003"]
    assert (closed["data-state"], closed["data-overdue"]) == ("selesai", "false")
    assert all(dom.steps[("DK-2026-003", n)]["data-state"] == "selesai" for n in range(1, 11))

    assert list(dom.rows) == ["DK-2026-001", "DK-2026-002", "DK-2026-003"], "overdue first"
    assert dom.counts == {"berjalan": 2, "terlambat": 1, "selesai": 1, "ditolak": 1}
    assert dom.rejected == ["catatan rapat.txt"]

    desktop = screenshot(page, artifact_path("status-board-live-desktop.png"), 1280, 2600)
    phone = screenshot(page, artifact_path("status-board-live-phone.png"), 390, 2600)
    assert desktop.read_bytes()[:8] == phone.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- never half-written -------------------------------------------------------------------------


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")


def incomplete(html: str) -> str | None:
    """Why `html` is not a whole board, or None if it is."""
    if not html.startswith("<!DOCTYPE html>") or not html.endswith("</html>\n"):
        return f"cut off ({len(html)} characters)"
    markers = ('id="judul"', 'id="ringkasan"', 'id="diperbarui"', "</main>")
    missing = [m for m in markers if m not in html]
    if missing:
        return f"missing {missing}"
    parser = _Balance()
    parser.feed(html)
    parser.close()
    if parser.errors or parser.open:
        return f"unbalanced: {parser.errors[:3]} open {parser.open[:3]}"
    return None


class Reader(threading.Thread):
    """Reads the board and one role's STATUS.txt in a tight loop, as a staff browser would."""

    def __init__(self, root: Path) -> None:
        super().__init__(name="board-reader")
        self.board = root / "status.html"
        self.role_file = root / "outbox/analis/STATUS.txt"
        self.stop = threading.Event()
        self.reads = 0
        self.versions: set[str] = set()
        self.problems: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                html = self.board.read_text(encoding="utf-8")
                text = self.role_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                self.problems.append(repr(exc))
                continue
            self.reads += 1
            self.versions.add(hashlib.sha256(html.encode()).hexdigest())
            problem = incomplete(html)
            if problem:
                self.problems.append(problem)
            if not (text.startswith("STATUS UNTUK: ") and text.endswith("\n")):
                self.problems.append(f"STATUS.txt cut off: {text[-40:]!r}")


class TickingWatcher(Watcher):
    """The watch loop as `pipeline watch` runs it: every turn also ticks the status writer."""

    def __init__(self, app: App) -> None:
        super().__init__(
            app.runner, polling=False, settle=0.2, rescan=5.0, policy=RetryPolicy(first=0.2)
        )
        self.status = app.status

    def step(self) -> None:
        super().step()
        self.status.tick()


def _new_case(desk: Desk, root: Path, period: str, known: set[str]) -> str:
    desk.disposisi(period)
    notas = root / "outbox/sekretaris"
    wait_for(lambda: {p.name for p in notas.glob("* Nota Dinas.docx")} - known, "nota dinas")
    [name] = {p.name for p in notas.glob("* Nota Dinas.docx")} - known
    known.add(name)
    case = name.split(" ")[0]
    for b in desk.settings.office.bidang:
        outbox = root / "outbox/bidang" / b.slug
        wait_for(lambda o=outbox: any(o.glob(f"{case} *.xlsx")), f"form of {b.slug}")
    return case


def _advance(desk: Desk, root: Path, periods: tuple[str, str]) -> list[str]:
    """A first case played to the archive, then a second one up to the analyst's review."""
    known: set[str] = set()
    first = _new_case(desk, root, periods[0], known)
    desk.forms(first)
    wait_for(lambda: (root / f"outbox/analis/{first} Draf v1.docx").exists(), "draft v1")
    desk.staff.telaah_draf(first, 1)
    for role in ("kasubag-ppmep", "sekretaris"):
        outbox = root / "outbox" / role
        wait_for(lambda o=outbox: any(o.glob(f"{first} Draf Final*")), f"copy for {role}")
        desk.staff.paraf(first, role)
    signing = root / "outbox/kepala-dinas"
    wait_for(lambda: any(signing.glob(f"{first} Untuk Ditandatangani.*")), "signing copy")
    desk.sign(first)
    wait_for(lambda: any(root.glob(f"outbox/distribusi/*/{first} *.pdf")), "distributed")
    second = _new_case(desk, root, periods[1], known)
    desk.forms(second)
    wait_for(lambda: (root / f"outbox/analis/{second} Draf v1.docx").exists(), "draft v1")
    return [first, second]


def test_the_board_is_never_seen_half_written(share: Settings, tmp_path: Path) -> None:
    app = open_app(share, to_pdf=quick_pdf)
    app.status.refresh_seconds = 0  # a rewrite on every turn of the watch loop, and per drop
    app.status.write()
    watcher = TickingWatcher(app)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), name="watcher")
    reader = Reader(share.root)
    thread.start()
    reader.start()
    try:
        cases = _advance(
            Desk(share, tmp_path / "desk"), share.root, ("Triwulan I 2026", "Triwulan II 2026")
        )
        wait_for(lambda: len(reader.versions) >= 20, "twenty board versions read")
    finally:
        reader.stop.set()
        reader.join(timeout=10)
        stop.set()
        thread.join(timeout=10)
        app.close()
    assert reader.problems == [], reader.problems[:5]
    assert reader.reads >= len(reader.versions) >= 20
    final = Dom((share.root / "status.html").read_text(encoding="utf-8"))
    assert final.rows[cases[0]]["data-state"] == "selesai"
    assert final.rows[cases[1]]["data-step"] == "5"
