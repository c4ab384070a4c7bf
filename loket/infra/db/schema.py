"""Bring a service schema up to date: shared infrastructure tables first, then its own."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from loket.infra.db.migrations import apply_migrations

INFRA_MIGRATIONS = Path(__file__).parent / "migrations"


async def migrate_service_schema(
    conn: asyncpg.Connection, schema: str, service_migrations: Path | None
) -> list[str]:
    applied = await apply_migrations(conn, schema, INFRA_MIGRATIONS, component="infra")
    if service_migrations is not None and service_migrations.is_dir():
        applied += await apply_migrations(conn, schema, service_migrations, component="service")
    return applied
