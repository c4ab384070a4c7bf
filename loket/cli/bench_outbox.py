"""`loket bench outbox`: one-event transactions committed per second by several writer
processes appending to the outbox (its relay draining it meanwhile), next to the same rows
inserted into a plain table in the same run (loket/bench/outbox_runs.py says what and why)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from loket.bench.fresh_stack import run_on_fresh_stack
from loket.bench.outbox_runs import run_outbox_bench
from loket.bench.report_output import emit

console = Console()


def outbox(
    processes: int = typer.Option(3, "--processes", min=1, help="Writer processes, as replicas of a service."),
    writers: int = typer.Option(16, "--writers", min=1, help="Connections per process, each committing one event per transaction."),
    seconds: float = typer.Option(5.0, "--seconds", min=0.5, help="How long each run writes."),
    pairs: int = typer.Option(2, "--pairs", min=1, help="Raw and Loket runs in turn, this many times each."),
    out: Path = typer.Option(Path("bench-results"), "--out", help="Folder for outbox.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON instead of a table."),
) -> None:
    """Commits/s and latency of one-event transactions through the outbox from several processes,
    the ratio to plain INSERTs of the same rows, and a check that the relay published every one."""
    if as_json:
        console.file = sys.stderr
    progress = Progress(TextColumn("{task.description:<12}"), BarColumn(), TextColumn("{task.completed:.0f} of {task.total:.0f} s"),
                        TimeElapsedColumn(), console=console)
    bars: dict[str, TaskID] = {}

    def on_progress(name: str, done: float, total: float) -> None:
        if name not in bars:
            bars[name] = progress.add_task(name, total=total)
        progress.update(bars[name], completed=done)

    def run(stack, work):  # type: ignore[no-untyped-def]
        with progress:
            return asyncio.run(run_outbox_bench(stack.database_url, processes=processes, writers=writers,
                                                seconds=seconds, pairs=pairs, on_progress=on_progress))

    report = run_on_fresh_stack("outbox", console, run, _all_accounted_for, publishes=False)
    emit(report, out, "outbox", as_json, lambda: _print(report), console)
    if not _all_accounted_for(report):
        console.print(f"[red]rows went missing: {report['checks']}[/]")
        raise typer.Exit(1)


def _all_accounted_for(report: dict) -> bool:  # type: ignore[type-arg]
    return bool(report["checks"]["all_relayed"] and report["checks"]["raw_all_written"])


def _print(report: dict) -> None:  # type: ignore[type-arg]
    loket, raw, checks = report["loket"], report["raw"], report["checks"]
    table = Table(title=f"loket bench outbox — {report['processes']} processes × {report['writers_per_process']} "
                        f"connections, one event per transaction, {report['seconds']:g} s a run, fastest of {report['pairs']}")
    for column in ("figure", "Loket (Outbox.append, relay running)", "raw INSERT, same row", "note"):
        table.add_column(column)
    table.add_row("commits/s", f"{loket['per_s']:,.0f}", f"{raw['per_s']:,.0f}", f"ratio {report['ratio']:.2f}")
    for q in ("p50", "p99"):
        table.add_row(f"{q} latency", f"{loket[q + '_ms']:.1f} ms", f"{raw[q + '_ms']:.1f} ms", "BEGIN … COMMIT, in the writer")
    table.add_row("PostgreSQL CPU per commit", _per_commit(loket, "postgres_s"), _per_commit(raw, "postgres_s"), "")
    table.add_row("every row accounted for", f"{checks['relayed']:,} of {checks['loket_commits']:,} relayed",
                  f"{checks['raw_rows']:,} of {checks['raw_commits']:,} in the table", "")
    console.print(table)
    console.print("Every run: " + ", ".join(f"{r['side']} {r['per_s']:,.0f}/s" for r in report["runs"]))


def _per_commit(side: dict, key: str) -> str:  # type: ignore[type-arg]
    seconds = side["cpu"].get(key)
    return "not measured" if seconds is None or not side["commits"] else f"{seconds / side['commits'] * 1e6:.0f} µs"
