"""`loket bench letters` on a small load: every letter settles, the outcome splits add up on
both sides and match what the eBox simulator received, and the report carries the ratio (a
smoke test: no speed is asserted); `--via http` sends the same kind of letters through the
letters API, in batches and one by one, next to the bus path. The raw baseline is also checked on its own, on the test
session's servers, so it is covered even while the ebox_bridge is being changed."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.js.errors import NotFoundError

from loket.bench.letters_load import bench_national_number, letter_load
from loket.bench.letters_raw import SCHEMA, STREAM, run_raw_letters
from loket.bench.letters_sim import running_simulator, simulator_received
from loket.infra.bus.address import parse_bus_url
from tests.support.bench_cli import run_bench

pytestmark = pytest.mark.slow


def test_bench_letters_runs_end_to_end(tmp_path: Path) -> None:
    report = run_bench("letters", tmp_path, "--count", "300")
    assert report["warm_up"] is None  # JetStream has no compiler to warm up
    loket, raw = report["loket"], report["raw"]
    assert (loket["letters"], loket["missing"]) == (300, 0)
    assert sum(loket["outcomes"].values()) == 300
    assert set(loket["outcomes"]) <= {"delivered", "paper", "failed"} and loket["outcomes"].get("delivered")
    assert raw["events"] == 300 and sum(raw["outcomes"].values()) == 300
    assert set(raw["outcomes"]) == {"delivered", "paper"}
    # The simulator accepted one message per delivered letter plus one per NO_DIGITAL_USER answer.
    sim = report["simulator_received"]
    assert sim["loket"]["digital"] == loket["outcomes"]["delivered"]
    assert sim["loket"]["messages"] == loket["outcomes"]["delivered"] + sim["loket"]["no_digital_user"]
    assert sim["loket"]["no_digital_user"] <= loket["outcomes"].get("paper", 0)
    assert sim["raw"] == {"messages": 300, "digital": raw["outcomes"]["delivered"],
                          "no_digital_user": raw["outcomes"]["paper"]}
    assert report["simulator_consistent"] == {"loket": True, "raw": True}
    assert report["ratio"] == loket["letters_per_s"] / raw["events_per_s"]
    assert 0 < loket["p50_ms"] <= loket["p99_ms"]


def test_bench_letters_via_http_runs_end_to_end(tmp_path: Path) -> None:
    report = run_bench("letters", tmp_path, "--via", "http", "--count", "200", "--batch-size", "60",
                       "--single-count", "80", "--single-rate", "40")
    bus, http = report["loket"], report["http"]
    assert report["via"] == "http" and report["raw"] is None  # the bus path is the baseline here
    assert (bus["letters"], bus["missing"]) == (200, 0) and (http["letters"], http["missing"]) == (200, 0)
    assert http["refused"] == 0 and sum(http["outcomes"].values()) == 200 and http["outcomes"].get("delivered")
    # What the HTTP run delivered is what the simulator received in that run, no more.
    assert report["simulator_received"]["http"]["digital"] == http["outcomes"]["delivered"]
    assert report["simulator_consistent"] == {"loket": True, "http": True}
    assert http["ratio_accepted_to_bus"] == http["accepted_per_s"] / report["bus_handed_over_per_s"]
    assert http["ratio_settled_to_bus"] == http["letters_per_s"] / bus["letters_per_s"]
    single = report["single"]
    assert single["http"]["answered"] == 80 and single["http"]["refused"] == {}
    assert single["http_in_worker"]["answered"] == 80 and single["http_in_worker"]["refused"] == {}
    assert single["bus"]["answered"] == 80
    assert 0 < single["http"]["p50_ms"] <= single["http"]["p95_ms"] <= single["http"]["p99_ms"]


def test_bench_load_has_distinct_valid_national_numbers() -> None:
    from stdnum.be import nn

    indices = {*range(0, 20_000_000, 997), *range(3000), 20_098_079}  # up to the last distinct one
    numbers = [bench_national_number(i) for i in indices]
    assert all(nn.is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    load = letter_load(50, 0, seed=7)
    assert len({item.letter_id for item in load}) == len({item.event_id for item in load}) == 50
    body = json.loads(load[0].body)
    assert body["payload"]["municipality"] == "12025" and body["payload"]["pdf_base64"].startswith("JVBERi")


async def test_raw_baseline_handles_each_event_once(database_url: str, bus_url: str, tmp_path: Path) -> None:
    stages: dict[str, float] = {}
    async with running_simulator(tmp_path) as sim:
        result = await run_raw_letters(
            database_url, bus_url, sim.url, sim.key, letter_load(200, 5_000_000, seed=3), 8,
            lambda stage, done: stages.__setitem__(stage, done),
        )
        received = await simulator_received(sim)
    assert result.events == 200 and result.per_second > 0
    assert sum(result.outcomes.values()) == 200 and set(result.outcomes) == {"delivered", "paper"}, result.outcomes
    assert stages == {"published": 200, "handled": 200}
    # Every event POSTed exactly once: digital citizens' ones delivered, the others NO_DIGITAL_USER.
    assert received == {"messages": 200, "digital": result.outcomes["delivered"],
                        "no_digital_user": result.outcomes["paper"]}
    assert 0.15 < result.outcomes["delivered"] / 200 < 0.55  # the simulator's 35 % digital
    # Its own stream and schema are gone afterwards.
    conn = await asyncpg.connect(database_url)
    try:
        assert not await conn.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = $1", SCHEMA)
    finally:
        await conn.close()
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        with pytest.raises(NotFoundError):
            await nc.jetstream().stream_info(STREAM)
    finally:
        await nc.close()
