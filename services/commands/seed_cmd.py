"""`loket seed`: load the assistance points (deploy/seed/points.yaml) and their helpers and
shifts (deploy/seed/helpers.yaml) into booking's schema."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import typer
from rich.console import Console
from rich.table import Table

from services.booking.app import NAME, service_spec
from services.booking.points.model import AssistancePoint
from services.booking.points.repository import upsert_points
from services.booking.points.seed import DEFAULT_SEED, SeedError, load_points
from services.booking.staff.model import Helper, Shift
from services.booking.staff.repository import upsert_staff
from services.booking.staff.seed import DEFAULT_STAFF_SEED, load_staff
from services.commands.database_target import DATABASE_URL_HELP, resolve_database_url
from services.infra.db.schema import migrate_service_schema

console = Console()


def seed(
    file: Path = typer.Option(DEFAULT_SEED, "--file", exists=True, dir_okay=False, help="seed YAML with a 'points' list"),
    staff_file: Path = typer.Option(DEFAULT_STAFF_SEED, "--staff-file", exists=True, dir_okay=False,
                                    help="seed YAML with a 'helpers' list (each with its shifts)"),
    database_url: str = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="only validate the file"),
) -> None:
    """Validate and load assistance points, helpers and shifts (idempotent: unchanged rows are
    left alone)."""
    try:
        points = load_points(file)
        helpers, shifts = load_staff(staff_file, {p.point_id for p in points})
    except SeedError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    table = Table(title=f"{len(points)} assistance points in {file.name}")
    for column in ("point", "kind", "municipality", "languages", "services", "helpers"):
        table.add_column(column)
    for p in points:
        table.add_row(p.point_id, p.kind, p.municipality, ", ".join(p.languages), str(len(p.services)), str(p.capacity.helpers))
    console.print(table)
    console.print(f"{len(helpers)} helpers with {len(shifts)} shifts in {staff_file.name}")
    if dry_run:
        return
    changed, staff_changed = asyncio.run(_load(resolve_database_url(database_url), points, helpers, shifts))
    console.print(f"[green]{changed} point(s) added or changed[/], {len(points) - changed} unchanged; "
                  f"{staff_changed} helper(s) added or changed")


async def _load(url: str, points: list[AssistancePoint], helpers: list[Helper], shifts: list[Shift]) -> tuple[int, int]:
    conn = await asyncpg.connect(url)
    try:
        await migrate_service_schema(conn, NAME, service_spec().migrations)
        async with conn.transaction():
            return await upsert_points(conn, NAME, points), await upsert_staff(conn, NAME, helpers, shifts)
    finally:
        await conn.close()
