"""`loket contracts snapshot`: accept a reviewed change of the event schemas."""

from __future__ import annotations

import typer

from loket.contracts.snapshot import SCHEMAS_DIR, write_snapshots

app = typer.Typer(help="Event contracts: JSON-schema snapshots.", no_args_is_help=True)


@app.command("snapshot")
def snapshot() -> None:
    """Rewrite the committed JSON-schema snapshot of every event (after reviewing the change)."""
    write_snapshots(SCHEMAS_DIR)
    typer.echo(f"wrote snapshots to {SCHEMAS_DIR}")
