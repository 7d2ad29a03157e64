"""The watcher on a plain folder: a whole case in polling mode, and how the watcher decides
when a queued file is ready (closes, renames, pre-sized files, Office locks, back-off; a polled
file whole as what it is at once, a half-written one never), keeps going when a file fails,
never handles a file twice, restarts its observer, and sleeps while nothing is due."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from types import SimpleNamespace

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
    FileSystemEvent,
)

import pipeline.watching.watcher
from pipeline.settings import Settings
from pipeline.store.fsops import temp_name
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.runner import Result
from pipeline.watching.watcher import (
    QUIET,
    Hint,
    Intake,
    Readiness,
    Watcher,
    hint_for,
    sweep_temporaries,
)
from tests.support.faults import (
    Desk,
    LocalCourier,
    Site,
    WholeCase,
    audit,
    leftovers,
    sha256,
    watching,
)
from tests.support.hostile import bmp_bytes, cfb_bytes, make_docx, make_pdf, make_xlsx, pdf_bytes
from tests.support.staff import wait_for
from tests.support.watching import stopped_at_the_end

# --- a whole case, polled ----------------------------------------------------------------------


def test_a_whole_case_runs_on_a_polled_folder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pipeline.watching.watcher")
    site = Site.create(tmp_path / "site")
    with watching(site, polling=True) as watcher:
        play = WholeCase(
            site, Desk(tmp_path / "desk"), LocalCourier(site.root), watcher.intake, 0.7
        )
        case = play.play()

    problems = audit(site, play.dropped, cases=1, closed=1)
    assert problems == [], "\n".join(problems)
    presized = next(d for d in play.dropped if d.folder.startswith("bidang/"))
    waited = [r.getMessage() for r in caplog.records if "not complete yet" in r.getMessage()]
    assert any(presized.name in message for message in waited), "zeros were not retried"
    signed = play.dropped[-1]
    for copy in (site.root / "outbox" / "distribusi").glob(f"*/{case} *.pdf"):
        assert sha256(copy) == signed.sha256
    assert watcher.results["rejected"] == 0


# --- when is a queued file ready? ----------------------------------------------------------------


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def form(tmp_path: Path) -> Path:
    return make_xlsx(tmp_path, "formulir.xlsx")


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (FileModifiedEvent("/s/a.xlsx"), ("/s/a.xlsx", Hint.WRITTEN)),
        (FileClosedEvent("/s/a.xlsx"), ("/s/a.xlsx", Hint.CLOSED)),
        (FileMovedEvent("/s/~WRL0001.tmp", "/s/a.docx"), ("/s/a.docx", Hint.MOVED)),
        (FileCreatedEvent("/s/a.xlsx"), ("/s/a.xlsx", Hint.SEEN)),
        (FileAttribEvent("/s/a.xlsx"), ("/s/a.xlsx", Hint.SEEN)),
        (FileOpenedEvent("/s/a.xlsx"), None),
        (FileClosedNoWriteEvent("/s/a.xlsx"), None),
        (FileDeletedEvent("/s/a.xlsx"), None),
        (DirModifiedEvent("/s"), None),
    ],
)
def test_what_each_event_says(event: FileSystemEvent, expected: tuple[str, Hint] | None) -> None:
    found = hint_for(event)
    assert (None if found is None else (str(found[0]), found[1])) == expected


def test_a_file_closed_while_still_zeros_waits_for_its_second_close(form: Path) -> None:
    clock, data = Clock(), form.read_bytes()
    intake = Intake(0.5, RetryPolicy(first=0.2), clock, native=True)
    form.write_bytes(bytes(len(data)))  # pre-sized: full length, all zeros
    intake.hint(form, Hint.WRITTEN)
    intake.hint(form, Hint.CLOSED)
    assert intake.check(form) is Readiness.WAIT
    assert intake.due() == []  # backing off
    form.write_bytes(data)  # the second handle writes the bytes
    intake.hint(form, Hint.WRITTEN)
    clock.now += 5.0
    assert intake.check(form) is Readiness.WAIT  # written but not closed yet
    intake.hint(form, Hint.CLOSED)
    assert intake.due() == [form]
    assert intake.check(form) is Readiness.READY


def test_a_written_file_waits_for_its_close_or_a_long_quiet(form: Path) -> None:
    clock = Clock()
    intake = Intake(0.5, RetryPolicy(), clock, native=True, close_grace=60.0)
    intake.hint(form, Hint.WRITTEN)
    assert intake.check(form) is Readiness.WAIT
    clock.now += 30.0  # long stable, but its writer never closed it
    assert intake.check(form) is Readiness.WAIT
    clock.now += 31.0  # the close event was lost: trust a long quiet
    assert intake.check(form) is Readiness.READY


def test_a_file_renamed_into_place_is_ready_at_once_with_events(form: Path) -> None:
    native = Intake(5.0, RetryPolicy(), Clock(), native=True)
    native.hint(form, Hint.MOVED)
    assert native.check(form) is Readiness.READY


def aged(path: Path, seconds: float) -> Clock:
    """A wall clock reading `seconds` after `path` was last written."""
    return Clock(path.stat().st_mtime + seconds)


def long_after() -> Clock:
    """A wall clock an hour ahead: every file written in the test is long quiet."""
    return Clock(time.time() + 3600)


def test_polling_takes_a_quiet_whole_file_at_first_look(form: Path) -> None:
    polled = Intake(2.0, RetryPolicy(), Clock(), native=False, wall=aged(form, 1.0))
    polled.hint(form, Hint.SEEN)
    assert polled.check(form) is Readiness.READY  # its zip proves it whole: no settle time


def test_polling_waits_only_until_a_whole_file_is_quiet(form: Path) -> None:
    clock, wall = Clock(), aged(form, 0.05)
    polled = Intake(2.0, RetryPolicy(), clock, native=False, wall=wall)
    polled.hint(form, Hint.SEEN)
    assert polled.check(form) is Readiness.WAIT  # written a moment ago
    again = polled.next_due() - clock.now
    assert 0 < again <= QUIET  # looked at again once it may be quiet, not after the settle
    clock.now += again + 0.01
    wall.now += again + 0.01
    assert polled.due() == [form]
    assert polled.check(form) is Readiness.READY


def test_polling_takes_a_changed_file_only_once_it_is_quiet_again(form: Path) -> None:
    clock, wall = Clock(), aged(form, 1.0)
    polled = Intake(2.0, RetryPolicy(), clock, native=False, wall=wall)
    form.write_bytes(form.read_bytes())  # written again just now
    wall.now = form.stat().st_mtime + 0.1
    polled.hint(form, Hint.WRITTEN)
    assert polled.check(form) is Readiness.WAIT
    wall.now += QUIET
    assert polled.check(form) is Readiness.READY


def _half_written(whole: bytes) -> list[tuple[str, bytes]]:
    """What a reader meets while `whole` is still being written, sequentially or pre-sized."""
    third = len(whole) // 3
    return [
        ("first third", whole[:third]),
        ("all but the end", whole[:-64]),
        ("pre-sized, zeros", bytes(len(whole))),
        ("pre-sized, half filled", whole[: len(whole) // 2] + bytes(len(whole) - len(whole) // 2)),
    ]


WHOLE = {
    "disposisi.pdf": lambda folder: make_pdf(folder, pages=["LEMBAR DISPOSISI"] * 3),
    "formulir.xlsx": lambda folder: make_xlsx(folder, rows=[[f"IKU-{i}", i] for i in range(300)]),
    "draf.docx": lambda folder: make_docx(folder, paragraphs=[f"Paragraf {i}" for i in range(80)]),
}


@pytest.mark.parametrize("name", sorted(WHOLE))
def test_polling_never_takes_a_half_written_file(tmp_path: Path, name: str) -> None:
    (tmp_path / "desk").mkdir()
    whole = WHOLE[name](tmp_path / "desk").read_bytes()
    path = tmp_path / name
    clock = Clock()
    polled = Intake(0.5, RetryPolicy(first=0.2), clock, native=False, wall=long_after())
    for what, part in _half_written(whole):
        path.write_bytes(part)
        polled.hint(path, Hint.WRITTEN)
        assert polled.check(path) is Readiness.WAIT, f"{what}: taken at first look"
        clock.now += 1.0  # settled as well: only the content can hold it back now
        assert polled.check(path) is Readiness.WAIT, f"{what}: taken once settled"
    path.write_bytes(whole)
    polled.hint(path, Hint.WRITTEN)
    assert polled.check(path) is Readiness.READY


SETTLED_ONLY = {
    "catatan.txt": lambda: b"Data kinerja bidang, ditulis dengan Notepad\n" * 20,
    "pindaian.bmp": lambda: bmp_bytes(16, 16),  # judged by the size in its header
    "terkunci.xlsx": lambda: cfb_bytes(["Root Entry", "EncryptionInfo", "EncryptedPackage"]),
}


@pytest.mark.parametrize("name", sorted(SETTLED_ONLY))
def test_polling_gives_content_without_an_end_marker_the_settle_time(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(SETTLED_ONLY[name]())
    clock = Clock()
    polled = Intake(2.0, RetryPolicy(), clock, native=False, wall=long_after())
    polled.hint(path, Hint.SEEN)
    assert polled.check(path) is Readiness.WAIT
    assert polled.next_due() - clock.now == pytest.approx(2.0)
    clock.now += 2.0
    assert polled.check(path) is Readiness.READY


def test_a_scanned_whole_file_needs_no_settle_time_with_events_either(form: Path) -> None:
    native = Intake(2.0, RetryPolicy(), Clock(), native=True, wall=aged(form, 1.0))
    native.hint(form, Hint.SEEN)  # found by the start-up scan
    assert native.check(form) is Readiness.READY


def test_a_file_its_writer_holds_waits_for_the_close_even_if_it_looks_whole(form: Path) -> None:
    clock = Clock()
    native = Intake(0.5, RetryPolicy(), clock, native=True, close_grace=60.0, wall=aged(form, 5))
    native.hint(form, Hint.WRITTEN)
    assert native.check(form) is Readiness.WAIT
    assert native.next_due() - clock.now == pytest.approx(60.0)  # the close event wakes it first
    native.hint(form, Hint.CLOSED)
    assert native.check(form) is Readiness.READY


def test_an_office_lock_holds_a_drop_until_it_is_stale(form: Path) -> None:
    wall = Clock(time.time())
    (form.parent / f"~${form.name}").write_bytes(b"\x07kasubag")
    intake = Intake(0.0, RetryPolicy(), Clock(), native=True, max_lock_age=12 * 3600, wall=wall)
    intake.hint(form, Hint.CLOSED)
    assert intake.check(form) is Readiness.LOCKED
    wall.now += 11 * 3600
    assert intake.check(form) is Readiness.LOCKED
    assert intake.lock_waits(form) == 2
    wall.now += 2 * 3600  # left behind by a crashed Word: no longer holds
    assert intake.check(form) is Readiness.READY


def test_a_removed_lock_releases_the_drop(form: Path) -> None:
    lock = form.parent / f".~lock.{form.name}#"
    lock.write_bytes(b"LibreOffice")
    intake = Intake(0.0, RetryPolicy(), Clock(), native=True)
    intake.hint(form, Hint.CLOSED)
    assert intake.check(form) is Readiness.LOCKED
    lock.unlink()
    assert intake.check(form) is Readiness.READY


def test_temporaries_left_by_a_crash_are_swept_outside_the_inbox(share: Settings) -> None:
    root = share.root
    left = [
        temp_name(root / "outbox" / "analis" / "DK-2026-001 Draf v1.docx"),
        temp_name(root / "berkas" / "DK-2026-001" / "keluar" / "x.xlsx"),
        temp_name(root / "status.html"),
        temp_name(root / "riwayat" / "index.html"),
        temp_name(root / "archive" / "2026" / "DK-2026-001"),
    ]
    for path in left[:4]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    (left[4] / "data").mkdir(parents=True)
    left.append(root / "archive" / "2026" / ".DK-2026-002.k3v_9x0q.tmp")  # a bag being built
    (left[5] / "data").mkdir(parents=True)
    staff_file = temp_name(root / "inbox" / "analis" / "draf" / "x.docx")
    staff_file.write_bytes(b"not ours to delete")
    kept = root / "archive" / "2026" / "DK-2026-003"
    kept.mkdir()
    assert sweep_temporaries(root) == 6
    assert kept.is_dir()
    assert not any(p.exists() for p in left)
    assert staff_file.exists()
    assert leftovers(root) == [staff_file.relative_to(root).as_posix()]


# --- the loop keeps going, never twice, observer supervised ------------------------------------


class FakeRunner:
    """Stands in for the runner: counts calls, moves each file away, can fail on demand."""

    def __init__(self, root: Path, failing: set[str] | None = None) -> None:
        self.inbox = root / "inbox"
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.settings = SimpleNamespace(root=root)
        self.calls: Counter[str] = Counter()
        self.failing = failing or set()
        self.done = root / "done"
        self.done.mkdir(exist_ok=True)

    def recover(self) -> int:
        return 0

    def note_still_open(self, path: Path) -> None:
        """The real runner tells the owner; the loop under test only needs it not to fail."""

    def clear_still_open(self, path: Path) -> None:
        """See note_still_open."""

    def on_change(self) -> None:
        pass

    def process(self, path: Path, ready: tuple[int, int] | None = None) -> Result:
        self.calls[path.name] += 1
        if path.name in self.failing:
            self.failing.discard(path.name)
            raise RuntimeError("the journal is busy")
        path.rename(self.done / path.name)
        return Result.ACCEPTED


class Ticks:
    """The application's periodic work: counted, and failing the first time."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        if self.count == 1:
            raise OSError("the share blinked while the board was written")


