"""Property: whatever lands in an inbox, the pipeline answers it and stays inside its share.

Random bytes under random names in random inbox folders, and random cell contents in a real
returned form, go through the real runner (and a real watcher pass). For every input: no
exception escapes, it ends either accepted (kept in berkas/) or rejected (in ditolak/ with a
reason, never an "internal error"), nothing is left in the inbox, no file appears outside
ROOT, and accepted data always renders into the draft.

The share is built once per test function and shared by its examples (state accumulating over
examples is part of the property), hence the suppressed function-scoped-fixture health check.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipeline.app import App, open_app
from pipeline.core.values import CaseState
from pipeline.demo import disposition_docx, fill_form
from pipeline.inputs.cells import cell_text
from pipeline.inputs.kinds import CFB_MAGIC
from pipeline.settings import Settings
from pipeline.share import prepare_share
from pipeline.store.fsops import sha256_bytes
from pipeline.store.journal import DropRecord
from pipeline.watching.answers import REASON_SUFFIX
from pipeline.watching.readiness import RetryPolicy, is_ignored, office_lock_present
from pipeline.watching.runner import Result
from pipeline.watching.watcher import Watcher
from tests.support.hostile import pdf_bytes, png_bytes

INTERNAL = "kesalahan internal"
MAX_NAME_BYTES = 200  # room for the " (2)" and ".ALASAN.txt" the pipeline may add
PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def no_pdf(data: bytes, name: str) -> bytes | None:
    return None


# --- the share: one case waiting for the data of its last bidang ------------------------------


@dataclass(repr=False)
class Share:
    settings: Settings
    app: App
    base: Path
    case_id: str
    last: str

    def __repr__(self) -> str:  # short, so that a failing example stays readable
        return f"Share({self.case_id} waiting for {self.last})"

    @property
    def root(self) -> Path:
        return self.settings.root

    def outside(self) -> set[str]:
        """Every path under the test's folder that is neither the share nor its state."""
        skip = (self.root, self.settings.state_dir)
        return {
            p.relative_to(self.base).as_posix()
            for p in self.base.rglob("*")
            if not any(p == s or s in p.parents for s in skip)
        }

    def case(self) -> CaseState:
        state = self.app.journal.case(self.case_id)
        assert state is not None
        return state

    def inbox_files(self) -> list[Path]:
        return sorted(p for p in (self.root / "inbox").rglob("*") if p.is_file())

    def record(self, folder: str, name: str, data: bytes) -> DropRecord:
        key = f"{folder}|{sha256_bytes(data)}"
        found = [r for r in self.app.journal.drops_by_key(key) if r.name == name]
        assert found, f"no journal record of {folder}/{name}"
        return found[-1]


def _build(base: Path) -> Share:
    settings = prepare_share(base / "share", base / "state", settle_seconds=0.0)
    app = open_app(settings, to_pdf=no_pdf)
    inbox = settings.root / "inbox"
    disposition_docx(
        inbox / "kepala-dinas/disposisi-data-kinerja/Disposisi Triwulan II 2026.docx", "TW II"
    )
    assert (
        app.runner.process(next((inbox / "kepala-dinas/disposisi-data-kinerja").iterdir()))
        is Result.ACCEPTED
    )
    (case_id,) = app.journal.case_ids()
    for bidang in settings.office.bidang[:-1]:
        form = next((settings.root / "outbox/bidang" / bidang.slug).glob("*.xlsx"))
        dest = inbox / "bidang" / bidang.slug / form.name
        fill_form(form, dest, bidang)
        assert app.runner.process(dest) is Result.ACCEPTED
    return Share(settings, app, base, case_id, settings.office.bidang[-1].slug)


@pytest.fixture
def share(tmp_path: Path) -> Iterator[Share]:
    built = _build(tmp_path)
    try:
        yield built
    finally:
        built.app.close()


# --- what every input must end as -------------------------------------------------------------


def settled(share: Share, folder: str, name: str, data: bytes, result: Result) -> DropRecord:
    """The input was accepted into berkas/ or rejected into ditolak/ with a reason, intact."""
    assert result in {Result.ACCEPTED, Result.REJECTED}, result
    event(f"{result.value} in {folder}")
    record = share.record(folder, name, data)
    assert record.moved
    kept = share.root / record.dest
    assert kept.read_bytes() == data, "the original is kept byte for byte"
    if result is Result.ACCEPTED:
        assert record.outcome == "accepted" and record.dest.startswith("berkas/")
        return record
    assert record.outcome == "rejected"
    assert record.dest.startswith("outbox/") and kept.parent.name == "ditolak"
    reason = kept.with_name(kept.name + REASON_SUFFIX).read_text(encoding="utf-8")
    assert "Masalah:" in reason and "Yang perlu dilakukan:" in reason
    assert INTERNAL not in reason, f"{folder}/{name}: no specific reason:\n{reason}"
    return record


