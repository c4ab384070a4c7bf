"""Tickets and visits in PostgreSQL (schema `booking`)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Ticket:
    ticket_id: uuid.UUID
    number: int
    language: str
    topic: str | None
    created_at: dt.datetime


async def issue(conn: asyncpg.Connection, schema: str, point_id: str, day: dt.date, language: str,
                topic: str | None, now: dt.datetime, notify_phone: str | None = None) -> tuple[Ticket, int]:
    """A numbered ticket (numbers restart each local day) and how many wait before it."""
    # Serialise numbering per point and day: two kiosks must never print the same number.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", f"{point_id}:{day}")
    number = await conn.fetchval(f"SELECT coalesce(max(number), 0) + 1 FROM {schema}.tickets "
                                 "WHERE point_id = $1 AND local_day = $2", point_id, day)
    ticket = Ticket(uuid.uuid4(), number, language, topic, now)
    await conn.execute(f"""INSERT INTO {schema}.tickets (ticket_id, point_id, local_day, number, language, topic,
                               status, created_at, notify_phone) VALUES ($1, $2, $3, $4, $5, $6, 'waiting', $7, $8)""",
                       ticket.ticket_id, point_id, day, number, language, topic, now, notify_phone)
    ahead = await conn.fetchval(f"SELECT count(*) - 1 FROM {schema}.tickets WHERE point_id = $1 AND status = 'waiting'",
                                point_id)
    return ticket, int(ahead)


async def waiting(conn: asyncpg.Connection, schema: str, point_id: str) -> list[Ticket]:
    rows = await conn.fetch(f"""SELECT ticket_id, number, language, topic, created_at FROM {schema}.tickets
                                WHERE point_id = $1 AND status = 'waiting' ORDER BY created_at, number""", point_id)
    return [Ticket(**dict(r)) for r in rows]


async def take_oldest_ticket(conn: asyncpg.Connection, schema: str, point_id: str, now: dt.datetime) -> Ticket | None:
    """The longest-waiting walk-in, locked so two helpers calling at once get two people."""
    row = await conn.fetchrow(
        # MATERIALIZED: the choice runs once. As a subquery in FROM the planner may rescan it per
        # row of a nested loop, and with SKIP LOCKED each rescan picks another ticket: one call
        # took every waiting ticket of the point (seen in CI once the table had grown).
        f"""WITH next AS MATERIALIZED (
                SELECT ticket_id FROM {schema}.tickets WHERE point_id = $1 AND status = 'waiting'
                ORDER BY created_at, number LIMIT 1 FOR UPDATE SKIP LOCKED)
            UPDATE {schema}.tickets t SET status = 'called', called_at = $2, notify_phone = NULL
            FROM next WHERE t.ticket_id = next.ticket_id
            RETURNING t.ticket_id, t.number, t.language, t.topic, t.created_at""", point_id, now)
    return Ticket(**dict(row)) if row else None


async def take_checked_in(conn: asyncpg.Connection, schema: str, point_id: str,
                          due_before: dt.datetime | None, missed_after: dt.datetime | None = None,
                          appointment_id: uuid.UUID | None = None) -> asyncpg.Record | None:
    """The earliest checked-in appointment (whose time has come, when `due_before` is given; that
    one, when `appointment_id` is given). One being called at a counter is not taken again, nor
    (with `missed_after`) one whose call was missed after that instant."""
    return await conn.fetchrow(
        f"""SELECT appointment_id, language, checked_in_at, starts_at FROM {schema}.appointments a
            WHERE point_id = $1 AND status = 'checked_in' AND ($2::timestamptz IS NULL OR starts_at <= $2)
              AND ($4::uuid IS NULL OR appointment_id = $4)
              AND NOT EXISTS (SELECT 1 FROM {schema}.calls c WHERE c.appointment_id = a.appointment_id
                              AND (c.status = 'calling' OR (c.status = 'missed' AND c.last_called_at > $3)))
            ORDER BY starts_at LIMIT 1 FOR UPDATE SKIP LOCKED""", point_id, due_before, missed_after, appointment_id)


async def take_this_ticket(conn: asyncpg.Connection, schema: str, point_id: str, ticket_id: uuid.UUID,
                           now: dt.datetime, missed_before: dt.datetime) -> Ticket | None:
    """"Call this one": a waiting ticket, or a missed one whose holder came back (missed before
    `missed_before`, so a missed person is not called again at once)."""
    row = await conn.fetchrow(
        f"""UPDATE {schema}.tickets SET status = 'called', called_at = $3, missed_at = NULL, notify_phone = NULL
            WHERE ticket_id = $2 AND point_id = $1
              AND (status = 'waiting' OR (status = 'missed' AND missed_at <= $4))
            RETURNING ticket_id, number, language, topic, created_at""", point_id, ticket_id, now, missed_before)
    return Ticket(**dict(row)) if row else None


async def back_in_line(conn: asyncpg.Connection, schema: str, ticket_id: uuid.UUID, topic: str) -> None:
    """A called walk-in who needs another service waits again, for that service, in the place
    their ticket already had (its arrival time is kept)."""
    await conn.execute(f"UPDATE {schema}.tickets SET status = 'waiting', called_at = NULL, topic = $2 "
                       "WHERE ticket_id = $1", ticket_id, topic)


async def mark_missed(conn: asyncpg.Connection, schema: str, ticket_id: uuid.UUID, now: dt.datetime) -> None:
    await conn.execute(f"UPDATE {schema}.tickets SET status = 'missed', missed_at = $2 WHERE ticket_id = $1",
                       ticket_id, now)


@dataclass(frozen=True)
class MissedTicket:
    ticket_id: uuid.UUID
    number: int
    language: str
    missed_at: dt.datetime


async def missed(conn: asyncpg.Connection, schema: str, point_id: str, day: dt.date) -> list[MissedTicket]:
    rows = await conn.fetch(f"""SELECT ticket_id, number, language, missed_at FROM {schema}.tickets
                                WHERE point_id = $1 AND local_day = $2 AND status = 'missed'
                                ORDER BY missed_at""", point_id, day)
    return [MissedTicket(**dict(r)) for r in rows]


async def start_visit(conn: asyncpg.Connection, schema: str, visit_id: uuid.UUID, point_id: str, helper_id: str,
                      ticket_id: uuid.UUID | None, appointment_id: uuid.UUID | None, language: str,
                      waited_seconds: int | None, now: dt.datetime) -> None:
    await conn.execute(
        f"""INSERT INTO {schema}.visits (visit_id, point_id, helper_id, ticket_id, appointment_id, language,
                waited_seconds, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        visit_id, point_id, helper_id, ticket_id, appointment_id, language, waited_seconds, now)


