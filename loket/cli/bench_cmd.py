"""`loket bench bus`: the outbox → relay → bus → consumer pipeline against raw baselines, on
NATS JetStream (the default) or Kafka (`--bus kafka`).

Runs on a fresh temporary embedded stack (PostgreSQL with fsync, JetStream syncing every
write: the durable production settings) unless LOKET_DATABASE_URL / LOKET_BUS_URL point
elsewhere; on a shared server the benchmark uses its own schema, consumer and stream and
removes them afterwards. With `--bus kafka` the cluster is LOKET_BUS_URL (kafka://…), else
LOKET_TEST_KAFKA_BOOTSTRAP, else three brokers `loket kafka up` style in the temporary folder.
The pipeline and both baselines run in the same invocation, so they always share the
machine's state (disk, page cache, other load).
"""

from __future__ import annotations

import contextlib
import cProfile
import dataclasses
import pstats
import tempfile
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from loket.bench.bus_report import BusReport, cpu_summary, machine_info
from loket.bench.host_speed import HostSpeedProbe
from loket.bench.kafka_warm_up import WarmUpRound, warm_up_kafka
from loket.bench.pipeline import PipelineOptions, PipelineResult, run_pipeline
from loket.bench.postgres_floor import STAGES as FLOOR_STAGES
from loket.bench.postgres_floor import measure_postgres_floor
from loket.bench.progress_bars import StageBars
from loket.bench.raw_kafka import run_raw_kafka
from loket.bench.raw_nats import RawBusResult, run_raw_nats
from loket.bench.raw_postgres import run_raw_postgres
from loket.bench.work_folder import leave_work_folder
from loket.cli.bench_stack import bench_stack, check_bus_choice, describe
from loket.contracts import LetterFailed
from loket.devstack.stack import Stack
from loket.infra.bus.address import parse_bus_url
from loket.infra.embedded.kafka_topics import DEFAULT_PARTITIONS, production_partitions
from loket.infra.service_process import run_like_a_service

DEFAULTS = PipelineOptions()
console = Console()


@contextlib.contextmanager
def _stack(keep_data: bool, broker: str) -> Iterator[Stack]:
    data_dir = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    failed = False
    try:
        with bench_stack(data_dir, broker, console) as stack:
            yield stack
    except Exception:
        failed = True  # not on Ctrl-C: whoever stopped it wants the disk back
        raise
    finally:
        leave_work_folder(data_dir, keep=keep_data or failed, console=console, kept_note=(
            f"data kept in {data_dir}" + (": the benchmark failed, and the brokers' and PostgreSQL's logs are there "
                                          f"(`rm -r {data_dir}` when done)" if failed and not keep_data else "")))


def _consumer_counts(text: str | None, broker: str) -> list[int]:
    if text is None:
        return [1, 2, 4] if broker == "kafka" else [0]
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        counts = []
    if not counts or any(c < 0 or c > 16 for c in counts):
        raise typer.BadParameter("a comma-separated list of 0 to 16 (e.g. 1,2,4)", param_hint="--consumers")
    return counts


