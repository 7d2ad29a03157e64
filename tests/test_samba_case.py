"""A whole case uploaded through a real Samba server, the pipeline watching the server's folder
with native events (as it runs on the file server itself).

The drops arrive the ways Windows PCs send them: a big disposition written in chunks with
pauses, a bidang form pre-sized with zeros before its bytes come, an Excel-style and a Word-style
save (temporary name, then an SMB rename), a paraf copy while its Office lock file sits beside
it. Each is processed exactly once, at its close (or rename), never half-written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import pytest

from tests.support.faults import Desk, Site, WholeCase, audit, rows, sha256, watching
from tests.support.samba import SambaServer
from tests.support.staff import wait_for

pytestmark = pytest.mark.samba


@dataclass
class SmbCourier:
    """Uploads through the SMB server: `smbclient` for plain copies and renames, smbprotocol
    for chunked and pre-sized writes."""

    server: SambaServer
    scratch: Path
    serial: Iterator[int] = field(default_factory=count)

    def put(self, data: bytes, remote: str) -> None:
        local = self.scratch / f"upload-{next(self.serial)}"
        local.write_bytes(data)
        self.server.put(local, remote)

    def put_in_chunks(self, data: bytes, remote: str, chunk: int, pause: float) -> None:
        self.server.put_in_chunks(data, remote, chunk=chunk, pause=pause)

    def put_presized(self, data: bytes, remote: str, pause: float) -> None:
        self.server.put_presized(data, remote, pause=pause)

    def rename(self, old: str, new: str) -> None:
        self.server.rename(old, new)

    def delete(self, remote: str) -> None:
        self.server.smbclient(f'del "{remote.replace("/", chr(92))}"')


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site.create(tmp_path / "site")


@pytest.fixture
def samba(site: Site, tmp_path: Path) -> Iterator[SambaServer]:
    with SambaServer.running(site.root, tmp_path / "smb") as server:
        yield server


@pytest.fixture
def courier(samba: SambaServer, tmp_path: Path) -> SmbCourier:
    (tmp_path / "pc").mkdir()
    return SmbCourier(samba, tmp_path / "pc")


def _waits(caplog: pytest.LogCaptureFixture, name: str) -> int:
    return sum(
        name in r.getMessage() and "not complete yet" in r.getMessage() for r in caplog.records
    )


def test_a_whole_case_through_samba_is_processed_exactly_once(
    site: Site, courier: SmbCourier, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pipeline.watching.watcher")
    with watching(site, polling=False) as watcher:
        play = WholeCase(site, Desk(tmp_path / "desk"), courier, watcher.intake, pause=0.7)
        case = play.play()
        assert watcher.results["rejected"] == 0

    problems = audit(site, play.dropped, cases=1, closed=1)
    assert problems == [], "\n".join(problems)
    disposition, presized = play.dropped[0], play.dropped[1]
    # probed at most in the instant between its creation and its first bytes, never while
    # its chunks arrive: a written file waits for its close
    assert _waits(caplog, disposition.name) <= 1, "a chunked upload was probed before its close"
    assert _waits(caplog, presized.name) >= 1, "the zeros' close was not retried"
    kept = site.root / "berkas" / case / "masuk"
    assert sha256(next(kept.glob(f"01 disposisi - {disposition.name}"))) == disposition.sha256
    signed = play.dropped[-1]
    copies = sorted((site.root / "outbox" / "distribusi").glob(f"*/{case} *.pdf"))
    assert len(copies) == len(site.settings().office.penerima)
    assert {sha256(c) for c in copies} == {signed.sha256}
    assert list(site.root.glob(f"archive/*/{case}/data/masuk/09 tanda tangan - *.pdf"))


def test_a_drop_uploaded_while_the_watcher_was_down_is_taken_at_start(
    site: Site, courier: SmbCourier, tmp_path: Path
) -> None:
    letter = Desk(tmp_path / "desk").disposition("malam")
    courier.put(letter.read_bytes(), f"inbox/kepala-dinas/disposisi-data-kinerja/{letter.name}")
    with watching(site, polling=False):
        wait_for(lambda: rows(site, "SELECT id FROM cases"), "the case opened", 60)
    assert rows(site, "SELECT name, outcome, moved FROM drops") == [(letter.name, "accepted", 1)]
