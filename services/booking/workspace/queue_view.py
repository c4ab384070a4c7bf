"""Today's queue at a point as the counter screen lists it: walk-in tickets and checked-in
appointments in the order "call next" takes them (`call_order`, pure), and the day's
appointments. Read-only."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from services.booking.appointments import repository as appointment_repo
from services.booking.appointments.repository import Appointment
from services.booking.calendar.local_time import local_date, local_instant
from services.booking.queue import repository as queue_repo


@dataclass(frozen=True)
class Waiting:
    kind: str  # "ticket" or "appointment"
    object_id: uuid.UUID
    number: int | None  # the ticket's number
    starts_at: dt.datetime | None  # the appointment's time
    language: str
    service: str | None
    waiting_since: dt.datetime


def call_order(tickets: list[Waiting], appointments: list[Waiting], now: dt.datetime) -> list[Waiting]:
    """The order of `Queue.take_next`: checked-in appointments whose time has come (they were
    promised that time), then walk-ins by arrival, then checked-in appointments still early."""
    def at(w: Waiting) -> dt.datetime:
        assert w.starts_at is not None
        return w.starts_at

    due = sorted((a for a in appointments if at(a) <= now), key=at)
    early = sorted((a for a in appointments if at(a) > now), key=at)
    walk_ins = sorted(tickets, key=lambda w: (w.waiting_since, w.number or 0))
    return [*due, *walk_ins, *early]


@dataclass(frozen=True)
class Today:
    queue: list[Waiting]
    appointments: list[Appointment]
    missed: list[queue_repo.MissedTicket]


async def today_at(conn: asyncpg.Connection, schema: str, point_id: str, now: dt.datetime) -> Today:
    day = local_date(now)
    tickets = [Waiting("ticket", t.ticket_id, t.number, None, t.language, t.topic, t.created_at)
               for t in await queue_repo.waiting(conn, schema, point_id)]
    diary = await appointment_repo.of_point_between(conn, schema, point_id, local_instant(day, dt.time()),
                                                    local_instant(day + dt.timedelta(days=1), dt.time()))
    being_called = {r["appointment_id"] for r in await conn.fetch(
        f"SELECT appointment_id FROM {schema}.calls WHERE point_id = $1 AND status = 'calling' "
        "AND appointment_id IS NOT NULL", point_id)}
    checked_in_at = {r["appointment_id"]: r["checked_in_at"] for r in await conn.fetch(
        f"SELECT appointment_id, checked_in_at FROM {schema}.appointments WHERE point_id = $1 "
        "AND status = 'checked_in'", point_id)}
    checked_in = [Waiting("appointment", a.appointment_id, None, a.starts_at, a.language, a.service,
                          max(checked_in_at.get(a.appointment_id) or a.starts_at, a.starts_at))
                  for a in diary if a.status == "checked_in" and a.appointment_id not in being_called]
    return Today(call_order(tickets, checked_in, now), diary, await queue_repo.missed(conn, schema, point_id, day))