def bus(
    events: int = typer.Option(DEFAULTS.events, "--events", min=1, help="Events through the pipeline (and raw messages)."),
    writers: int = typer.Option(DEFAULTS.writers, "--writers", min=1, help="Concurrent producer tasks."),
    per_tx: int = typer.Option(
        DEFAULTS.events_per_tx, "--per-tx", min=1,
        help="Events per producer transaction: 50 is a batch producer (print batch, import); 1 is an HTTP request.",
    ),
    relay_batch: int = typer.Option(DEFAULTS.relay_batch, "--relay-batch", min=1, help="Outbox rows per relay round."),
    relay_linger: float = typer.Option(
        DEFAULTS.relay_linger_s, "--relay-linger", min=0, max=5,
        help="Seconds from one relay round to the next while the outbox keeps filling (0: none); the services' default.",
    ),
    consumer_batch: int = typer.Option(DEFAULTS.consumer_batch, "--consumer-batch", min=1, max=5000, help="Pull batch size."),
    consumer_timeout: float = typer.Option(DEFAULTS.consumer_timeout_s, "--consumer-timeout", min=0.001, max=5, help="Pull batch wait, seconds."),
    rate: float = typer.Option(
        DEFAULTS.rate, "--rate", min=0,
        help="Offered events/s (0: as fast as possible). Below capacity, latency is the path's, not the backlog's.",
    ),
    pg_connections: int = typer.Option(16, "--pg-connections", min=1, help="Connections of the raw commit baseline."),
    pg_seconds: float = typer.Option(5.0, "--pg-seconds", min=0.5, help="Duration of the raw commit baseline."),
    broker: str = typer.Option("nats", "--bus", help="nats (JetStream) or kafka (a three-broker cluster)."),
    consumers: str = typer.Option(
        None, "--consumers",
        help="Consumer replica processes per run, comma-separated; 0 = in the benchmark's own process. "
             "Default: 0 on nats, 1,2,4 on kafka (the scaling curve). The verdict is on the fastest run.",
    ),
    out: Path = typer.Option(Path("bench-results"), "--out", help="Folder for bus.json and bus.md (bus-kafka.* on Kafka)."),
    keep_data: bool = typer.Option(False, "--keep-data", help="Keep the temporary data directory and the bench schema."),
    profile: Path | None = typer.Option(
        None, "--profile",
        help="cProfile the pipeline into this .pstats file (slows it); with several --consumers values, one "
             "file per run (NAME-x2.pstats for 2 consumers).",
    ),
    warm_up: int = typer.Option(
        100_000, "--warm-up", min=0,
        help="Kafka: events per warm-up round, through the raw client and through the pipeline, before anything "
             "is measured (0: no warm-up).",
    ),
    warm_up_rounds: int = typer.Option(
        16, "--warm-up-rounds", min=1,
        help="Kafka: at most this many warm-up rounds; they stop earlier once the brokers' JIT compiler used "
             "under 10 % of their CPU in a round.",
    ),
    pairs: int = typer.Option(
        3, "--pairs", min=1,
        help="Kafka: raw produce+consume and the pipeline (first --consumers value) measured in turn, this many "
             "times; the ratio is the fastest pipeline run ÷ the fastest raw run.",
    ),
) -> None:
    """Measure events/s and latency of the outbox → relay → bus → consumer pipeline, next to
    the raw client (nats-py or aiokafka) and asyncpg baselines on the same servers."""
    check_bus_choice(broker)
    counts = _consumer_counts(consumers, broker)
    options = PipelineOptions(
        events=events, writers=writers, events_per_tx=per_tx, relay_batch=relay_batch, relay_linger_s=relay_linger,
        consumer_batch=consumer_batch, consumer_timeout_s=consumer_timeout, rate=rate,
    )
    with _stack(keep_data, broker) as stack:
        where = describe(stack, broker)
        console.print(f"database {stack.database_address}\nbus      {stack.bus_address}  ({where})")
        # The relay and the consumer run as in a service process; so do the raw clients.
        report = run_like_a_service(_run(stack, options, counts, pg_connections, pg_seconds, keep_data, profile,
                                         warm_up if broker == "kafka" else 0, warm_up_rounds,
                                         pairs if broker == "kafka" else 1))
    report.machine = machine_info(where)
    _print(report)
    json_path, md_path = report.write(out)
    console.print(f"written {json_path} and {md_path}")
    if not report.correct:
        raise typer.Exit(1)


async def _run(
    stack: Stack, options: PipelineOptions, consumer_counts: list[int], pg_connections: int, pg_seconds: float,
    keep: bool, profile: Path | None, warm_up: int = 0, warm_up_max_rounds: int = 8, pairs: int = 1,
) -> BusReport:
    progress = Progress(
        TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, refresh_per_second=4,  # the refresh thread competes for the GIL
    )
    bars = StageBars(progress)
    # Beside every run from the first warm-up round on: how fast the machine ran in each (host_speed.py).
    host = HostSpeedProbe()
    await host.start()
    try:
        return await _measure(stack, options, consumer_counts, pg_connections, pg_seconds, keep, profile,
                              warm_up, warm_up_max_rounds, pairs, bars, progress, host)
    finally:
        await host.stop()


