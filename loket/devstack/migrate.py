"""Every service's migrations, in one go (each service also applies its own at start)."""

from __future__ import annotations

import asyncpg

from loket.devstack.catalog import SERVICE_NAMES, service_module
from loket.infra.db.schema import migrate_service_schema


async def migrate_all(database_url: str) -> dict[str, list[str]]:
    conn = await asyncpg.connect(database_url)
    try:
        applied = {}
        for name in SERVICE_NAMES:
            spec = service_module(name).service_spec()
            applied[name] = await migrate_service_schema(conn, spec.name, spec.migrations)
        return applied
    finally:
        await conn.close()
