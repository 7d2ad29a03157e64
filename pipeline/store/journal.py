"""The journal: a SQLite database on the watcher's local disk, the single source of truth.

Every accepted or rejected drop, every output and every step event is written in one
transaction (`commit_outcome`, `commit_rejection`); the input is moved out of the inbox only
after that commit, and `pending_moves` lists what a crash left to finish.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.core.errors import Rejected
from pipeline.core.values import (
    CANCELLED,
    BidangData,
    CaseState,
    Draft,
    Drop,
    Event,
    Made,
    NewCase,
    Outcome,
    Output,
)
from pipeline.store.fsops import sha256_bytes

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id TEXT PRIMARY KEY, year INTEGER NOT NULL, seq INTEGER NOT NULL, period TEXT NOT NULL,
    opened_at TEXT NOT NULL, closed_at TEXT, archive_dir TEXT, UNIQUE (year, seq));
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), name TEXT NOT NULL,
    at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')), kind TEXT NOT NULL,
    role TEXT NOT NULL, step INTEGER NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,
    sha256 TEXT NOT NULL, size INTEGER NOT NULL, at TEXT NOT NULL, version INTEGER, bidang TEXT);
CREATE TABLE IF NOT EXISTS drops (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, folder TEXT NOT NULL, name TEXT NOT NULL,
    sha256 TEXT NOT NULL, outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
    case_id TEXT, dest TEXT NOT NULL, reason TEXT, role TEXT NOT NULL, at TEXT NOT NULL,
    moved INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS drops_key ON drops (key);
CREATE TABLE IF NOT EXISTS bidang_data (
    case_id TEXT NOT NULL REFERENCES cases(id), bidang TEXT NOT NULL, data TEXT NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (case_id, bidang));
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), recipient TEXT NOT NULL,
    email TEXT NOT NULL, attachment TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'sent')), attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL, last_error TEXT, sent_at TEXT);
CREATE TABLE IF NOT EXISTS drafts (
    case_id TEXT NOT NULL REFERENCES cases(id), version INTEGER NOT NULL, sha256 TEXT NOT NULL,
    path TEXT NOT NULL, source TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (case_id, version));
CREATE TABLE IF NOT EXISTS renders (
    id INTEGER PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), document TEXT NOT NULL,
    path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, template_sha TEXT NOT NULL,
    data_sha TEXT NOT NULL, version INTEGER, pipeline_version TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
"""

MIGRATIONS: tuple[str, ...] = (
    # 1: who acts — the owner account and name of every drop, the actor of events and inputs
    """
    ALTER TABLE drops ADD COLUMN actor TEXT NOT NULL DEFAULT '';
    ALTER TABLE drops ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE events ADD COLUMN actor TEXT NOT NULL DEFAULT '';
    ALTER TABLE files ADD COLUMN actor TEXT NOT NULL DEFAULT '';
    ALTER TABLE files ADD COLUMN facts TEXT;
    ALTER TABLE drops ADD COLUMN informational INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE cases ADD COLUMN closes_at TEXT;
    """,
    # 2: several SOPs in one share — each SOP numbers its own cases (DK-2026-001, SK-2026-001);
    #    numbers of outgoing documents
    """
    CREATE TABLE cases_v2 (
        id TEXT PRIMARY KEY, prefix TEXT NOT NULL, year INTEGER NOT NULL, seq INTEGER NOT NULL,
        period TEXT NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT, archive_dir TEXT,
        closes_at TEXT, UNIQUE (prefix, year, seq));
    INSERT INTO cases_v2 SELECT id, substr(id, 1, instr(id, '-') - 1), year, seq, period,
        opened_at, closed_at, archive_dir, closes_at FROM cases;
    DROP TABLE cases;
    ALTER TABLE cases_v2 RENAME TO cases;
    CREATE INDEX IF NOT EXISTS cases_prefix_year ON cases (prefix, year);
    CREATE TABLE IF NOT EXISTS numbers (
        register TEXT NOT NULL, year INTEGER NOT NULL, seq INTEGER NOT NULL,
        number TEXT NOT NULL, case_id TEXT NOT NULL REFERENCES cases(id), document TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'terbit' CHECK (status IN ('terbit', 'batal')),
        at TEXT NOT NULL, PRIMARY KEY (register, year, seq));
    """,
)
"""Schema changes after the first release, in order; `schema_version` records how many ran.
Each runs in one transaction at start-up, so an older journal is upgraded without loss."""


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


