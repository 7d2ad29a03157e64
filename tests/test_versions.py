"""Versions that tell the truth. The analyst edits the pipeline's Draf v1 in Word and sends it
back as v2 and then v3: the signing copy made from v3 says v3 wherever the template printed the
version (Word kept "versi 1" in the analyst's copy), its record names who initialled and when,
and `pipeline regenerate` reproduces every version byte for byte or names its output a new
render. Cases are played through the real runner with real Word files."""

from __future__ import annotations

import getpass
import hashlib
import io
import re
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from pypdf import PdfReader

from pipeline.app import App, open_app
from pipeline.cli import main
from pipeline.documents.restate import changed_paragraphs, paragraph_texts, restate
from pipeline.documents.templates import Documents
from pipeline.engine.contexts import sample_contexts
from pipeline.engine.labels import role_name
from pipeline.inputs.word import docx_text
from pipeline.settings import Settings, load_settings
from tests.support.cases import FIRST, drive_to_draft, quick_app, run_pass
from tests.support.staff import Staff, one, review_draft
from tests.support.tools import require_program

CASE = FIRST
DRAF = "draf-data-kinerja.docx"
KASUBAG = "Drs. HENDRA SAPUTRA, M.Si"
ANALYST_NOTE = "Catatan analis: data telah ditelaah"
WHEN = r"\d{2}-\d{2}-\d{4} \d{2}\.\d{2} \w+"


def passes(app: App) -> None:
    counts = run_pass(app)
    assert counts.get("rejected", 0) == 0, counts


def to_v3(app: App, staff: Staff) -> None:
    """Draft v1 from the data; the analyst edits it into v2, then edits v2 into v3."""
    drive_to_draft(app, staff)
    staff.telaah_draf(CASE, 1)  # the analyst's v2, made from the pipeline's v1
    passes(app)
    v3 = staff.scratch / "lagi" / f"{CASE} Draf v3.docx"
    v3.parent.mkdir()
    review_draft(staff.scratch / f"{CASE} Draf v2.docx", v3)
    staff.drop(v3, "analis/draf")
    passes(app)


def paraf_both(app: App, staff: Staff) -> None:
    for role in ("kasubag-ppmep", "sekretaris"):
        staff.paraf(CASE, role)
        passes(app)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def stated_versions(text: str) -> set[str]:
    """Every version the document's own lines state (the seal's page lines left out)."""
    own = [line for line in text.splitlines() if not line.startswith("Naskah ")]
    return set(re.findall(r"\bversi (\d+)\b", "\n".join(own), re.IGNORECASE))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kept_versions(app: App) -> dict[int, Path]:
    state = app.journal.case(CASE)
    assert state is not None
    return {d.version: app.settings.root / d.path for d in state.drafts}


def name_kasubag(settings: Settings, nama: str, akun: str) -> Settings:
    """The office names its Kasubag PPMEP and the account they log in with (drops are not
    refused by owner here: every file of the test has the same owner)."""
    path = settings.root / "config" / "kantor.toml"
    blocks = path.read_text(encoding="utf-8").split("[[pegawai]]")
    for n, block in enumerate(blocks):
        if re.search(r'^peran = "kasubag-ppmep"$', block, re.MULTILINE):
            block = re.sub(r'^nama = ".*"$', f'nama = "{nama}"', block, count=1, flags=re.M)
            blocks[n] = re.sub(r'^akun = ".*"$', f'akun = "{akun}"', block, count=1, flags=re.M)
    text = re.sub(
        r"^# periksa_pemilik = true$", "periksa_pemilik = false", "[[pegawai]]".join(blocks),
        flags=re.MULTILINE,
    )  # fmt: skip
    path.write_text(text, encoding="utf-8")
    return load_settings(settings.root, settings.state_dir, settle_seconds=0.0)


# --- the signing copy -----------------------------------------------------------------------------


def test_the_signing_copy_says_v3_and_names_who_initialled(share: Settings, tmp_path: Path) -> None:
    settings = name_kasubag(share, KASUBAG, getpass.getuser())
    app = quick_app(settings)
    staff = Staff(settings, tmp_path / "meja")
    try:
        to_v3(app, staff)
        analyst_v3 = kept_versions(app)[3]
        assert stated_versions(docx_text(analyst_v3)) == {"1"}, "Word kept v1's version line"
        before = sha256(analyst_v3)
        paraf_both(app, staff)
        text = pdf_text(staff.signing_copy(CASE))
        state = app.journal.case(CASE)
    finally:
        app.close()

    assert stated_versions(text) == {"3"}, text
    assert text.count(ANALYST_NOTE) == 2, "the analyst's own v3: both rounds of edits"
    assert re.search(rf"Paraf naskah {CASE} versi 3\b", text)
    kasubag = role_name("kasubag-ppmep", settings.sop_of(CASE), settings.office)
    assert re.search(rf"Diparaf oleh {re.escape(KASUBAG)} \({re.escape(kasubag)}\), {WHEN}", text)
    assert sha256(analyst_v3) == before, "the initialled file itself is never changed"
    assert state is not None and state.latest_draft is not None
    assert state.latest_draft.sha256 == before


