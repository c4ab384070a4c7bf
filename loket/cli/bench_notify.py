"""`loket bench notify`: AppointmentBooked → confirmation SMS accepted by the simulator, as a
burst (messages/s) and paced at a sustained rate (share within 10 s, as GOV.UK Notify
promises), next to raw aiohttp POSTs of the same messages to the same simulator."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path

import aiohttp
import nats
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from loket.bench.fresh_stack import run_on_fresh_stack
from loket.bench.letters_sim import wait_http
from loket.bench.notify_runs import NotifyRun, booked_events, measure_loket, measure_raw
from loket.bench.progress_bars import StageBars
from loket.bench.report_output import emit
from loket.devstack.stack import CONTACT_KEY_SECRET_FILE, ensure_secret_file
from loket.devstack.supervisor import service_argv
from loket.infra.bus.address import parse_bus_url
from loket.infra.embedded.ports import free_port

console = Console()
TARGET_PER_S, TARGET_WITHIN_10S = 500, 0.95


def notify(
    count: int = typer.Option(10_000, "--count", min=10, help="AppointmentBooked events in the burst (and raw POSTs)."),
    paced_rate: float = typer.Option(200, "--paced-rate", min=1, help="Events/s in the sustained run."),
    paced_seconds: float = typer.Option(30, "--paced-seconds", min=1, help="How long the sustained run lasts."),
    concurrency: int = typer.Option(64, "--concurrency", min=1, help="notify's sends in flight (and raw clients)."),
    timeout: float = typer.Option(600, "--timeout", min=1, help="Give up waiting after this many seconds."),
    out: Path = typer.Option(Path("bench-results"), "--out", help="Folder for notify.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON instead of a table."),
) -> None:
    """Confirmations/s and event→accepted latency of notify, burst and sustained, with the raw
    provider baseline measured in the same run."""
    if as_json:
        console.file = sys.stderr
    report = run_on_fresh_stack(
        "notify", console,
        lambda stack, work: asyncio.run(_run(stack.database_url, stack.bus_url, work, count, paced_rate,
                                             paced_seconds, concurrency, timeout)),
        lambda report: not report["burst"]["missing"] and not report["paced"]["missing"], nats_only=True)
    emit(report, out, "notify", as_json, lambda: _print(report), console)
    if report["burst"]["missing"] or report["paced"]["missing"]:
        raise typer.Exit(1)


async def _run(database_url: str, bus_url: str, work: Path, count: int, rate: float, seconds: float,
               concurrency: int, timeout: float) -> dict:  # type: ignore[type-arg]
    key, receipts, admin = (secrets.token_urlsafe(16) for _ in range(3))
    notify_port, sim_port = free_port(), free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_SMTP")}
    sim = subprocess.Popen(  # noqa: ASYNC220 (starting a server is instant)
        [sys.executable, "-m", "loket.cli", "sms-sim", "--port", str(sim_port),
         "--receipts-url", f"http://127.0.0.1:{notify_port}/receipts/sms"],
        env={**base_env, "LOKET_SMS_SIM_API_KEY": key, "LOKET_SMS_SIM_RECEIPTS_TOKEN": receipts,
             "LOKET_SMS_SIM_ADMIN_TOKEN": admin}, stdout=(work / "sms_sim.log").open("ab"), stderr=subprocess.STDOUT)
    service = subprocess.Popen(  # noqa: ASYNC220
        service_argv("notify"), env={
            **base_env, "LOKET_DATABASE_URL": database_url, "LOKET_BUS_URL": bus_url, "LOKET_PORT": str(notify_port),
            "LOKET_SMS_URL": sim_url, "LOKET_SMS_API_KEY": key, "LOKET_SMS_RECEIPTS_TOKEN": receipts,
            "LOKET_CONTACT_KEY_SECRET_FILE": str(ensure_secret_file(work / CONTACT_KEY_SECRET_FILE)),
            "LOKET_QUIET_HOURS": "00:00-00:00", "LOKET_PROVIDER_RATE_PER_S": "100000", "LOKET_PROVIDER_BURST": "100000",
            # The load is 10 000 numbers in one range: above the anti-pumping prefix cap on purpose.
            "LOKET_SMS_PREFIX_MAX_PER_DAY": "100000",
            "LOKET_DISPATCH_CONCURRENCY": str(concurrency), "LOKET_LOG_LEVEL": "WARNING",
            "LOKET_DB_POOL_MAX": str(max(10, concurrency // 2))},
        stdout=(work / "notify.log").open("ab"), stderr=subprocess.STDOUT)
    progress = Progress(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console)
    bars = StageBars(progress)

    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        async with aiohttp.ClientSession() as http:
            await wait_http(f"{sim_url}/health/live", sim, "the SMS simulator")
            await wait_http(f"http://127.0.0.1:{notify_port}/health/ready", service, "notify")
            js = nc.jetstream()
            paced_count = int(rate * seconds)
            raw_bar = bars.callback("raw POSTs", count)
            with progress:
                burst = await measure_loket(js, http, sim_url, admin, booked_events(count, 0), 0, timeout,
                                            bars.callback("Loket burst", count))
                paced = await measure_loket(js, http, sim_url, admin, booked_events(paced_count, count), rate, timeout,
                                            bars.callback(f"Loket {rate:g}/s", paced_count))
                raw = await measure_raw(sim_url, key, count, count + paced_count, concurrency,
                                        lambda n: raw_bar("sent", n))
    finally:
        await nc.close()
        for process in (service, sim):
            process.terminate()
            process.wait(20)
    return {"count": count, "concurrency": concurrency, "paced_rate": rate, "paced_seconds": seconds,
            "burst": _side(burst), "paced": _side(paced), "raw": _side(raw),
            "ratio_burst_to_raw": burst.per_second / raw.per_second if raw.per_second else None}


def _side(run: NotifyRun) -> dict[str, float]:
    return {"messages": run.messages, "missing": run.missing, "seconds": run.seconds, "per_s": run.per_second,
            "p50_s": run.percentile(0.5), "p95_s": run.percentile(0.95), "p99_s": run.percentile(0.99),
            "within_10s": run.within(10.0)}


def _print(report: dict) -> None:  # type: ignore[type-arg]
    burst, paced, raw = report["burst"], report["paced"], report["raw"]
    table = Table(title=f"loket bench notify — {report['count']:,} confirmations, {report['concurrency']} in flight")
    for column in ("figure", "Loket burst", f"Loket {report['paced_rate']:g}/s", "raw POSTs", "note"):
        table.add_column(column)
    table.add_row("messages/s", f"{burst['per_s']:,.0f}", f"{paced['per_s']:,.0f}", f"{raw['per_s']:,.0f}",
                  f"ratio {report['ratio_burst_to_raw']:.2f}; target ≥ {TARGET_PER_S} "
                  + ("met" if burst["per_s"] >= TARGET_PER_S else "NOT met"))
    for q in ("p50", "p95", "p99"):
        table.add_row(f"{q} event → accepted", f"{burst[q + '_s']:.2f} s", f"{paced[q + '_s']:.2f} s",
                      f"{raw[q + '_s'] * 1000:.1f} ms (POST only)", "")
    table.add_row("within 10 s", f"{burst['within_10s']:.1%}", f"{paced['within_10s']:.1%}", "-",
                  f"target ≥ {TARGET_WITHIN_10S:.0%} at {report['paced_rate']:g}/s "
                  + ("met" if paced["within_10s"] >= TARGET_WITHIN_10S else "NOT met"))
    table.add_row("missing", str(burst["missing"]), str(paced["missing"]), "-", "")
    console.print(table)
