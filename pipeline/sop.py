"""An SOP as data: its stages (where drops arrive) and its steps (who, what, standard time).

`timeline` is pure: given a case's events it says when each step started, completed, falls due
and whether it is late.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.sla import Standard, WorkCalendar, due_at, is_overdue

HANDLERS = frozenset({"disposisi", "data_bidang", "draf", "paraf", "tanda_tangan"})
BIDANG_SLOT = "{bidang}"


@dataclass(frozen=True)
class Stage:
    """A kind of drop: the inbox folder it arrives in and the code that handles it."""

    handler: str
    inbox: str
    role: str
    accepts: frozenset[str]

    def match(self, folder: str) -> str | None:
        """The bidang slug (or "" for stages without one) if `folder` is this stage's inbox."""
        if BIDANG_SLOT not in self.inbox:
            return "" if folder == self.inbox else None
        prefix, _, suffix = self.inbox.partition(BIDANG_SLOT)
        pattern = re.escape(prefix) + r"([a-z0-9][a-z0-9-]*)" + re.escape(suffix)
        found = re.fullmatch(pattern, folder)
        return found.group(1) if found else None

    def inbox_for(self, bidang: str = "") -> str:
        return self.inbox.replace(BIDANG_SLOT, bidang)

    def role_for(self, bidang: str = "") -> str:
        return self.role.replace(BIDANG_SLOT, bidang)


@dataclass(frozen=True)
class StepSpec:
    no: int
    actor: str
    activity: str
    standard: Standard
    output: str
    starts_on: str
    completes_on: str
    waiting_for: str
    next_drop: str | None
    waiting_note: str | None = None

    @property
    def shown(self) -> str:
        """What the board says the case waits for at this step."""
        return self.waiting_note or self.activity


@dataclass(frozen=True)
class Sop:
    nomor: str
    nama: str
    case_prefix: str
    document_title: str
    stages: tuple[Stage, ...]
    steps: tuple[StepSpec, ...]

    def paraf_order(self) -> tuple[str, ...]:
        return tuple(s.role for s in self.stages if s.handler == "paraf")

    def stage_for(self, folder: str) -> tuple[Stage, str] | None:
        for stage in self.stages:
            slot = stage.match(folder)
            if slot is not None:
                return stage, slot
        return None


@dataclass(frozen=True)
class Event:
    """Something that happened to a case; `by` is who did it, as staff read it ("" if nobody)."""

    name: str
    at: datetime
    by: str = ""


@dataclass(frozen=True)
class StepTime:
    spec: StepSpec
    started_at: datetime | None
    completed_at: datetime | None
    due_at: datetime | None
    overdue: bool
    completed_by: str = ""

    def to_record(self) -> dict[str, Any]:
        """The step as plain data (status JSON, the archive manifest)."""
        return {
            "no": self.spec.no,
            "actor": self.spec.actor,
            "activity": self.spec.activity,
            "standard": self.spec.standard.label(),
            "standard_days": self.spec.standard.days,
            "standard_minutes": self.spec.standard.minutes,
            "started_at": _iso(self.started_at),
            "completed_at": _iso(self.completed_at),
            "due_at": _iso(self.due_at),
            "overdue": self.overdue,
            "completed_by": self.completed_by or None,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def load_sop(path: Path) -> Sop:
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        return _sop(raw)
    except OSError as exc:
        raise ConfigError(f"cannot read SOP definition {path}: {exc}") from exc
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"SOP definition {path} is invalid: {exc}") from exc


def _sop(raw: dict[str, Any]) -> Sop:
    head = raw["sop"]
    stages = tuple(_stage(s) for s in raw["stages"])
    steps = tuple(_step(s) for s in raw["steps"])
    if [s.no for s in steps] != list(range(1, len(steps) + 1)):
        raise ValueError("steps must be numbered 1, 2, 3 … in order")
    return Sop(
        nomor=head["nomor"],
        nama=head["nama"],
        case_prefix=head["case_prefix"],
        document_title=head.get("document_title", head["nama"]),
        stages=stages,
        steps=steps,
    )


def _stage(raw: dict[str, Any]) -> Stage:
    if raw["handler"] not in HANDLERS:
        raise ValueError(f"unknown stage handler {raw['handler']!r}")
    return Stage(raw["handler"], raw["inbox"].strip("/"), raw["role"], frozenset(raw["accepts"]))


def _step(raw: dict[str, Any]) -> StepSpec:
    return StepSpec(
        no=int(raw["no"]),
        actor=raw["actor"],
        activity=raw["activity"],
        standard=Standard.parse(raw["standard"]),
        output=raw.get("output", ""),
        starts_on=raw["starts_on"],
        completes_on=raw["completes_on"],
        waiting_for=raw.get("waiting_for", raw["actor"]),
        next_drop=raw.get("next_drop"),
        waiting_note=raw.get("waiting_note"),
    )


def _first(events: Sequence[Event], name: str) -> datetime | None:
    found = _first_event(events, name)
    return found.at if found else None


def _first_event(events: Sequence[Event], name: str) -> Event | None:
    return next((e for e in events if e.name == name), None)


def timeline(
    sop: Sop, events: Sequence[Event], now: datetime, cal: WorkCalendar
) -> tuple[StepTime, ...]:
    """When each step started and completed, when it falls due, and whether it is late."""
    ordered = sorted(events, key=lambda e: e.at)
    return tuple(_step_time(spec, ordered, now, cal) for spec in sop.steps)


def _step_time(
    spec: StepSpec, events: Sequence[Event], now: datetime, cal: WorkCalendar
) -> StepTime:
    started = _first(events, spec.starts_on)
    if started is None:
        return StepTime(spec, None, None, None, False)
    done = _first_event(events, spec.completes_on)
    completed = done.at if done else None
    due = due_at(started, spec.standard, cal)
    late = is_overdue(started, completed, now, spec.standard, cal)
    return StepTime(spec, started, completed, due, late, done.by if done else "")


def current_step(times: Sequence[StepTime]) -> StepTime | None:
    """The first step not yet completed, or None when every step is done."""
    return next((t for t in times if t.completed_at is None), None)
