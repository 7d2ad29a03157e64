"""The watcher: events are hints, a scan finds what events missed, one loop does the work.

The watchdog handler only queues paths. The loop decides when a queued file is ready (closed by
its writer, or stable for `settle_seconds`, not open in Office, and complete as what it claims
to be), hands it to the runner, and rescans the inboxes periodically. A file that stays
incomplete is retried with back-off and only then handed on (to be rejected with a reason).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from watchdog.events import FileClosedEvent, FileMovedEvent, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from pipeline.intake import (
    RetryPolicy,
    StabilityTracker,
    is_ignored,
    looks_complete,
    office_lock_present,
)
from pipeline.runner import Result, Runner

log = logging.getLogger(__name__)
TICK = 0.1


class Readiness(Enum):
    READY = "ready"
    WAIT = "wait"
    LOCKED = "locked"
    SKIP = "skip"


@dataclass
class _Pending:
    due: float
    first_seen: float
    closed: bool = False
    attempts: int = 0


class Intake:
    """Which queued files are ready to be handled; the clock is passed in."""

    def __init__(
        self, settle: float, policy: RetryPolicy, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settle = settle
        self.policy = policy
        self.clock = clock
        self.tracker = StabilityTracker(settle)
        self.pending: dict[Path, _Pending] = {}

    def hint(self, path: Path, *, closed: bool = False) -> None:
        now = self.clock()
        item = self.pending.setdefault(path, _Pending(due=now, first_seen=now))
        item.closed = item.closed or closed
        item.due = min(item.due, now)

    def forget(self, path: Path) -> None:
        self.pending.pop(path, None)
        self.tracker.forget(path)

    def due(self) -> list[Path]:
        now = self.clock()
        return sorted(p for p, item in self.pending.items() if item.due <= now)

    def check(self, path: Path) -> Readiness:
        """Whether a queued file is ready now; if not, when to look again is set on it."""
        item = self.pending[path]
        state, delay = self._state(path, item)
        item.due = self.clock() + delay
        return state

    def _state(self, path: Path, item: _Pending) -> tuple[Readiness, float]:
        if is_ignored(path.name) or not path.is_file():
            return Readiness.SKIP, 0.0
        if office_lock_present(path):
            return Readiness.LOCKED, max(self.settle, 1.0)
        stat = path.stat()
        stable = self.tracker.observe(path, stat.st_size, stat.st_mtime_ns, self.clock())
        if not (stable or item.closed):
            return Readiness.WAIT, max(self.settle, TICK)
        return self._complete(path, item)

    def _complete(self, path: Path, item: _Pending) -> tuple[Readiness, float]:
        if looks_complete(path):
            return Readiness.READY, 0.0
        item.attempts += 1
        if self.policy.exhausted(item.attempts, self.clock() - item.first_seen):
            log.warning("%s still incomplete after %d checks; handing it on", path, item.attempts)
            return Readiness.READY, 0.0
        item.closed = False
        return Readiness.WAIT, self.policy.backoff(item.attempts)


class _Handler(FileSystemEventHandler):
    def __init__(self, hints: queue.Queue[tuple[Path, bool]]) -> None:
        self.hints = hints

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in {"deleted", "opened", "closed_no_write"}:
            return
        target = event.dest_path if isinstance(event, FileMovedEvent) else event.src_path
        path = Path(target if isinstance(target, str) else target.decode())
        self.hints.put((path, isinstance(event, FileClosedEvent)))


class Watcher:
    def __init__(
        self, runner: Runner, *, polling: bool, settle: float, rescan: float, policy: RetryPolicy
    ) -> None:
        self.runner = runner
        self.inbox = runner.inbox
        self.polling = polling
        self.rescan = rescan
        self.intake = Intake(settle, policy)
        self.hints: queue.Queue[tuple[Path, bool]] = queue.Queue()
        self.results: Counter[str] = Counter()

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
                path, closed = self.hints.get_nowait()
            except queue.Empty:
                return
            if not is_ignored(path.name):
                self.intake.hint(path, closed=closed)

    def step(self) -> None:
        """Handle every queued file whose time has come."""
        self._drain_hints()
        for path in self.intake.due():
            readiness = self.intake.check(path)
            if readiness in {Readiness.READY, Readiness.SKIP}:
                self.intake.forget(path)
            if readiness is Readiness.READY:
                self._handle(path)

    def _handle(self, path: Path) -> None:
        try:
            result = self.runner.process(path)
        except Exception:
            # the runner rejects bad files itself; this is an I/O failure: retry later
            log.exception("could not handle %s; it stays in the inbox and is retried", path)
            result = Result.NOT_READY
        if result is Result.NOT_READY:
            self.intake.hint(path)
            self.intake.pending[path].due = time.monotonic() + self.rescan / 10
        self.results[result.value] += 1

    def run_once(self, deadline: float = 600.0) -> Counter[str]:
        """Recover, then handle everything in the inboxes that can be handled now, and return."""
        self.results["recovered"] += self.runner.recover()
        self._scan_into_intake()
        end = time.monotonic() + deadline
        while self._worth_waiting() and time.monotonic() < end:
            self.step()
            time.sleep(TICK)
        return self.results

    def _worth_waiting(self) -> bool:
        """Keep going while something pending may still become ready in this pass."""
        return any(not office_lock_present(p) for p in self.intake.pending)

    def run(self, stop: threading.Event) -> None:
        """Run until `stop` is set: events, periodic rescans, a supervised observer."""
        self.results["recovered"] += self.runner.recover()
        observer = self._start_observer()
        self._scan_into_intake()
        next_rescan = time.monotonic() + self.rescan
        try:
            while not stop.wait(TICK):
                if not observer.is_alive():
                    log.warning("file observer stopped (share unavailable?); restarting it")
                    observer = self._start_observer()
                    next_rescan = 0.0
                if time.monotonic() >= next_rescan:
                    self._scan_into_intake()
                    next_rescan = time.monotonic() + self.rescan
                self.step()
        finally:
            observer.stop()
            observer.join(timeout=5)

    def _start_observer(self) -> BaseObserver:
        self.inbox.mkdir(parents=True, exist_ok=True)
        observer: BaseObserver = PollingObserver(timeout=1.0) if self.polling else Observer()
        observer.schedule(_Handler(self.hints), str(self.inbox), recursive=True)
        observer.daemon = True
        try:
            observer.start()
        except OSError as exc:  # e.g. inotify limits; polling still works
            log.warning("native file events unavailable (%s); polling instead", exc)
            observer = PollingObserver(timeout=1.0)
            observer.schedule(_Handler(self.hints), str(self.inbox), recursive=True)
            observer.daemon = True
            observer.start()
        log.info("watching %s (%s)", self.inbox, "polling" if self.polling else "native events")
        return observer
