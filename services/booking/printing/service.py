"""Recording the pages printed during a visit (the only writer of `visit_prints`). Pages are
added up while the visit is open; the visit's end reads the total and reports it on VisitEnded,
split by the point's free quota (quota.py)."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.booking.appointments.service import Appointments
from services.booking.errors import Conflict, NotFound, NotOffered
from services.booking.points.model import AssistancePoint
from services.booking.printing.quota import PrintCount, split

MOST_AT_ONCE = 500  # one recording; more is a typing error rather than a print job at a help point


class Printing:
    def __init__(self, appointments: Appointments) -> None:
        self.appointments, self.schema = appointments, appointments.schema

    async def record(self, conn: asyncpg.Connection, visit_id: uuid.UUID, pages: int, now: dt.datetime) -> PrintCount:
        """Add `pages` to the visit's count. The visit's row is locked first, so a visit ending at
        the same moment either counts these pages or refuses them (never loses them)."""
        visit = await conn.fetchrow(
            f"SELECT point_id, ended_at FROM {self.schema}.visits WHERE visit_id = $1 FOR UPDATE", visit_id)
        if visit is None:
            raise NotFound("Unknown visit", f"there is no visit {visit_id}")
        if visit["ended_at"] is not None:
            raise Conflict("Visit ended", f"visit {visit_id} has ended; pages are counted during the visit")
        point = await self.appointments.point(conn, visit["point_id"])
        if not offers_printing(point):
            raise NotOffered("No printing here", f"{point.point_id} has no printer for citizens")
        total = await conn.fetchval(
            f"""INSERT INTO {self.schema}.visit_prints (visit_id, pages, updated_at) VALUES ($1, $2, $3)
                ON CONFLICT (visit_id) DO UPDATE SET pages = visit_prints.pages + EXCLUDED.pages, updated_at = $3
                RETURNING pages""", visit_id, pages, now)
        return split(total, point.free_print_pages)

    async def of_visit(self, conn: asyncpg.Connection, visit_id: uuid.UUID, quota: int) -> PrintCount:
        return split(await printed_pages(conn, self.schema, visit_id), quota)


def offers_printing(point: AssistancePoint) -> bool:
    """Only a point that offers printing (its catalogue service) has a printer for citizens."""
    return "printing" in point.services


async def printed_pages(conn: asyncpg.Connection, schema: str, visit_id: uuid.UUID) -> int:
    """The pages counted for a visit so far (0 when none)."""
    return await conn.fetchval(f"SELECT coalesce(sum(pages), 0)::int FROM {schema}.visit_prints WHERE visit_id = $1",
                               visit_id)
