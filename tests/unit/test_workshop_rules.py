"""Workshop rules: a session's times, when registration closes, when attendance may be
recorded (Brussels dates, also on a DST change day) and which place a registration takes."""

from __future__ import annotations

import datetime as dt

import pytest

from services.booking.calendar.local_time import BRUSSELS
from services.booking.workshops.rules import (
    attendance_problem,
    free_place,
    registration_open,
    session_problem,
)

NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BRUSSELS)


@pytest.mark.parametrize(("starts", "ends", "problem"), [
    (local(24, 14), local(24, 16), None),
    (local(24, 14), local(24, 14), "ends_at must come after starts_at"),
    (local(24, 8), local(24, 17), "8 hours at most"),
    (local(19, 14), local(19, 16), "starts_at is past"),
    (local(24, 23), local(25, 1), "same day"),
    # 29 March 2026: clocks go forward at 02:00; a 01:30-03:30 local session is one real hour.
    (local(29, 1, 30), local(29, 3, 30), None),
])
def test_a_session_is_ahead_forward_one_day_and_at_most_eight_hours(starts, ends, problem) -> None:  # type: ignore[no-untyped-def]
    found = session_problem(starts.astimezone(dt.UTC), ends.astimezone(dt.UTC), NOW)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_registration_closes_when_the_workshop_begins() -> None:
    starts = local(24, 14).astimezone(dt.UTC)
    assert registration_open(starts, starts - dt.timedelta(seconds=1))
    assert not registration_open(starts, starts)


def test_attendance_is_recorded_from_the_workshops_local_day_on() -> None:
    # 10:00 on 25 October 2026 (the day clocks go back) in Brussels is 09:00 UTC.
    starts = local(25, 10, month=10).astimezone(dt.UTC)
    assert attendance_problem(starts, local(24, 23, 59, month=10)) is not None
    assert attendance_problem(starts, local(25, 0, 1, month=10)) is None  # 22:01 UTC the day before, local day
    assert attendance_problem(starts, starts + dt.timedelta(days=2)) is None


def test_a_registration_takes_the_lowest_free_place_until_the_workshop_is_full() -> None:
    assert free_place([], 3) == 1
    assert free_place([1, 3], 3) == 2
    assert free_place([2, 1, 3], 3) is None
    assert free_place([1, 2, 4], 3) == 3  # a number beyond the capacity takes nothing
