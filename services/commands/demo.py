"""`loket demo`: start the whole platform on the embedded default and push events through it.

Today the demo proves the platform: embedded PostgreSQL and NATS, the four services as separate
processes, visits written through booking's outbox, relayed to JetStream by the booking
process, counted on the bus. The realistic week across all services arrives with their issues.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request

import asyncpg
import nats
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from services.commands.demo_events import demo_visits
from services.commands.stack import running_stack
from services.commands.up import prepare_services
from services.contracts import topics
from services.infra.db.outbox import Outbox
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


def demo(
    visits: int = typer.Option(500, help="visits to play (each makes two events)"),
    scale: int = typer.Option(1, help="multiply the volume"),
    keep_running: bool = typer.Option(False, help="leave the system up after the demo (Ctrl-C stops it)"),
) -> None:
    """Start everything on the embedded default, play visits through the bus, and summarise."""
    started = time.monotonic()
    with running_stack() as stack:
        ports, logs, children = prepare_services(stack)
        for child in children:
            child.start()
        try:
            wait_ready(ports)
            figures = asyncio.run(push_visits(stack.database_url, stack.bus_url, visits * scale))
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
