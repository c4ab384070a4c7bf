"""The asyncpg pool every service uses; JSON columns decode to Python values."""

from __future__ import annotations

import json

import asyncpg

from loket.infra.db.session_state import SessionTrackingConnection, reset_if_touched


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10, command_timeout: float = 30) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        # A connection is reset on release only if it may hold session state: one round trip
        # less per transaction for all the others (session_state.py).
        connection_class=SessionTrackingConnection,
        reset=reset_if_touched,
        # Fail fast while PostgreSQL is down instead of hanging handlers and probes.
        timeout=5,
        command_timeout=command_timeout,
    )
