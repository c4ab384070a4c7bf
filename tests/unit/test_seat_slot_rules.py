"""The pure rules of a seat booking's slot: forward, at most 4 hours, one local day, inside one of
the point's opening spans (local time, also on a DST change day)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.booking.calendar.local_time import BRUSSELS
from services.booking.seats.rules import capacity, slot_problem
from services.booking.seeding import read_seed

DIGIBANK = next(p for p in read_seed().points if p.point_id == "mechelen-digibank-predikheren")  # tue/wed 13–17
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def local(day: int, hour: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=BRUSSELS)


def test_a_slot_inside_the_opening_hours_is_fine() -> None:
    assert slot_problem(DIGIBANK, local(3, 13), local(3, 17), NOW) is None  # Tuesday 3 March


@pytest.mark.parametrize(("start", "end", "problem"), [
    (local(3, 15), local(3, 14), "ends_at must come after starts_at"),
    (local(3, 13), local(3, 18), "4 hours at most"),
    (local(3, 16), local(3, 18), "not open for the whole slot"),  # past closing
    (local(2, 13), local(2, 14), "not open for the whole slot"),  # Monday: closed
    (local(3, 23), local(4, 1), "same day"),
])
def test_a_slot_that_cannot_be_booked_says_why(start: dt.datetime, end: dt.datetime, problem: str) -> None:
    found = slot_problem(DIGIBANK, start, end, NOW)
    assert found is not None and problem in found, found


def test_a_slot_already_over_is_refused() -> None:
    assert "over already" in (slot_problem(DIGIBANK, local(3, 13), local(3, 14), local(3, 15)) or "")


def test_local_hours_hold_across_the_dst_change() -> None:
    # Tuesday 31 March 2026 is summer time (UTC+2): 13:00 local is 11:00 UTC.
    start = dt.datetime(2026, 3, 31, 11, tzinfo=dt.UTC)
    assert slot_problem(DIGIBANK, start, start + dt.timedelta(hours=4), NOW) is None
    assert slot_problem(DIGIBANK, start - dt.timedelta(hours=1), start, NOW) is not None  # 12:00 local: closed


def test_capacity_per_kind_comes_from_the_point() -> None:
    assert (capacity(DIGIBANK, "workstation"), capacity(DIGIBANK, "laptop")) == (10, 5)
