"""The Samba test harness, and the design's key claim about it.

Uploads through a real smbd land byte-identical in the shared folder, and on the machine that
owns the disk inotify reports a close-after-write (watchdog `FileClosedEvent`) for every SMB
upload, only after its bytes are written, except that a pre-sized upload also closes once while
it is still all zeros, which `looks_complete` must catch.
"""

from __future__ import annotations

import io
import os
import random
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from watchdog.events import FileClosedEvent, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from pipeline.inputs.content import looks_complete
from tests.support.samba import SambaServer, live_group_members

pytestmark = pytest.mark.samba

EVENT_WAIT = 10.0


@pytest.fixture
def samba(tmp_path: Path) -> Iterator[SambaServer]:
    with SambaServer.running(tmp_path / "root", tmp_path / "smb") as server:
        yield server


class Recorder(FileSystemEventHandler):
    """Logs every event (and, for closes, whether the file looked complete at that moment)."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, bool | None]] = []
        self.changed = threading.Condition()

    def on_any_event(self, event: FileSystemEvent) -> None:
        path = os.fsdecode(event.src_path)
        complete = looks_complete(Path(path)) if isinstance(event, FileClosedEvent) else None
        self.mark(type(event).__name__, path, complete)

    def mark(self, kind: str, path: str, complete: bool | None = None) -> None:
        with self.changed:
            self.log.append((kind, path, complete))
            self.changed.notify_all()

    def closes(self, path: Path) -> list[bool | None]:
        with self.changed:
            return [c for kind, p, c in self.log if kind == "FileClosedEvent" and p == str(path)]

    def wait_for_closes(self, path: Path, count: int) -> list[bool | None]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.closes(path)) >= count, timeout=EVENT_WAIT)
        return self.closes(path)

    def kinds(self, path: Path) -> list[str]:
        with self.changed:
            return [kind for kind, p, _ in self.log if p == str(path)]


@pytest.fixture
def recorder(samba: SambaServer) -> Iterator[Recorder]:
    handler = Recorder()
    observer = Observer()
    observer.schedule(handler, str(samba.root), recursive=True)
    observer.start()
    try:
        yield handler
    finally:
        observer.stop()
        observer.join(timeout=10)
    assert not observer.is_alive()


def _xlsx(extra: int = 0) -> bytes:
    """A real workbook; with `extra`, plus an incompressible embedded part of that size."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["IKU", "Satuan", "Target", "Realisasi"])
    for row in range(300):
        sheet.append([f"Indikator {row}", "%", 90, 80 + row % 20])
    buffer = io.BytesIO()
    book.save(buffer)
    if extra:
        payload = random.Random(34).randbytes(extra)
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("xl/media/pindaian.bin", payload, zipfile.ZIP_STORED)
    return buffer.getvalue()


def test_smbclient_put_lands_byte_identical(samba: SambaServer, tmp_path: Path) -> None:
    data = _xlsx(extra=300_000)
    local = tmp_path / "formulir bidang.xlsx"
    local.write_bytes(data)
    (samba.root / "inbox").mkdir()
    samba.put(local, "inbox/formulir bidang.xlsx")
    assert (samba.root / "inbox" / "formulir bidang.xlsx").read_bytes() == data


def test_rename_through_the_share(samba: SambaServer, tmp_path: Path) -> None:
    local = tmp_path / "a.pdf"
    local.write_bytes(b"%PDF-1.7\n%%EOF\n")
    samba.put(local, "~WRL0001.tmp")
    samba.rename("~WRL0001.tmp", "ttd.pdf")
    assert not (samba.root / "~WRL0001.tmp").exists()
    assert (samba.root / "ttd.pdf").read_bytes() == local.read_bytes()


def test_smbclient_put_ends_with_a_close_after_write(
    samba: SambaServer, recorder: Recorder, tmp_path: Path
) -> None:
    local = tmp_path / "capaian.xlsx"
    local.write_bytes(_xlsx(extra=1_000_000))
    target = samba.root / "capaian.xlsx"
    samba.put(local, "capaian.xlsx")
    assert recorder.wait_for_closes(target, 1) == [True]
    assert target.read_bytes() == local.read_bytes()
    assert recorder.kinds(target)[0] == "FileCreatedEvent"


def test_chunked_upload_closes_only_after_its_last_chunk(
    samba: SambaServer, recorder: Recorder
) -> None:
    data = _xlsx(extra=3_000_000)
    target = samba.root / "besar.xlsx"
    seen_partial: list[bool] = []

    def at_pause(written: int, total: int) -> None:
        recorder.mark("chunk", str(target))
        if written < total:
            seen_partial.append(looks_complete(target))

    samba.put_in_chunks(data, "besar.xlsx", chunk=512 * 1024, pause=0.05, on_pause=at_pause)
    assert recorder.wait_for_closes(target, 1) == [True]
    assert target.read_bytes() == data
    assert seen_partial and not any(seen_partial)
    kinds = recorder.kinds(target)
    last_chunk = len(kinds) - 1 - kinds[::-1].index("chunk")
    assert "FileClosedEvent" not in kinds[:last_chunk], kinds


def test_presized_upload_closes_while_still_zeros(samba: SambaServer, recorder: Recorder) -> None:
    data = _xlsx(extra=2_000_000)
    target = samba.root / "dipesan.xlsx"
    at_pause: list[tuple[int, bool]] = []

    def check(written: int, total: int) -> None:
        recorder.wait_for_closes(target, 1)
        at_pause.append((target.stat().st_size, looks_complete(target)))

    samba.put_presized(data, "dipesan.xlsx", pause=0.05, on_pause=check)
    assert at_pause == [(len(data), False)]  # full size, not complete
    assert recorder.wait_for_closes(target, 2)[-1] is True
    assert target.read_bytes() == data
    assert recorder.closes(target)[0] is False  # the sizing handle's close: still zeros


def test_presized_in_one_handle_closes_once_complete(
    samba: SambaServer, recorder: Recorder
) -> None:
    data = _xlsx(extra=2_000_000)
    target = samba.root / "satu-handle.xlsx"
    at_pause: list[tuple[int, bool]] = []

    def check(written: int, total: int) -> None:
        at_pause.append((target.stat().st_size, looks_complete(target)))

    samba.put_presized(data, "satu-handle.xlsx", pause=0.05, on_pause=check, reopen=False)
    assert at_pause == [(len(data), False)]
    assert recorder.wait_for_closes(target, 1) == [True]
    assert target.read_bytes() == data


def test_server_stops_cleanly(tmp_path: Path) -> None:
    with SambaServer.running(tmp_path / "root", tmp_path / "smb") as server:
        port = server.port
        assert server.process is not None
        pid = server.process.pid
    assert live_group_members(pid) == []
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_server_that_cannot_start_fails_with_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setattr("tests.support.samba._free_port", lambda: port)
        with (
            pytest.raises(pytest.fail.Exception, match="smbd exited at start") as failed,
            SambaServer.running(tmp_path / "root", tmp_path / "smb"),
        ):
            pass
    assert "smbd version" in str(failed.value)
