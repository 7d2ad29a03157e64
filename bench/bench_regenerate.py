"""Benchmark: `pipeline regenerate --all` with 2 worker processes against 1, on one share.

Run by hand (never as a timed test):

    python bench/bench_regenerate.py                      # 1,000 cases, 3 runs each
    python bench/bench_regenerate.py --cases 200 --runs 3
    python bench/bench_regenerate.py --keep /tmp/share-1000   # build once, keep it
    python bench/bench_regenerate.py --share /tmp/share-1000  # reuse a kept share

The share is built by driving the real runner with real files, case by case, as staff would:
the disposition (Word), the five bidang forms (Excel, filled from the issued ones), and for
most cases (`--closed`, default 0.8) the analyst's reviewed draft, both paraf and a signed scan,
so the case is filed in the archive; the rest wait with draft v1 (the open cases regenerate a
new version through the normal flow). Nothing writes journal rows directly; only the fsync of
the files is skipped while building (the measured runs sync as always).

Each run regenerates everything the same way: the state folder is restored from a pristine copy
before the run, the output goes to a fresh `--out` folder, and what the run added to the share's
own folders (new draft versions of open cases) is moved out of the share after it. Nothing is
deleted between the measured runs, and the runs start after a settling pause (`--settle`,
default 60 s): on ext4 without a journal (as on the machines this is measured on) a freed inode
is not reused for one to six minutes, and every file created meanwhile pays for scanning past
the freed ones. Deleting a run's 3,000 files right before the next run made that run slower by
up to half, more so with two workers, which create files side by side. What was kept aside is
deleted when the measurements are done. The run is the real command
line in its own process (`pipeline regenerate ROOT --all --workers N`), timed twice: the
command itself, from the call of the command line's `main` to its return, and the whole process
(with the interpreter's start and the command line's imports, about a second that is the same
for both). Printed: the median of each and the ratios w1/w2 (goal at 1,000 cases on two cores:
>= 1.6).

`regen_ratio(root, state, runs)` measures a share someone else built (bench_scale.py); the
share's journal is left as it was.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.app import App, open_app
from pipeline.share import prepare_share
from pipeline.store.journal import JOURNAL_FILE, Journal
from tests.support.pdfs import quick_pdf
from tests.support.staff import Staff, disposition_docx

SHARE_FOLDERS = ("outbox", "berkas")  # where a run puts new draft versions of open cases
SETTLE_SECONDS = 60.0  # ext4 without a journal reuses a freed inode after 60 s once synced
PERIOD = "Triwulan III 2026"


# --- building a share ---------------------------------------------------------------------------


def accepted(app: App, path: Path) -> None:
    outcome = app.runner.process(path)
    if outcome.value != "accepted":
        raise RuntimeError(f"{path.name} was not accepted: {outcome.value}")


def play_case(app: App, staff: Staff, number: int, close: bool) -> None:
    """One case through the runner: opened, data in; if `close`, initialled, signed, filed."""
    letter = staff.scratch / f"Disposisi {PERIOD} berkas {number:05d}.docx"
    disposition_docx(letter, f"{PERIOD} (agenda {number})")  # each letter its own content
    accepted(app, staff.drop(letter, "kepala-dinas/disposisi-data-kinerja"))
    case = app.journal.case_ids()[-1]
    for bidang in app.settings.office.bidang:
        accepted(app, staff.isi_formulir(case, bidang.slug))
    if not close:
        return
    accepted(app, staff.telaah_draf(case, 1))
    sop = app.settings.sop_of(case)
    assert sop is not None
    for role in sop.paraf_roles():
        accepted(app, staff.paraf(case, role))
    accepted(app, staff.tanda_tangan(case))


def build_share(work: Path, cases: int, closed: float) -> tuple[Path, Path]:
    """A share of `cases` cases played through the real runner; returns (root, state)."""
    settings = prepare_share(work / "share", work / "state", settle_seconds=0.0)
    app = open_app(settings, to_pdf=quick_pdf)
    app.runner.on_change = lambda case_id: None  # the status board is not kept while building
    staff = Staff(settings, work / "meja")
    to_close = round(cases * closed)
    start = time.perf_counter()
    try:
        with unsynced_files():
            for n in range(cases):
                play_case(app, staff, n, close=_spread(n, cases, to_close))
                if (n + 1) % 100 == 0:
                    print(f"  built {n + 1}/{cases} cases ({time.perf_counter() - start:.0f} s)")
    finally:
        app.close()
    os.sync()  # the built share is on disk before anything is measured on it
    shutil.rmtree(work / "meja", ignore_errors=True)  # before the settling pause
    return settings.root, settings.state_dir


@contextmanager
def unsynced_files() -> Iterator[None]:
    """While building (not measured), files are written without fsync; the runner does all
    else as always (and SQLite still syncs its journal)."""
    synced = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = synced


def _spread(n: int, cases: int, to_close: int) -> bool:
    """Closed and open cases interleaved evenly (as they accumulate in an office)."""
    return (n * to_close) // cases != ((n + 1) * to_close) // cases


# --- measuring ----------------------------------------------------------------------------------


def _files(root: Path) -> set[Path]:
    return {p for folder in SHARE_FOLDERS for p in (root / folder).rglob("*") if p.is_file()}


DRIVER = (
    "import sys, time\n"
    "from pipeline.cli import main\n"
    "start = time.perf_counter()\n"
    "code = main(sys.argv[1:])\n"
    "print(f'COMMAND_SECONDS {time.perf_counter() - start}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)
"""The command line's own `main`, timed from its call to its return (after the imports)."""


