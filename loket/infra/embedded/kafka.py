"""A real three-node Apache Kafka cluster (KRaft) on loopback, from Maven Central: no Docker.

Layout of the data directory (`<LOKET_DATA_DIR>/kafka` by default):

    lib/                 the broker's jars (deploy/kafka/pom.xml, resolved by Maven once)
    cluster.json         cluster id and each node's broker and controller port
    log4j2.properties    logging to stdout, i.e. to each node's kafka.log
    node-N/server.properties, node-N/data/ (log.dirs), node-N/kafka.log, node-N/kafka.pid

Each node is broker and controller at once; the three controllers form the quorum (a static
`controller.quorum.voters`, like deploy/docker-compose.yml). Replication settings are
production's: replication factor 3, min.insync.replicas 2, no topic auto-creation, so a test
that passes here has met the same acks and ISR rules as in production.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loket.contracts.topics import MAX_MESSAGE_BYTES
from loket.infra.embedded.java_runtimes import JavaRuntime
from loket.infra.embedded.kafka_runtime import (
    Progress,
    classpath,
    java_runtime,
    kafka_version,
    resolve_jars,
)
from loket.infra.embedded.kafka_topics import (
    TopicSpec,
    contract_topics,
    describe_topics,
    ensure_topics,
    live_brokers,
)
from loket.infra.embedded.ports import HOST, free_port, port_is_free
from loket.infra.embedded.process import EmbeddedServerError, ServerProcess, pid_alive
from loket.infra.errors import described

NODE_IDS = (1, 2, 3)
BOOTSTRAP_VARIABLE = "LOKET_TEST_KAFKA_BOOTSTRAP"
DEFAULT_HEAP = "384m"
START_TIMEOUT = 180.0
# The last controller standing waits for a quorum that has gone before it exits.
STOP_TIMEOUT = 60.0
FORMAT_TIMEOUT = 120.0

_LOG4J2 = """\
# Written by loket on every start; edits are overwritten.
status = warn
# Kafka logs its own shutdown: Log4j must not stop first in its own shutdown hook.
shutdownHook = disable
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


@dataclass
class NodeStatus:
    node_id: int
    running: bool
    answering: bool
    pid: int | None
    broker: str
    controller: str
    rss_mib: float | None


@dataclass
class ClusterStatus:
    data_dir: Path
    nodes: list[NodeStatus]
    brokers_in_metadata: int | None
    topics: list[dict[str, Any]]

    @property
    def all_up(self) -> bool:
        return all(n.running and n.answering for n in self.nodes)


class KafkaNode:
    """One `kafka.Kafka` JVM: broker and controller of node `node_id`."""

    def __init__(self, cluster_dir: Path, node_id: int) -> None:
        self.node_id = node_id
        self.dir = cluster_dir / f"node-{node_id}"
        self.properties = self.dir / "server.properties"
        self.log_dir = self.dir / "data"
        self.pid_file = self.dir / "kafka.pid"
        self.process = ServerProcess(f"kafka node {node_id}", self.dir / "kafka.log")
        self.broker_port = 0
        self.controller_port = 0

    @property
    def broker(self) -> str:
        return f"{HOST}:{self.broker_port}"

    @property
    def controller(self) -> str:
        return f"{HOST}:{self.controller_port}"

    @property
    def formatted(self) -> bool:
        return (self.log_dir / "meta.properties").is_file()

    def adopt_if_running(self) -> bool:
        """Adopt the JVM a previous `loket kafka up` left running for this node, if any."""
        if self.process.is_running():
            return True
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return False
        if not pid_alive(pid) or not _is_our_broker(pid, self.properties):
            return False
        self.process.adopt(pid)
        return True

    def is_running(self) -> bool:
        return self.process.is_running()

    def answering(self) -> bool:
        try:
            with socket.create_connection((HOST, self.broker_port), timeout=1):
                return True
        except OSError:
            return False

    def start(self, java: str, lib: Path, jvm_options: Sequence[str], log4j: Path) -> None:
        argv = [
            java, *jvm_options, f"-Dlog4j2.configurationFile={log4j}",
            f"-Dkafka.logs.dir={self.dir}", "-cp", classpath(lib),
            "kafka.Kafka", str(self.properties),
        ]
        self.process.spawn(argv, cwd=self.dir)
        assert self.process.pid is not None
        self.pid_file.write_text(f"{self.process.pid}\n")

    def rss_mib(self) -> float | None:
        pid = self.process.pid
        if pid is None:
            return None
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None