# --- strategies: random files ------------------------------------------------------------------

FOLDERS = (
    "kepala-dinas/disposisi-data-kinerja",
    "bidang/pembinaan-kearsipan",
    "bidang/sekretariat",
    "analis/draf",
    "kasubag-ppmep/paraf",
    "sekretaris/paraf",
    "kepala-dinas/tanda-tangan",
    ".",
    "analis",
    "bidang",
    "bidang/tidak-terdaftar",
    "analis/draf/lama",
)
EXTENSIONS = (
    "", ".xlsx", ".XLSX", ".xlsm", ".xls", ".docx", ".docm", ".doc", ".pdf", ".PDF",
    ".png", ".jpg", ".tif", ".txt", ".zip", ".ods",
)  # fmt: skip
HEADS = (b"", b"PK\x03\x04", b"%PDF-1.7\n", CFB_MAGIC, b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def _valid_samples() -> tuple[bytes, ...]:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Kode", "Realisasi", "Keterangan"])
    xlsx = io.BytesIO()
    book.save(xlsx)
    document = docx.Document()
    document.add_paragraph("DK-2026-001 draf")
    word = io.BytesIO()
    document.save(word)
    return xlsx.getvalue(), word.getvalue(), pdf_bytes(["DK-2026-001"]), png_bytes()


SAMPLES = _valid_samples()

names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1,
    max_size=60,
)


@st.composite
def contents(draw: st.DrawFn) -> bytes:
    """Random bytes, bytes behind a real magic number, or a valid file with bytes flipped."""
    kind = draw(st.sampled_from(("random", "headed", "intact", "mutated", "cut")))
    if kind == "random":
        return draw(st.binary(max_size=2048))
    if kind == "headed":
        return draw(st.sampled_from(HEADS)) + draw(st.binary(max_size=2048))
    sample = bytearray(draw(st.sampled_from(SAMPLES)))
    if kind == "intact":
        return bytes(sample)
    if kind == "cut":
        return bytes(sample[: draw(st.integers(0, len(sample)))])
    for _ in range(draw(st.integers(1, 8))):
        sample[draw(st.integers(0, len(sample) - 1))] = draw(st.integers(0, 255))
    return bytes(sample)


@dataclass(frozen=True)
class RandomDrop:
    folder: str
    name: str
    data: bytes


@st.composite
def random_drops(draw: st.DrawFn) -> RandomDrop:
    name = draw(names) + draw(st.sampled_from(EXTENSIONS))
    assume(name not in {".", ".."} and len(name.encode()) <= MAX_NAME_BYTES)
    return RandomDrop(draw(st.sampled_from(FOLDERS)), name, draw(contents()))


def place(share: Share, drop: RandomDrop) -> Path:
    folder = share.root / "inbox" / drop.folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / drop.name
    path.write_bytes(drop.data)
    return path


@settings(PROPERTY, max_examples=60)
@given(batch=st.lists(random_drops(), min_size=1, max_size=3, unique_by=lambda d: d.name))
def test_random_files_in_random_folders_end_accepted_or_rejected(
    share: Share, batch: list[RandomDrop]
) -> None:
    outside = share.outside()
    placed = [(drop, place(share, drop)) for drop in batch]
    for drop, path in placed:
        if is_ignored(path.name):
            continue  # never a drop: the watcher leaves it alone (see the watcher test below)
        result = share.app.runner.process(path)
        settled(share, path.parent.relative_to(share.root / "inbox").as_posix(), path.name,
                drop.data, result)  # fmt: skip
    left = [p for p in share.inbox_files() if not is_ignored(p.name)]
    assert left == [], "nothing is left in the inbox"
    for path in share.inbox_files():
        path.unlink()  # ignored names, e.g. '~$x.xlsx': cleared for the next example
    assert share.outside() == outside, "no file is created outside ROOT"


