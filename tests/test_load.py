"""Load: many drops arriving at the same instant, against the real watcher thread.

20 bidang forms dropped at once, and 100 cases in flight (100 dispositions at once, then all
their forms at once), finish with nothing lost or doubled. The elapsed times are printed for
the record, never asserted (benchmarks live in bench/).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.settings import defaults_dir
from tests.support.faults import (
    PARAF_ROLES,
    TTD,
    Desk,
    Dropped,
    Site,
    audit,
    closed_cases,
    committed_paths,
    drop,
    rows,
    watching,
)
from tests.support.pdfs import quick_pdf
from tests.support.staff import wait_for

pytestmark = pytest.mark.slow

BIDANG_BLOCK = """
[[bidang]]
slug = "bidang-{n:02d}"
nama = "Bidang Uji {n:02d}"
[[bidang.iku]]
kode = "B{n:02d}-01"
indikator = "Capaian layanan {n}"
satuan = "%"
target = 90
polaritas = "naik"
[[bidang.iku]]
kode = "B{n:02d}-02"
indikator = "Keluhan yang belum selesai {n}"
satuan = "kasus"
target = 4
polaritas = "turun"
"""


def office_with(count: int) -> str:
    """The shipped kantor.toml with its bidang replaced by `count` generated ones."""
    text = (defaults_dir() / "config" / "kantor.toml").read_text(encoding="utf-8")
    head, rest = text.split("[[bidang]]", 1)
    tail = rest[rest.index("[[penerima]]") :]
    return head + "".join(BIDANG_BLOCK.format(n=n) for n in range(1, count + 1)) + "\n" + tail


def drop_at_once(site: Site, files: list[tuple[Path, str]]) -> list[Dropped]:
    """Copy every file into its inbox folder from its own thread, all released together."""
    gate = threading.Barrier(len(files))
    dropped: list[Dropped | None] = [None] * len(files)

    def one(index: int, source: Path, folder: str) -> None:
        gate.wait(timeout=30)
        dropped[index] = drop(site, source, folder)

    threads = [
        threading.Thread(target=one, args=(i, source, folder), name=f"staff-{i}")
        for i, (source, folder) in enumerate(files)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(d is not None for d in dropped)
    return [d for d in dropped if d is not None]


def timed(what: str, condition: Callable[[], object], timeout: float) -> float:
    start = time.monotonic()
    wait_for(condition, what, timeout)
    return time.monotonic() - start


def test_twenty_bidang_forms_dropped_at_the_same_instant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = Site.create(tmp_path / "site", kantor=office_with(20))
    desk = Desk(tmp_path / "desk")
    bidang = site.settings().office.bidang
    assert len(bidang) == 20
    with watching(site, polling=False, settle=0.2) as watcher:
        dropped = [drop(site, desk.disposition("20"), "kepala-dinas/disposisi-data-kinerja")]
        wait_for(lambda: rows(site, "SELECT id FROM cases"), "the case opened", 60)
        (case,) = (c for (c,) in rows(site, "SELECT id FROM cases"))
        forms = [(desk.form(site, case, b.slug), f"bidang/{b.slug}") for b in bidang]
        dropped += drop_at_once(site, forms)
        draft = f"berkas/{case}/keluar/{case} Draf v1.docx"
        took = timed("the draft", lambda: draft in committed_paths(site), 120)
        assert watcher.results["rejected"] == 0

    problems = audit(site, dropped, cases=1, closed=0)
    assert problems == [], "\n".join(problems)
    assert rows(site, "SELECT COUNT(*) FROM bidang_data WHERE case_id = ?", (case,)) == [(20,)]
    assert rows(site, "SELECT version, source FROM drafts") == [(1, "pipeline")]
    with capsys.disabled():
        print(f"\nload: 20 bidang forms dropped at once, all accepted and draft v1 in {took:.1f} s")


CASES = 100


def no_pdf(data: bytes, name: str) -> bytes | None:
    """Quick text PDFs for the signing copies: 100 LibreOffice runs are not the point here."""
    return quick_pdf(data, name)


@dataclass
class Wave:
    """Drops one kind of file for every case at once and waits for the pipeline's answer."""

    site: Site
    dropped: list[Dropped] = field(default_factory=list)
    timings: list[str] = field(default_factory=list)

    def __call__(self, label: str, files: list[tuple[Path, str]], done: Callable[[], bool]) -> None:
        self.dropped += drop_at_once(self.site, files)
        took = timed(label, done, 300)
        self.timings.append(f"{len(files)} {label} {took:.1f} s")


def test_a_hundred_cases_in_flight(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = Site.create(tmp_path / "site", kantor=office_with(2))
    desk, wave = Desk(tmp_path / "desk"), Wave(site)
    bidang = site.settings().office.bidang
    letters = [
        (desk.disposition(f"{n:03d}"), "kepala-dinas/disposisi-data-kinerja") for n in range(CASES)
    ]
    with watching(site, polling=False, settle=0.2, to_pdf=no_pdf) as watcher:
        wave("dispositions", letters, lambda: _count(site, "cases") == CASES)
        ids = [c for (c,) in rows(site, "SELECT id FROM cases")]
        forms = [(desk.form(site, c, b.slug), f"bidang/{b.slug}") for c in ids for b in bidang]
        wave("forms", forms, lambda: _count(site, "drafts") == CASES)
        drafts = [(desk.reviewed(site, c), "analis/draf") for c in ids]
        wave("reviewed drafts", drafts, lambda: _events(site, "draf_diterima") == CASES)
        for role in PARAF_ROLES:
            copies = [(desk.paraf(site, c, role), f"{role}/paraf") for c in ids]
            wave(f"paraf {role}", copies, lambda r=role: _events(site, f"paraf:{r}") == CASES)
        signed = [(desk.signed(site, c), TTD) for c in ids]
        wave("signed records", signed, lambda: len(closed_cases(site)) == CASES)
        assert watcher.results["rejected"] == 0

    problems = audit(site, wave.dropped, cases=CASES, closed=CASES)
    assert problems == [], "\n".join(problems)
    assert len(set(ids)) == CASES
    assert rows(site, "SELECT COUNT(DISTINCT case_id), MAX(version) FROM drafts") == [(CASES, 2)]
    with capsys.disabled():
        print(
            f"\nload: {CASES} cases in flight, each wave dropped at once: "
            + "; ".join(wave.timings)
        )


def _count(site: Site, table: str) -> int:
    return int(rows(site, f"SELECT COUNT(*) FROM {table}")[0][0])


def _events(site: Site, name: str) -> int:
    return int(rows(site, "SELECT COUNT(*) FROM events WHERE name = ?", (name,))[0][0])
