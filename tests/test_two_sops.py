"""Two SOPs of different shapes in one share at the same time: the performance-data SOP (040)
and outgoing letters, their drops interleaved in shared folders, each routed by its case number
and each filed with its own SOP."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import bagit
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from pypdf import PdfReader

from pipeline.app import App
from pipeline.cli import main
from pipeline.core.values import Drop, Outcome
from pipeline.settings import Settings
from pipeline.signing.specimen import wet_signed_scan
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.runner import Result, Runner
from pipeline.watching.watcher import Watcher
from tests.support.cases import quick_app, run_pass
from tests.support.pdfs import quick_pdf
from tests.support.staff import Staff, one, wait_for
from tests.support.watching import running_app

DK, SK = "DK-2026-001", "SK-2026-001"


@pytest.fixture
def running(share: Settings) -> Iterator[App]:
    with running_app(share, to_pdf=quick_pdf) as app:
        yield app


def letter(path: Path) -> Path:
    """An outgoing letter as a bidang drafts it in Word, ending with the Head's signature block."""
    doc = Document()
    doc.add_paragraph("Nomor : ……")
    doc.add_paragraph(f"Hal   : {path.stem}")
    doc.add_paragraph("Yth. Kepala Perangkat Daerah se-Kabupaten Tanjung Jabung Barat")
    doc.add_paragraph("Dengan hormat, kami mengundang Bapak/Ibu pada rapat koordinasi.")
    block = doc.add_paragraph(
        "Kuala Tungkal, 6 Juli 2026\nKepala Dinas Perpustakaan dan Kearsipan,\n\n\n\n"
        "ERLINAWATY, SH\nNIP. 19750404 200604 2 006"
    )
    block.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(str(path))
    return path


def arrived(root: Path, pattern: str) -> Path:
    folder = root / Path(pattern).parent
    wait_for(lambda: any(folder.glob(Path(pattern).name)), pattern)
    return one(folder, Path(pattern).name)


def sign(staff: Staff, root: Path, case_id: str) -> None:
    issued = arrived(root, f"outbox/kepala-dinas/{case_id} Untuk Ditandatangani.pdf")
    scan = staff.scratch / f"{case_id} Ditandatangani.pdf"
    scan.write_bytes(wet_signed_scan(issued.read_bytes(), dpi=150))
    staff.drop(scan, "kepala-dinas/tanda-tangan")


def paraf(staff: Staff, root: Path, case_id: str, role: str) -> None:
    copy = arrived(root, f"outbox/{role}/{case_id} Draf Final v* untuk paraf.docx")
    staff.drop(copy, f"{role}/paraf")


