"""Calls to a counter in PostgreSQL (schema `booking`, table `calls`): who was called where, how
often, and whether they came. Every change wakes the waiting-room displays (NOTIFY on commit)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

# The channel the displays' feed listens on; the payload is the point id.
CHANNEL = "booking_calls"


@dataclass(frozen=True)
class Call:
    call_id: uuid.UUID
    point_id: str
    counter: str
    helper_id: str
    ticket_id: uuid.UUID | None
    appointment_id: uuid.UUID | None
    label: str
    language: str
    waiting_since: dt.datetime
    times_called: int
    first_called_at: dt.datetime
    last_called_at: dt.datetime
    status: str
    visit_id: uuid.UUID | None


_COLUMNS = ("call_id, point_id, counter, helper_id, ticket_id, appointment_id, label, language, waiting_since, "
            "times_called, first_called_at, last_called_at, status, visit_id")


async def insert(conn: asyncpg.Connection, schema: str, call: Call) -> None:
    await conn.execute(
        f"""INSERT INTO {schema}.calls ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""",
        call.call_id, call.point_id, call.counter, call.helper_id, call.ticket_id, call.appointment_id, call.label,
        call.language, call.waiting_since, call.times_called, call.first_called_at, call.last_called_at, call.status,
        call.visit_id)
    await _wake_displays(conn, call.point_id)


async def open_at_counter(conn: asyncpg.Connection, schema: str, point_id: str, counter: str,
                          lock: bool = False) -> Call | None:
    """The person this counter is calling now (not yet arrived)."""
    row = await conn.fetchrow(f"""SELECT {_COLUMNS} FROM {schema}.calls WHERE point_id = $1 AND counter = $2
                                  AND status = 'calling'{" FOR UPDATE" if lock else ""}""", point_id, counter)
    return Call(**dict(row)) if row else None


async def serving_at_counter(conn: asyncpg.Connection, schema: str, point_id: str, counter: str) -> Call | None:
    """The call whose visit is under way at this counter."""
    row = await conn.fetchrow(
        f"""SELECT {", ".join("c." + c.strip() for c in _COLUMNS.split(","))} FROM {schema}.calls c
            JOIN {schema}.visits v ON v.visit_id = c.visit_id
            WHERE c.point_id = $1 AND c.counter = $2 AND c.status = 'arrived' AND v.ended_at IS NULL
            ORDER BY c.last_called_at DESC LIMIT 1""", point_id, counter)
    return Call(**dict(row)) if row else None


async def recall(conn: asyncpg.Connection, schema: str, call_id: uuid.UUID, now: dt.datetime) -> Call:
    row = await conn.fetchrow(f"""UPDATE {schema}.calls SET times_called = times_called + 1, last_called_at = $2,
                                  shown_order = nextval('{schema}.calls_shown_order') WHERE call_id = $1 RETURNING {_COLUMNS}""", call_id, now)
    call = Call(**dict(row))
    await _wake_displays(conn, call.point_id)
    return call


async def move_to_counter(conn: asyncpg.Connection, schema: str, call_id: uuid.UUID, counter: str,
                          now: dt.datetime) -> Call:
    """The call goes to another counter (and the displays call the person there)."""
    row = await conn.fetchrow(f"""UPDATE {schema}.calls SET counter = $2, last_called_at = $3,
                                  shown_order = nextval('{schema}.calls_shown_order') WHERE call_id = $1
                                  RETURNING {_COLUMNS}""", call_id, counter, now)
    call = Call(**dict(row))
    await _wake_displays(conn, call.point_id)
    return call


async def close(conn: asyncpg.Connection, schema: str, call_id: uuid.UUID, status: str,
                visit_id: uuid.UUID | None) -> None:
    """`arrived` (with the visit that started), `missed`, or `transferred` (back in line for another service)."""
    point_id = await conn.fetchval(f"UPDATE {schema}.calls SET status = $2, visit_id = $3 WHERE call_id = $1 "
                                   "RETURNING point_id", call_id, status, visit_id)
    await _wake_displays(conn, point_id)


@dataclass(frozen=True)
class Shown:
    """A call as the waiting-room display shows it: nothing that names the person."""

    label: str  # the ticket's number, or the appointment's time
    counter: str
    called_at: dt.datetime
    calling: bool
    appointment: bool = False  # announced as "appointment at 15:00", not "number 15:00"


async def recent(conn: asyncpg.Connection, schema: str, point_id: str, since: dt.datetime,
                 limit: int = 8) -> list[Shown]:
    rows = await conn.fetch(
        f"""SELECT label, counter, last_called_at AS called_at, status = 'calling' AS calling,
                   ticket_id IS NULL AS appointment FROM {schema}.calls
            WHERE point_id = $1 AND last_called_at >= $2 AND status <> 'missed'
            ORDER BY shown_order DESC LIMIT $3""", point_id, since, limit)
    return [Shown(**dict(r)) for r in rows]


async def _wake_displays(conn: asyncpg.Connection, point_id: str) -> None:
    # NOTIFY is delivered at commit, so a display never shows a call that was rolled back.
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, point_id)
