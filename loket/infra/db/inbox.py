"""Inbox: remember which events a consumer has handled, inside the handler's transaction.

A conflict on `(consumer, event_id)` means the broker redelivered something whose effects are
already committed: acknowledge it and do nothing.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg


class Inbox:
    def __init__(self, schema: str) -> None:
        self._claim = (
            f"INSERT INTO {schema}.inbox (consumer, event_id) "
            "SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id"
        )

    async def claim(self, conn: asyncpg.Connection, consumer: str, event_ids: list[UUID]) -> set[UUID]:
        """Record the events as handled by `consumer`; return those not seen before."""
        rows = await conn.fetch(self._claim, consumer, event_ids)
        return {r["event_id"] for r in rows}
