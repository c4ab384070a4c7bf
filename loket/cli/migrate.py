"""`loket migrate`: apply every schema's migrations and grant each service its own role."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console

from loket.devstack.catalog import SERVICE_NAMES
from loket.devstack.migrate import migrate_all
from loket.infra.secret_files import read_secret


def migrate(
    database_url: str = typer.Option(None, envvar="LOKET_DATABASE_URL", help="PostgreSQL URL of the owner role"),
    role_password_dir: Path | None = typer.Option(
        None, "--role-password-dir",
        help="Directory of <service>.password files: each sets that service role's password"),
) -> None:
    """Create or update every schema, then the service roles and their grants (idempotent, safe
    to run concurrently). Run it as the owner role; the services then connect with their own."""
    if not database_url:
        raise typer.BadParameter("set LOKET_DATABASE_URL or pass --database-url")
    passwords = _role_passwords(role_password_dir) if role_password_dir else None
    report = asyncio.run(migrate_all(database_url, passwords))
    console = Console()
    for name, names in report.applied.items():
        console.print(f"[bold]{name}[/]: " + (", ".join(names) if names else "up to date"))
    if report.roles:
        console.print("[bold]roles[/]: " + ", ".join(report.roles) + " (own schema, part of identity)")
    else:
        console.print("[yellow]roles: not managed (this role may not create roles); "
                      "every service connects as the owner[/]")


def _role_passwords(directory: Path) -> dict[str, str]:
    files = {name: directory / f"{name}.password" for name in SERVICE_NAMES}
    return {name: read_secret(path) for name, path in files.items() if path.exists()}