@pytest.fixture
def looping(tmp_path: Path) -> Iterator[tuple[FakeRunner, Watcher]]:
    runner = FakeRunner(tmp_path, failing={"rusak-03.txt"})
    watcher = Watcher(
        runner,  # type: ignore[arg-type]
        polling=True,
        settle=0.0,
        rescan=0.1,  # a full rescan on almost every turn
        policy=RetryPolicy(),
        tick=Ticks(),
        tick_every=0.05,
    )
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), name="watcher")
    thread.start()
    try:
        yield runner, watcher
    finally:
        stop.set()
        thread.join(timeout=30)


def test_rescans_and_repeated_events_never_handle_a_file_twice(
    looping: tuple[FakeRunner, Watcher],
) -> None:
    runner, watcher = looping
    names = [f"rusak-{i:02d}.txt" for i in range(20)]
    for name in names:
        (runner.inbox / name).write_bytes(name.encode())
        (runner.inbox / name).touch()  # more events for the same file
    wait_for(lambda: len(list(runner.done.iterdir())) == len(names), "all files handled", 30)
    ticks = watcher.tick
    assert isinstance(ticks, Ticks)
    wait_for(lambda: ticks.count > 2, "periodic work after its failure", 30)
    time.sleep(0.5)  # more rescans and late events: nothing may be handled again
    assert runner.calls == Counter({name: 1 for name in names} | {"rusak-03.txt": 2})
    assert watcher.results["accepted"] == len(names)
    assert watcher.results["not-ready"] == 1  # the failure was retried, not dropped


