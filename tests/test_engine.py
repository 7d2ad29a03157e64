"""The workflow's rules, decided without a disk: every stage kind's outcome and every rejection
it can give, from the facts of a drop and a snapshot of the cases (both small fakes here)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.errors import Rejected
from pipeline.core.office import Bidang, Office
from pipeline.core.pemeriksaan import CHECKLIST_TITLE
from pipeline.core.people import NOBODY, Actor
from pipeline.core.values import (
    DROP,
    BidangData,
    CaseState,
    Copy,
    DataRow,
    Draft,
    Event,
    Form,
    Outcome,
    Render,
    SigningCopy,
)
from pipeline.engine.context import Decide
from pipeline.engine.definition import parse
from pipeline.engine.flow import decide
from pipeline.engine.kinds.opening import says_new_case
from pipeline.engine.model import SopDef
from pipeline.engine.numbers import Allocator
from pipeline.engine.routing import choose, places_of
from pipeline.settings import load_office

ROOT = Path(__file__).parent.parent
NOW = datetime(2026, 7, 6, 2, 0, tzinfo=UTC)  # Monday 09.00 WIB


def definition(name: str) -> SopDef:
    sop, problems = parse(tomllib.loads((ROOT / "config/sop" / name).read_text("utf-8")), name)
    assert sop is not None, problems
    return sop


DK = definition("040-data-kinerja.toml")
SK = definition("surat-keluar.toml")
OFFICE: Office = load_office(ROOT / "config/kantor.toml", ROOT, (DK, SK))
UNITS = tuple(b.slug for b in OFFICE.bidang)


@dataclass
class Facts:
    """A dropped file as the decisions see it; `fails` makes a reader refuse it."""

    name: str
    folder: str = ""
    sha256: str = "a" * 64
    actor: Actor = NOBODY
    kinds: str = "docx"
    content: str = ""
    props: Mapping[str, str] = field(default_factory=dict)
    data: BidangData | None = None
    signed: Mapping[str, Any] = field(default_factory=lambda: {"method": "pindaian-qr"})
    fails: Rejected | None = None

    def kind(self, accepts: frozenset[str]) -> str:
        if self.fails is not None:
            raise self.fails
        if self.kinds not in accepts:
            raise Rejected(f"isi file berupa {self.kinds}", "kirim yang lain")
        return self.kinds

    def text(self) -> str:
        return self.content

    def properties(self) -> Mapping[str, str]:
        return self.props

    def form(self, bidang: Bidang) -> tuple[BidangData, str]:
        assert self.data is not None
        return self.data, self.content

    def signature(self, case_id: str) -> Mapping[str, Any]:
        return self.signed


@dataclass
class Cases:
    """A snapshot of the journal."""

    states: dict[str, CaseState] = field(default_factory=dict)
    openings: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    issued: dict[str, frozenset[str]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)

    def known(self) -> list[str]:
        return list(self.states)

    def open_cases(self, prefix: str) -> list[CaseState]:
        return [s for s in self.states.values() if s.prefix == prefix and not s.closed]

    def get(self, case_id: str) -> CaseState | None:
        return self.states.get(case_id)

    def opened_by(self, folder: str, name: str) -> list[str]:
        return self.openings.get((folder, name), [])

    def next_seq(self, prefix: str, year: int) -> int:
        return 1 + sum(s.prefix == prefix and s.year == year for s in self.states.values())

    def issued_hashes(self, case_id: str, kind: str) -> frozenset[str]:
        return self.issued.get(case_id, frozenset())

    def next_number(self, register: str, year: int) -> int:
        return self.numbers.get(register, 1)

    def kept(self, path: str) -> bool:
        return False


def run(sop: SopDef, facts: Facts, cases: Cases, role: str, stage_kind: str) -> Outcome:
    stage = sop.stage(stage_kind)
    assert stage is not None
    ctx = Decide(
        sop, OFFICE, NOW, OFFICE.calendar.tz, cases, facts, role, Allocator(cases.next_number)
    )
    return decide(ctx, stage)


def refused(sop: SopDef, facts: Facts, cases: Cases, role: str, kind: str) -> Rejected:
    with pytest.raises(Rejected) as caught:
        run(sop, facts, cases, role, kind)
    return caught.value


def case(
    case_id: str = "DK-2026-001", *events: str, drafts: tuple[Draft, ...] = (), **extra: Any
) -> CaseState:
    happened = tuple(Event(e, NOW - timedelta(hours=10 - i)) for i, e in enumerate(events))
    return CaseState(
        id=case_id, year=2026, period="Triwulan II 2026", opened_at=NOW - timedelta(days=3),
        closed_at=extra.pop("closed_at", None), events=happened, bidang=extra.pop("bidang", {}),
        drafts=drafts, **extra,
    )  # fmt: skip


def data(slug: str) -> BidangData:
    bidang = OFFICE.bidang_by_slug(slug)
    assert bidang is not None
    return BidangData(slug, tuple(DataRow(i.kode, i.target, "") for i in bidang.iku))


def all_data(but: str = "") -> dict[str, BidangData]:
    return {u: data(u) for u in UNITS if u != but}


def draft(version: int, sha: str, source: str = "analis") -> Draft:
    return Draft(
        version, sha, f"berkas/DK-2026-001/x v{version}.docx", source, NOW - timedelta(days=1)
    )


DRAFTING = ("disposisi", "perintah", "data_lengkap", "draf_awal")
REVIEWED = (*DRAFTING, "draf_diterima")

# --- disposisi -------------------------------------------------------------------------------


def test_a_disposition_opens_a_case_and_the_order_and_forms_go_out() -> None:
    facts = Facts("Disposisi Triwulan III 2026.docx", "kepala-dinas/disposisi-data-kinerja")
    outcome = run(DK, facts, Cases(), "kepala-dinas", "disposisi")
    assert outcome.new_case is not None and outcome.case_id == "DK-2026-001"
    assert outcome.new_case.period == "Triwulan III 2026"
    assert [e.name for e in outcome.events] == ["disposisi", "perintah"]
    nota = [o for o in outcome.outputs if isinstance(o.content, Render)]
    assert [o.path for o in nota] == [
        "outbox/sekretaris/DK-2026-001 Nota Dinas.docx",
        "outbox/kasubag-ppmep/DK-2026-001 Nota Dinas.docx",
    ]
    assert [o.keep for o in nota] == [True, False], "the case keeps one copy"
    forms = [o for o in outcome.outputs if isinstance(o.content, Form)]
    assert {o.role for o in forms} == {f"bidang/{u}" for u in UNITS}
    assert all(o.step == 2 for o in [*nota, *forms])
    assert outcome.input_dest.startswith("berkas/DK-2026-001/masuk/01 disposisi - ")


def test_a_file_naming_an_existing_case_opens_none() -> None:
    cases = Cases({"DK-2026-001": case()})
    facts = Facts("DK-2026-001 catatan.docx", "kepala-dinas/disposisi-data-kinerja")
    problem = refused(DK, facts, cases, "kepala-dinas", "disposisi")
    assert "menyebut kasus DK-2026-001 yang sudah ada" in problem.alasan and not problem.resend


def test_the_same_disposition_again_is_a_notice_not_a_second_case() -> None:
    name = "Disposisi Triwulan III 2026.docx"
    folder = "kepala-dinas/disposisi-data-kinerja"
    cases = Cases({"DK-2026-001": case()}, openings={(folder, name): ["DK-2026-001"]})
    problem = refused(DK, Facts(name, folder), cases, "kepala-dinas", "disposisi")
    assert problem.informational and problem.case_id == "DK-2026-001"
    outcome = run(DK, Facts(f"baru {name}", folder), cases, "kepala-dinas", "disposisi")
    assert outcome.case_id == "DK-2026-002"


@pytest.mark.parametrize(
    ("name", "new"),
    [("Disposisi baru.docx", True), ("BARU disposisi.docx", True), ("disposisi_baru.docx", True),
     ("Disposisi terbaru.docx", False), ("Pembaruan data.docx", False), ("Disposisi.docx", False)],
)  # fmt: skip
def test_only_the_word_baru_asks_for_a_new_case(name: str, new: bool) -> None:
    assert says_new_case(name) is new


def test_what_the_file_is_not_is_refused_before_anything_is_decided() -> None:
    bad = Rejected("file PDF dilindungi kata sandi (terenkripsi)", "simpan tanpa kata sandi")
    facts = Facts("x.pdf", "kepala-dinas/disposisi-data-kinerja", fails=bad)
    assert refused(DK, facts, Cases(), "kepala-dinas", "disposisi") is bad


# --- pengumpulan -----------------------------------------------------------------------------


def form_drop(
    slug: str, name: str = "DK-2026-001 Formulir.xlsx", text: str = "DK-2026-001"
) -> Facts:
    return Facts(name, f"bidang/{slug}", kinds="xlsx", content=text, data=data(slug))


def test_a_form_is_taken_and_the_last_one_renders_draft_one() -> None:
    cases = Cases(
        {
            "DK-2026-001": case(
                "DK-2026-001", "disposisi", "perintah", bidang=all_data("sekretariat")
            )
        }
    )
    outcome = run(DK, form_drop("sekretariat"), cases, "bidang/sekretariat", "pengumpulan")
    assert outcome.bidang_data == data("sekretariat")
    assert [e.name for e in outcome.events] == ["data_lengkap", "draf_awal"]
    (draft_out,) = outcome.outputs
    assert draft_out.path == "outbox/analis/DK-2026-001 Draf v1.docx" and draft_out.step == 4
    assert isinstance(draft_out.content, Render)
    assert draft_out.content.template == "draf-data-kinerja.docx"
    assert outcome.draft is not None and outcome.draft.version == 1 and outcome.draft.sha256 == ""


def test_newer_data_after_the_draft_give_the_next_version() -> None:
    state = case(
        "DK-2026-001", *DRAFTING, bidang=all_data(), drafts=(draft(1, "b" * 64, "pipeline"),)
    )
    outcome = run(
        DK, form_drop("sekretariat"), Cases({state.id: state}), "bidang/sekretariat", "pengumpulan"
    )
    assert outcome.draft is not None and outcome.draft.version == 2
    assert [o.path for o in outcome.outputs] == ["outbox/analis/DK-2026-001 Draf v2.docx"]
    assert outcome.events == ()


def test_a_form_in_an_unknown_bidang_folder_is_refused() -> None:
    problem = refused(DK, form_drop("sekretariat"), Cases(), "bidang/keuangan", "pengumpulan")
    assert "bidang 'keuangan' tidak terdaftar" in problem.alasan


def test_data_after_the_review_cannot_change() -> None:
    state = case("DK-2026-001", *REVIEWED, bidang=all_data())
    problem = refused(
        DK, form_drop("sekretariat"), Cases({state.id: state}), "bidang/sekretariat", "pengumpulan"
    )
    assert "sudah ditelaah analis" in problem.alasan and "hubungi analis" in problem.saran


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"closed_at": NOW}, "sudah selesai dan diarsipkan"),
        ({"events": "dibatalkan", "closed_at": NOW}, "sudah dibatalkan"),
    ],
)
def test_a_finished_case_takes_nothing_more(extra: dict[str, Any], words: str) -> None:
    events = ("disposisi", "perintah", *([extra.pop("events")] if "events" in extra else []))
    state = case("DK-2026-001", *events, **extra)
    problem = refused(
        DK, form_drop("sekretariat"), Cases({state.id: state}), "bidang/sekretariat", "pengumpulan"
    )
    assert words in problem.alasan and problem.informational


def test_a_form_named_for_one_case_and_made_for_another_says_which_is_which() -> None:
    cases = Cases({c: case(c, "disposisi", "perintah") for c in ("DK-2026-001", "DK-2026-002")})
    facts = form_drop("sekretariat", name="DK-2026-001 Formulir.xlsx", text="DK-2026-002")
    problem = refused(DK, facts, cases, "bidang/sekretariat", "pengumpulan")
    assert (
        "nama file menyebut DK-2026-001" in problem.alasan and "milik DK-2026-002" in problem.alasan
    )


def test_a_form_naming_no_case_while_two_wait_is_refused() -> None:
    cases = Cases({c: case(c, "disposisi", "perintah") for c in ("DK-2026-001", "DK-2026-002")})
    problem = refused(
        DK,
        form_drop("sekretariat", name="formulir.xlsx", text=""),
        cases,
        "bidang/sekretariat",
        "pengumpulan",
    )
    assert "DK-2026-001" in problem.message and "DK-2026-002" in problem.message


# --- draf --------------------------------------------------------------------------------------


def draft_drop(sha: str = "c" * 64, **props: str) -> Facts:
    return Facts(
        "DK-2026-001 Draf v2.docx", "analis/draf", sha256=sha, content="DK-2026-001", props=props
    )


def test_the_analysts_version_goes_to_the_first_paraf() -> None:
    state = case("DK-2026-001", *DRAFTING, drafts=(draft(1, "b" * 64, "pipeline"),))
    outcome = run(DK, draft_drop(), Cases({state.id: state}), "analis", "draf")
    assert [e.name for e in outcome.events] == ["draf_diterima"]
    (copy,) = outcome.outputs
    assert copy.path == "outbox/kasubag-ppmep/DK-2026-001 Draf Final v2 untuk paraf.docx"
    assert copy.content == Copy(DROP) and not copy.keep and copy.step == 5
    assert outcome.draft is not None and outcome.draft.version == 2


def test_a_version_still_carrying_the_analysts_checklist_is_refused() -> None:
    state = case("DK-2026-001", *DRAFTING, drafts=(draft(1, "b" * 64, "pipeline"),))
    facts = Facts(
        "DK-2026-001 Draf v2.docx", "analis/draf", sha256="c" * 64,
        content=f"DK-2026-001\n{CHECKLIST_TITLE}\n\u2610 SEK-03: realisasi 2,24 temuan",
    )  # fmt: skip
    problem = refused(DK, facts, Cases({state.id: state}), "analis", "draf")
    assert CHECKLIST_TITLE in problem.alasan and "hapus seluruh bagian itu" in problem.saran


def test_a_draft_before_draft_one_is_refused() -> None:
    state = case("DK-2026-001", "disposisi", "perintah")
    problem = refused(DK, draft_drop(), Cases({state.id: state}), "analis", "draf")
    assert "belum memiliki draf awal" in problem.alasan


def test_a_draft_after_the_paraf_is_refused() -> None:
    state = case("DK-2026-001", *REVIEWED, "draf_final", drafts=(draft(2, "c" * 64),))
    problem = refused(DK, draft_drop("d" * 64), Cases({state.id: state}), "analis", "draf")
    assert "sudah diparaf" in problem.alasan and "Kasubag PPMEP" in problem.saran


def test_a_draft_edited_from_an_outdated_version_is_refused() -> None:
    drafts = (draft(1, "b" * 64, "pipeline"), draft(2, "e" * 64, "pipeline"))
    state = case("DK-2026-001", *DRAFTING, drafts=drafts)
    facts = draft_drop(**{"sop-pipeline-versi": "1"})
    problem = refused(DK, facts, Cases({state.id: state}), "analis", "draf")
    assert "dibuat dari Draf v1" in problem.alasan and "Draf v2" in problem.alasan


def test_an_outgoing_letter_opens_its_case_with_the_drafters_file() -> None:
    facts = Facts("Surat undangan rapat.docx", "bidang/sekretariat/konsep-surat-keluar")
    outcome = run(SK, facts, Cases(), "bidang/sekretariat", "draf")
    assert outcome.case_id == "SK-2026-001" and outcome.input_role == "bidang/sekretariat"
    assert [e.name for e in outcome.events] == ["draf_awal", "draf_diterima"]
    (copy,) = outcome.outputs
    assert copy.path == "outbox/sekretaris/SK-2026-001 Draf Final v1 untuk paraf.docx"


LETTER = "Surat undangan rapat.docx"
LETTER_FOLDER = "bidang/sekretariat/konsep-surat-keluar"
DRAFTER = "bidang/sekretariat"


def opened_letter(*more: str, name: str = LETTER, closed: bool = False) -> Cases:
    """SK-2026-001, opened by `name` in LETTER_FOLDER, its version 1 waiting (or past `more`)."""
    state = case(
        "SK-2026-001", "draf_awal", "draf_diterima", *more, drafts=(draft(1, "b" * 64),),
        opener_role=DRAFTER, closed_at=NOW if closed else None,
    )  # fmt: skip
    openings = {} if closed else {(LETTER_FOLDER, name): [state.id]}
    return Cases({state.id: state}, openings=openings)


def letter_drop(name: str, content: str = "", folder: str = LETTER_FOLDER) -> Facts:
    return Facts(name, folder, sha256="c" * 64, content=content)


@pytest.mark.parametrize(
    ("opened_as", "name"),
    [(LETTER, LETTER), ("Surat undangan baru.docx", "Surat undangan baru.docx"),
     (LETTER, "SK-2026-001 undangan (perbaikan).docx")],
    ids=["same-name", "same-name-with-baru", "naming-the-case"],
)  # fmt: skip
def test_a_corrected_letter_before_the_paraf_is_its_next_version(opened_as: str, name: str) -> None:
    outcome = run(SK, letter_drop(name), opened_letter(name=opened_as), DRAFTER, "draf")
    assert outcome.new_case is None and outcome.case_id == "SK-2026-001"
    assert outcome.draft is not None and outcome.draft.version == 2
    assert outcome.input_dest.startswith("berkas/SK-2026-001/masuk/01 konsep - ")
    (copy,) = outcome.outputs
    assert copy.path == "outbox/sekretaris/SK-2026-001 Draf Final v2 untuk paraf.docx"


@pytest.mark.parametrize("name", ["Surat undangan rapat baru.docx", "Jadwal layanan terbaru.docx"])
def test_a_letter_under_another_name_opens_another_case(name: str) -> None:
    outcome = run(SK, letter_drop(name), opened_letter(), DRAFTER, "draf")
    assert outcome.new_case is not None and outcome.case_id == "SK-2026-002"


def test_a_letter_quoting_a_case_number_in_its_text_is_still_a_new_letter() -> None:
    facts = letter_drop("Surat balasan.docx", content="Menindaklanjuti SK-2026-001, kami ...")
    outcome = run(SK, facts, opened_letter(), DRAFTER, "draf")
    assert outcome.new_case is not None and outcome.case_id == "SK-2026-002"


@pytest.mark.parametrize(
    ("cases", "role", "folder"),
    [(opened_letter(closed=True), DRAFTER, LETTER_FOLDER),
     (opened_letter(), "bidang/keuangan", "bidang/keuangan/konsep-surat-keluar")],
    ids=["a-finished-case", "another-bidangs-letter"],
)  # fmt: skip
def test_a_name_giving_a_case_that_is_not_this_drafters_running_letter_is_refused(
    cases: Cases, role: str, folder: str
) -> None:
    facts = letter_drop("SK-2026-001 undangan.docx", folder=folder)
    problem = refused(SK, facts, cases, role, "draf")
    assert "SK-2026-001" in problem.alasan and "membuka kasus baru" in problem.alasan
    assert "hapus nomor SK-2026-001 dari nama file" in problem.saran and not problem.resend


def test_a_name_giving_an_unknown_case_is_refused_not_opened() -> None:
    problem = refused(
        SK, letter_drop("SK-2026-099 undangan.docx"), opened_letter(), DRAFTER, "draf"
    )
    assert "SK-2026-099 yang tidak dikenal" in problem.alasan
    assert "hapus nomor SK-2026-099" in problem.saran


@pytest.mark.parametrize("name", [LETTER, "SK-2026-001 undangan.docx"])
def test_a_corrected_letter_after_the_paraf_says_how_to_go_on(name: str) -> None:
    problem = refused(SK, letter_drop(name), opened_letter("draf_final"), DRAFTER, "draf")
    assert "SK-2026-001" in problem.alasan and "sudah diparaf" in problem.alasan
    assert "'baru'" in problem.saran and "membatalkan" in problem.saran
    assert "Sekretaris" in problem.saran and not problem.resend


# --- paraf -------------------------------------------------------------------------------------


def paraf_drop(sha: str = "c" * 64) -> Facts:
    return Facts(
        "DK-2026-001 Draf Final v2 untuk paraf.docx", "x/paraf", sha256=sha, content="DK-2026-001"
    )


def final_case(*more: str) -> CaseState:
    return case(
        "DK-2026-001", *REVIEWED, *more, drafts=(draft(1, "b" * 64, "pipeline"), draft(2, "c" * 64))
    )


def test_the_first_paraf_makes_the_version_final_and_passes_it_on() -> None:
    state = final_case()
    outcome = run(DK, paraf_drop(), Cases({state.id: state}), "kasubag-ppmep", "paraf")
    assert [e.name for e in outcome.events] == ["draf_final", "paraf:kasubag-ppmep"]
    (copy,) = outcome.outputs
    assert copy.path == "outbox/sekretaris/DK-2026-001 Draf Final v2 untuk paraf.docx"
    assert copy.content == Copy("berkas/DK-2026-001/x v2.docx")


def test_the_last_paraf_issues_the_signing_copy() -> None:
    state = final_case("draf_final", "paraf:kasubag-ppmep")
    outcome = run(DK, paraf_drop(), Cases({state.id: state}), "sekretaris", "paraf")
    (signing,) = outcome.outputs
    assert signing.path == "outbox/kepala-dinas/DK-2026-001 Untuk Ditandatangani.pdf"
    assert isinstance(signing.content, SigningCopy) and signing.content.version == 2
    record = signing.content.record.splitlines()
    assert record[0] == "Paraf naskah DK-2026-001 versi 2 (tercatat oleh sistem)"
    assert record[1].startswith("Diparaf oleh Kasubag PPMEP, ") and signing.step == 8


def test_the_signing_copy_names_the_pegawai_who_initialled_and_restates_the_version() -> None:
    """The journal's attribution gives the name; an account that is no pegawai gives the role.
    The template the version was drafted from comes along, with the final version's values."""
    bidang = {b.slug: data(b.slug) for b in OFFICE.bidang}
    state = replace(final_case("draf_final", "paraf:kasubag-ppmep"), bidang=bidang)
    named = Event("paraf:kasubag-ppmep", NOW - timedelta(hours=2), "Drs. HENDRA SAPUTRA (hendra)")
    state = replace(state, events=(*state.events[:-1], named))
    drop = replace(paraf_drop(), actor=Actor("budi"))
    outcome = run(DK, drop, Cases({state.id: state}), "sekretaris", "paraf")
    (signing,) = outcome.outputs
    copy = signing.content
    assert isinstance(copy, SigningCopy)
    lines = copy.record.splitlines()
    assert lines[1].startswith("Diparaf oleh Drs. HENDRA SAPUTRA (Kasubag PPMEP), ")
    assert lines[2].startswith("Diparaf oleh Sekretaris Dinas, "), "akun budi is no pegawai"
    assert copy.template == "draf-data-kinerja.docx"
    assert copy.context is not None and copy.context["versi"] == "2"


