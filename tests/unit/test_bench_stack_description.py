"""A benchmark report's stack line names the Java its own Kafka cluster started the brokers on
(without running `java -version` again), and says nothing of a cluster it was pointed at (whose
Java it cannot know)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from loket.cli import bench_stack
from loket.devstack.stack import Stack
from loket.infra.embedded import kafka_runtime
from loket.infra.embedded.java_runtimes import JavaRuntime
from loket.infra.embedded.kafka import EmbeddedKafkaCluster


def _stack(tmp_path: Path, *embedded: str) -> Stack:
    return Stack("postgresql://bench@127.0.0.1/loket", "kafka://127.0.0.1:9092", tmp_path, embedded)


@pytest.fixture(autouse=True)
def _no_java_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_java_asked() -> JavaRuntime:
        raise AssertionError("describing a stack asked for a Java again")

    monkeypatch.setattr(kafka_runtime, "java_runtime", no_java_asked)


def test_our_own_clusters_java_is_in_the_stack_line(tmp_path: Path) -> None:
    cluster = EmbeddedKafkaCluster(tmp_path / "kafka")
    cluster.java = JavaRuntime(Path("/opt/jdk-21/bin/java"), 21)  # what its start() resolved
    stack = dataclasses.replace(_stack(tmp_path, "postgres", "kafka"), kafka=cluster)
    line = bench_stack.describe(stack, "kafka")
    assert line == "embedded PostgreSQL (fsync on), three Kafka brokers on Java 21 (acks=all, min.insync.replicas 2)"


def test_a_cluster_we_were_pointed_at_is_described_without_a_java(tmp_path: Path) -> None:
    line = bench_stack.describe(_stack(tmp_path, "postgres"), "kafka")
    assert line == "embedded PostgreSQL (fsync on), three Kafka brokers (acks=all, min.insync.replicas 2)"
