"""The journal's tables and their history: `SCHEMA` as the first release created it, and
`MIGRATIONS`, the changes since, which `open_database` runs in order on start-up (each in one
transaction, recorded in `schema_version`), so that an older journal is upgraded without loss."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
    # 3: cost independent of history — every per-case lookup by index; closed cases summarised
    #    once (the board, the history pages and the reports read the summary, not the events)
    """
    CREATE INDEX IF NOT EXISTS events_case ON events (case_id, id);
    CREATE INDEX IF NOT EXISTS files_case ON files (case_id, direction, id);
    CREATE INDEX IF NOT EXISTS renders_case ON renders (case_id, document, id);
    CREATE INDEX IF NOT EXISTS numbers_case ON numbers (case_id, year, seq);
    CREATE INDEX IF NOT EXISTS deliveries_case ON deliveries (case_id, id);
    CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_at);
    CREATE INDEX IF NOT EXISTS drops_case ON drops (case_id, outcome, at);
    CREATE INDEX IF NOT EXISTS drops_folder_name ON drops (folder, name, outcome);
    CREATE INDEX IF NOT EXISTS drops_outcome_at ON drops (outcome, at);
    CREATE INDEX IF NOT EXISTS drops_unmoved ON drops (id) WHERE moved = 0;
    CREATE INDEX IF NOT EXISTS cases_opened ON cases (opened_at, id);
    CREATE INDEX IF NOT EXISTS cases_open ON cases (opened_at, id) WHERE closed_at IS NULL;
    CREATE INDEX IF NOT EXISTS cases_closed ON cases (closed_at);
    CREATE TABLE IF NOT EXISTS case_summary (
        seq INTEGER PRIMARY KEY, case_id TEXT NOT NULL UNIQUE REFERENCES cases(id),
        sop TEXT NOT NULL, period TEXT NOT NULL, opened_at TEXT NOT NULL,
        closed_at TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('selesai', 'batal')),
        actors TEXT NOT NULL, record TEXT NOT NULL, archive_dir TEXT);
    CREATE INDEX IF NOT EXISTS case_summary_closed ON case_summary (closed_at);
    """,
    # 4: a file dropped again under its name in another case (Windows names ignore case)
    """
    CREATE INDEX IF NOT EXISTS drops_folder_lname ON drops (folder, lower(name), outcome);
    """,
)
"""Schema changes after the first release, in order; `schema_version` records how many ran.
Each runs in one transaction at start-up, so an older journal is upgraded without loss."""


def open_database(path: Path) -> sqlite3.Connection:
    """The journal at `path` (created when new), upgraded to the current schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=OFF")  # a migration may rebuild a table
    db.execute("PRAGMA busy_timeout=30000")  # regenerate may write beside the watcher
    db.executescript(SCHEMA)
    for number, script in enumerate(MIGRATIONS, start=1):
        _migrate(db, number, script)
    db.execute("PRAGMA foreign_keys=ON")
    return db


def schema_version(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def _migrate(db: sqlite3.Connection, number: int, script: str) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        if schema_version(db) < number:
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
