"""`pipeline regenerate` on real cases played through the watcher: deterministic bytes, change
detection, the normal flow for open cases, archive/ untouched, workers, PDFs, failures."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from pipeline import __version__
from pipeline.app import App, open_app
from pipeline.cli import main
from pipeline.documents.regenerate import Options, Selection, Status, regenerate
from pipeline.inputs.word import docx_text
from pipeline.settings import Settings, load_settings
from pipeline.share import prepare_share
from pipeline.store.fsops import is_temp_name
from pipeline.store.journal import JOURNAL_FILE, Journal
from pipeline.store.lock import utc_now
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher
from tests.support.pdfs import quick_pdf
from tests.support.staff import Staff, disposition_docx, fill_form, one, wait_for
from tests.support.tools import require_program
from tests.support.watching import watcher_thread

CLOSED, OPEN, INCOMPLETE, PARAFED = "closed", "open", "incomplete", "parafed"
PERIODS = {
    CLOSED: "Triwulan I",
    OPEN: "Triwulan II",
    INCOMPLETE: "Triwulan III",
    PARAFED: "Semester I",
}
DRAF = "draf-data-kinerja.docx"
OUT = "outbox/regenerasi"


def run_pass(app: App) -> None:
    policy = RetryPolicy(first=0.05)
    watcher = Watcher(app.runner, polling=False, settle=0.0, rescan=60.0, policy=policy)
    results = watcher.run_once()
    assert results["rejected"] == 0, results


def play(app: App, staff: Staff) -> dict[str, str]:
    """Four cases: closed and archived, open with draft v1, data incomplete, past first paraf."""
    ids = {}
    for kind, period in PERIODS.items():
        letter = staff.scratch / f"Disposisi {period} 2026.docx"
        disposition_docx(letter, f"{period} 2026")
        staff.drop(letter, "kepala-dinas/disposisi-data-kinerja")
        run_pass(app)
        ids[kind] = app.journal.case_ids()[-1]
    for kind in (CLOSED, OPEN, PARAFED):
        for b in app.settings.office.bidang:
            staff.isi_formulir(ids[kind], b.slug)
    staff.isi_formulir(ids[INCOMPLETE], app.settings.office.bidang[0].slug)
    run_pass(app)
    for kind in (CLOSED, PARAFED):
        staff.telaah_draf(ids[kind], 1)
    run_pass(app)
    for kind in (CLOSED, PARAFED):
        staff.paraf(ids[kind], "kasubag-ppmep")
    run_pass(app)
    staff.paraf(ids[CLOSED], "sekretaris")
    run_pass(app)
    staff.tanda_tangan(ids[CLOSED])
    run_pass(app)
    return ids


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("built")
    settings = prepare_share(base / "share", base / "state", settle_seconds=0.0)
    app = open_app(settings, to_pdf=quick_pdf)
    try:
        ids = play(app, Staff(settings, base / "desk"))
        closed = app.journal.case(ids[CLOSED])
        assert closed is not None and closed.closed
    finally:
        app.close()
    return base, ids


@dataclass
class World:
    """A copy of the built share (and its state) that one test may change."""

    settings: Settings
    ids: dict[str, str]
    capsys: pytest.CaptureFixture[str]

    @property
    def root(self) -> Path:
        return self.settings.root

    def regenerate(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        argv = ["regenerate", str(self.root), "--state", str(self.settings.state_dir), *args]
        code = main(argv)
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def journal(self) -> Journal:
        return Journal(self.settings.state_dir / JOURNAL_FILE)

    def drafts(self, kind: str) -> list[tuple[int, str]]:
        journal = self.journal()
        try:
            state = journal.case(self.ids[kind])
            assert state is not None
            return [(d.version, d.source) for d in state.drafts]
        finally:
            journal.close()


def copy_world(built: tuple[Path, dict[str, str]], dest: Path) -> tuple[Settings, dict[str, str]]:
    base, ids = built
    shutil.copytree(base / "share", dest / "share", symlinks=True)
    shutil.copytree(base / "state", dest / "state", symlinks=True)
    return load_settings(dest / "share", dest / "state", settle_seconds=0.0), ids


@pytest.fixture
def world(
    built: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> World:
    settings, ids = copy_world(built, tmp_path / "world")
    return World(settings, ids, capsys)


# --- helpers ----------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p) for p in folder.rglob("*") if p.is_file()}


def identity(folder: Path) -> dict[str, tuple[int, int]]:
    """Inode and modification time of every file: an atomic rewrite changes both."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(folder).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return found


