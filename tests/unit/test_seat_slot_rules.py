"""The pure rules of a seat booking's slot: forward, at most 4 hours, one local day, inside one of
the point's opening spans (local time, also on a DST change day)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.booking.calendar.local_time import BRUSSELS
from services.booking.seats.rules import TakenSeat, capacity, day_slots, free_seats, slot_problem
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


def utc(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


def test_a_day_is_cut_into_hour_slots_inside_each_opening_span() -> None:
    slots = day_slots(DIGIBANK, dt.date(2026, 3, 3))  # Tuesday 13–17, winter time (UTC+1)
    assert [(s.hour, e.hour) for s, e in slots] == [(12, 13), (13, 14), (14, 15), (15, 16)]
    assert day_slots(DIGIBANK, dt.date(2026, 3, 2)) == []  # Monday: closed


def test_slots_on_the_spring_dst_day_start_at_the_local_hours() -> None:
    # Sunday 29 March 2026 the clocks jump from 02:00 to 03:00; the point opens that Sunday only.
    point = DIGIBANK.model_copy(update={"exceptions": {dt.date(2026, 3, 29): ["01:00-04:00", "13:00-15:00"]}})
    slots = day_slots(point, dt.date(2026, 3, 29))
    assert [s.astimezone(BRUSSELS).strftime("%H:%M") for s, _ in slots] == ["01:00", "03:00", "13:00", "14:00"]
    # Real hours: 01:00–03:00 on the wall clock is one hour; the afternoon is already UTC+2.
    assert all(e - s == dt.timedelta(hours=1) for s, e in slots)
    assert slots[2][0] == utc(3, 29, 11)


def test_slots_on_the_autumn_dst_day_count_the_hour_that_comes_twice() -> None:
    # Sunday 25 October 2026 02:00–03:00 happens twice: 01:00–04:00 local is four real hours.
    point = DIGIBANK.model_copy(update={"exceptions": {dt.date(2026, 10, 25): ["01:00-04:00"]}})
    slots = day_slots(point, dt.date(2026, 10, 25))
    assert [s for s, _ in slots] == [utc(10, 24, 23), utc(10, 25, 0), utc(10, 25, 1), utc(10, 25, 2)]


def test_free_seats_count_the_seats_held_during_any_part_of_the_slot() -> None:
    slots = day_slots(DIGIBANK, dt.date(2026, 3, 3))  # 12–13, 13–14, 14–15, 15–16 UTC
    taken = [TakenSeat(1, utc(3, 3, 12), utc(3, 3, 14)),  # two hours on seat 1
             TakenSeat(2, utc(3, 3, 13) + dt.timedelta(minutes=30), utc(3, 3, 14)),  # half an hour into the 2nd
             TakenSeat(2, utc(3, 3, 14), utc(3, 3, 15)),  # seat 2 again, back to back
             TakenSeat(3, utc(3, 3, 11), utc(3, 3, 12))]  # ends where the first slot begins: not in it
    assert [s.free for s in free_seats(slots, taken, 5)] == [4, 3, 4, 5]
    assert [s.free for s in free_seats(slots, taken * 3, 2)] == [1, 0, 1, 2]  # never below zero
