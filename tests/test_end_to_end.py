"""A whole case through a real watcher thread on a real folder, with real Office files."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import bagit
import pytest
from docx import Document
from pypdf import PdfReader

from pipeline.app import App
from pipeline.cli import main
from pipeline.settings import Settings
from pipeline.views.status import build_status
from tests.support.staff import Staff, one, wait_for
from tests.support.watching import running_app

CASE = "DK-2026-001"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def running(share: Settings) -> Iterator[App]:
    """The pipeline watching the share from a thread, as `pipeline watch` does."""
    with running_app(share) as app:
        yield app


def case_closed(app: App) -> bool:
    state = app.journal.case(CASE)
    return state is not None and state.closed


def play_case(staff: Staff, root: Path) -> None:
    staff.disposisi()
    wait_for(lambda: (root / f"outbox/sekretaris/{CASE} Nota Dinas.docx").exists(), "nota dinas")
    for b in staff.settings.office.bidang:
        wait_for(
            lambda b=b: any((root / "outbox/bidang" / b.slug).glob(f"{CASE} *.xlsx")),
            f"form of {b.slug}",
        )
        staff.isi_formulir(CASE, b.slug)
    wait_for(lambda: (root / f"outbox/analis/{CASE} Draf v1.docx").exists(), "draft v1")
    staff.telaah_draf(CASE, 1)
    wait_for(
        lambda: any((root / "outbox/kasubag-ppmep").glob(f"{CASE} Draf Final*")), "copy for kasubag"
    )
    staff.paraf(CASE, "kasubag-ppmep")
    wait_for(
        lambda: any((root / "outbox/sekretaris").glob(f"{CASE} Draf Final*")), "copy for sekretaris"
    )
    staff.paraf(CASE, "sekretaris")
    wait_for(
        lambda: any((root / "outbox/kepala-dinas").glob(f"{CASE} Untuk Ditandatangani.*")),
        "signing copy",
    )
    staff.tanda_tangan(CASE)


def test_a_case_runs_from_disposition_to_archive(running: App, tmp_path: Path) -> None:
    settings = running.settings
    root = settings.root
    staff = Staff(settings, tmp_path / "desk")
    play_case(staff, root)
    wait_for(lambda: case_closed(running), "case closed")

    bag = root / "archive" / "2026" / CASE
    bagit.Bag(str(bag)).validate()  # an RFC 8493 bag, checked by the bagit library itself
    assert CASE in (bag / "bag-info.txt").read_text(encoding="utf-8")
    archive = bag / "data"
    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["case_id"] == CASE
    assert manifest["period"] == "Triwulan III 2026"
    assert manifest["sop"]["nomor"] == "040/34.15/PUSTAKA/2025"
    archived = {p.relative_to(archive).as_posix(): p for p in archive.rglob("*") if p.is_file()}
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == set(archived) - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["sha256"] == sha256(archived[name]), name
    kinds = {f["kind"] for f in manifest["files"]}
    assert {
        "disposisi",
        "nota-dinas",
        "formulir",
        "data-bidang",
        "draf",
        "naskah-ditandatangani",
    } <= kinds
    assert len([f for f in manifest["files"] if f["kind"] == "data-bidang"]) == len(
        settings.office.bidang
    )

    signed = one(archive / "masuk", "09 tanda tangan - *.pdf")
    original = tmp_path / "desk" / f"{CASE} Ditandatangani.pdf"
    assert signed.read_bytes() == original.read_bytes(), "the signed PDF is filed byte for byte"
    for p in settings.office.penerima:
        copy = one(root / "outbox/distribusi" / p.slug, f"{CASE} *.pdf")
        assert copy.read_bytes() == original.read_bytes()

    timeline = manifest["timeline"]
    assert [s["no"] for s in timeline] == list(range(1, 11))
    assert all(s["started_at"] and s["completed_at"] for s in timeline)
    assert all(s["late"] is False for s in timeline)
    assert timeline[9]["standard"] == "20 menit"

    assert not any(p.is_file() for p in (root / "inbox").rglob("*")), (
        "accepted inputs left the inbox"
    )
    outboxes = [
        *(root / "outbox").glob(f"*/{CASE} *"),
        *(root / "outbox/bidang").glob(f"*/{CASE} *"),
    ]
    left = [p for p in outboxes if p.parent.parent.name != "distribusi"]
    assert left == [], "a closed case's files are retired to lama/"
    assert (root / f"outbox/analis/lama/{CASE} Draf v1.docx").exists()
    assert (root / f"outbox/sekretaris/lama/{CASE} Nota Dinas.docx").exists()
    status = build_status(settings, running.journal, running.runner.clock())
    (case,) = status["cases"]
    assert case["closed_at"] and case["step"] is None and case["waiting_for"] is None


def test_draft_shows_the_bidang_data_and_capaian(running: App, tmp_path: Path) -> None:
    root = running.settings.root
    staff = Staff(running.settings, tmp_path / "desk")
    staff.disposisi()
    wait_for(lambda: (root / f"outbox/sekretaris/{CASE} Nota Dinas.docx").exists(), "nota dinas")
    for b in running.settings.office.bidang:
        forms = root / "outbox/bidang" / b.slug
        wait_for(lambda forms=forms: any(forms.glob(f"{CASE} *.xlsx")), f"form in {forms.name}")
        staff.isi_formulir(CASE, b.slug, keterangan="Sumber: laporan bulanan bidang & <catatan>")
    draft = root / f"outbox/analis/{CASE} Draf v1.docx"
    wait_for(draft.exists, "draft v1")
    doc = Document(str(draft))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    # LYN-03 is lower-is-better: target 5 minutes, realisasi 6 → (2·5 − 6)/5 = 80%
    lyn03 = cells.index("LYN-03")
    assert cells[lyn03 + 3 : lyn03 + 6] == ["5", "6", "80%"]
    lyn01 = cells.index("LYN-01")  # target s.d. Triwulan III 18.750, realisasi 19.500
    assert cells[lyn01 + 3 : lyn01 + 6] == ["18.750", "19.500", "104%"]
    assert "Sumber: laporan bulanan bidang & <catatan>" in cells
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "TRIWULAN III 2026" in text
    assert CASE in doc.sections[0].footer.paragraphs[0].text  # the case is named in the footer


def test_watch_once_from_the_command_line(
    share: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staff = Staff(share, tmp_path / "desk")
    staff.disposisi("Disposisi Semester I 2026.docx")
    args = ["watch", str(share.root), "--state", str(share.state_dir), "--once", "--settle", "0"]
    assert main(args) == 0
    assert "accepted: 1" in capsys.readouterr().out
    nota = one(share.root / "outbox/sekretaris", "*Nota Dinas.docx")
    with zipfile.ZipFile(nota) as z:
        assert "Semester I 2026" in z.read("word/document.xml").decode()
    assert main(["status", str(share.root), "--state", str(share.state_dir), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    (case,) = status["cases"]
    assert case["id"] == CASE and case["step"] == 3 and case["overdue"] is False
    assert sorted(case["waiting_for"]) == sorted(f"bidang/{b.slug}" for b in share.office.bidang)
    assert [s["no"] for s in case["steps"]] == list(range(1, 11))
    assert (share.root / "status.html").exists()


def test_signing_copy_is_a_pdf_made_by_libreoffice(running: App, tmp_path: Path) -> None:
    from tests.support.tools import require_program

    require_program("soffice", "libreoffice")
    root = running.settings.root
    staff = Staff(running.settings, tmp_path / "desk")
    play_case(staff, root)
    wait_for(lambda: case_closed(running), "case closed")
    pdf = root / f"outbox/kepala-dinas/lama/{CASE} Untuk Ditandatangani.pdf"  # retired at closing
    assert pdf.exists()
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert CASE in text and "Catatan analis" in text
    wait_for(lambda: case_closed(running), "case closed")
