"""The archive as a self-verifying record: signature checks before filing, BagIt bags,
verify, reindex, the Daftar Arsip Aktif and distribution by mail."""

from __future__ import annotations

import json
from pathlib import Path

import bagit
import pytest
from openpyxl import load_workbook

from pipeline.app import App
from pipeline.cli import main
from pipeline.settings import Settings
from pipeline.signing.specimen import wet_signed_scan
from tests.support.cases import (
    FIRST,
    TteDesk,
    configure,
    drive_to_signing,
    quick_app,
    run_pass,
    trust_folder,
)
from tests.support.pki import make_ca, make_signer, sign_pdf, write_trust_roots
from tests.support.smtp import free_port, plain_server
from tests.support.staff import Staff, one

SIGNED_DROP = "kepala-dinas/tanda-tangan"


def scanned(staff: Staff, case_id: str = FIRST) -> bytes:
    """The issued signing copy, signed by hand and scanned."""
    return wet_signed_scan(staff.signing_copy(case_id), dpi=150)


def bag_of(settings: Settings, case_id: str = FIRST) -> Path:
    return settings.root / "archive" / "2026" / case_id


def drop_signed(staff: Staff, data: bytes, name: str = f"{FIRST} Ditandatangani.pdf") -> Path:
    path = staff.scratch / name
    path.write_bytes(data)
    return staff.drop(path, SIGNED_DROP)


def reason_of(settings: Settings, name: str) -> str:
    return one(settings.root / "outbox/kepala-dinas/ditolak", f"{name}.ALASAN.txt").read_text(
        encoding="utf-8"
    )


@pytest.fixture
def at_signing(share: Settings, tmp_path: Path) -> tuple[App, Staff]:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    drive_to_signing(app, staff)
    yield app, staff
    app.close()


def test_trusted_electronic_signature_is_filed_byte_for_byte(
    share: Settings, tmp_path: Path
) -> None:
    desk = TteDesk.open(share, tmp_path)
    try:
        issued = desk.staff.signing_copy(FIRST)
        signed = sign_pdf(issued, make_signer(desk.ca, "Kepala Dinas Uji"), desk.ca, tmp_path)
        drop_signed(desk.staff, signed)
        assert run_pass(desk.app) == {"accepted": 1, "recovered": 0}
    finally:
        desk.app.close()
    settings = desk.settings
    bag = bag_of(settings)
    bagit.Bag(str(bag)).validate()
    filed = one(bag / "data/masuk", "09 tanda tangan - *.pdf")
    assert filed.read_bytes() == signed
    info = (bag / "bag-info.txt").read_text(encoding="utf-8")
    assert "TTE: Kepala Dinas Uji" in info and "terpercaya=True" in info
    for label in (
        "Kode-Klasifikasi: 000.5.2",
        "Retensi-Aktif: 2 tahun",
        "Nasib-Akhir: Permanen",
        "SOP-Nomor: 040/34.15/PUSTAKA/2025",
        "External-Identifier: DK-2026-001",
    ):
        assert label in info
    manifest = json.loads((bag / "data/manifest.json").read_text(encoding="utf-8"))
    (facts,) = manifest["signature"]["signatures"]
    assert facts["intact"] and facts["trusted"] and facts["whole_file"]
    assert manifest["signature"]["method"] == "tte"
    assert "mencakup naskah yang diterbitkan untuk ditandatangani, byte demi byte" in info
    assert signed.startswith(issued), "the signature was appended to the issued bytes"


@pytest.mark.parametrize("damage", ["flipped-byte", "untrusted-signer"])
def test_a_damaged_or_untrusted_signature_is_rejected_and_nothing_is_filed(
    share: Settings, tmp_path: Path, damage: str
) -> None:
    office_ca, other_ca = make_ca("CA Kantor"), make_ca("CA Lain")
    write_trust_roots(trust_folder(share), office_ca)
    app = quick_app(share)
    staff = Staff(share, tmp_path / "desk")
    try:
        drive_to_signing(app, staff)
        ca = other_ca if damage == "untrusted-signer" else office_ca
        issued = staff.signing_copy(FIRST)
        signed = bytearray(sign_pdf(issued, make_signer(ca), ca, tmp_path))
        if damage == "flipped-byte":
            at = signed.index(b"\n%", 0, 64) + 2  # the header's binary comment, signed, inert
            signed[at] ^= 0x01
        drop_signed(staff, bytes(signed))
        assert run_pass(app)["rejected"] == 1
        state = app.journal.case(FIRST)
    finally:
        app.close()
    assert state is not None and not state.closed and not state.has("ditandatangani")
    assert not bag_of(share).exists()
    kept = one(share.root / "outbox/kepala-dinas/ditolak", f"{FIRST} Ditandatangani.pdf")
    assert kept.read_bytes() == bytes(signed)
    assert "tanda tangan" in reason_of(share, kept.name).lower()


def test_a_scan_is_filed_as_matched_page_by_page_by_its_qr_codes(
    at_signing: tuple[App, Staff],
) -> None:
    app, staff = at_signing
    drop_signed(staff, scanned(staff))
    assert run_pass(app)["accepted"] == 1
    manifest = json.loads((bag_of(app.settings) / "data/manifest.json").read_text(encoding="utf-8"))
    assert manifest["signature"]["method"] == "pindaian-qr"
    assert manifest["signature"]["scan"]["ink_mm2"] > 0
    info = (bag_of(app.settings) / "bag-info.txt").read_text(encoding="utf-8")
    assert "dicocokkan dengan naskah yang diterbitkan lewat kode QR" in info


