"""Inbox: remember which events a consumer has handled, inside the handler's transaction.

A conflict on `(consumer, event_id)` means the broker redelivered something whose effects are
already committed: acknowledge it and do nothing.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg


class Inbox:
    """One service schema's inbox. Rows name events by id only (no personal data); they are kept
    as long as the bus can redeliver the event (the stream's maximum age) and purged after."""

    def __init__(self, schema: str) -> None:
        self._claim = (
            f"INSERT INTO {schema}.inbox (consumer, event_id) "
            "SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id"
        )

    async def claim(self, conn: asyncpg.Connection, consumer: str, event_ids: list[UUID]) -> set[UUID]:
        """Record the events as handled by `consumer`; return those not seen before."""
        rows = await conn.fetch(self._claim, consumer, event_ids)
        return {r["event_id"] for r in rows}


async def purge_handled_before(conn: asyncpg.Connection, schema: str, before: dt.datetime) -> int:
    """Forget events handled before `before`: the bus no longer holds them, so none can return."""
    status = await conn.execute(f"DELETE FROM {schema}.inbox WHERE handled_at < $1", before)
    return int(status.split()[-1])
