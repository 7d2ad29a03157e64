"""Bad input gets a clear answer and harms nothing (issue 4), proved through the real pipeline.

Each test starts from a share with five open cases, one at every stage that waits for a drop,
drops something hostile or wrong where a person plausibly would, runs one watcher pass and
checks what that person sees: the original, byte for byte, in `outbox/<role>/ditolak/`, a
reason file in Indonesian that names the problem and what to do, the same reason in
`pipeline status`; and that no case moved and the next valid drop is still taken.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from pipeline.app import App, open_app
from pipeline.cli import main
from pipeline.core.values import CaseState
from pipeline.demo import disposition_docx, fill_form, review_draft, text_pdf
from pipeline.engine.routing import every_place, places_of
from pipeline.inputs.cells import set_text
from pipeline.settings import Settings, load_settings
from pipeline.share import prepare_share
from pipeline.signing.specimen import wet_signed_scan
from pipeline.views.status import build_status
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher
from tests.support.hostile import (
    ACTIVE,
    CORPUS,
    Hostile,
    make_docm,
    make_encrypted_pdf,
    make_excel_lock_file,
    make_xlsm,
)
from tests.support.pdfs import quick_pdf
from tests.support.staff import one

REASON_SUFFIX = ".ALASAN.txt"
PERIODS = ("Triwulan I 2026", "Triwulan II 2026", "Triwulan III 2026", "Semester I 2026")
NEW_PERIOD = "Semester II 2026"
# give up on an incomplete file at once, as `pipeline watch --incomplete-wait 0` does
FAST_GIVE_UP = RetryPolicy(first=0.01, cap=0.02, max_attempts=2, max_wait=0.0)
SECRET = "RAHASIA-DI-LUAR-ROOT"  # what tests.support.hostile puts in the file an XXE points at


def no_pdf(data: bytes, name: str) -> bytes | None:
    """Quick text PDFs for signing copies (sealed like LibreOffice's, without its start-up)."""
    return quick_pdf(data, name)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- a share with a case waiting at every stage ----------------------------------------------


@dataclass
class World:
    """A running share; the case ids name the stage each case waits at."""

    settings: Settings
    app: App
    watcher: Watcher
    desk: Path
    signing: str  # waits for the signed PDF
    paraf_sekretaris: str  # waits for the Secretary's paraf
    paraf_kasubag: str  # waits for Kasubag PPMEP's paraf
    drafting: str  # draft v1 issued, waits for the analyst
    collecting: str  # waits for the data of `last_bidang`
    last_bidang: str

    @property
    def root(self) -> Path:
        return self.settings.root

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def run(self) -> dict[str, int]:
        """One watcher pass; the counts of what happened (without zero counts)."""
        results = {k: v for k, v in self.watcher.run_once().items() if v}
        self.watcher.results.clear()
        return results

    def drop(self, source: Path, folder: str, name: str | None = None) -> Path:
        """Move a file made on the desk into an inbox folder, as a person saving there would."""
        dest = self.inbox / folder / (name or source.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, dest)
        return dest

    def states(self) -> dict[str, CaseState | None]:
        journal = self.app.journal
        return {cid: journal.case(cid) for cid in journal.case_ids()}

    def case(self, case_id: str) -> CaseState:
        state = self.app.journal.case(case_id)
        assert state is not None, case_id
        return state

    def products(self) -> set[str]:
        """Every file the pipeline made or keeps, but the rejections and the status files."""
        return {
            p.relative_to(self.root).as_posix()
            for top in ("outbox", "berkas", "archive")
            for p in (self.root / top).rglob("*")
            if p.is_file() and "ditolak" not in p.parts and p.name != "STATUS.txt"
        }

    def inbox_files(self) -> list[str]:
        return sorted(p.name for p in self.inbox.rglob("*") if p.is_file())

    def form(self, case_id: str | None = None, slug: str | None = None) -> Path:
        slug = slug or self.last_bidang
        return one(self.root / "outbox/bidang" / slug, f"{case_id or self.collecting} *.xlsx")

    def filled_form(self, edit: Callable[[Workbook], None] = lambda wb: None) -> Path:
        """The issued form of the collecting case, filled in openpyxl, then edited."""
        form = self.form()
        bidang = self.settings.office.bidang_by_slug(self.last_bidang)
        assert bidang is not None
        filled = self.desk / form.name
        fill_form(form, filled, bidang)
        book = openpyxl.load_workbook(filled)
        edit(book)
        book.save(filled)
        return filled

    def draft_cells(self, case_id: str, version: int = 1) -> list[str]:
        draft = self.root / f"outbox/analis/{case_id} Draf v{version}.docx"
        document = docx.Document(str(draft))
        return [c.text for t in document.tables for row in t.rows for c in row.cells]


def _play_world(settings: Settings, desk: Path) -> None:
    """Open five cases and move four of them on; the fifth waits for its last bidang."""
    app = open_app(settings, to_pdf=no_pdf)
    watcher = Watcher(app.runner, polling=False, settle=0.0, rescan=60.0, policy=FAST_GIVE_UP)
    world = World(settings, app, watcher, desk, "", "", "", "", "", settings.office.bidang[-1].slug)
    try:
        for period in (*PERIODS, NEW_PERIOD):
            _drop_disposition(world, period)
        assert world.run() == {"accepted": 5}
        ids = app.journal.case_ids()
        slugs = [b.slug for b in settings.office.bidang]
        for index, case_id in enumerate(ids):
            for slug in slugs if index < 4 else slugs[:-1]:
                _drop_filled(world, case_id, slug)
        _drop_reviews(world, ids)
    finally:
        app.close()


def _drop_disposition(world: World, period: str) -> None:
    source = world.desk / f"Disposisi {period}.docx"
    disposition_docx(source, period)
    world.drop(source, "kepala-dinas/disposisi-data-kinerja")


def _drop_filled(world: World, case_id: str, slug: str) -> None:
    form = world.form(case_id, slug)
    bidang = world.settings.office.bidang_by_slug(slug)
    assert bidang is not None
    fill_form(form, world.desk / form.name, bidang)
    world.drop(world.desk / form.name, f"bidang/{slug}")


def _drop_reviews(world: World, ids: list[str]) -> None:
    world.run()
    for case_id in ids[:3]:
        reviewed = world.desk / f"{case_id} Draf v2.docx"
        review_draft(world.root / f"outbox/analis/{case_id} Draf v1.docx", reviewed)
        world.drop(reviewed, "analis/draf")
    assert world.run() == {"accepted": 3}
    for case_id in ids[:2]:
        _copy_final(world, case_id, "kasubag-ppmep")
    assert world.run() == {"accepted": 2}
    _copy_final(world, ids[0], "sekretaris")
    assert world.run() == {"accepted": 1}


def _copy_final(world: World, case_id: str, role: str) -> None:
    final = one(world.root / "outbox" / role, f"{case_id} Draf Final *.docx")
    shutil.copyfile(final, world.inbox / role / "paraf" / final.name)


@pytest.fixture(scope="module")
def world_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The played share, built once per module and copied for every test."""
    base = tmp_path_factory.mktemp("world")
    settings = prepare_share(base / "share", base / "state", settle_seconds=0.0)
    (base / "desk").mkdir()
    _play_world(settings, base / "desk")
    shutil.rmtree(base / "desk")
    return base


@pytest.fixture
def world(world_source: Path, tmp_path: Path) -> Iterator[World]:
    base = tmp_path / "office"
    shutil.copytree(world_source, base)
    settings = load_settings(base / "share", base / "state", settle_seconds=0.0)
    app = open_app(settings, to_pdf=no_pdf)
    watcher = Watcher(app.runner, polling=False, settle=0.0, rescan=60.0, policy=FAST_GIVE_UP)
    desk = tmp_path / "desk"
    desk.mkdir()
    ids = app.journal.case_ids()
    assert len(ids) == 5
    last = settings.office.bidang[-1].slug
    try:
        yield World(settings, app, watcher, desk, *ids, last)
    finally:
        app.close()


# --- what the person who dropped a file sees -------------------------------------------------


def role_of(settings: Settings, folder: str) -> str:
    (place, *_) = places_of(settings.sops, settings.units, folder)
    return place.role


def refused(world: World, role: str, name: str, digest: str, *fragments: str) -> str:
    """Check the original sits byte-identical in the role's ditolak/ with its reason; return it."""
    folder = world.root / "outbox" / role / "ditolak"
    kept = folder / name
    assert kept.is_file(), f"{name} not in {folder}: {sorted(p.name for p in folder.glob('*'))}"
    assert sha256(kept) == digest, "the rejected original is kept byte for byte"
    reason = (folder / (name + REASON_SUFFIX)).read_text(encoding="utf-8")
    assert reason.startswith("FILE DITOLAK")
    assert f"File        : {name}" in reason
    for fragment in fragments:
        assert fragment in reason, f"{fragment!r} not in reason:\n{reason}"
    assert "Yang perlu dilakukan:" in reason
    assert world.inbox_files() == [], "nothing is left in the inbox"
    return reason


def problem_lines(reason: str) -> list[str]:
    """The lines of the reason file under 'Masalah:' (one per problem)."""
    body = reason.split("Masalah:\n", 1)[1].split("\n\nYang perlu dilakukan:", 1)[0]
    return body.splitlines()


def status_rejection(world: World, name: str) -> dict[str, object]:
    status = build_status(world.settings, world.app.journal, world.app.runner.clock())
    found = [r for r in status["rejections"] if r["file"] == name]
    assert len(found) == 1, status["rejections"]
    return found[0]


# --- the valid drop that must still go through afterwards ------------------------------------


def valid_drop(world: World, folder: str) -> Callable[[], bool]:
    """Drop the file the case waiting at `folder` needs; returns a check that it moved on."""
    if folder.startswith("bidang/"):
        world.drop(world.filled_form(), folder)
        return lambda: world.case(world.collecting).has("draf_awal")
    if folder == "analis/draf":
        reviewed = world.desk / f"{world.drafting} Draf v2.docx"
        review_draft(world.root / f"outbox/analis/{world.drafting} Draf v1.docx", reviewed)
        world.drop(reviewed, folder)
        return lambda: world.case(world.drafting).has("draf_diterima")
    if folder.endswith("/paraf"):
        role = folder.split("/")[0]
        case_id = world.paraf_kasubag if role == "kasubag-ppmep" else world.paraf_sekretaris
        _copy_final(world, case_id, role)
        return lambda: world.case(case_id).has(f"paraf:{role}")
    if folder == "kepala-dinas/tanda-tangan":
        signed = world.desk / f"{world.signing} Ditandatangani.pdf"
        issued = world.root / f"outbox/kepala-dinas/{world.signing} Untuk Ditandatangani.pdf"
        signed.write_bytes(wet_signed_scan(issued.read_bytes(), dpi=150))
        world.drop(signed, folder)
        return lambda: world.case(world.signing).closed
    assert folder == "kepala-dinas/disposisi-data-kinerja", folder
    before = len(world.states())
    _drop_disposition(world, "Tahun 2027")
    return lambda: len(world.states()) == before + 1


def still_taken(world: World, folder: str) -> None:
    moved_on = valid_drop(world, folder)
    assert world.run() == {"accepted": 1}
    assert moved_on(), f"the valid drop in inbox/{folder}/ moved its case on"
    assert world.inbox_files() == []


# --- 1. every hostile kind of the corpus, where a person would drop it -----------------------

PLAUSIBLE = {
    "xlsx": "bidang/{last}",
    "docx": "analis/draf",
    "pdf": "kepala-dinas/tanda-tangan",
}


def plausible_folder(hostile: Hostile, last: str) -> str:
    if "image" in hostile.accepted:
        return "kepala-dinas/disposisi-data-kinerja"
    (kind,) = hostile.accepted
    return PLAUSIBLE[kind].format(last=last)


@pytest.mark.parametrize("hostile", CORPUS, ids=lambda h: h.kind)
def test_hostile_drop_is_refused_with_its_reason_and_harms_nothing(
    world: World, hostile: Hostile, caplog: pytest.LogCaptureFixture
) -> None:
    folder = plausible_folder(hostile, world.last_bidang)
    before, products = world.states(), world.products()
    source = hostile.make(world.desk)
    digest = sha256(source)
    world.drop(source, folder)

    with caplog.at_level(logging.WARNING, logger="pipeline.watching.runner"):
        assert world.run() == {"rejected": 1}

    role = role_of(world.settings, folder)
    reason = refused(world, role, source.name, digest, hostile.reason, f"inbox/{folder}/")
    (problem,) = problem_lines(reason)
    what_to_do = problem.split(hostile.reason, 1)[1]
    assert "kirim" in what_to_do.lower(), f"the reason says what to do next: {problem}"
    assert world.states() == before, "no case changed"
    assert world.products() == products, "no document was issued or filed"
    assert any(hostile.reason in r.getMessage() for r in caplog.records), "the log has the reason"
    shown = status_rejection(world, source.name)
    assert hostile.reason in str(shown["reason"])
    assert shown["folder"] == f"outbox/{role}/ditolak/"
    role_status = (world.root / "outbox" / role / "STATUS.txt").read_text(encoding="utf-8")
    assert source.name in role_status and hostile.reason in role_status
    for path in world.root.rglob("*"):
        if path.is_file() and path.stat().st_size < 1 << 20:
            assert SECRET.encode() not in path.read_bytes(), f"outside content leaked into {path}"

    still_taken(world, folder)


ACCEPTS = {
    "xlsx": ("bidang/{last}",),
    "docx": (
        "kepala-dinas/disposisi-data-kinerja",
        "analis/draf",
        "kasubag-ppmep/paraf",
        "sekretaris/paraf",
    ),
    "pdf": ("kepala-dinas/disposisi-data-kinerja", "kepala-dinas/tanda-tangan"),
}


def test_every_inbox_checks_the_content_before_anything_else(world: World) -> None:
    """The same hostile kinds, dropped at once into every inbox that takes their file kind."""
    before, products = world.states(), world.products()
    makers = {"xlsx": make_xlsm, "docx": make_docm, "pdf": make_encrypted_pdf}
    expected = {"xlsx": "berisi makro (.xlsm)", "docx": "berisi makro (.docm)", "pdf": "kata sandi"}
    dropped = []
    for kind, folders in ACCEPTS.items():
        for folder in (f.format(last=world.last_bidang) for f in folders):
            source = makers[kind](world.desk, f"{folder.replace('/', '-')}.{kind}")
            digest = sha256(source)
            world.drop(source, folder)
            dropped.append((folder, source.name, digest, expected[kind]))
    assert world.run() == {"rejected": len(dropped)}
    for folder, name, digest, fragment in dropped:
        refused(world, role_of(world.settings, folder), name, digest, fragment)
    assert world.states() == before
    assert world.products() == products


def inboxes_taking(world: World, kind: str) -> list[str]:
    """Every inbox of the SOP that takes files of `kind`, one per bidang for the bidang inbox."""
    settings = world.settings
    places = every_place([s for s in settings.sops if s.kode == "DK"], settings.units)
    return list(dict.fromkeys(p.folder for p in places if kind in p.stage.terima))


def waits_for_a_drop(world: World, folder: str) -> bool:
    """A case of the played share waits at `folder` (or it opens cases), so a valid drop there
    must still be taken after the refusals."""
    return not folder.startswith("bidang/") or folder == f"bidang/{world.last_bidang}"


DOCX_INBOXES = {
    "kepala-dinas/disposisi-data-kinerja",
    "analis/draf",
    "kasubag-ppmep/paraf",
    "sekretaris/paraf",
}


@pytest.mark.parametrize("hostile", ACTIVE, ids=lambda h: h.kind)
def test_active_content_is_refused_at_every_inbox_and_the_next_drop_is_taken(
    world: World, hostile: Hostile
) -> None:
    (kind,) = hostile.accepted
    folders = inboxes_taking(world, kind)
    bidang = {f"bidang/{b.slug}" for b in world.settings.office.bidang}
    assert set(folders) == (DOCX_INBOXES if kind == "docx" else bidang)
    before, products = world.states(), world.products()
    dropped = []
    for folder in folders:
        source = hostile.make(world.desk)
        name = f"{folder.replace('/', ' ')} {source.name}"
        dropped.append((folder, name, sha256(source)))
        world.drop(source, folder, name)

    assert world.run() == {"rejected": len(folders)}

    for folder, name, digest in dropped:
        role = role_of(world.settings, folder)
        refused(world, role, name, digest, hostile.reason, f"inbox/{folder}/")
    assert world.states() == before, "no case changed"
    assert world.products() == products, "no document was issued or filed"
    for folder in folders:
        if waits_for_a_drop(world, folder):
            still_taken(world, folder)


def test_an_office_lock_file_is_ignored_and_its_workbook_waits(world: World) -> None:
    folder = world.inbox / "bidang" / world.last_bidang
    filled = world.filled_form()
    lock = make_excel_lock_file(folder, filled.name)
    world.drop(filled, f"bidang/{world.last_bidang}")

    assert world.run() == {}, "an open workbook is neither taken nor refused"
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(
        [lock.name, filled.name]
    )
    assert not (world.root / "outbox" / "bidang" / world.last_bidang / "ditolak").exists()

    lock.unlink()
    assert world.run() == {"accepted": 1}, "once Excel closes it, the workbook is taken"

    stray = make_excel_lock_file(folder, "lain.xlsx")
    assert world.run() == {}
    assert stray.exists(), "a lock file alone is left for Excel, not rejected"
    assert not (world.root / "outbox" / "bidang" / world.last_bidang / "ditolak").exists()


# --- 2. spreadsheet problems, in a real form returned by a bidang ----------------------------


def set_cell(row: int, column: int, value: object) -> Callable[[Workbook], None]:
    def edit(book: Workbook) -> None:
        sheet = book["Data Kinerja"]
        sheet.cell(row=row, column=column).value = value

    return edit


def delete_row(row: int) -> Callable[[Workbook], None]:
    def edit(book: Workbook) -> None:
        book["Data Kinerja"].delete_rows(row)

    return edit


def keterangan_formula(book: Workbook) -> None:
    book["Data Kinerja"]["G7"] = '=HYPERLINK("http://contoh.invalid","klik")'


REALISASI, KETERANGAN, KODE = 6, 7, 1
FORM_PROBLEMS = [
    pytest.param(
        set_cell(7, REALISASI, "tujuh"),
        ["baris 7, kolom Realisasi: berisi teks 'tujuh', isi dengan angka", "Ketik angkanya"],
        1,
        id="text",
    ),
    pytest.param(
        set_cell(7, REALISASI, None),
        ["baris 7, kolom Realisasi: kosong", "ketik 0 bila memang nol"],
        1,
        id="empty",
    ),
    pytest.param(
        set_cell(8, REALISASI, "   "),
        ["baris 8, kolom Realisasi: kosong"],
        1,
        id="blank",
    ),
    pytest.param(
        set_cell(7, REALISASI, -5),
        ["baris 7, kolom Realisasi: berisi angka negatif (-5)", "angka 0 atau lebih"],
        1,
        id="negative",
    ),
    pytest.param(
        set_cell(9, REALISASI, "=2*5"),
        [
            "baris 9, kolom Realisasi: nilai rumus belum tersimpan (=2*5)",
            "Buka lalu simpan ulang di Excel",
        ],
        1,
        id="formula-without-value",
    ),
    pytest.param(
        keterangan_formula,
        [
            "baris 7, kolom Keterangan: nilai rumus belum tersimpan",
            "Buka lalu simpan ulang di Excel",
        ],
        1,
        id="keterangan-formula-without-value",
    ),
    pytest.param(
        set_cell(7, REALISASI, date(2026, 7, 1)),
        ["baris 7, kolom Realisasi: berisi tanggal/waktu (01-07-2026), isi dengan angka"],
        1,
        id="date",
    ),
    pytest.param(
        set_cell(7, REALISASI, "#DIV/0!"),
        ["baris 7, kolom Realisasi: berisi galat rumus #DIV/0!"],
        1,
        id="excel-error",
    ),
    pytest.param(
        set_cell(8, KODE, "XXX-99"),
        ["baris 8, kolom Kode: kode indikator 'XXX-99' tidak dikenal", "indikator PBK-02"],
        2,
        id="unknown-code",
    ),
    pytest.param(
        set_cell(8, KODE, "PBK-01"),
        ["baris 8, kolom Kode: kode indikator 'PBK-01' muncul lebih dari sekali", "PBK-02"],
        2,
        id="duplicate-code",
    ),
    pytest.param(
        delete_row(9),
        [
            "indikator PBK-03 (Jumlah perangkat daerah yang dibina kearsipannya) "
            "tidak ada di formulir"
        ],
        1,
        id="missing-indicator",
    ),
    pytest.param(
        set_cell(6, REALISASI, "Nilai"),
        ["baris 6: judul kolom tidak ditemukan: Realisasi", "jangan ubah atau hapus judul kolom"],
        1,
        id="missing-header",
    ),
]


@pytest.mark.parametrize(("edit", "fragments", "lines"), FORM_PROBLEMS)
def test_a_form_with_a_bad_cell_is_refused_naming_the_cell(
    world: World, edit: Callable[[Workbook], None], fragments: list[str], lines: int
) -> None:
    assert world.last_bidang == "pembinaan-kearsipan"  # the codes above are its IKU
    before, products = world.states(), world.products()
    filled = world.filled_form(edit)
    digest = sha256(filled)
    folder = f"bidang/{world.last_bidang}"
    world.drop(filled, folder)

    assert world.run() == {"rejected": 1}

    reason = refused(world, folder, filled.name, digest, "sheet 'Data Kinerja'", *fragments)
    assert len(problem_lines(reason)) == lines, f"one line per real problem:\n{reason}"
    assert world.states() == before
    assert world.products() == products


def test_a_bad_value_is_not_also_reported_as_a_missing_indicator(world: World) -> None:
    filled = world.filled_form(set_cell(7, REALISASI, "tujuh"))
    world.drop(filled, f"bidang/{world.last_bidang}")
    assert world.run() == {"rejected": 1}
    reason = (
        world.root / "outbox/bidang" / world.last_bidang / "ditolak" / (filled.name + REASON_SUFFIX)
    ).read_text(encoding="utf-8")
    assert problem_lines(reason) == [
        "- sheet 'Data Kinerja', baris 7, kolom Realisasi: berisi teks 'tujuh', isi dengan angka. "
        "Ketik angkanya saja, misalnya 1.234,5 atau 85%."
    ]


def test_a_very_long_cell_is_quoted_short_in_the_reason(world: World) -> None:
    def long_cells(book: Workbook) -> None:
        set_cell(7, REALISASI, "tujuh " * 500)(book)
        set_cell(8, KODE, "X" * 3000)(book)

    filled = world.filled_form(long_cells)
    world.drop(filled, f"bidang/{world.last_bidang}")
    assert world.run() == {"rejected": 1}
    reason = (
        world.root / "outbox/bidang" / world.last_bidang / "ditolak" / (filled.name + REASON_SUFFIX)
    ).read_text(encoding="utf-8")
    assert "berisi teks 'tujuh tujuh tujuh tujuh tujuh tujuh t...'" in reason
    assert f"kode indikator '{'X' * 37}...' tidak dikenal" in reason
    assert len(reason) < 2000, "a reason stays readable"


def test_every_problem_of_a_form_is_listed_at_once(world: World) -> None:
    def many(book: Workbook) -> None:
        set_cell(7, REALISASI, "tujuh")(book)
        set_cell(8, REALISASI, -1)(book)
        set_cell(9, KODE, "XXX-99")(book)

    filled = world.filled_form(many)
    world.drop(filled, f"bidang/{world.last_bidang}")
    assert world.run() == {"rejected": 1}
    reason = (
        world.root / "outbox/bidang" / world.last_bidang / "ditolak" / (filled.name + REASON_SUFFIX)
    ).read_text(encoding="utf-8")
    lines = problem_lines(reason)
    assert [line.split(":")[0] for line in lines] == [
        "- sheet 'Data Kinerja', baris 7, kolom Realisasi",
        "- sheet 'Data Kinerja', baris 8, kolom Realisasi",
        "- sheet 'Data Kinerja', baris 9, kolom Kode",
        "- sheet 'Data Kinerja'",
    ]
    assert "indikator PBK-03" in lines[-1]


def percent_cell(book: Workbook) -> None:
    cell = book["Data Kinerja"]["F7"]
    cell.value = 0.85
    cell.number_format = "0%"


def reordered_headers(book: Workbook) -> None:
    """Realisasi and Keterangan swapped, headers retyped in other case and spacing."""
    sheet = book["Data Kinerja"]
    for row in range(6, 10):
        realisasi, keterangan = sheet.cell(row, 6).value, sheet.cell(row, 7).value
        sheet.cell(row, 6).value, sheet.cell(row, 7).value = keterangan, realisasi
    sheet["F6"], sheet["G6"] = "  KETERANGAN ", "realisasi"
    sheet["A6"], sheet["B6"] = "kode", "Indikator\u00a0"


def extra_sheets_and_merged_cells(book: Workbook) -> None:
    notes = book.create_sheet("Catatan", 0)
    notes["A1"] = "catatan internal bidang, bukan data"
    book.create_sheet("Kosong")
    book["Data Kinerja"].merge_cells("B1:E1")
    book["Data Kinerja"].merge_cells("C2:E2")


ACCEPTED_FORMS = [
    pytest.param(set_cell(7, REALISASI, "1.234,5"), 1234.5, "1.234,5", id="indonesian-separators"),
    pytest.param(set_cell(7, REALISASI, "1.234"), 1234.0, "1.234", id="thousands-dot"),
    pytest.param(percent_cell, 85.0, "85", id="percent-format"),
    pytest.param(set_cell(7, REALISASI, "85%"), 85.0, "85", id="percent-text"),
    pytest.param(set_cell(7, REALISASI, " 72,5 "), 72.5, "72,5", id="decimal-comma-spaces"),
    pytest.param(reordered_headers, None, None, id="headers-reordered"),
    pytest.param(extra_sheets_and_merged_cells, None, None, id="extra-sheets-merged-cells"),
]


@pytest.mark.parametrize(("edit", "value", "shown"), ACCEPTED_FORMS)
def test_a_form_filled_the_indonesian_way_is_read_right(
    world: World, edit: Callable[[Workbook], None], value: float | None, shown: str | None
) -> None:
    bidang = world.settings.office.bidang_by_slug(world.last_bidang)
    assert bidang is not None
    expected = openpyxl.load_workbook(world.filled_form())["Data Kinerja"]
    filled = world.filled_form(edit)
    world.drop(filled, f"bidang/{world.last_bidang}")

    assert world.run() == {"accepted": 1}

    state = world.case(world.collecting)
    assert state.has("draf_awal")
    rows = state.bidang[world.last_bidang].rows
    assert [r.kode for r in rows] == [i.kode for i in bidang.iku]
    first = expected.cell(7, REALISASI).value if value is None else value
    assert rows[0].realisasi == pytest.approx(first)
    assert [r.realisasi for r in rows[1:]] == [expected.cell(r, REALISASI).value for r in (8, 9)]
    assert rows[0].keterangan == expected.cell(7, KETERANGAN).value
    cells = world.draft_cells(world.collecting)
    start = cells.index(rows[0].kode)
    if shown is not None:
        assert cells[start + 4] == shown, cells[start : start + 7]


INJECTIONS = [
    pytest.param(
        '=HYPERLINK("http://contoh.invalid/?q="&A1,"klik di sini")',
        "+62 812-3456-7890",
        "@SUM(A1:A9)",
        id="spreadsheet-formulas",
    ),
    pytest.param(
        "{{ 7*7 }}",
        "{{ kasus }} {{ ''.__class__.__mro__ }}",
        "{% for x in range(9) %}ulang{% endfor %}",
        id="template-code",
    ),
    pytest.param(
        "{%tr for r in rows %}",
        "{_{ kasus }_} {_% if 1 %_}",
        "{{r kasus }} {%p if 1 %}",
        id="docxtpl-tags",
    ),
    pytest.param(
        "<w:t>&amp;</w:t></w:r></w:p><w:p>",
        "]]><![CDATA[ &lt; &#x41; & < > \" '",
        "baris satu\nbaris dua\tber-tab",
        id="xml",
    ),
    pytest.param(
        "\u202ekiri-ke-kanan\u200b Café  Ｆｕｌｌ",
        "x" * 4000,
        "😀 ﷽ 𝕏",
        id="unicode-and-long",
    ),
]


@pytest.mark.parametrize("texts", [p.values for p in INJECTIONS], ids=[p.id for p in INJECTIONS])
def test_keterangan_that_looks_like_code_appears_verbatim_in_the_draft(
    world: World, texts: tuple[str, ...]
) -> None:
    def write(book: Workbook) -> None:
        for row, text in enumerate(texts, start=7):
            set_text(book["Data Kinerja"].cell(row, KETERANGAN), text)

    world.drop(world.filled_form(write), f"bidang/{world.last_bidang}")
    assert world.run() == {"accepted": 1}

    state = world.case(world.collecting)
    assert [r.keterangan for r in state.bidang[world.last_bidang].rows] == list(texts)
    cells = world.draft_cells(world.collecting)
    for text in texts:
        assert text in cells, f"the draft shows {text!r} exactly as typed, never evaluated"


# --- 3. right file, wrong place or wrong moment ----------------------------------------------


@pytest.mark.parametrize(
    ("folder", "role", "fragments"),
    [
        ("analis", "analis", ["folder inbox/analis/ bukan tempat", "inbox/analis/draf/"]),
        ("analis/draf/lama", "analis", ["folder inbox/analis/draf/lama/ bukan tempat"]),
        ("bidang", "bidang", ["folder inbox/bidang/ bukan tempat", "inbox/bidang/<bidang>/"]),
        (
            ".",
            "umum",
            ["folder inbox/ bukan tempat", "inbox/analis/draf/", "inbox/bidang/<bidang>/"],
        ),
    ],
)
def test_a_file_in_the_wrong_folder_is_refused_with_the_right_folders(
    world: World, folder: str, role: str, fragments: list[str]
) -> None:
    before = world.states()
    reviewed = world.desk / f"{world.drafting} Draf v2.docx"
    review_draft(world.root / f"outbox/analis/{world.drafting} Draf v1.docx", reviewed)
    digest = sha256(reviewed)
    world.drop(reviewed, folder)

    assert world.run() == {"rejected": 1}

    reason = refused(world, role, reviewed.name, digest, *fragments)
    assert "inbox/./" not in reason
    assert f"letakkan kembali di inbox/{folder}/" not in reason, "never sent back to a wrong place"
    assert world.states() == before
    still_taken(world, "analis/draf")


def test_a_form_for_a_bidang_that_does_not_exist_is_refused(world: World) -> None:
    filled = world.filled_form()
    digest = sha256(filled)
    world.drop(filled, "bidang/keuangan")
    assert world.run() == {"rejected": 1}
    refused(world, "bidang/keuangan", filled.name, digest, "bidang 'keuangan' tidak terdaftar")


def test_a_form_for_a_case_that_does_not_exist_is_refused(world: World) -> None:
    unknown = world.collecting[:-3] + "042"

    def other_case(book: Workbook) -> None:
        set_text(book["Data Kinerja"]["B2"], unknown)

    filled = world.filled_form(other_case)
    renamed = filled.with_name(f"{unknown} Formulir.xlsx")
    filled.rename(renamed)
    before, digest = world.states(), sha256(renamed)
    world.drop(renamed, f"bidang/{world.last_bidang}")

    assert world.run() == {"rejected": 1}

    refused(
        world,
        f"bidang/{world.last_bidang}",
        renamed.name,
        digest,
        f"nomor kasus {unknown} tidak dikenal",
    )
    assert world.states() == before


def test_a_signed_pdf_for_a_case_that_does_not_exist_is_refused(world: World) -> None:
    unknown = world.signing[:-3] + "042"
    signed = world.desk / f"{unknown} Ditandatangani.pdf"
    signed.write_bytes(text_pdf([unknown, world.settings.sops[0].judul_dokumen]))
    before, digest = world.states(), sha256(signed)
    world.drop(signed, "kepala-dinas/tanda-tangan")
    assert world.run() == {"rejected": 1}
    refused(world, "kepala-dinas", signed.name, digest, f"nomor kasus {unknown} tidak dikenal")
    assert world.states() == before
    still_taken(world, "kepala-dinas/tanda-tangan")


def test_paraf_of_an_older_version_is_refused_naming_the_final(world: World) -> None:
    case_id = world.paraf_kasubag
    older = world.desk / f"{case_id} Draf v1.docx"
    shutil.copyfile(world.root / f"outbox/analis/{case_id} Draf v1.docx", older)
    before, digest = world.states(), sha256(older)
    world.drop(older, "kasubag-ppmep/paraf")

    assert world.run() == {"rejected": 1}

    refused(
        world,
        "kasubag-ppmep",
        older.name,
        digest,
        "draf versi lama (v1); versi final adalah v2",
        f"{case_id} Draf Final v2 untuk paraf.docx",
    )
    assert world.states() == before
    still_taken(world, "kasubag-ppmep/paraf")


def test_paraf_of_an_edited_final_is_refused(world: World) -> None:
    case_id = world.paraf_kasubag
    final = one(world.root / "outbox/kasubag-ppmep", f"{case_id} Draf Final *.docx")
    edited = world.desk / final.name
    review_draft(final, edited)
    before, digest = world.states(), sha256(edited)
    world.drop(edited, "kasubag-ppmep/paraf")

    assert world.run() == {"rejected": 1}

    refused(world, "kasubag-ppmep", edited.name, digest, "isi file berbeda dari draf final v2")
    assert world.states() == before
    still_taken(world, "kasubag-ppmep/paraf")


def test_paraf_out_of_order_is_refused(world: World) -> None:
    case_id = world.paraf_kasubag  # Kasubag PPMEP has not initialled it yet
    final = one(world.root / "outbox/kasubag-ppmep", f"{case_id} Draf Final *.docx")
    copy = world.desk / final.name
    shutil.copyfile(final, copy)
    before, digest = world.states(), sha256(copy)
    world.drop(copy, "sekretaris/paraf")
    assert world.run() == {"rejected": 1}
    refused(
        world, "sekretaris", copy.name, digest, f"draf kasus {case_id} belum diparaf kasubag-ppmep"
    )
    assert world.states() == before


def test_the_same_bytes_dropped_twice_are_taken_once(world: World) -> None:
    folder = f"bidang/{world.last_bidang}"
    filled = world.filled_form()
    spare = world.desk / "salinan.xlsx"
    shutil.copyfile(filled, spare)
    digest = sha256(spare)
    world.drop(filled, folder)
    assert world.run() == {"accepted": 1}
    after_first, products = world.states(), world.products()

    world.drop(spare, folder, filled.name)
    assert world.run() == {"rejected": 1}

    refused(world, folder, filled.name, digest, "sudah pernah diterima", "Tidak perlu dikirim lagi")
    assert world.states() == after_first
    assert world.products() == products


def test_a_corrected_form_sent_again_under_the_same_name_is_kept_beside_the_first(
    world: World,
) -> None:
    folder = f"bidang/{world.last_bidang}"
    first = world.filled_form()
    first_digest = sha256(first)
    world.drop(first, folder)
    assert world.run() == {"accepted": 1}
    corrected = world.filled_form(set_cell(7, REALISASI, 80))
    second_digest = sha256(corrected)
    world.drop(corrected, folder)

    assert world.run() == {"accepted": 1}, "a corrected form replaces the data"

    kept = sorted((world.root / "berkas" / world.collecting / "masuk").glob("03 data *"))
    digests = {sha256(p) for p in kept if world.last_bidang in p.name}
    assert {first_digest, second_digest} <= digests, "both originals are kept"
    state = world.case(world.collecting)
    assert state.bidang[world.last_bidang].rows[0].realisasi == 80
    assert [d.version for d in state.drafts] == [1, 2]
    assert world.inbox_files() == []


def test_each_draft_saved_under_the_same_name_stays_its_own_version(world: World) -> None:
    case_id = world.drafting
    name = f"{case_id} Draf telaah.docx"
    for note in ("telaah pertama", "telaah kedua"):
        source = world.desk / name
        document = docx.Document(str(world.root / f"outbox/analis/{case_id} Draf v1.docx"))
        document.add_paragraph(note)
        document.save(str(source))
        world.drop(source, "analis/draf")
        assert world.run() == {"accepted": 1}

    state = world.case(case_id)
    v2, v3 = state.drafts[1:]
    assert (v2.version, v3.version) == (2, 3) and v2.path != v3.path
    texts = [
        "\n".join(p.text for p in docx.Document(str(world.root / d.path)).paragraphs)
        for d in (v2, v3)
    ]
    assert "telaah pertama" in texts[0] and "telaah kedua" in texts[1]
    final = one(world.root / "outbox/kasubag-ppmep", f"{case_id} Draf Final v3 untuk paraf.docx")
    assert sha256(final) == sha256(world.root / v3.path), "Kasubag gets the last version"


def test_a_symlink_dropped_into_an_inbox_is_refused_without_reading_its_target(
    world: World, tmp_path: Path
) -> None:
    outside = tmp_path / "di-luar"
    outside.mkdir()
    reviewed = outside / f"{world.drafting} Draf v2.docx"
    review_draft(world.root / f"outbox/analis/{world.drafting} Draf v1.docx", reviewed)
    digest = sha256(reviewed)
    link = world.inbox / "analis/draf" / reviewed.name
    os.symlink(reviewed, link)
    before, products = world.states(), world.products()

    assert world.run() == {"rejected": 1}

    kept = world.root / "outbox/analis/ditolak" / reviewed.name
    assert kept.is_symlink() and Path(os.readlink(kept)) == reviewed, "the link itself is kept"
    reason = (kept.parent / (kept.name + REASON_SUFFIX)).read_text(encoding="utf-8")
    assert "tautan" in reason
    assert world.states() == before, "a file outside the share never enters a case"
    assert world.products() == products
    assert sha256(reviewed) == digest and len(list(outside.iterdir())) == 1
    assert world.inbox_files() == []


# --- 4. the same reason in `pipeline status` -------------------------------------------------


def test_pipeline_status_json_lists_the_rejection_with_its_reason(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    filled = world.filled_form(set_cell(7, REALISASI, "tujuh"))
    world.drop(filled, f"bidang/{world.last_bidang}")
    assert world.run() == {"rejected": 1}
    root, state = str(world.root), str(world.settings.state_dir)

    assert main(["status", root, "--state", state, "--json"]) == 0

    rejections = json.loads(capsys.readouterr().out)["rejections"]
    (shown,) = [r for r in rejections if r["file"] == filled.name]
    assert shown["role"] == f"bidang/{world.last_bidang}"
    assert shown["inbox"] == f"inbox/bidang/{world.last_bidang}/"
    assert shown["folder"] == f"outbox/bidang/{world.last_bidang}/ditolak/"
    assert "baris 7, kolom Realisasi: berisi teks 'tujuh', isi dengan angka" in shown["reason"]
