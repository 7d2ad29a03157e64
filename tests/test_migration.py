"""A journal written by the release before this one (schema version 2) is upgraded on start-up
without loss: every case, event, file, number and drop is still there, every per-case lookup
uses an index, closed cases are summarised once, and the board shows what it showed before.

The old journal is made the way that release made it: its schema is built from the release's
own steps (the base schema and migrations 1 and 2) and filled with the rows a real run of the
runner wrote (a filed case, a cancelled one, one open at the analyst's step, a rejected drop).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.cancel import cancel
from pipeline.notify.reminders import SCHEMA as REMINDERS_SCHEMA
from pipeline.settings import Settings
from pipeline.store.journal import JOURNAL_FILE, MIGRATIONS, SCHEMA, Journal
from pipeline.views.status import build_status, case_status
from tests.support.office import Clock, Office

WIB = ZoneInfo("Asia/Jakarta")
RELEASE = 2  # the schema version of the release before this one
START = datetime(2026, 10, 5, 8, 0, tzinfo=WIB)  # a Monday

PER_CASE = {
    "events": "SELECT name, at FROM events WHERE case_id = ? ORDER BY id",
    "files": "SELECT path FROM files WHERE case_id = ? ORDER BY id",
    "renders": "SELECT path FROM renders WHERE case_id = ? ORDER BY id",
    "numbers": "SELECT number FROM numbers WHERE case_id = ? ORDER BY year, seq",
    "drafts": "SELECT path FROM drafts WHERE case_id = ? ORDER BY version",
    "bidang_data": "SELECT data FROM bidang_data WHERE case_id = ?",
    "deliveries": "SELECT recipient FROM deliveries WHERE case_id = ? ORDER BY id",
    "drops": "SELECT name FROM drops WHERE case_id = ? AND outcome = 'accepted' AND at > ?",
}


def release_schema(db: sqlite3.Connection) -> None:
    """The schema exactly as the release left it: the base schema and its two migrations."""
    db.executescript(SCHEMA)
    for script in MIGRATIONS[:RELEASE]:
        for statement in filter(str.strip, script.split(";")):
            db.execute(statement)
    db.execute("INSERT INTO schema_version (version) VALUES (?)", (RELEASE,))
    db.execute(REMINDERS_SCHEMA)  # made by the reminders at their first run
    db.commit()


def _tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'schema_version'"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [r[0] for r in rows]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def contents(path: Path, tables: list[str]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of `tables`, in the columns the release had."""
    old = sqlite3.connect(":memory:")
    release_schema(old)
    db = sqlite3.connect(path)
    try:
        return {
            t: db.execute(
                f"SELECT {', '.join(_columns(old, t))} FROM {t} ORDER BY rowid"
            ).fetchall()
            for t in tables
        }
    finally:
        db.close()
        old.close()


def write_release_journal(source: Path, dest: Path) -> list[str]:
    """`dest`: the release's schema holding every row the run wrote to `source`; returns the
    tables it has."""
    db = sqlite3.connect(dest)
    release_schema(db)
    tables = _tables(db)
    db.execute("ATTACH DATABASE ? AS run", (str(source),))
    for table in tables:
        columns = ", ".join(_columns(db, table))
        db.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM run.{table}")
    db.commit()
    db.execute("DETACH DATABASE run")
    db.close()
    return tables


@pytest.fixture
def played(share: Settings, tmp_path: Path) -> Iterator[Office]:
    """A filed case, a cancelled one, one waiting for the analyst, and a rejected drop."""
    office = Office(share, tmp_path / "desk", Clock(START))
    try:
        filed = office.open_case("Triwulan I 2026")
        office.at(START + timedelta(hours=1)).play_to_end(filed)
        cancelled = office.at(START + timedelta(hours=3)).open_case("Triwulan II 2026")
        office.form(cancelled, office.settings.office.bidang[0].slug)
        running = office.at(START + timedelta(hours=4)).open_case("Triwulan III 2026")
        office.forms(running)
        stray = share.root / "inbox/analis/draf/catatan rapat.txt"
        stray.write_text("bukan draf", encoding="utf-8")
        office.at(START + timedelta(hours=5)).handle(stray, "rejected")
        office.at(START + timedelta(hours=6))
        cancel(share, office.app.journal, cancelled, "dibuka karena keliru", office.clock())
        office.app.status.write()
        assert office.app.status.tick(office.clock())  # the reminders' first run makes their table
        yield office
    finally:
        office.close()


