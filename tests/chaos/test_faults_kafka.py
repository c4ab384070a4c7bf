"""The fault suite on a real three-broker Kafka of its own (`EmbeddedKafkaCluster`, as
`loket kafka up` starts it): the same play and the same auditor as on NATS, with the bus fault
being a SIGKILL of the broker leading `letters.issued.v1`'s partitions mid-flow and its restart
(the partitions fail over to another replica; `min.insync.replicas=2` holds with two of three).
Every service is SIGKILLed in turn, so its consumer groups rebalance as it leaves and rejoins."""

from __future__ import annotations

import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from loket.infra.embedded import EmbeddedPostgres
from loket.infra.embedded.kafka import EmbeddedKafkaCluster
from tests.chaos.kafka_faults import LeaderOfTheLetterIntake
from tests.chaos.test_faults import CHAOS_ENV, Chaos, play, report
from tests.e2e.test_loket_up import start_up, stop_up
from tests.support.hostile_events import hostile_events

pytestmark = [pytest.mark.chaos, pytest.mark.slow, pytest.mark.kafka, pytest.mark.timeout(1200),
              pytest.mark.skipif(not (shutil.which("java") and shutil.which("mvn")),
                                 reason="Kafka's broker needs java and mvn (Debian package `maven`; .ci/run installs it)")]
HOSTILE_EVENTS = 400  # as on NATS


def test_faults_on_kafka_leave_every_invariant_intact(tmp_path: Path) -> None:
    with ProcessPoolExecutor(1) as pool:
        hostile_future = pool.submit(hostile_events, HOSTILE_EVENTS)
        cluster = EmbeddedKafkaCluster(tmp_path / "kafka", heap="384m")
        bootstrap = cluster.start()
        try:
            with EmbeddedPostgres(tmp_path / "postgres") as postgres:
                proc, runtime = start_up(tmp_path, LOKET_DATABASE_URL=postgres.url, LOKET_BUS_URL=f"kafka://{bootstrap}",
                                         **CHAOS_ENV)
                try:
                    chaos = Chaos(tmp_path, runtime, postgres, LeaderOfTheLetterIntake(cluster), proc.pid)
                    results = play(chaos, hostile_future, tmp_path)
                finally:
                    stop_up(proc)
        finally:
            cluster.stop()
    report(chaos, results)