def test_the_observer_is_restarted_when_the_share_blinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline.watching.watcher, "OBSERVER_RETRY", 0.2)
    runner = FakeRunner(tmp_path)
    watcher = Watcher(
        runner,  # type: ignore[arg-type]
        polling=True,
        settle=0.0,
        rescan=600.0,  # no periodic rescan: only the restart (its rescan, its events) finds it
        policy=RetryPolicy(),
    )
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), name="watcher")
    thread.start()
    try:
        wait_for(watcher.observer_alive, "observer started", 10)
        runner.inbox.rename(tmp_path / "away")
        wait_for(lambda: watcher.results["observer-restarts"] >= 1, "observer restart", 10)
        (tmp_path / "away").rename(runner.inbox)
        wait_for(watcher.observer_alive, "observer running again", 10)
        (runner.inbox / "setelah.txt").write_bytes(b"after the blink")
        wait_for(lambda: (runner.done / "setelah.txt").exists(), "the new file handled", 10)
    finally:
        stop.set()
        thread.join(timeout=30)


# --- idle means idle; a poll costs one interval ------------------------------------------------


class CountingWatcher(Watcher):
    """Counts the turns of its loop."""

    turns = 0

    def step(self) -> None:
        self.turns += 1
        super().step()


def looping_on(watcher: Watcher) -> AbstractContextManager[threading.Thread]:
    return stopped_at_the_end(watcher.run, "watcher")


