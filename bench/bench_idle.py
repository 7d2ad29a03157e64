"""What the watcher costs when nothing happens, and how soon a polled drop is taken.

Two figures, each against a bare watchdog observer on the same folders, measured in one run:

- **Idle CPU per minute**: `pipeline watch ROOT` (native events) in a child process, left alone
  once its start-up work is done, against a child process running a bare watchdog `Observer`
  on `ROOT/inbox`. CPU time is read from `/proc/<pid>/task/*/schedstat` (nanoseconds, every
  thread). A bare observer blocks in the kernel and uses no CPU at all when nothing happens, so
  the ratio divides by at least one clock tick (10 ms) per minute, the least CPU time `ps` or
  `top` can show. Periodic work whose period is longer than the window (the board refresh
  every 2 minutes, the rescan every 3) falls in it by phase: `--seconds 360` covers a full
  cycle of both. The watcher's peak RSS (VmHWM) is reported too.
- **Polling latency**: `pipeline watch ROOT --polling --poll-interval P` against a bare
  `PollingObserver` with the same interval whose handler moves each new file out of the inbox.
  Each run drops a fresh disposition letter (a real .docx, renamed into the inbox as staff's
  PCs do) and times until the drop is taken: for the pipeline, its outputs written and
  committed and the letter moved out of the inbox (so the time includes handling the drop);
  for the bare observer, moved out by its handler. The drops are spread evenly over the poll
  period (each one a fixed fraction of the period after the previous one was taken and the
  process went quiet), so both sides meet the same phases and the median is not the luck of
  where the drops fell.

`bench_scale.py` imports `idle_ratio` and `polling_ratio`; alone:

    python bench/bench_idle.py [--seconds 60] [--interval 1.0] [--runs 5] [--root DIR]

Without `--root` a fresh share is made with `pipeline init` in a temporary folder. Polling
drops open cases in the share they run on.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from docx import Document

DISPOSITION_FOLDER = "kepala-dinas/disposisi-data-kinerja"
CLOCK_TICK = 1 / os.sysconf("SC_CLK_TCK")
"""Seconds of CPU in one clock tick: the floor of the idle ratio's denominator, per minute."""
START_TIMEOUT = 300.0
QUIET_SAMPLE = 0.25  # seconds between two CPU readings when waiting for a process to go quiet
QUIET_CPU = 0.002  # CPU seconds within one sample below which a process counts as quiet

BARE = r"""
import shutil, signal, sys
from pathlib import Path
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

inbox, taken, interval = sys.argv[1], sys.argv[2], float(sys.argv[3])


class Take(FileSystemEventHandler):
    def on_created(self, event):
        self.take(event.src_path, event.is_directory)

    def on_moved(self, event):
        self.take(event.dest_path, event.is_directory)

    def take(self, path, is_directory):
        if taken and not is_directory:
            try:
                shutil.move(path, Path(taken) / Path(path).name)
            except OSError:
                pass


signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
observer = PollingObserver(timeout=interval) if interval > 0 else Observer()
observer.schedule(Take(), inbox, recursive=True)
observer.start()
print("ready", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
observer.stop()
observer.join()
"""


# --- a child process and what it costs --------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time of every live thread of `pid` (scheduler statistics, in nanoseconds)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):  # a thread that just ended
            continue
    return total / 1e9


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def wait_until(condition: Callable[[], bool], what: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.002)


def wait_quiet(pid: int, timeout: float = START_TIMEOUT) -> float:
    """Wait until `pid` used (almost) no CPU for one sample; returns when (monotonic)."""
    end = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while time.monotonic() < end:
        time.sleep(QUIET_SAMPLE)
        now = cpu_seconds(pid)
        if now - before < QUIET_CPU:
            return time.monotonic()
        before = now
    raise TimeoutError(f"process {pid} never went quiet")


@contextmanager
def child(command: list[str], ready: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`command` running until the block ends, once `ready` is in its output (kept in `log`)."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(
            lambda: ready in log.read_text(errors="replace") or process.poll() is not None,
            f"{command[:4]} to start",
            START_TIMEOUT,
        )
        if process.poll() is not None:
            raise RuntimeError(f"{command[:4]} ended: {log.read_text(errors='replace')[-600:]}")
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def watch_command(root: Path, state: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "watch", str(root), "--state", str(state), *options]


def bare_command(root: Path, taken: Path | None, interval: float) -> list[str]:
    inbox = str(root / "inbox")
    return [sys.executable, "-c", BARE, inbox, str(taken or ""), str(interval)]


# --- idle -------------------------------------------------------------------------------------


def idle_ratio(root: Path, state: Path, seconds: float = 60) -> dict[str, float]:
    """Idle CPU seconds per minute of `pipeline watch` and of a bare watchdog observer on the
    same folders, both running (and idle) over the same `seconds`, and their ratio."""
    with tempfile.TemporaryDirectory() as work:
        logs = Path(work)
        with (
            child(watch_command(root, state), "watching ", logs / "watch.log") as watcher,
            child(bare_command(root, None, 0.0), "ready", logs / "bare.log") as bare,
        ):
            wait_quiet(watcher.pid)
            wait_quiet(bare.pid)
            start = {p.pid: cpu_seconds(p.pid) for p in (watcher, bare)}
            time.sleep(seconds)
            used = {p.pid: cpu_seconds(p.pid) - start[p.pid] for p in (watcher, bare)}
            rss = peak_rss_mb(watcher.pid)
    per_minute = 60 / seconds
    idle, plain = used[watcher.pid] * per_minute, used[bare.pid] * per_minute
    return {
        "idle_cpu_s_per_min": idle,
        "bare_cpu_s_per_min": plain,
        "idle_ratio": max(idle, CLOCK_TICK) / max(plain, CLOCK_TICK),
        "watcher_rss_mb": rss,
    }