@dataclass(frozen=True)
class Timing:
    command: float  # main() of the command line, called to returned
    process: float  # the whole process: interpreter start, imports, the command
    cpu: float  # CPU seconds of the process and its workers (user + system)


def timed_run(root: Path, pristine: Path, work: Path, workers: int) -> Timing:
    """One `pipeline regenerate --all --workers N` from a pristine state, in its own process;
    `work` is a new folder, and what the run adds to the share is moved into `work/held`
    (nothing is deleted here, see the module's text)."""
    state, out = work / "state", work / "out"
    shutil.copytree(pristine, state)
    before = _files(root)
    argv = [sys.executable, "-c", DRIVER, "regenerate", str(root), "--state", str(state)]
    argv += ["--all", "--workers", str(workers), "--out", str(out), "-q"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    used = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    process = time.perf_counter() - start
    cpu = _children_cpu() - used
    held = work / "held"
    held.mkdir()
    for n, added in enumerate(sorted(_files(root) - before)):
        shutil.move(added, held / f"{n}{added.suffix}")  # a rename on the share's file system
    said = [line for line in done.stderr.splitlines() if line.startswith("COMMAND_SECONDS ")]
    if done.returncode != 0 or not said:
        raise RuntimeError(f"regenerate failed ({done.returncode}): {done.stderr[-2000:]}")
    return Timing(float(said[-1].split()[1]), process, cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    root: Path, state: Path, runs: int, settle: float = SETTLE_SECONDS
) -> dict[int, list[Timing]]:
    """`runs` timings each of 1 and 2 workers, run alternately, on the share at `root` (its
    state folder `state` is left as it is: every run starts from a copy), after `settle`
    seconds of pause with the disks synced."""
    times: dict[int, list[Timing]] = {1: [], 2: []}
    # beside the share, so that moving what a run added is a rename, never a copy and delete
    with tempfile.TemporaryDirectory(prefix=".bench-regenerate-", dir=root.parent) as tmp:
        pristine = Path(tmp) / "pristine"
        shutil.copytree(state, pristine, ignore=shutil.ignore_patterns("work", "*.lock"))
        Journal(pristine / JOURNAL_FILE).close()  # any schema migration done before timing
        os.sync()
        time.sleep(settle)
        for run in range(runs):
            for workers in (1, 2):
                work = Path(tmp) / f"run-{run}-{workers}"
                times[workers].append(timed_run(root, pristine, work, workers))
    return times


def ratios(times: dict[int, list[Timing]]) -> dict[str, float]:
    w1, w2 = (statistics.median(t.command for t in times[n]) for n in (1, 2))
    p1, p2 = (statistics.median(t.process for t in times[n]) for n in (1, 2))
    return {
        "regen_w1_s": w1, "regen_w2_s": w2, "regen_ratio": w1 / w2,
        "regen_w1_process_s": p1, "regen_w2_process_s": p2, "regen_process_ratio": p1 / p2,
    }  # fmt: skip


def regen_ratio(
    root: Path, state: Path, runs: int = 5, settle: float = SETTLE_SECONDS
) -> dict[str, float]:
    """Median seconds of `regenerate --all` with 1 and with 2 workers on the share at `root`
    (state folder `state`, left as it is), run alternately, and their ratio: of the command
    itself (`regen_w1_s`, `regen_w2_s`, `regen_ratio`) and of the whole process, with the
    interpreter's start and the command line's imports (`..._process...`)."""
    return ratios(measure(root, state, runs, settle))


# --- the command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--closed", type=float, default=0.8, help="share of cases filed")
    parser.add_argument("--keep", type=Path, help="build the share here and keep it")
    parser.add_argument("--share", type=Path, help="a share built before with --keep")
    parser.add_argument(
        "--settle", type=float, default=SETTLE_SECONDS, help="seconds of pause before the runs"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-regenerate-share-") as tmp:
        if args.share:
            root, state = args.share / "share", args.share / "state"
        else:
            work = args.keep or Path(tmp)
            print(f"building a share of {args.cases} cases through the runner ...")
            start = time.perf_counter()
            root, state = build_share(work, args.cases, args.closed)
            print(f"built in {time.perf_counter() - start:.0f} s")
        cases = len(list((root / "berkas").iterdir()))
        print(f"regenerate --all on {cases} cases, {os.cpu_count()} CPUs; {args.runs} runs each")
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        print(f"settling for {args.settle:.0f} s (see the module's text)")
        times = measure(root, state, args.runs, args.settle)
    print(f"load average after:  {os.getloadavg()[0]:.2f} (other work on the machine skews w2)")
    for workers, timings in times.items():
        shown = "  ".join(f"{t.command:.2f}/{t.process:.2f}/{t.cpu:.2f}" for t in timings)
        print(f"  --workers {workers} runs (command/process/CPU s): {shown}")
    result = ratios(times)
    print("                command   whole process (median seconds)")
    print(f"  --workers 1  {result['regen_w1_s']:7.2f}   {result['regen_w1_process_s']:7.2f}")
    print(f"  --workers 2  {result['regen_w2_s']:7.2f}   {result['regen_w2_process_s']:7.2f}")
    print(
        f"ratio w1/w2:  {result['regen_ratio']:7.2f}   {result['regen_process_ratio']:7.2f}"
        "   (goal >= 1.6 at 1,000 cases, 2 cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
