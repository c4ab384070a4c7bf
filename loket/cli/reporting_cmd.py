"""`loket reporting rebuild`: replay the streams into fresh projections and swap them in."""

from __future__ import annotations

import asyncio
import time

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from loket.cli.database_target import DATABASE_URL_HELP, data_dir, resolve_database_url
from loket.cli.dlq import BUS_URL_HELP, bus_url_or_embedded
from loket.devstack.stack import REPORTING_PSEUDONYM_SECRET_FILE
from services.reporting.app import NAME, TOPICS
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.rebuild import rebuild as run_rebuild
from services.reporting.settings import ReportingSettings

app = typer.Typer(help="The reporting read side: projections for the KPIs.", no_args_is_help=True)
console = Console()


@app.command()
def rebuild(
    database_url: str = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
    bus_url: str = typer.Option(None, "--bus-url", envvar="LOKET_BUS_URL",
                                help=f"{BUS_URL_HELP} (on Kafka the topics' retention must reach back to the start)"),
    schema: str = typer.Option(NAME, "--schema", help="the live projection schema to replace"),
) -> None:
    """Replay every topic from the beginning into a fresh schema, swap it in atomically, then
    catch up on events that arrived meanwhile. The running reporting service keeps answering
    from the old projections until the swap. Needs LOKET_REPORTING_PSEUDONYM_SECRET(_FILE), the
    same secret the service uses, or the pseudonyms would change (by default the one `loket up`
    keeps in its data directory)."""
    settings = settings_with_the_services_secret()
    try:
        pseudonymize = Pseudonymizer(settings.pseudonym_secret())
    except (RuntimeError, ValueError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    database = resolve_database_url(database_url)  # before a bus is started for nothing
    started = time.monotonic()
    with Progress(SpinnerColumn(), TextColumn("{task.description:<24}"), TextColumn("{task.completed:,} events"),
                  TimeElapsedColumn(), console=console) as progress:
        tasks: dict[str, int] = {}

        def update(topic: str, done: int, _total: int) -> None:
            if topic not in tasks:
                tasks[topic] = progress.add_task(topic, total=None)
            progress.update(tasks[topic], completed=done)

        try:
            with bus_url_or_embedded(bus_url) as url:
                result = asyncio.run(run_rebuild(database, url, pseudonymize, schema, TOPICS, update))
        except RuntimeError as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(1) from None
    table = Table(title=f"projections rebuilt and swapped in ({time.monotonic() - started:.1f} s)")
    table.add_column("topic")
    table.add_column("events", justify="right")
    for topic, count in result.events.items():
        table.add_row(topic, f"{count:,}")
    table.add_row("caught up after the swap", f"{result.caught_up:,}")
    table.add_row("undecodable (in a DLQ when live)", f"{result.skipped:,}")
    console.print(table)


def settings_with_the_services_secret() -> ReportingSettings:
    """The reporting settings, with the pseudonym secret of the installation `loket up` runs here
    when none is configured: a rebuild with another secret would change every pseudonym."""
    settings = ReportingSettings()
    if settings.reporting_pseudonym_secret_file is None and not settings.reporting_pseudonym_secret:
        kept = data_dir() / REPORTING_PSEUDONYM_SECRET_FILE
        if kept.is_file():
            return ReportingSettings(reporting_pseudonym_secret_file=kept)
    return settings
