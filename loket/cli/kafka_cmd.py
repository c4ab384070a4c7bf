"""`loket kafka up|down|status`: a real three-broker Kafka (KRaft) on loopback, no Docker.

The broker jars come from Maven Central (deploy/kafka/pom.xml, resolved once into the data
directory); Java 17+ runs them. `up` prints `LOKET_TEST_KAFKA_BOOTSTRAP=...` as its last line,
so a shell can `export` it and run the `kafka`-marked tests:

    export "$(loket kafka up | tail -n 1)" && pytest -m kafka
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import NoReturn

import typer

from loket.cli.database_target import configured_bus_url
from loket.infra.bus.address import parse_bus_url
from loket.infra.bus.kafka_group_members import holdings_label, readers_label
from loket.infra.bus.kafka_lag import ConsumerGroups, consumer_groups
from loket.infra.embedded import default_data_dir
from loket.infra.embedded.kafka import (
    BOOTSTRAP_VARIABLE,
    DEFAULT_HEAP,
    STOP_TIMEOUT,
    EmbeddedKafkaCluster,
)
from loket.infra.embedded.kafka_runtime import KafkaToolMissing
from loket.infra.embedded.process import EmbeddedServerError
from loket.infra.errors import described
from loket.infra.settings import LoketSettings

app = typer.Typer(
    help=(
        "A real three-node Apache Kafka cluster (KRaft, broker+controller per node) on "
        "127.0.0.1, for development and the `kafka`-marked tests. Needs `java` (17+) and, "
        "the first time, `mvn`; no Docker."
    ),
    no_args_is_help=True,
)

DATA_DIR_HELP = "cluster folder (default: <LOKET_DATA_DIR or the user data directory>/kafka)"


def _cluster(data_dir: Path | None, heap: str = DEFAULT_HEAP) -> EmbeddedKafkaCluster:
    folder = data_dir if data_dir is not None else default_data_dir() / "kafka"
    return EmbeddedKafkaCluster(
        folder.expanduser(), heap=heap, progress=lambda m: typer.echo(m, err=True)
    )


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


@app.command("up")
def up(
    data_dir: Path = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
    heap: str = typer.Option(DEFAULT_HEAP, help="maximum Java heap of each broker (-Xmx)"),
) -> None:
    """Start the three brokers (or find them running) and create every contract topic.

    The first run resolves the broker's jars with Maven and formats each node's storage;
    later runs reuse both. Topics of loket/contracts/topics.py and their .dlq twins get
    production's partition counts, replication factor 3 and min.insync.replicas 2; topic
    auto-creation is off. Progress goes to stderr; the last line on stdout is
    `LOKET_TEST_KAFKA_BOOTSTRAP=host:port,host:port,host:port`. Idempotent.
    """
    cluster = _cluster(data_dir, heap)
    try:
        bootstrap = cluster.start()
    except KafkaToolMissing as exc:
        _fail(f"cannot start Kafka here: {exc}", code=2)
    except EmbeddedServerError as exc:
        _fail(f"Kafka did not start:\n{exc}")
    typer.echo(f"{BOOTSTRAP_VARIABLE}={bootstrap}")


@app.command("down")
def down(
    data_dir: Path = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
    timeout: float = typer.Option(STOP_TIMEOUT, help="seconds to wait after SIGTERM before SIGKILL"),
) -> None:
    """Stop the brokers: SIGTERM (controlled shutdown), SIGKILL after --timeout.

    Data (topics, offsets) stays in the data directory for the next `up`; delete the folder
    for a fresh cluster."""
    for line in _cluster(data_dir).stop(timeout):
        typer.echo(line)


@app.command("status")
def status(
    data_dir: Path = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
    members: bool = typer.Option(False, "--members", help="also list each group's members: client id, host and partitions"),
) -> None:
    """Each node up or down (pid, ports, memory), the topics, and each consumer group's lag and
    readers; exit 1 unless all are up."""
    cluster = _cluster(data_dir)
    report = cluster.status()
    version = cluster.version() or "not resolved yet"
    typer.echo(f"Kafka {version} in {report.data_dir} (cluster id {cluster.cluster_id or '-'})")
    for node in report.nodes:
        state = "up" if node.running and node.answering else ("starting" if node.running else "down")
        rss = f"  rss {node.rss_mib:.0f} MiB" if node.rss_mib is not None else ""
        pid = f"  pid {node.pid}" if node.pid else ""
        typer.echo(f"node {node.node_id}: {state:8} broker {node.broker}  "
                   f"controller {node.controller}{pid}{rss}")
    if report.brokers_in_metadata is not None:
        typer.echo(f"brokers in the cluster metadata: {report.brokers_in_metadata}")
    if report.topics:
        typer.echo("topics:")
        for t in report.topics:
            lag = f"  under-replicated partitions {t['under_replicated']}" if t["under_replicated"] else ""
            typer.echo(f"  {t['topic']:28} partitions {t['partitions']:3}  "
                       f"replication {t['replication_factor']}{lag}")
    if report.all_up:
        try:
            bootstrap = cluster.bootstrap
        except EmbeddedServerError:
            return
        _print_consumer_groups(bootstrap, members)
        typer.echo(f"{BOOTSTRAP_VARIABLE}={bootstrap}")  # the last line, as `up` prints it
    else:
        raise typer.Exit(1)


@app.command("groups")
def groups(
    bootstrap: str = typer.Option(
        None, "--bootstrap",
        help="host:port,… of the cluster (default: LOKET_BUS_URL when it is kafka://…, else the Kafka "
             "the data directory's `loket up` uses, else the data directory's `loket kafka up` cluster)"),
    members: bool = typer.Option(False, "--members", help="also list each group's members: client id, host and partitions"),
) -> None:
    """Each consumer group's lag and readers on any Kafka cluster, a production one included:
    a lag that grows with nobody reading is a stopped service, one that grows while members
    hold the partitions a slow or stuck one. Exit 1 when the cluster cannot be read."""
    if not _print_consumer_groups(_bootstrap_of(bootstrap), members):
        raise typer.Exit(1)


def _bootstrap_of(given: str | None) -> str:
    if given:
        return given
    configured = configured_bus_url(LoketSettings())
    if configured and (address := parse_bus_url(configured)).kind == "kafka":
        return ",".join(address.servers)
    try:
        return _cluster(None).bootstrap
    except EmbeddedServerError as exc:
        _fail(f"no Kafka cluster to read: give --bootstrap host:port, set LOKET_BUS_URL=kafka://…, "
              f"or start one with `loket kafka up` ({exc})")


def _print_consumer_groups(bootstrap: str, with_members: bool) -> bool:
    """Each consumer group's lag and readers per topic: what a stuck or stopped service leaves
    unread, and which replicas hold the partitions. False when the cluster could not be read."""
    try:
        groups = asyncio.run(consumer_groups(bootstrap))
    except Exception as exc:  # noqa: BLE001 - reported in words, not as a traceback
        typer.echo(f"consumer groups: could not be read from {bootstrap} ({described(exc)})")
        return False
    if not groups.lags:
        typer.echo("consumer groups: none has committed an offset or holds a partition yet")
        return True
    for line in consumer_group_lines(groups, with_members):
        typer.echo(line)
    return True


UNCOMMITTED_MARK = "*"


def consumer_group_lines(groups: ConsumerGroups, with_members: bool = False) -> list[str]:
    """The table `kafka status` prints: columns as wide as their longest entry."""
    described = groups.members or {}
    rows = [(r.group, r.topic, f"{r.lag:,}{UNCOMMITTED_MARK if r.uncommitted else ''}",
             readers_label(described.get(r.group), r.topic)) for r in groups.lags]
    widths = [max(len(row[i]) for row in [("group", "topic", "lag", "")] + rows) for i in range(3)]
    lines = ["consumer groups (lag: records the group has not handled yet; readers: members holding "
             "the topic's partitions):",
             f"  {'group':{widths[0]}}  {'topic':{widths[1]}}  {'lag':>{widths[2]}}  readers"]
    shown: set[str] = set()
    for group, topic, lag, readers in rows:
        lines.append(f"  {group:{widths[0]}}  {topic:{widths[1]}}  {lag:>{widths[2]}}  {readers}")
        if with_members and group in described and group not in shown:
            shown.add(group)
            for m in described[group].members:
                lines.append(f"      member {m.client_id} on {m.host}: {holdings_label(described[group], m)}")
    if any(r.uncommitted for r in groups.lags):
        lines.append(f"  {UNCOMMITTED_MARK} counts the partitions the group has not committed on yet from their first "
                     "record, where a new group starts")
    if groups.members_error:
        lines.append(f"  (readers not known: {groups.members_error})")
    return lines
