"""`loket bench counter`: waiting-room displays on Server-Sent Events while clerks call people at
their counters: p95 call → display update and the counter page's p95 under that load, next to
the raw SSE fan-out of the same server stack (uvicorn + Starlette) run alongside."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import typer
from rich.console import Console
from rich.table import Table

from loket.bench.counter_load import run_loket, run_raw
from loket.bench.counter_setup import clear_queue, prepare_counter
from loket.bench.fresh_stack import run_on_fresh_stack
from loket.bench.letters_sim import wait_http
from loket.bench.report_output import emit
from loket.devstack.stack import CONTACT_KEY_SECRET_FILE, ensure_secret_file
from loket.devstack.supervisor import service_argv
from loket.infra.embedded.ports import free_port

console = Console()
TARGET_DISPLAY_P95_MS, TARGET_PAGE_P95_MS = 300, 150


def counter(
    displays: int = typer.Option(50, "--displays", min=1, help="Waiting-room displays following the live stream."),
    counters: int = typer.Option(10, "--counters", min=1, help="Counters, each with a signed-in clerk."),
    rate: float = typer.Option(5.0, "--rate", min=0.1, help="Calls per second, all counters together."),
    calls: int = typer.Option(150, "--calls", min=1, help="Calls per side (Loket and raw)."),
    out: Path = typer.Option(Path("bench-results"), "--out", help="Folder for counter.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON instead of a table."),
) -> None:
    """Call → display latency (p50/p95/p99) for every display and call, the counter page's p95
    while the clerks work, and the same streams on a raw uvicorn/Starlette SSE fan-out."""
    if as_json:
        console.file = sys.stderr
    report = run_on_fresh_stack(
        "counter", console,
        lambda stack, work: asyncio.run(_run(stack.database_url, stack.bus_url, work, displays, counters, rate, calls)),
        _ok)
    emit(report, out, "counter", as_json, lambda: _print(report), console)
    if not _ok(report):
        console.print("[red]a display missed a call, or a person was called twice[/]")
        raise typer.Exit(1)


def _ok(report: dict[str, Any]) -> bool:
    checks = report.get("checks", {})
    return bool(checks) and all(checks.values())


async def _run(database_url: str, bus_url: str, work: Path, displays: int, counters: int, rate: float,
               calls: int) -> dict[str, Any]:
    conn = await asyncpg.connect(database_url)
    setup = await prepare_counter(conn, counters, tickets=calls + counters * 2)
    port, raw_port = free_port(), free_port()
    env = {**os.environ, "LOKET_DATABASE_URL": database_url, "LOKET_BUS_URL": bus_url, "LOKET_PORT": str(port),
           "LOKET_LOG_LEVEL": "WARNING", "LOKET_DB_POOL_MAX": str(counters * 2 + 8), "LOKET_COOKIE_SECURE": "false",
           "LOKET_CONTACT_KEY_SECRET_FILE": str(ensure_secret_file(work / CONTACT_KEY_SECRET_FILE))}
    for unset in ("LOKET_ADMIN_TOKEN", "LOKET_API_TOKENS_FILE"):
        env.pop(unset, None)
    server = subprocess.Popen(service_argv("booking"), env=env,  # noqa: ASYNC220 (starting is instant)
                              stdout=(work / "booking.log").open("ab"), stderr=subprocess.STDOUT)
    raw = subprocess.Popen([sys.executable, "-m", "loket.bench.counter_raw_sse", str(raw_port)],  # noqa: ASYNC220
                           stdout=(work / "raw-sse.log").open("ab"), stderr=subprocess.STDOUT)
    base, raw_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{raw_port}"
    try:
        await wait_http(f"{base}/health/ready", server, "the booking service")
        await wait_http(f"{raw_base}/health/ready", raw, "the raw SSE server")
        with console.status("Loket: clerks calling, displays following"):
            loket = await run_loket(base, setup.device_key, setup.clerks, displays, calls, rate)
        with console.status("raw SSE fan-out"):
            baseline = await run_raw(raw_base, displays, calls, rate)
        await clear_queue(conn)
    finally:
        for process in (server, raw):
            process.terminate()
            process.wait(20)
        await conn.close()
    summary, raw_summary = loket.summary(), baseline.summary()
    return {
        "displays": displays, "counters": counters, "rate_per_s": rate, "loket": summary, "raw": raw_summary,
        "targets": {"call_to_display_p95_ms": TARGET_DISPLAY_P95_MS, "page_p95_ms": TARGET_PAGE_P95_MS,
                    "display_met": summary["call_to_display_p95_ms"] < TARGET_DISPLAY_P95_MS,  # type: ignore[operator]
                    "page_met": summary["page_p95_ms"] < TARGET_PAGE_P95_MS},  # type: ignore[operator]
        "checks": {"every_display_saw_every_call": loket.unseen == 0 and baseline.unseen == 0,
                   "nobody_called_twice": len(set(loket.labels)) == len(loket.labels) and "?" not in loket.labels,
                   "every_action_answered_303": set(loket.statuses) == {"303"}},
    }


def _print(report: dict[str, Any]) -> None:
    loket, raw, targets = report["loket"], report["raw"], report["targets"]
    table = Table(title=f"loket bench counter — {report['displays']} displays, {report['counters']} counters, "
                        f"{report['rate_per_s']:g} calls/s")
    for column in ("figure", "Loket", "raw SSE fan-out", "note"):
        table.add_column(column)
    table.add_row("calls", str(loket["calls"]), str(raw["calls"]), f"{loket['deliveries']} deliveries to displays")
    for q in ("p50", "p95", "p99"):
        note = ""
        if q == "p95":
            note = f"target < {targets['call_to_display_p95_ms']} ms " + ("met" if targets["display_met"] else "NOT met")
        table.add_row(f"call → display {q}", f"{loket[f'call_to_display_{q}_ms']:.1f} ms",
                      f"{raw[f'call_to_display_{q}_ms']:.1f} ms", note)
    table.add_row("counter page p50 / p95", f"{loket['page_p50_ms']:.1f} / {loket['page_p95_ms']:.1f} ms", "–",
                  f"target p95 < {targets['page_p95_ms']} ms " + ("met" if targets["page_met"] else "NOT met"))
    table.add_row("checks", ", ".join(k for k, v in report["checks"].items() if v) or "–", "",
                  ", ".join(f"FAILED {k}" for k, v in report["checks"].items() if not v))
    console.print(table)