@settings(PROPERTY, max_examples=8)
@given(batch=st.lists(random_drops(), min_size=1, max_size=6, unique_by=lambda d: d.name))
def test_a_watcher_pass_answers_every_random_file(share: Share, batch: list[RandomDrop]) -> None:
    outside = share.outside()
    policy = RetryPolicy(first=0.01, cap=0.02, max_attempts=2, max_wait=0.0)
    watcher = Watcher(share.app.runner, polling=False, settle=0.0, rescan=60.0, policy=policy)
    placed = [place(share, drop) for drop in batch]
    # never handled in this pass: names that are never drops, and files "open in Office"
    stay = [p for p in placed if is_ignored(p.name) or office_lock_present(p)]

    results = watcher.run_once(deadline=60.0)

    handled = sum(results[r.value] for r in (Result.ACCEPTED, Result.REJECTED))
    assert handled == len(placed) - len(stay), results
    assert sorted(share.inbox_files()) == sorted(stay), "nothing else is left in the inbox"
    for path in stay:
        path.unlink()
    assert share.outside() == outside


# --- strategies: random cells in a real form -------------------------------------------------

formula_like = st.builds(
    lambda head, body: head + body,
    st.sampled_from(("=", "+", "-", "@", "=HYPERLINK(", "=1/0", "=SUM(", "{{", "{%", "{_{", "<w:")),
    st.text(max_size=30),
)
numbers_as_text = st.sampled_from(
    ("1.234,5", "1.234", "12,5", "1,234.5", "85%", "Rp 1.500.000", " 7 ", "-3", "1e5", "tujuh",
     "#DIV/0!", "#N/A", "1.2.3", "0,0001", "∞", "١٢٣")
)  # fmt: skip
control_text = st.text(
    st.characters(min_codepoint=0, max_codepoint=0x9F, blacklist_categories=("Cs",)), max_size=20
)
long_text = st.builds(lambda c, n: c * n, st.characters(blacklist_categories=("Cs",)),
                      st.integers(300, 3_000))  # fmt: skip
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
    formula_like,
    numbers_as_text,
    control_text,
    long_text,
)


def writable(value: object) -> object:
    """What openpyxl can store: it refuses XML-illegal control characters in text."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def filled_form_bytes(share: Share, cells: dict[tuple[int, int], object]) -> bytes:
    bidang = share.settings.office.bidang_by_slug(share.last)
    assert bidang is not None
    form = next((share.root / "outbox/bidang" / share.last).glob(f"{share.case_id} *.xlsx"))
    scratch = share.base / "scratch.xlsx"
    fill_form(form, scratch, bidang)
    book = openpyxl.load_workbook(scratch)
    sheet = book["Data Kinerja"]
    for (row, column), value in cells.items():
        sheet.cell(row, column).value = writable(value)
    out = io.BytesIO()
    book.save(out)
    scratch.unlink()
    return out.getvalue()


def draft_text(path: Path) -> str:
    document = docx.Document(str(path))
    return "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)


@st.composite
def form_cells(draw: st.DrawFn) -> dict[tuple[int, int], object]:
    """Random Keterangan cells; in half of the examples also random Kode/Realisasi cells."""
    notes = draw(st.dictionaries(st.integers(7, 9), cell_values, min_size=1, max_size=3))
    cells = {(row, 7): value for row, value in notes.items()}
    if draw(st.booleans()):
        keys = st.tuples(st.integers(7, 9), st.sampled_from((1, 6)))
        cells |= draw(st.dictionaries(keys, cell_values, min_size=1, max_size=3))
    return cells


@settings(PROPERTY, max_examples=50)
@given(cells=form_cells())
def test_random_cells_in_a_real_form_are_read_or_refused_and_always_render(
    share: Share, cells: dict[tuple[int, int], object]
) -> None:
    outside = share.outside()
    data = filled_form_bytes(share, cells)
    folder = f"bidang/{share.last}"
    path = share.root / "inbox" / folder / f"{share.case_id} formulir.xlsx"
    path.write_bytes(data)
    drafts = len(share.case().drafts)

    result = share.app.runner.process(path)

    settled(share, folder, path.name, data, result)
    assert share.inbox_files() == []
    assert share.outside() == outside
    state = share.case()
    if result is Result.REJECTED:
        assert len(state.drafts) == drafts, "a refused form changes no draft"
        return
    version = len(state.drafts)
    assert version == drafts + 1, "every accepted form renders a new draft version"
    text = draft_text(share.root / f"outbox/analis/{share.case_id} Draf v{version}.docx")
    for row in state.bidang[share.last].rows:
        assert row.keterangan in text, "the note appears in the draft as plain text"
    for (_row, column), value in cells.items():
        if column == 7 and isinstance(value, str) and cell_text(writable(value)).strip():
            assert cell_text(writable(value)).strip() in text


def test_the_share_builder_leaves_one_case_waiting_for_one_bidang(share: Share) -> None:
    state = share.case()
    assert set(state.bidang) == {b.slug for b in share.settings.office.bidang[:-1]}
    assert not state.drafts and share.inbox_files() == []