def test_an_idle_watcher_sleeps_until_an_event_or_a_timer_or_stop(tmp_path: Path) -> None:
    runner = FakeRunner(tmp_path)
    ticks: list[float] = []

    def hourly() -> float:
        ticks.append(time.monotonic())
        return 3600.0

    watcher = CountingWatcher(
        runner,  # type: ignore[arg-type]
        polling=False,
        settle=0.0,
        rescan=3600.0,
        policy=RetryPolicy(),
        tick=hourly,
    )
    with looping_on(watcher) as thread:
        wait_for(lambda: ticks and watcher.observer_alive(), "the first turn", 30)
        turns = watcher.turns
        time.sleep(1.0)  # a tick loop turned ten times here; load can only make it fewer
        assert watcher.turns == turns, "the loop turned with nothing to do"
        (runner.inbox / "catatan.txt").write_bytes(b"an event wakes it")
        wait_for(lambda: (runner.done / "catatan.txt").exists(), "the drop handled", 30)
        assert len(ticks) == 1  # its periodic work is not due for an hour
    assert not thread.is_alive(), "stop did not wake the sleeping loop"


def _polled(tmp_path: Path) -> CountingWatcher:
    """A polling watcher whose settle time is far longer than any wait in these tests: what it
    takes, it took because the content proved the file whole."""
    return CountingWatcher(
        FakeRunner(tmp_path),  # type: ignore[arg-type]
        polling=True,
        settle=3600.0,
        rescan=3600.0,
        policy=RetryPolicy(),
        poll_interval=0.1,
    )