async def end_visit(conn: asyncpg.Connection, schema: str, visit_id: uuid.UUID, topic: str, language: str,
                    outcome: str, now: dt.datetime) -> asyncpg.Record | None:
    """None when there is no such visit or it has ended already."""
    return await conn.fetchrow(
        f"""UPDATE {schema}.visits SET ended_at = $2, topic = $3, language = $4, outcome = $5
            WHERE visit_id = $1 AND ended_at IS NULL RETURNING point_id, started_at""",
        visit_id, now, topic, language, outcome)


async def waiting_by_kind(conn: asyncpg.Connection, schema: str) -> dict[str, int]:
    rows = await conn.fetch(f"""SELECT p.kind, count(t.ticket_id) AS n FROM {schema}.assistance_points p
                                LEFT JOIN {schema}.tickets t ON t.point_id = p.point_id AND t.status = 'waiting'
                                GROUP BY p.kind""")
    return {r["kind"]: int(r["n"]) for r in rows}


@dataclass(frozen=True)
class AwaitingTurn:
    """A waiting walk-in who left a mobile number and has not been told their turn is near."""

    ticket_id: uuid.UUID
    point_id: str
    number: int
    language: str
    topic: str | None
    phone: str


async def awaiting_turn_near(conn: asyncpg.Connection, schema: str) -> list[AwaitingTurn]:
    rows = await conn.fetch(f"""SELECT ticket_id, point_id, number, language, topic, notify_phone AS phone
                                FROM {schema}.tickets WHERE status = 'waiting' AND notify_phone IS NOT NULL
                                AND turn_near_at IS NULL ORDER BY point_id, created_at, number""")
    return [AwaitingTurn(**dict(r)) for r in rows]


async def mark_turn_near(conn: asyncpg.Connection, schema: str, ticket_id: uuid.UUID, now: dt.datetime) -> bool:
    """True once per ticket: the number is forgotten as the message goes out."""
    done = await conn.fetchval(f"""UPDATE {schema}.tickets SET turn_near_at = $2, notify_phone = NULL
                                   WHERE ticket_id = $1 AND status = 'waiting' AND turn_near_at IS NULL
                                   RETURNING ticket_id""", ticket_id, now)
    return done is not None
