"""SLA arithmetic of the SOP's standard times, driven by an injected clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.sla import (
    Standard,
    WorkCalendar,
    due_at,
    is_overdue,
    minutes_between,
    working_days_between,
)

WIB = ZoneInfo("Asia/Jakarta")
INDEPENDENCE_DAY = date(2026, 8, 17)  # a Monday
CAL = WorkCalendar(holidays=frozenset({INDEPENDENCE_DAY}))


def wib(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WIB)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 hari", Standard(days=1)),
        ("3 Hari", Standard(days=3)),
        ("2 hari kerja", Standard(days=2)),
        ("  20 menit ", Standard(minutes=20)),
        ("20 Menit", Standard(minutes=20)),
        ("2 Jam", Standard(minutes=120)),  # hours are counted on the clock
    ],
)
def test_parse_accepts_the_sop_wording(text: str, expected: Standard) -> None:
    assert Standard.parse(text) == expected


@pytest.mark.parametrize("text", ["", "hari", "1 minggu", "0 hari", "-1 hari", "1.5 hari"])
def test_parse_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="standard time"):
        Standard.parse(text)


def test_labels_are_indonesian() -> None:
    assert Standard(days=1).label() == "1 hari kerja"
    assert Standard(minutes=20).label() == "20 menit"
    assert Standard.parse(Standard(days=3).label()) == Standard(days=3)


def test_one_day_from_thursday_is_friday_same_time() -> None:
    assert due_at(wib(2026, 10, 1, 9, 30), Standard(days=1), CAL) == wib(2026, 10, 2, 9, 30)


def test_days_skip_the_weekend() -> None:
    friday = wib(2026, 10, 2, 14)
    assert due_at(friday, Standard(days=1), CAL) == wib(2026, 10, 5, 14)
    assert due_at(friday, Standard(days=3), CAL) == wib(2026, 10, 7, 14)


def test_days_skip_a_public_holiday() -> None:
    friday = wib(2026, 8, 14, 10)
    assert due_at(friday, Standard(days=1), CAL) == wib(2026, 8, 18, 10)
    without_holiday = WorkCalendar()
    assert due_at(friday, Standard(days=1), without_holiday) == wib(2026, 8, 17, 10)


def test_start_on_saturday_counts_from_monday_morning() -> None:
    saturday = wib(2026, 10, 3, 11, 15)
    assert due_at(saturday, Standard(days=1), CAL) == wib(2026, 10, 6, 0, 0)
    assert due_at(saturday, Standard(days=2), CAL) == wib(2026, 10, 7, 0, 0)


def test_start_on_a_holiday_counts_from_the_next_working_day() -> None:
    assert due_at(wib(2026, 8, 17, 9), Standard(days=1), CAL) == wib(2026, 8, 19, 0, 0)


def test_twenty_minutes_are_wall_clock_even_at_the_weekend() -> None:
    friday_evening = wib(2026, 10, 2, 23, 50)
    assert due_at(friday_evening, Standard(minutes=20), CAL) == wib(2026, 10, 3, 0, 10)


def test_start_in_another_zone_is_judged_on_the_calendar_day_in_jakarta() -> None:
    # 2026-10-02 20:00 UTC is Saturday 03:00 in Jakarta: a non-working day there
    started = datetime(2026, 10, 2, 20, 0, tzinfo=UTC)
    due = due_at(started, Standard(days=1), CAL)
    assert due == wib(2026, 10, 6, 0, 0)
    assert due.tzinfo == WIB


def test_completed_on_time_vs_late_at_the_twenty_minute_step() -> None:
    started = wib(2026, 10, 5, 10, 0)
    step = Standard.parse("20 menit")
    on_time = wib(2026, 10, 5, 10, 20)
    late = wib(2026, 10, 5, 10, 21)
    long_after = wib(2026, 12, 1)
    assert not is_overdue(started, on_time, long_after, step, CAL)
    assert is_overdue(started, late, long_after, step, CAL)


def test_open_step_becomes_overdue_when_the_clock_passes_due() -> None:
    started = wib(2026, 8, 14, 10)  # Friday before the holiday; due Tuesday 10:00
    step = Standard(days=1)
    assert not is_overdue(started, None, wib(2026, 8, 17, 23, 59), step, CAL)
    assert not is_overdue(started, None, wib(2026, 8, 18, 10, 0), step, CAL)
    assert is_overdue(started, None, wib(2026, 8, 18, 10, 1), step, CAL)


def test_completion_time_wins_over_now() -> None:
    started = wib(2026, 10, 1, 9)
    done_early = wib(2026, 10, 1, 15)
    assert not is_overdue(started, done_early, wib(2027, 1, 1), Standard(days=1), CAL)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(datetime(2026, 10, 1, 9), Standard(days=1), CAL)


def test_working_days_between_ignores_weekend_and_holiday() -> None:
    friday_noon = wib(2026, 8, 14, 12)
    tuesday_noon = wib(2026, 8, 18, 12)
    assert working_days_between(friday_noon, tuesday_noon, CAL) == pytest.approx(1.0)
    assert working_days_between(friday_noon, tuesday_noon, WorkCalendar()) == pytest.approx(2.0)
    assert working_days_between(wib(2026, 10, 3), wib(2026, 10, 5), CAL) == 0.0
    assert working_days_between(tuesday_noon, friday_noon, CAL) == 0.0


def test_minutes_between_is_wall_clock() -> None:
    assert minutes_between(wib(2026, 10, 3, 23, 50), wib(2026, 10, 4, 0, 15)) == 25.0


def test_a_calendar_without_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="weekend"):
        WorkCalendar(weekend=frozenset(range(7)))


@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    days=st.integers(min_value=1, max_value=10),
)
def test_the_due_time_is_exactly_n_working_days_away(start: datetime, days: int) -> None:
    started = start.replace(tzinfo=WIB)
    due = due_at(started, Standard(days=days), CAL)
    assert CAL.is_workday(due.date()) or due.time() == datetime.min.time()
    assert working_days_between(started, due, CAL) == pytest.approx(days)
    assert not is_overdue(started, due, due, Standard(days=days), CAL)
    assert is_overdue(started, due + timedelta(seconds=1), due, Standard(days=days), CAL)
