"""Intake decisions: ignored names, Office locks, mounts, stability, completeness, back-off."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfWriter

from pipeline.intake import (
    RetryPolicy,
    StabilityTracker,
    backoff,
    is_ignored,
    is_network_mount,
    is_temp_name,
    looks_complete,
    mount_type,
    office_lock_names,
    office_lock_present,
    temp_name,
)

# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "~$capaian.xlsx",
        "~$RM-IKU.XLSX",
        ".~lock.capaian.xlsx#",
        "upload.tmp",
        "~WRL0003.tmp",
        "data.xlsx.part",
        "data.xlsx.filepart",
        "data.xlsx.crdownload",
        "._capaian.xlsx",
        ".DS_Store",
        "Thumbs.db",
        "THUMBS.DB",
        "desktop.ini",
        "Desktop.INI",
        ".hidden.docx",
        "A1B2C3D4",
        "",
    ],
)
def test_is_ignored_names_that_are_never_drops(name: str) -> None:
    assert is_ignored(name)


@pytest.mark.parametrize(
    "name",
    [
        "capaian.xlsx",
        "Formulir Bidang Layanan.xlsx",
        "draf~v2.docx",
        "tmp.docx",
        "partner.pdf",
        "desktop.ini.pdf",
        "DK-2026-001.pdf",
        "laporan$.docx",
    ],
)
def test_is_ignored_keeps_real_drops(name: str) -> None:
    assert not is_ignored(name)


def test_temp_name_sits_beside_the_final_name_and_is_ignored(tmp_path: Path) -> None:
    final = tmp_path / "archive" / "DK-2026-001.pdf"
    first, second = temp_name(final), temp_name(final)
    assert first.parent == final.parent
    assert first != second
    assert first.name.startswith(".DK-2026-001.pdf.tmp-")
    assert is_temp_name(first.name)
    assert is_ignored(first.name)
    assert not is_temp_name(final.name)


# --- Office locks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "lock"),
    [
        ("OfficeReport.docx", "~$ficeReport.docx"),  # Word drops two characters of long names
        ("name.docx", "~$me.docx"),
        ("Laporan.docx", "~$aporan.docx"),  # one character dropped
        ("ab.docx", "~$ab.docx"),  # short name kept whole
        ("capaian.xlsx", "~$capaian.xlsx"),  # Excel keeps the full name
        ("capaian.xlsx", ".~lock.capaian.xlsx#"),  # LibreOffice
        ("Capaian.XLSX", "~$capaian.xlsx"),  # Windows compares without case
    ],
)
def test_office_lock_beside_a_file_is_found(tmp_path: Path, document: str, lock: str) -> None:
    target = tmp_path / document
    target.write_bytes(b"x")
    assert not office_lock_present(target)
    (tmp_path / lock).write_bytes(b"owner")
    assert office_lock_present(target)


def test_office_lock_of_another_file_does_not_hold_a_drop(tmp_path: Path) -> None:
    target = tmp_path / "capaian.xlsx"
    target.write_bytes(b"x")
    (tmp_path / "~$lain.xlsx").write_bytes(b"owner")
    (tmp_path / ".~lock.capaian.docx#").write_bytes(b"owner")
    assert not office_lock_present(target)


def test_office_lock_in_a_missing_folder_is_absent(tmp_path: Path) -> None:
    assert not office_lock_present(tmp_path / "gone" / "capaian.xlsx")


def test_office_lock_names_are_all_ignored() -> None:
    for lock in office_lock_names("Formulir Capaian Bidang.xlsx"):
        assert is_ignored(lock)


# --- mounts ---------------------------------------------------------------------------------

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
//fileserver/share /mnt/share cifs rw,vers=3.1.1 0 0
/dev/sdb1 /mnt/share/local ext4 rw 0 0
nas:/export /srv/nfs nfs4 rw 0 0
user@host:/x /home/u/remote fuse.sshfs rw 0 0
//fs/with\\040space /mnt/with\\040space smb3 rw 0 0
tmpfs /srv/nfs/tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/mnt/share/inbox/analis", True),
        ("/mnt/share", True),
        ("/mnt/share/local/inbox", False),  # a local disk mounted inside the share
        ("/mnt/shared", False),  # a sibling with a common string prefix
        ("/srv/nfs/x", True),
        ("/srv/nfs/tmp/x", False),
        ("/home/u/remote/inbox", True),
        ("/mnt/with space/inbox", True),
        ("/var/lib/sop-pipeline", False),
    ],
)
def test_is_network_mount_uses_the_longest_mount_point(path: str, expected: bool) -> None:
    assert is_network_mount(Path(path), MOUNTS) is expected


def test_later_mount_on_the_same_point_wins() -> None:
    table = "/dev/sda1 / ext4 rw 0 0\n/dev/sdb /data ext4 rw 0 0\n//s/x /data cifs rw 0 0\n"
    assert mount_type(Path("/data/inbox"), table) == "cifs"


def test_mount_type_reads_the_real_mount_table() -> None:
    assert mount_type(Path("/proc/self")) == "proc"
    assert not is_network_mount(Path("/proc/self"))


# --- stability ------------------------------------------------------------------------------


def test_stability_needs_an_unchanged_size_and_mtime_for_the_settle_time() -> None:
    tracker = StabilityTracker(settle_seconds=2.0)
    path = Path("inbox/analis/draf/draf.docx")
    assert not tracker.observe(path, 100, 1, now=10.0)
    assert not tracker.observe(path, 200, 2, now=11.0)  # still growing
    assert not tracker.observe(path, 200, 2, now=12.5)
    assert tracker.observe(path, 200, 2, now=13.0)
    assert not tracker.observe(path, 200, 3, now=13.5)  # touched again: start over
    assert tracker.observe(path, 200, 3, now=15.5)


def test_stability_tracks_each_path_apart_and_forgets() -> None:
    tracker = StabilityTracker(settle_seconds=1.0)
    a, b = Path("a.xlsx"), Path("b.xlsx")
    tracker.observe(a, 1, 1, now=0.0)
    tracker.observe(b, 1, 1, now=0.5)
    assert tracker.observe(a, 1, 1, now=1.0)
    assert not tracker.observe(b, 1, 1, now=1.0)
    tracker.forget(a)
    assert len(tracker) == 1
    assert not tracker.observe(a, 1, 1, now=1.1)


def test_stability_rejects_a_negative_settle_time() -> None:
    with pytest.raises(ValueError):
        StabilityTracker(-1)


# --- completeness ---------------------------------------------------------------------------


def _xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["IKU", "Satuan", "Target", "Realisasi"])
    for row in range(200):
        sheet.append([f"Indikator {row}", "%", 80 + row % 20, 75 + row % 25])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _docx_bytes() -> bytes:
    document = docx.Document()
    for number in range(50):
        document.add_paragraph(f"Paragraf draf nomor {number}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _png_bytes() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"


MAKERS = {
    "capaian.xlsx": _xlsx_bytes,
    "draf.docx": _docx_bytes,
    "ttd.pdf": _pdf_bytes,
    "scan.png": _png_bytes,
    "foto.jpg": _jpeg_bytes,
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_looks_complete_accepts_a_whole_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(MAKERS[name]())
    assert looks_complete(path)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_looks_complete_refuses_a_presized_file_until_it_is_filled(
    tmp_path: Path, name: str
) -> None:
    data = MAKERS[name]()
    path = tmp_path / name
    with path.open("wb") as stream:
        stream.truncate(len(data))
    assert not looks_complete(path)
    with path.open("r+b") as stream:
        stream.write(data[: len(data) // 2])
    assert not looks_complete(path)
    with path.open("r+b") as stream:
        stream.write(data)
    assert looks_complete(path)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_looks_complete_refuses_a_truncated_file(tmp_path: Path, name: str) -> None:
    data = MAKERS[name]()
    path = tmp_path / name
    path.write_bytes(data[: len(data) - 40])
    assert not looks_complete(path)


def test_looks_complete_refuses_a_zip_with_a_hole_in_the_middle(tmp_path: Path) -> None:
    # writes that land out of order: the end (central directory) is there, a member is not
    data = bytearray(_xlsx_bytes())
    path = tmp_path / "capaian.xlsx"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        offset = archive.infolist()[-1].header_offset
    data[offset : offset + 64] = bytes(64)
    path.write_bytes(bytes(data))
    assert not looks_complete(path)


@pytest.mark.parametrize("name", ["catatan.txt", "data.csv", "tanpa-akhiran"])
def test_looks_complete_accepts_other_types(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(bytes(100))
    assert looks_complete(path)


def test_looks_complete_is_false_for_an_empty_or_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "kosong.pdf"
    empty.write_bytes(b"")
    assert not looks_complete(empty)
    assert not looks_complete(tmp_path / "hilang.xlsx")


def test_looks_complete_judges_by_suffix_without_case(tmp_path: Path) -> None:
    path = tmp_path / "CAPAIAN.XLSX"
    path.write_bytes(b"not a zip at all")
    assert not looks_complete(path)


# --- retry ----------------------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(first=0.5, factor=2, cap=4)
    assert [policy.backoff(n) for n in range(1, 7)] == [0.5, 1, 2, 4, 4, 4]
    assert backoff(1) == RetryPolicy().first
    assert policy.backoff(10_000) == 4


def test_retry_is_exhausted_only_after_enough_attempts_and_time() -> None:
    policy = RetryPolicy(max_attempts=3, max_wait=10)
    assert not policy.exhausted(2, waited=60)
    assert not policy.exhausted(5, waited=9.9)
    assert policy.exhausted(3, waited=10)


@pytest.mark.parametrize(
    "bad",
    [
        {"first": 0},
        {"factor": 0.5},
        {"cap": 0.1},
        {"max_attempts": 0},
        {"max_wait": -1},
    ],
)
def test_retry_policy_rejects_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**bad)  # type: ignore[arg-type]


def test_backoff_refuses_attempt_zero() -> None:
    with pytest.raises(ValueError):
        backoff(0)


@given(st.integers(min_value=1, max_value=500))
def test_backoff_never_shrinks_and_stays_in_bounds(attempt: int) -> None:
    policy = RetryPolicy()
    delay = policy.backoff(attempt)
    assert policy.first <= delay <= policy.cap
    assert policy.backoff(attempt + 1) >= delay
