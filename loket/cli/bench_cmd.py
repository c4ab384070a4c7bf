"""`loket bench bus`: the outbox → relay → JetStream → consumer pipeline against raw baselines.

Runs on a fresh temporary embedded stack (PostgreSQL with fsync, JetStream syncing every
write: the durable production settings) unless LOKET_DATABASE_URL / LOKET_BUS_URL point
elsewhere; on a shared server the benchmark uses its own schema, consumer and stream and
removes them afterwards. The pipeline and both baselines run in the same invocation, so
they always share the machine's state (disk, page cache, other load).
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import pstats
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from loket.bench.bus_report import BusReport, cpu_summary, machine_info
from loket.bench.counter_command import counter
from loket.bench.pipeline import PipelineOptions, run_pipeline
from loket.bench.progress_bars import StageBars
from loket.bench.raw_nats import run_raw_nats
from loket.bench.raw_postgres import run_raw_postgres
from loket.cli.bench_all import all_benchmarks
from loket.cli.bench_booking import booking
from loket.cli.bench_letters import letters
from loket.cli.bench_notify import notify
from loket.cli.bench_reporting import reporting
from loket.devstack.stack import Stack, running_stack
from loket.infra.settings import LoketSettings

DEFAULTS = PipelineOptions()
app = typer.Typer(help="Benchmarks on this machine, each against a raw baseline run alongside.", no_args_is_help=True)
app.command("letters")(letters)
app.command("booking")(booking)
app.command("notify")(notify)
app.command("reporting")(reporting)
app.command("counter")(counter)
app.command("all")(all_benchmarks)
console = Console()


@contextlib.contextmanager
def _stack(keep_data: bool) -> Iterator[Stack]:
    data_dir = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    try:
        with running_stack(LoketSettings(data_dir=data_dir)) as stack:
            yield stack
    finally:
        if keep_data:
            console.print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


@app.command("bus")
def bus(
    events: int = typer.Option(DEFAULTS.events, "--events", min=1, help="Events through the pipeline (and raw messages)."),
    writers: int = typer.Option(DEFAULTS.writers, "--writers", min=1, help="Concurrent producer tasks."),
    per_tx: int = typer.Option(
        DEFAULTS.events_per_tx, "--per-tx", min=1,
        help="Events per producer transaction: 50 is a batch producer (print batch, import); 1 is an HTTP request.",
    ),
    relay_batch: int = typer.Option(DEFAULTS.relay_batch, "--relay-batch", min=1, help="Outbox rows per relay round."),
    consumer_batch: int = typer.Option(DEFAULTS.consumer_batch, "--consumer-batch", min=1, max=5000, help="Pull batch size."),
    consumer_timeout: float = typer.Option(DEFAULTS.consumer_timeout_s, "--consumer-timeout", min=0.001, max=5, help="Pull batch wait, seconds."),
    rate: float = typer.Option(
        DEFAULTS.rate, "--rate", min=0,
        help="Offered events/s (0: as fast as possible). Below capacity, latency is the path's, not the backlog's.",
    ),
    pg_connections: int = typer.Option(16, "--pg-connections", min=1, help="Connections of the raw commit baseline."),
    pg_seconds: float = typer.Option(5.0, "--pg-seconds", min=0.5, help="Duration of the raw commit baseline."),
    out: Path = typer.Option(Path("bench-results"), "--out", help="Folder for bus.json and bus.md."),
    keep_data: bool = typer.Option(False, "--keep-data", help="Keep the temporary data directory and the bench schema."),
    profile: Path | None = typer.Option(None, "--profile", help="cProfile the pipeline into this .pstats file (slows it)."),
) -> None:
    """Measure events/s and latency of the outbox → relay → JetStream → consumer pipeline,
    next to raw nats-py and asyncpg baselines on the same servers."""
    options = PipelineOptions(events, writers, per_tx, relay_batch, consumer_batch, consumer_timeout, rate)
    with _stack(keep_data) as stack:
        if not stack.bus_url.startswith("nats://"):
            raise typer.BadParameter("the bus benchmark needs NATS JetStream (LOKET_BUS_URL=nats://…)")
        where = (
            "embedded (PostgreSQL fsync on, JetStream sync always)" if stack.embedded == ("postgres", "nats")
            else f"external servers except {', '.join(stack.embedded) or 'none'} embedded"
        )
        console.print(f"database {stack.database_address}\nbus      {stack.bus_address}  ({where})")
        report = asyncio.run(_run(stack, options, pg_connections, pg_seconds, keep_data, profile))
    report.machine = machine_info(where)
    _print(report)
    json_path, md_path = report.write(out)
    console.print(f"written {json_path} and {md_path}")
    if not report.pipeline.correct:
        raise typer.Exit(1)


async def _run(
    stack: Stack, options: PipelineOptions, pg_connections: int, pg_seconds: float,
    keep: bool, profile: Path | None,
) -> BusReport:
    progress = Progress(
        TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, refresh_per_second=4,  # the refresh thread competes for the GIL
    )
    bars = StageBars(progress)
    with progress:
        bars.add("pipeline", {"written": "pipeline: written", "relayed": "pipeline: relayed",
                              "consumed": "pipeline: consumed"}, options.events)
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        pipeline = await run_pipeline(
            stack.database_url, stack.bus_url, options, bars.callback("pipeline"), keep=keep
        )
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        bars.add("nats", {"published": "raw: JetStream publish", "consumed": "raw: consume+ack"}, options.events)
        raw_nats = await run_raw_nats(stack.bus_url, options.events, options.consumer_batch, bars.callback("nats"))
        bars.add("pg", {"elapsed": "raw: commits (seconds)"}, pg_seconds)
        raw_pg = await run_raw_postgres(
            stack.database_url, pg_connections, pg_seconds, bars.callback("pg"), keep=keep
        )
    if profile:
        console.print(f"profile written to {profile}; top functions by own time:")
        pstats.Stats(str(profile)).sort_stats("tottime").print_stats(15)
    return BusReport(pipeline, raw_nats, raw_pg)


def _print(report: BusReport) -> None:
    table = Table(title=f"loket bench bus — {report.pipeline.options.events:,} events")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("")
    for name, value, note in report.rows():
        style = "red" if "NOT" in note or note == "WRONG" else ("green" if note.startswith(("met", "ok")) else None)
        table.add_row(name, value, note, style=style)
    console.print(table)
    console.print("CPU seconds during the pipeline: " + cpu_summary(report.pipeline.cpu))
    console.print(
        "stages done after: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in report.pipeline.stage_done_s.items())
    )
