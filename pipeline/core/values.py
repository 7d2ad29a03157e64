"""Plain values shared by the core and the shell: drops, case state, outcomes of a stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.core.people import NOBODY, Actor

CANCELLED = "dibatalkan"
DROP = "@drop"
"""As the source of a `Copy`: the dropped file itself."""


@dataclass(frozen=True)
class Event:
    """Something that happened to a case; `by` is who did it, as staff read it ("" if nobody)."""

    name: str
    at: datetime
    by: str = ""


@dataclass(frozen=True)
class DataRow:
    kode: str
    realisasi: float
    keterangan: str


@dataclass(frozen=True)
class BidangData:
    """What one bidang reported for one case, validated and normalised."""

    bidang: str
    rows: tuple[DataRow, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "bidang": self.bidang,
            "rows": [
                {"kode": r.kode, "realisasi": r.realisasi, "keterangan": r.keterangan}
                for r in self.rows
            ],
        }

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> BidangData:
        rows = raw["rows"]
        assert isinstance(rows, list)
        return cls(
            bidang=str(raw["bidang"]),
            rows=tuple(
                DataRow(str(r["kode"]), float(r["realisasi"]), str(r["keterangan"])) for r in rows
            ),
        )


def inbox_label(folder: str) -> str:
    """How staff see an inbox folder: `inbox/analis/draf/`, or `inbox/` for the root."""
    return "inbox/" if folder in {"", "."} else f"inbox/{folder}/"


@dataclass(frozen=True)
class Drop:
    """A file found in an inbox: where (relative to inbox/), what, and its content hash."""

    path: Path  # the bytes judged: a copy taken when the drop was read (see watching.held)
    folder: str
    name: str
    sha256: str
    size: int
    actor: Actor = NOBODY
    inbox: Path | None = None  # the file in the inbox, when `path` is a copy of it

    @property
    def key(self) -> str:
        """Idempotency key: the same content in the same folder is the same drop."""
        return f"{self.folder}|{self.sha256}"


@dataclass(frozen=True)
class Draft:
    version: int
    sha256: str
    path: str
    source: str
    at: datetime


@dataclass(frozen=True)
class CaseState:
    id: str
    year: int
    period: str
    opened_at: datetime
    closed_at: datetime | None
    events: tuple[Event, ...]
    bidang: dict[str, BidangData]
    drafts: tuple[Draft, ...]
    closing: bool = False  # filed, but its closing drop is not finished yet (after a crash)
    opener_role: str = ""  # the role whose drop opened the case

    @property
    def prefix(self) -> str:
        """The case number's SOP code: `DK` of `DK-2026-001`."""
        return self.id.rsplit("-", 2)[0]

    def has(self, event: str) -> bool:
        return any(e.name == event for e in self.events)

    @property
    def latest_draft(self) -> Draft | None:
        return self.drafts[-1] if self.drafts else None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def cancelled(self) -> bool:
        return self.has(CANCELLED)


@dataclass(frozen=True)
class Render:
    """A document rendered from a template of templates/ with `context`."""

    template: str
    context: Mapping[str, Any]


@dataclass(frozen=True)
class Form:
    """The pre-filled data form of one bidang for a case."""

    bidang: str
    case_id: str
    period: str


@dataclass(frozen=True)
class Copy:
    """The bytes of another file: `DROP` (the dropped file) or a path under the share root."""

    source: str


@dataclass(frozen=True)
class SigningCopy:
    """The signing copy: the final version (`source`, a .docx under the share root) as PDF,
    the paraf `record` and the document's `number` on it, sealed."""

    source: str
    case_id: str
    version: int
    record: str
    number: str = ""
    tanggal: str = ""
    """The document's date, written into its date line when it is numbered."""
    template: str = ""
    """The template the pipeline drafts the document from ("" when the drafter writes it)."""
    context: Mapping[str, Any] | None = None
    """That template's values for the version initialled: what the drafter's copy still says
    of the draft it started from is restated from them (`versi`)."""
    signer: tuple[str, str, str] = ("", "", "")
    """Title, name and NIP of the signatory: a signature block for a document without one."""


@dataclass(frozen=True)
class Made:
    """Bytes the shell made itself (a note)."""

    data: bytes


Content = Render | Form | Copy | SigningCopy | Made


@dataclass(frozen=True)
class Output:
    """A file a stage produces, relative to the share root, and what it is made of. The shell
    makes its bytes (`data`) and any facts to keep with it (a seal) before it is written."""

    path: str
    content: Content
    kind: str
    role: str
    step: int
    version: int | None = None
    bidang: str | None = None
    keep: bool = True  # the case keeps its own copy in berkas/<case>/keluar/
    facts: Mapping[str, Any] | None = None  # what the journal keeps about it (e.g. a seal)
    data: bytes = b""

    def record_path(self, case_id: str) -> str:
        """Where the journal records it: the case's own copy, or the outbox path if not kept."""
        return f"berkas/{case_id}/keluar/{Path(self.path).name}" if self.keep else self.path


@dataclass(frozen=True)
class NewCase:
    id: str
    year: int
    seq: int
    period: str


@dataclass(frozen=True)
class Delivery:
    """A signed record to be mailed to one recipient (retried until sent)."""

    recipient: str
    email: str
    attachment: str


@dataclass(frozen=True)
class Number:
    """A number of an outgoing document, from a register of a year."""

    register: str
    year: int
    seq: int
    text: str
    case_id: str
    document: str


@dataclass(frozen=True)
class Addition:
    """What a stage adds to an outcome when the flow reaches it."""

    outputs: tuple[Output, ...] = ()
    events: tuple[Event, ...] = ()
    draft: Draft | None = None
    closes_at: datetime | None = None
    archive_dir: str | None = None
    deliveries: tuple[Delivery, ...] = ()
    numbers: tuple[Number, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """Everything an accepted drop changes, committed as one journal transaction."""

    case_id: str
    input_dest: str
    input_kind: str
    input_role: str
    input_step: int
    events: tuple[Event, ...] = ()
    outputs: tuple[Output, ...] = ()
    new_case: NewCase | None = None
    bidang_data: BidangData | None = None
    draft: Draft | None = None
    closes_at: datetime | None = None
    archive_dir: str | None = None
    signature: Mapping[str, Any] | None = None
    deliveries: tuple[Delivery, ...] = field(default=())
    numbers: tuple[Number, ...] = ()

    def plus(self, more: Addition) -> Outcome:
        return replace(
            self,
            outputs=(*self.outputs, *more.outputs),
            events=(*self.events, *more.events),
            draft=more.draft or self.draft,
            closes_at=more.closes_at or self.closes_at,
            archive_dir=more.archive_dir or self.archive_dir,
            deliveries=(*self.deliveries, *more.deliveries),
            numbers=(*self.numbers, *more.numbers),
        )
