"""Free slots of a point as citizens see them: one entry per start time, however many helpers
are free then (the booking picks one)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import asyncpg

from services.booking.appointments import repository as repo
from services.booking.appointments.service import Appointments, bookable_service
from services.booking.availability.slots import free_slots
from services.booking.calendar.local_time import local_instant
from services.booking.points.model import AssistancePoint


@dataclass(frozen=True)
class OpenSlot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    helpers_free: int


async def open_slots(conn: asyncpg.Connection, appointments: Appointments, point_id: str, service: str,
                     language: str, days: list[dt.date], now: dt.datetime) -> tuple[AssistancePoint, list[OpenSlot]]:
    catalogue_service = bookable_service(service)
    staffed = await appointments.staffed(conn, point_id)
    point, helpers, shifts = staffed.point, staffed.helpers, staffed.shifts
    # Buffers reach a little outside the days asked for; two hours either side covers them.
    busy = await repo.busy(conn, appointments.schema, [h.helper_id for h in helpers],
                           local_instant(days[0], dt.time()) - dt.timedelta(hours=2),
                           local_instant(days[-1] + dt.timedelta(days=1), dt.time()) + dt.timedelta(hours=2))
    slots = free_slots(point, catalogue_service, language, helpers, shifts, busy, days, now, appointments.rules)
    free = Counter((s.starts_at, s.ends_at) for s in slots)
    return point, [OpenSlot(start, end, n) for (start, end), n in sorted(free.items())]
