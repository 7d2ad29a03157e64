"""The watcher on a plain folder: a whole case in polling mode, and how the watcher decides
when a queued file is ready (closes, renames, pre-sized files, Office locks, back-off), keeps
going when a file fails, never handles a file twice, and restarts its observer."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
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
from pipeline.watching.watcher import Hint, Intake, Readiness, Watcher, hint_for, sweep_temporaries
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
from tests.support.hostile import make_xlsx
from tests.support.staff import wait_for

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


def test_polling_trusts_only_a_stable_size_and_mtime(form: Path) -> None:
    clock = Clock()
    polled = Intake(0.5, RetryPolicy(), clock, native=False)
    polled.hint(form, Hint.MOVED)
    assert polled.check(form) is Readiness.WAIT
    clock.now += 0.6
    assert polled.check(form) is Readiness.READY


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
        temp_name(root / "archive" / "2026" / "DK-2026-001"),
    ]
    for path in left[:3]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    (left[3] / "data").mkdir(parents=True)
    left.append(root / "archive" / "2026" / ".DK-2026-002.k3v_9x0q.tmp")  # a bag being built
    (left[4] / "data").mkdir(parents=True)
    staff_file = temp_name(root / "inbox" / "analis" / "draf" / "x.docx")
    staff_file.write_bytes(b"not ours to delete")
    kept = root / "archive" / "2026" / "DK-2026-003"
    kept.mkdir()
    assert sweep_temporaries(root) == 5
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

    def process(self, path: Path) -> Result:
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
    time.sleep(0.5)  # more rescans and late events: nothing may be handled again
    assert runner.calls == Counter({name: 1 for name in names} | {"rusak-03.txt": 2})
    assert watcher.results["accepted"] == len(names)
    assert watcher.results["not-ready"] == 1  # the failure was retried, not dropped
    assert isinstance(watcher.tick, Ticks) and watcher.tick.count > 1  # survived its failure


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
