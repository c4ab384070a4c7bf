"""The identity schema's migrations (platform-owned, beside the services' schemas)."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from loket.infra.db.migrations import apply_migrations
from loket.infra.identity.repository import SCHEMA

MIGRATIONS = Path(__file__).parent / "migrations"


async def migrate_identity(conn: asyncpg.Connection) -> list[str]:
    return await apply_migrations(conn, SCHEMA, MIGRATIONS, component="identity")
