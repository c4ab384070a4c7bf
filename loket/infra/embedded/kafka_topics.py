"""The contracts' topics on a Kafka cluster: every topic and its `.dlq` twin, created up front
(auto-creation is off) with production's partition counts, replication factor 3 and
min.insync.replicas 2, as deploy/k8s/base/topics-job.yaml and deploy/docker-compose.yml do.

A `.dlq` twin also gets `retention.ms` of `LOKET_DLQ_BODY_DAYS`: Kafka cannot remove the body of
one record and keep its headers, so a dead letter (reason included) leaves whole after that many
days (see dlq_store/body_retention.py for NATS, which keeps the reason)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    NotCoordinatorError,
)

from loket.contracts import topics
from loket.infra.settings import LoketSettings

# loket/infra/embedded/kafka_topics.py -> the checkout's deploy/k8s/base/config.yaml
K8S_CONFIG = Path(__file__).resolve().parents[3] / "deploy" / "k8s" / "base" / "config.yaml"
REPLICATION_FACTOR = 3
TOPIC_CONFIGS = {"min.insync.replicas": "2", "max.message.bytes": str(topics.MAX_MESSAGE_BYTES)}
# Used only for a topic the production list does not name yet (a contract added since).
DEFAULT_PARTITIONS, DEFAULT_DLQ_PARTITIONS = 3, 1
DAY_MS = 24 * 3600 * 1000
_TOPIC_ALREADY_EXISTS = 36
_COORDINATOR_PROBE_GROUP = "loket-coordinator-probe"  # asked for, never joined
_OFFSETS_TOPIC = "__consumer_offsets"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int = REPLICATION_FACTOR
    configs: tuple[tuple[str, str], ...] = ()  # on top of TOPIC_CONFIGS, e.g. a DLQ's retention.ms

    def topic_configs(self) -> dict[str, str]:
        return {**TOPIC_CONFIGS, **dict(self.configs)}


def production_partitions(config: Path = K8S_CONFIG) -> dict[str, int]:
    """`topic: partitions` of the `kafka-topics` ConfigMap (empty when the file is absent)."""
    try:
        documents = list(yaml.safe_load_all(config.read_text()))
    except FileNotFoundError:
        return {}
    for doc in documents:
        if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" \
                and doc.get("metadata", {}).get("name") == "kafka-topics":
            counts: dict[str, int] = {}
            for line in str(doc.get("data", {}).get("topics", "")).split():
                name, _, partitions = line.partition(":")
                counts[name] = int(partitions)
            return counts
    return {}


def contract_topics(config: Path = K8S_CONFIG, dlq_days: int | None = None) -> list[TopicSpec]:
    """Every topic of loket/contracts/topics.py and its DLQ twin, in that order; the twins keep
    records `dlq_days` (default: LOKET_DLQ_BODY_DAYS). Applies to topics created here, not to
    topics that already exist."""
    counts = production_partitions(config)
    days = dlq_days if dlq_days is not None else LoketSettings().dlq_body_days
    dlq_configs = (("retention.ms", str(days * DAY_MS)),)
    specs = [TopicSpec(t, counts.get(t, DEFAULT_PARTITIONS)) for t in topics.ALL_TOPICS]
    specs += [
        TopicSpec(dlq, counts.get(dlq, DEFAULT_DLQ_PARTITIONS), configs=dlq_configs)
        for dlq in (topics.dlq_topic(t) for t in topics.ALL_TOPICS)
    ]
    return specs


def admin_client(bootstrap: str, request_timeout_ms: int = 10_000) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="loket-kafka-cli",
        request_timeout_ms=request_timeout_ms,
    )


async def live_brokers(bootstrap: str) -> list[dict[str, Any]]:
    """The brokers the cluster's metadata lists as alive (raises when none answers)."""
    admin = admin_client(bootstrap, request_timeout_ms=3_000)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        return list(cluster["brokers"])
    finally:
        await admin.close()


async def ensure_topics(
    bootstrap: str, specs: list[TopicSpec], timeout: float = 60.0
) -> tuple[list[str], list[str]]:
    """Create the topics that are missing; return (created, already there).

    Waits until every partition of every topic has a leader, so that a producer started right
    after this returns does not meet `LEADER_NOT_AVAILABLE`.
    """
    admin = admin_client(bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        created: list[str] = []
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.topic_configs())
                    for s in missing
                ],
                timeout_ms=int(timeout * 1000),
            )
            for name, code, *rest in response.topic_errors:
                if code == _TOPIC_ALREADY_EXISTS:
                    continue
                if code != 0:
                    message = rest[0] if rest else ""
                    raise RuntimeError(f"creating topic {name} failed: error {code} {message}")
                created.append(name)
        await _wait_for_leaders(admin, [s.name for s in specs], timeout)
        await wait_for_group_coordinator(admin, timeout)
        return created, sorted(existing & {s.name for s in specs})
    finally:
        await admin.close()


async def wait_for_group_coordinator(admin: AIOKafkaAdminClient, timeout: float) -> None:
    """Until the cluster names a consumer group coordinator. A new cluster creates its offsets
    topic on the first request for one; a service's consumer asking first logs
    `GroupCoordinatorNotAvailableError` at ERROR until it exists, which on a fresh `loket kafka up`
    was every service's first start."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await admin.find_coordinator(_COORDINATOR_PROBE_GROUP)
            # Created now, if it was not: every group's coordinator has a leader once all of its
            # partitions do (not only the probe's).
            await _wait_for_leaders(admin, [_OFFSETS_TOPIC], max(0.0, deadline - time.monotonic()))
            return
        except (CoordinatorNotAvailableError, NotCoordinatorError, CoordinatorLoadInProgressError) as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no consumer group coordinator after {timeout:.0f} s: {exc}") from exc
        await asyncio.sleep(0.2)


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        described = await admin.describe_topics(names)
        pending = [
            t["topic"] for t in described
            if t["error_code"] != 0 or not t["partitions"]
            or any(p["leader"] < 0 for p in t["partitions"])
        ]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"topics without a leader after {timeout:.0f} s: {pending}")
        await asyncio.sleep(0.2)


async def describe_topics(bootstrap: str) -> list[dict[str, Any]]:
    """Name, partitions, replication factor and in-sync replicas of every non-internal topic."""
    admin = admin_client(bootstrap, request_timeout_ms=5_000)
    await admin.start()
    try:
        described = await admin.describe_topics()
    finally:
        await admin.close()
    rows = []
    for t in sorted(described, key=lambda t: t["topic"]):
        if t.get("is_internal") or t["topic"].startswith("__"):
            continue
        partitions = t["partitions"]
        rows.append({
            "topic": t["topic"],
            "partitions": len(partitions),
            "replication_factor": min((len(p["replicas"]) for p in partitions), default=0),
            "under_replicated": sum(len(p["isr"]) < len(p["replicas"]) for p in partitions),
        })
    return rows
