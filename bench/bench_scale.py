"""Cost against history: a drop, the board and the watcher on shares of 0, 1,000 and 10,000 cases.

Builds each share by driving the real runner with real files, one case after another through
all ten steps (disposition, five bidang forms, the analyst's draft, two paraf, the signed PDF;
filed as a BagIt bag and distributed), on a simulated office clock: one case a day, so the
history spans years as it does in an office. Ten cases stay open at different steps: the last
ten of the first build; a share grown later keeps the same ten, by then long overdue, as an
office keeps a few abandoned cases.
Nothing writes journal rows directly; every case is a run of `Runner.process` on files in the
inbox. To build fast, file bytes are made once and reused: the filled bidang forms and the
disposition are real Office files made once, in which only the case number (and the year of the
period) is replaced per case; the analyst's review is made with python-docx; the paraf drops
are the issued files; the signed PDF is the issued signing copy with a PAdES signature (TTE)
of a test CA the share trusts. LibreOffice is not run: the signing copy is made by the tests'
quick PDF maker (every line of the final draft set in Helvetica), so the PDF, its seal and the
signature check are real; LibreOffice's own time is measured by bench_render.py.

Then, on each share, a few more cases are played (after one that warms the app up), timing
every drop end to end (median of the runs, and the ratio against the empty share measured in
the same run) and, within it, what the runner calls after each drop to refresh the views (the
board, STATUS.txt, the mail queue); also a rewrite of the whole board from the journal and a
load of every case. Peak RSS of `pipeline watch --once` and of `pipeline regenerate --all
--dry-run` is read from child processes. Figures of sibling benches are added when their
modules are present, else "n/a": verify and regenerate on the share of 1,000 cases (built in
the run, so every bag is signed under the run's CA; regenerate as the median of five runs each
of 1 and 2 workers, after a settling pause, see bench_regenerate.py), the idle watcher and
polling latency on the largest. The last line is machine-readable.

    python bench/bench_scale.py [--cases 1000] [--runs 5] [--keep DIR] [--work DIR]

`--keep DIR` builds the largest share in DIR and leaves it there; run again with the same DIR
and the share is reused (and extended if `--cases` asks for more). `--profile FILE` writes a
cProfile of one more case played on the largest share (after the timed ones, not timed).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # this checkout's pipeline and tests/support, however installed
    sys.path.insert(0, str(ROOT))

import pipeline
from pipeline.app import App, open_app
from pipeline.demo import disposition_docx, fill_form, review_draft
from pipeline.settings import Settings
from pipeline.share import prepare_share
from tests.support import pki
from tests.support.pdfs import quick_pdf

SIZES = (0, 1_000, 10_000)
OPEN_CASES = 10
HEADLINE = ("paraf", "form", "signed PDF")
MARKER = "bench-scale.json"
SIGNER_FILE = "bench-signer.json"
TEMPLATE_YEAR = 2026
TEMPLATE_CASE = f"DK-{TEMPLATE_YEAR}-001"
WIB = ZoneInfo("Asia/Jakarta")


# --- the office clock ---------------------------------------------------------------------------


class OfficeClock:
    """The time the pipeline reads: set by the bench before each drop."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# --- files made once, reused with the case number replaced --------------------------------------


def _zip_members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return [(info, source.read(info)) for info in source.infolist()]