def test_the_letters_signing_copy_carries_its_number() -> None:
    state = case("SK-2026-004", "draf_awal", "draf_diterima", drafts=(draft(1, "c" * 64),))
    cases = Cases({state.id: state}, numbers={"surat-keluar": 12})
    facts = Facts("SK-2026-004 Draf Final v1 untuk paraf.docx", "sekretaris/paraf", sha256="c" * 64)
    outcome = run(SK, facts, cases, "sekretaris", "paraf")
    (signing,) = outcome.outputs
    assert isinstance(signing.content, SigningCopy)
    assert signing.content.number == "000.1.2/012/DPK/2026"
    assert [(n.register, n.seq, n.case_id) for n in outcome.numbers] == [
        ("surat-keluar", 12, "SK-2026-004")
    ]


def test_paraf_before_the_review_is_refused() -> None:
    state = case("DK-2026-001", *DRAFTING, drafts=(draft(1, "c" * 64, "pipeline"),))
    problem = refused(DK, paraf_drop(), Cases({state.id: state}), "kasubag-ppmep", "paraf")
    assert "belum ditelaah" in problem.alasan


def test_paraf_out_of_order_is_refused() -> None:
    state = final_case()
    problem = refused(DK, paraf_drop(), Cases({state.id: state}), "sekretaris", "paraf")
    assert "belum diparaf kasubag-ppmep" in problem.alasan


