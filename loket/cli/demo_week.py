"""`loket demo`'s week, played: the embedded stack and the services started, bookings and letters
pushed through them, the summary and where to look. demo.py holds the command line.

The demo runs embedded PostgreSQL and NATS, the eBox simulator and the four services as
separate processes. It plays visits through booking's outbox and the bus, and municipal letters
through the ebox_bridge: digital citizens get them in their (simulated) eBox, the others on
paper in a print batch, and broken letters land in the DLQ with their reason.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import time
import urllib.request
import uuid
from pathlib import Path

import asyncpg
import typer
from prometheus_client import CollectorRegistry
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from loket.cli.demo_account import USERNAME, ensure_demo_account
from loket.cli.demo_booking import end_of_week_no_shows, play_booking, seed
from loket.cli.demo_labels import letter_outcome
from loket.cli.demo_letters import broken_letters, demo_letters, national_number
from loket.cli.demo_summary import ebox_outage, summary_figures
from loket.cli.print_jobs import close_print_batch
from loket.contracts import LetterIssuedPayload, topics
from loket.devstack.stack import CONTACT_KEY_SECRET_FILE, running_stack
from loket.devstack.supervisor import Supervisor
from loket.devstack.up import Prepared, prepare_services, write_runtime
from loket.infra.bus.bus import Bus
from loket.infra.contact_keys import contact_keys_from
from loket.infra.metrics import PlatformMetrics
from loket.infra.settings import LoketSettings
from services.ebox_bridge.domain import states

console = Console()


def health_urls(prepared: Prepared) -> dict[str, str]:
    """What must answer before the demo plays: every service, and the simulators it calls itself
    (it activates a citizen's eBox at the simulator first thing)."""
    urls = {name: f"http://127.0.0.1:{port}/health/ready" for name, port in prepared.ports.items()}
    simulators = {"ebox_sim": prepared.simulator_url, "sms_sim": prepared.sms_url}
    return urls | {name: f"{url}/health/live" for name, url in simulators.items() if url}


def wait_ready(urls: dict[str, str], timeout_s: float = 90) -> None:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("starting services", total=len(urls))
        pending, deadline = dict(urls), time.monotonic() + timeout_s
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                try:
                    with urllib.request.urlopen(url, timeout=2) as r:
                        if r.status == 200:
                            del pending[name]
                            progress.advance(task)
                except OSError:
                    pass
            time.sleep(0.3)
    if pending:
        console.print(f"[red]services not ready after {timeout_s:.0f} s: {', '.join(pending)} (see the logs)[/]")
        raise typer.Exit(1)


async def push_letters(database_url: str, bus_url: str, count: int, spool: Path,
                       helped_citizen: str | None = None) -> dict[str, int]:
    """Publish letters as back-offices do, wait until the bridge has settled each one, then
    close a print batch for the paper ones. The citizen helped at a counter gets three."""
    letters = demo_letters(count)
    if helped_citizen is not None:
        # Validated again (not model_copy): the payload keeps its two recipient fields in step.
        letters[:3] = [e.model_copy(update={"payload": LetterIssuedPayload.model_validate(
            {**e.payload.model_dump(exclude={"recipient_national_number"}),
             "recipient": {"kind": "citizen", "identifier": helped_citizen}})})
            for e in letters[:3]]
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
            "SELECT ebox_state AS ebox, paper_reason AS paper, count(*) AS n "
            "FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[]) GROUP BY 1, 2 ORDER BY 3 DESC",
            ids,
        )
    finally:
        await conn.close()
    batch = await close_print_batch(database_url, dt.datetime.now(dt.UTC))
    figures = {f"letters: {letter_outcome(r['ebox'], r['paper'])}": r["n"] for r in rows}
    if batch is not None:
        figures[f"print batch {batch.batch_id} (letters; files in {spool / batch.batch_id})"] = batch.letter_count
    figures["broken letters published (see `loket dlq list`)"] = len(broken_letters())
    return figures


