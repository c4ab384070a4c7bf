"""`loket seed`: load the assistance points (deploy/seed/points.yaml) and their helpers and
shifts (deploy/seed/helpers.yaml) into booking's schema."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import typer
from rich.console import Console
from rich.table import Table

from loket.cli.database_target import DATABASE_URL_HELP, resolve_database_url
from services.booking.points.seed import DEFAULT_SEED, SeedError
from services.booking.seeding import Seed, read_seed, store_seed
from services.booking.staff.seed import DEFAULT_STAFF_SEED

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
        loaded = read_seed(file, staff_file)
        points, helpers, shifts = loaded.points, loaded.helpers, loaded.shifts
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
    changed, staff_changed = asyncio.run(_load(resolve_database_url(database_url), loaded))
    console.print(f"[green]{changed} point(s) added or changed[/], {len(points) - changed} unchanged; "
                  f"{staff_changed} helper(s) added or changed")


async def _load(url: str, seed: Seed) -> tuple[int, int]:
    conn = await asyncpg.connect(url)
    try:
        return await store_seed(conn, seed)
    finally:
        await conn.close()
