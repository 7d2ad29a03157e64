"""The connection every part of the journal shares: transactions, read snapshots, and queries
over many cases at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pipeline.store.journal.schema import open_database, schema_version


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_database(path)

    def schema_version(self) -> int:
        return schema_version(self._db)

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

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction: every read inside it sees the journal as of the first one, while
        other connections go on committing (WAL)."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    def _in(
        self, sql: str, case_ids: Sequence[str], before: tuple[str, ...] = ()
    ) -> list[sqlite3.Row]:
        """`sql` with `{}` standing for the marks of `case_ids`; `before` the parameters ahead."""
        marks = ", ".join("?" * len(case_ids))
        return self._db.execute(sql.format(marks), (*before, *case_ids)).fetchall()

    def _by_case(
        self, sql: str, case_ids: Sequence[str], before: tuple[str, ...] = ()
    ) -> dict[str, list[sqlite3.Row]]:
        """`_in`'s rows grouped by their `case_id`, in the order the query gave them."""
        found: dict[str, list[sqlite3.Row]] = {}
        for row in self._in(sql, case_ids, before):
            found.setdefault(row["case_id"], []).append(row)
        return found
