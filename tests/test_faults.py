"""Crash safety of the real `pipeline watch` process.

A crash at any named point of any stage (SOP_PIPELINE_CRASH_AT), or a SIGKILL at any random
moment of a busy watcher, followed by a restart, ends in the same state as an uninterrupted run:
no lost input, no half-written output under a final name, no duplicate case, version or drop.
"""

from __future__ import annotations

import random
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.documents.pdfconvert import soffice_path
from pipeline.watching.faults import CRASH_EXIT_CODE, POINTS
from tests.support.faults import (
    PARAF_ROLES,
    Desk,
    Dropped,
    Site,
    audit,
    closed_cases,
    committed_paths,
    drop,
    kill_hard,
    leftovers,
    picture,
    rows,
    run_once,
    start_watch,
    stop_gently,
)
from tests.support.staff import wait_for
from tests.support.watching import stopped_at_the_end

pytestmark = pytest.mark.slow

ACCEPTED = ("after-outputs", "after-commit", "after-move")
SCENARIOS: dict[str, tuple[str, ...]] = {
    "disposisi": ACCEPTED,
    "data-bidang": ACCEPTED,
    "data-lengkap": ACCEPTED,  # the last bidang form: the draft is rendered
    "draf": ACCEPTED,
    "paraf-kasubag-ppmep": ACCEPTED,
    "paraf-sekretaris": ACCEPTED,  # the signing copy is made (LibreOffice)
    "tanda-tangan": ("after-outputs", "after-archive", "after-commit", "after-move"),
    "ditolak": ("after-reason",),
}
CASES = [(stage, point) for stage, points in SCENARIOS.items() for point in points]


# --- named crash points ---------------------------------------------------------------------


@dataclass
class Story:
    """One case played without crashes, one drop at a time: for each scenario the share just
    before its drop is handled (`before`) and just after (`after`)."""

    base: Path
    desk: Desk
    site: Site
    before: dict[str, Site] = field(default_factory=dict)
    after: dict[str, Site] = field(default_factory=dict)

    def play(self, name: str, put: Callable[[Site], None], *, record: bool = True) -> None:
        before = self.site.copy_to(self.base / f"{name}-before")
        put(before)
        after = before.copy_to(self.base / f"{name}-after")
        done = run_once(after)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "rejected" not in done.stdout or name == "ditolak", done.stdout
        if record:
            self.before[name], self.after[name] = before, after
        self.site = after

    @property
    def case(self) -> str:
        return str(rows(self.site, "SELECT id FROM cases")[0][0])


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    base = tmp_path_factory.mktemp("story")
    desk = Desk(base / "desk")
    tale = Story(base, desk, Site.create(base / "start"))
    tale.play(
        "disposisi",
        lambda s: drop(s, desk.disposition("01"), "kepala-dinas/disposisi-data-kinerja"),
    )
    first, *middle, last = tale.site.settings().office.bidang
    for name, b in [("data-bidang", first), *((b.slug, b) for b in middle), ("data-lengkap", last)]:
        tale.play(
            name,
            lambda s, b=b: drop(s, desk.form(s, tale.case, b.slug), f"bidang/{b.slug}"),
            record=name in SCENARIOS,
        )
    tale.play("draf", lambda s: drop(s, desk.reviewed(s, tale.case), "analis/draf"))
    for role in PARAF_ROLES:
        tale.play(
            f"paraf-{role}", lambda s, r=role: drop(s, desk.paraf(s, tale.case, r), f"{r}/paraf")
        )
    tale.play("tanda-tangan", lambda s: drop(s, desk.signed(s, tale.case), _TTD))
    tale.play("ditolak", _drop_a_note)
    return tale


_TTD = "kepala-dinas/tanda-tangan"


def _drop_a_note(site: Site) -> None:
    note = site.root.parent / "catatan.txt"
    note.write_text("ini bukan draf\n", encoding="utf-8")
    drop(site, note, "analis/draf")


def test_every_named_crash_point_is_exercised() -> None:
    assert {point for points in SCENARIOS.values() for point in points} == set(POINTS)


