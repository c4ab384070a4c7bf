"""The inputs of the wait estimate, read from booking's tables: recent visit durations at a
point (for one service when it has enough of them) and the helpers on shift now."""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.booking.calendar.local_time import BRUSSELS
from services.booking.catalogue import CATALOGUE
from services.booking.staff.directory import Staffed
from services.booking.workspace.wait_estimate import MIN_SAMPLES, WaitEstimate, estimate_wait

LOOK_BACK = dt.timedelta(days=28)
DEFAULT_PLANNED_MINUTES = 20.0


async def wait_for(conn: asyncpg.Connection, schema: str, staffed: Staffed, service: str | None,
                   people_ahead: int, now: dt.datetime) -> WaitEstimate:
    rows = await conn.fetch(
        f"""SELECT topic, extract(epoch FROM ended_at - started_at) / 60.0 AS minutes FROM {schema}.visits
            WHERE point_id = $1 AND ended_at IS NOT NULL AND ended_at >= $2
            ORDER BY ended_at DESC LIMIT 500""", staffed.point.point_id, now - LOOK_BACK)
    of_service = [float(r["minutes"]) for r in rows if service and r["topic"] == service]
    minutes = of_service if len(of_service) >= MIN_SAMPLES else [float(r["minutes"]) for r in rows]
    planned = float(CATALOGUE[service].minutes) if service in CATALOGUE else DEFAULT_PLANNED_MINUTES
    return estimate_wait(people_ahead, minutes, helpers_on_shift(staffed, now), planned)


def helpers_on_shift(staffed: Staffed, now: dt.datetime) -> int:
    local = now.astimezone(BRUSSELS)
    return len({s.helper_id for s in staffed.shifts
                if s.point_id == staffed.point.point_id and s.works_on(local.date())
                and s.starts <= local.time() < s.ends})
