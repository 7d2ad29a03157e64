"""Reminders (pengingat) for a step that has passed its standard time.

For every open case whose current step is overdue, each role it waits for gets one note in its
outbox (`outbox/<role>/PENGINGAT <case> langkah <n>.txt`) and, when the office configured an
e-mail address for that role (`[email_peran]`) and an SMTP server (`[smtp]`), one mail. Whether
a step is overdue was judged by the status (working days and holidays of the office calendar).

Exactly one reminder per (case, step, waiting role): each is recorded in the journal's SQLite
(table `reminders`). A mail that fails is logged and retried on a later run with back-off
(`mail.next_retry`), and only while the case still stands at that step. The note is written
before its record, so a crash in between rewrites the same note instead of losing it.

`overdue_waits` is pure (status mapping in, reminders out); `Reminders.run` does the I/O.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.core.office import SmtpSettings
from pipeline.notify.mail import MailError, next_retry, send_mail
from pipeline.settings import Settings
from pipeline.store.fsops import atomic_write
from pipeline.store.journal import Journal
from pipeline.views.board import drop_folder_for, reminder_text, waiting_roles

log = logging.getLogger(__name__)

MAIL_TIMEOUT = 10.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS reminders (
    case_id TEXT NOT NULL, step INTEGER NOT NULL, role TEXT NOT NULL, note TEXT NOT NULL,
    noted_at TEXT NOT NULL, email TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL,
    body TEXT NOT NULL, mailed_at TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt TEXT, last_error TEXT, PRIMARY KEY (case_id, step, role))
"""

OPEN_OR_CLOSED_SINCE = "closed_at IS NULL OR closed_at >= ?"
Case = Mapping[str, Any]
Mailer = Callable[[SmtpSettings, Sequence[str], str, str], None]


@dataclass(frozen=True)
class Reminder:
    """One overdue wait: the case, its current step and one role it waits for."""

    case_id: str
    step: int
    role: str

    @property
    def note_name(self) -> str:
        return f"PENGINGAT {self.case_id} langkah {self.step}.txt"

    def note_path(self, root: Path) -> Path:
        return root / "outbox" / self.role / self.note_name

    @property
    def subject(self) -> str:
        return f"Pengingat: berkas {self.case_id} langkah {self.step} melewati waktu baku"


@dataclass(frozen=True)
class PendingMail:
    """A recorded reminder whose mail has not been delivered yet."""

    reminder: Reminder
    to: str
    subject: str
    body: str
    attempts: int
    last_attempt: datetime | None

    def due(self, now: datetime) -> bool:
        return self.last_attempt is None or next_retry(self.attempts, self.last_attempt) <= now


# --- deciding (pure) ----------------------------------------------------------------------------


def overdue_waits(status: Mapping[str, Any]) -> list[tuple[Reminder, Case]]:
    """Every (case, current step, waiting role) whose step has passed its standard time."""
    return [
        (Reminder(str(case["id"]), int(case["step"]), role), case)
        for case in status.get("cases", ())
        if case.get("overdue") and case.get("step") is not None
        for role in waiting_roles(case)
    ]


def current_steps(status: Mapping[str, Any]) -> set[tuple[str, int]]:
    """(case id, step) of every open case: where a pending mail is still worth sending."""
    return {
        (str(c["id"]), int(c["step"]))
        for c in status.get("cases", ())
        if not c.get("closed_at") and c.get("step") is not None
    }


def note_text(case: Case, role: str, now: datetime, tz: ZoneInfo) -> str:
    """The reminder for `role`, naming the folder that role drops into next."""
    return reminder_text({**case, "next_drop": drop_folder_for(case, role)}, now, tz)


# --- doing --------------------------------------------------------------------------------------


