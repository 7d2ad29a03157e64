"""The single-instance lock: one watcher per share.

`InstanceLock` holds an exclusive `flock` on `<state dir>/watch.lock` for as long as the watcher
runs, and writes who holds it (pid, host, start time) into the file for the message a second
watcher gets. The kernel drops a `flock` when its holder dies, so a lock file left behind by a
killed watcher is simply taken over. The file itself is never deleted: unlinking a locked file
would let two processes lock two different files of the same name.

The state dir must be on a local disk; `flock` over a network mount is not reliable.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from pipeline.core.errors import LockHeld
from pipeline.store.mounts import is_network_mount

log = logging.getLogger(__name__)

LOCK_NAME = "watch.lock"


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) the lock, as written in the lock file."""

    pid: int
    host: str
    since: str

    def to_text(self) -> str:
        return json.dumps({"pid": self.pid, "host": self.host, "since": self.since}) + "\n"

    @classmethod
    def from_text(cls, text: str) -> LockHolder | None:
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), str(data["host"]), str(data["since"]))
        except (ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        return f"pid {self.pid} on host {self.host}, running since {self.since}"


def utc_now() -> datetime:
    """The time as the state records it (UTC)."""
    return datetime.now(UTC)


def held_message(path: Path, holder: LockHolder | None) -> str:
    """The operator's message when another watcher owns the lock."""
    who = holder.describe() if holder else "a process that has not written its details yet"
    return (
        f"another watcher already runs on this share ({who}); lock file {path}. "
        "Stop that watcher first, or use a different state directory for a different share."
    )


class InstanceLock:
    """Context manager holding the exclusive watcher lock of one state dir."""

    def __init__(self, state_dir: Path, now: Callable[[], datetime] = utc_now) -> None:
        self.path = state_dir / LOCK_NAME
        self._now = now
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> LockHolder:
        """Take the lock or raise `LockHeld`; returns what was written into the lock file."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this object")
        self._warn_if_network()
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = LockHolder.from_text(_read_fd(fd))
            os.close(fd)
            raise LockHeld(held_message(self.path, holder)) from None
        self._fd = fd
        return self._record(fd)

    def release(self) -> None:
        """Clear the holder details and drop the lock (the file stays)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)
        log.info("released watcher lock %s", self.path)

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def _record(self, fd: int) -> LockHolder:
        previous = LockHolder.from_text(_read_fd(fd))
        if previous is not None:
            log.warning("taking over stale watcher lock %s (%s)", self.path, previous.describe())
        holder = LockHolder(os.getpid(), socket.gethostname(), self._now().isoformat())
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.to_text().encode("utf-8"), 0)
        os.fsync(fd)
        log.info("holding watcher lock %s (%s)", self.path, holder.describe())
        return holder

    def _warn_if_network(self) -> None:
        try:
            remote = is_network_mount(self.path.parent)
        except OSError:
            return
        if remote:
            log.warning("state dir %s is on a network mount; flock may not exclude", self.path)

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _read_fd(fd: int) -> str:
    return os.pread(fd, 4096, 0).decode("utf-8", errors="replace")


FLOW_LOCK_NAME = "flow.lock"


class FlowLock:
    """A short exclusive lock on the cases' flow: held by the watcher while it handles one drop,
    and by `pipeline regenerate` while it puts one new draft version into the flow. Everything
    else (rendering, reading the journal) runs beside the watcher without it."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FLOW_LOCK_NAME
        self._fd: int | None = None

    def __enter__(self) -> FlowLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held for one drop at most: waiting is short
        self._fd = fd
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