def custom_properties(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("docProps/custom.xml").decode()
    return dict(re.findall(r'name="([^"]+)"><vt:lpwstr>([^<]*)</vt:lpwstr>', xml))


def add_paragraph(template: Path, text: str) -> None:
    doc = docx.Document(str(template))
    doc.add_paragraph(text)
    doc.save(str(template))


def tables(path: Path) -> list[list[str]]:
    doc = docx.Document(str(path))
    return [[c.text for row in t.rows for c in row.cells] for t in doc.tables]


def planned(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("akan ditulis")]


def expected_outputs(ids: dict[str, str]) -> set[str]:
    """Every nota dinas; for the cases past drafting, each version under its own name."""
    notas = {f"{c}/{c} Nota Dinas.docx" for c in ids.values()}
    return notas | {f"{ids[k]}/{ids[k]} Draf v{v}.docx" for k in (CLOSED, PARAFED) for v in (1, 2)}


def kept_versions(world: World, kind: str) -> dict[int, Path]:
    """The files the case keeps of its versions, as the journal records them."""
    journal = world.journal()
    try:
        state = journal.case(world.ids[kind])
        assert state is not None
        return {d.version: world.root / d.path for d in state.drafts}
    finally:
        journal.close()


# --- behaviour --------------------------------------------------------------------------------


def test_regenerating_twice_gives_the_same_bytes_and_rewrites_nothing(
    world: World, tmp_path: Path
) -> None:
    code, out, err = world.regenerate("--all")
    assert code == 0, err
    outputs = world.root / OUT
    first = snapshot(outputs)
    assert set(first) == expected_outputs(world.ids)
    for case in world.ids.values():
        # rebuilt from stored data and stored dates: the watcher's own nota dinas, byte for byte
        original = world.root / f"berkas/{case}/keluar/{case} Nota Dinas.docx"
        assert first[f"{case}/{case} Nota Dinas.docx"] == sha256(original)
    for kind in (CLOSED, PARAFED):
        # v1 rendered again is the watcher's v1; v2, the analyst's, is copied as it is
        case, kept = world.ids[kind], kept_versions(world, kind)
        assert {v: first[f"{case}/{case} Draf v{v}.docx"] for v in kept} == {
            v: sha256(path) for v, path in kept.items()
        }
    assert "9 ditulis" in out  # 4 nota dinas; 2 x 2 versions; the open case's next version

    before = identity(world.root / "outbox") | identity(world.root / "berkas")
    code, out, err = world.regenerate("--all")
    assert code == 0, err
    assert "9 tidak berubah" in out and "ditulis" not in out
    assert identity(world.root / "outbox") | identity(world.root / "berkas") == before

    gone = f"{world.ids[CLOSED]}/{world.ids[CLOSED]} Draf v2.docx"
    (outputs / gone).unlink()
    code, out, err = world.regenerate("--all")
    assert code == 0, err
    assert "berkas tidak ada" in out and "1 ditulis" in out
    assert snapshot(outputs) == first

    code, out, err = world.regenerate("--all", "--out", str(tmp_path / "lain"))
    assert code == 0, err
    assert snapshot(tmp_path / "lain") == first


def test_open_case_gets_the_next_draft_version_through_the_normal_flow(world: World) -> None:
    case = world.ids[OPEN]
    assert world.drafts(OPEN) == [(1, "pipeline")]
    code, out, err = world.regenerate("--case", case)
    assert code == 0, err
    assert [p.name for p in (world.root / OUT).iterdir()] == [case]

    name = f"{case} Draf v2.docx"
    issued, kept = world.root / "outbox/analis" / name, world.root / f"berkas/{case}/keluar/{name}"
    assert issued.read_bytes() == kept.read_bytes()
    assert world.drafts(OPEN) == [(1, "pipeline"), (2, "regenerasi")]
    journal = world.journal()
    try:
        state = journal.case(case)
        assert state is not None and state.latest_draft is not None
        assert state.latest_draft.sha256 == sha256(kept)
        assert state.latest_draft.path == f"berkas/{case}/keluar/{name}"
        (row,) = [f for f in journal.files(case) if f.kind == "draf" and f.version == 2]
        assert (row.direction, row.path, row.sha256) == (
            "out",
            state.latest_draft.path,
            sha256(kept),
        )
        render = journal.renders(case)["draf"]
    finally:
        journal.close()

    props = custom_properties(kept)
    assert props["sop-pipeline-template"] == sha256(world.root / "templates" / DRAF)
    assert props["sop-pipeline-template"] == render.template_sha
    assert props["sop-pipeline-data"] == render.data_sha
    assert props["sop-pipeline-version"] == __version__ == render.pipeline_version
    assert props["sop-pipeline-kasus"] == case
    v1 = world.root / f"berkas/{case}/keluar/{case} Draf v1.docx"
    assert tables(kept) == tables(v1), "the same stored data"
    text = docx_text(kept)
    assert "versi 2" in text and case in text

    code, out, err = world.regenerate("--case", case)
    assert code == 0, err
    assert "2 tidak berubah" in out
    assert world.drafts(OPEN) == [(1, "pipeline"), (2, "regenerasi")]
    assert not (world.root / f"outbox/analis/{case} Draf v3.docx").exists()


def test_closed_parafed_and_incomplete_cases_keep_their_drafts(world: World) -> None:
    before = {k: world.drafts(k) for k in (CLOSED, PARAFED, INCOMPLETE)}
    code, _, err = world.regenerate("--all")
    assert code == 0, err
    assert {k: world.drafts(k) for k in before} == before
    assert before[INCOMPLETE] == []
    incomplete = world.root / OUT / world.ids[INCOMPLETE]
    assert [p.name for p in incomplete.iterdir()] == [f"{world.ids[INCOMPLETE]} Nota Dinas.docx"]
    parafed = world.ids[PARAFED]
    assert not (world.root / f"outbox/analis/{parafed} Draf v3.docx").exists()


def test_dry_run_names_exactly_the_documents_a_template_change_affects(world: World) -> None:
    code, _, err = world.regenerate("--all")
    assert code == 0, err
    add_paragraph(world.root / "templates" / DRAF, "Catatan: disusun ulang dengan format baru.")
    before = snapshot(world.root)

    code, out, err = world.regenerate("--all", "--dry-run")
    assert code == 0, err
    lines = planned(out)
    assert len(lines) == 3, out
    assert all("template berubah" in line and "data berubah" not in line for line in lines)
    for kind in (CLOSED, PARAFED):  # v1 can no longer be reproduced: a marked new render
        assert sum(f"{world.ids[kind]} Draf v1 render ulang.docx" in line for line in lines) == 1
    assert sum(f"outbox/analis/{world.ids[OPEN]} Draf v3.docx" in line for line in lines) == 1
    assert "Nota Dinas" not in "\n".join(lines)
    assert snapshot(world.root) == before, "a dry run writes nothing"

    code, out, err = world.regenerate("--all")
    assert code == 0, err
    assert world.drafts(OPEN)[-1] == (3, "regenerasi")
    assert "3 ditulis" in out and "6 tidak berubah" in out


def test_dry_run_reports_changed_data(world: World, tmp_path: Path) -> None:
    code, _, err = world.regenerate("--all")
    assert code == 0, err
    case, bidang = world.ids[OPEN], world.settings.office.bidang[1]
    form = one(world.root / "outbox/bidang" / bidang.slug, f"{case} *.xlsx")
    filled = tmp_path / f"{form.stem} revisi.xlsx"
    fill_form(form, filled, bidang)
    workbook = load_workbook(filled)
    sheet = workbook.active
    assert sheet is not None
    sheet.cell(row=7, column=6, value=31234)
    workbook.save(filled)
    app = open_app(world.settings, to_pdf=quick_pdf)
    try:
        Staff(world.settings, tmp_path / "desk").drop(filled, f"bidang/{bidang.slug}")
        run_pass(app)
    finally:
        app.close()
    assert world.drafts(OPEN)[-1] == (3, "pipeline"), "the watcher drafted the new data"

    code, out, err = world.regenerate("--all", "--dry-run")
    assert code == 0, err
    (line,) = planned(out)
    assert f"outbox/analis/{case} Draf v4.docx" in line and "(data berubah)" in line


def test_regenerate_never_changes_anything_under_archive(world: World, tmp_path: Path) -> None:
    archive = world.root / "archive"
    before = snapshot(archive), identity(archive)
    assert len(before[0]) > 5
    code, _, err = world.regenerate("--all", "--workers", "2")
    assert code == 0, err
    add_paragraph(world.root / "templates" / DRAF, "Format baru.")
    add_paragraph(world.root / "templates" / "nota-dinas.docx", "Format baru.")
    year = world.ids[CLOSED].split("-")[1]
    code, out, err = world.regenerate("--year", year)
    assert code == 0, err
    assert "ditulis" in out
    code, _, err = world.regenerate("--all", "--out", str(archive / "baru"))
    assert code == 1 and "archive" in err
    assert (snapshot(archive), identity(archive)) == before


def test_two_workers_give_the_same_bytes_as_one(
    built: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = []
    for workers in ("1", "2"):
        settings, ids = copy_world(built, tmp_path / workers)
        world = World(settings, ids, capsys)
        code, _, err = world.regenerate("--all", "--workers", workers)
        assert code == 0, err
        analis = world.root / f"outbox/analis/{ids[OPEN]} Draf v2.docx"
        made.append((snapshot(world.root / OUT), sha256(analis)))
    assert made[0] == made[1]
    assert set(made[0][0]) == expected_outputs(built[1])


@pytest.mark.libreoffice
def test_pdfs_are_made_in_batches(world: World) -> None:
    require_program("soffice", "libreoffice")
    code, out, err = world.regenerate("--all", "--pdf", "--workers", "2")
    assert code == 0, err
    assert "9 PDF dibuat" in out
    outputs = world.root / OUT
    sources = [
        *outputs.rglob("*.docx"),
        world.root / f"outbox/analis/{world.ids[OPEN]} Draf v2.docx",
    ]
    for source in sources:
        case = source.name.split(" ")[0]
        pdf = outputs / case / f"{source.stem}.pdf"
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages
        )
        assert case in text, pdf

    code, out, err = world.regenerate("--all", "--pdf")
    assert code == 0, err
    assert "PDF dibuat" not in out, (
        "unchanged documents that have their PDF are not converted again"
    )


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ("Nilai: {{ nilai_yang_tidak_ada }}", "nilai_yang_tidak_ada"),
        ("{{ kasus|saring }}", "saring"),
    ],
)
def test_a_failing_document_fails_the_run_and_is_named(
    world: World, broken: str, named: str
) -> None:
    add_paragraph(world.root / "templates" / DRAF, broken)
    code, out, err = world.regenerate("--all", "--workers", "2")
    assert code == 1
    for kind in (CLOSED, OPEN, PARAFED):
        assert f"GAGAL {world.ids[kind]} {DRAF}" in err
    assert named in err
    assert "3 gagal" in out and "6 ditulis" in out
    assert world.drafts(OPEN) == [(1, "pipeline")]
    assert not (world.root / f"outbox/analis/{world.ids[OPEN]} Draf v2.docx").exists()
    copies = {f"{world.ids[k]} Draf v2.docx" for k in (CLOSED, PARAFED)}  # the analyst's, as is
    assert {p.name for p in (world.root / OUT).rglob("*.docx")} == copies | {
        f"{c} Nota Dinas.docx" for c in world.ids.values()
    }


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_document_that_cannot_be_written_fails_alone_and_leaves_no_temporary(
    world: World, workers: str
) -> None:
    """The place of one case's documents is taken by a file: its documents fail and are named,
    the other cases are written and recorded, and nothing half-written stays behind."""
    blocked = world.ids[CLOSED]
    (world.root / OUT).mkdir(parents=True)
    (world.root / OUT / blocked).write_text("bukan folder")
    code, out, err = world.regenerate("--all", "--workers", workers)
    assert code == 1
    failed = [line for line in err.splitlines() if line.startswith(f"GAGAL {blocked}")]
    assert len(failed) == 3  # the nota dinas and the drafts
    assert all(line.endswith(f"{world.root / OUT / blocked}: sudah ada sebagai file, bukan folder")
               for line in failed), failed  # fmt: skip
    assert f"GAGAL {world.ids[PARAFED]}" not in err
    parafed = world.ids[PARAFED]
    assert (world.root / OUT / parafed / f"{parafed} Nota Dinas.docx").exists()
    assert "gagal" in out and "ditulis" in out
    assert not [p for p in world.root.rglob("*") if is_temp_name(p.name)]
    journal = world.journal()
    try:
        recorded = journal.renders(blocked)
    finally:
        journal.close()
    assert recorded == {}, "a document that failed is not recorded as rendered"


