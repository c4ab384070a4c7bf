"""`loket bench all`: every benchmark in turn (each on its own fresh embedded stack), then one
summary table as JSON and Markdown under the output folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from loket.bench.bus_report import machine_info
from loket.bench.summary import markdown, summarise

console = Console()
# --quick on Kafka: two warm-up rounds of 20 000 events (not up to sixteen of 100 000) and two of
# 5 000 letters (not up to six of 20 000): the figures are then measured on brokers still
# compiling; say so when quoting them.
QUICK = {"bus": ["--events", "20000"],
         "bus-kafka": ["--events", "20000", "--warm-up", "20000", "--warm-up-rounds", "2"], "letters": ["--count", "5000"],
         "letters-kafka": ["--count", "5000", "--warm-up-rounds", "2"],
         "booking": ["--requests", "2000"], "notify": ["--count", "3000", "--paced-seconds", "10"],
         "reporting": ["--count", "50000"], "outbox": ["--seconds", "2", "--pairs", "1"]}
COMMANDS = {"bus-kafka": ["bus", "--bus", "kafka"], "letters-kafka": ["letters", "--bus", "kafka"]}  # the rest: `loket bench <name>`
ON_KAFKA = ("bus-kafka", "letters-kafka")


def kafka_reachable() -> bool:
    """A Kafka to measure: a configured one, or java and mvn to start three brokers."""
    return (os.environ.get("LOKET_BUS_URL", "").startswith("kafka://") or bool(os.environ.get("LOKET_TEST_KAFKA_BOOTSTRAP"))
            or (shutil.which("java") is not None and shutil.which("mvn") is not None))


def all_benchmarks(
    out: Path = typer.Option(Path("bench-results"), "--out", help="Folder for every result and summary.{json,md}."),
    quick: bool = typer.Option(False, "--quick", help="Smaller loads for a quick look (the full run takes about 4 minutes on 2 cores, and about 12 more on Kafka: its brokers are warmed up first, for each benchmark)."),
    only: list[str] = typer.Option(None, "--only", help="Run just these (bus, bus-kafka, letters, letters-kafka, booking, notify, reporting, outbox)."),
) -> None:
    """Run the bus and letters benchmarks (on JetStream, and on Kafka where java and mvn are),
    then booking, notify, reporting and outbox, and summarise them."""
    names = only or list(QUICK)
    if not only and not kafka_reachable():
        for name in ON_KAFKA:
            names.remove(name)
            console.print(f"bench {name}: skipped (no java and mvn to start Kafka, and no LOKET_BUS_URL=kafka://…)")
    failed = []
    for name in names:
        if name not in QUICK:
            raise typer.BadParameter(f"unknown benchmark {name!r}; choose from {', '.join(QUICK)}")
        started = time.monotonic()
        with console.status(f"loket bench {name} …"):
            result = subprocess.run([sys.executable, "-m", "loket.cli", "bench", *COMMANDS.get(name, [name]),
                                     "--out", str(out), *(QUICK[name] if quick else [])], capture_output=True, text=True)
        state = "[green]done[/]" if result.returncode == 0 else f"[red]failed ({result.returncode})[/]"
        console.print(f"bench {name}: {state} in {time.monotonic() - started:.0f} s")
        if result.returncode != 0:
            failed.append(name)
            console.print(result.stdout[-2000:] + result.stderr[-2000:])
    rows = summarise(out)
    machine = machine_info("embedded")
    (out / "summary.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    (out / "summary.md").write_text(markdown(rows, machine))
    table = Table(title="loket bench all")
    for column in ("benchmark", "figure", "raw baseline", "ratio", "target", "met"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["benchmark"], r["figure"], r["raw baseline"], str(r["ratio"]), r["target"],
                      "[green]yes[/]" if r["met"] else "[red]NO[/]")
    console.print(table)
    console.print(f"written {out / 'summary.json'} and {out / 'summary.md'}")
    if failed:
        raise typer.Exit(1)
