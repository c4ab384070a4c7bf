"""`loket bench letters --bus kafka`, small, on the Kafka cluster CI starts: every letter settles
through the ebox_bridge consuming `letters.issued.v1` from Kafka, the raw aiokafka + asyncpg +
aiohttp baseline handles each event once, both match what the eBox simulator received (the warm-up
rounds before them not counted), and the raw runs' throw-away topics are gone afterwards (a smoke test: no speed is asserted). Runs
against LOKET_TEST_KAFKA_BOOTSTRAP (`.ci/run` sets it when `java` and `mvn` are there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loket.bench.kafka_warm_up import SETTLED_JIT_SHARE
from loket.bench.letters_raw import OUTCOMES, SUBJECT
from loket.bench.letters_warm_up import LEVELLED, LIMIT, NO_LONGER_FALLING, SETTLED
from tests.support.bench_cli import run_bench
from tests.support.kafka_suite import ON_THE_SHARED_CLUSTER, topic_names

LETTERS = 300

pytestmark = ON_THE_SHARED_CLUSTER


async def test_bench_letters_on_kafka_runs_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOKET_BUS_URL", raising=False)  # the cluster comes from LOKET_TEST_KAFKA_BOOTSTRAP
    report = run_bench("letters", tmp_path, "--bus", "kafka", "--count", str(LETTERS), "--warm-up-rounds", "2",
                       report="letters-kafka")
    assert report["broker"] == "kafka" and "Kafka" in report["machine"]["stack"], report["machine"]
    # Raw letters rounds first, on throw-away topics (gone afterwards, below), until the brokers'
    # compiler settled or two ran; the simulator forgot them (its counts below are the runs' own).
    warm_up = report["warm_up"]
    rounds = warm_up["rounds"]
    assert 1 <= len(rounds) <= 2 and all(r["letters"] == LETTERS and r["brokers_s"] > 0 for r in rounds), warm_up
    if warm_up["stopped"] == LIMIT:
        assert len(rounds) == 2, warm_up
    elif warm_up["stopped"] == SETTLED:
        assert rounds[-1]["jit_share"] < SETTLED_JIT_SHARE, warm_up
    else:
        assert warm_up["stopped"] == LEVELLED and rounds[1]["brokers_s"] >= NO_LONGER_FALLING * rounds[0]["brokers_s"]
    loket, raw = report["loket"], report["raw"]
    assert (loket["letters"], loket["missing"]) == (LETTERS, 0)
    assert sum(loket["outcomes"].values()) == LETTERS and loket["outcomes"].get("delivered")
    assert (raw["events"], raw["missing"]) == (LETTERS, 0)
    assert set(raw["outcomes"]) == {"delivered", "paper"} and sum(raw["outcomes"].values()) == LETTERS
    # Each run POSTed what it says it delivered: nothing twice, nothing lost between the runs.
    sim = report["simulator_received"]
    assert sim["loket"]["digital"] == loket["outcomes"]["delivered"]
    assert sim["raw"] == {"messages": LETTERS, "digital": raw["outcomes"]["delivered"],
                          "no_digital_user": raw["outcomes"]["paper"]}
    assert report["simulator_consistent"] == {"loket": True, "raw": True}
    assert report["ratio"] == loket["letters_per_s"] / raw["events_per_s"]
    assert not {SUBJECT, OUTCOMES} & await topic_names()
    assert not (tmp_path / "letters.json").exists()  # the NATS figures are left alone
