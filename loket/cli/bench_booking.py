"""`loket bench booking`: booking requests/s and latency at N concurrent clients against one
busy point (exactly one winner per contested slot is checked), next to a raw asyncpg INSERT
against the same exclusion constraint in the same run; and slot computation for 30 points ×
31 days, over HTTP and as the pure computation."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from loket.bench.booking_runs import RunResult, run_loket, run_raw, winners_per_target
from loket.bench.booking_setup import (
    BUSY_MUNICIPALITY,
    BUSY_POINT,
    SERVICE,
    clear,
    prepare,
    slot_points,
    targets,
)
from loket.bench.fresh_stack import run_on_fresh_stack
from loket.bench.letters_sim import wait_http
from loket.bench.report_output import emit
from loket.devstack.stack import CONTACT_KEY_SECRET_FILE, ensure_secret_file
from loket.devstack.supervisor import service_argv
from loket.infra.embedded.ports import free_port
from loket.infra.http.auth import hash_token
from services.booking.availability.slots import BookingRules, free_slots
from services.booking.calendar.local_time import BRUSSELS
from services.booking.catalogue import CATALOGUE

console = Console()
TARGET_PER_S, TARGET_P99_MS = 500, 100


def booking(
    requests: int = typer.Option(6000, "--requests", min=10, help="Booking requests per side (Loket and raw)."),
    clients: int = typer.Option(32, "--clients", min=1, help="Concurrent clients."),
    contenders: int = typer.Option(2, "--contenders", min=1, help="Clients asking for each (helper, time)."),
    out: Path = typer.Option(Path("bench-results"), "--out", help="Folder for booking.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON instead of a table."),
) -> None:
    """Bookings/s and p50/p99 latency of POST /staff/appointments at one busy point, the ratio to
    a raw asyncpg INSERT against the same exclusion constraint, and slot computation time."""
    if as_json:
        console.file = sys.stderr
    report = run_on_fresh_stack(
        "booking", console,
        lambda stack, work: asyncio.run(_run(stack.database_url, stack.bus_url, work, requests, clients, contenders)),
        lambda report: report["checks"]["one_winner_per_target"])
    ok = report["checks"]["one_winner_per_target"]
    emit(report, out, "booking", as_json, lambda: _print(report, requests), console)
    if not ok:
        console.print("[red]a contested slot did not have exactly one winner[/]")
        raise typer.Exit(1)


async def _run(database_url: str, bus_url: str, work: Path, requests: int, clients: int,
               contenders: int) -> dict:  # type: ignore[type-arg]
    conn = await asyncpg.connect(database_url)
    await prepare(conn)
    token = secrets.token_urlsafe(24)
    (work / "tokens.json").write_text(json.dumps([{"name": "bench", "role": "staff", "municipality": BUSY_MUNICIPALITY, "points": [BUSY_POINT],
                     "sha256": hash_token(token)}]))
    port = free_port()
    env = {**os.environ, "LOKET_DATABASE_URL": database_url, "LOKET_BUS_URL": bus_url, "LOKET_PORT": str(port),
           "LOKET_API_TOKENS_FILE": str(work / "tokens.json"), "LOKET_LOG_LEVEL": "WARNING",
           "LOKET_DB_POOL_MAX": str(clients + 4), "LOKET_BOOKING_PUBLIC_RATE_PER_MINUTE": "1000000",
           "LOKET_BOOKING_PUBLIC_BURST": "100000",
           "LOKET_CONTACT_KEY_SECRET_FILE": str(ensure_secret_file(work / CONTACT_KEY_SECRET_FILE))}
    env.pop("LOKET_ADMIN_TOKEN", None)
    server = subprocess.Popen(service_argv("booking"), env=env,  # noqa: ASYNC220 (starting is instant)
                              stdout=(work / "booking.log").open("ab"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wishes = targets(requests, contenders)
    distinct = len(set(wishes))
    progress = Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console)
    try:
        await wait_http(f"{base}/health/ready", server, "the booking service")
        with progress:
            slots_http = await _slots_over_http(base)
            bar = progress.add_task("Loket", total=len(wishes))
            loket = await run_loket(base, token, wishes, clients, lambda n: progress.update(bar, completed=n))
            winners = await winners_per_target(conn)
            await clear(conn)
            bar = progress.add_task("raw asyncpg", total=len(wishes))
            raw = await run_raw(database_url, wishes, clients, lambda n: progress.update(bar, completed=n))
            raw_winners = await winners_per_target(conn)
            await clear(conn)
    finally:
        server.terminate()
        server.wait(20)
        await conn.close()
    one_winner = (loket.statuses.get(201, 0) == distinct and loket.statuses.get(409, 0) == len(wishes) - distinct
                  and len(winners) == distinct and set(winners.values()) == {1})
    return {
        "requests": len(wishes), "clients": clients, "contested_targets": distinct,
        "loket": _side(loket), "raw": _side(raw),
        "ratio_loket_to_raw": loket.per_second / raw.per_second if raw.per_second else None,
        "checks": {"one_winner_per_target": one_winner, "raw_one_winner": set(raw_winners.values()) == {1}
                   and len(raw_winners) == distinct, "loket_statuses": loket.statuses},
        "slots": {**slots_http, "pure_ms": _slots_pure_ms()},
    }


def _side(result: RunResult) -> dict[str, object]:
    return {"per_s": result.per_second, "seconds": result.seconds, "p50_ms": result.percentile(0.5) * 1000,
            "p95_ms": result.percentile(0.95) * 1000, "p99_ms": result.percentile(0.99) * 1000,
            "statuses": {str(k): v for k, v in result.statuses.items()}}


async def _slots_over_http(base: str) -> dict[str, float]:
    import aiohttp

    points, _, _ = slot_points()
    timings = []
    async with aiohttp.ClientSession(base_url=base) as http:
        started = time.perf_counter()
        for point in points:
            t0 = time.perf_counter()
            params = {"service": SERVICE, "language": point.languages[0], "days": "31"}
            async with http.get(f"/public/points/{point.point_id}/slots", params=params) as response:
                if response.status != 200:
                    raise RuntimeError(f"slots of {point.point_id}: HTTP {response.status} {await response.text()}")
                await response.read()
            timings.append(time.perf_counter() - t0)
        total = time.perf_counter() - started
    timings.sort()
    return {"points": len(points), "days": 31, "http_total_ms": total * 1000,
            "http_p50_ms": timings[len(timings) // 2] * 1000, "http_max_ms": timings[-1] * 1000}


def _slots_pure_ms() -> float:
    points, helpers, shifts = slot_points()
    now = dt.datetime.now(dt.UTC)
    first = now.astimezone(BRUSSELS).date()
    days = [first + dt.timedelta(days=i) for i in range(31)]
    started = time.perf_counter()
    for point in points:
        free_slots(point, CATALOGUE[SERVICE], point.languages[0], helpers, shifts, [], days, now, BookingRules())
    return (time.perf_counter() - started) * 1000


def _print(report: dict, requests: int) -> None:  # type: ignore[type-arg]
    loket, raw = report["loket"], report["raw"]
    table = Table(title=f"loket bench booking — {requests:,} requests, {report['clients']} clients, "
                        f"{report['contested_targets']:,} contested slots")
    for column in ("figure", "Loket (HTTP)", "raw asyncpg INSERT", "note"):
        table.add_column(column)
    table.add_row("bookings/s", f"{loket['per_s']:,.0f}", f"{raw['per_s']:,.0f}",
                  f"ratio {report['ratio_loket_to_raw']:.2f}; target ≥ {TARGET_PER_S} "
                  + ("met" if loket["per_s"] >= TARGET_PER_S else "NOT met"))
    for q in ("p50", "p95", "p99"):
        note = ""
        if q == "p99":
            note = f"target < {TARGET_P99_MS} ms " + ("met" if loket["p99_ms"] < TARGET_P99_MS else "NOT met")
        table.add_row(f"{q} latency", f"{loket[q + '_ms']:.1f} ms", f"{raw[q + '_ms']:.1f} ms", note)
    table.add_row("one winner per slot", str(report["checks"]["one_winner_per_target"]),
                  str(report["checks"]["raw_one_winner"]), f"Loket answers {report['checks']['loket_statuses']}")
    s = report["slots"]
    table.add_row(f"slots {s['points']} points × {s['days']} days", f"{s['http_total_ms']:.0f} ms over HTTP",
                  f"{s['pure_ms']:.0f} ms pure", f"per point: p50 {s['http_p50_ms']:.0f} ms, max {s['http_max_ms']:.0f} ms")
    console.print(table)
