"""Helper utilisation for operations: the booked share of today's helper time, by point kind.

Helper time is each shift intersected with the point's opening hours (a helper cannot be
booked outside them); booked time is today's appointments that were not cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import asyncpg

from services.booking.availability.opening import intersect, opening_spans
from services.booking.calendar.local_time import BRUSSELS, local_instant
from services.booking.points.model import AssistancePoint
from services.booking.points.repository import all_points
from services.booking.staff.model import Shift


def helper_minutes(point: AssistancePoint, shifts: list[Shift], day: dt.date) -> float:
    spans = opening_spans(point, day)
    total = 0.0
    for shift in shifts:
        if shift.point_id == point.point_id and shift.works_on(day):
            for lo, hi in intersect(spans, [(shift.starts, shift.ends)]):
                total += (local_instant(day, hi) - local_instant(day, lo)).total_seconds() / 60
    return total


async def utilisation_by_kind(conn: asyncpg.Connection, schema: str, now: dt.datetime) -> dict[str, float]:
    day = now.astimezone(BRUSSELS).date()
    points = {p.point_id: p for p in await all_points(conn, schema)}
    shifts = [Shift.model_validate_json(r["document"]) for r in await conn.fetch(f"SELECT document FROM {schema}.shifts")]
    booked = await conn.fetch(
        f"""SELECT point_id, sum(extract(epoch FROM ends_at - starts_at)) / 60 AS minutes FROM {schema}.appointments
            WHERE starts_at >= $1 AND starts_at < $2 AND status IN ('booked', 'checked_in', 'attended', 'held')
            GROUP BY point_id""", local_instant(day, dt.time()), local_instant(day + dt.timedelta(days=1), dt.time()))
    available: dict[str, float] = defaultdict(float)
    used: dict[str, float] = defaultdict(float)
    for point in points.values():
        available[point.kind] += helper_minutes(point, shifts, day)
    for row in booked:
        if row["point_id"] in points:
            used[points[row["point_id"]].kind] += float(row["minutes"])
    return {kind: (used[kind] / minutes if minutes else 0.0) for kind, minutes in available.items()}
