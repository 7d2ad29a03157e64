"""The watcher: events are hints, a scan finds what events missed, one loop does the work.

The watchdog handler only queues paths with what the event says about them (written, closed by
its writer, renamed into place). The loop decides when a queued file is ready and hands it to
the runner, rescans the inboxes periodically and restarts the file observer when it dies.

Idle means idle: the loop sleeps on its queue until an event arrives, the next timer falls due
(a queued file's next look, a retry, the rescan, the observer's check, the application's
periodic work) or the watcher is stopped; nothing runs on a fixed tick.

When is a file ready? With native events (the watcher runs on the machine that owns the disk) a
file written through Samba ends with a close-after-write: a file that was written to waits for
that close (or, should the close event be lost, for `close_grace` seconds without change). A
file renamed into place (how Office saves) is ready at once. A file found by a scan, and every
file in polling mode, is ready as soon as it is quiet (not written for `QUIET` seconds) and
whole as what its content is (a zip's central directory, a PDF's trailer, ...), so a poll costs
about one interval; content that cannot prove its end (text, unknown) waits until its size and
mtime held still for `settle` seconds. In all modes it must then not be open in Office (a lock
file beside it younger than `max_lock_age`) and look complete as what it claims to be; a file
that does not is retried with back-off (a pre-sized upload closes once while still zeros) and
only then handed on, to be rejected.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from stat import S_ISREG

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from pipeline.inputs.content import looks_complete
from pipeline.store.fsops import is_temp_name
from pipeline.watching.readiness import (
    RetryPolicy,
    StabilityTracker,
    is_ignored,
    office_lock_names,
    quiet_for,
    whole_as_what_it_is,
)
from pipeline.watching.runner import Result, Runner

log = logging.getLogger(__name__)
MIN_WAIT = 0.05
"""The shortest sleep between two looks at the same thing (a floor, not a tick)."""
QUIET = 0.25
"""Seconds without a write after which a file whole as what it is needs no settle time."""
POLL_INTERVAL = 1.0
"""Seconds between two polls of the inboxes in polling mode."""
SUPERVISE_EVERY = 15.0
"""Seconds between checks that the file observer still runs (a vanished folder wakes it too)."""
TICK_EVERY = 60.0
"""Seconds between calls of the application's periodic work when it does not say."""
LONGEST_SLEEP = 3600.0
STILL_OPEN_NOTE_AFTER = 600.0  # seconds a drop may sit open in Office before its owner is told
CLOSE_GRACE = 60.0
"""Seconds a written file waits for its close event before stability alone is trusted."""
MAX_LOCK_AGE = 12 * 3600.0
"""An Office lock file older than this is left behind by a crashed editor and no longer holds."""
OBSERVER_RETRY = 5.0
SWEPT_FOLDERS = ("outbox", "berkas", "archive", "riwayat")
_BAG_STAGING = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


class Readiness(Enum):
    READY = "ready"
    WAIT = "wait"
    LOCKED = "locked"
    SKIP = "skip"


class Hint(Enum):
    """What an event says about a file."""

    SEEN = "seen"  # found by a scan, created, or its attributes changed
    WRITTEN = "written"  # bytes were written: a writer has it open
    CLOSED = "closed"  # its writer closed it (inotify IN_CLOSE_WRITE)
    MOVED = "moved"  # renamed into place, as Office saves


_EVENT_HINTS = {"modified": Hint.WRITTEN, "closed": Hint.CLOSED, "moved": Hint.MOVED}
_NOT_HINTS = frozenset({"deleted", "opened", "closed_no_write"})


def hint_for(event: FileSystemEvent) -> tuple[Path, Hint] | None:
    """The file an event is about and what it says, or None for events that say nothing."""
    if event.is_directory or event.event_type in _NOT_HINTS:
        return None
    target = event.dest_path if event.event_type == "moved" else event.src_path
    return Path(os.fsdecode(target)), _EVENT_HINTS.get(event.event_type, Hint.SEEN)


def lock_ages(path: Path, now: float) -> list[float]:
    """Ages in seconds of the Office lock files beside `path` (empty: not open in Office)."""
    wanted = office_lock_names(path.name)
    ages = []
    try:
        with os.scandir(path.parent) as entries:
            for entry in entries:
                if entry.name.casefold() in wanted:
                    ages.append(now - entry.stat().st_mtime)
    except OSError:  # the folder or the lock vanished meanwhile
        return ages
    return ages


