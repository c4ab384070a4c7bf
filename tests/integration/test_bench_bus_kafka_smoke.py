"""`loket bench bus --bus kafka`, small, on the Kafka cluster CI starts: the pipeline in the
benchmark's process and with two consumer replica processes in one group, every event with
exactly one effect in each run, next to a raw aiokafka baseline whose throw-away topic is
gone afterwards. Runs against LOKET_TEST_KAFKA_BOOTSTRAP (`.ci/run` sets it when `java` and
`mvn` are there)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.kafka_suite import ON_THE_SHARED_CLUSTER, topic_names

EVENTS = 2000

pytestmark = ON_THE_SHARED_CLUSTER


async def test_bench_bus_on_kafka_with_consumer_replicas(database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LOKET_BUS_URL"}
    env["LOKET_DATABASE_URL"] = database_url
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "loket.cli", "bench", "bus", "--bus", "kafka", "--events", str(EVENTS),
         "--consumers", "0,2", "--writers", "2", "--pg-seconds", "0.5", "--warm-up", "500",
         "--warm-up-rounds", "1", "--pairs", "2", "--out", str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "bus-kafka.json").read_text())
    assert report["broker"] == "kafka"
    # The first setting twice, each after a raw run; then the others once.
    assert [r["options"]["consumer_processes"] for r in report["runs"]] == [0, 0, 2]
    for run in report["runs"]:
        assert run["effects"] == run["distinct_effects"] == EVENTS, run
        assert run["events_per_s"] > 0
    # The replicas' CPU is their own figure, not part of `other`; in-process runs have none.
    assert [r["cpu"]["consumers_s"] is None for r in report["runs"]] == [True, True, False]
    assert report["runs"][2]["cpu"]["consumers_s"] > 0
    assert report["raw_bus"]["broker"] == "kafka" and report["raw_bus"]["messages"] == EVENTS
    assert report["raw_bus"]["combined_per_s"] > 0
    floor = report["postgres_floor"]  # the test session's PostgreSQL runs here: its CPU is read
    assert list(floor["stages_cpu_s"]) == ["writers", "relay", "consumer"] and floor["total_cpu_s"] > 0
    # The baseline is the fastest of the raw runs; the warm-up ran its one round of both kinds.
    assert len(report["raw_runs_combined_per_s"]) == 2
    assert report["raw_bus"]["combined_per_s"] == max(report["raw_runs_combined_per_s"])
    assert [p["raw_combined_per_s"] for p in report["pairs"]] == report["raw_runs_combined_per_s"]
    assert [p["pipeline_events_per_s"] for p in report["pairs"]] == [r["events_per_s"] for r in report["runs"][:2]]
    assert [r["events"] for r in report["warm_up"]] == [500]
    assert "warm-up round 1" in result.stdout
    # Which stage a slow round lost its time in (the console wraps the line: read it unwrapped).
    unwrapped = " ".join(result.stdout.split())
    assert re.search(r"warm-up round 1[^;]*; pipeline [0-9,]+ events/s, raw [0-9,]+ msg/s; "
                     r"stages done after written [0-9.]+ s, relayed [0-9.]+ s, consumed [0-9.]+ s", unwrapped), unwrapped
    judged = max(report["runs"], key=lambda r: r["events_per_s"])
    assert report["verdict"]["ratio"] == pytest.approx(judged["events_per_s"] / report["raw_bus"]["combined_per_s"])
    assert "events/s by consumer replicas" in result.stdout
    assert (tmp_path / "bus-kafka.md").read_text().count("consumer process") >= 1
    # The machine's speed probes ran beside the whole benchmark, on every core (host_speed.py); runs
    # this short may fall between two probes of a kind, so only the reference is certain.
    cores = os.sched_getaffinity(0)
    assert set(report["host_reference_ns"]) == ({f"core {c}" for c in cores} | {"memory", "kernel"}
                                                | ({"wake-up"} if len(cores) > 1 else set()))
    assert all(len(run["window"]) == 2 and run["window"][0] < run["window"][1] for run in report["runs"])
    assert "The machine's speed: fixed probes" in (tmp_path / "bus-kafka.md").read_text()
    assert not [t for t in await topic_names() if t.startswith("bench.raw.")]  # the baseline's topic is deleted