def test_a_polled_whole_file_is_taken_without_waiting_the_settle_time(tmp_path: Path) -> None:
    watcher = _polled(tmp_path)
    runner = watcher.runner
    assert isinstance(runner, FakeRunner)
    with looping_on(watcher):
        wait_for(watcher.observer_alive, "observer started", 30)
        for name, make in WHOLE.items():
            make(tmp_path).rename(runner.inbox / name)
        wait_for(
            lambda: {p.name for p in runner.done.iterdir()} == set(WHOLE), "whole files taken", 30
        )


@pytest.mark.parametrize("name", sorted(WHOLE))
def test_a_polled_file_still_being_written_is_not_taken(tmp_path: Path, name: str) -> None:
    (tmp_path / "desk").mkdir()
    whole = WHOLE[name](tmp_path / "desk").read_bytes()
    watcher = _polled(tmp_path)
    runner = watcher.runner
    assert isinstance(runner, FakeRunner)
    partial, marker = runner.inbox / f"a-{name}", runner.inbox / "b-penanda.pdf"
    with looping_on(watcher):
        wait_for(watcher.observer_alive, "observer started", 30)
        with partial.open("wb") as writer:
            writer.write(whole[: len(whole) // 2])
            writer.flush()
            marker.write_bytes(pdf_bytes(["penanda"]))  # looked at after the partial one
            wait_for(lambda: (runner.done / marker.name).exists(), "the marker taken", 30)
            assert partial.exists() and runner.calls[partial.name] == 0, "taken half-written"
            writer.write(whole[len(whole) // 2 :])
        wait_for(lambda: (runner.done / partial.name).exists(), "the finished file taken", 30)
    assert runner.calls[partial.name] == 1
