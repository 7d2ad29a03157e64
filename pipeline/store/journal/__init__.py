"""The journal: a SQLite database on the watcher's local disk, the single source of truth.

Every accepted or rejected drop, every output and every step event is written in one
transaction (`commit_outcome`, `commit_rejection`); the input is moved out of the inbox only
after that commit, and `pending_moves` lists what a crash left to finish. Every per-case lookup
goes through an index, and a closed case is summarised once (`record_summary`) for the views,
so that neither a drop nor the board costs more as the history grows.

One `Journal` on one connection, in parts by job: `schema` (tables and migrations), `records`
(the rows as records), `writes` (every write, each in one transaction), `cases` (cases, their
files and renders; the register of numbers), `summaries` (closed cases) and `drops` (drops and
deliveries).
"""

from __future__ import annotations

from pipeline.store.journal.cases import Cases, Register
from pipeline.store.journal.drops import Drops
from pipeline.store.journal.records import (
    CaseSummary,
    DeliveryRecord,
    DropRecord,
    FileRecord,
    NumberRecord,
    RenderRecord,
    RestoredCase,
)
from pipeline.store.journal.schema import MIGRATIONS, SCHEMA
from pipeline.store.journal.summaries import Summaries
from pipeline.store.journal.writes import Writes

__all__ = [
    "JOURNAL_FILE",
    "MIGRATIONS",
    "SCHEMA",
    "CaseSummary",
    "DeliveryRecord",
    "DropRecord",
    "FileRecord",
    "Journal",
    "NumberRecord",
    "RenderRecord",
    "RestoredCase",
]

JOURNAL_FILE = "journal.sqlite3"  # in the state folder


class Journal(Writes, Cases, Register, Summaries, Drops):
    """The whole journal; see the parts for what each does."""