def _shown(root: Path, roles: list[str]) -> dict[str, bytes]:
    shown = {"status.html": (root / "status.html").read_bytes()}
    shown |= {r: (root / "outbox" / r / "STATUS.txt").read_bytes() for r in roles}
    history = sorted((root / "riwayat").glob("*.html"))
    return shown | {p.name: p.read_bytes() for p in history}


def test_a_release_journal_is_upgraded_without_loss(played: Office, tmp_path: Path) -> None:
    settings, app = played.settings, played.app
    roles = app.status.roles()
    board_before = _shown(settings.root, roles)
    state = settings.state_dir / JOURNAL_FILE
    app.close()

    old = tmp_path / "release.sqlite3"
    tables = write_release_journal(state, old)
    rows_before = contents(old, tables)
    assert {"cases", "events", "files", "numbers", "drops", "deliveries"} <= set(tables)
    assert all(rows_before[t] for t in ("cases", "events", "files", "drops", "drafts"))
    for name in ("status.html", "riwayat"):  # what the release never wrote
        target = settings.root / name
        if target.is_dir():
            for page in target.iterdir():
                page.unlink()
        else:
            target.unlink()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{state}{suffix}").unlink(missing_ok=True)
    old.replace(state)

    played.reopen()  # start-up: the migration runs, then the board is written
    played.app.status.write()
    journal = played.app.journal
    assert journal.schema_version() == len(MIGRATIONS)
    assert contents(state, tables) == rows_before, "every row of every table kept"
    assert _shown(settings.root, roles) == board_before, "the board shows the same"
    summaries = {s.case_id: s.state for s in journal.summaries()}
    closed = set(journal.case_ids()) - set(journal.case_ids(open_only=True))
    assert summaries.keys() == closed and sorted(summaries.values()) == ["batal", "selesai"]


def test_the_status_of_every_case_is_the_one_its_events_give(played: Office) -> None:
    """Closed cases are read from their summaries; they say what the events say."""
    settings, journal, now = played.settings, played.app.journal, played.clock()
    from_events = [case_status(settings, journal.case(c), now) for c in journal.case_ids()]
    shown = build_status(settings, journal, now)["cases"]
    assert [{k: v for k, v in c.items() if k != "waiting_label"} for c in shown] == from_events
    assert [c["closed_at"] is not None for c in shown] == [True, True, False]


def test_every_per_case_lookup_uses_an_index(played: Office) -> None:
    db = sqlite3.connect(played.settings.state_dir / JOURNAL_FILE)
    try:
        for table, sql in PER_CASE.items():
            found = db.execute(f"EXPLAIN QUERY PLAN {sql}", ("x",) * sql.count("?"))
            plan = " ".join(str(r[-1]) for r in found)
            assert "USING" in plan and f"SCAN {table}" not in plan, (table, plan)
        open_only = "SELECT id FROM cases WHERE closed_at IS NULL ORDER BY opened_at, id"
        assert "USING" in " ".join(
            str(r[-1]) for r in db.execute(f"EXPLAIN QUERY PLAN {open_only}")
        )
    finally:
        db.close()


def test_the_upgrade_runs_once_and_is_recorded(played: Office) -> None:
    path = played.settings.state_dir / JOURNAL_FILE
    played.close()
    for _ in range(2):
        journal = Journal(path)
        assert journal.schema_version() == len(MIGRATIONS)
        journal.close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT COUNT(*) FROM schema_version").fetchone() == (1,)
    finally:
        db.close()
    played.reopen()