class EmbeddedKafkaCluster:
    """Three Kafka nodes under `data_dir` (normally `<LOKET_DATA_DIR>/kafka`)."""

    name = "kafka"

    def __init__(
        self,
        data_dir: Path,
        *,
        heap: str = DEFAULT_HEAP,
        pom: Path | None = None,
        progress: Progress | None = None,
        full_jit: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.full_jit = full_jit
        self.lib_dir = self.data_dir / "lib"
        self.state_file = self.data_dir / "cluster.json"
        self.heap = heap
        self.pom = pom
        self.nodes = [KafkaNode(self.data_dir, i) for i in NODE_IDS]
        self._progress = progress or (lambda _message: None)
        self._cluster_id: str | None = None
        # The Java the last start() resolved (and ran any node it started on): a report names it.
        self.java: JavaRuntime | None = None
        self._load_state()

    # -- what callers read ------------------------------------------------------------------

    @property
    def bootstrap(self) -> str:
        """`host:port,host:port,host:port`: the brokers' client listeners."""
        if not all(n.broker_port for n in self.nodes):
            raise EmbeddedServerError(f"no Kafka cluster has been set up in {self.data_dir}")
        return ",".join(n.broker for n in self.nodes)

    @property
    def cluster_id(self) -> str | None:
        return self._cluster_id

    def running_nodes(self) -> list[KafkaNode]:
        return [n for n in self.nodes if n.adopt_if_running()]

    # -- up ---------------------------------------------------------------------------------

    def start(self, topics: list[TopicSpec] | None = None) -> str:
        """Start the nodes that are not running (idempotent), create the contract topics, and
        return the bootstrap servers. A node that fails to start takes the others we started
        down with it, and the error carries its log tail."""
        began = time.monotonic()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        runtime = self.java = java_runtime()
        java = str(runtime.java)
        already = self.running_nodes()
        to_start = [n for n in self.nodes if n not in already]
        if to_start:
            resolve_jars(self.lib_dir, self.pom, self._progress)
            self._assign_ports(keep=bool(already))
            self._save_state()
            log4j = self.data_dir / "log4j2.properties"
            log4j.write_text(_LOG4J2)
            for node in self.nodes:
                node.dir.mkdir(parents=True, exist_ok=True)
                node.properties.write_text(self._properties(node))
            self._format([n for n in to_start if not n.formatted], java, log4j)
            options = self.jvm_options()
            for node in to_start:
                self._progress(f"starting Kafka node {node.node_id} on {node.broker} "
                               f"(controller {node.controller}, log {node.process.log_path}) on {runtime.describe()}")
                node.start(java, self.lib_dir, options, log4j)
        else:
            self._progress(f"Kafka cluster already running in {self.data_dir}")
        try:
            asyncio.run(self._wait_until_ready(START_TIMEOUT))
            created, present = asyncio.run(
                ensure_topics(self.bootstrap, topics if topics is not None else contract_topics())
            )
        except BaseException:
            for node in to_start:
                node.process.kill()
            raise
        self._progress(
            f"cluster {self._cluster_id} ready: {len(self.nodes)} brokers; topics created "
            f"{len(created)}, already there {len(present)} ({time.monotonic() - began:.1f} s)"
        )
        return self.bootstrap

    def jvm_options(self) -> list[str]:
        # A test and development cluster on small machines: a bounded heap, G1 with short
        # pauses (as kafka-run-class.sh), and out of memory means exit, never limp on.
        # C1 only (TieredStopAtLevel=1): three JVMs JIT-compiling with C2 on 2 cores took
        # 35 s to start instead of 10 s; the brokers' peak throughput is not what is tested.
        # A benchmark's cluster (`full_jit`) compiles with C2 as a production broker does: it
        # starts slower but spends a fraction of the CPU per message once warm.
        # LOKET_KAFKA_JVM_OPTS adds options (e.g. -XX:TieredStopAtLevel=4 to undo that).
        return [
            "-server", f"-Xmx{self.heap}", "-Xms128m",
            "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent", "-XX:+ExitOnOutOfMemoryError",
            *(() if self.full_jit else ("-XX:TieredStopAtLevel=1",)), "-Djava.awt.headless=true",
            *os.environ.get("LOKET_KAFKA_JVM_OPTS", "").split(),
        ]

    def _properties(self, node: KafkaNode) -> str:
        voters = ",".join(f"{n.node_id}@{n.controller}" for n in self.nodes)
        settings = {
            "process.roles": "broker,controller",
            "node.id": node.node_id,
            "controller.quorum.voters": voters,
            "listeners": f"PLAINTEXT://{node.broker},CONTROLLER://{node.controller}",
            "advertised.listeners": f"PLAINTEXT://{node.broker}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": node.log_dir,
            # Production's durability rules (deploy/docker-compose.yml).
            "default.replication.factor": 3,
            "min.insync.replicas": 2,
            "offsets.topic.replication.factor": 3,
            "transaction.state.log.replication.factor": 3,
            "transaction.state.log.min.isr": 2,
            "share.coordinator.state.topic.replication.factor": 3,
            "share.coordinator.state.topic.min.isr": 2,
            "auto.create.topics.enable": "false",
            "unclean.leader.election.enable": "false",
            "message.max.bytes": MAX_MESSAGE_BYTES,
            "replica.fetch.max.bytes": MAX_MESSAGE_BYTES,
            "num.partitions": 3,
            # Small machine, short tests: fewer threads and internal partitions than the
            # defaults, and a new consumer group starts without the 3 s wait for more members.
            "offsets.topic.num.partitions": 10,
            "transaction.state.log.num.partitions": 10,
            "num.network.threads": 2,
            "num.io.threads": 4,
            "background.threads": 4,
            "num.recovery.threads.per.data.dir": 1,
            "log.cleaner.threads": 1,
            "group.initial.rebalance.delay.ms": 0,
            # `down` stops all three nodes at once. With controlled shutdown, a broker whose
            # own controller was the active one could outlive the quorum and then wait for
            # a controller that no longer exists (seen here: a SIGKILL after 60 s).
            "controlled.shutdown.enable": "false",
        }
        lines = ["# Written by loket on every start; edits are overwritten."]
        lines += [f"{key}={value}" for key, value in settings.items()]
        return "\n".join(lines) + "\n"

    def _assign_ports(self, *, keep: bool) -> None:
        """Remembered ports when they are free (or when some nodes run: the running ones know
        their peers by these ports), else fresh ones from the kernel."""
        taken: set[int] = set()
        for node in self.nodes:
            for attr in ("broker_port", "controller_port"):
                port = getattr(node, attr)
                if keep and port:
                    taken.add(port)
                    continue
                if not port or port in taken or not port_is_free(port):
                    port = free_port()
                    while port in taken:
                        port = free_port()
                setattr(node, attr, port)
                taken.add(port)

    def _format(self, nodes: list[KafkaNode], java: str, log4j: Path) -> None:
        """`kafka-storage format` for each node not formatted yet, with the cluster's id."""
        if not nodes:
            return
        if self._cluster_id is None:
            self._cluster_id = _new_cluster_id()
            self._save_state()
        self._progress(f"formatting storage of node(s) {', '.join(str(n.node_id) for n in nodes)} "
                       f"for cluster {self._cluster_id}")
        procs = []
        for node in nodes:
            argv = [
                java, "-Xmx256m", "-XX:TieredStopAtLevel=1", f"-Dlog4j2.configurationFile={log4j}",
                "-cp", classpath(self.lib_dir), "kafka.tools.StorageTool", "format",
                "--cluster-id", self._cluster_id, "--config", str(node.properties),
                "--ignore-formatted",
            ]
            procs.append((node, subprocess.Popen(
                argv, cwd=node.dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                stdin=subprocess.DEVNULL,
            )))
        failures = []
        for node, proc in procs:
            try:
                output, _ = proc.communicate(timeout=FORMAT_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                output, _ = proc.communicate()
            if proc.returncode != 0 or not node.formatted:
                failures.append(f"node {node.node_id} (exit {proc.returncode}):\n{output[-3000:]}")
        if failures:
            raise EmbeddedServerError("formatting Kafka storage failed\n" + "\n".join(failures))

    async def _wait_until_ready(self, timeout: float) -> None:
        """Until every node's JVM runs and the metadata lists all three brokers."""
        deadline = time.monotonic() + timeout
        last_error = ""
        while True:
            for node in self.nodes:
                if not node.is_running():
                    raise EmbeddedServerError(
                        f"kafka node {node.node_id} exited during start-up\n"
                        f"{node.process.log_tail()}"
                    )
            if all(n.answering() for n in self.nodes):
                try:
                    brokers = await live_brokers(self.bootstrap)
                    if len(brokers) == len(self.nodes):
                        return
                    last_error = f"{len(brokers)} of {len(self.nodes)} brokers registered"
                except Exception as exc:  # noqa: BLE001 - any client error means "not yet"
                    last_error = described(exc)
            if time.monotonic() > deadline:
                tails = "\n".join(n.process.log_tail(15) for n in self.nodes)
                raise EmbeddedServerError(
                    f"Kafka cluster not ready after {timeout:.0f} s ({last_error})\n{tails}"
                )
            await asyncio.sleep(0.5)

    # -- down -------------------------------------------------------------------------------

    def stop(self, timeout: float = STOP_TIMEOUT) -> list[str]:
        """SIGTERM every node at once (a controlled shutdown), SIGKILL those still running
        after `timeout`. Returns one line per node saying what happened."""
        running = self.running_nodes()
        for node in running:
            pid = node.process.pid
            if pid is not None:
                try:
                    _signal(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        report = []
        deadline = time.monotonic() + timeout
        for node in running:
            try:
                node.process.stop(signal.SIGTERM, max(1.0, deadline - time.monotonic()))
                report.append(f"node {node.node_id}: stopped")
            except EmbeddedServerError:
                report.append(f"node {node.node_id}: killed (no exit {timeout:.0f} s after SIGTERM)")
            node.pid_file.unlink(missing_ok=True)
        for node in self.nodes:
            if node not in running:
                report.append(f"node {node.node_id}: not running")
        return report

    # -- status -----------------------------------------------------------------------------

    def status(self) -> ClusterStatus:
        nodes = []
        for node in self.nodes:
            running = node.adopt_if_running()
            nodes.append(NodeStatus(
                node_id=node.node_id, running=running,
                answering=running and bool(node.broker_port) and node.answering(),
                pid=node.process.pid, broker=node.broker, controller=node.controller,
                rss_mib=node.rss_mib(),
            ))
        brokers: int | None = None
        described: list[dict[str, Any]] = []
        if any(n.answering for n in nodes):
            bootstrap = ",".join(n.broker for n, s in zip(self.nodes, nodes, strict=True)
                                 if s.answering)
            try:
                brokers = len(asyncio.run(live_brokers(bootstrap)))
                described = asyncio.run(describe_topics(bootstrap))
            except Exception:  # noqa: BLE001 - status reports, it does not fail
                brokers = None
        return ClusterStatus(self.data_dir, nodes, brokers, described)

    def version(self) -> str | None:
        return kafka_version(self.lib_dir)

    # -- state ------------------------------------------------------------------------------

    def _load_state(self) -> None:
        try:
            state = json.loads(self.state_file.read_text())
        except (FileNotFoundError, ValueError):
            state = {}
        self._cluster_id = state.get("cluster_id") or self._formatted_cluster_id()
        ports = state.get("nodes", {})
        for node in self.nodes:
            saved = ports.get(str(node.node_id), {})
            node.broker_port = int(saved.get("broker_port", 0))
            node.controller_port = int(saved.get("controller_port", 0))

    def _formatted_cluster_id(self) -> str | None:
        """The cluster id in a formatted node's meta.properties (cluster.json was lost)."""
        for node in self.nodes:
            try:
                text = (node.log_dir / "meta.properties").read_text()
            except FileNotFoundError:
                continue
            for line in text.splitlines():
                if line.startswith("cluster.id="):
                    return line.partition("=")[2].strip()
        return None

    def _save_state(self) -> None:
        state = {
            "cluster_id": self._cluster_id,
            "nodes": {
                str(n.node_id): {"broker_port": n.broker_port, "controller_port": n.controller_port}
                for n in self.nodes
            },
        }
        self.state_file.write_text(json.dumps(state, indent=2) + "\n")


def _new_cluster_id() -> str:
    """What `kafka-storage random-uuid` prints: 16 random bytes, URL-safe base64, no padding
    (never starting with `-`, which a command line would take for an option)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _is_our_broker(pid: int, properties: Path) -> bool:
    """The pid runs `kafka.Kafka <this node's server.properties>` (not a recycled pid)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc: trust the pid file
    return b"kafka.Kafka" in argv and str(properties).encode() in argv


def _signal(pid: int, sig: signal.Signals) -> None:
    os.kill(pid, sig)
