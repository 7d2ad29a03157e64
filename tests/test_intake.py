"""Intake decisions: ignored names, Office locks, mounts, stability, completeness, back-off, and
a real watcher answering drops whose content is not what their name says."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import docx
import olefile
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfWriter

from pipeline.app import App, open_app
from pipeline.core.names import safe_filename
from pipeline.engine.routing import places_of
from pipeline.inputs.content import CFB_MAGIC, content_kind, looks_complete
from pipeline.settings import Settings
from pipeline.store.fsops import is_temp_name, temp_name
from pipeline.store.mounts import is_network_mount, mount_type
from pipeline.watching.answers import REASON_SUFFIX
from pipeline.watching.readiness import (
    RetryPolicy,
    StabilityTracker,
    backoff,
    is_ignored,
    office_lock_names,
    office_lock_present,
    quiet_for,
    whole_as_what_it_is,
)
from tests.support import hostile
from tests.support.pdfs import quick_pdf
from tests.support.staff import wait_for
from tests.support.watching import watcher_thread

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
        "._Disposisi.pdf",
        ".DS_Store",
        "Thumbs.db",
        "THUMBS.DB",
        "desktop.ini",
        "Desktop.INI",
        "A1B2C3D4",
        "0f3e9a7c",
        ".DK-2026-001 Draf v1.docx.tmp-3fa9c2e1b07d",  # the pipeline's own temporary
        ".DK-2026-001.k3x_9qzw.tmp",  # an archive bag being built
        ".nfs000000000123abcd00000002",
        ".goutputstream-4JZ1QZ",
        ".gitkeep",  # keeps an empty folder in a version-controlled copy of the share
        ".keep",
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
        ".hidden.docx",  # a dotted name is possible from Windows and macOS: it is answered
        ".Disposisi Triwulan II 2026.pdf",
        ".formulir.xlsx",
        ".docx",
        ".tmp-laporan.pdf",
        ".nfs-catatan.docx",
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


def test_stability_says_how_long_until_a_file_counts_as_stable() -> None:
    tracker = StabilityTracker(settle_seconds=2.0)
    path = Path("inbox/bidang/umum/formulir.xlsx")
    assert tracker.remaining(path, now=5.0) == 2.0  # never seen: the whole settle time
    tracker.observe(path, 10, 1, now=5.0)
    assert tracker.remaining(path, now=6.5) == pytest.approx(0.5)
    tracker.observe(path, 20, 2, now=6.5)  # changed: the wait starts over
    assert tracker.remaining(path, now=6.5) == 2.0
    assert tracker.remaining(path, now=9.0) == 0.0


def test_quiet_for_counts_from_the_mtime_and_never_below_zero() -> None:
    assert quiet_for(100.0, now=102.5) == 2.5
    assert quiet_for(100.0, now=99.0) == 0.0  # a mtime ahead of this clock: just written


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
    "pindaian.gif": hostile.gif_bytes,
    "pindaian.tif": lambda: hostile.tiff_bytes(16, 16),
    "terkunci.xlsx": lambda: hostile.cfb_bytes(
        ["Root Entry", "EncryptionInfo", "EncryptedPackage"]
    ),
    "pindaian.bmp": lambda: hostile.bmp_bytes(16, 16),
}
# formats with an end marker: a pre-sized file filled half way is still "not yet"; an OLE
# container and a BMP are judged by their sizes, which a pre-sized file already has
END_MARKED = sorted(set(MAKERS) - {"terkunci.xlsx", "pindaian.bmp"})


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_looks_complete_accepts_a_whole_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(MAKERS[name]())
    assert looks_complete(path)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_looks_complete_refuses_a_presized_file_until_it_is_written(
    tmp_path: Path, name: str
) -> None:
    data = MAKERS[name]()
    path = tmp_path / name
    with path.open("wb") as stream:
        stream.truncate(len(data))
    assert not looks_complete(path)
    with path.open("r+b") as stream:
        stream.write(data)
    assert looks_complete(path)


@pytest.mark.parametrize("name", END_MARKED)
def test_looks_complete_refuses_a_presized_file_filled_half_way(tmp_path: Path, name: str) -> None:
    data = MAKERS[name]()
    path = tmp_path / name
    with path.open("wb") as stream:
        stream.truncate(len(data))
        stream.seek(0)
        stream.write(data[: len(data) // 2])
    assert not looks_complete(path)


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


def _cfb() -> bytes:
    return hostile.cfb_bytes(["Root Entry", "EncryptionInfo", "EncryptedPackage"])


def test_an_ole_container_is_complete_only_when_its_allocation_table_is_all_there(
    tmp_path: Path,
) -> None:
    data = _cfb()
    assert olefile.isOleFile(io.BytesIO(data)), "the sample is a real compound file"
    path = tmp_path / "terkunci.xlsx"
    path.write_bytes(data[:-512])  # whole sectors, but the last one the FAT uses is missing
    assert not looks_complete(path)
    path.write_bytes(data[:512] + bytes(len(data) - 512))  # header written, FAT still zeros
    assert not looks_complete(path)
    path.write_bytes(data[:512])  # the header alone
    assert not looks_complete(path)
    path.write_bytes(data)
    assert looks_complete(path)


@pytest.mark.parametrize("name", ["formulir.xlsx", "draf.docx", "formulir.xlsm", "draf.docm"])
def test_looks_complete_is_true_at_once_for_an_ole_container_under_an_office_name(
    tmp_path: Path, name: str
) -> None:
    """A password-protected Office file is an OLE container whatever its name promises."""
    path = tmp_path / name
    path.write_bytes(_cfb())
    assert looks_complete(path)


@pytest.mark.parametrize("name", ["formulir.xlsx", "draf.docx", "surat.png", "tanpa-akhiran"])
def test_looks_complete_judges_a_pdf_as_a_pdf_whatever_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(_pdf_bytes())
    assert looks_complete(path)
    path.write_bytes(_pdf_bytes()[:-40])
    assert not looks_complete(path)


@pytest.mark.parametrize(
    "data",
    [
        b"ini bukan PDF, hanya teks biasa\n",
        b"{\\rtf1\\ansi draf}",
        hostile.biff_bytes(0x0409),
        b"BM bukan gambar, hanya teks",  # "BM" alone does not make a bitmap
    ],
    ids=["text", "rtf", "biff4", "bm-text"],
)
@pytest.mark.parametrize("name", ["formulir.xlsx", "CAPAIAN.XLSX", "draf.docx", "ttd.pdf"])
def test_looks_complete_hands_on_unknown_content_whatever_its_name(
    tmp_path: Path, data: bytes, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert looks_complete(path), "unknown content is judged (and answered) by the stage at once"


@pytest.mark.parametrize("name", ["catatan.txt", "data.csv", "tanpa-akhiran", "capaian.xlsx"])
def test_looks_complete_waits_for_a_file_that_is_still_all_zeros(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(bytes(4096))
    assert not looks_complete(path)
    path.write_bytes(b"isi" + bytes(4093))
    assert looks_complete(path)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_only_content_with_an_end_marker_proves_itself_whole(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    data = MAKERS[name]()
    path.write_bytes(data)
    assert whole_as_what_it_is(path) is (name in END_MARKED and name != "pindaian.tif")
    path.write_bytes(data[: len(data) // 2])
    assert not whole_as_what_it_is(path)
    path.write_bytes(data[: len(data) // 2] + bytes(len(data) - len(data) // 2))  # pre-sized
    assert not whole_as_what_it_is(path)


@pytest.mark.parametrize("data", [b"catatan kinerja\n" * 40, b"", bytes(64)])
def test_text_and_empty_files_never_prove_themselves_whole(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "catatan.txt"
    path.write_bytes(data)
    assert not whole_as_what_it_is(path)
    assert not whole_as_what_it_is(tmp_path / "hilang.pdf")


def test_looks_complete_is_false_for_an_empty_or_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "kosong.pdf"
    empty.write_bytes(b"")
    assert not looks_complete(empty)
    assert not looks_complete(tmp_path / "hilang.xlsx")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"PK\x03\x04", "zip"),
        (CFB_MAGIC + bytes(8), "cfb"),
        (b"%PDF-1.7\n", "pdf"),
        (b"\xef\xbb\xbf\r\n%PDF-1.4\n", "pdf"),  # a PDF after some junk
        (hostile.png_bytes(), "png"),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (hostile.GIF_1X1, "gif"),
        (b"GIF87a", "gif"),
        (hostile.bmp_bytes(), "bmp"),
        (hostile.tiff_bytes(), "tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "tiff"),
        (b"BM bukan gambar", None),
        (b"{\\rtf1", None),
        (b"", None),
    ],
)
def test_content_kind_reads_the_first_bytes(data: bytes, kind: str | None) -> None:
    assert content_kind(data) == kind


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


# --- a real watcher: each drop answered by what it is, soon after it is closed ----------------

ANSWER_BOUND = 60.0
"""Seconds to wait for an answer: half the watcher's default give-up time (`RetryPolicy().max_wait`),
so a drop taken for "still being copied" could not be answered within it."""


@dataclass(frozen=True)
class Sample:
    folder: str
    name: str
    data: bytes
    answer: str | None  # a fragment of the reason; None: accepted

    @property
    def label(self) -> str:
        return f"{self.folder}/{self.name}"


def _samples(desk: Path, slug: str) -> list[Sample]:
    cfb = hostile.cfb_bytes(["Root Entry", "EncryptionInfo", "EncryptedPackage"])
    owner_pdf = hostile.make_owner_locked_pdf(desk, pages=["Disposisi Kepala Dinas"]).read_bytes()
    bidang = f"bidang/{slug}"
    return [
        Sample(bidang, "Formulir isian.xlsx", _pdf_bytes(), "isi file bukan buku kerja Excel"),
        Sample(bidang, "Formulir terkunci.xlsx", cfb, "file Excel dilindungi kata sandi"),
        Sample(bidang, "Formulir makro.xlsm", cfb, "file Excel dilindungi kata sandi"),
        Sample("analis/draf", "Draf terkunci.docx", cfb, "file Word dilindungi kata sandi"),
        Sample("analis/draf", "Draf makro.docm", cfb, "file Word dilindungi kata sandi"),
        Sample(bidang, "Formulir biner.xlsb", hostile.make_xlsb(desk).read_bytes(), "(.xlsb)"),
        Sample("analis/draf", "Draf telaah.docx", b"{\\rtf1\\ansi Draf}", "format RTF"),
        Sample(bidang, "Formulir lama.xls", hostile.biff_bytes(0x0409), "format lama"),
        Sample(bidang, ".Formulir tersembunyi.xlsx", b"teks biasa", "bukan buku kerja Excel"),
        Sample(
            "kepala-dinas/tanda-tangan",
            "Naskah ditandatangani.pdf",
            hostile.make_certificate_pdf(desk).read_bytes(),
            "PDF dikunci dengan sertifikat digital",
        ),
        Sample(
            "kepala-dinas/disposisi-data-kinerja",
            "Disposisi Triwulan I 2026.bmp",
            hostile.bmp_bytes(),
            None,
        ),
        Sample(
            "kepala-dinas/disposisi-data-kinerja",
            "Disposisi Triwulan II 2026.gif",
            hostile.gif_bytes(),
            None,
        ),
        Sample(
            "kepala-dinas/disposisi-data-kinerja",
            "Disposisi Triwulan III 2026.pdf",
            owner_pdf,
            None,
        ),
    ]


def _reason_file(settings: Settings, sample: Sample) -> Path:
    (place, *_) = places_of(settings.sops, settings.units, sample.folder)
    folder = settings.root / "outbox" / place.role / "ditolak"
    return folder / f"{safe_filename(sample.name)}{REASON_SUFFIX}"


def _answered(settings: Settings, sample: Sample) -> bool:
    left = (settings.root / "inbox" / sample.folder / sample.name).exists()
    return not left and (sample.answer is None or _reason_file(settings, sample).exists())


def test_a_watcher_answers_each_drop_by_its_content_soon_after_it_is_closed(
    share: Settings, tmp_path: Path
) -> None:
    """Each file is written into its inbox and closed, as a copy over the share ends; the watcher
    answers it without waiting out the give-up time: a PDF or an OLE container under an Office
    name, .xlsb, RTF, BIFF4, a certificate-locked PDF, a dotted name; and it takes a BMP, a GIF
    and an owner-password PDF as dispositions."""
    desk = tmp_path / "meja"
    desk.mkdir()
    samples = _samples(desk, share.office.bidang[0].slug)
    app = open_app(share, to_pdf=quick_pdf)
    try:
        with watcher_thread(app):
            for sample in samples:
                (share.root / "inbox" / sample.folder / sample.name).write_bytes(sample.data)
            for sample in samples:
                wait_for(lambda s=sample: _answered(share, s), sample.label, ANSWER_BOUND)
        outcomes = {s.label: _outcome(app, s) for s in samples}
        cases = app.journal.case_ids()
    finally:
        app.close()
    assert outcomes == {s.label: "accepted" if s.answer is None else "rejected" for s in samples}
    for sample in (s for s in samples if s.answer is not None):
        reason = _reason_file(share, sample).read_text(encoding="utf-8")
        assert sample.answer in reason, f"{sample.label}:\n{reason}"
        kept = _reason_file(share, sample).with_name(safe_filename(sample.name))
        assert kept.read_bytes() == sample.data, "the original is kept byte for byte"
    assert len(cases) == 3, "each accepted disposition opened a case"


def _outcome(app: App, sample: Sample) -> str:
    key = f"{sample.folder}|{hashlib.sha256(sample.data).hexdigest()}"
    records = [r for r in app.journal.drops_by_key(key) if r.name == sample.name]
    assert len(records) == 1, f"{sample.label}: {records}"
    return records[0].outcome