async def _measure(
    stack: Stack, options: PipelineOptions, consumer_counts: list[int], pg_connections: int, pg_seconds: float,
    keep: bool, profile: Path | None, warm_up: int, warm_up_max_rounds: int, pairs: int, bars: StageBars,
    progress: Progress, host: HostSpeedProbe,
) -> BusReport:
    with progress:
        address = parse_bus_url(stack.bus_url)
        kafka, bootstrap = address.kind == "kafka", ",".join(address.servers)
        partitions = production_partitions().get(LetterFailed.topic, DEFAULT_PARTITIONS)
        warm_up_rounds: list[WarmUpRound] = []
        if warm_up and kafka:
            warm_up_rounds = await _warm_up(stack, bootstrap, options, consumer_counts, partitions, warm_up,
                                            warm_up_max_rounds, bars)
        runs: list[PipelineResult] = []
        raw_runs: list[RawBusResult] = []
        profiles: list[Path] = []

        async def pipeline(count: int, name: str) -> PipelineResult:
            bars.add(name, {"written": f"{name}: written", "relayed": f"{name}: relayed",
                            "consumed": f"{name}: consumed"}, options.events)
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            result = await run_pipeline(stack.database_url, stack.bus_url,
                                        dataclasses.replace(options, consumer_processes=count),
                                        bars.callback(name), keep=keep)
            if profiler and profile:
                profiler.disable()
                # One file per run: a later run must not overwrite an earlier run's profile.
                path = profile if len(consumer_counts) == 1 and pairs == 1 else profile.with_stem(
                    f"{profile.stem}-x{count}" + (f"-{len(profiles) + 1}" if pairs > 1 else ""))
                profiler.dump_stats(path)
                profiles.append(path)
            return result

        async def raw(first: bool) -> RawBusResult:
            report = bars.callback("raw") if first else None
            if kafka:
                return await run_raw_kafka(bootstrap, options.events, options.consumer_batch, partitions, report)
            return await run_raw_nats(stack.bus_url, options.events, options.consumer_batch, report)

        bars.add("raw", {"published": "raw: Kafka produce" if kafka else "raw: JetStream publish",
                         "consumed": "raw: consume+commit" if kafka else "raw: consume+ack"}, options.events)
        # The judged setting (the first --consumers value) and the raw client in turn, `pairs`
        # times: this machine's speed drifts by ±15 % over minutes, and both sides of the ratio
        # must see the same minutes. Single raw runs last a second, so one collector or compiler
        # pause shows; the ratio is the fastest pipeline run ÷ the fastest raw run, each side's
        # best of as many runs (docs/performance.md, run 15).
        judged, *others = consumer_counts
        for attempt in range(pairs):
            raw_runs.append(await raw(first=attempt == 0))
            runs.append(await pipeline(judged, _run_name(judged, consumer_counts, attempt, pairs)))
        for count in others:
            runs.append(await pipeline(count, _run_name(count, consumer_counts, 0, 1)))
        bars.add("pg", {"elapsed": "raw: commits (seconds)"}, pg_seconds)
        raw_pg = await run_raw_postgres(
            stack.database_url, pg_connections, pg_seconds, bars.callback("pg"), keep=keep
        )
        bars.add("floor", {stage: f"PostgreSQL alone: {stage}" for stage in FLOOR_STAGES}, options.events)
        floor = await measure_postgres_floor(
            stack.database_url, events=options.events, events_per_tx=options.events_per_tx,
            relay_batch=options.relay_batch, consumer_batch=options.consumer_batch, on_progress=bars.callback("floor"),
        )
    for path in profiles:
        console.print(f"profile written to {path}; top functions by own time:")
        pstats.Stats(str(path)).sort_stats("tottime").print_stats(15)
    # Every run's share of the probes' best, now that the best of the whole benchmark is known.
    for run in runs:
        run.host_speed = host.speeds(*run.window)
    warm_up_rounds = [dataclasses.replace(r, host_speed=host.speeds(*r.pipeline_window)) if r.pipeline_window else r
                      for r in warm_up_rounds]
    raw_runs = [dataclasses.replace(r, host_speed=host.speeds(*r.window)) for r in raw_runs]
    raw_bus = max(raw_runs, key=lambda r: r.combined_per_s)
    return BusReport(runs, raw_bus, raw_pg, raw_results=raw_runs, warm_up=warm_up_rounds, postgres_floor=floor,
                     pairs=[(p.events_per_s, r.combined_per_s) for p, r in zip(runs[:pairs], raw_runs, strict=True)],
                     host_reference_ns=host.reference())


