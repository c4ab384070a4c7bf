"""An hour at a seeded point when it is open, a few days ahead: where a seat can be booked."""

from __future__ import annotations

import datetime as dt

from services.booking.availability.opening import opening_spans
from services.booking.calendar.local_time import local_instant
from services.booking.seeding import read_seed


def open_hour(point_id: str, days_ahead: int = 2, offset_hours: int = 0) -> tuple[dt.datetime, dt.datetime]:
    """The first whole hour (plus `offset_hours`) of the first day from `days_ahead` on when the
    point is open long enough for it, as aware UTC instants."""
    (point,) = [p for p in read_seed().points if p.point_id == point_id]
    day = dt.date.today() + dt.timedelta(days=days_ahead)
    for _ in range(60):
        for opens, closes in opening_spans(point, day):
            start = local_instant(day, opens) + dt.timedelta(hours=offset_hours)
            end = start + dt.timedelta(hours=1)
            if end <= local_instant(day, closes):
                return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
        day += dt.timedelta(days=1)
    raise AssertionError(f"{point_id} is not open for an hour in the next 60 days")
