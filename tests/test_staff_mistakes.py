"""Mistakes real staff make, found by playing the SOP as the office would: each one ends in a
clear reason, the original kept, and the case unharmed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfWriter

from pipeline.settings import Settings
from tests.support.cases import (
    FIRST,
    drive_to_draft,
    drive_to_signing,
    quick_app,
    revised_form,
    run_pass,
)
from tests.support.staff import Staff, fill_form, one


def reason(settings: Settings, role: str, name: str) -> str:
    path = one(settings.root / "outbox" / role / "ditolak", f"{name}.ALASAN.txt")
    return path.read_text(encoding="utf-8")


def test_a_draft_edited_from_an_outdated_version_is_refused(
    share: Settings, tmp_path: Path
) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_draft(app, staff)
        old_v1 = tmp_path / "v1-copy.docx"
        shutil.copyfile(one(share.root / "outbox/analis", f"{FIRST} Draf v1.docx"), old_v1)
        # a bidang corrects its data: draft v2 is rendered
        corrected = revised_form(share, "sekretariat", tmp_path / "koreksi.xlsx", 71)
        staff.drop(corrected, "bidang/sekretariat", "koreksi sekretariat.xlsx")
        run_pass(app)
        assert (share.root / f"outbox/analis/{FIRST} Draf v2.docx").exists()
        doc = Document(str(old_v1))  # the analyst still works in v1, as Word would save it
        doc.add_paragraph("Catatan analis pada versi lama.")
        edited = tmp_path / f"{FIRST} Draf telaah.docx"
        doc.save(str(edited))
        staff.drop(edited, "analis/draf")
        assert run_pass(app)["rejected"] == 1
        text = reason(share, "analis", edited.name)
        assert "dibuat dari Draf v1" in text and "Draf v2" in text
        current = sorted(p.name for p in (share.root / "outbox/analis").glob(f"{FIRST} *"))
        assert current == [f"{FIRST} Draf v2.docx"], "the superseded draft moved to lama/"
        assert (share.root / f"outbox/analis/lama/{FIRST} Draf v1.docx").exists()
        staff.telaah_draf(FIRST, 2)  # the newest draft, edited: accepted
        assert run_pass(app)["accepted"] == 1
    finally:
        app.close()


def test_the_unsigned_signing_copy_is_not_taken_as_signed(share: Settings, tmp_path: Path) -> None:
    app = open_with_pdf_copies(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_signing(app, staff)
        unsigned = one(share.root / "outbox/kepala-dinas", f"{FIRST} Untuk Ditandatangani.*")
        staff.drop(unsigned, "kepala-dinas/tanda-tangan", unsigned.name)
        resaved = tmp_path / f"{FIRST} disimpan ulang.pdf"  # "Save As" in a PDF reader, unsigned
        with resaved.open("wb") as handle:
            PdfWriter(clone_from=unsigned).write(handle)
        assert resaved.read_bytes() != unsigned.read_bytes()
        staff.drop(resaved, "kepala-dinas/tanda-tangan")
        assert run_pass(app)["rejected"] == 2
        state = app.journal.case(FIRST)
        assert state is not None and not state.closed
        staff.tanda_tangan(FIRST)  # printed, signed by hand, scanned: accepted
        assert run_pass(app)["accepted"] == 1
    finally:
        app.close()
    assert "belum ada tanda tangan" in reason(share, "kepala-dinas", unsigned.name)
    assert "belum ada tanda tangan pada kotak tanda tangan" in reason(
        share, "kepala-dinas", resaved.name
    )


def open_with_pdf_copies(share: Settings):  # type: ignore[no-untyped-def]
    """An app whose 'LibreOffice' turns the final draft into a PDF carrying its text."""
    return quick_app(share)


def test_a_file_about_an_existing_case_does_not_open_a_new_one(
    share: Settings, tmp_path: Path
) -> None:
    app = quick_app(share)

    def letter(name: str, text: str) -> None:
        doc = Document()
        doc.add_paragraph(text)
        doc.save(str(share.root / "inbox/kepala-dinas/disposisi-data-kinerja" / name))

    try:
        letter("Disposisi Triwulan III 2026.docx", "Surat Inspektorat nomor 700/1")
        run_pass(app)
        letter(f"{FIRST} Untuk Ditandatangani (sudah ttd).docx", "naskah yang sudah ditandatangani")
        letter("Disposisi Triwulan III 2026.docx", "Surat Inspektorat nomor 700/1, disimpan ulang")
        assert run_pass(app)["rejected"] == 2
        assert app.journal.case_ids() == [FIRST]
        letter("Disposisi Triwulan III 2026 baru.docx", "Surat Bupati nomor 050/9")  # on purpose
        assert run_pass(app)["accepted"] == 1
    finally:
        app.close()
    assert "sudah ada" in reason(
        share, "kepala-dinas", f"{FIRST} Untuk Ditandatangani (sudah ttd).docx"
    )
    assert "'baru'" in reason(share, "kepala-dinas", "Disposisi Triwulan III 2026.docx")


def test_a_form_in_another_bidangs_folder_says_where_it_belongs(
    share: Settings, tmp_path: Path
) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        staff.disposisi()
        run_pass(app)
        form = one(share.root / "outbox/bidang/pengelolaan-arsip", f"{FIRST} *.xlsx")
        bidang = share.office.bidang_by_slug("pengelolaan-arsip")
        assert bidang is not None
        filled = tmp_path / "data arsip TW4 final.xlsx"
        fill_form(form, filled, bidang)
        staff.drop(filled, "bidang/pembinaan-kearsipan")
        assert run_pass(app)["rejected"] == 1
        state = app.journal.case(FIRST)
    finally:
        app.close()
    assert state is not None and state.bidang == {}
    text = reason(share, "bidang/pembinaan-kearsipan", filled.name)
    assert "milik bidang 'pengelolaan-arsip'" in text and "inbox/bidang/pengelolaan-arsip/" in text
    assert text.count("\n- ") == 1, "one clear reason, not a list of every row"


def test_a_bidang_cannot_change_data_once_the_analyst_sent_the_reviewed_draft(
    share: Settings, tmp_path: Path
) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_draft(app, staff)
        staff.telaah_draf(FIRST, 1)
        run_pass(app)
        late = revised_form(share, "sekretariat", tmp_path / "terlambat.xlsx", 99)
        staff.drop(late, "bidang/sekretariat")
        assert run_pass(app)["rejected"] == 1
        state = app.journal.case(FIRST)
    finally:
        app.close()
    assert state is not None
    assert [(d.version, d.source) for d in state.drafts] == [(1, "pipeline"), (2, "analis")]
    assert "hubungi analis" in reason(share, "bidang/sekretariat", late.name).lower()


def test_a_lost_journal_never_hands_out_a_filed_case_number_again(
    share: Settings, tmp_path: Path
) -> None:
    from pipeline.settings import load_settings

    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_signing(app, staff)
        staff.tanda_tangan(FIRST)
        assert run_pass(app)["accepted"] == 1
    finally:
        app.close()
    assert (share.root / "archive/2026" / FIRST).is_dir()
    fresh = load_settings(share.root, tmp_path / "new-state", settle_seconds=0.0)  # disk lost
    app = quick_app(fresh)
    try:
        staff = Staff(fresh, tmp_path / "desk2")
        staff.disposisi("Disposisi Triwulan IV 2026.docx")
        assert run_pass(app)["accepted"] == 1
        assert app.journal.case_ids() == ["DK-2026-002"]
    finally:
        app.close()


def test_an_unchanged_draft_is_final_when_the_analyst_sends_it_not_when_it_was_made(
    share: Settings, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from pipeline.app import open_app
    from pipeline.engine.timeline import timeline

    now = [datetime(2026, 11, 2, 1, 0, tzinfo=UTC)]  # Monday 08.00 WIB
    app = open_app(share, clock=lambda: now[0], to_pdf=lambda data, name: None)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_draft(app, staff)
        now[0] += timedelta(days=1)  # Tuesday: the analyst finds v1 right and sends it back as is
        v1 = one(share.root / "outbox/analis", f"{FIRST} Draf v1.docx")
        staff.drop(v1, "analis/draf", f"{FIRST} Draf v1 sudah ditelaah.docx")
        run_pass(app)
        now[0] += timedelta(hours=2)
        staff.paraf(FIRST, "kasubag-ppmep")
        run_pass(app)
        state = app.journal.case(FIRST)
    finally:
        app.close()
    assert state is not None
    times = {
        t.spec.no: t for t in timeline(share.sops[0], state.events, now[0], share.office.calendar)
    }
    assert times[6].completed_at is not None and times[6].started_at is not None
    assert times[6].completed_at >= times[6].started_at
    assert times[7].started_at == datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
    assert not times[7].overdue, "two hours for a one-day paraf is on time"


def test_a_drop_left_open_in_excel_tells_its_owner_and_waits(
    share: Settings, tmp_path: Path
) -> None:
    import os
    import time

    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        staff.disposisi()
        run_pass(app)
        form = staff.isi_formulir(FIRST, "sekretariat")
        lock = form.with_name("~$" + form.name)
        lock.write_bytes(b"owner")
        long_ago = time.time() - 3600  # opened an hour ago and never closed
        os.utime(lock, (long_ago, long_ago))
        run_pass(app)
        note = share.root / f"outbox/bidang/sekretariat/MASIH TERBUKA - {form.name}.txt"
        assert form.exists() and note.exists(), "the drop waits, and its owner is told why"
        assert "masih terbuka di Excel" in note.read_text(encoding="utf-8")
        assert app.journal.case(FIRST).bidang == {}  # type: ignore[union-attr]
        lock.unlink()  # Excel closed
        assert run_pass(app)["accepted"] == 1
    finally:
        app.close()
    assert not note.exists(), "the note goes once the file is taken"


def test_a_case_opened_by_mistake_can_be_cancelled_and_is_never_filed(
    share: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from pipeline.cli import main

    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_draft(app, staff)
    finally:
        app.close()
    root, state = str(share.root), str(share.state_dir)
    args = ["batal", root, "--state", state, "--case", FIRST, "--alasan", "disposisi ganda"]
    assert main(args) == 0
    assert main(["status", root, "--state", state, "--json"]) == 0
    (case,) = json.loads(capsys.readouterr().out.split("\n", 1)[1])["cases"]
    assert case["cancelled"] and case["closed_at"] and case["step"] is None and not case["overdue"]
    assert "disposisi ganda" in (share.root / f"berkas/{FIRST}/DIBATALKAN.txt").read_text(
        encoding="utf-8"
    )
    assert not list((share.root / "outbox/analis").glob(f"{FIRST} *")), "retired to lama/"
    assert "Dibatalkan" in (share.root / "status.html").read_text(encoding="utf-8")
    assert main(["verify", root, "--state", state]) == 0, "a cancelled case is not a missing bag"
    assert main(args) == 1, "a closed case cannot be cancelled again"
    app = quick_app(share)
    try:  # the analyst had the draft open and sends it anyway
        staff.drop(
            share.root / f"outbox/analis/lama/{FIRST} Draf v1.docx", "analis/draf", "telaah.docx"
        )
        assert run_pass(app)["rejected"] == 1
    finally:
        app.close()
    assert "dibatalkan" in reason(share, "analis", "telaah.docx")


def test_a_form_of_one_case_named_for_another_says_which_is_which(
    share: Settings, tmp_path: Path
) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_draft(app, staff)
        wrong = revised_form(
            share, "sekretariat", tmp_path / "DK-2026-009 Formulir sekretariat.xlsx", 5
        )
        staff.drop(wrong, "bidang/sekretariat")
        assert run_pass(app)["rejected"] == 1
    finally:
        app.close()
    text = reason(share, "bidang/sekretariat", wrong.name)
    assert "nama file menyebut DK-2026-009" in text and f"milik {FIRST}" in text
