"""`loket print`: the paper channel for operators — close a batch now, ingest the print house's
answer, list batches."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from loket.cli.database_target import DATABASE_URL_HELP, resolve_database_url
from loket.contracts.values import utc_now

if TYPE_CHECKING:
    import asyncpg

    from services.ebox_bridge.print_batcher import BatchProgress

# Each command imports the bridge (print_jobs) when it runs: `loket print --help` need not.

app = typer.Typer(help="Paper letters: print batches and the print house's confirmations.", no_args_is_help=True)
console = Console()
DB = typer.Option(None, "--database-url", help=DATABASE_URL_HELP)


@app.command("close")
def close(
    database_url: str = DB,
    at: dt.datetime = typer.Option(None, help="cut-off instant (ISO 8601 with offset); default: now"),
) -> None:
    """Close a print batch now (outside the daily cut-off): every letter queued so far."""
    cutoff = at or utc_now()
    if cutoff.tzinfo is None:
        raise typer.BadParameter("give the time with its offset, e.g. 2026-03-29T17:30:00+02:00", param_hint="--at")
    from loket.cli.print_jobs import close_print_batch
    from services.ebox_bridge.settings import EboxBridgeSettings

    url = resolve_database_url(database_url)
    # A day's batch is thousands of letters, minutes of composing: bars say how far it is, and
    # that it waits when a replica writes the same batch. Transient: the summary line stays.
    with Progress(TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bars:
        batch = asyncio.run(close_print_batch(url, cutoff.astimezone(dt.UTC), _bars_of(bars)))
    if batch is None:
        console.print("nothing to print: no letters queued before that cut-off (or the batch exists)")
        return
    settings = EboxBridgeSettings()
    console.print(
        f"[green]batch {batch.batch_id}[/]: {batch.letter_count} letters, {batch.page_count} pages, "
        f"files in {settings.spool_dir() / batch.batch_id}"
    )


_STAGES = {"waiting": "waiting for another writer of the batch", "composing": "composing the letters",
           "merging": "merging them into batch.pdf"}


def _bars_of(bars: Progress) -> BatchProgress:
    tasks: dict[str, TaskID] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(_STAGES.get(stage, stage), total=total or None)
        bars.update(tasks[stage], completed=done)
    return update


@app.command("confirm")
def confirm(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="the print house's CSV or JSON response"),
    database_url: str = DB,
) -> None:
    """Record printed / posted / returned per letter and publish the matching events.

    All or nothing: if any line is wrong nothing changes; re-running a file is harmless."""
    from loket.cli.print_jobs import confirm_all
    from services.ebox_bridge.paper import PrintResponseError, parse_print_response

    try:
        confirmations = parse_print_response(file)
    except PrintResponseError as exc:
        console.print(f"[red]{file}: not a valid print response[/]\n{exc}")
        raise typer.Exit(2) from None
    result = asyncio.run(confirm_all(resolve_database_url(database_url), confirmations))
    if result.problems:
        console.print(f"[red]{file}: nothing recorded, {len(result.problems)} problem(s):[/]")
        for problem in result.problems:
            console.print(f"  {problem}")
        raise typer.Exit(2)
    applied = ", ".join(f"{n} {status}" for status, n in sorted(result.applied.items())) or "nothing new"
    console.print(f"[green]recorded[/]: {applied}; {result.skipped} already known")
    console.print("the events are in the outbox; the running ebox_bridge publishes them")


@app.command("batches")
def batches(database_url: str = DB, limit: int = typer.Option(20, min=1)) -> None:
    """The latest print batches and how far the print house got with them."""
    from loket.cli.print_jobs import latest_batches

    rows = asyncio.run(latest_batches(resolve_database_url(database_url), limit))
    table = Table(title="print batches")
    for column in ("batch", "cut-off (UTC)", "letters", "pages", "files", "printed", "posted", "returned"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["batch_id"], f"{r['cutoff_at']:%Y-%m-%d %H:%M}", str(r["letter_count"]), str(r["page_count"]),
            _files_state(r),
            str(r["printed"]), str(r["posted"]), str(r["returned"]),
        )
    console.print(table)


def _files_state(batch: asyncpg.Record) -> str:
    if batch["files_purged_at"] is not None:  # retention removed the spool folder; the row stays
        return f"removed {batch['files_purged_at']:%Y-%m-%d} (retention)"
    return "written" if batch["files_written_at"] else "[yellow]pending[/]"