def test_second_signed_pdf_for_a_closed_case_is_rejected(at_signing: tuple[App, Staff]) -> None:
    app, staff = at_signing
    first = scanned(staff)
    drop_signed(staff, first)
    run_pass(app)
    before = {p: p.read_bytes() for p in bag_of(app.settings).rglob("*") if p.is_file()}
    drop_signed(staff, first + b"\n% second copy\n", f"{FIRST} TTD ulang.pdf")
    assert run_pass(app)["rejected"] == 1
    assert "sudah selesai" in reason_of(app.settings, f"{FIRST} TTD ulang.pdf")
    after = {p: p.read_bytes() for p in bag_of(app.settings).rglob("*") if p.is_file()}
    assert after == before, "the archive is never rewritten"


def test_verify_catches_an_altered_byte_a_deleted_and_an_added_file(
    at_signing: tuple[App, Staff], capsys: pytest.CaptureFixture[str]
) -> None:
    app, staff = at_signing
    drop_signed(staff, scanned(staff))
    run_pass(app)
    root, state = str(app.settings.root), str(app.settings.state_dir)
    assert main(["verify", root, "--state", state]) == 0
    assert "all OK" in capsys.readouterr().out
    data = bag_of(app.settings) / "data"
    victim = one(data / "masuk", "01 disposisi - *")
    victim.write_bytes(victim.read_bytes()[:-1] + bytes([victim.read_bytes()[-1] ^ 0xFF]))
    one(data / "keluar", f"{FIRST} Nota Dinas.docx").unlink()
    (data / "tambahan.txt").write_text("disisipkan", encoding="utf-8")
    assert main(["verify", root, "--state", state]) == 1
    out = capsys.readouterr().out
    assert f"altered: data/masuk/{victim.name}" in out
    assert f"missing: data/keluar/{FIRST} Nota Dinas.docx" in out
    assert "added: data/tambahan.txt" in out


def test_reindex_restores_closed_cases_from_the_bags_alone(
    at_signing: tuple[App, Staff], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app, staff = at_signing
    drop_signed(staff, scanned(staff))
    run_pass(app)
    before = app.journal.case(FIRST)
    assert before is not None
    fresh_state = tmp_path / "lost-state"  # the state database was lost
    assert main(["reindex", str(app.settings.root), "--state", str(fresh_state)]) == 0
    assert f"restored 1 closed case(s) from archive/: {FIRST}" in capsys.readouterr().out
    assert main(["status", str(app.settings.root), "--state", str(fresh_state), "--json"]) == 0
    (case,) = json.loads(capsys.readouterr().out)["cases"]
    assert case["id"] == FIRST and case["closed_at"] and case["period"] == before.period
    assert all(step["completed_at"] for step in case["steps"])
    assert main(["verify", str(app.settings.root), "--state", str(fresh_state)]) == 0


def test_daftar_arsip_lists_every_bag(at_signing: tuple[App, Staff]) -> None:
    app, staff = at_signing
    drop_signed(staff, scanned(staff))
    run_pass(app)
    app.status.write()  # as `watch --once` ends (a running watcher: at its next refresh)
    listing = app.settings.root / "archive" / "daftar-arsip.xlsx"
    assert listing.exists()
    cells = [
        str(c.value) for row in load_workbook(listing).active.iter_rows() for c in row if c.value
    ]
    assert "000.5.2" in cells
    assert any(FIRST in c and "Triwulan III 2026" in c for c in cells)


@pytest.mark.smtp
def test_recipients_get_the_signed_pdf_by_mail_and_a_dead_server_does_not_block(
    share: Settings, tmp_path: Path
) -> None:
    port = free_port()
    settings = configure(
        share,
        smtp_port=port,
        emails={"inspektorat": "inspektorat@example.go.id", "bappeda": "bappeda@example.go.id"},
    )
    app = quick_app(settings)
    staff = Staff(settings, tmp_path / "desk")
    try:
        drive_to_signing(app, staff)
        signed = scanned(staff)
        drop_signed(staff, signed)
        assert run_pass(app)["accepted"] == 1  # the server is down: archiving still completes
        assert bag_of(settings).exists()
        pending = app.journal.deliveries(FIRST)
        assert [d.status for d in pending] == ["pending", "pending"]
        assert all(d.attempts == 1 and d.last_error for d in pending)
        with plain_server(port) as server:
            app.tick()  # not due yet: back-off
            assert server.messages == []
            for d in pending:
                app.journal.record_delivery(
                    d.id, d.next_at, "test: make the retry due now", app.runner.clock()
                )
            app.tick()
        assert sorted(r[0] for r in server.recipients) == [
            "bappeda@example.go.id",
            "inspektorat@example.go.id",
        ]
        for message in server.messages:
            (attachment,) = list(message.iter_attachments())
            assert attachment.get_content() == signed
            assert FIRST in message["Subject"]
        assert [d.status for d in app.journal.deliveries(FIRST)] == ["sent", "sent"]
    finally:
        app.close()