def test_a_paraf_by_an_unnamed_account_is_recorded_by_role(share: Settings, tmp_path: Path) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "meja")
    try:
        drive_to_draft(app, staff)
        staff.telaah_draf(CASE, 1)
        passes(app)
        paraf_both(app, staff)
        text = pdf_text(staff.signing_copy(CASE))
    finally:
        app.close()
    assert stated_versions(text) == {"2"}, text
    for role in ("kasubag-ppmep", "sekretaris"):
        shown = role_name(role, share.sop_of(CASE), share.office)
        assert re.search(rf"Diparaf oleh {re.escape(shown)}, {WHEN}", text), (role, text)


@pytest.mark.libreoffice
def test_the_signing_copy_made_by_libreoffice_is_titled_and_says_v3(
    share: Settings, tmp_path: Path
) -> None:
    require_program("soffice", "libreoffice")
    app = open_app(share)
    staff = Staff(share, tmp_path / "meja")
    try:
        to_v3(app, staff)
        paraf_both(app, staff)
        reader = PdfReader(io.BytesIO(staff.signing_copy(CASE)))
    finally:
        app.close()
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert stated_versions(text) == {"3"}, text
    sop = share.sop_of(CASE)
    assert sop is not None and reader.metadata is not None
    assert reader.metadata.title == f"{sop.judul_dokumen} Triwulan III 2026"
    assert "draf" not in reader.metadata.title.casefold()


# --- restating a drafter's copy -------------------------------------------------------------------


def rendered(share: Settings, versi: str) -> bytes:
    """The shipped draft template rendered with sample values and version `versi`."""
    sop = share.sop_of(CASE)
    assert sop is not None
    context = sample_contexts(share.office, sop)[DRAF] | {"versi": versi}
    return Documents(share.templates_dir).render(DRAF, context)


def test_restating_changes_only_the_differing_characters_and_keeps_formatting(
    share: Settings, tmp_path: Path
) -> None:
    """As Word saves an edited draft: the version line split over runs of different formatting,
    and one line the drafter reworded (left as the drafter wrote it)."""
    before, after = rendered(share, "1"), rendered(share, "3")
    changes = changed_paragraphs(before, after)
    assert changes and all("1" in old and "3" in new for old, new in changes.items())

    edited = tmp_path / "v3.docx"
    edited.write_bytes(before)
    document = docx.Document(str(edited))
    footer = document.sections[0].footer.paragraphs[0]
    text = footer.text
    assert text in changes
    cut = text.index("versi 1") + len("versi ")
    for run in footer.runs:
        run.text = ""
    footer.runs[0].text = text[:cut]
    number = footer.add_run("1")
    number.font.highlight_color = WD_COLOR_INDEX.YELLOW
    footer.add_run(text[cut + 1 :])
    document.add_paragraph("Versi awal: versi 1 disusun dari data bidang.")
    document.save(str(edited))

    restated, count = restate(edited.read_bytes(), changes, "Judul")
    assert count == len(changes)
    lines = paragraph_texts(restated)
    assert changes[text] in lines and text not in lines
    assert "Versi awal: versi 1 disusun dari data bidang." in lines
    out = tmp_path / "out.docx"
    out.write_bytes(restated)
    runs = docx.Document(str(out)).sections[0].footer.paragraphs[0].runs
    marked = [r.text for r in runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert marked == ["3"], "the changed number keeps its own run and formatting"
    assert docx.Document(str(out)).core_properties.title == "Judul"


# --- regenerate -----------------------------------------------------------------------------------


def regenerate(settings: Settings, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    argv = ["regenerate", str(settings.root), "--state", str(settings.state_dir), *args]
    assert main(argv) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def versions_named(folder: Path) -> dict[int, Path]:
    found = {}
    for path in folder.glob("*.docx"):
        named = re.fullmatch(rf"{CASE} Draf v(\d+)\.docx", path.name)
        if named:
            found[int(named.group(1))] = path
    return found


def test_regenerate_reproduces_v3_exactly_and_marks_a_new_render(
    share: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = quick_app(share)
    staff = Staff(share, tmp_path / "meja")
    try:
        to_v3(app, staff)
        paraf_both(app, staff)
        kept = kept_versions(app)
    finally:
        app.close()
    out = share.root / "outbox" / "regenerasi" / CASE

    regenerate(share, capsys, "--case", CASE, "--workers", "2")
    made = versions_named(out)
    assert set(made) == {1, 2, 3}
    # every file named for a version is that version, byte for byte
    assert {v: sha256(p) for v, p in made.items()} == {v: sha256(p) for v, p in kept.items()}
    assert docx_text(made[3]).count(ANALYST_NOTE) == 2

    template = share.templates_dir / DRAF
    document = docx.Document(str(template))
    document.add_paragraph("Tata letak baru.")
    document.save(str(template))
    printed = regenerate(share, capsys, "--case", CASE)

    renew = one(out, f"{CASE} Draf v1 render ulang.docx")
    assert f"{renew.relative_to(share.root).as_posix()}  (template berubah)" in printed
    text = docx_text(renew)
    assert "Tata letak baru." in text and "render ulang" in text
    assert not re.findall(r"versi \d+(?! \(render ulang)", text), "every version line is marked"
    assert {v: sha256(p) for v, p in versions_named(out).items()} == {
        v: sha256(p) for v, p in kept.items()
    }, "what is named for a version is still exactly that version"
    assert "3 tidak berubah" in printed  # the nota dinas and the analyst's v2 and v3
