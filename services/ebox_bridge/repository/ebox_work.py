"""Durable schedule of eBox publications: claim due letters, record what became of them.

A claim moves letters to `publishing` with a lease and sets their due time to the lease's end:
if the worker dies, the same query picks them up again once the lease has run out, and the
eBox's Idempotency-Key (the letter id) turns that second publish into a 409, never a duplicate.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from services.ebox_bridge.domain.delivery import EboxChange
from services.ebox_bridge.status_events import FACT_COLUMNS

CLAIMED_COLUMNS = (
    "l.letter_id, due.was, l.routing, l.ebox_attempts, l.ebox_fallback_at, l.escalate_after_days, "
    "l.ssin, l.subject, l.registered, l.message_type_id, l.paper_state, "
    + ", ".join(f"l.{c.strip()}" for c in FACT_COLUMNS.split(",") if c.strip() != "letter_id")
)


async def claim_due(
    conn: asyncpg.Connection, schema: str, limit: int, now: dt.datetime, lease_until: dt.datetime
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""WITH due AS (
                SELECT letter_id, ebox_state AS was FROM {schema}.letters
                WHERE ebox_state IN ('pending', 'publishing') AND ebox_due_at <= $2
                ORDER BY ebox_due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
            UPDATE {schema}.letters l
               SET ebox_state = 'publishing', ebox_due_at = $3, ebox_lease_until = $3,
                   ebox_attempts = l.ebox_attempts + 1, updated_at = clock_timestamp()
              FROM due WHERE l.letter_id = due.letter_id
            RETURNING {CLAIMED_COLUMNS}""",
        limit, now, lease_until,
    )


async def pdfs(conn: asyncpg.Connection, schema: str, letter_ids: list[UUID]) -> dict[UUID, bytes]:
    rows = await conn.fetch(
        f"SELECT letter_id, pdf FROM {schema}.letters WHERE letter_id = ANY($1::uuid[])", letter_ids
    )
    return {r["letter_id"]: r["pdf"] for r in rows}


async def apply_changes(
    conn: asyncpg.Connection, schema: str, changes: list[EboxChange], lease_until: dt.datetime
) -> set[UUID]:
    """Write the outcomes of a claim; return the letters still ours (lease not taken over)."""
    if not changes:
        return set()
    rows = await conn.fetch(
        f"""UPDATE {schema}.letters l SET
                ebox_state = c.state, ebox_due_at = c.due_at, ebox_lease_until = NULL,
                ebox_last_error = coalesce(c.last_error, l.ebox_last_error),
                ebox_message_id = coalesce(c.message_id, l.ebox_message_id),
                delivered_at = coalesce(c.delivered_at, l.delivered_at),
                next_read_poll_at = c.next_poll, escalate_at = c.escalate_at,
                paper_state = CASE WHEN c.paper_reason IS NOT NULL AND l.paper_state IS NULL
                                   THEN 'queued_for_print' ELSE l.paper_state END,
                paper_reason = CASE WHEN c.paper_reason IS NOT NULL AND l.paper_state IS NULL
                                    THEN c.paper_reason ELSE l.paper_reason END,
                paper_queued_at = CASE WHEN c.paper_reason IS NOT NULL AND l.paper_state IS NULL
                                       THEN clock_timestamp() ELSE l.paper_queued_at END,
                updated_at = clock_timestamp()
            FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[],
                        $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::text[])
                 AS c(letter_id, state, due_at, last_error, message_id, delivered_at, next_poll,
                      escalate_at, paper_reason)
            WHERE l.letter_id = c.letter_id AND l.ebox_state = 'publishing'
              AND l.ebox_lease_until = $10
            RETURNING l.letter_id""",
        [c.letter_id for c in changes],
        [c.ebox_state for c in changes],
        [c.due_at for c in changes],
        [c.last_error for c in changes],
        [c.message_id for c in changes],
        [c.delivered_at for c in changes],
        [c.next_read_poll_at for c in changes],
        [c.escalate_at for c in changes],
        [c.paper_reason for c in changes],
        lease_until,
    )
    return {r["letter_id"] for r in rows}


async def cached_status(
    conn: asyncpg.Connection, schema: str, ssins: list[str], ttl_s: float, now: dt.datetime
) -> dict[str, bool]:
    rows = await conn.fetch(
        f"SELECT ssin, digital FROM {schema}.ebox_status_cache "
        "WHERE ssin = ANY($1::text[]) AND checked_at > $2",
        ssins, now - dt.timedelta(seconds=ttl_s),
    )
    return {r["ssin"]: r["digital"] for r in rows}


async def store_status(
    conn: asyncpg.Connection, schema: str, status: dict[str, tuple[bool, bool]], now: dt.datetime
) -> None:
    """ssin → (digital, exclusively_ebox)."""
    if not status:
        return
    await conn.execute(
        f"""INSERT INTO {schema}.ebox_status_cache (ssin, digital, exclusively_ebox, checked_at)
            SELECT s, d, x, $4 FROM unnest($1::text[], $2::bool[], $3::bool[]) AS t(s, d, x)
            ON CONFLICT (ssin) DO UPDATE
               SET digital = excluded.digital, exclusively_ebox = excluded.exclusively_ebox,
                   checked_at = excluded.checked_at""",
        list(status), [v[0] for v in status.values()], [v[1] for v in status.values()], now,
    )


async def forget_status(conn: asyncpg.Connection, schema: str, ssin: str) -> None:
    await conn.execute(f"DELETE FROM {schema}.ebox_status_cache WHERE ssin = $1", ssin)
