"""The embedded brokers' JIT: C1 only for test clusters (three JVMs on 2 cores start in 10 s, not
35 s), full C2 for a benchmark's own cluster, which measures brokers at their steady state."""

from __future__ import annotations

from pathlib import Path

import pytest

from loket.infra.embedded.kafka import EmbeddedKafkaCluster

C1_ONLY = "-XX:TieredStopAtLevel=1"


def test_a_test_cluster_compiles_with_c1_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOKET_KAFKA_JVM_OPTS", raising=False)
    assert C1_ONLY in EmbeddedKafkaCluster(tmp_path).jvm_options()


def test_a_benchmark_cluster_compiles_as_production_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOKET_KAFKA_JVM_OPTS", raising=False)
    options = EmbeddedKafkaCluster(tmp_path, full_jit=True).jvm_options()
    assert not [o for o in options if o.startswith("-XX:TieredStopAtLevel")]
    assert "-XX:+ExitOnOutOfMemoryError" in options  # the rest as before
