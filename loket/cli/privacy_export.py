"""The subject-access export (`loket privacy export`): what each service holds under one
national number, read from their schemas, as plain values `json.dumps(..., default=as_json)` writes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import asyncpg

from loket.devstack.catalog import SERVICE_NAMES
from services.ebox_bridge.repository import ebox_status_cache
from services.ebox_bridge.repository import letters as bridge_letters
from services.reporting.privacy import rows_of_citizen
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.settings import ReportingSettings

# The services' schema names (each app's NAME; their apps are not imported for a constant).
BRIDGE, REPORTING = "ebox_bridge", "reporting"


async def gather(url: str, nn: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        bridge = {"letters": await _if_schema(conn, BRIDGE, bridge_letters.of_citizen(conn, BRIDGE, nn), []),
                  "ebox_status": await _if_schema(conn, BRIDGE, ebox_status_cache.of_citizen(conn, BRIDGE, nn), None)}
        outboxes = {s: [dict(r) for r in await conn.fetch(
            f"SELECT id, event_type, created_at FROM {s}.outbox WHERE position($1::bytea IN payload) > 0",
            nn.encode())]
            for s in SERVICE_NAMES if await _exists(conn, s)}
        reporting = await _reporting(conn, nn)
    finally:
        await conn.close()
    return {"exported_at": dt.datetime.now(dt.UTC), "services": {
        BRIDGE: bridge, REPORTING: reporting,
        "booking": {"note": "appointments, waitlist entries and loans are kept by phone or e-mail, not national number"},
        "notify": {"note": "messages are kept by phone or e-mail, not national number"}}, "outboxes": outboxes}


async def _reporting(conn: asyncpg.Connection, nn: str) -> dict[str, Any]:
    try:
        pseudonym = Pseudonymizer(ReportingSettings().pseudonym_secret())(nn)
    except (RuntimeError, ValueError) as exc:
        return {"note": f"not looked up: {exc}"}
    assert pseudonym is not None
    return {"rows_by_pseudonym": await _if_schema(conn, REPORTING, rows_of_citizen(conn, REPORTING, pseudonym), {})}


async def _exists(conn: asyncpg.Connection, schema: str) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass($1)", f"{schema}.outbox"))


async def _if_schema(conn: asyncpg.Connection, schema: str, work: Any, empty: Any) -> Any:
    if not await _exists(conn, schema):
        work.close()  # never awaited: the service was never installed here
        return empty
    return await work


def as_json(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
