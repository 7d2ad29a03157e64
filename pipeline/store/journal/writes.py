"""Writing to the journal: each act in one transaction. A drop's outcome (its case, events,
files, bidang data, draft, deliveries and numbers) or its rejection; the renders of
`pipeline regenerate`; a drop finished; a delivery attempt; a case cancelled or restored from
its bag."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pipeline.core.errors import Rejected
from pipeline.core.values import CANCELLED, Drop, Made, Outcome, Output
from pipeline.store.fsops import sha256_bytes
from pipeline.store.journal.base import Store
from pipeline.store.journal.records import RenderRecord, RestoredCase, prefix, ts


class Writes(Store):
    def commit_outcome(self, drop: Drop, outcome: Outcome, at: datetime) -> int:
        """Everything an accepted drop changes, and the drop itself; returns the drop's id."""
        with self.transaction() as db:
            if outcome.new_case:
                c = outcome.new_case
                db.execute(
                    "INSERT INTO cases (id, prefix, year, seq, period, opened_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (c.id, prefix(c.id), c.year, c.seq, c.period, ts(at)),
                )
            self._record_files(db, drop, outcome, at)
            self._record_data(db, outcome, at)
            if outcome.closes_at:  # closed once the drop is finished (mark_moved): see there
                db.execute(
                    "UPDATE cases SET closes_at = ?, archive_dir = ? WHERE id = ?",
                    (ts(outcome.closes_at), outcome.archive_dir, outcome.case_id),
                )
            return self._insert_drop(
                db, drop, "accepted", outcome.case_id, outcome.input_dest, None,
                outcome.input_role, at,
            )  # fmt: skip

    def _record_files(
        self, db: sqlite3.Connection, drop: Drop, outcome: Outcome, at: datetime
    ) -> None:
        """The step's events (by whoever dropped, unless an event names its actor), its outputs
        and the accepted input."""
        cid, by = outcome.case_id, drop.actor.label if drop.actor.known else ""
        db.executemany(
            "INSERT INTO events (case_id, name, at, actor) VALUES (?, ?, ?, ?)",
            [(cid, e.name, ts(e.at), e.by or by) for e in outcome.events],
        )
        for out in outcome.outputs:
            self._insert_file(db, cid, "out", replace(out, path=out.record_path(cid)), at)
        dropped = outcome.draft if outcome.draft and outcome.draft.source != "pipeline" else None
        incoming = Output(
            outcome.input_dest, Made(b""), outcome.input_kind, outcome.input_role,
            outcome.input_step, dropped.version if dropped else None,
            outcome.bidang_data.bidang if outcome.bidang_data else None,
        )  # fmt: skip
        self._insert_file(db, cid, "in", incoming, at, sha256=drop.sha256, size=drop.size, actor=by)

    @staticmethod
    def _record_data(db: sqlite3.Connection, outcome: Outcome, at: datetime) -> None:
        """A bidang's data, a draft version, the deliveries and the numbers the step issued."""
        cid, data, d = outcome.case_id, outcome.bidang_data, outcome.draft
        if data:
            db.execute(
                "INSERT OR REPLACE INTO bidang_data (case_id, bidang, data, at) VALUES (?, ?, ?, ?)",
                (cid, data.bidang, json.dumps(data.to_json()), ts(at)),
            )
        if d:
            db.execute(
                "INSERT INTO drafts (case_id, version, sha256, path, source, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (cid, d.version, d.sha256, d.path, d.source, ts(d.at)),
            )
        db.executemany(
            "INSERT INTO deliveries (case_id, recipient, email, attachment, next_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(cid, r.recipient, r.email, r.attachment, ts(at)) for r in outcome.deliveries],
        )
        db.executemany(
            "INSERT INTO numbers (register, year, seq, number, case_id, document, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(n.register, n.year, n.seq, n.text, cid, n.document, ts(at)) for n in outcome.numbers],
        )

    @staticmethod
    def _insert_file(
        db: sqlite3.Connection, case_id: str, direction: str, out: Output, at: datetime,
        sha256: str | None = None, size: int | None = None, actor: str = "",
    ) -> None:  # fmt: skip
        db.execute(
            "INSERT INTO files (case_id, direction, kind, role, step, name, path, sha256, size, at,"
            " version, bidang, actor, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case_id, direction, out.kind, out.role, out.step, Path(out.path).name, out.path,
                sha256 or sha256_bytes(out.data), len(out.data) if size is None else size,
                ts(at), out.version, out.bidang, actor,
                json.dumps(out.facts) if out.facts is not None else None,
            ),
        )  # fmt: skip

    @staticmethod
    def _insert_drop(
        db: sqlite3.Connection, drop: Drop, outcome: str, case_id: str | None, dest: str,
        reason: str | None, role: str, at: datetime,
    ) -> int:  # fmt: skip
        cursor = db.execute(
            "INSERT INTO drops (key, folder, name, sha256, outcome, case_id, dest, reason, role, at,"
            " actor, actor_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                drop.key, drop.folder, drop.name, drop.sha256, outcome, case_id, dest, reason,
                role, ts(at), drop.actor.account, drop.actor.name,
            ),
        )  # fmt: skip
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

    def commit_regenerated_drafts(self, drafts: Sequence[tuple[RenderRecord, Output]]) -> None:
        """Draft versions rendered by `pipeline regenerate` for open cases, with no input: for
        each its drafts row (source "regenerasi"), its output file and its render, all in one
        transaction. `record.path` is the case's own copy; `output.path` the copy in the outbox."""
        with self.transaction() as db:
            for record, output in drafts:
                db.execute(
                    "INSERT INTO drafts (case_id, version, sha256, path, source, at)"
                    " VALUES (?, ?, ?, ?, 'regenerasi', ?)",
                    (record.case_id, record.version, record.sha256, record.path, ts(record.at)),
                )
                kept = replace(output, path=record.path)
                self._insert_file(
                    db, record.case_id, "out", kept, record.at, sha256=record.sha256,
                    size=record.size,
                )  # fmt: skip
            self._insert_renders(db, [record for record, _ in drafts])

    @staticmethod
    def _insert_renders(db: sqlite3.Connection, records: Sequence[RenderRecord]) -> None:
        db.executemany(
            "INSERT INTO renders (case_id, document, path, sha256, size, template_sha, data_sha,"
            " version, pipeline_version, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r.case_id, r.document, r.path, r.sha256, r.size, r.template_sha, r.data_sha,
                 r.version, r.pipeline_version, ts(r.at))
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
                    (ts(at), delivery_id),
                )
            else:
                db.execute(
                    "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_at = ?"
                    " WHERE id = ?",
                    (error, ts(next_at or at), delivery_id),
                )

    def cancel_case(self, case_id: str, at: datetime) -> None:
        """Close an open case without filing it (opened by mistake); its record stays."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO events (case_id, name, at) VALUES (?, ?, ?)",
                (case_id, CANCELLED, ts(at)),
            )
            db.execute(
                "UPDATE cases SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                (ts(at), case_id),
            )
            db.execute(
                "UPDATE deliveries SET status = 'sent', last_error = 'dibatalkan' WHERE case_id = ? AND status = 'pending'",
                (case_id,),
            )
            db.execute("UPDATE numbers SET status = 'batal' WHERE case_id = ?", (case_id,))

    def restore_case(self, restored: RestoredCase) -> None:
        """Put a closed case back from its archive bag (reindex), in one transaction."""
        c, closed = restored.case, ts(restored.closed_at)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO cases (id, prefix, year, seq, period, opened_at, closed_at,"
                " archive_dir) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (c.id, prefix(c.id), c.year, c.seq, c.period, ts(restored.opened_at), closed,
                 restored.archive_dir),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO events (case_id, name, at, actor) VALUES (?, ?, ?, ?)",
                [(c.id, e.name, ts(e.at), e.by) for e in restored.events],
            )
            for f in restored.files:
                out = Output(f.path, Made(b""), f.kind, f.role, f.step, f.version, f.bidang)
                self._insert_file(
                    db, c.id, f.direction, out, f.at, sha256=f.sha256, size=f.size, actor=f.actor
                )
            db.executemany(
                "INSERT INTO bidang_data (case_id, bidang, data, at) VALUES (?, ?, ?, ?)",
                [(c.id, d.bidang, json.dumps(d.to_json()), closed) for d in restored.bidang],
            )
            db.executemany(
                "INSERT INTO numbers (register, year, seq, number, case_id, document, status, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(n.register, n.year, n.seq, n.number, c.id, n.document, n.status, ts(n.at))
                 for n in restored.numbers],
            )  # fmt: skip