def test_two_sops_run_side_by_side_and_each_is_filed_with_its_own(
    running: App, tmp_path: Path
) -> None:
    settings, root = running.settings, running.settings.root
    staff = Staff(settings, tmp_path / "desk")
    staff.disposisi()  # DK-2026-001 opens
    staff.drop(letter(tmp_path / "Undangan rapat.docx"), "bidang/sekretariat/konsep-surat-keluar")
    for b in settings.office.bidang:
        arrived(root, f"outbox/bidang/{b.slug}/{DK} *.xlsx")
        staff.isi_formulir(DK, b.slug)
    paraf(staff, root, SK, "sekretaris")  # the shared paraf folder: routed by the case number
    arrived(root, f"outbox/analis/{DK} Draf v1.docx")
    staff.telaah_draf(DK, 1)
    sign(staff, root, SK)  # the shared signature folder
    paraf(staff, root, DK, "kasubag-ppmep")
    paraf(staff, root, DK, "sekretaris")
    sign(staff, root, DK)
    for case in (DK, SK):
        wait_for(lambda c=case: _closed(running, c), f"{case} closed")

    dk_bag, sk_bag = root / "archive/2026" / DK, root / "archive/2026" / SK
    for bag in (dk_bag, sk_bag):
        bagit.Bag(str(bag)).validate()
    dk_info = (dk_bag / "bag-info.txt").read_text(encoding="utf-8")
    sk_info = (sk_bag / "bag-info.txt").read_text(encoding="utf-8")
    assert "SOP-Nomor: 040/34.15/PUSTAKA/2025" in dk_info
    assert (
        "SOP-Nomor: CONTOH/SURAT-KELUAR" in sk_info
        and "SOP-Nama: Pengelolaan Surat Keluar" in sk_info
    )
    assert "Nomor-Naskah: 000.1.2/001/DPK/2026" in sk_info
    manifest = json.loads((sk_bag / "data/manifest.json").read_text(encoding="utf-8"))
    assert [s["no"] for s in manifest["timeline"]] == [1, 2, 3, 4]
    assert all(s["completed_at"] for s in manifest["timeline"])
    assert manifest["sop"]["kode"] == "SK"
    back = root / f"outbox/bidang/sekretariat/{SK} Surat Keluar.pdf"
    assert back.read_bytes() == (root / f"outbox/sekretaris/{SK} Surat Keluar.pdf").read_bytes()
    assert not list((root / "outbox/distribusi").rglob(f"{SK}*")), "letters go to their drafter"
    assert list((root / "outbox/distribusi").rglob(f"{DK}*"))


def test_a_drafter_corrects_a_letter_before_the_paraf_under_the_same_name(
    running: App, tmp_path: Path
) -> None:
    """The drafter saves the corrected letter under the same name and drops it again: it is
    the case's version 2 (no new case), the Secretary's outbox holds only version 2, and the
    signing copy carries the corrected text."""
    settings, root = running.settings, running.settings.root
    staff = Staff(settings, tmp_path / "desk")
    folder = "bidang/sekretariat/konsep-surat-keluar"
    draft = letter(tmp_path / "Undangan rapat.docx")
    staff.drop(draft, folder)
    first = arrived(root, f"outbox/sekretaris/{SK} Draf Final v1 untuk paraf.docx")
    dropped = root / "inbox" / folder / draft.name
    wait_for(lambda: not dropped.exists(), "version 1 taken out of the inbox")
    doc = Document(str(draft))
    doc.add_paragraph("Acara dimulai pukul 09.00 WIB di ruang rapat dinas.")
    doc.save(str(draft))
    staff.drop(draft, folder, name=draft.name.lower())  # Windows: the same name, case aside
    second = arrived(root, f"outbox/sekretaris/{SK} Draf Final v2 untuk paraf.docx")
    wait_for(lambda: not first.exists(), "version 1 retired from the Secretary's outbox")
    assert (root / "outbox/sekretaris/lama" / first.name).exists()
    assert running.journal.case_ids() == [SK]
    state = running.journal.case(SK)
    assert state is not None and [d.version for d in state.drafts] == [1, 2]
    staff.drop(second, "sekretaris/paraf")
    issued = arrived(root, f"outbox/kepala-dinas/{SK} Untuk Ditandatangani.pdf")
    text = "".join(page.extract_text() for page in PdfReader(issued).pages)
    assert "pukul 09.00 WIB" in text


