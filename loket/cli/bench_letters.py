"""`loket bench letters`: LetterIssued → eBox / paper end to end on the embedded stack, with the
simulator on the same machine, next to a raw per-event baseline measured in the same run; with
`--via http`, the same letters through the letters API next to the bus path of the same run.
On NATS JetStream (the default) or Kafka (`--bus kafka`, the cluster as `loket bench bus`
finds or starts it)."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from loket.bench.bus_report import machine_info
from loket.bench.kafka_warm_up import WarmUpRound
from loket.bench.letters_http import HttpBenchError, run_http_letters, run_single_posts
from loket.bench.letters_load import letter_load, letter_payloads
from loket.bench.letters_loket import run_loket_letters
from loket.bench.letters_raw import run_raw_letters
from loket.bench.letters_report import LettersReport
from loket.bench.letters_sim import RunningSim, running_simulator, simulator_received
from loket.bench.letters_warm_up import LettersWarmUp, warm_up_letters
from loket.bench.progress_bars import StageBars
from loket.bench.work_folder import leave_work_folder
from loket.cli.bench_stack import bench_stack, check_bus_choice, describe

console = Console()


def letters(
    count: int = typer.Option(20_000, "--count", min=1, help="LetterIssued events per run (Loket and raw each)."),
    raw_workers: int = typer.Option(64, "--raw-workers", min=1, help="Events in flight in the raw baseline."),
    skip_raw: bool = typer.Option(False, "--skip-raw", help="Only measure Loket."),
    timeout: float = typer.Option(600, "--timeout", min=1, help="Give up waiting for letters after this many seconds."),
    out: Path = typer.Option(Path("bench-results"), "--out", help="Folder for letters.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON instead of a table."),
    via: str = typer.Option("bus", "--via", help="bus: the bus path and the raw baseline; http: the bus path "
                            "as the baseline, then the same letters over the letters API."),
    batch_size: int = typer.Option(500, "--batch-size", min=1, max=1000, help="--via http: letters per batch request."),
    in_flight: int = typer.Option(4, "--in-flight", min=1, help="--via http: batch requests in flight at once."),
    single_rate: float = typer.Option(200, "--single-rate", min=1, help="--via http: single POSTs per second."),
    single_count: int = typer.Option(2000, "--single-count", min=1,
                                     help="--via http: single POSTs sent to an HTTP-only replica, as many to the working "
                                     "bridge, and as many bus publishes as their baseline."),
    broker: str = typer.Option("nats", "--bus", help="nats (JetStream) or kafka (a three-broker cluster: "
                               "LOKET_BUS_URL=kafka://…, else LOKET_TEST_KAFKA_BOOTSTRAP, else started here)."),
    warm_up_rounds: int = typer.Option(
        6, "--warm-up-rounds", min=0,
        help="Kafka: before anything is measured, at most this many rounds of --count raw letters on throw-away "
             "topics; they stop earlier once the brokers' JIT compiler used under 10 % of their CPU in a round, or "
             "their CPU per round stopped falling (0: measure the cold cluster)."),
) -> None:
    """Letters/s and issue→settled latency of the ebox_bridge (35 % digital citizens), and the
    ratio to a raw nats-py (aiokafka) + asyncpg + aiohttp pipeline doing the same work per event. With
    --via http: letters accepted/s in batches over HTTP and single-POST latency at a fixed rate,
    against the bus path of the same run."""
    if via not in ("bus", "http"):
        raise typer.BadParameter("choose bus or http", param_hint="--via")
    check_bus_choice(broker)
    shape = HttpShape(batch_size, in_flight, single_rate, single_count) if via == "http" else None
    if as_json:  # stdout carries the JSON only; progress and notes go to stderr
        console.file = sys.stderr
    work = Path(tempfile.mkdtemp(prefix="loket-bench-letters-"))
    report: LettersReport | None = None
    try:
        with bench_stack(work, broker, console) as stack:
            try:
                warm_up = warm_up_rounds if broker == "kafka" else 0
                report = asyncio.run(_run(stack.database_url, stack.bus_url, work, count, raw_workers, skip_raw, timeout,
                                          shape, warm_up))
            except HttpBenchError as error:
                console.print(f"[red]{error}[/]")
                raise typer.Exit(1) from error
            report.machine = machine_info(describe(stack, broker))
            report.broker = broker
    finally:  # after a failure the logs (ebox_bridge.log, ebox_sim.log) are for the post-mortem
        leave_work_folder(work, keep=report is None or bool(report.missing), console=console)
    path = report.write(out)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        table = Table(title=f"loket bench letters — {broker}, {count:,} letters")
        for column in ("figure", "value", ""):
            table.add_column(column, justify="right" if column == "value" else "left")
        for name, value, note in report.rows() + report.http_rows():
            style = "red" if "NOT" in note or "MISSING" in note else ("green" if note.endswith("met") else None)
            table.add_row(name, value, note, style=style)
        console.print(table)
        console.print(f"written {path}")
    if report.http is not None and report.http.missing:
        console.print(f"[red]{report.http.missing:,} of {count:,} letters sent over HTTP did not settle within "
                      f"{timeout:.0f} s; see ebox_bridge.log in the work folder[/]")
        raise typer.Exit(1)
    if report.loket.missing:
        console.print(f"[red]{report.loket.missing:,} of {count:,} letters did not settle within {timeout:.0f} s "
                      f"(settled: {', '.join(f'{k} {v:,}' for k, v in sorted(report.loket.outcomes.items())) or 'none'}); "
                      f"see ebox_bridge.log in the work folder[/]")
        raise typer.Exit(1)


@dataclass(frozen=True)
class HttpShape:
    batch_size: int
    in_flight: int
    single_rate: float
    single_count: int


async def _run(
    database_url: str, bus_url: str, work: Path, count: int, raw_workers: int, skip_raw: bool, timeout: float,
    http: HttpShape | None, warm_up_rounds: int,
) -> LettersReport:
    progress = Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, refresh_per_second=4)
    bars = StageBars(progress)

    received: dict[str, dict[str, int]] = {}
    async with running_simulator(work) as sim:
        with progress:
            warmed = await _warm_up(database_url, bus_url, sim, count, raw_workers, warm_up_rounds, timeout, bars)
            loket = await run_loket_letters(
                database_url, bus_url, sim, work, letter_load(count, 0, seed=1), timeout, bars.callback("Loket", count))
            received["loket"] = await simulator_received(sim)
            raw, raw_sim_cpu = None, None
            if http is not None:  # the bus path just measured is the baseline; no raw run
                return await _run_http(database_url, bus_url, sim, work, count, timeout, http, bars,
                                       LettersReport(loket, None, {}, None, received, warm_up=warmed))
            if not skip_raw:
                await sim.admin("POST", "/admin/reset")
                before = _cpu(sim.pid)
                raw = await run_raw_letters(
                    database_url, bus_url, sim.url, sim.key, letter_load(count, count, seed=2), raw_workers, bars.callback("raw", count),
                    timeout)
                raw_sim_cpu = _cpu(sim.pid) - before
                received["raw"] = await simulator_received(sim)
    return LettersReport(loket, raw, {}, raw_sim_cpu, received, warm_up=warmed)


async def _warm_up(database_url: str, bus_url: str, sim: RunningSim, count: int, workers: int, max_rounds: int,
                   timeout: float, bars: StageBars) -> LettersWarmUp | None:
    """Not measured: raw letters rounds until a fresh Kafka cluster's compiler has settled
    (letters_warm_up.py), a bar per round and a line per round; then the simulator forgets them."""
    if not max_rounds:
        return None

    def on_round(number: int, done: WarmUpRound) -> None:
        share = "" if done.jit_share is None else (
            f": the brokers used {done.brokers_s:.1f} CPU s, {done.jit_share:.0%} of it compiling")
        console.print(f"warm-up round {number}{share}")

    done = await warm_up_letters(database_url, bus_url, sim.url, sim.key, count=count, workers=workers,
                                 max_rounds=max_rounds, timeout_s=timeout,
                                 progress=lambda number: bars.callback(f"warm-up {number}", count),
                                 on_round=on_round)
    await sim.admin("POST", "/admin/reset")
    console.print(f"warm-up done after {len(done.rounds)} round(s): {done.stopped}")
    return done


async def _run_http(database_url: str, bus_url: str, sim: RunningSim, work: Path, count: int, timeout: float,
                    shape: HttpShape, bars: StageBars, report: LettersReport) -> LettersReport:
    # Other citizens than the bus path's (0…count), so no letter meets a cached eBox answer.
    await sim.admin("POST", "/admin/reset")
    report.http = await run_http_letters(database_url, bus_url, sim, work, letter_payloads(count, 2 * count, seed=3),
                                         shape.batch_size, shape.in_flight, timeout, bars.callback("HTTP", count))
    report.sim_received["http"] = await simulator_received(sim)
    first, n = 3 * count, shape.single_count
    singles = await run_single_posts(
        database_url, bus_url, sim, work, letter_payloads(n, first, seed=4), letter_payloads(n, first + 2 * n, seed=6),
        letter_load(n, first + n, seed=5), shape.single_rate, bars.callback("single", 2 * n))
    report.single_http, report.single_in_worker, report.single_bus = (
        singles.http_replica, singles.in_worker, singles.bus)
    return report


def _cpu(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system
