"""`erasure_requests`: the erasure requests the bridge has handled, by their ids only (no
national number), so a letter erased after it settles is announced as caused by its request."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from services.ebox_bridge.domain.erasure_cause import ErasureCause


async def remember(conn: asyncpg.Connection, schema: str, erasure_id: UUID, cause: ErasureCause,
                   requested_at: dt.datetime) -> None:
    await conn.execute(
        f"""INSERT INTO {schema}.erasure_requests (erasure_id, event_id, correlation_id, requested_at)
            VALUES ($1, $2, $3, $4) ON CONFLICT (erasure_id) DO NOTHING""",
        erasure_id, cause.causation_id, cause.correlation_id, requested_at)


async def causes(conn: asyncpg.Connection, schema: str, erasure_ids: list[UUID]) -> dict[UUID, ErasureCause]:
    rows = await conn.fetch(
        f"SELECT erasure_id, event_id, correlation_id FROM {schema}.erasure_requests "
        "WHERE erasure_id = ANY($1::uuid[])", erasure_ids)
    return {r["erasure_id"]: ErasureCause(r["correlation_id"], r["event_id"]) for r in rows}
