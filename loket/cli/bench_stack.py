"""The stack a benchmark runs on, for `--bus nats` or `--bus kafka`: the embedded (or configured)
PostgreSQL, and NATS as `running_stack` gives it, or a Kafka cluster: LOKET_BUS_URL when it is
kafka://…, else LOKET_TEST_KAFKA_BOOTSTRAP's cluster, else three brokers started in the data
folder (and stopped after), as `loket kafka up` starts them."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console

from loket.bench.shared_bus import refuse_on_a_live_bus
from loket.devstack.stack import Stack, running_stack
from loket.infra.bus.address import parse_bus_url
from loket.infra.embedded.kafka import BOOTSTRAP_VARIABLE, EmbeddedKafkaCluster
from loket.infra.embedded.kafka_runtime import KafkaToolMissing
from loket.infra.settings import LoketSettings

BUSES = ("nats", "kafka")


def check_bus_choice(broker: str) -> None:
    if broker not in BUSES:
        raise typer.BadParameter("choose nats or kafka", param_hint="--bus")


@contextlib.contextmanager
def bench_stack(data_dir: Path, broker: str, console: Console) -> Iterator[Stack]:
    kafka = kafka_url(data_dir, console) if broker == "kafka" else contextlib.nullcontext((None, None))
    with kafka as (url, own_cluster):
        settings = LoketSettings(data_dir=data_dir, bus_url=url) if url else LoketSettings(data_dir=data_dir)
        with running_stack(settings) as stack:
            if parse_bus_url(stack.bus_url).kind != broker:
                raise typer.BadParameter(f"LOKET_BUS_URL is not a {broker} bus", param_hint="--bus")
            ours = own_cluster is not None if broker == "kafka" else "nats" in stack.embedded
            if not ours:
                refuse_on_a_live_bus(stack.bus_url, console)
            yield (dataclasses.replace(stack, embedded=(*stack.embedded, "kafka"), kafka=own_cluster)
                   if own_cluster is not None else stack)


def describe(stack: Stack, broker: str) -> str:
    """Where a benchmark ran, for its report: what was embedded, and the durability settings."""
    if broker == "kafka":
        postgres = "embedded PostgreSQL (fsync on)" if "postgres" in stack.embedded else "external PostgreSQL"
        # Our own cluster's Java, as it started the brokers: runs may differ by it.
        java = f" on {stack.kafka.java.name}" if stack.kafka is not None and stack.kafka.java else ""
        return f"{postgres}, three Kafka brokers{java} (acks=all, min.insync.replicas 2)"
    if stack.embedded == ("postgres", "nats"):
        return "embedded (PostgreSQL fsync on, JetStream sync always)"
    return f"external servers except {', '.join(stack.embedded) or 'none'} embedded"


@contextlib.contextmanager
def kafka_url(data_dir: Path, console: Console) -> Iterator[tuple[str, EmbeddedKafkaCluster | None]]:
    """The Kafka bus URL, and the cluster when it is this call's own."""
    configured = os.environ.get("LOKET_BUS_URL", "")
    if configured.startswith("kafka://"):
        yield configured, None
        return
    if bootstrap := os.environ.get(BOOTSTRAP_VARIABLE):
        yield f"kafka://{bootstrap}", None
        return
    # Compiled as production compiles it (C2): a benchmark measures brokers at their steady state.
    cluster = EmbeddedKafkaCluster(data_dir / "kafka", progress=lambda m: console.print(f"[dim]{m}[/]"),
                                   full_jit=True)
    try:
        bootstrap = cluster.start()
    except KafkaToolMissing as exc:
        console.print(f"[red]--bus kafka needs a Kafka cluster: set LOKET_BUS_URL=kafka://… or start one here: {exc}[/]")
        raise typer.Exit(2) from exc
    try:
        yield f"kafka://{bootstrap}", cluster
    finally:
        cluster.stop()
