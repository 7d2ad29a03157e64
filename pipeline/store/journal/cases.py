"""Reading cases: one or many at once (batch regeneration reads many inside one snapshot, one
query per table), their files, renders and the numbers of their documents. Every lookup goes
through an index on `case_id`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from pipeline.core.values import CaseState
from pipeline.store.journal.base import Store
from pipeline.store.journal.records import (
    FileRecord,
    NumberRecord,
    RenderRecord,
    bidang,
    draft,
    dt,
    event,
    file_record,
    number_record,
    render_record,
)


class Cases(Store):
    def next_seq(self, prefix: str, year: int) -> int:
        row = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM cases WHERE prefix = ? AND year = ?",
            (prefix, year),
        ).fetchone()
        return int(row[0])

    def case_ids(self, *, open_only: bool = False) -> list[str]:
        sql = (
            "SELECT id FROM cases"
            + (" WHERE closed_at IS NULL" if open_only else "")
            + " ORDER BY opened_at, id"
        )
        return [r["id"] for r in self._db.execute(sql)]

    def has_case(self, case_id: str) -> bool:
        row = self._db.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone()
        return row is not None

    def closed_among(self, case_ids: Collection[str]) -> set[str]:
        """Which of `case_ids` are closed."""
        ids = list(case_ids)
        rows = self._in("SELECT id FROM cases WHERE closed_at IS NOT NULL AND id IN ({})", ids)
        return {r["id"] for r in rows}

    def case(self, case_id: str) -> CaseState | None:
        return next(iter(self.case_states([case_id])), None)

    def case_states(self, case_ids: Sequence[str]) -> list[CaseState]:
        """The cases `case_ids` (unknown ones left out), in that order."""
        cases = {r["id"]: r for r in self._in("SELECT * FROM cases WHERE id IN ({})", case_ids)}
        events = self._by_case("SELECT * FROM events WHERE case_id IN ({}) ORDER BY id", case_ids)
        data = self._by_case("SELECT * FROM bidang_data WHERE case_id IN ({})", case_ids)
        drafts = self._by_case(
            "SELECT * FROM drafts WHERE case_id IN ({}) ORDER BY version", case_ids
        )
        openers = self._by_case(
            "SELECT case_id, role, MIN(id) FROM files WHERE direction = 'in'"
            " AND case_id IN ({}) GROUP BY case_id",
            case_ids,
        )
        return [
            CaseState(
                id=c, year=row["year"], period=row["period"],
                opened_at=datetime.fromisoformat(row["opened_at"]), closed_at=dt(row["closed_at"]),
                closing=row["closes_at"] is not None and row["closed_at"] is None,
                events=tuple(event(r) for r in events.get(c, ())),
                bidang=dict(bidang(r) for r in data.get(c, ())),
                drafts=tuple(draft(r) for r in drafts.get(c, ())),
                opener_role=next((str(r["role"]) for r in openers.get(c, ())), ""),
            )
            for c in case_ids
            if (row := cases.get(c)) is not None
        ]  # fmt: skip

    def files(self, case_id: str) -> list[FileRecord]:
        rows = self._db.execute("SELECT * FROM files WHERE case_id = ? ORDER BY id", (case_id,))
        return [file_record(r) for r in rows]

    def first_inputs(self, case_ids: Sequence[str], kind: str) -> dict[str, str]:
        """The name of each case's first accepted input of `kind` (those with one)."""
        rows = self._by_case(
            "SELECT case_id, name, MIN(id) FROM files WHERE direction = 'in' AND kind = ?"
            " AND case_id IN ({}) GROUP BY case_id",
            case_ids,
            (kind,),
        )
        return {c: str(found[0]["name"]) for c, found in rows.items()}

    def renders(self, case_id: str) -> dict[str, RenderRecord]:
        """The latest regenerated render of each of the case's documents, by document."""
        return self.renders_of([case_id]).get(case_id, {})

    def renders_of(self, case_ids: Sequence[str]) -> dict[str, dict[str, RenderRecord]]:
        """`renders` of each case of `case_ids` (those with any)."""
        rows = self._by_case(
            "SELECT * FROM renders WHERE id IN (SELECT MAX(id) FROM renders"
            " WHERE case_id IN ({}) GROUP BY case_id, document) ORDER BY id",
            case_ids,
        )
        return {c: {r["document"]: render_record(r) for r in found} for c, found in rows.items()}


class Register(Store):
    """The register of outgoing numbers (penomoran naskah dinas)."""

    def register(self, year: int) -> list[NumberRecord]:
        """Every number of `year`, by register and order."""
        rows = self._db.execute(
            "SELECT * FROM numbers WHERE year = ? ORDER BY register, seq", (year,)
        )
        return [number_record(r) for r in rows]

    def number_records(self, case_id: str) -> list[NumberRecord]:
        """Every number given to documents of a case, in order."""
        rows = self._db.execute(
            "SELECT * FROM numbers WHERE case_id = ? ORDER BY year, seq", (case_id,)
        )
        return [number_record(r) for r in rows]

    def unfiled_numbers(self) -> dict[str, list[NumberRecord]]:
        """The numbers of the cases no bag records: those still open and those cancelled."""
        rows = self._db.execute(
            "SELECT n.* FROM numbers n JOIN cases c ON c.id = n.case_id"
            " WHERE c.closed_at IS NULL OR n.status = 'batal' ORDER BY n.case_id, n.year, n.seq"
        )
        found: dict[str, list[NumberRecord]] = {}
        for row in rows:
            found.setdefault(row["case_id"], []).append(number_record(row))
        return found

    def numbers(self, case_id: str) -> list[tuple[str, str]]:
        """(document, number) of every number issued for a case, in order."""
        return self.numbers_of([case_id]).get(case_id, [])

    def numbers_of(self, case_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """`numbers` of each case of `case_ids` (those with any)."""
        rows = self._by_case(
            "SELECT * FROM numbers WHERE case_id IN ({}) ORDER BY year, seq", case_ids
        )
        return {c: [(r["document"], r["number"]) for r in found] for c, found in rows.items()}

    def next_number(self, register: str, year: int) -> int:
        """The next number of a register's year: never one issued or cancelled before."""
        row = self._db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM numbers WHERE register = ? AND year = ?",
            (register, year),
        ).fetchone()
        return int(row[0])