def test_a_missing_kept_version_is_named_as_missing(world: World) -> None:
    """The analyst's version a case keeps has gone from berkas/: that one document fails,
    naming the file that is missing; the others are written."""
    kept = kept_versions(world, CLOSED)[2]
    kept.unlink()
    code, out, err = world.regenerate("--all")
    assert code == 1
    assert f"{kept}: tidak ditemukan" in err
    assert "1 gagal" in out


def test_an_unknown_case_is_refused(world: World) -> None:
    code, _, err = world.regenerate("--case", "DK-1999-999")
    assert code == 1 and "DK-1999-999" in err
    assert not (world.root / OUT).exists()


def test_a_selection_is_required(world: World) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["regenerate", str(world.root), "--state", str(world.settings.state_dir)])
    assert exited.value.code == 2


def test_regenerate_runs_beside_a_live_watcher_and_neither_is_disturbed(
    world: World, tmp_path: Path
) -> None:
    """A batch in another process while the watcher takes a new case's drops: the batch
    finishes, every drop is accepted, and the journal holds both."""
    app = open_app(world.settings, to_pdf=quick_pdf)
    staff = Staff(world.settings, tmp_path / "desk")
    argv = [sys.executable, "-m", "pipeline", "regenerate", str(world.root)]
    argv += ["--state", str(world.settings.state_dir), "--all", "--workers", "2", "-q"]
    try:
        with watcher_thread(app) as watcher:
            batch = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            letter = staff.scratch / "Disposisi Tahun 2026 baru.docx"
            disposition_docx(letter, "Tahun 2026")
            staff.drop(letter, "kepala-dinas/disposisi-data-kinerja")
            wait_for(lambda: len(app.journal.case_ids()) == len(world.ids) + 1, "a new case")
            new = app.journal.case_ids()[-1]
            for b in world.settings.office.bidang:
                folder = world.root / "outbox/bidang" / b.slug
                wait_for(lambda f=folder: any(f.glob(f"{new} *.xlsx")), f"form {b.slug}")
                staff.isi_formulir(new, b.slug)
            out, err = batch.communicate(timeout=300)
            wait_for(lambda: (world.root / f"outbox/analis/{new} Draf v1.docx").exists(), "draft")
            assert watcher.results["rejected"] == 0, watcher.results
    finally:
        app.close()
    assert batch.returncode == 0, err.decode()
    assert "gagal" not in out.decode()
    assert world.drafts(OPEN)[-1] == (2, "regenerasi"), "the batch's new version joined the flow"
    expected = expected_outputs(world.ids)
    made = {p.relative_to(world.root / OUT).as_posix() for p in (world.root / OUT).rglob("*.docx")}
    assert expected <= made