def _ts(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class Reminders:
    """Writes reminder notes, records them in the journal and sends (or retries) their mails."""

    def __init__(self, settings: Settings, journal: Journal, send: Mailer = send_mail) -> None:
        self.settings = settings
        self.journal = journal
        self.send = send
        smtp = settings.office.smtp
        self.smtp = replace(smtp, timeout=min(smtp.timeout, MAIL_TIMEOUT)) if smtp else None
        self._table_ready = False
        self._ran_at: datetime | None = None
        if settings.office.role_emails and self.smtp is None:
            log.warning("[email_peran] has addresses but [smtp] has no host: notes only, no mail")

    def run(self, status: Mapping[str, Any], now: datetime) -> int:
        """Put every new reminder in place and send the mails now due; returns how many are new."""
        self._ensure_table()
        known = self._recorded(self._ran_at)
        new = [(r, c) for r, c in overdue_waits(status) if r not in known]
        for reminder, case in new:
            self._remind(reminder, case, now)
        current = current_steps(status)
        self._withdraw_done(known, current)
        self._send_due(current, now)
        self._ran_at = now
        return len(new)

    def _withdraw_done(self, known: set[Reminder], current: set[tuple[str, int]]) -> None:
        """A note about a step that has moved on is no longer true: take it out of the outbox."""
        for reminder in known:
            if (reminder.case_id, reminder.step) not in current:
                reminder.note_path(self.settings.root).unlink(missing_ok=True)

    def _remind(self, reminder: Reminder, case: Case, now: datetime) -> None:
        body = note_text(case, reminder.role, now, self.settings.tz)
        atomic_write(reminder.note_path(self.settings.root), body.encode())
        note = f"outbox/{reminder.role}/{reminder.note_name}"
        email = self.settings.office.role_email(reminder.role) if self.smtp else ""
        with self.journal.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO reminders (case_id, step, role, note, noted_at, email,"
                " subject, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*_key(reminder), note, _ts(now), email, reminder.subject, body),
            )
        log.info("reminder for %s step %d put in outbox/%s", *_key(reminder))

    def _send_due(self, current: set[tuple[str, int]], now: datetime) -> None:
        if self.smtp is None:  # [smtp] removed since the address was recorded
            return
        for mail in self.pending_mails():
            key = (mail.reminder.case_id, mail.reminder.step)
            if key in current and mail.due(now):
                self._try_send(self.smtp, mail, now)

    def _try_send(self, smtp: SmtpSettings, mail: PendingMail, now: datetime) -> None:
        error: str | None = None
        try:
            self.send(smtp, [mail.to], mail.subject, mail.body)
        except MailError as exc:
            error = str(exc)
            log.warning("reminder mail to %s failed (try %d): %s", mail.to, mail.attempts + 1, exc)
        with self.journal.transaction() as db:
            db.execute(
                "UPDATE reminders SET attempts = attempts + 1, last_attempt = ?, last_error = ?,"
                " mailed_at = ? WHERE case_id = ? AND step = ? AND role = ?",
                (_ts(now), error, None if error else _ts(now), *_key(mail.reminder)),
            )

    # --- the journal table ----------------------------------------------------------------------

    def _ensure_table(self) -> None:
        if not self._table_ready:
            with self.journal.transaction() as db:
                db.execute(SCHEMA)
            self._table_ready = True

    def _rows(self, where: str = "", params: tuple[str, ...] = ()) -> list[sqlite3.Row]:
        self._ensure_table()
        with self.journal.transaction() as db:
            sql = f"SELECT * FROM reminders {where} ORDER BY noted_at"
            return db.execute(sql, params).fetchall()

    def _recorded(self, since: datetime | None = None) -> set[Reminder]:
        """The reminders recorded for open cases and for cases closed since the run before
        (`since`; every one at the first run): a closed case's notes were withdrawn by the run
        after it closed, so a run reads only what can still change, not the whole history."""
        where, params = "", tuple[str, ...]()
        if since is not None:
            where = f"WHERE case_id IN (SELECT id FROM cases WHERE {OPEN_OR_CLOSED_SINCE})"
            params = ((since - timedelta(days=1)).astimezone(UTC).isoformat(),)
        return {Reminder(r["case_id"], r["step"], r["role"]) for r in self._rows(where, params)}

    def pending_mails(self) -> list[PendingMail]:
        """Recorded reminders with an address whose mail has not been delivered yet."""
        return [
            PendingMail(
                Reminder(r["case_id"], r["step"], r["role"]),
                r["email"],
                r["subject"],
                r["body"],
                r["attempts"],
                datetime.fromisoformat(r["last_attempt"]) if r["last_attempt"] else None,
            )
            for r in self._rows("WHERE email != '' AND mailed_at IS NULL")
        ]


def _key(reminder: Reminder) -> tuple[str, int, str]:
    return reminder.case_id, reminder.step, reminder.role
