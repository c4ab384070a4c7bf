"""`webhook_endpoints` and `webhook_deliveries`: every statement on them is here.

Invariants:
- One delivery per (endpoint, event) (a unique key): a redelivered bus event adds nothing.
- A claim moves each delivery's due time to the lease's end; an outcome is written only where
  that lease still holds, so a worker whose lease ran out records nothing (the next one does).
- A finished delivery's body is removed after its municipality's `contact_days` (retention);
  such a delivery keeps its record but can no longer be replayed (nothing left to send).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows

_ENDPOINT = "webhook_id, municipality, url, event_types, created_at"


async def create_endpoint(conn: asyncpg.Connection, schema: str, webhook_id: UUID, municipality: str, url: str,
                          event_types: list[str], secret: str) -> asyncpg.Record:
    return await conn.fetchrow(
        f"INSERT INTO {schema}.webhook_endpoints (webhook_id, municipality, url, event_types, secret) "
        f"VALUES ($1, $2, $3, $4, $5) RETURNING {_ENDPOINT}",
        webhook_id, municipality, url, event_types, secret,
    )


async def endpoints(conn: asyncpg.Connection, schema: str, municipality: str | None) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {_ENDPOINT} FROM {schema}.webhook_endpoints WHERE deleted_at IS NULL "
        "AND ($1::text IS NULL OR municipality = $1) ORDER BY created_at", municipality,
    )


async def endpoint(conn: asyncpg.Connection, schema: str, webhook_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {_ENDPOINT} FROM {schema}.webhook_endpoints WHERE webhook_id = $1 AND deleted_at IS NULL",
        webhook_id,
    )


async def delete_endpoint(conn: asyncpg.Connection, schema: str, webhook_id: UUID, at: dt.datetime) -> None:
    # Kept, marked deleted: its deliveries stay readable; pending ones are given up when claimed.
    await conn.execute(f"UPDATE {schema}.webhook_endpoints SET deleted_at = $2 WHERE webhook_id = $1",
                       webhook_id, at)


async def add_deliveries(conn: asyncpg.Connection, schema: str, events: Sequence[tuple[UUID, str, UUID | None, str, str]],
                         give_up_at: dt.datetime) -> int:
    """(event_id, event_type, letter_id, municipality, body) → one delivery per matching live
    endpoint of that municipality; returns how many were new."""
    if not events:
        return 0
    status = await conn.execute(
        f"""INSERT INTO {schema}.webhook_deliveries
                   (delivery_id, webhook_id, event_id, event_type, letter_id, body, give_up_at)
            SELECT gen_random_uuid(), w.webhook_id, e.event_id, e.event_type, e.letter_id, e.body, $6
              FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[])
                   AS e(event_id, event_type, letter_id, municipality, body)
              JOIN {schema}.webhook_endpoints w
                ON w.municipality = e.municipality AND w.deleted_at IS NULL
               AND ('*' = ANY(w.event_types) OR e.event_type = ANY(w.event_types))
            ON CONFLICT (webhook_id, event_id) DO NOTHING""",
        *[list(column) for column in zip(*events, strict=True)], give_up_at,
    )
    return int(status.split()[-1])


async def claim_due(conn: asyncpg.Connection, schema: str, limit: int, now: dt.datetime,
                    lease_until: dt.datetime) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""WITH due AS MATERIALIZED (  -- claimed once, never rescanned
                SELECT delivery_id FROM {schema}.webhook_deliveries
                WHERE state = 'pending' AND due_at <= $1
                ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            UPDATE {schema}.webhook_deliveries d
               SET due_at = $3, lease_until = $3, attempts = d.attempts + 1
              FROM due, {schema}.webhook_endpoints w
             WHERE d.delivery_id = due.delivery_id AND w.webhook_id = d.webhook_id
            RETURNING d.delivery_id, d.body, d.attempts, d.give_up_at, w.url, w.secret,
                      w.deleted_at IS NOT NULL AS endpoint_deleted""",
        now, limit, lease_until,
    )


async def record_outcomes(conn: asyncpg.Connection, schema: str, outcomes: Sequence[dict[str, Any]],
                          lease_until: dt.datetime) -> None:
    """Each outcome: delivery_id, state, due_at, status, error, delivered_at."""
    if not outcomes:
        return
    await conn.execute(
        f"""UPDATE {schema}.webhook_deliveries d SET
                state = o.state, due_at = o.due_at, lease_until = NULL, last_status = o.status,
                last_error = o.error, delivered_at = o.delivered_at
            FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::timestamptz[])
                 AS o(delivery_id, state, due_at, status, error, delivered_at)
            WHERE d.delivery_id = o.delivery_id AND d.lease_until = $7""",
        [o["delivery_id"] for o in outcomes], [o["state"] for o in outcomes], [o["due_at"] for o in outcomes],
        [o["status"] for o in outcomes], [o["error"] for o in outcomes], [o["delivered_at"] for o in outcomes],
        lease_until,
    )


async def deliveries(conn: asyncpg.Connection, schema: str, webhook_id: UUID, state: str | None,
                     limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT delivery_id, event_id, event_type, letter_id, state, attempts, last_status, last_error,
                   created_at, delivered_at, due_at
              FROM {schema}.webhook_deliveries
             WHERE webhook_id = $1 AND ($2::text IS NULL OR state = $2)
             ORDER BY created_at DESC LIMIT $3""",
        webhook_id, state, limit,
    )


async def replay(conn: asyncpg.Connection, schema: str, webhook_id: UUID, delivery_id: UUID, now: dt.datetime,
                 give_up_at: dt.datetime) -> bool:
    """Deliver again (same delivery id: a receiver that did get it ignores the repeat). False
    also for a delivery whose body retention removed: there is nothing left to send."""
    status = await conn.execute(
        f"""UPDATE {schema}.webhook_deliveries SET state = 'pending', due_at = $3, lease_until = NULL,
                   attempts = 0, give_up_at = $4, last_error = NULL
             WHERE webhook_id = $1 AND delivery_id = $2 AND body IS NOT NULL""",
        webhook_id, delivery_id, now, give_up_at,
    )
    return status.endswith(" 1")


async def erase_finished_bodies(conn: asyncpg.Connection, schema: str, now: dt.datetime, days: RetentionDays) -> int:
    """Remove the body (the event as published: letter and sender details) of deliveries that
    finished, delivered or given up, more than their municipality's `contact_days` ago; state,
    times, attempts and the last answer stay for "did they get it". A finished delivery's due
    time is when its outcome was recorded; a replay makes it pending again and so keeps it."""
    return await purged_rows(
        conn,
        f"""UPDATE {schema}.webhook_deliveries d SET body = NULL
              FROM {schema}.webhook_endpoints w
             WHERE w.webhook_id = d.webhook_id AND d.body IS NOT NULL AND d.state IN ('delivered', 'failed')
               AND {past_retention("coalesce(d.delivered_at, d.due_at)", "w.municipality")}""",
        now, days)