def test_a_new_version_is_not_forced_into_a_case_the_watcher_moved_on(
    world: World, tmp_path: Path
) -> None:
    """The analyst's reviewed draft is taken just before the batch commits its new version:
    the batch skips it, leaves nothing in the analyst's outbox, and says why."""
    case = world.ids[OPEN]
    app = open_app(world.settings, to_pdf=quick_pdf)
    staff = Staff(world.settings, tmp_path / "desk")

    @contextmanager
    def watcher_first() -> Iterator[None]:
        staff.telaah_draf(case, 1)  # the watcher had the flow lock and took the analyst's draft
        run_pass(app)
        yield

    journal = world.journal()
    try:
        selection, options = Selection((case,), None), Options(None, False, 1, False)
        events = list(
            regenerate(world.settings, journal, selection, options, utc_now, watcher_first())
        )
    finally:
        journal.close()
        app.close()
    (skipped,) = [e.item for e in events if getattr(e.item, "template", "") == DRAF]
    assert (
        skipped.status is Status.SKIPPED
        and skipped.error == "kasus sudah berubah selama regenerasi"
    )
    assert world.drafts(OPEN) == [(1, "pipeline"), (2, "analis")]
    assert not (world.root / f"outbox/analis/{case} Draf v2.docx").exists()
    assert not [p.name for p in world.root.rglob("*") if is_temp_name(p.name)], "staged, removed"


