"""Reading drops and deliveries: what was dropped where and with what outcome (duplicates,
rejections awaiting a fix, moves a crash left to finish), and the mail queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pipeline.store.journal.base import Store
from pipeline.store.journal.records import (
    DeliveryRecord,
    DropRecord,
    delivery_record,
    drop_record,
    dt,
    ts,
)


class Drops(Store):
    def drops_by_key(self, key: str) -> list[DropRecord]:
        rows = self._db.execute("SELECT * FROM drops WHERE key = ? ORDER BY id", (key,))
        return [drop_record(r) for r in rows]

    def accepted_drops(self, folder: str, name: str) -> list[DropRecord]:
        """The drops accepted under `name` in `folder`, the name's case ignored (Windows, and so
        the share, treats `Surat.docx` and `surat.docx` as one file)."""
        rows = self._db.execute(
            "SELECT * FROM drops WHERE folder = ? AND lower(name) = lower(?)"
            " AND outcome = 'accepted' ORDER BY id",
            (folder, name),
        )
        return [drop_record(r) for r in rows if r["name"].casefold() == name.casefold()]

    def pending_moves(self) -> list[DropRecord]:
        return [
            drop_record(r)
            for r in self._db.execute("SELECT * FROM drops WHERE moved = 0 ORDER BY id")
        ]

    def rejections(self, since: datetime | None = None) -> list[DropRecord]:
        sql = "SELECT * FROM drops WHERE outcome = 'rejected'"
        params: Sequence[str] = ()
        if since is not None:
            sql, params = sql + " AND at >= ?", (ts(since),)
        return [drop_record(r) for r in self._db.execute(sql + " ORDER BY id", params)]

    def accepted_since(self, at: datetime, case_id: str | None = None) -> list[DropRecord]:
        """Accepted drops after `at` (of `case_id` only, when given), oldest first."""
        sql = "SELECT * FROM drops WHERE outcome = 'accepted' AND at > ?"
        params: list[str] = [ts(at)]
        if case_id is not None:
            sql, params = sql + " AND case_id = ?", [*params, case_id]
        return [drop_record(r) for r in self._db.execute(sql + " ORDER BY id", params)]

    def last_accepted_in(self, folder: str) -> datetime | None:
        row = self._db.execute(
            "SELECT MAX(at) FROM drops WHERE folder = ? AND outcome = 'accepted'", (folder,)
        ).fetchone()
        return dt(row[0])

    def deliveries(
        self, case_id: str | None = None, *, due_at: datetime | None = None
    ) -> list[DeliveryRecord]:
        sql, params = "SELECT * FROM deliveries WHERE 1 = 1", []
        if case_id is not None:
            sql, params = sql + " AND case_id = ?", [case_id]
        if due_at is not None:
            sql, params = sql + " AND status = 'pending' AND next_at <= ?", [*params, ts(due_at)]
        rows = self._db.execute(sql + " ORDER BY id", params)
        return [delivery_record(r) for r in rows]
