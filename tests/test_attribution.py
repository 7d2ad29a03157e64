"""Who acts, through a real Samba share: real Unix accounts log in to a real smbd and drop
files as themselves; the pipeline reads each file's owner, records the person for every act,
refuses a drop by someone who does not hold the inbox's role, and answers them in their own
outbox."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document

from pipeline.app import App, open_app
from pipeline.cli import main
from pipeline.settings import Settings, load_settings
from pipeline.signing.specimen import wet_signed_scan
from tests.support.accounts import Account, unix_accounts, write_staff
from tests.support.cases import run_pass
from tests.support.samba import SambaServer, SmbSession, require_samba
from tests.support.staff import disposition_docx, fill_form, one, review_draft, wait_for
from tests.support.tools import require_program
from tests.support.watching import watcher_thread

CASE = "DK-2026-001"
BIDANG = (
    "sekretariat",
    "layanan-perpustakaan",
    "pengembangan-perpustakaan",
    "pengelolaan-arsip",
    "pembinaan-kearsipan",
)
ROLES: dict[str, tuple[str, ...]] = {
    "kd": ("kepala-dinas",),
    "ssk": ("sekretaris",),
    "ppm": ("kasubag-ppmep",),
    "ana": ("analis",),
    "bid": tuple(f"bidang/{b}" for b in BIDANG),
    "sek": ("bidang/sekretariat",),
}


@pytest.fixture
def share_root() -> Iterator[Path]:
    """A share root staff accounts can reach (pytest's tmp_path lies under a 0700 folder)."""
    root = Path(tempfile.mkdtemp(prefix="sop-pelaku-", dir="/tmp"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root)


@dataclass
class Office:
    settings: Settings
    server: SambaServer
    accounts: dict[str, Account]

    def desk(self, label: str) -> SmbSession:
        return self.server.session(self.accounts[label])

    def label(self, who: str) -> str:
        name = self.accounts[who].name
        return f"{name.upper()} ({name})"


@pytest.fixture
def staffed(
    share_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, dict[str, Account]]]:
    require_samba()
    monkeypatch.setenv("SOP_PIPELINE_SMB_CONF", str(tmp_path / "tidak-ada.conf"))
    with unix_accounts(*ROLES) as accounts:
        assert main(["init", str(share_root), "--state", str(tmp_path / "state"), "-q"]) == 0
        write_staff(share_root, {accounts[k].name: r for k, r in ROLES.items()})
        yield share_root, accounts


def _serve(
    root: Path, tmp_path: Path, accounts: dict[str, Account], section: str | None
) -> SambaServer:
    return SambaServer(
        root=root, work=tmp_path / "smb", share_section=section, accounts=tuple(accounts.values())
    )


def _smb_conf(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["access", "smb-conf", str(root), "--name", "drop"]) == 0
    return capsys.readouterr().out


def _docx(build: object) -> bytes:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "surat.docx"
        build(path)  # type: ignore[operator]
        return path.read_bytes()


def _filled_form(settings: Settings, form: bytes, slug: str) -> bytes:
    bidang = settings.office.bidang_by_slug(slug)
    assert bidang is not None
    with tempfile.TemporaryDirectory() as work:
        blank, filled = Path(work) / "blank.xlsx", Path(work) / "filled.xlsx"
        blank.write_bytes(form)
        fill_form(blank, filled, bidang)
        return filled.read_bytes()


def _reviewed(draft: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as work:
        source, dest = Path(work) / "v1.docx", Path(work) / "v2.docx"
        source.write_bytes(draft)
        review_draft(source, dest)
        return dest.read_bytes()


def _waits(root: Path, pattern: str) -> str:
    folder = root / Path(pattern).parent
    wait_for(lambda: any(folder.glob(Path(pattern).name)), pattern)
    return one(folder, Path(pattern).name).name


def _play(office: Office) -> None:
    root, settings = office.settings.root, office.settings
    letter = _docx(lambda p: disposition_docx(p, "Triwulan III 2026"))
    office.desk("kd").write(
        "inbox/kepala-dinas/disposisi-data-kinerja/Disposisi Triwulan III 2026.docx", letter
    )
    bid = office.desk("bid")
    for slug in BIDANG:
        name = _waits(root, f"outbox/bidang/{slug}/{CASE} *.xlsx")
        form = bid.read(f"outbox/bidang/{slug}/{name}")
        bid.write(f"inbox/bidang/{slug}/{name}", _filled_form(settings, form, slug))
    draft = _waits(root, f"outbox/analis/{CASE} Draf v1.docx")
    ana = office.desk("ana")
    ana.write(
        f"inbox/analis/draf/{CASE} Draf v2.docx", _reviewed(ana.read(f"outbox/analis/{draft}"))
    )
    for label, role in (("ppm", "kasubag-ppmep"), ("ssk", "sekretaris")):
        copy = _waits(root, f"outbox/{role}/{CASE} Draf Final v2 untuk paraf.docx")
        desk = office.desk(label)
        desk.write(f"inbox/{role}/paraf/{copy}", desk.read(f"outbox/{role}/{copy}"))
    issued = _waits(root, f"outbox/kepala-dinas/{CASE} Untuk Ditandatangani.pdf")
    kd = office.desk("kd")
    scan = wet_signed_scan(kd.read(f"outbox/kepala-dinas/{issued}"), dpi=150, rotate=-1.0)
    kd.write(f"inbox/kepala-dinas/tanda-tangan/{CASE} Ditandatangani.pdf", scan)


def _closed(app: App) -> bool:
    state = app.journal.case(CASE)
    return state is not None and state.closed


@pytest.mark.samba
def test_a_whole_case_through_smb_is_filed_with_every_act_attributed(
    staffed: tuple[Path, dict[str, Account]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_program("setfacl")
    root, accounts = staffed
    assert main(["access", "apply", str(root), "--state", str(tmp_path / "state")]) == 0
    section = _smb_conf(root, capsys)
    settings = load_settings(root, tmp_path / "state", settle_seconds=0.2)
    server = _serve(root, tmp_path, accounts, section)
    server.start()
    app = open_app(settings)
    try:
        office = Office(settings, server, accounts)
        with watcher_thread(app, settle=0.2):
            _play(office)
            wait_for(lambda: (root / f"archive/2026/{CASE}/bag-info.txt").exists(), "the bag")
            wait_for(lambda: _closed(app), "the case closed")
        assert app.runner.attribution.known
    finally:
        app.close()
        server.stop()
    manifest = json.loads((root / f"archive/2026/{CASE}/data/manifest.json").read_text("utf-8"))
    by_step = {s["no"]: s["completed_by"] for s in manifest["timeline"]}
    system = "sistem (otomatis)"
    assert by_step == {
        1: office.label("kd"),
        2: system,
        3: office.label("bid"),
        4: system,
        5: office.label("ana"),
        6: office.label("ana"),
        7: office.label("ppm"),
        8: office.label("ssk"),
        9: office.label("kd"),
        10: system,
    }
    inputs = {
        f["name"].split(" - ")[0]: f["by"] for f in manifest["files"] if f["direction"] == "in"
    }
    assert inputs["masuk/01 disposisi"] == office.label("kd")
    assert inputs["masuk/09 tanda tangan"] == office.label("kd")
    assert all(by == office.label("bid") for name, by in inputs.items() if "data" in name)
    assert main(["access", "check", str(root), "--state", str(tmp_path / "state")]) == 0


def _open_to_everyone(root: Path) -> None:
    """A share whose permissions were never applied: every account may write everywhere."""
    subprocess.run(["chmod", "-R", "a+rwX", str(root / "inbox")], check=True)


@pytest.mark.samba
def test_a_drop_by_someone_without_the_role_is_refused_and_told_to_them(
    staffed: tuple[Path, dict[str, Account]], tmp_path: Path
) -> None:
    root, accounts = staffed
    settings = load_settings(root, tmp_path / "state", settle_seconds=0.0)
    assert settings.office.akses.check_owner, "on by default once staff have accounts"
    app = open_app(settings)
    _open_to_everyone(root)
    server = _serve(root, tmp_path, accounts, None)
    server.start()
    try:
        letter = _docx(lambda p: disposition_docx(p, "Triwulan III 2026"))
        office = Office(settings, server, accounts)
        office.desk("kd").write(
            "inbox/kepala-dinas/disposisi-data-kinerja/Disposisi Triwulan III 2026.docx", letter
        )
        run_pass(app)
        form_name = one(root / "outbox/bidang/layanan-perpustakaan", f"{CASE} *.xlsx").name
        sek = office.desk("sek")
        form = sek.read(f"outbox/bidang/sekretariat/{CASE} Formulir Data Kinerja sekretariat.xlsx")
        sek.write(
            f"inbox/bidang/layanan-perpustakaan/{form_name}",
            _filled_form(settings, form, "sekretariat"),
        )
        sek.write(f"inbox/kepala-dinas/tanda-tangan/{CASE} Ditandatangani.pdf", _a_pdf())
        assert run_pass(app)["rejected"] == 2
    finally:
        app.close()
        server.stop()
    mine = root / "outbox/bidang/sekretariat/ditolak"
    signed = (mine / f"{CASE} Ditandatangani.pdf.ALASAN.txt").read_text(encoding="utf-8")
    assert f"file diletakkan oleh {office.label('sek')}, yang bukan Kepala Dinas" in signed
    assert (mine / f"{CASE} Ditandatangani.pdf").exists(), "the original comes back to its owner"
    wrong = (mine / f"{form_name}.ALASAN.txt").read_text(encoding="utf-8")
    assert "yang bukan Bidang Layanan dan Pelestarian Bahan Pustaka" in wrong
    copy = root / "outbox/bidang/layanan-perpustakaan/ditolak" / f"{form_name}.ALASAN.txt"
    assert copy.read_text(encoding="utf-8").startswith("SALINAN UNTUK PEMILIK FOLDER")
    status = (root / "outbox/bidang/sekretariat/STATUS.txt").read_text(encoding="utf-8")
    assert form_name in status and f"{CASE} Ditandatangani.pdf" in status
    assert not (root / "outbox/kepala-dinas/ditolak").exists() or not any(
        (root / "outbox/kepala-dinas/ditolak").glob("*.pdf")
    ), "the Head's outbox holds no one else's mistakes"


def _a_pdf() -> bytes:
    doc = Document()
    doc.add_paragraph(f"{CASE} ditandatangani")
    out = io.BytesIO()
    doc.save(out)
    from tests.support.pdfs import quick_pdf

    return quick_pdf(out.getvalue(), "x")
