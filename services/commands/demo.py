"""`loket demo`: start the whole platform on the embedded default and push events through it.

The demo runs embedded PostgreSQL and NATS, the eBox simulator and the four services as
separate processes. It plays visits through booking's outbox and the bus, and municipal letters
through the ebox_bridge: digital citizens get them in their (simulated) eBox, the others on
paper in a print batch, and broken letters land in the DLQ with their reason.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import urllib.request
import uuid
from pathlib import Path

import asyncpg
import nats
import typer
from prometheus_client import CollectorRegistry
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from services.commands.demo_events import demo_visits
from services.commands.demo_letters import broken_letters, demo_letters
from services.commands.print_cmd import close_print_batch
from services.commands.stack import running_stack
from services.commands.up import prepare_services
from services.contracts import topics
from services.ebox_bridge.domain import states
from services.infra.bus.bus import Bus
from services.infra.db.outbox import Outbox
from services.infra.metrics import PlatformMetrics
from services.infra.supervisor import Supervisor

console = Console()


def wait_ready(ports: dict[str, int], timeout_s: float = 90) -> None:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("starting services", total=len(ports))
        pending, deadline = dict(ports), time.monotonic() + timeout_s
        while pending and time.monotonic() < deadline:
            for name, port in list(pending.items()):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as r:
                        if r.status == 200:
                            del pending[name]
                            progress.advance(task)
                except OSError:
                    pass
            time.sleep(0.3)
    if pending:
        console.print(f"[red]services not ready after {timeout_s:.0f} s: {', '.join(pending)} (see the logs)[/]")
        raise typer.Exit(1)


async def push_visits(database_url: str, bus_url: str, visits: int) -> dict[str, int]:
    events = demo_visits(visits)
    outbox = Outbox("booking")
    conn = await asyncpg.connect(database_url)
    try:
        for start in range(0, len(events), 200):
            async with conn.transaction():
                await outbox.append(conn, *events[start:start + 200])
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("relaying through the bus", total=len(events))
            while True:
                left = await conn.fetchval("SELECT count(*) FROM booking.outbox WHERE sent_at IS NULL")
                progress.update(task, completed=len(events) - left)
                if left == 0:
                    break
                await asyncio.sleep(0.2)
    finally:
        await conn.close()
    nc = await nats.connect(bus_url)
    try:
        info = await nc.jetstream().stream_info(topics.stream_for(topics.VISITS))
        return {"visit events written": len(events), "messages in the VISITS stream (all runs so far)": info.state.messages}
    finally:
        await nc.close()


async def push_letters(database_url: str, bus_url: str, count: int, spool: Path) -> dict[str, int]:
    """Publish letters as back-offices do, wait until the bridge has settled each one, then
    close a print batch for the paper ones."""
    letters = demo_letters(count)
    ids = [str(e.payload.letter_id) for e in letters]
    registry = CollectorRegistry()
    bus = Bus(bus_url, "demo-backoffice", registry, PlatformMetrics(registry))
    await bus.start()
    try:
        for event in letters:
            await bus.publish(event)
        for i, (what, body) in enumerate(broken_letters()):
            await bus.publish_raw(topics.LETTERS_ISSUED, f"broken-{i}", f"demo-broken-{uuid.uuid4()}", body, {"x-demo": what})
    finally:
        await bus.stop()
    conn = await asyncpg.connect(database_url)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("letters through eBox / paper", total=len(ids))
            while True:
                done = await conn.fetchval(
                    "SELECT count(*) FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[]) "
                    f"AND (ebox_state IS NULL OR ebox_state IN ({', '.join(repr(s) for s in sorted(states.EBOX_SETTLED))}))",
                    ids,
                )
                progress.update(task, completed=done)
                if done == len(ids):
                    break
                await asyncio.sleep(0.2)
        rows = await conn.fetch(
            "SELECT coalesce(ebox_state, '-') AS ebox, coalesce(paper_reason, '-') AS paper, count(*) AS n "
            "FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[]) GROUP BY 1, 2 ORDER BY 3 DESC",
            ids,
        )
    finally:
        await conn.close()
    batch = await close_print_batch(database_url, dt.datetime.now(dt.UTC))
    figures = {f"letters: eBox {r['ebox']}, paper {r['paper']}": r["n"] for r in rows}
    if batch is not None:
        figures[f"print batch {batch.batch_id} (letters; files in {spool / batch.batch_id})"] = batch.letter_count
    figures["broken letters published (see `loket dlq list`)"] = len(broken_letters())
    return figures


def demo(
    visits: int = typer.Option(500, help="visits to play (each makes two events)"),
    letters: int = typer.Option(300, help="municipal letters to deliver (eBox or paper)"),
    scale: int = typer.Option(1, help="multiply the volume"),
    keep_running: bool = typer.Option(False, help="leave the system up after the demo (Ctrl-C stops it)"),
) -> None:
    """Start everything on the embedded default, play visits through the bus, and summarise."""
    started = time.monotonic()
    with running_stack() as stack:
        prepared = prepare_services(stack)
        ports, logs, children = prepared.ports, prepared.logs, prepared.children
        os.environ["LOKET_PRINT_SPOOL_DIR"] = str(stack.data_dir / "print-spool")
        for child in children:
            child.start()
        try:
            wait_ready(ports)
            figures = asyncio.run(push_visits(stack.database_url, stack.bus_url, visits * scale))
            figures |= asyncio.run(push_letters(
                stack.database_url, stack.bus_url, letters * scale, stack.data_dir / "print-spool"))
            summary = Table(title=f"Loket demo ({time.monotonic() - started:.1f} s)")
            summary.add_column("figure")
            summary.add_column("value", justify="right")
            for label, value in figures.items():
                summary.add_row(label, f"{value:,}")
            console.print(summary)
            for name, port in ports.items():
                console.print(f"{name:12} http://127.0.0.1:{port}/metrics  /health/ready  /docs/asyncapi")
            console.print(f"admin token: {stack.data_dir / 'admin-token'}   logs: {logs}")
            if keep_running:
                for child in children:
                    child.stop()
                Supervisor(children).run()
        finally:
            for child in reversed(children):
                child.stop()
