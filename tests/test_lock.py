"""The single-instance lock, exercised by real processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.core.errors import LockHeld
from pipeline.store.lock import LOCK_NAME, InstanceLock, LockHolder

REPO = Path(__file__).resolve().parents[1]

# A second watcher process: takes the lock, says so on stdout, holds it until stdin closes.
HOLDER = """
import sys
from pathlib import Path
from pipeline.core.errors import LockHeld
from pipeline.store.lock import InstanceLock
try:
    with InstanceLock(Path(sys.argv[1])):
        print("held", flush=True)
        sys.stdin.read()
except LockHeld as error:
    print("refused", error, flush=True)
"""


class Holder:
    """A child process running HOLDER against a state dir."""

    def __init__(self, state_dir: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(state_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline().strip()

    def finish(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        holder.close()


def test_a_second_process_is_refused_with_who_holds_it(
    tmp_path: Path, holders: list[Holder]
) -> None:
    first = Holder(tmp_path / "state")
    holders.append(first)
    assert first.first_line == "held"
    with pytest.raises(LockHeld) as caught:
        InstanceLock(tmp_path / "state").acquire()
    message = str(caught.value)
    assert f"pid {first.process.pid}" in message
    assert socket.gethostname() in message
    assert "running since 20" in message
    assert "another watcher already runs" in message


def test_a_child_is_refused_while_this_process_holds_the_lock(
    tmp_path: Path, holders: list[Holder]
) -> None:
    with InstanceLock(tmp_path / "state"):
        second = Holder(tmp_path / "state")
        holders.append(second)
        assert second.first_line.startswith("refused")
        assert f"pid {os.getpid()}" in second.first_line
        assert second.process.wait(timeout=30) == 0


def test_a_lock_left_by_a_killed_process_is_taken_over(
    tmp_path: Path, holders: list[Holder]
) -> None:
    state = tmp_path / "state"
    dead = Holder(state)
    holders.append(dead)
    assert dead.first_line == "held"
    dead.kill()
    stale = LockHolder.from_text((state / LOCK_NAME).read_text())
    assert stale is not None
    assert stale.pid == dead.process.pid  # the file still names the dead process
    with InstanceLock(state) as lock:
        assert lock.held
        now = LockHolder.from_text((state / LOCK_NAME).read_text())
        assert now is not None
        assert now.pid == os.getpid()


def test_the_lock_is_free_again_after_a_clean_exit(tmp_path: Path, holders: list[Holder]) -> None:
    state = tmp_path / "state"
    with InstanceLock(state):
        pass
    assert (state / LOCK_NAME).read_text() == ""
    child = Holder(state)
    holders.append(child)
    assert child.first_line == "held"
    assert child.finish() == 0


def test_the_lock_file_records_pid_host_and_start(tmp_path: Path) -> None:
    fixed = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
    with InstanceLock(tmp_path, now=lambda: fixed):
        data = json.loads((tmp_path / LOCK_NAME).read_text())
    assert data == {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": "2026-01-05T08:30:00+00:00",
    }


def test_two_locks_in_one_process_exclude_each_other(tmp_path: Path) -> None:
    with InstanceLock(tmp_path), pytest.raises(LockHeld):
        InstanceLock(tmp_path).acquire()


def test_acquiring_twice_on_one_object_is_a_bug(tmp_path: Path) -> None:
    lock = InstanceLock(tmp_path)
    with lock, pytest.raises(RuntimeError):
        lock.acquire()
    assert not lock.held


def test_unreadable_holder_details_still_give_a_clear_message(tmp_path: Path) -> None:
    assert LockHolder.from_text("") is None
    assert LockHolder.from_text('{"pid": "x"}') is None
    with InstanceLock(tmp_path):
        (tmp_path / LOCK_NAME).write_text("garbage")
        with pytest.raises(LockHeld, match="has not written its details"):
            InstanceLock(tmp_path).acquire()