def _interrupted(site: Site) -> bool:
    """The crash left its drop unfinished: still in the inbox, or its move not yet recorded."""
    in_inbox = any(p.is_file() for p in (site.root / "inbox").rglob("*"))
    return in_inbox or bool(rows(site, "SELECT id FROM drops WHERE moved = 0"))


@pytest.mark.parametrize(("scenario", "point"), CASES)
def test_a_crash_at_a_named_point_ends_as_an_uninterrupted_run(
    story: Story, scenario: str, point: str, tmp_path: Path
) -> None:
    site = story.before[scenario].copy_to(tmp_path)
    crashed = run_once(site, crash_at=point)
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stdout + crashed.stderr
    assert _interrupted(site)

    again = run_once(site)
    assert again.returncode == 0, again.stdout + again.stderr
    if point in {"after-commit", "after-move"}:
        assert "recovered: 1" in again.stdout
    assert picture(site) == picture(story.after[scenario])
    assert leftovers(site.root) == []


# --- SIGKILL at random moments --------------------------------------------------------------

KILL_CASES = 8
KILLS = 30
SEED = 3415
IDLE_KILL = 3.0  # seconds without a drop after which it is killed anyway
# stage: (chance of a kill while it handles a drop, longest offset into the handling in s);
# paraf includes the LibreOffice conversion, tanda_tangan the signature check and the bag
KILL_AIM = {"disposisi": (0.4, 0.2), "paraf": (0.4, 2.0), "tanda_tangan": (0.8, 0.6)}
KILL_AIM_DEFAULT = (0.3, 0.05)
SETTLE_WAIT = 150.0


@dataclass
class Staff:
    """Staff at work on a live share: each acts once on each output the journal has committed."""

    site: Site
    desk: Desk
    dispositions: list[tuple[float, Path]]
    dropped: list[Dropped] = field(default_factory=list)
    done: set[tuple[str, ...]] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def work(self, stop: threading.Event) -> None:
        start = time.monotonic()
        while not stop.wait(0.05):
            try:
                self.turn(time.monotonic() - start)
            except Exception as exc:  # a file replaced under our feet: look again next turn
                self.errors.append(repr(exc))

    def turn(self, elapsed: float) -> None:
        while self.dispositions and self.dispositions[0][0] <= elapsed:
            _, letter = self.dispositions.pop(0)
            self.act(("disposisi", letter.name), letter, "kepala-dinas/disposisi-data-kinerja")
        committed = committed_paths(self.site)
        for case in sorted({p.split("/")[1] for p in committed if p.startswith("berkas/")}):
            self.answer(case, committed)

    def answer(self, case: str, committed: set[str]) -> None:
        site, desk, keluar = self.site, self.desk, f"berkas/{case}/keluar"
        for b in site.settings().office.bidang:
            if f"{keluar}/{case} Formulir Data Kinerja {b.slug}.xlsx" in committed:
                self.act(
                    ("form", case, b.slug),
                    lambda b=b: desk.form(site, case, b.slug),
                    f"bidang/{b.slug}",
                )
        if f"{keluar}/{case} Draf v1.docx" in committed:
            self.act(("draf", case), lambda: desk.reviewed(site, case), "analis/draf")
        for role in PARAF_ROLES:
            if f"outbox/{role}/{case} Draf Final v2 untuk paraf.docx" in committed:
                self.act(
                    ("paraf", case, role), lambda r=role: desk.paraf(site, case, r), f"{role}/paraf"
                )
        if any(p.startswith(f"{keluar}/{case} Untuk Ditandatangani.") for p in committed):
            self.act(("ttd", case), lambda: desk.signed(site, case), _TTD)

    def act(self, key: tuple[str, ...], make: Path | Callable[[], Path], folder: str) -> None:
        if key in self.done:
            return
        source = make if isinstance(make, Path) else make()
        self.dropped.append(drop(self.site, source, folder))
        self.done.add(key)