def sweep_temporaries(root: Path) -> int:
    """Remove what a crash left under temporary names (never in the inboxes). Returns a count.

    Outputs are written as `.<name>.tmp-<hex>` and archive bags as `.<case>.<random>.tmp`, then
    renamed into place, so a temporary name is never part of a finished filing. Only one
    watcher runs per share.
    """
    found = [p for folder in SWEPT_FOLDERS for p in _temporaries(root / folder)]
    found += [p for p in root.glob(".*") if is_temp_name(p.name)]
    for path in found:
        log.warning("removing %s left by an interrupted run", path)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return len(found)


def _is_temporary(name: str) -> bool:
    """A name made by `temp_name`, or an archive bag being built (`.<case>.<random>.tmp`)."""
    return is_temp_name(name) or _BAG_STAGING.match(name) is not None


def _temporaries(folder: Path) -> Iterator[Path]:
    for current, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            if _is_temporary(name):
                yield Path(current) / name
        dirs[:] = [d for d in dirs if not _is_temporary(d)]


@dataclass
class _Pending:
    due: float
    first_seen: float
    closed: bool = False
    writing: bool = False
    attempts: int = 0
    lock_waits: int = 0
    seen: tuple[int, int] = (-1, -1)  # size and mtime when last looked at


class Intake:
    """Which queued files are ready to be handled; the clocks are passed in.

    `clock` is monotonic (waiting, back-off); `wall` is the time of day that lock files and
    mtimes are aged by.
    """

    def __init__(
        self,
        settle: float,
        policy: RetryPolicy,
        clock: Callable[[], float] = time.monotonic,
        *,
        native: bool = False,
        close_grace: float = CLOSE_GRACE,
        max_lock_age: float = MAX_LOCK_AGE,
        wall: Callable[[], float] = time.time,
        quiet: float = QUIET,
    ) -> None:
        self.settle = settle
        self.quiet = min(settle, quiet)
        self.policy = policy
        self.clock = clock
        self.wall = wall
        self.native = native
        self.max_lock_age = max_lock_age
        self.tracker = StabilityTracker(settle)
        self.grace = StabilityTracker(max(settle, close_grace))
        self.pending: dict[Path, _Pending] = {}
        self.ready: dict[Path, tuple[int, int]] = {}  # size and mtime when found ready
        self._stale: set[Path] = set()

    def hint(self, path: Path, kind: Hint = Hint.SEEN) -> None:
        now = self.clock()
        item = self.pending.setdefault(path, _Pending(due=now, first_seen=now))
        if kind is Hint.WRITTEN:
            item.closed, item.writing = False, True
        elif kind in {Hint.CLOSED, Hint.MOVED}:
            item.closed, item.writing = True, False
        item.due = min(item.due, now)

    def retry_later(self, path: Path, delay: float) -> None:
        """Look at `path` again after `delay` seconds (queued anew if it was not pending)."""
        self.hint(path)
        self.pending[path].due = self.clock() + delay

    def forget(self, path: Path) -> None:
        self.pending.pop(path, None)
        self._stale.discard(path)
        self.tracker.forget(path)
        self.grace.forget(path)

    def due(self) -> list[Path]:
        now = self.clock()
        return sorted(p for p, item in self.pending.items() if item.due <= now)

    def next_due(self) -> float:
        """When (on `clock`) the next queued file is to be looked at; infinity if none is."""
        return min((item.due for item in self.pending.values()), default=math.inf)

    def check(self, path: Path) -> Readiness:
        """Whether a queued file is ready now; if not, when to look again is set on it."""
        item = self.pending[path]
        state, delay = self._state(path, item)
        item.due = self.clock() + delay
        if state is Readiness.READY:
            self.ready[path] = item.seen
        return state

    def found_ready(self, path: Path) -> tuple[int, int] | None:
        """The size and mtime `path` had when it was found ready (taken: asked once)."""
        return self.ready.pop(path, None)

    def lock_waits(self, path: Path) -> int:
        """How often queued `path` was found open in Office (0 when it is not queued)."""
        item = self.pending.get(path)
        return item.lock_waits if item else 0

    def locked(self, path: Path) -> bool:
        """True while Office has `path` open; a lock older than `max_lock_age` is stale."""
        ages = lock_ages(path, self.wall())
        if ages and min(ages) > self.max_lock_age:
            if path not in self._stale:
                self._stale.add(path)
                log.warning(
                    "ignoring a stale Office lock (%.0f h) beside %s", min(ages) / 3600, path
                )
            return False
        return bool(ages)

    def _state(self, path: Path, item: _Pending) -> tuple[Readiness, float]:
        seen = _regular_stat(path)
        if is_ignored(path.name) or seen is None:
            return Readiness.SKIP, 0.0
        item.seen = (seen.st_size, seen.st_mtime_ns)
        if self.locked(path):
            item.lock_waits += 1
            return Readiness.LOCKED, max(self.settle, 1.0)
        if self._quiet_and_whole(path, item, seen):
            return Readiness.READY, 0.0
        if not self._settled(path, item, seen):
            return Readiness.WAIT, self._next_look(path, item, seen)
        return self._complete(path, item)

    def _quiet_and_whole(self, path: Path, item: _Pending, seen: os.stat_result) -> bool:
        """Not written for `quiet` seconds and whole as what its content is, unchanged while
        looked at. Not for a file its writer still holds (native events say so)."""
        if self.native and item.writing:
            return False
        if quiet_for(seen.st_mtime, self.wall()) < self.quiet or not whole_as_what_it_is(path):
            return False
        return _same(_regular_stat(path), seen)

    def _settled(self, path: Path, item: _Pending, seen: os.stat_result) -> bool:
        """Closed by its writer (native events only), or unchanged for long enough."""
        now = self.clock()
        stable = self.tracker.observe(path, seen.st_size, seen.st_mtime_ns, now)
        quiet = self.grace.observe(path, seen.st_size, seen.st_mtime_ns, now)
        if not self.native:
            return stable
        if item.closed:
            return True
        return quiet if item.writing else stable

    def _next_look(self, path: Path, item: _Pending, seen: os.stat_result) -> float:
        """When a file not settled yet is worth a look: once it may be quiet (and whole), or
        once it may have settled; a file its writer holds waits for the close event (which
        wakes the loop) or the close grace."""
        now = self.clock()
        if self.native and item.writing:
            return max(self.grace.remaining(path, now), MIN_WAIT)
        wanted = self.tracker.remaining(path, now)
        quiet_left = self.quiet - quiet_for(seen.st_mtime, self.wall())
        if quiet_left > 0:
            wanted = min(wanted, quiet_left)
        return max(wanted, MIN_WAIT)

    def _complete(self, path: Path, item: _Pending) -> tuple[Readiness, float]:
        if looks_complete(path):
            return Readiness.READY, 0.0
        item.attempts += 1
        if self.policy.exhausted(item.attempts, self.clock() - item.first_seen):
            log.warning("%s still incomplete after %d checks; handing it on", path, item.attempts)
            return Readiness.READY, 0.0
        item.closed = False  # a pre-sized upload closes once while still zeros
        log.info("%s is not complete yet (check %d); waiting", path, item.attempts)
        return Readiness.WAIT, self.policy.backoff(item.attempts)