def _run_name(count: int, counts: list[int], attempt: int, pairs: int) -> str:
    name = f"pipeline ×{count}" if len(counts) > 1 else "pipeline"
    return f"{name} ({attempt + 1}/{pairs})" if pairs > 1 else name


async def _warm_up(stack: Stack, bootstrap: str, options: PipelineOptions, consumer_counts: list[int], partitions: int,
                   events: int, max_rounds: int, bars: StageBars) -> list[WarmUpRound]:
    """Not measured: rounds of raw and pipeline traffic until the brokers' JIT has settled
    (kafka_warm_up.py), one bar counting the rounds, a line per round."""
    bars.add("warm-up", {"rounds": "warm-up rounds"}, max_rounds)
    report = bars.callback("warm-up")

    def on_round(number: int, done: WarmUpRound) -> None:
        report("rounds", number)
        share = "" if done.jit_share is None else (
            f": the brokers used {done.brokers_s:.1f} CPU s in its pipeline run, {done.jit_share:.0%} of it compiling")
        rates = "" if done.pipeline_per_s is None or done.raw_per_s is None else (
            f"; pipeline {done.pipeline_per_s:,.0f} events/s, raw {done.raw_per_s:,.0f} msg/s")
        stages = "" if not done.stage_done_s else "; stages done after " + ", ".join(
            f"{stage} {seconds:.1f} s" for stage, seconds in done.stage_done_s.items())
        console.print(f"warm-up round {number}{share}{rates}{stages}" + (" (settled)" if done.settled else ""))

    return await warm_up_kafka(
        stack.database_url, stack.bus_url, bootstrap, options, events=events,
        # The judged setting's traffic (the first --consumers value; a replica process at least, for
        # the consumer group's requests), not the largest: four replicas starting every round made
        # each round twice as long for the same broker code.
        max_rounds=max_rounds, consumer_processes=max(1, consumer_counts[0]), partitions=partitions,
        on_round=on_round,
    )


def _print(report: BusReport) -> None:
    table = Table(title=f"loket bench bus — {report.broker}, {report.pipeline.options.events:,} events")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("")
    for name, value, note in report.rows():
        style = "red" if "NOT" in note or note == "WRONG" else ("green" if note.startswith(("met", "ok")) else None)
        table.add_row(name, value, note, style=style)
    console.print(table)
    if len(report.runs) > 1:
        curve = Table(title="events/s by consumer replicas")
        for column in ("consumers", "events/s", "p50", "p99", ""):
            curve.add_column(column, justify="left" if column in ("consumers", "") else "right")
        for row in report.curve_rows():
            curve.add_row(*row)
        console.print(curve)
    console.print("CPU seconds during the judged run: " + cpu_summary(report.pipeline.cpu))
    for line in report.run_lines():
        console.print(line)
    if report.host_reference_ns:
        console.print(report.host_line())
    console.print(
        "stages done after: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in report.pipeline.stage_done_s.items())
    )
