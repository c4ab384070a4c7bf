"""When a point is open on a given day: exceptions first, then public holidays, then the
weekly hours."""

from __future__ import annotations

import datetime as dt

from services.booking.calendar.holidays import is_public_holiday
from services.booking.calendar.local_time import parse_clock
from services.booking.points.model import WEEKDAYS, AssistancePoint

Span = tuple[dt.time, dt.time]


def opening_spans(point: AssistancePoint, day: dt.date) -> list[Span]:
    if day in point.exceptions:
        spans = point.exceptions[day]
    elif point.closed_on_public_holidays and is_public_holiday(day):
        spans = []
    else:
        spans = point.opening_hours.get(WEEKDAYS[day.weekday()], [])
    return [(parse_clock(s[:5]), parse_clock(s[6:])) for s in spans]


def intersect(a: list[Span], b: list[Span]) -> list[Span]:
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if lo < hi:
                out.append((lo, hi))
    return sorted(out)
