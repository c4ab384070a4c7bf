"""`loket migrate`: apply every service's migrations (also done at each service's start)."""

from __future__ import annotations

import asyncio

import asyncpg
import typer
from rich.console import Console

from services.catalog import SERVICE_NAMES, service_module
from services.infra.db.schema import migrate_service_schema


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


def migrate(
    database_url: str = typer.Option(None, envvar="LOKET_DATABASE_URL", help="PostgreSQL URL"),
) -> None:
    """Create or update the schema of every service (idempotent, safe to run concurrently)."""
    if not database_url:
        raise typer.BadParameter("set LOKET_DATABASE_URL or pass --database-url")
    applied = asyncio.run(migrate_all(database_url))
    console = Console()
    for name, names in applied.items():
        console.print(f"[bold]{name}[/]: " + (", ".join(names) if names else "up to date"))
