"""Where every case stands, as one plain mapping (the shape of `pipeline status --json`).

Building it only reads the journal; `status.html` and the per-role STATUS files are rendered
from the same mapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pipeline.board import role_label
from pipeline.config import Settings
from pipeline.journal import DropRecord, Journal
from pipeline.model import CaseState, inbox_label
from pipeline.people import Notice
from pipeline.sop import StepTime, current_step, timeline

OPEN_REJECTIONS_DAYS = 14


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _waiting_for(settings: Settings, case: CaseState, step: StepTime) -> str | list[str]:
    if step.spec.waiting_for != "bidang":
        return step.spec.waiting_for
    return [f"bidang/{b.slug}" for b in settings.office.bidang if b.slug not in case.bidang]


def _next_drop(step: StepTime) -> str | None:
    drop = step.spec.next_drop
    return f"inbox/{drop}/" if drop else None


def case_status(settings: Settings, case: CaseState, now: datetime) -> dict[str, Any]:
    times = timeline(settings.sop, case.events, now, settings.office.calendar)
    current = None if case.closed else current_step(times)
    return {
        "id": case.id,
        "period": case.period,
        "opened_at": _iso(case.opened_at),
        "closed_at": _iso(case.closed_at),
        "step": current.spec.no if current else None,
        "step_activity": current.spec.shown if current else None,
        "waiting_for": _waiting_for(settings, case, current) if current else None,
        "waiting_since": _iso(current.started_at) if current else None,
        "due_at": _iso(current.due_at) if current else None,
        "overdue": bool(current and current.overdue),
        "next_drop": _next_drop(current) if current else None,
        "versions": len(case.drafts),
        "cancelled": case.cancelled,
        "steps": [t.to_record() for t in times],
    }


def _rejection(record: DropRecord) -> dict[str, Any]:
    return {
        "file": record.name,
        "role": record.role,
        "folder": record.dest.rsplit("/", 1)[0] + "/",
        "inbox": inbox_label(record.folder),
        "reason": record.reason,
        "at": _iso(record.at),
        "case_id": record.case_id,
    }


def open_rejections(journal: Journal, now: datetime) -> list[DropRecord]:
    """Rejections still waiting for a fix: recent (14 days), not merely informational, whose
    case is still open, and not followed by an accepted drop for the same case by the same
    person, role or folder."""
    recent = journal.rejections(since=now - timedelta(days=OPEN_REJECTIONS_DAYS))
    return [r for r in recent if not r.informational and not _settled(journal, r)]


def _settled(journal: Journal, record: DropRecord) -> bool:
    if record.case_id is not None:
        case = journal.case(record.case_id)
        if case is not None and case.closed:
            return True
    later = journal.accepted_since(record.at, record.case_id)
    return any(fixes(record, d) for d in later)


def fixes(rejected: DropRecord, accepted: DropRecord) -> bool:
    """Whether an accepted drop settles a rejection: same folder, role or person."""
    same_person = bool(rejected.actor) and accepted.actor == rejected.actor
    return same_person or accepted.folder == rejected.folder or accepted.role == rejected.role


def role_names(settings: Settings) -> dict[str, str]:
    """Staff-facing names of the bidang roles, as configured (the slugs are folder names)."""
    return {f"bidang/{b.slug}": b.nama for b in settings.office.bidang}


def _labelled(case: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    waiting = case["waiting_for"]
    roles = [waiting] if isinstance(waiting, str) else list(waiting or [])
    return case | {"waiting_label": ", ".join(names.get(r) or role_label(r) for r in roles) or None}


def build_status(
    settings: Settings, journal: Journal, now: datetime, notices: Sequence[Notice] = ()
) -> dict[str, Any]:
    cases = [journal.case(cid) for cid in journal.case_ids()]
    names = role_names(settings)
    return {
        "generated_at": now.isoformat(),
        "role_names": names,
        "notices": [{"text": n.text, "role": n.role} for n in notices],
        "sop": {"nomor": settings.sop.nomor, "nama": settings.sop.nama},
        "cases": [_labelled(case_status(settings, c, now), names) for c in cases if c],
        "rejections": [_rejection(r) for r in open_rejections(journal, now)],
    }
