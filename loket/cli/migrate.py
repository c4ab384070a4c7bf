"""`loket migrate`: apply every service's migrations (also done at each service's start)."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from loket.devstack.migrate import migrate_all


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
