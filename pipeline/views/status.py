"""Where every case stands, as one plain mapping (the shape of `pipeline status --json`).

Building it only reads the journal; `status.html` and the per-role STATUS files are rendered
from the same mapping. A closed case is read from its summary (`closed_summary`, written once
when it closed), never replayed from its events again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from pipeline.core.people import Notice
from pipeline.core.values import CaseState, inbox_label
from pipeline.engine.model import SopDef, labels
from pipeline.engine.timeline import current_step, timeline
from pipeline.engine.waiting import Waiting, waiting_at
from pipeline.settings import Settings
from pipeline.store.journal import CaseSummary, DropRecord, Journal
from pipeline.views.board import role_label

OPEN_REJECTIONS_DAYS = 14


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _waiting_for(waiting: Waiting) -> str | list[str]:
    """One role, or the list of roles (bidang still to send their data)."""
    roles = list(waiting.roles)
    return roles[0] if len(roles) == 1 and not roles[0].startswith("bidang/") else roles


def case_status(settings: Settings, case: CaseState, now: datetime) -> dict[str, Any]:
    sop = settings.sop_of(case.id)
    assert sop is not None, f"no SOP runs cases of {case.prefix} any more"
    times = timeline(sop, case.events, now, settings.office.calendar)
    current = None if case.closed else current_step(times)
    waiting = waiting_at(sop, current.spec.no, case, settings.units) if current else None
    return {
        "id": case.id,
        "sop": {"kode": sop.kode, "nomor": sop.nomor, "nama": sop.nama},
        "period": case.period,
        "opened_at": _iso(case.opened_at),
        "closed_at": _iso(case.closed_at),
        "step": current.spec.no if current else None,
        "step_activity": current.spec.shown if current else None,
        "waiting_for": _waiting_for(waiting) if waiting else None,
        "waiting_since": _iso(current.started_at) if current else None,
        "due_at": _iso(current.due_at) if current else None,
        "overdue": bool(current and current.overdue),
        "next_drop": waiting.next_drop if waiting else None,
        "versions": len(case.drafts),
        "cancelled": case.cancelled,
        "steps": [t.to_record() for t in times],
    }


def closed_record(settings: Settings, case: CaseState) -> dict[str, Any]:
    """A closed case's status as of its closing (a step it never finished stops ageing)."""
    assert case.closed_at is not None
    return _labelled(case_status(settings, case, case.closed_at), role_names(settings))


def closed_summary(settings: Settings, case: CaseState) -> CaseSummary:
    """What the board, the history pages and the reports keep of a closed case."""
    assert case.closed_at is not None
    actors = [e.by for e in sorted(case.events, key=lambda e: e.at) if e.by]
    return CaseSummary(
        case_id=case.id,
        sop=case.prefix,
        period=case.period,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        state="batal" if case.cancelled else "selesai",
        actors=tuple(dict.fromkeys(actors)),
        record=closed_record(settings, case),
    )


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
    case is still open, and not settled by a later accepted drop (`fixes`)."""
    recent = journal.rejections(since=now - timedelta(days=OPEN_REJECTIONS_DAYS))
    waiting = [r for r in recent if not r.informational]
    closed = journal.closed_among({r.case_id for r in waiting if r.case_id is not None})
    return [r for r in waiting if r.case_id not in closed and not _settled(journal, r)]


def _settled(journal: Journal, record: DropRecord) -> bool:
    later = journal.accepted_since(record.at, record.case_id)
    return any(fixes(record, d) for d in later)


def rejection_records(journal: Journal, now: datetime) -> list[dict[str, Any]]:
    """The open rejections as the board and STATUS.txt show them."""
    return [_rejection(r) for r in open_rejections(journal, now)]


def fixes(rejected: DropRecord, accepted: DropRecord) -> bool:
    """Whether an accepted drop settles a rejection. Of a case: a drop for that case by the
    same person, role or folder. Of no case (such as a letter that would have opened one):
    only the same file sent again, in the same folder, under the same name whatever its type
    (`Surat.docx` for `Surat.pdf`); another letter is no fix for it."""
    if rejected.case_id is None:
        return accepted.folder == rejected.folder and _stem(accepted.name) == _stem(rejected.name)
    same_person = bool(rejected.actor) and accepted.actor == rejected.actor
    return same_person or accepted.folder == rejected.folder or accepted.role == rejected.role


def _stem(name: str) -> str:
    return PurePath(name).stem.casefold()


def role_names(settings: Settings) -> dict[str, str]:
    """Staff-facing names of every role: from the SOP definitions, and each bidang's own."""
    return labels(settings.sops, {b.slug: b.nama for b in settings.office.bidang})


def _labelled(case: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    waiting = case["waiting_for"]
    roles = [waiting] if isinstance(waiting, str) else list(waiting or [])
    return case | {"waiting_label": ", ".join(names.get(r) or role_label(r) for r in roles) or None}


def _sop_record(sop: SopDef) -> dict[str, str]:
    return {"kode": sop.kode, "nomor": sop.nomor, "nama": sop.nama}


def _several(settings: Settings) -> dict[str, str]:
    """The board's title when a share runs several SOPs."""
    return {
        "kode": "",
        "nomor": ", ".join(s.nomor for s in settings.sops),
        "nama": "; ".join(s.nama for s in settings.sops),
    }


def status_frame(
    settings: Settings, now: datetime, notices: Sequence[Notice] = ()
) -> dict[str, Any]:
    """The status mapping without its cases and rejections: the office, its SOPs, the time."""
    return {
        "generated_at": now.isoformat(),
        "role_names": role_names(settings),
        "notices": [{"text": n.text, "role": n.role} for n in notices],
        "sop": _sop_record(settings.sops[0]) if len(settings.sops) == 1 else _several(settings),
        "sops": [_sop_record(s) for s in settings.sops],
    }


def open_record(settings: Settings, case: CaseState, now: datetime) -> dict[str, Any]:
    """An open case's status at `now`."""
    return _labelled(case_status(settings, case, now), role_names(settings))


def every_case(settings: Settings, journal: Journal, now: datetime) -> list[dict[str, Any]]:
    """Every case of the journal, the earliest opened first: open ones as they stand at `now`,
    closed ones from their summaries (or, lacking one, from their events as of closing)."""
    records = [s.record for s in journal.summaries()]
    for cid in (*journal.case_ids(open_only=True), *journal.unsummarised()):
        case = journal.case(cid)
        if case is not None and settings.sop_of(cid):
            records.append(
                closed_record(settings, case) if case.closed else open_record(settings, case, now)
            )
    known = [r for r in records if settings.sop_of(str(r["id"]))]
    return sorted(known, key=lambda r: (datetime.fromisoformat(r["opened_at"]), r["id"]))


def build_status(
    settings: Settings, journal: Journal, now: datetime, notices: Sequence[Notice] = ()
) -> dict[str, Any]:
    """Where every case stands (the whole history: `pipeline status`, the reports)."""
    return status_frame(settings, now, notices) | {
        "cases": every_case(settings, journal, now),
        "rejections": rejection_records(journal, now),
    }