def _prefix(case_id: str) -> str:
    return case_id.rsplit("-", 2)[0]


def _ts(value: datetime) -> str:
    """Stored in UTC, so that text comparison in SQL is time comparison."""
    return value.astimezone(UTC).isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Journal:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=OFF")  # a migration may rebuild a table
        self._db.execute("PRAGMA busy_timeout=30000")  # regenerate may write beside the watcher
        self._db.executescript(SCHEMA)
        self._migrate()
        self._db.execute("PRAGMA foreign_keys=ON")

    def _migrate(self) -> None:
        for number, script in enumerate(MIGRATIONS, start=1):
            with self.transaction() as db:
                if self.schema_version() >= number:
                    continue
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute("DELETE FROM schema_version")
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))

    def schema_version(self) -> int:
        row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- writing ------------------------------------------------------------------------------

    def commit_outcome(self, drop: Drop, outcome: Outcome, at: datetime) -> int:
        with self.transaction() as db:
            if outcome.new_case:
                c = outcome.new_case
                db.execute(
                    "INSERT INTO cases (id, prefix, year, seq, period, opened_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (c.id, _prefix(c.id), c.year, c.seq, c.period, _ts(at)),
                )
            self._record_changes(db, drop, outcome, at)
            return self._insert_drop(
                db,
                drop,
                "accepted",
                outcome.case_id,
                outcome.input_dest,
                None,
                outcome.input_role,
                at,
            )

    def _record_changes(
        self, db: sqlite3.Connection, drop: Drop, outcome: Outcome, at: datetime
    ) -> None:
        cid = outcome.case_id
        by = drop.actor.label if drop.actor.known else ""
        db.executemany(
            "INSERT INTO events (case_id, name, at, actor) VALUES (?, ?, ?, ?)",
            [(cid, e.name, _ts(e.at), e.by or by) for e in outcome.events],
        )
        for out in outcome.outputs:
            self._insert_file(db, cid, "out", replace(out, path=out.record_path(cid)), at)
        incoming = Output(
            outcome.input_dest,
            Made(b""),
            outcome.input_kind,
            outcome.input_role,
            outcome.input_step,
            outcome.draft.version if outcome.draft and outcome.draft.source != "pipeline" else None,
            outcome.bidang_data.bidang if outcome.bidang_data else None,
        )
        self._insert_file(db, cid, "in", incoming, at, sha256=drop.sha256, size=drop.size, actor=by)
        if outcome.bidang_data:
            db.execute(
                "INSERT OR REPLACE INTO bidang_data (case_id, bidang, data, at) VALUES (?, ?, ?, ?)",
                (
                    cid,
                    outcome.bidang_data.bidang,
                    json.dumps(outcome.bidang_data.to_json()),
                    _ts(at),
                ),
            )
        if outcome.draft:
            d = outcome.draft
            db.execute(
                "INSERT INTO drafts (case_id, version, sha256, path, source, at) VALUES (?, ?, ?, ?, ?, ?)",
                (cid, d.version, d.sha256, d.path, d.source, _ts(d.at)),
            )
        db.executemany(
            "INSERT INTO deliveries (case_id, recipient, email, attachment, next_at) VALUES (?, ?, ?, ?, ?)",
            [(cid, d.recipient, d.email, d.attachment, _ts(at)) for d in outcome.deliveries],
        )
        db.executemany(
            "INSERT INTO numbers (register, year, seq, number, case_id, document, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (n.register, n.year, n.seq, n.text, cid, n.document, _ts(at))
                for n in outcome.numbers
            ],
        )
        if outcome.closes_at:  # closed once the drop is finished (mark_moved): see there
            db.execute(
                "UPDATE cases SET closes_at = ?, archive_dir = ? WHERE id = ?",
                (_ts(outcome.closes_at), outcome.archive_dir, cid),
            )

    @staticmethod
    def _insert_file(
        db: sqlite3.Connection,
        case_id: str,
        direction: str,
        out: Output,
        at: datetime,
        sha256: str | None = None,
        size: int | None = None,
        actor: str = "",
    ) -> None:
        db.execute(
            "INSERT INTO files (case_id, direction, kind, role, step, name, path, sha256, size, at,"
            " version, bidang, actor, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                direction,
                out.kind,
                out.role,
                out.step,
                Path(out.path).name,
                out.path,
                sha256 or sha256_bytes(out.data),
                len(out.data) if size is None else size,
                _ts(at),
                out.version,
                out.bidang,
                actor,
                json.dumps(out.facts) if out.facts is not None else None,
            ),
        )

    @staticmethod
    def _insert_drop(
        db: sqlite3.Connection,
        drop: Drop,
        outcome: str,
        case_id: str | None,
        dest: str,
        reason: str | None,
        role: str,
        at: datetime,
    ) -> int:
        cursor = db.execute(
            "INSERT INTO drops (key, folder, name, sha256, outcome, case_id, dest, reason, role, at,"
            " actor, actor_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                drop.key,
                drop.folder,
                drop.name,
                drop.sha256,
                outcome,
                case_id,
                dest,
                reason,
                role,
                _ts(at),
                drop.actor.account,
                drop.actor.name,
            ),
        )
        return int(cursor.lastrowid or 0)

    def commit_rejection(
        self, drop: Drop, dest: str, reason: Rejected, role: str, case_id: str | None, at: datetime
    ) -> int:
        with self.transaction() as db:
            drop_id = self._insert_drop(
                db, drop, "rejected", case_id, dest, reason.message, role, at
            )
            if reason.informational:
                db.execute("UPDATE drops SET informational = 1 WHERE id = ?", (drop_id,))
            return drop_id

    def record_renders(self, records: Sequence[RenderRecord]) -> None:
        """Documents written by `pipeline regenerate` outside the normal flow."""
        with self.transaction() as db:
            self._insert_renders(db, records)

    def commit_regenerated_draft(self, record: RenderRecord, output: Output) -> None:
        """A draft version rendered by `pipeline regenerate` for an open case, with no input:
        its drafts row (source "regenerasi"), its output file and its render, in one transaction.
        `record.path` is the case's own copy; `output.path` the copy in the outbox."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO drafts (case_id, version, sha256, path, source, at)"
                " VALUES (?, ?, ?, ?, 'regenerasi', ?)",
                (record.case_id, record.version, record.sha256, record.path, _ts(record.at)),
            )
            kept = replace(output, path=record.path)
            self._insert_file(
                db, record.case_id, "out", kept, record.at, sha256=record.sha256, size=record.size
            )
            self._insert_renders(db, [record])

    @staticmethod
    def _insert_renders(db: sqlite3.Connection, records: Sequence[RenderRecord]) -> None:
        db.executemany(
            "INSERT INTO renders (case_id, document, path, sha256, size, template_sha, data_sha,"
            " version, pipeline_version, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r.case_id, r.document, r.path, r.sha256, r.size, r.template_sha, r.data_sha,
                 r.version, r.pipeline_version, _ts(r.at))
                for r in records
            ],
        )  # fmt: skip

    def mark_moved(self, drop_id: int) -> None:
        """A drop is finished: its input moved and everything its outcome does is done. A case
        the drop closes is marked closed only now, so that "closed" means all of it happened."""
        with self.transaction() as db:
            db.execute("UPDATE drops SET moved = 1 WHERE id = ?", (drop_id,))
            db.execute(
                "UPDATE cases SET closed_at = closes_at WHERE closes_at IS NOT NULL"
                " AND closed_at IS NULL AND id = (SELECT case_id FROM drops WHERE id = ?"
                " AND outcome = 'accepted')",
                (drop_id,),
            )

    def record_delivery(
        self, delivery_id: int, at: datetime, error: str | None, next_at: datetime | None
    ) -> None:
        """One attempt: sent (error None) or failed with the time of the next try."""
        with self.transaction() as db:
            if error is None:
                db.execute(
                    "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?,"
                    " last_error = NULL WHERE id = ?",
                    (_ts(at), delivery_id),
                )
            else:
                db.execute(
                    "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_at = ?"
                    " WHERE id = ?",
                    (error, _ts(next_at or at), delivery_id),
                )

    def cancel_case(self, case_id: str, at: datetime) -> None:
        """Close an open case without filing it (opened by mistake); its record stays."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO events (case_id, name, at) VALUES (?, ?, ?)",
                (case_id, CANCELLED, _ts(at)),
            )
            db.execute(
                "UPDATE cases SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                (_ts(at), case_id),
            )
            db.execute(
                "UPDATE deliveries SET status = 'sent', last_error = 'dibatalkan' WHERE case_id = ? AND status = 'pending'",
                (case_id,),
            )
            db.execute("UPDATE numbers SET status = 'batal' WHERE case_id = ?", (case_id,))

    def restore_case(self, restored: RestoredCase) -> None:
        """Put a closed case back from its archive bag (reindex), in one transaction."""
        c = restored.case
        with self.transaction() as db:
            db.execute(
                "INSERT INTO cases (id, prefix, year, seq, period, opened_at, closed_at, archive_dir)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    c.id,
                    _prefix(c.id),
                    c.year,
                    c.seq,
                    c.period,
                    _ts(restored.opened_at),
                    _ts(restored.closed_at),
                    restored.archive_dir,
                ),
            )
            db.executemany(
                "INSERT INTO events (case_id, name, at, actor) VALUES (?, ?, ?, ?)",
                [(c.id, e.name, _ts(e.at), e.by) for e in restored.events],
            )
            for f in restored.files:
                self._insert_file(
                    db,
                    c.id,
                    f.direction,
                    Output(f.path, Made(b""), f.kind, f.role, f.step, f.version, f.bidang),
                    f.at,
                    sha256=f.sha256,
                    size=f.size,
                    actor=f.actor,
                )
            db.executemany(
                "INSERT INTO bidang_data (case_id, bidang, data, at) VALUES (?, ?, ?, ?)",
                [
                    (c.id, d.bidang, json.dumps(d.to_json()), _ts(restored.closed_at))
                    for d in restored.bidang
                ],
            )

    # --- reading ------------------------------------------------------------------------------

    def next_seq(self, prefix: str, year: int) -> int:
        row = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM cases WHERE prefix = ? AND year = ?",
            (prefix, year),
        ).fetchone()
        return int(row[0])

    def register(self, year: int) -> list[NumberRecord]:
        """Every number of `year`, by register and order."""
        rows = self._db.execute(
            "SELECT * FROM numbers WHERE year = ? ORDER BY register, seq", (year,)
        )
        return [
            NumberRecord(r["register"], r["year"], r["seq"], r["number"], r["case_id"],
                         r["document"], r["status"], datetime.fromisoformat(r["at"]))
            for r in rows
        ]  # fmt: skip

    def numbers(self, case_id: str) -> list[tuple[str, str]]:
        """(document, number) of every number issued for a case, in order."""
        rows = self._db.execute(
            "SELECT document, number FROM numbers WHERE case_id = ? ORDER BY year, seq", (case_id,)
        )
        return [(r["document"], r["number"]) for r in rows]

    def next_number(self, register: str, year: int) -> int:
        """The next number of a register's year: never one issued or cancelled before."""
        row = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM numbers WHERE register = ? AND year = ?",
            (register, year),
        ).fetchone()
        return int(row[0])

    def case_ids(self, *, open_only: bool = False) -> list[str]:
        sql = (
            "SELECT id FROM cases"
            + (" WHERE closed_at IS NULL" if open_only else "")
            + " ORDER BY opened_at, id"
        )
        return [r["id"] for r in self._db.execute(sql)]

    def case(self, case_id: str) -> CaseState | None:
        row = self._db.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        if row is None:
            return None
        return CaseState(
            id=row["id"],
            year=row["year"],
            period=row["period"],
            opened_at=datetime.fromisoformat(row["opened_at"]),
            closed_at=_dt(row["closed_at"]),
            closing=row["closes_at"] is not None and row["closed_at"] is None,
            events=self._events(case_id),
            bidang=self._bidang(case_id),
            drafts=self._drafts(case_id),
            opener_role=self._opener_role(case_id),
        )

    def _opener_role(self, case_id: str) -> str:
        row = self._db.execute(
            "SELECT role FROM files WHERE case_id = ? AND direction = 'in' ORDER BY id LIMIT 1",
            (case_id,),
        ).fetchone()
        return str(row[0]) if row else ""

    def _events(self, case_id: str) -> tuple[Event, ...]:
        rows = self._db.execute(
            "SELECT name, at, actor FROM events WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return tuple(Event(r["name"], datetime.fromisoformat(r["at"]), r["actor"]) for r in rows)

    def _bidang(self, case_id: str) -> dict[str, BidangData]:
        rows = self._db.execute(
            "SELECT bidang, data FROM bidang_data WHERE case_id = ?", (case_id,)
        )
        return {r["bidang"]: BidangData.from_json(json.loads(r["data"])) for r in rows}

    def _drafts(self, case_id: str) -> tuple[Draft, ...]:
        rows = self._db.execute(
            "SELECT * FROM drafts WHERE case_id = ? ORDER BY version", (case_id,)
        )
        return tuple(
            Draft(
                r["version"], r["sha256"], r["path"], r["source"], datetime.fromisoformat(r["at"])
            )
            for r in rows
        )

    def renders(self, case_id: str) -> dict[str, RenderRecord]:
        """The latest regenerated render of each of the case's documents, by document."""
        rows = self._db.execute("SELECT * FROM renders WHERE case_id = ? ORDER BY id", (case_id,))
        return {
            r["document"]: RenderRecord(
                r["case_id"], r["document"], r["path"], r["sha256"], r["size"], r["template_sha"],
                r["data_sha"], r["version"], r["pipeline_version"], datetime.fromisoformat(r["at"]),
            )
            for r in rows
        }  # fmt: skip

    def files(self, case_id: str) -> list[FileRecord]:
        rows = self._db.execute("SELECT * FROM files WHERE case_id = ? ORDER BY id", (case_id,))
        return [
            FileRecord(
                r["case_id"],
                r["direction"],
                r["kind"],
                r["role"],
                r["step"],
                r["name"],
                r["path"],
                r["sha256"],
                r["size"],
                datetime.fromisoformat(r["at"]),
                r["version"],
                r["bidang"],
                r["actor"],
                json.loads(r["facts"]) if r["facts"] else None,
            )
            for r in rows
        ]

    def drops_by_key(self, key: str) -> list[DropRecord]:
        rows = self._db.execute("SELECT * FROM drops WHERE key = ? ORDER BY id", (key,))
        return [self._drop(r) for r in rows]

    def accepted_drops(self, folder: str, name: str) -> list[DropRecord]:
        rows = self._db.execute(
            "SELECT * FROM drops WHERE folder = ? AND name = ? AND outcome = 'accepted' ORDER BY id",
            (folder, name),
        )
        return [self._drop(r) for r in rows]

    def pending_moves(self) -> list[DropRecord]:
        return [
            self._drop(r)
            for r in self._db.execute("SELECT * FROM drops WHERE moved = 0 ORDER BY id")
        ]

    def rejections(self, since: datetime | None = None) -> list[DropRecord]:
        sql = "SELECT * FROM drops WHERE outcome = 'rejected'"
        params: Sequence[str] = ()
        if since is not None:
            sql, params = sql + " AND at >= ?", (_ts(since),)
        return [self._drop(r) for r in self._db.execute(sql + " ORDER BY id", params)]

    def accepted_since(self, at: datetime, case_id: str | None = None) -> list[DropRecord]:
        """Accepted drops after `at` (of `case_id` only, when given), oldest first."""
        sql = "SELECT * FROM drops WHERE outcome = 'accepted' AND at > ?"
        params: list[str] = [_ts(at)]
        if case_id is not None:
            sql, params = sql + " AND case_id = ?", [*params, case_id]
        return [self._drop(r) for r in self._db.execute(sql + " ORDER BY id", params)]

    def last_accepted_in(self, folder: str) -> datetime | None:
        row = self._db.execute(
            "SELECT MAX(at) FROM drops WHERE folder = ? AND outcome = 'accepted'", (folder,)
        ).fetchone()
        return _dt(row[0])

    def deliveries(
        self, case_id: str | None = None, *, due_at: datetime | None = None
    ) -> list[DeliveryRecord]:
        sql, params = "SELECT * FROM deliveries WHERE 1 = 1", []
        if case_id is not None:
            sql, params = sql + " AND case_id = ?", [case_id]
        if due_at is not None:
            sql, params = sql + " AND status = 'pending' AND next_at <= ?", [*params, _ts(due_at)]
        rows = self._db.execute(sql + " ORDER BY id", params)
        return [
            DeliveryRecord(
                r["id"],
                r["case_id"],
                r["recipient"],
                r["email"],
                r["attachment"],
                r["status"],
                r["attempts"],
                datetime.fromisoformat(r["next_at"]),
                r["last_error"],
                _dt(r["sent_at"]),
            )
            for r in rows
        ]

    @staticmethod
    def _drop(r: sqlite3.Row) -> DropRecord:
        return DropRecord(
            r["id"],
            r["key"],
            r["folder"],
            r["name"],
            r["sha256"],
            r["outcome"],
            r["case_id"],
            r["dest"],
            r["reason"],
            r["role"],
            datetime.fromisoformat(r["at"]),
            bool(r["moved"]),
            r["actor"],
            r["actor_name"],
            bool(r["informational"]),
        )
