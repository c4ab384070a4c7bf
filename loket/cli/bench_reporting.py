"""`loket bench reporting`: projection throughput of a live reporting service on a mixed load
published to the bus, the full rebuild of the same streams, and a raw baseline (the same rows
upserted with plain asyncpg batches, no bus and no decoding) in the same run."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import nats
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from loket.bench.fresh_stack import run_on_fresh_stack
from loket.bench.letters_sim import wait_http
from loket.bench.report_output import emit
from loket.bench.reporting_load import mixed_events
from loket.contracts import topics
from loket.devstack.supervisor import service_argv
from loket.infra.bus import headers as h
from loket.infra.bus.address import parse_bus_url
from loket.infra.bus.nats_wiring import durable_name, stream_config
from loket.infra.db.schema import migrate_service_schema
from loket.infra.embedded.ports import free_port
from services.reporting.app import NAME, TOPICS, service_spec
from services.reporting.projector import STATEMENTS
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.rebuild import MIGRATIONS, rebuild

console = Console()
SECRET = "bench-pseudonym-secret-0123456789"
TARGET_PER_S, TARGET_REBUILD_S = 5000, 60


def reporting(
    count: int = typer.Option(200_000, "--count", min=100, help="Mixed events to project."),
    timeout: float = typer.Option(900, "--timeout", min=1, help="Give up after this many seconds."),
    out: Path = typer.Option(Path("bench-results"), "--out", help="Folder for reporting.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON instead of a table."),
) -> None:
    """Events/s projected by the live service, rebuild time for all of them, and the raw
    asyncpg baseline, on a fresh embedded stack."""
    if as_json:
        console.file = sys.stderr
    report = run_on_fresh_stack(
        "reporting", console,
        lambda stack, work: asyncio.run(_run(stack.database_url, stack.bus_url, work, count, timeout)),
        lambda report: report["projected"]["missing"] == 0, nats_only=True)
    emit(report, out, "reporting", as_json, lambda: _print(report), console)
    if report["projected"]["missing"]:
        raise typer.Exit(1)


async def _pending(js) -> int:  # type: ignore[no-untyped-def]
    total = 0
    for sub in service_spec().subscriptions:
        info = await js.consumer_info(topics.stream_for(sub.topic), durable_name(sub.group))
        total += info.num_pending + info.num_ack_pending
    return total


async def _run(database_url: str, bus_url: str, work: Path, count: int, timeout: float) -> dict:  # type: ignore[type-arg]
    """The load is on the streams before the service starts (as after an outage, or for a new
    installation catching up), so the figure is the projection's own, not the load generator's;
    the clock starts when the service process is launched, start-up included."""
    events = mixed_events(count)
    port = free_port()
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    progress = Progress(TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console)
    service = None
    try:
        js = nc.jetstream()
        with progress:
            await _declare_streams(js)
            published = progress.add_task("published", total=count)
            slots = asyncio.Semaphore(256)

            async def one(event) -> None:  # type: ignore[no-untyped-def]
                async with slots:
                    await js.publish(event.topic, event.to_bytes(),
                                     headers={h.NATS_MESSAGE_ID: str(event.event_id), h.KEY: event.partition_key()})

            for start in range(0, count, 2000):
                await asyncio.gather(*(one(e) for e in events[start:start + 2000]))
                progress.update(published, completed=min(count, start + 2000))
            projected = progress.add_task("projected (live)", total=count)
            started = time.perf_counter()
            service = subprocess.Popen(  # noqa: ASYNC220 (starting a server is instant)
                service_argv("reporting"), env={**os.environ, "LOKET_DATABASE_URL": database_url,
                                                "LOKET_BUS_URL": bus_url, "LOKET_PORT": str(port),
                                                "LOKET_REPORTING_PSEUDONYM_SECRET": SECRET, "LOKET_LOG_LEVEL": "WARNING"},
                stdout=(work / "reporting.log").open("ab"), stderr=subprocess.STDOUT)
            await wait_http(f"http://127.0.0.1:{port}/health/ready", service, "reporting")
            pending = count
            while time.perf_counter() - started < timeout:
                pending = await _pending(js)
                progress.update(projected, completed=count - pending)
                if pending == 0:
                    break
                await asyncio.sleep(0.25)
            live_s = time.perf_counter() - started
            rebuild_task = progress.add_task("rebuild (replay)", total=count)
            t0 = time.perf_counter()
            done: dict[str, int] = {}

            def on_progress(topic: str, n: int, _: int) -> None:
                done[topic] = n
                progress.update(rebuild_task, completed=sum(done.values()))

            rebuilt = await rebuild(database_url, bus_url, Pseudonymizer(SECRET.encode()), NAME, TOPICS, on_progress)
            rebuild_s = time.perf_counter() - t0
            raw_s = await _raw(database_url, events)
    finally:
        await nc.close()
        if service is not None:
            service.terminate()
            service.wait(20)
    return {"events": count,
            "projected": {"seconds": live_s, "per_s": (count - pending) / live_s, "missing": pending},
            "rebuild": {"seconds": rebuild_s, "events": sum(rebuilt.events.values()), "per_s": count / rebuild_s},
            "raw": {"seconds": raw_s, "per_s": count / raw_s},
            "ratio_live_to_raw": (count / live_s) / (count / raw_s)}


async def _declare_streams(js) -> None:  # type: ignore[no-untyped-def]
    """The streams, as the services declare them, before any service has run on this stack."""
    for stream, subjects in topics.NATS_STREAMS.items():
        await js.add_stream(stream_config(stream, subjects))


async def _raw(database_url: str, events: list) -> float:  # type: ignore[type-arg]
    """The same upserts straight from memory, 500 per transaction: the database's share."""
    schema, pseudonymize = "bench_raw_reporting", Pseudonymizer(SECRET.encode())
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await migrate_service_schema(conn, schema, MIGRATIONS)
        started = time.perf_counter()
        for start in range(0, len(events), 500):
            rows: dict[str, list] = {}  # type: ignore[type-arg]
            for e in events[start:start + 500]:
                rows.setdefault(e.event_type, []).append(STATEMENTS[e.event_type][1](e, pseudonymize))
            async with conn.transaction():
                for event_type, batch in rows.items():
                    await conn.executemany(STATEMENTS[event_type][0].format(schema=schema), batch)
        elapsed = time.perf_counter() - started
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
        return elapsed
    finally:
        await conn.close()


def _print(report: dict) -> None:  # type: ignore[type-arg]
    p, r, raw = report["projected"], report["rebuild"], report["raw"]
    table = Table(title=f"loket bench reporting — {report['events']:,} mixed events")
    for column in ("figure", "value", "note"):
        table.add_column(column)
    table.add_row("live projection", f"{p['per_s']:,.0f} events/s",
                  f"{p['seconds']:.1f} s from service start; target ≥ {TARGET_PER_S:,} "
                  + ("met" if p["per_s"] >= TARGET_PER_S else "NOT met"))
    table.add_row("rebuild (replay + swap)", f"{r['seconds']:.1f} s", f"{r['per_s']:,.0f} events/s; target < "
                  f"{TARGET_REBUILD_S} s " + ("met" if r["seconds"] < TARGET_REBUILD_S else "NOT met"))
    table.add_row("raw asyncpg upserts", f"{raw['per_s']:,.0f} events/s", f"ratio live/raw {report['ratio_live_to_raw']:.2f}")
    table.add_row("not projected", f"{p['missing']:,}", "")
    console.print(table)
