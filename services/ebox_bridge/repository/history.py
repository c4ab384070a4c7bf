"""`letter_history`: one row per transition, written in the transaction that makes it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

COLUMNS = ("letter_id", "channel", "from_state", "to_state", "reason")


@dataclass(frozen=True)
class Transition:
    letter_id: UUID
    channel: str  # letter | ebox | paper
    from_state: str | None
    to_state: str
    reason: str | None = None


async def record(conn: asyncpg.Connection, schema: str, transitions: list[Transition]) -> None:
    if not transitions:
        return
    # COPY: a batch of letters makes several rows each, and COPY is the cheapest way in.
    await conn.copy_records_to_table(
        "letter_history",
        schema_name=schema,
        columns=COLUMNS,
        records=[(t.letter_id, t.channel, t.from_state, t.to_state, t.reason) for t in transitions],
    )


async def of_letter(conn: asyncpg.Connection, schema: str, letter_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT channel, from_state, to_state, reason, at FROM {schema}.letter_history "
        "WHERE letter_id = $1 ORDER BY id",
        letter_id,
    )