def _rezip(members: list[tuple[zipfile.ZipInfo, bytes]], swaps: dict[bytes, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, body in members:
            for old, new in swaps.items():
                body = body.replace(old, new)
            target.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@dataclass
class Templates:
    """Real Office files made once: the disposition and each bidang's filled form."""

    letter: list[tuple[zipfile.ZipInfo, bytes]]
    forms: dict[str, list[tuple[zipfile.ZipInfo, bytes]]]

    @classmethod
    def make(cls, work: Path) -> Templates:
        settings = prepare_share(work / "share", work / "state", settle_seconds=0.0)
        clock = OfficeClock(datetime(TEMPLATE_YEAR, 3, 2, 8, tzinfo=settings.tz))
        app = open_app(settings, clock=clock, to_pdf=quick_pdf)
        try:
            docx = work / "disposisi.docx"
            disposition_docx(docx, f"Tahun {TEMPLATE_YEAR} agenda 000000")
            drop = settings.root / f"inbox/{_opening_folder(settings)}/Disposisi.docx"
            shutil.copyfile(docx, drop)
            assert app.runner.process(drop).value == "accepted"
            forms = {}
            for bidang in settings.office.bidang:
                issued = _one(settings.root / "outbox/bidang" / bidang.slug, "*.xlsx")
                filled = work / f"{bidang.slug}.xlsx"
                fill_form(issued, filled, bidang)
                forms[bidang.slug] = _zip_members(filled.read_bytes())
        finally:
            app.close()
        return cls(_zip_members(docx.read_bytes()), forms)

    def disposition(self, serial: int, year: int) -> bytes:
        return _rezip(
            self.letter,
            {
                b"agenda 000000": f"agenda {serial:06d}".encode(),
                f"Tahun {TEMPLATE_YEAR}".encode(): f"Tahun {year}".encode(),
            },
        )

    def form(self, slug: str, case_id: str) -> bytes:
        year = case_id.split("-")[1]
        return _rezip(
            self.forms[slug],
            {
                TEMPLATE_CASE.encode(): case_id.encode(),
                f"Tahun {TEMPLATE_YEAR}".encode(): f"Tahun {year}".encode(),
            },
        )


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {folder}: {found}"
    return found[0]


def _opening_folder(settings: Settings) -> str:
    sop = next(s for s in settings.sops if s.kode == "DK")
    return f"{sop.stages[0].role}/{sop.stages[0].folder}"


# --- one share ----------------------------------------------------------------------------------


@dataclass
class Share:
    """A share being built: its app on the office clock, and how far the build got."""

    root: Path
    state: Path
    templates: Templates
    signer: tuple[pki.Issued, pki.Issued]
    span: int  # days of history planned: the first case comes this many days before today
    app: App = field(init=False)
    clock: OfficeClock = field(init=False)
    settings: Settings = field(init=False)
    meta: dict[str, Any] = field(init=False)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refreshes: list[float] = field(default_factory=list)  # the views, after each drop

    def __post_init__(self) -> None:
        self.settings = prepare_share(self.root, self.state, settle_seconds=0.0)
        marker = self.state / MARKER
        self.meta = (
            json.loads(marker.read_text())
            if marker.exists()
            else {
                "cases": 0,
                "day": 0,
                "serial": 0,
                "open": [],
                "start": _start(self.span).isoformat(),
            }
        )
        ca, _ = self.signer
        pki.write_trust_roots(self.root / "config/sertifikat", ca)
        self.clock = OfficeClock(datetime.fromisoformat(self.meta["start"]))
        self.open_app()

    def open_app(self) -> None:
        """The app on the office clock; what the runner calls after each drop to refresh the
        views (the board, STATUS.txt, the archive list, the mail queue) is timed."""
        self.app = open_app(self.settings, clock=self.clock, to_pdf=quick_pdf)
        after_each_drop = self.app.runner.on_change

        def timed(*case: Any) -> None:
            began = time.perf_counter()
            after_each_drop(*case)
            self.refreshes.append(time.perf_counter() - began)

        self.app.runner.on_change = timed

    def save(self) -> None:
        (self.state / MARKER).write_text(json.dumps(self.meta))

    def close(self) -> None:
        self.save()
        self.app.close()

    @property
    def cases(self) -> int:
        return int(self.meta["cases"])

    # --- one case, step by step ---------------------------------------------------------------

    def day(self, day: int) -> datetime:
        return datetime.fromisoformat(self.meta["start"]) + timedelta(days=day)

    def drop(self, folder: str, name: str, data: bytes, kind: str | None) -> None:
        path = self.root / "inbox" / folder / name
        path.write_bytes(data)
        began = time.perf_counter()
        result = self.app.runner.process(path)
        took = time.perf_counter() - began
        assert result.value == "accepted", f"{name} in {folder}: {result.value}"
        if kind:
            self.timings[kind].append(took)

    def disposition(self) -> tuple[str, str, bytes, datetime]:
        """The next day's disposition: its folder, name, bytes and the morning it comes."""
        day, serial = int(self.meta["day"]), int(self.meta["serial"]) + 1
        self.meta["day"], self.meta["serial"] = day + 1, serial
        morning = self.day(day)
        year = morning.astimezone(self.settings.tz).year
        name = f"Disposisi Data Kinerja Tahun {year} agenda {serial:06d}.docx"
        return (
            _opening_folder(self.settings),
            name,
            self.templates.disposition(serial, year),
            morning,
        )

    def opened_by(self, folder: str, name: str) -> str:
        self.meta["cases"] = self.cases + 1
        [record] = self.app.journal.accepted_drops(folder, name)
        assert record.case_id is not None
        return record.case_id

    def open_case(self, timed: bool = False) -> tuple[str, datetime]:
        """Drop a disposition on the next day; returns the case it opened and that morning."""
        folder, name, data, morning = self.disposition()
        self.clock.now = morning
        self.drop(folder, name, data, "disposisi" if timed else None)
        return self.opened_by(folder, name), morning

    def advance(
        self, case_id: str, morning: datetime, stop_after: int = 6, timed: bool = False
    ) -> None:
        """Carry an open case through its stages up to `stop_after` (6 = signed and filed)."""
        steps: list[Callable[[str, bool], None]] = [
            lambda c, t: self._forms(c, t, 3),
            lambda c, t: self._forms(c, t, None),
            self._draft,
            lambda c, t: self._paraf(c, t, "kasubag-ppmep", "paraf"),
            lambda c, t: self._paraf(c, t, "sekretaris", "paraf + signing copy"),
            self._sign,
        ]
        for hour, step in enumerate(steps[:stop_after], start=1):
            self.clock.now = morning + timedelta(hours=hour)
            step(case_id, timed)

    def play(self, stop_after: int = 6, timed: bool = False) -> str:
        """One case from the disposition on, up to stage `stop_after` (6 = filed)."""
        case_id, morning = self.open_case(timed)
        self.advance(case_id, morning, stop_after, timed)
        return case_id

    def _forms(self, case_id: str, timed: bool, upto: int | None) -> None:
        slugs = [b.slug for b in self.settings.office.bidang]
        todo = slugs[:upto] if upto else slugs[3:]
        for slug in todo:
            last = slug == slugs[-1]
            kind = ("last form (+ draft v1)" if last else "form") if timed else None
            name = f"{case_id} Formulir Data Kinerja {slug}.xlsx"
            self.drop(f"bidang/{slug}", name, self.templates.form(slug, case_id), kind)

    def _draft(self, case_id: str, timed: bool) -> None:
        draft = self.root / "outbox/analis" / f"{case_id} Draf v1.docx"
        reviewed = self.state / "desk.docx"
        review_draft(draft, reviewed)
        data = reviewed.read_bytes()
        self.drop("analis/draf", f"{case_id} Draf v2.docx", data, "draft" if timed else None)

    def _paraf(self, case_id: str, timed: bool, role: str, kind: str) -> None:
        final = _one(self.root / "outbox" / role, f"{case_id} Draf Final *.docx")
        self.drop(f"{role}/paraf", final.name, final.read_bytes(), kind if timed else None)

    def _sign(self, case_id: str, timed: bool) -> None:
        copy = self.root / "outbox/kepala-dinas" / f"{case_id} Untuk Ditandatangani.pdf"
        ca, signer = self.signer
        signed = pki.sign_pdf(copy.read_bytes(), signer, ca, self.state)
        name = f"{case_id} Ditandatangani.pdf"
        self.drop("kepala-dinas/tanda-tangan", name, signed, "signed PDF" if timed else None)

    # --- building -----------------------------------------------------------------------------

    def build(self, target: int, report: Callable[[str], None]) -> float:
        """Play cases until the share holds `target`; the last OPEN_CASES stay open."""
        began, done = time.perf_counter(), self.cases
        keep_open = 0 if self.meta["open"] else min(OPEN_CASES, target)
        while self.cases < target - keep_open:
            self.play()
            if self.cases % 100 == 0:
                self.save()
                rate = (self.cases - done) / (time.perf_counter() - began)
                report(f"  built {self.cases:,} cases ({rate:.2f} cases/s)")
        while self.cases < target and keep_open:
            self.meta["open"] = [*self.meta["open"], self.play(stop_after=self.cases % 6)]
        return time.perf_counter() - began


def _start(span: int) -> datetime:
    """The first case's morning: `span` days ago, so that the history ends about today."""
    first = datetime.now(WIB) - timedelta(days=span)
    return first.replace(hour=8, minute=0, second=0, microsecond=0)


# --- measuring ----------------------------------------------------------------------------------


def _median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


@dataclass
class Figures:
    drops: dict[str, float]
    board_ms: float
    board_full_ms: float
    load_all_ms: float


def measure(share: Share, runs: int, profile: cProfile.Profile | None = None) -> Figures:
    """Play `runs` cases, timing every drop, after one untimed case that warms the app up
    (templates parsed, first imports), so that no share pays for a cold start; then, if asked,
    one more case under the profiler (not timed)."""
    share.play()
    share.timings.clear()
    board: list[float] = []
    full: list[float] = []
    load: list[float] = []
    for _ in range(runs):
        share.refreshes.clear()
        share.play(timed=True)
        board += share.refreshes
        share.app.status.write()  # brings what follows a filing (the Daftar Arsip) up to date
        began = time.perf_counter()
        share.app.status.write()  # the whole board and every STATUS.txt, from the journal
        full.append(time.perf_counter() - began)
        journal = share.app.journal
        began = time.perf_counter()
        cases = [journal.case(c) for c in journal.case_ids()]
        load.append(time.perf_counter() - began)
        assert all(cases)
    drops = {kind: _median_ms(values) for kind, values in share.timings.items()}
    if profile is not None:
        with _profiled(profile):
            share.play()
    return Figures(drops, _median_ms(board), _median_ms(full), _median_ms(load))


@contextmanager
def _profiled(profile: cProfile.Profile | None) -> Iterator[None]:
    if profile is None:
        yield
        return
    profile.enable()
    try:
        yield
    finally:
        profile.disable()


RSS_SNIPPET = """
import runpy, sys
sys.argv = ["pipeline", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("pipeline", run_name="__main__")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
with open("/proc/self/status") as status:
    print(*(line for line in status if line.startswith("VmHWM")))
sys.exit(code)
"""


def peak_rss_mb(args: list[str]) -> float:
    """Peak resident memory (VmHWM, reset by exec) of one `pipeline …` command, in MiB, run
    with the same code as this bench."""
    code = str(Path(pipeline.__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", RSS_SNIPPET, *args],
        capture_output=True, text=True, check=False, env=os.environ | {"PYTHONPATH": path},
        cwd=code,
    )  # fmt: skip
    found = [line for line in done.stdout.splitlines() if line.startswith("VmHWM")]
    if done.returncode != 0 or not found:
        print(f"  ({args[0]} failed: {(done.stdout + done.stderr).strip()[-300:]})")
        return float("nan")
    return int(found[-1].split()[1]) / 1024


def watcher_rss(share: Share) -> float:
    """`pipeline watch --once` opening a case on the share (which is then played to its end)."""
    folder, name, data, _ = share.disposition()
    (share.root / "inbox" / folder / name).write_bytes(data)
    share.app.close()
    try:
        return peak_rss_mb(["watch", str(share.root), "--state", str(share.state), "--once"])
    finally:
        share.open_app()
        share.advance(share.opened_by(folder, name), datetime.now(WIB))


def regenerate_rss(share: Share) -> float:
    args = ["regenerate", str(share.root), "--state", str(share.state), "--all", "--dry-run"]
    return peak_rss_mb(args)


# --- sibling benches ----------------------------------------------------------------------------

SIBLINGS = (
    ("bench_verify", "verify_ratios", ("verify_ratio", "verify_full_ratio", "verify_vs_bagit", "verify_mb_s")),
    ("bench_regenerate", "regen_ratio", ("regen_w1_s", "regen_w2_s", "regen_ratio")),
    ("bench_idle", "idle_ratio", ("idle_ratio", "watcher_rss_mb")),
    ("bench_idle", "polling_ratio", ("polling_ratio",)),
)  # fmt: skip


def sibling(module: str, function: str, root: Path, state: Path) -> dict[str, Any]:
    """The figures of a sibling bench module, or {} when it is absent."""
    try:
        found = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return {}
    try:
        return dict(found(root, state))
    except Exception as exc:  # a sibling's failure must not hide this bench's figures
        print(f"  {module}.{function} failed: {exc!r}")
        return {}


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    return f"{value:.2f}{unit}" if isinstance(value, float) else f"{value}{unit}"


# --- the run ------------------------------------------------------------------------------------


def _report_drops(figures: dict[int, Figures]) -> dict[str, float]:
    sizes = sorted(figures)
    base = figures[sizes[0]]
    kinds = list(base.drops)
    print("\nper-drop cost, median ms (ratio to the empty share)")
    print(f"  {'drop':28s}" + "".join(f"{n:>22,}" for n in sizes))
    ratios: dict[str, float] = {}
    for kind in kinds:
        cells = []
        for n in sizes:
            ms = figures[n].drops.get(kind, float("nan"))
            ratio = ms / base.drops[kind]
            cells.append(f"{ms:10.1f} ({ratio:5.2f}x)")
            if kind in HEADLINE:
                ratios[kind] = ratio
        print(f"  {kind:28s}" + "".join(f"{c:>22s}" for c in cells))
    for label, attr in (
        ("views after one drop", "board_ms"),
        ("whole board + every STATUS", "board_full_ms"),
        ("load every case", "load_all_ms"),
    ):
        cells = [f"{getattr(figures[n], attr):10.1f} ms" for n in sizes]
        print(f"  {label:28s}" + "".join(f"{c:>22s}" for c in cells))
    return ratios


def _signer(state: Path) -> tuple[pki.Issued, pki.Issued]:
    """The test CA and the Head's certificate, kept with the share (a kept share grown over
    several runs must keep trusting the CA its earlier bags were signed under)."""
    kept = state / SIGNER_FILE
    if kept.exists():
        ca, signer = (pki.Issued(c.encode(), k.encode()) for c, k in json.loads(kept.read_text()))
        return ca, signer
    ca = pki.make_ca()
    pair = (ca, pki.make_signer(ca))
    state.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps([[i.cert_pem.decode(), i.key_pem.decode()] for i in pair]))
    return pair


def _built(folder: Path) -> int:
    """How many cases a kept share already holds (0 when there is none)."""
    marker = folder / "state" / MARKER
    return int(json.loads(marker.read_text())["cases"]) if marker.exists() else 0


def _share_for(
    n: int, largest: int, runs: int, kept: Path, work: Path, templates: Templates, signer: Any
) -> Share:
    """The share measured at `n` cases: the kept one, grown to `n`, unless it already holds
    more than `n` and the few cases measurements add (`runs` + 2 a run, at most 1 % of `n`
    over several runs), i.e. a kept share from an earlier, larger run; then a fresh one of `n`
    cases is built beside it, so that each column is measured at the size it names."""
    extra = max(runs + 2, n // 100)
    folder = kept if _built(kept) <= n + extra else work / f"share-{n}"
    return Share(folder / "share", folder / "state", templates, signer, largest + 60)


def run(args: argparse.Namespace) -> None:
    logging.disable(logging.WARNING)  # one line per expected warning would drown the figures
    largest = args.cases
    sizes = sorted({s for s in SIZES if s <= largest} | {largest})
    work = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=args.work))
    kept = args.keep.resolve() if args.keep else work / "largest"
    signer = _signer(kept / "state")
    print(f"building shares of {', '.join(f'{n:,}' for n in sizes)} cases ({args.runs} runs each)")
    templates = Templates.make(work / "templates")
    figures: dict[int, Figures] = {}
    extra: dict[str, Any] = {}
    try:
        empty = Share(work / "empty/share", work / "empty/state", templates, signer, largest + 60)
        figures[0] = measure(empty, args.runs)
        empty.close()
        profile = cProfile.Profile() if args.profile else None
        for n in sizes[1:]:
            share = _share_for(n, largest, args.runs, kept, work, templates, signer)
            took = share.build(n, print)
            print(f"  share of {share.cases:,} cases ready (built in {took:.0f} s)")
            figures[n] = measure(share, args.runs, profile if n == largest else None)
            if n == min(1_000, largest):  # verify and regenerate are measured at 1,000 cases
                share.app.close()  # they open the share themselves
                for module, function, _ in SIBLINGS[:2]:
                    extra |= sibling(module, function, share.root, share.state)
                share.open_app()
            if n != largest:
                share.close()
        if profile is not None:
            profile.dump_stats(args.profile)
        extra["watch_rss"] = watcher_rss(share)
        extra["regen_rss"] = regenerate_rss(share)
        share.close()
        for module, function, _ in SIBLINGS[2:]:  # the watcher, idle and polling, at the largest
            extra |= sibling(module, function, share.root, share.state)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratios = _report_drops(figures)
    print(f"\npeak RSS at {largest:,} cases: watcher {_fmt(extra['watch_rss'], ' MB')}, "
          f"regenerate --dry-run {_fmt(extra['regen_rss'], ' MB')}")  # fmt: skip
    for _, _, keys in SIBLINGS:
        print("  " + ", ".join(f"{k}={_fmt(extra.get(k))}" for k in keys))
    drop_ratio = max(ratios.values()) if ratios else float("nan")
    print(
        f"RESULT drop_ratio={drop_ratio:.2f} board_ms={figures[largest].board_ms:.1f}"
        f" verify_ratio={_fmt(extra.get('verify_ratio'))}"
        f" regen_ratio={_fmt(extra.get('regen_ratio'))}"
        f" idle_ratio={_fmt(extra.get('idle_ratio'))}"
        f" polling_ratio={_fmt(extra.get('polling_ratio'))}"
        f" rss_mb={_fmt(extra['watch_rss'])}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000, help="the largest share")
    parser.add_argument("--runs", type=int, default=5, help="cases timed on each share")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the largest share here")
    parser.add_argument("--work", type=Path, help="folder for the temporary shares")
    parser.add_argument("--profile", type=Path, help="cProfile of the drops on the largest share")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