def test_a_second_paraf_is_a_notice() -> None:
    state = final_case("draf_final", "paraf:kasubag-ppmep")
    problem = refused(DK, paraf_drop(), Cases({state.id: state}), "kasubag-ppmep", "paraf")
    assert "sudah diparaf" in problem.alasan and problem.informational


def test_paraf_of_an_older_version_names_the_final_one() -> None:
    state = final_case()
    problem = refused(DK, paraf_drop("b" * 64), Cases({state.id: state}), "kasubag-ppmep", "paraf")
    assert "versi lama (v1)" in problem.alasan and "Draf Final v2" in problem.saran


def test_paraf_of_a_changed_file_is_refused() -> None:
    state = final_case()
    problem = refused(DK, paraf_drop("f" * 64), Cases({state.id: state}), "kasubag-ppmep", "paraf")
    assert "isi file berbeda dari draf final v2" in problem.alasan


# --- tanda-tangan and arsip ------------------------------------------------------------------


def signed_drop(sha: str = "9" * 64, **kw: Any) -> Facts:
    return Facts(
        "DK-2026-001 Ditandatangani.pdf", "kepala-dinas/tanda-tangan", sha256=sha, kinds="pdf", **kw
    )


SIGNING = (*REVIEWED, "draf_final", "paraf:kasubag-ppmep", "paraf:sekretaris")


