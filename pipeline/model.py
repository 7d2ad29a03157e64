"""Plain values shared by the core and the shell: drops, case state, outcomes of a stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.forms import BidangData
from pipeline.people import NOBODY, Actor
from pipeline.sop import Event

CANCELLED = "dibatalkan"


def inbox_label(folder: str) -> str:
    """How staff see an inbox folder: `inbox/analis/draf/`, or `inbox/` for the root."""
    return "inbox/" if folder in {"", "."} else f"inbox/{folder}/"


@dataclass(frozen=True)
class Drop:
    """A file found in an inbox: where (relative to inbox/), what, and its content hash."""

    path: Path
    folder: str
    name: str
    sha256: str
    size: int
    actor: Actor = NOBODY

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
class Output:
    """A file a stage produces, relative to the share root. Recorded with its case."""

    path: str
    data: bytes
    kind: str
    role: str
    step: int
    version: int | None = None
    bidang: str | None = None
    keep: bool = True  # the case keeps its own copy in berkas/<case>/keluar/
    facts: Mapping[str, Any] | None = None  # what the journal keeps about it (e.g. a seal)

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
