"""Run a benchmark on its own fresh embedded stack (PostgreSQL and NATS in a temporary folder,
or the servers LOKET_DATABASE_URL / LOKET_BUS_URL name), keeping the folder and its logs when
the run did not succeed."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from loket.bench.bus_report import machine_info
from loket.bench.shared_bus import refuse_on_a_live_bus
from loket.bench.work_folder import leave_work_folder
from loket.devstack.stack import Stack, running_stack
from loket.infra.settings import LoketSettings

Report = dict[str, Any]


def run_on_fresh_stack(name: str, console: Console, run: Callable[[Stack, Path], Report],
                       succeeded: Callable[[Report], bool], nats_only: bool = False,
                       publishes: bool = True) -> Report:
    """`publishes`: the benchmark puts test events on the bus (all but `outbox`, which counts its
    relay's rows without a bus); on a bus it did not start it first makes sure no Loket
    installation consumes there."""
    work = Path(tempfile.mkdtemp(prefix=f"loket-bench-{name}-"))
    report: Report = {}
    try:
        with running_stack(LoketSettings(data_dir=work)) as stack:
            if nats_only and not stack.bus_url.startswith("nats://"):
                raise typer.BadParameter(f"the {name} benchmark runs on NATS JetStream (LOKET_BUS_URL=nats://…)")
            if publishes and "nats" not in stack.embedded:
                refuse_on_a_live_bus(stack.bus_url, console)
            report = run(stack, work)
            report["machine"] = machine_info("embedded" if stack.embedded else "external servers")
    finally:  # after a failure the services' logs tell what went wrong
        leave_work_folder(work, keep=not (report and succeeded(report)), console=console)
    return report