def test_the_signed_record_closes_files_and_gives_out_the_case() -> None:
    state = final_case("draf_final", "paraf:kasubag-ppmep", "paraf:sekretaris")
    outcome = run(DK, signed_drop(), Cases({state.id: state}), "kepala-dinas", "tanda-tangan")
    assert [e.name for e in outcome.events] == ["ditandatangani", "diarsipkan"]
    assert outcome.closes_at == NOW and outcome.archive_dir == "archive/2026/DK-2026-001"
    assert outcome.signature == {"method": "pindaian-qr"}
    copies = [o.path for o in outcome.outputs]
    assert copies == [
        f"outbox/distribusi/{p.slug}/DK-2026-001 Dokumen Mekanisme Pengumpulan Data Kinerja.pdf"
        for p in OFFICE.penerima
    ]
    assert all(o.content == Copy(DROP) and o.step == 10 for o in outcome.outputs)


def test_the_letter_goes_back_to_its_drafter() -> None:
    state = case("SK-2026-001", "draf_awal", "draf_diterima", "draf_final", "paraf:sekretaris",
                 drafts=(draft(1, "c" * 64),), opener_role="bidang/pengelolaan-arsip")  # fmt: skip
    facts = replace(signed_drop(), name="SK-2026-001 ttd.pdf", content="SK-2026-001")
    outcome = run(SK, facts, Cases({state.id: state}), "kepala-dinas", "tanda-tangan")
    assert [o.path for o in outcome.outputs] == [
        "outbox/bidang/pengelolaan-arsip/SK-2026-001 Surat Keluar.pdf",
        "outbox/sekretaris/SK-2026-001 Surat Keluar.pdf",
    ]
    assert outcome.deliveries == ()