@dataclass
class Killer:
    """Runs `pipeline watch` and SIGKILLs it, mostly while it handles a drop (at a random offset
    into the handling), otherwise once it has been idle for a while; one log file per run."""

    site: Site
    folder: Path
    rng: random.Random
    runs: list[Path] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.runs.append(self.folder / f"run-{len(self.runs):02d}.log")
        self.process = start_watch(self.site, self.runs[-1], "--settle", "0.2", "--rescan", "5")

    def kill_soon(self) -> None:
        """Wait for a kill moment, SIGKILL the watcher and start it again."""
        self._wait_for_moment()
        assert self.process is not None
        kill_hard(self.process)
        self.start()

    def _wait_for_moment(self) -> None:
        seen, end = len(self._handlings()), time.monotonic() + IDLE_KILL
        while time.monotonic() < end:
            handlings = self._handlings()
            if len(handlings) > seen:
                seen = len(handlings)
                chance, offset = KILL_AIM.get(handlings[-1].rsplit(" as ", 1)[-1], KILL_AIM_DEFAULT)
                if self.rng.random() < chance:
                    time.sleep(self.rng.uniform(0.0, offset))
                    return
            time.sleep(0.02)

    def stop(self) -> int:
        """SIGTERM once the watcher is up (its handler is installed), as systemd stops it."""
        assert self.process is not None
        wait_for(lambda: " watching " in self._text(), "the watcher started", 60)
        return stop_gently(self.process)

    def _text(self) -> str:
        return self.runs[-1].read_text(errors="replace") if self.runs[-1].exists() else ""

    def _handlings(self) -> list[str]:
        return [line for line in self._text().splitlines() if " handling " in line]

    def count(self, needle: str) -> int:
        return sum(p.read_text(errors="replace").count(needle) for p in self.runs if p.exists())

    def hits(self) -> Counter[str]:
        """What each kill interrupted: the stage of a drop being handled, or nothing."""
        return Counter(_interrupted_stage(p.read_text(errors="replace")) for p in self.runs[:-1])


def _interrupted_stage(text: str) -> str:
    lines = [line for line in text.splitlines() if " pipeline." in line]
    handled = [i for i, line in enumerate(lines) if " handling " in line]
    finished = [i for i, line in enumerate(lines) if " accepted " in line or " rejected " in line]
    if handled and (not finished or handled[-1] > finished[-1]):
        return lines[handled[-1]].rsplit(" as ", 1)[-1]
    return "between drops"


@pytest.fixture
def staff_at_work(tmp_path: Path) -> Iterator[Staff]:
    rng = random.Random(SEED)
    site = Site.create(tmp_path / "live")
    desk = Desk(tmp_path / "desk")
    letters = [
        (i * 2.5 + rng.uniform(0, 2), desk.disposition(f"{i:02d}")) for i in range(KILL_CASES)
    ]
    staff = Staff(site, desk, letters)
    with stopped_at_the_end(staff.work, "staff"):
        yield staff


def test_sigkill_at_random_moments_loses_and_doubles_nothing(
    staff_at_work: Staff, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = staff_at_work.site
    killer = Killer(site, tmp_path, random.Random(SEED))
    killer.start()
    for _ in range(KILLS):
        killer.kill_soon()
    end = time.monotonic() + SETTLE_WAIT
    while len(closed_cases(site)) < KILL_CASES and time.monotonic() < end:
        time.sleep(0.2)
    assert killer.stop() == 0
    final = run_once(site)
    assert final.returncode == 0, final.stdout + final.stderr

    problems = audit(site, staff_at_work.dropped, cases=KILL_CASES, closed=KILL_CASES)
    if soffice_path():
        problems += [
            f"signing copy made without LibreOffice: {p.name}"
            for p in site.root.glob("berkas/*/keluar/* Untuk Ditandatangani.docx")
        ]
    assert problems == [], "\n".join(problems)
    per_case = 1 + len(site.settings().office.bidang) + 1 + len(PARAF_ROLES) + 1
    assert len(staff_at_work.dropped) == KILL_CASES * per_case
    hits = killer.hits()
    with capsys.disabled():
        print(
            f"\nkill loop: {KILLS} SIGKILLs survived; kill points: "
            + ", ".join(f"{stage} {n}" for stage, n in hits.most_common())
            + f"; on restart {killer.count('finished interrupted move')} interrupted moves were"
            f" finished and {killer.count('left by an interrupted run')} temporaries removed;"
            f" {KILL_CASES} cases closed once, {len(staff_at_work.dropped)} drops kept once"
        )
    assert sum(hits.values()) == KILLS
