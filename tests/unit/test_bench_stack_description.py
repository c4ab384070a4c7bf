"""A benchmark report's stack line names the Java of a Kafka cluster it started itself, and says
nothing of a cluster it was pointed at (whose Java it cannot know)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loket.cli import bench_stack
from loket.devstack.stack import Stack
from loket.infra.embedded.java_runtimes import JavaRuntime


def _stack(tmp_path: Path, *embedded: str) -> Stack:
    return Stack("postgresql://bench@127.0.0.1/loket", "kafka://127.0.0.1:9092", tmp_path, embedded)


def test_our_own_clusters_java_is_in_the_stack_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_stack, "java_runtime", lambda: JavaRuntime(Path("/opt/jdk-21/bin/java"), 21))
    line = bench_stack.describe(_stack(tmp_path, "postgres", "kafka"), "kafka")
    assert line == "embedded PostgreSQL (fsync on), three Kafka brokers on Java 21 (acks=all, min.insync.replicas 2)"


def test_a_cluster_we_were_pointed_at_is_described_without_a_java(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def no_java_asked() -> JavaRuntime:
        raise AssertionError("the Java of somebody else's cluster is not ours to name")

    monkeypatch.setattr(bench_stack, "java_runtime", no_java_asked)
    line = bench_stack.describe(_stack(tmp_path, "postgres"), "kafka")
    assert line == "embedded PostgreSQL (fsync on), three Kafka brokers (acks=all, min.insync.replicas 2)"
