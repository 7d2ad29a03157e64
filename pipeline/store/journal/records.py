"""What the journal hands out: one frozen record per row kind, and the conversions between rows
and records (times are stored in UTC, so that comparing text in SQL compares times)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pipeline.core.values import BidangData, Draft, Event, NewCase


@dataclass(frozen=True)
class DropRecord:
    id: int
    key: str
    folder: str
    name: str
    sha256: str
    outcome: str
    case_id: str | None
    dest: str
    reason: str | None
    role: str
    at: datetime
    moved: bool
    actor: str = ""
    actor_name: str = ""
    informational: bool = False


@dataclass(frozen=True)
class RestoredCase:
    """A closed case as its archive bag records it."""

    case: NewCase
    opened_at: datetime
    closed_at: datetime
    archive_dir: str
    events: tuple[Event, ...]
    files: tuple[FileRecord, ...]
    bidang: tuple[BidangData, ...]
    numbers: tuple[NumberRecord, ...] = ()


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    case_id: str
    recipient: str
    email: str
    attachment: str
    status: str
    attempts: int
    next_at: datetime
    last_error: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class FileRecord:
    case_id: str
    direction: str
    kind: str
    role: str
    step: int
    name: str
    path: str
    sha256: str
    size: int
    at: datetime
    version: int | None
    bidang: str | None
    actor: str = ""
    facts: dict[str, Any] | None = None


@dataclass(frozen=True)
class NumberRecord:
    """A number of the register: issued (`terbit`) or cancelled with its case (`batal`)."""

    register: str
    year: int
    seq: int
    number: str
    case_id: str
    document: str
    status: str
    at: datetime


@dataclass(frozen=True)
class RenderRecord:
    """A document written by `pipeline regenerate`: where, its hashes and the pipeline version."""

    case_id: str
    document: str
    path: str
    sha256: str
    size: int
    template_sha: str
    data_sha: str
    version: int | None
    pipeline_version: str
    at: datetime


@dataclass(frozen=True)
class CaseSummary:
    """A closed case as the board, the history pages and the reports show it: written once,
    when the case is closed (filed or cancelled), so that reading it never replays events."""

    case_id: str
    sop: str  # the code of the SOP that ran it (the case id's prefix)
    period: str
    opened_at: datetime
    closed_at: datetime
    state: str  # "selesai" (filed) or "batal" (cancelled)
    actors: tuple[str, ...]  # who acted, in the order of their first act
    record: dict[str, Any]  # the case as `pipeline status --json` shows it
    seq: int = 0  # its place in the order of summaries (the history pages); set by the journal
    archive_dir: str | None = None  # its bag (a filed case); set by the journal


def ts(value: datetime) -> str:
    """Stored in UTC, so that text comparison in SQL is time comparison."""
    return value.astimezone(UTC).isoformat()


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def prefix(case_id: str) -> str:
    """The SOP's code a case id starts with (DK of DK-2026-001)."""
    return case_id.rsplit("-", 2)[0]


def event(r: sqlite3.Row) -> Event:
    return Event(r["name"], datetime.fromisoformat(r["at"]), r["actor"])


def draft(r: sqlite3.Row) -> Draft:
    return Draft(r["version"], r["sha256"], r["path"], r["source"], datetime.fromisoformat(r["at"]))


def bidang(r: sqlite3.Row) -> tuple[str, BidangData]:
    return r["bidang"], BidangData.from_json(json.loads(r["data"]))


def number_record(r: sqlite3.Row) -> NumberRecord:
    return NumberRecord(r["register"], r["year"], r["seq"], r["number"], r["case_id"],
                        r["document"], r["status"], datetime.fromisoformat(r["at"]))  # fmt: skip


def render_record(r: sqlite3.Row) -> RenderRecord:
    return RenderRecord(
        r["case_id"], r["document"], r["path"], r["sha256"], r["size"], r["template_sha"],
        r["data_sha"], r["version"], r["pipeline_version"], datetime.fromisoformat(r["at"]),
    )  # fmt: skip


def file_record(r: sqlite3.Row) -> FileRecord:
    return FileRecord(
        r["case_id"], r["direction"], r["kind"], r["role"], r["step"], r["name"], r["path"],
        r["sha256"], r["size"], datetime.fromisoformat(r["at"]), r["version"], r["bidang"],
        r["actor"], json.loads(r["facts"]) if r["facts"] else None,
    )  # fmt: skip


def drop_record(r: sqlite3.Row) -> DropRecord:
    return DropRecord(
        r["id"], r["key"], r["folder"], r["name"], r["sha256"], r["outcome"], r["case_id"],
        r["dest"], r["reason"], r["role"], datetime.fromisoformat(r["at"]), bool(r["moved"]),
        r["actor"], r["actor_name"], bool(r["informational"]),
    )  # fmt: skip


def delivery_record(r: sqlite3.Row) -> DeliveryRecord:
    return DeliveryRecord(
        r["id"], r["case_id"], r["recipient"], r["email"], r["attachment"], r["status"],
        r["attempts"], datetime.fromisoformat(r["next_at"]), r["last_error"], dt(r["sent_at"]),
    )  # fmt: skip


def case_summary(r: sqlite3.Row) -> CaseSummary:
    return CaseSummary(
        r["case_id"], r["sop"], r["period"], datetime.fromisoformat(r["opened_at"]),
        datetime.fromisoformat(r["closed_at"]), r["state"], tuple(json.loads(r["actors"])),
        json.loads(r["record"]), r["seq"], r["archive_dir"],
    )  # fmt: skip