def test_planning_reads_many_cases_as_the_watcher_reads_one(world: World) -> None:
    """The journal's batch reads (one query per table, inside one snapshot) give exactly what
    its per-case reads give, on cases played through the watcher and regenerated."""
    code, _, err = world.regenerate("--all")
    assert code == 0, err
    journal = world.journal()
    try:
        ids = [*journal.case_ids(), "DK-1999-999"]
        with journal.snapshot():
            states = journal.case_states(ids)
            renders, numbers = journal.renders_of(ids), journal.numbers_of(ids)
            disposisi = journal.first_inputs(ids, "disposisi")
        known = ids[:-1]
        assert states == [journal.case(c) for c in known]
        assert renders == {c: journal.renders(c) for c in known if journal.renders(c)}
        assert numbers == {c: journal.numbers(c) for c in known if journal.numbers(c)}
        assert len(renders) == len(known) and disposisi.keys() == set(known)
        for case in known:
            (first, *_) = [f for f in journal.files(case) if f.kind == "disposisi"]
            assert disposisi[case] == first.name
    finally:
        journal.close()


def test_a_case_restored_from_the_archive_gets_a_render_marked_as_new(world: World) -> None:
    """A journal rebuilt from the bags knows no versions: the draft rendered from the filed
    data is no version of the case, and says so."""
    for leftover in world.settings.state_dir.glob(f"{JOURNAL_FILE}*"):
        leftover.unlink()
    assert main(["reindex", str(world.root), "--state", str(world.settings.state_dir)]) == 0
    code, _, err = world.regenerate("--all")
    assert code == 0, err
    case = world.ids[CLOSED]
    made = sorted(p.name for p in (world.root / OUT / case).iterdir())
    assert made == [f"{case} Draf render ulang.docx", f"{case} Nota Dinas.docx"]
    text = docx_text(world.root / OUT / case / f"{case} Draf render ulang.docx")
    assert "render ulang" in text and not re.findall(r"versi \d", text)