# --- polling latency --------------------------------------------------------------------------


class Dropper:
    """Makes a fresh disposition letter in a scratch folder and renames it into the inbox."""

    def __init__(self, root: Path, scratch: Path) -> None:
        self.inbox = root / "inbox" / DISPOSITION_FOLDER
        self.scratch = scratch
        self.count = 0

    def drop(self) -> Path:
        self.count += 1
        name = f"Disposisi uji latensi {os.getpid()}-{self.count}.docx"
        made = self.scratch / name
        doc = Document()
        doc.add_heading("LEMBAR DISPOSISI", level=1)
        doc.add_paragraph("Surat dari: Inspektorat Kabupaten — permintaan data kinerja")
        doc.add_paragraph(f"Nomor agenda: {time.time_ns()}-{self.count}")
        doc.add_paragraph("Diteruskan kepada: Sekretaris Dinas")
        doc.save(str(made))
        dropped = self.inbox / name
        made.replace(dropped)
        return dropped


def latencies(pid: int, dropper: Dropper, interval: float, runs: int) -> list[float]:
    """Seconds from each drop to its being taken; the drops spread evenly over the period."""
    taken_at = _take(dropper, math.inf)  # warms up; its time is the phase reference
    found = []
    for index in range(runs):
        quiet = wait_quiet(pid)
        periods = max(1, math.ceil((quiet - taken_at) / interval))
        time.sleep(max(0.0, taken_at + (periods + (index + 0.5) / runs) * interval - quiet))
        start = time.monotonic()
        taken_at = _take(dropper, START_TIMEOUT)
        found.append(taken_at - start)
    return found


def _take(dropper: Dropper, timeout: float) -> float:
    path = dropper.drop()
    wait_until(lambda: not path.exists(), f"{path.name} taken", min(timeout, START_TIMEOUT))
    return time.monotonic()


def polling_ratio(
    root: Path, state: Path, interval: float = 1.0, runs: int = 5
) -> dict[str, float]:
    """Median seconds (as ms) from a drop to its being taken by `pipeline watch --polling` and
    by a bare PollingObserver with the same interval, and their ratio."""
    with tempfile.TemporaryDirectory() as work:
        scratch = Path(work)
        (scratch / "taken").mkdir()
        dropper = Dropper(root, scratch)
        command = bare_command(root, scratch / "taken", interval)
        with child(command, "ready", scratch / "bare.log") as bare:
            plain = latencies(bare.pid, dropper, interval, runs)
        options = ("--polling", "--poll-interval", str(interval))
        with child(watch_command(root, state, *options), "watching ", scratch / "w.log") as watch:
            wait_quiet(watch.pid)
            ours = latencies(watch.pid, dropper, interval, runs)
    polled, bare_ms = statistics.median(ours) * 1000, statistics.median(plain) * 1000
    return {"polling_ms": polled, "bare_polling_ms": bare_ms, "polling_ratio": polled / bare_ms}


# --- alone ------------------------------------------------------------------------------------


def _fresh_share(work: Path) -> tuple[Path, Path]:
    root, state = work / "share", work / "state"
    subprocess.run(
        [sys.executable, "-m", "pipeline", "init", str(root), "--state", str(state)],
        check=True,
        capture_output=True,
    )
    return root, state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="idle window")
    parser.add_argument("--interval", type=float, default=1.0, help="poll interval")
    parser.add_argument("--runs", type=int, default=5, help="polled drops per side")
    parser.add_argument("--root", type=Path, help="an existing share (default: a fresh one)")
    parser.add_argument("--state", type=Path, help="its state folder (with --root)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        if args.root is None:
            root, state = _fresh_share(Path(work))
        else:
            root, state = args.root, args.state or args.root.parent / "state"
        idle = idle_ratio(root, state, args.seconds)
        print(f"idle CPU over {args.seconds:.0f} s, per minute: watcher "
              f"{idle['idle_cpu_s_per_min'] * 1000:.1f} ms, bare observer "
              f"{idle['bare_cpu_s_per_min'] * 1000:.1f} ms; ratio {idle['idle_ratio']:.2f}x "
              f"(floor {CLOCK_TICK * 1000:.0f} ms/min); watcher peak RSS "
              f"{idle['watcher_rss_mb']:.1f} MB")  # fmt: skip
        polled = polling_ratio(root, state, args.interval, args.runs)
        print(f"drop taken with polling every {args.interval:g} s, median of {args.runs}: "
              f"watcher {polled['polling_ms']:.0f} ms, bare PollingObserver "
              f"{polled['bare_polling_ms']:.0f} ms; ratio {polled['polling_ratio']:.2f}x")  # fmt: skip
        print(
            f"RESULT idle_ratio={idle['idle_ratio']:.2f} polling_ratio={polled['polling_ratio']:.2f}"
            f" watcher_rss_mb={idle['watcher_rss_mb']:.1f}"
        )


if __name__ == "__main__":
    main()