def test_a_letter_saved_over_while_it_is_handled_is_kept_as_judged_and_taken_again(
    share: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drafter saves the corrected letter over the one just dropped while the pipeline is
    still handling it: version 1 is kept exactly as it was judged, and the file now in the
    inbox stays there and becomes version 2; nothing is lost or mixed."""
    first = letter(tmp_path / "Undangan rapat.docx")
    v1 = first.read_bytes()
    corrected = Document(str(first))
    corrected.add_paragraph("Acara dimulai pukul 09.00 WIB di ruang rapat dinas.")
    corrected.save(str(tmp_path / "v2.docx"))
    v2 = (tmp_path / "v2.docx").read_bytes()
    dropped = Staff(share, tmp_path / "desk").drop(first, "bidang/sekretariat/konsep-surat-keluar")
    prepare = Runner._prepare

    def saved_over_meanwhile(self: Runner, drop: Drop, outcome: Outcome) -> None:
        prepare(self, drop, outcome)
        if drop.inbox == dropped and dropped.read_bytes() == v1:
            dropped.write_bytes(v2)

    monkeypatch.setattr(Runner, "_prepare", saved_over_meanwhile)
    app = quick_app(share)
    try:
        run_pass(app)
        assert dropped.read_bytes() == v2, "the file saved over stays in the inbox"
        run_pass(app)
        state = app.journal.case(SK)
        assert state is not None
    finally:
        app.close()
    assert [(d.version, d.sha256) for d in state.drafts] == [(1, sha256(v1)), (2, sha256(v2))]
    kept = (share.root / "berkas" / SK / "masuk").iterdir()
    assert sorted(sha256(p.read_bytes()) for p in kept) == sorted([sha256(v1), sha256(v2)])
    assert not dropped.exists()
    for_paraf = share.root / f"outbox/sekretaris/{SK} Draf Final v2 untuk paraf.docx"
    assert for_paraf.read_bytes() == v2


def test_a_letter_emptied_by_a_new_save_after_it_was_found_ready_is_not_judged_empty(
    share: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Word (or Samba) empties the file to save it again just after the watcher found it ready:
    the empty moment is not judged ("file kosong") nor removed; the saved letter is taken."""
    dropped = Staff(share, tmp_path / "desk").drop(
        letter(tmp_path / "Undangan rapat.docx"), "bidang/sekretariat/konsep-surat-keluar"
    )
    process = Runner._process
    emptied: list[Path] = []

    def a_new_save_begins(self: Runner, path: Path, ready: tuple[int, int] | None) -> Result:
        if not emptied:
            path.write_bytes(b"")  # the save truncates first, writes a moment later
            emptied.append(path)
        return process(self, path, ready)

    monkeypatch.setattr(Runner, "_process", a_new_save_begins)
    app = quick_app(share)
    try:  # an empty file waits (the office's default: up to 2 minutes) for its bytes
        watcher = Watcher(app.runner, polling=False, settle=0.0, rescan=60.0, policy=RetryPolicy())
        looked = watcher.run_once(deadline=1.0)
        assert looked.get("rejected", 0) == 0 and looked["not-ready"] == 1, looked
        assert dropped.exists() and emptied == [dropped]
        (tmp_path / "v2").mkdir()
        dropped.write_bytes(letter(tmp_path / "v2" / dropped.name).read_bytes())
        assert run_pass(app)["accepted"] == 1
        assert app.journal.case_ids() == [SK]
    finally:
        app.close()
    assert not list((share.root / "outbox/bidang/sekretariat/ditolak").glob("*"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _closed(app: App, case_id: str) -> bool:
    state = app.journal.case(case_id)
    return state is not None and state.closed


def test_the_register_lists_the_numbers_given(
    running: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings, root = running.settings, running.settings.root
    staff = Staff(settings, tmp_path / "desk")
    for name in ("Undangan.docx", "Pemberitahuan.docx"):
        staff.drop(letter(tmp_path / name), "bidang/pengelolaan-arsip/konsep-surat-keluar")
    for case_id in (SK, "SK-2026-002"):
        paraf(staff, root, case_id, "sekretaris")
        arrived(root, f"outbox/kepala-dinas/{case_id} Untuk Ditandatangani.pdf")
    assert main(["register", str(root), "--state", str(settings.state_dir), "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "000.1.2/001/DPK/2026" in out and "000.1.2/002/DPK/2026" in out
    assert main(["sop", "list", str(root), "--state", str(settings.state_dir)]) == 0
    listing = capsys.readouterr().out
    assert "inbox/kepala-dinas/disposisi-data-kinerja/" in listing
    assert "inbox/bidang/<bidang>/konsep-surat-keluar/" in listing
