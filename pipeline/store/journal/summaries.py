"""Closed cases, summarised once: the board, the history pages and the reports read a row per
case written when it closed, not its events."""

from __future__ import annotations

import json
from datetime import datetime

from pipeline.store.journal.base import Store
from pipeline.store.journal.records import CaseSummary, case_summary, ts


class Summaries(Store):
    def record_summary(self, summary: CaseSummary) -> int:
        """Keep a closed case's summary, once (another for the same case is ignored); returns
        its place in the order of summaries."""
        s = summary
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO case_summary (case_id, sop, period, opened_at, closed_at,"
                " state, actors, record, archive_dir) SELECT ?, ?, ?, ?, ?, ?, ?, ?, archive_dir"
                " FROM cases WHERE id = ?",
                (s.case_id, s.sop, s.period, ts(s.opened_at), ts(s.closed_at), s.state,
                 json.dumps(list(s.actors)), json.dumps(s.record), s.case_id),
            )  # fmt: skip
            row = db.execute(
                "SELECT seq FROM case_summary WHERE case_id = ?", (s.case_id,)
            ).fetchone()
        return int(row[0]) if row else 0

    def summary(self, case_id: str) -> CaseSummary | None:
        row = self._db.execute(
            "SELECT * FROM case_summary WHERE case_id = ?", (case_id,)
        ).fetchone()
        return case_summary(row) if row else None

    def summaries(self, first: int = 1, last: int | None = None) -> list[CaseSummary]:
        """The summaries whose place is `first`..`last` (every one by default), in order."""
        sql, params = "SELECT * FROM case_summary WHERE seq >= ?", [first]
        if last is not None:
            sql, params = sql + " AND seq <= ?", [first, last]
        return [case_summary(r) for r in self._db.execute(sql + " ORDER BY seq", params)]

    def summaries_closed_since(self, since: datetime, limit: int) -> list[CaseSummary]:
        """Cases closed at or after `since`, the latest first, at most `limit`."""
        rows = self._db.execute(
            "SELECT * FROM case_summary WHERE closed_at >= ? ORDER BY closed_at DESC, seq DESC"
            " LIMIT ?",
            (ts(since), limit),
        )
        return [case_summary(r) for r in rows]

    def summary_pages(self, size: int) -> list[tuple[int, int, datetime, datetime]]:
        """The summaries cut in pages of `size` places: (page from 1, how many, first and last
        closing) of each page holding any."""
        rows = self._db.execute(
            "SELECT (seq - 1) / ? + 1 AS page, COUNT(*), MIN(closed_at), MAX(closed_at)"
            " FROM case_summary GROUP BY page ORDER BY page",
            (size,),
        )
        return [
            (int(r[0]), int(r[1]), datetime.fromisoformat(r[2]), datetime.fromisoformat(r[3]))
            for r in rows
        ]

    def unsummarised(self) -> list[str]:
        """Closed cases without a summary yet (closed by an older release, restored from the
        archive, or summarised when the process stopped), the earliest closed first."""
        rows = self._db.execute(
            "SELECT id FROM cases WHERE closed_at IS NOT NULL AND id NOT IN"
            " (SELECT case_id FROM case_summary) ORDER BY closed_at, id"
        )
        return [r["id"] for r in rows]
