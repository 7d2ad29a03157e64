"""When each step of a case started, ended and falls due, and whether it is late. Pure.

Step 1 starts when the case is opened; every other step starts when the step before it ends;
a step ends at the event of the stage moment its definition maps to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.core.sla import WorkCalendar, due_at, is_overdue
from pipeline.core.values import Event
from pipeline.engine.model import SopDef, StepDef
from pipeline.engine.registry import kind_of


@dataclass(frozen=True)
class StepTime:
    spec: StepDef
    started_at: datetime | None
    completed_at: datetime | None
    due_at: datetime | None
    overdue: bool
    completed_by: str = ""

    def to_record(self) -> dict[str, Any]:
        """The step as plain data (status JSON, the archive manifest)."""
        return {
            "no": self.spec.no,
            "actor": self.spec.pelaksana,
            "activity": self.spec.aktivitas,
            "standard": self.spec.waktu.label(),
            "standard_days": self.spec.waktu.days,
            "standard_minutes": self.spec.waktu.minutes,
            "started_at": _iso(self.started_at),
            "completed_at": _iso(self.completed_at),
            "due_at": _iso(self.due_at),
            "overdue": self.overdue,
            "completed_by": self.completed_by or None,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def ending_events(sop: SopDef) -> dict[int, str]:
    """For each step, the event that ends it."""
    found: dict[int, str] = {}
    for stage in sop.stages:
        kind = kind_of(stage.jenis)
        for moment, no in stage.langkah:
            found[no] = kind.event(stage, moment)
    return found


def step_ended_by(sop: SopDef, event: str) -> int | None:
    return next((no for no, name in ending_events(sop).items() if name == event), None)


def opening_event(sop: SopDef) -> str:
    """The event of the moment a case is opened (the opening stage's first moment)."""
    stage = sop.opener
    kind = kind_of(stage.jenis)
    return kind.event(stage, kind.moments(stage)[0])


def step_events(sop: SopDef) -> list[tuple[StepDef, str, str]]:
    """Each step with the events that start and end it."""
    ends = ending_events(sop)
    spans, previous = [], opening_event(sop)
    for step in sop.steps:
        ending = ends.get(step.no, "")
        spans.append((step, previous, ending))
        previous = ending
    return spans


def timeline(
    sop: SopDef, events: Sequence[Event], now: datetime, cal: WorkCalendar
) -> tuple[StepTime, ...]:
    ordered = sorted(events, key=lambda e: e.at)
    return tuple(_step_time(s, a, b, ordered, now, cal) for s, a, b in step_events(sop))


def _first(events: Sequence[Event], name: str) -> Event | None:
    return next((e for e in events if e.name == name), None) if name else None


def _step_time(
    spec: StepDef,
    starts_on: str,
    ends_on: str,
    events: Sequence[Event],
    now: datetime,
    cal: WorkCalendar,
) -> StepTime:
    start = _first(events, starts_on)
    if start is None:
        return StepTime(spec, None, None, None, False)
    done = _first(events, ends_on)
    completed = done.at if done else None
    due = due_at(start.at, spec.waktu, cal)
    late = is_overdue(start.at, completed, now, spec.waktu, cal)
    return StepTime(spec, start.at, completed, due, late, done.by if done else "")


def current_step(times: Sequence[StepTime]) -> StepTime | None:
    """The first step not yet completed, or None when every step is done."""
    return next((t for t in times if t.completed_at is None), None)