def run_demo(letters: int, scale: int, keep_running: bool) -> None:
    """`loket demo` (demo.py says what it plays)."""
    started = time.monotonic()
    # Demo only: SMS go out at any hour (a real installation holds them back 21:00–08:00), and
    # housekeeping runs every 2 s so the late loan is announced while you watch.
    os.environ.setdefault("LOKET_QUIET_HOURS", "00:00-00:00")
    os.environ.setdefault("LOKET_BOOKING_SWEEP_INTERVAL_S", "2")
    settings = LoketSettings()
    with running_stack(settings) as stack:
        prepared = prepare_services(stack, well_known_ports=settings.well_known_ports)
        # As `loket up` does: the CLI (`loket privacy`, `loket dlq`, `loket print`) finds this system.
        write_runtime(stack, prepared)
        ports, logs, children = prepared.ports, prepared.logs, prepared.children
        os.environ["LOKET_PRINT_SPOOL_DIR"] = str(stack.data_dir / "print-spool")
        for child in children:
            child.start()
        try:
            wait_ready(health_urls(prepared))
            token = (stack.data_dir / "admin-token").read_text().strip()
            this_run, totals = asyncio.run(_play(stack, prepared, token, letters * scale, scale))
            summary = Table(title=f"Loket demo ({time.monotonic() - started:.1f} s)",
                            caption=f"Above the line: this run. Below: everything in {stack.data_dir}, "
                                    "earlier demo runs included.")
            summary.add_column("figure")
            summary.add_column("value", justify="right")
            for figures in (this_run, totals):
                for label, value in figures.items():
                    summary.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
                summary.add_section()
            console.print(summary)
            _print_places(ports, prepared, stack.data_dir, logs, still_running=keep_running)
            if keep_running:  # the same processes go on, now watched: the simulators keep what they hold
                Supervisor(children).run()
        finally:
            for child in reversed(children):
                child.stop()


async def _play(stack, prepared, token: str, letters: int, scale: int) -> tuple[dict[str, object], dict[str, object]]:  # type: ignore[no-untyped-def]
    """The week played: what this run did, and the installation's totals read from its tables."""
    await seed(stack.database_url)
    await ensure_demo_account(stack.database_url, stack.data_dir)
    helped = national_number(random.Random(99))
    if prepared.simulator_url:  # the citizen really activates their eBox at the counter
        await _sim_activate(prepared.simulator_url, token, helped)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("assistance points: bookings, walk-ins, loans", total=None)
        figures: dict[str, object] = dict(await play_booking(
            f"http://127.0.0.1:{prepared.ports['booking']}", token, scale, helped))
        progress.update(task, completed=1)
    figures["no-shows (the week fast-forwarded)"] = await end_of_week_no_shows(
        stack.database_url, contact_keys_from(None, stack.data_dir / CONTACT_KEY_SECRET_FILE, "the demo"))
    outage = asyncio.create_task(ebox_outage(prepared.simulator_url, token))
    figures |= await push_letters(stack.database_url, stack.bus_url, letters, stack.data_dir / "print-spool", helped)
    await outage
    await asyncio.sleep(2)  # let notify and reporting catch up with the last events
    return figures, await summary_figures(stack.database_url)


async def _sim_activate(url: str, token: str, ssin: str) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as http, http.post(
            f"{url}/admin/citizens/{ssin}/activate", headers={"Authorization": f"Bearer {token}"}) as r:
        await r.read()


def _print_places(ports: dict[str, int], prepared, data_dir: Path, logs: Path, *, still_running: bool) -> None:  # type: ignore[no-untyped-def]
    """One line each, never cut: a terminal of any width keeps a long address on one logical line,
    so it can be clicked or copied whole (a table column of 80 characters cut them short)."""
    booking, reporting = f"http://127.0.0.1:{ports['booking']}", f"http://127.0.0.1:{ports['reporting']}"
    places = [
        ("citizen booking page", f"{booking}/public/book?lang=nl"),
        ("KPI dashboard (sign in)", f"{reporting}/dashboard?lang=nl"),
        ("Digibank Mechelen's rota (sign in)", f"{booking}/staff/rota/mechelen-digibank-predikheren?lang=nl"),
        ("Digibank Mechelen's settings (sign in)", f"{booking}/staff/manage/mechelen-digibank-predikheren"),
        ("API keys of Mechelen (sign in)", f"{booking}/admin/keys?lang=nl"),
        ("sign in as", f"{USERNAME}, password in {data_dir / 'demo-admin-password'}"),
        ("booking API (OpenAPI)", f"{booking}/docs/openapi.json"),
        *((f"{name} metrics, AsyncAPI", f"http://127.0.0.1:{port}/metrics  http://127.0.0.1:{port}/docs/asyncapi")
          for name, port in ports.items()),
        *((("e-mails sent", str(prepared.mail_dir)),) if prepared.mail_dir else ()),
        ("admin token (the APIs' bearer token)", str(data_dir / "admin-token")),
        ("logs", str(logs)),
    ]
    console.print("[bold]Where to look[/] (pages: sign in; APIs: the bearer token in the admin-token file)")
    for what, where in places:
        console.print(f"  {what}: [link={where}]{where}[/link]" if where.startswith("http") and " " not in where
                      else f"  {what}: {where}", soft_wrap=True, highlight=False)
    if still_running:
        console.print("The system stays up until Ctrl-C.")
    else:
        console.print("The demo has stopped the system again, so these pages no longer answer: "
                      "`loket demo --keep-running` leaves it up (Ctrl-C stops it), `loket up` starts it "
                      "with the demo's data.", soft_wrap=True)
