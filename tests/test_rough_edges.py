"""What staff and the IT person meet day to day: rejections that stop showing once fixed,
commands that behave in a pipe and with -q anywhere, verify that changes nothing, and one
clock (the office's) for everything people read."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from pipeline.app import App
from pipeline.cli import main
from pipeline.settings import Settings
from pipeline.views.status import build_status
from tests.support.cases import FIRST, drive_to_signing, quick_app, run_pass
from tests.support.pdfs import lines_pdf
from tests.support.staff import Staff, one


def status_of(app: App) -> dict[str, object]:
    return build_status(app.settings, app.journal, app.runner.clock())


def waiting_rejections(app: App) -> list[dict[str, object]]:
    rejections = status_of(app)["rejections"]
    assert isinstance(rejections, list)
    return rejections


def views(settings: Settings, role: str) -> tuple[str, str]:
    board = (settings.root / "status.html").read_text(encoding="utf-8")
    text = (settings.root / "outbox" / role / "STATUS.txt").read_text(encoding="utf-8")
    return board, text


def bad_form(settings: Settings, slug: str, dest: Path) -> Path:
    """The bidang's issued form with text where a number belongs."""
    form = one(settings.root / "outbox/bidang" / slug, f"{FIRST} *.xlsx")
    workbook = load_workbook(form)
    sheet = workbook.active
    assert sheet is not None
    for row in range(7, 7 + 3):
        sheet.cell(row=row, column=6, value=80)
    sheet.cell(row=7, column=6, value="tujuh puluh")
    workbook.save(dest)
    return dest


def test_a_rejection_disappears_from_every_view_once_the_fix_is_accepted(
    share: Settings, tmp_path: Path
) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        staff.disposisi()
        run_pass(app)
        name = f"{FIRST} Formulir sekretariat.xlsx"
        staff.drop(
            bad_form(share, "sekretariat", tmp_path / "salah.xlsx"), "bidang/sekretariat", name
        )
        assert run_pass(app)["rejected"] == 1
        (waiting,) = waiting_rejections(app)
        assert waiting["case_id"] == FIRST, "the case named in the file name is shown"
        board, text = views(share, "bidang/sekretariat")
        assert name in board and name in text
        assert 'id="jumlah-ditolak" data-count="1"' in board
        staff.isi_formulir(FIRST, "sekretariat")
        assert run_pass(app)["accepted"] == 1
        assert waiting_rejections(app) == []
        board, text = views(share, "bidang/sekretariat")
        assert name not in board and name not in text
        assert 'id="jumlah-ditolak" data-count="0"' in board
    finally:
        app.close()


def test_a_refused_letter_waits_until_that_letter_comes_again_not_another(
    share: Settings, tmp_path: Path
) -> None:
    """Each letter opens its own case: a bidang's next letter is no fix for the one refused,
    which stays on the board until it is sent again (as Word, under its own name)."""
    folder = "bidang/sekretariat/konsep-surat-keluar"
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        refused = tmp_path / "Surat edaran.pdf"
        refused.write_bytes(lines_pdf(["Surat edaran jam layanan"]))
        staff.drop(refused, folder)
        assert run_pass(app)["rejected"] == 1
        staff.drop(word_letter(tmp_path / "Undangan rapat.docx", "Undangan rapat"), folder)
        assert run_pass(app)["accepted"] == 1
        assert [r["file"] for r in waiting_rejections(app)] == ["Surat edaran.pdf"]
        staff.drop(word_letter(tmp_path / "Surat edaran.docx", "Surat edaran"), folder)
        assert run_pass(app)["accepted"] == 1
        assert waiting_rejections(app) == []
    finally:
        app.close()


def word_letter(path: Path, subject: str) -> Path:
    doc = Document()
    doc.add_paragraph(f"Hal : {subject}")
    doc.add_paragraph("Dengan hormat, kami sampaikan pemberitahuan ini.")
    doc.save(str(path))
    return path


def test_notices_that_need_no_fix_are_not_counted_as_waiting(
    share: Settings, tmp_path: Path
) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        letter = staff.disposisi()
        run_pass(app)
        again = tmp_path / "lagi.docx"
        again.write_bytes(one(share.root / f"berkas/{FIRST}/masuk", "01 *").read_bytes())
        staff.drop(
            again, "kepala-dinas/disposisi-data-kinerja", letter.name
        )  # the same file, again
        assert run_pass(app)["rejected"] == 1
        reason = one(share.root / "outbox/kepala-dinas/ditolak", "*.ALASAN.txt").read_text()
        assert "Tidak perlu dikirim lagi" in reason or "tidak perlu dikirim" in reason
        assert waiting_rejections(app) == []
        board, _ = views(share, "kepala-dinas")
        assert 'id="jumlah-ditolak" data-count="0"' in board
    finally:
        app.close()


def test_a_rejection_is_settled_when_its_case_closes(share: Settings, tmp_path: Path) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_signing(app, staff)
        late = staff.isi_formulir(FIRST, "sekretariat", keterangan="koreksi")  # after review
        assert run_pass(app)["rejected"] == 1
        assert [r["file"] for r in waiting_rejections(app)] == [late.name]
        staff.tanda_tangan(FIRST)
        assert run_pass(app)["accepted"] == 1
        assert waiting_rejections(app) == [], "the case closed: nothing is left to fix"
    finally:
        app.close()


def test_status_json_into_a_closed_pipe_exits_cleanly(share: Settings, tmp_path: Path) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        for n in range(12):  # enough cases for the JSON to outgrow a pipe buffer
            staff.disposisi(f"Disposisi {n} baru Triwulan III 2026.docx")
            run_pass(app)
    finally:
        app.close()
    command = (
        f"{sys.executable} -m pipeline status {share.root} --state {share.state_dir} --json"
        " | head -1"
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120
    )
    assert done.stdout == "{\n"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.returncode == 0


def test_quiet_and_verbose_work_after_the_sub_command(share: Settings) -> None:
    args = ["watch", str(share.root), "--state", str(share.state_dir), "--once", "-q"]
    assert main(args) == 0
    assert main(["status", str(share.root), "--state", str(share.state_dir), "-v", "--json"]) == 0


def tree_digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_verify_changes_nothing_under_archive(share: Settings, tmp_path: Path) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_signing(app, staff)
        staff.tanda_tangan(FIRST)
        assert run_pass(app)["accepted"] == 1
        app.status.write()  # as `watch --once` ends; the Daftar Arsip follows the filing
    finally:
        app.close()
    archive = share.root / "archive"
    assert (archive / "daftar-arsip.xlsx").exists()
    before = tree_digest(archive)
    assert main(["verify", str(share.root), "--state", str(share.state_dir)]) == 0
    assert tree_digest(archive) == before


def test_people_read_the_office_clock_in_the_archive(share: Settings, tmp_path: Path) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_signing(app, staff)
        staff.tanda_tangan(FIRST)
        run_pass(app)
        closed = app.journal.case(FIRST)
        assert closed is not None and closed.closed_at is not None
    finally:
        app.close()
    info = share.root / f"archive/{closed.closed_at.astimezone(share.tz).year}/{FIRST}/bag-info.txt"
    text = info.read_text(encoding="utf-8")
    local_day = closed.closed_at.astimezone(share.tz).date().isoformat()
    assert f"Bagging-Date: {local_day}" in text
    manifest = json.loads((info.parent / "data/manifest.json").read_text(encoding="utf-8"))
    assert manifest["case_id"] == FIRST
