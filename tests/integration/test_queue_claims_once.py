"""Taking the next walk-in changes exactly one ticket, whatever plan PostgreSQL picks. With the
choice as a subquery in FROM, a nested-loop plan rescanned it per row and SKIP LOCKED handed
each rescan another ticket: one "call next" took every waiting ticket of the point (CI saw it
once the table had grown). Here the planner is steered away from hash and merge joins; that
did not bring the bad plan back on a small table, so this checks the promise, while the
MATERIALIZED claim is what rules the rescan out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import asyncpg

from loket.infra.db.schema import migrate_service_schema
from services.booking.queue import repository as queue
from tests.support.booking_harness import seed_booking

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "booking" / "migrations"

POINT = "mechelen-stadhuis"


async def test_call_next_takes_one_ticket_even_on_a_nested_loop_plan(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, "booking", MIGRATIONS)
        await seed_booking(conn)
        now = dt.datetime.now(dt.UTC)
        for n in range(6):
            await queue.issue(conn, "booking", POINT, now.date(), "nl", None, now + dt.timedelta(seconds=n))
        async with conn.transaction():
            await conn.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; "
                               "SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_material = off")
            taken = await queue.take_oldest_ticket(conn, "booking", POINT, now)
        assert taken is not None and taken.number == 1
        rows = await conn.fetch("SELECT number, status FROM booking.tickets WHERE point_id = $1 ORDER BY number", POINT)
        assert [(r["number"], r["status"]) for r in rows] == [(1, "called")] + [(n, "waiting") for n in range(2, 7)]
