"""`loket bench`: the benchmarks, each in its own module, imported when it runs or shows its own
help. Listing them (`loket bench --help`) imports none: every benchmark's module loads its
pipeline, and loading all of them took 1.8 s."""

from __future__ import annotations

import typer

from loket.cli.lazy_group import Commands, lazy_group

# The order of `loket bench --help`.
BENCH_COMMANDS: Commands = {
    "letters": ("loket.cli.bench_letters", "letters"),
    "booking": ("loket.cli.bench_booking", "booking"),
    "notify": ("loket.cli.bench_notify", "notify"),
    "reporting": ("loket.cli.bench_reporting", "reporting"),
    "counter": ("loket.bench.counter_command", "counter"),
    "outbox": ("loket.cli.bench_outbox", "outbox"),
    "all": ("loket.cli.bench_all", "all_benchmarks"),
    "bus": ("loket.cli.bench_cmd", "bus"),
}

# What the listing says of each (tests/unit/test_cli_lazy_commands.py checks each against the
# command's own summary).
BENCH_SUMMARIES: dict[str, str] = {
    "letters": (
        "Letters/s and issue→settled latency of the ebox_bridge (35 % digital citizens), and the ratio to a "
        "raw nats-py (aiokafka) + asyncpg + aiohttp pipeline doing the same work per event. With --via http: "
        "letters accepted/s in batches over HTTP and single-POST latency at a fixed rate, against the bus path "
        "of the same run."
    ),
    "booking": (
        "Bookings/s and p50/p99 latency of POST /staff/appointments at one busy point, the ratio to a raw "
        "asyncpg INSERT against the same exclusion constraint, and slot computation time."
    ),
    "notify": (
        "Confirmations/s and event→accepted latency of notify, burst and sustained, with the raw provider "
        "baseline measured in the same run."
    ),
    "reporting": (
        "Events/s projected by the live service, rebuild time for all of them, and the raw asyncpg baseline, "
        "on a fresh embedded stack."
    ),
    "counter": (
        "Call → display latency (p50/p95/p99) for every display and call, the counter page's p95 while the "
        "clerks work, and the same streams on a raw uvicorn/Starlette SSE fan-out."
    ),
    "outbox": (
        "Commits/s and latency of one-event transactions through the outbox from several processes, the "
        "ratio to plain INSERTs of the same rows, and a check that the relay published every one."
    ),
    "all": (
        "Run the bus and letters benchmarks (on JetStream, and on Kafka where java and mvn are), then "
        "booking, notify, reporting and outbox, and summarise them."
    ),
    "bus": (
        "Measure events/s and latency of the outbox → relay → bus → consumer pipeline, next to the raw "
        "client (nats-py or aiokafka) and asyncpg baselines on the same servers."
    ),
}

app = typer.Typer(cls=lazy_group(BENCH_COMMANDS, BENCH_SUMMARIES), no_args_is_help=True,
                  help="Benchmarks on this machine, each against a raw baseline run alongside.")


@app.callback()
def _bench() -> None:
    """Makes `loket bench` a group of commands (listed by lazy_group, not registered here)."""