def _regular_stat(path: Path) -> os.stat_result | None:
    """`path`'s stat if it is a regular file (links followed), None if it is gone or is not."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found if S_ISREG(found.st_mode) else None


def _same(now: os.stat_result | None, before: os.stat_result) -> bool:
    return now is not None and (now.st_size, now.st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )


class Signal(Enum):
    """What wakes the loop besides a file: it is to stop, or a watched folder vanished."""

    STOP = "stop"
    FOLDER_GONE = "folder-gone"


Wake = tuple[Path, Hint] | Signal


def folder_gone(event: FileSystemEvent) -> bool:
    """A folder was deleted: it may be the inbox itself, and then the observer stops."""
    return event.is_directory and event.event_type == "deleted"


class _Handler(FileSystemEventHandler):
    def __init__(self, wakes: queue.Queue[Wake]) -> None:
        self.wakes = wakes

    def on_any_event(self, event: FileSystemEvent) -> None:
        found = hint_for(event)
        if found is not None:
            self.wakes.put(found)
        elif folder_gone(event):
            self.wakes.put(Signal.FOLDER_GONE)


Tick = Callable[[], float | None]
"""The application's periodic work; returns the seconds until it is due again (None: it does
not say, and is called again after `tick_every`)."""


class Watcher:
    def __init__(
        self,
        runner: Runner,
        *,
        polling: bool,
        settle: float,
        rescan: float,
        policy: RetryPolicy,
        max_lock_age: float = MAX_LOCK_AGE,
        close_grace: float = CLOSE_GRACE,
        tick: Tick = lambda: None,
        tick_every: float = TICK_EVERY,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.runner = runner
        self.tick = tick
        self.tick_every = tick_every
        self.inbox = runner.inbox
        self.polling = polling
        self.poll_interval = poll_interval
        self.rescan = rescan
        self.intake = Intake(
            settle, policy, native=not polling, close_grace=close_grace, max_lock_age=max_lock_age
        )
        self.hints: queue.Queue[Wake] = queue.Queue()
        self.results: Counter[str] = Counter()
        self._observer: BaseObserver | None = None
        self._timers = _Timers()

    # --- scanning -----------------------------------------------------------------------------

    def scan(self) -> Iterator[Path]:
        for path in sorted(self.inbox.rglob("*")):
            if path.is_file() and not is_ignored(path.name):
                yield path

    def _scan_into_intake(self) -> None:
        for path in self.scan():
            if path not in self.intake.pending:
                self.intake.hint(path)

    # --- the work loop ------------------------------------------------------------------------

    def _drain_hints(self) -> None:
        while True:
            try:
                self._take(self.hints.get_nowait())
            except queue.Empty:
                return

    def _take(self, wake: Wake) -> None:
        if wake is Signal.FOLDER_GONE:
            self._timers.supervise = time.monotonic()  # look at the observer now
        elif isinstance(wake, tuple) and not is_ignored(wake[0].name):
            self.intake.hint(*wake)

    def step(self) -> None:
        """Handle every queued file whose time has come; no single file can stop the loop."""
        self._drain_hints()
        for path in self.intake.due():
            try:
                self._advance(path)
            except Exception:
                log.exception("unexpected error with %s; it is looked at again later", path)
                self.intake.retry_later(path, self.rescan / 10)

    def _advance(self, path: Path) -> None:
        readiness = self.intake.check(path)
        if readiness in {Readiness.READY, Readiness.SKIP}:
            self.intake.forget(path)
            self.runner.clear_still_open(path)
        if readiness is Readiness.LOCKED and self._open_for_long(path):
            self.runner.note_still_open(path)
        if readiness is Readiness.READY:
            self._handle(path)

    def _open_for_long(self, path: Path) -> bool:
        ages = lock_ages(path, time.time())
        return bool(ages) and min(ages) >= STILL_OPEN_NOTE_AFTER

    def _handle(self, path: Path) -> None:
        try:
            result = self.runner.process(path, self.intake.found_ready(path))
        except Exception:
            # the runner rejects bad files itself; this is an I/O failure: retry later
            log.exception("could not handle %s; it stays in the inbox and is retried", path)
            result = Result.NOT_READY
        if result is Result.NOT_READY:
            self.intake.retry_later(path, self.rescan / 10)
        self.results[result.value] += 1

    def _start_up(self) -> None:
        """Finish what an interrupted run left: pending moves, temporary files."""
        swept = sweep_temporaries(self.runner.settings.root)
        if swept:
            self.results["swept"] += swept
        self.results["recovered"] += self.runner.recover()

    def run_once(self, deadline: float = 600.0) -> Counter[str]:
        """Recover, then handle everything in the inboxes that can be handled now, and return."""
        self._start_up()
        self._scan_into_intake()
        end = time.monotonic() + deadline
        self.step()  # every queued file is looked at once, even one held open in Office
        while self._worth_waiting() and time.monotonic() < end:
            now = time.monotonic()
            time.sleep(min(max(self.intake.next_due() - now, MIN_WAIT), end - now))
            self.step()
        return self.results

    def _worth_waiting(self) -> bool:
        """Keep going while something pending may still become ready in this pass."""
        return any(not self.intake.locked(p) for p in self.intake.pending)

    def run(self, stop: threading.Event) -> None:
        """Run until `stop` is set: events, periodic rescans, a supervised observer, and the
        application's `tick` (periodic work between drops) when it says it is due.

        Between turns the loop sleeps until an event, the next due timer or `stop`. `stop` is
        set when this returns, also on an error that ends the loop, so that its waker ends."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        self._start_up()
        waker = threading.Thread(
            target=self._wake_on, args=(stop,), name="watcher-stop", daemon=True
        )
        waker.start()
        try:
            while not stop.is_set():
                self._turn()
                self._sleep(self._next_due() - time.monotonic())
        finally:
            stop.set()
            waker.join()
            self._stop_observer()

    def _wake_on(self, stop: threading.Event) -> None:
        stop.wait()
        self.hints.put(Signal.STOP)

    def _sleep(self, seconds: float) -> None:
        """Until an event or `seconds`, whichever comes first; then take every queued event."""
        try:
            self._take(self.hints.get(timeout=min(max(seconds, 0.0), LONGEST_SLEEP)))
        except queue.Empty:
            return
        self._drain_hints()

    def _next_due(self) -> float:
        timers = self._timers
        return min(self.intake.next_due(), timers.rescan, timers.supervise, timers.tick)

    def _turn(self) -> None:
        try:
            self._supervise()
            self._rescan_if_due()
            self.step()
            self._tick_if_due()
        except Exception:
            log.exception("error in the watcher loop; carrying on")

    def _rescan_if_due(self) -> None:
        if time.monotonic() >= self._timers.rescan:
            self._timers.rescan = time.monotonic() + self.rescan  # set first: a failing scan
            self._scan_into_intake()  # must not make the loop spin

    def _tick_if_due(self) -> None:
        if time.monotonic() < self._timers.tick:
            return
        delay: float | None = self.tick_every
        try:
            delay = self.tick()
        except Exception:
            log.exception("periodic work failed; tried again in %.0f s", self.tick_every)
        wait = self.tick_every if delay is None else max(delay, MIN_WAIT)
        self._timers.tick = time.monotonic() + wait

    # --- the observer -------------------------------------------------------------------------

    def observer_alive(self) -> bool:
        """True while the file observer and all its emitters run."""
        observer = self._observer
        if observer is None or not observer.is_alive():
            return False
        return bool(observer.emitters) and all(e.is_alive() for e in observer.emitters)

    def _supervise(self) -> None:
        """(Re)start the file observer; watchdog's emitters stop when the inbox disappears."""
        now = time.monotonic()
        if now < self._timers.supervise:
            return
        if self.observer_alive() and self.inbox.is_dir():
            self._timers.supervise = now + SUPERVISE_EVERY
            return
        self._timers.supervise = now + OBSERVER_RETRY
        if self._observer is not None:
            log.warning("file observer stopped (share unavailable?); restarting it")
            self._stop_observer()
            self.results["observer-restarts"] += 1
        try:
            self._observer = self._start_observer()
        except OSError as exc:
            log.warning("cannot watch %s yet (%s); trying again shortly", self.inbox, exc)
            return
        self._timers.supervise = now + SUPERVISE_EVERY
        self._timers.rescan = 0.0  # what changed while nobody watched

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            if observer.is_alive():
                observer.join(timeout=5)

    def _start_observer(self) -> BaseObserver:
        if not self.inbox.is_dir():
            raise FileNotFoundError(f"inbox {self.inbox} is not available")
        try:
            observer = self._observer_of(polling=self.polling)
        except OSError as exc:  # e.g. inotify limits; polling still works
            log.warning("native file events unavailable (%s); polling instead", exc)
            observer = self._observer_of(polling=True)
            self.intake.native = False
        mode = "native events" if self.intake.native else "polling"
        log.info("watching %s (%s)", self.inbox, mode)
        return observer

    def _observer_of(self, *, polling: bool) -> BaseObserver:
        observer: BaseObserver = (
            PollingObserver(timeout=self.poll_interval) if polling else Observer()
        )
        observer.schedule(_Handler(self.hints), str(self.inbox), recursive=True)
        observer.daemon = True
        observer.start()
        return observer


@dataclass
class _Timers:
    """When (monotonic) each periodic duty of the loop is next due; 0 is at once."""

    rescan: float = 0.0
    supervise: float = 0.0
    tick: float = 0.0
