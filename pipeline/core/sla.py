"""Standard times (mutu baku) of SOP steps and the working-day arithmetic behind them.

Pure code: every function takes its clock values and its calendar as arguments. All datetimes
must be timezone-aware; the calendar's time zone decides which local day an instant falls on.

A standard of N working days ends at the same local clock time N working days after the start,
skipping weekends and holidays; a start on a non-working day counts from the start (00:00) of
the next working day. A standard in minutes is plain elapsed (wall-clock) time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_STANDARD_RE = re.compile(r"^\s*(\d+)\s*(hari(?:\s+kerja)?|jam|menit)\s*$", re.IGNORECASE)

JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class Standard:
    """A step's standard time: whole working days or wall-clock minutes."""

    days: int = 0
    minutes: int = 0

    def __post_init__(self) -> None:
        if self.days < 0 or self.minutes < 0:
            raise ValueError(f"standard time cannot be negative: {self!r}")

    @classmethod
    def parse(cls, text: str) -> Standard:
        """Read the SOP's wording: "1 hari", "3 Hari", "2 hari kerja", "2 jam", "20 menit"."""
        match = _STANDARD_RE.match(text)
        if match is None or int(match.group(1)) == 0:
            raise ValueError(
                f"not a standard time (expected e.g. '1 hari', '2 jam', '20 menit'): {text!r}"
            )
        amount, unit = int(match.group(1)), match.group(2).lower()
        if unit in {"menit", "jam"}:
            return cls(minutes=amount * (60 if unit == "jam" else 1))
        return cls(days=amount)

    def label(self) -> str:
        """Indonesian wording for staff: "1 hari kerja", "20 menit"."""
        parts = []
        if self.days:
            parts.append(f"{self.days} hari kerja")
        if self.minutes and self.minutes % 60 == 0:
            parts.append(f"{self.minutes // 60} jam")
        elif self.minutes or not self.days:
            parts.append(f"{self.minutes} menit")
        return " ".join(parts)

    @property
    def in_minutes(self) -> bool:
        """True for a purely wall-clock standard such as the SOP's 20-minute filing step."""
        return self.days == 0 and self.minutes > 0


@dataclass(frozen=True)
class WorkCalendar:
    """Which local days count as working days (weekday numbers: Monday 0 ... Sunday 6)."""

    weekend: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[date] = frozenset()
    tz: ZoneInfo = JAKARTA

    def __post_init__(self) -> None:
        if not self.weekend < frozenset(range(7)):
            raise ValueError(f"weekend must be a proper subset of weekdays 0..6: {self.weekend}")

    def is_workday(self, d: date) -> bool:
        return d.weekday() not in self.weekend and d not in self.holidays

    def next_workday(self, d: date) -> date:
        """The first working day strictly after `d`."""
        d += timedelta(days=1)
        while not self.is_workday(d):
            d += timedelta(days=1)
        return d


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"datetime must be timezone-aware: {moment!r}")


def _add_workdays(start: datetime, days: int, cal: WorkCalendar) -> datetime:
    local = start.astimezone(cal.tz)
    if not cal.is_workday(local.date()):
        local = datetime.combine(cal.next_workday(local.date()), time(), tzinfo=cal.tz)
    day = local.date()
    for _ in range(days):
        day = cal.next_workday(day)
    return datetime.combine(day, local.timetz())


def due_at(started: datetime, standard: Standard, cal: WorkCalendar) -> datetime:
    """When a step started at `started` passes its standard time (in the calendar's zone)."""
    _require_aware(started)
    due = _add_workdays(started, standard.days, cal) if standard.days else started
    absolute = due.astimezone(ZoneInfo("UTC")) + timedelta(minutes=standard.minutes)
    return absolute.astimezone(cal.tz)


def is_overdue(
    started: datetime,
    completed: datetime | None,
    now: datetime,
    standard: Standard,
    cal: WorkCalendar,
) -> bool:
    """A completed step is late if it ended after its due time; an open one if `now` is past it."""
    end = completed if completed is not None else now
    _require_aware(started, end)
    return end > due_at(started, standard, cal)


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)


def working_days_between(start: datetime, end: datetime, cal: WorkCalendar) -> float:
    """Elapsed working time from `start` to `end`, in (fractional) working days.

    Each working day counts as one full local day; weekends and holidays count as nothing.
    A reversed interval counts as zero. working_days_between(s, due_at(s, N days)) == N.
    """
    _require_aware(start, end)
    first, last = start.astimezone(cal.tz), end.astimezone(cal.tz)
    total = 0.0
    day = first.date()
    while day <= last.date():
        if cal.is_workday(day):
            lo, hi = _day_bounds(day, cal.tz)
            overlap = min(hi, last).timestamp() - max(lo, first).timestamp()
            total += max(overlap, 0.0) / (hi.timestamp() - lo.timestamp())
        day += timedelta(days=1)
    return total


def minutes_between(start: datetime, end: datetime) -> float:
    """Elapsed wall-clock minutes (for minute standards); a reversed interval counts as zero."""
    _require_aware(start, end)
    return max(end.timestamp() - start.timestamp(), 0.0) / 60