def test_the_unchanged_signing_copy_is_not_signed() -> None:
    state = final_case("draf_final", "paraf:kasubag-ppmep", "paraf:sekretaris")
    cases = Cases({state.id: state}, issued={state.id: frozenset({"9" * 64})})
    problem = refused(DK, signed_drop(), cases, "kepala-dinas", "tanda-tangan")
    assert "sama persis dengan naskah yang diterbitkan" in problem.alasan


def test_a_record_before_every_paraf_is_refused() -> None:
    state = final_case("draf_final", "paraf:kasubag-ppmep")
    problem = refused(DK, signed_drop(), Cases({state.id: state}), "kepala-dinas", "tanda-tangan")
    assert "belum diparaf sekretaris" in problem.alasan


def test_what_the_signature_check_finds_is_the_answer() -> None:
    state = final_case("draf_final", "paraf:kasubag-ppmep", "paraf:sekretaris")
    finding = Rejected("belum ada tanda tangan pada kotak tanda tangan", "tandatangani")

    @dataclass
    class Unsigned(Facts):
        def signature(self, case_id: str) -> Mapping[str, Any]:
            raise finding

    facts = Unsigned("DK-2026-001 ttd.pdf", "kepala-dinas/tanda-tangan", kinds="pdf")
    assert refused(DK, facts, Cases({state.id: state}), "kepala-dinas", "tanda-tangan") is finding


