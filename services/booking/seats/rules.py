"""Pure rules for a seat booking's time slot: forward, not too long, on one day, and inside one of
the point's opening spans that day (local time, so a DST day needs nothing special)."""

from __future__ import annotations

import datetime as dt

from services.booking.availability.opening import opening_spans
from services.booking.calendar.local_time import BRUSSELS
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
