"""Pure rules for a seat booking's time slot: forward, not too long, on one day, and inside one of
the point's opening spans that day (local time, so a DST day needs nothing special); the hour
slots a page offers on a day, and how many seats each has free."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.booking.availability.opening import opening_spans
from services.booking.calendar.local_time import BRUSSELS, local_instant
from services.booking.points.model import AssistancePoint

LONGEST = dt.timedelta(hours=4)  # a seat is for a session, not for the day: others wait for it
KIND_CAPACITY = {"workstation": "access_points", "laptop": "laptops"}  # the point's capacity field per kind


def capacity(point: AssistancePoint, kind: str) -> int:
    return int(getattr(point.capacity, KIND_CAPACITY[kind]))


def slot_problem(point: AssistancePoint, starts_at: dt.datetime, ends_at: dt.datetime,
                 now: dt.datetime) -> str | None:
    """Why this slot cannot be booked at this point, or None."""
    if ends_at <= starts_at:
        return "ends_at must come after starts_at"
    if ends_at - starts_at > LONGEST:
        return f"a seat is booked for {LONGEST.seconds // 3600} hours at most"
    if ends_at <= now:
        return "the slot is over already"
    start, end = starts_at.astimezone(BRUSSELS), ends_at.astimezone(BRUSSELS)
    if start.date() != end.date():
        return "a slot starts and ends on the same day"
    if not any(s0 <= start.time() and end.time() <= s1 for s0, s1 in opening_spans(point, start.date())):
        return f"{point.point_id} is not open for the whole slot on {start.date().isoformat()}"
    return None


SLOT_LENGTH = dt.timedelta(hours=1)  # the public page and the walk-in form offer hour slots


@dataclass(frozen=True)
class SeatSlot:
    """One bookable slot and how many seats of the kind are still free for the whole of it."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    free: int


@dataclass(frozen=True)
class TakenSeat:
    seat_no: int
    starts_at: dt.datetime
    ends_at: dt.datetime


def day_slots(point: AssistancePoint, day: dt.date,
              length: dt.timedelta = SLOT_LENGTH) -> list[tuple[dt.datetime, dt.datetime]]:
    """The point's slots on a local day, back to back from the start of each opening span, as
    UTC instants. Wall-clock times are turned into instants one by one, so on a DST change day
    13:00–14:00 is still one hour and starts at 13:00 local."""
    slots = []
    for opens, closes in opening_spans(point, day):
        start, closing = local_instant(day, opens), local_instant(day, closes)
        while start + length <= closing:
            slots.append((start, start + length))
            start += length
    return slots


def free_seats(slots: list[tuple[dt.datetime, dt.datetime]], taken: list[TakenSeat], seats: int) -> list[SeatSlot]:
    """Free seats per slot: the seat numbers no booking holds during any part of the slot, which
    is what a booking for that slot can take (seats/service.py takes the lowest of them)."""
    return [SeatSlot(start, end, max(0, seats - len({t.seat_no for t in taken
                                                    if t.starts_at < end and start < t.ends_at})))
            for start, end in slots]