# --- routing between SOPs ----------------------------------------------------------------------


def test_a_shared_folder_goes_by_the_case_number_in_the_name() -> None:
    places = places_of((DK, SK), UNITS, "kepala-dinas/tanda-tangan")
    assert {p.sop.kode for p in places} == {"DK", "SK"}
    assert choose(places, "SK-2026-003 ttd.pdf", lambda: "", {"DK", "SK"}).sop.kode == "SK"
    assert choose(places, "ttd.pdf", lambda: "isi DK-2026-001", {"DK", "SK"}).sop.kode == "DK"
    assert choose(places, "ttd.pdf", lambda: "", {"SK"}).sop.kode == "SK"


def test_a_shared_folder_without_a_case_number_asks_for_one() -> None:
    places = places_of((DK, SK), UNITS, "sekretaris/paraf")
    with pytest.raises(Rejected) as caught:
        choose(places, "paraf.docx", lambda: "", {"DK", "SK"})
    assert "dipakai beberapa SOP" in caught.value.alasan and "nomor kasus" in caught.value.saran


def test_each_opening_folder_belongs_to_one_sop() -> None:
    assert [
        p.sop.kode for p in places_of((DK, SK), UNITS, "kepala-dinas/disposisi-data-kinerja")
    ] == ["DK"]
    konsep = places_of((DK, SK), UNITS, "bidang/sekretariat/konsep-surat-keluar")
    assert [(p.sop.kode, p.role) for p in konsep] == [("SK", "bidang/sekretariat")]
