"""What a stage decision reads: the definition, the office, the time, the drop, the cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.core.assign import assign_case, find_case_ids
from pipeline.core.errors import Rejected
from pipeline.core.names import safe_filename
from pipeline.core.office import Office
from pipeline.core.values import CaseState, Number
from pipeline.engine.model import SopDef, StageDef
from pipeline.engine.numbers import Allocator, number
from pipeline.engine.ports import Cases, DropFacts

SYSTEM = "sistem (otomatis)"
"""Who did what the pipeline itself does: an order issued, a first draft rendered, a filing."""


@dataclass(frozen=True)
class Decide:
    """One drop's decision: `role` is the role whose folder the file was dropped in."""

    sop: SopDef
    office: Office
    now: datetime
    tz: ZoneInfo
    cases: Cases
    drop: DropFacts
    role: str
    allocator: Allocator
    input_dest: str = ""  # where the drop is kept, once decided (for what later stages issue)

    def reserve(self, register: str, case_id: str, document: str) -> Number:
        """The next number of `register` this year, for `document` of `case_id`."""
        rules = self.office.penomoran
        return number(
            self.allocator,
            register,
            self.local.year,
            pattern=rules.pola,
            klasifikasi=self.office.klasifikasi(register, self.sop.klasifikasi),
            unit=rules.unit,
            case_id=case_id,
            document=document,
        )

    @property
    def prefix(self) -> str:
        return self.sop.kode

    @property
    def by(self) -> str:
        """Who dropped the file, as staff read it ("" when owners cannot be told apart)."""
        return self.drop.actor.label if self.drop.actor.known else ""

    @property
    def local(self) -> datetime:
        return self.now.astimezone(self.tz)

    def masuk(self, case_id: str, step: int, label: str) -> str:
        """A free place for the accepted drop in its case's record (a bidang may send its
        form twice under one name)."""
        taken = 0
        while self.cases.kept(masuk_name(case_id, step, label, self.drop.name, taken)):
            taken += 1
        return masuk_name(case_id, step, label, self.drop.name, taken)

    def waiting(self, wanted: Callable[[CaseState], bool]) -> list[CaseState]:
        return [s for s in self.cases.open_cases(self.prefix) if wanted(s)]

    def resolve(self, text: str, wanted: Callable[[CaseState], bool], what: str) -> CaseState:
        """The case the drop belongs to: the one it names (name and content agreeing), else
        the one open case waiting for it; a closed or cancelled case is refused."""
        named = find_case_ids(self.prefix, self.drop.name)
        inside = find_case_ids(self.prefix, text)
        if named and inside and not set(named) & set(inside):
            raise _name_and_content_differ(named[0], inside[0])
        found = tuple(dict.fromkeys((*named, *inside)))
        # the open cases are asked for only when the drop names none, or a finished one
        waiting = [] if found else [c.id for c in self.waiting(wanted)]
        state = self.cases.get(assign_case(found, self.cases.known(), waiting, what))
        assert state is not None
        if found and (state.cancelled or state.closed):
            waiting = [c.id for c in self.waiting(wanted)]
        _refuse_finished(state, waiting)
        return state


def masuk_name(case_id: str, step: int, label: str, name: str, taken: int = 0) -> str:
    """Where an accepted drop is kept with its case; `taken` earlier drops had the same name."""
    stem = f"{step:02d} {label}" + (f" ({taken + 1})" if taken else "")
    return f"berkas/{case_id}/masuk/{stem} - {safe_filename(name.replace('%', ' persen'))}"


def _name_and_content_differ(named: str, inside: str) -> Rejected:
    return Rejected(
        f"nama file menyebut {named}, tetapi isi file (nomor kasus di dalamnya) milik {inside}",
        f"gunakan file {named} dari outbox Anda bila data ini untuk {named}; "
        f"bila data ini memang untuk {inside}, perbaiki nama file lalu kirim ulang",
    )


def _refuse_finished(state: CaseState, waiting: list[str]) -> None:
    if not (state.cancelled or state.closed):
        return
    what = "sudah dibatalkan" if state.cancelled else "sudah selesai dan diarsipkan"
    raise Rejected(
        f"kasus {state.id} {what}",
        _closed_hint(waiting),
        resend=bool(waiting),
        informational=not waiting,
        case_id=state.id,
    )


def _closed_hint(waiting: list[str]) -> str:
    if not waiting:
        return "tidak ada yang perlu dikirim lagi untuk kasus ini"
    return (
        f"yang sedang menunggu adalah kasus {', '.join(waiting)}: gunakan file kasus itu dari "
        "outbox Anda (nomor kasus ada di nama file), lalu kirim"
    )


def stage_label(sop: SopDef, stage: StageDef, labels: Callable[[str], str]) -> str:
    """Who acts in a stage, as staff read it."""
    return ", ".join(labels(r) for r in stage.pelaksana)
