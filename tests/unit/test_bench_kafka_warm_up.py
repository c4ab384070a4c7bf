"""The Kafka benchmark's warm-up stops once the brokers' JIT compiler has settled, and says so."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from loket.bench import kafka_warm_up
from loket.bench.bus_report import cpu_summary
from loket.bench.cpu_usage import CpuUsage
from loket.bench.kafka_warm_up import SETTLED_JIT_SHARE, WarmUpRound, warm_up_kafka
from loket.bench.pipeline import PipelineOptions


def test_a_round_is_settled_below_the_share_and_when_nothing_can_be_measured() -> None:
    assert WarmUpRound(1000, 4.0, 2.0).jit_share == 0.5
    assert not WarmUpRound(1000, 4.0, 2.0).settled
    assert WarmUpRound(1000, 4.0, 4.0 * SETTLED_JIT_SHARE * 0.9).settled
    assert WarmUpRound(1000, None, None).settled  # not Linux: one round, no way to tell


@pytest.mark.parametrize(("shares", "max_rounds", "expected_rounds"), [
    ([(4.0, 2.0), (4.0, 1.0), (4.0, 0.2), (4.0, 0.1)], 8, 3),  # 50 %, 25 %, 5 %: stops at the third
    ([(4.0, 2.0), (4.0, 2.0), (4.0, 2.0)], 2, 2),  # never settles: the cap holds
])
def test_rounds_run_until_the_compiler_settles_or_the_cap(
    monkeypatch: pytest.MonkeyPatch, shares: list[tuple[float, float]], max_rounds: int, expected_rounds: int,
) -> None:
    calls: list[str] = []

    async def raw(bootstrap: str, events: int, *args: Any) -> None:
        calls.append(f"raw {events}")

    scripted = iter(shares)

    async def pipeline(database_url: str, bus_url: str, options: PipelineOptions) -> Any:
        calls.append(f"pipeline {options.events} x{options.consumer_processes}")
        brokers, jit = next(scripted)
        return SimpleNamespace(cpu={"kafka_s": brokers, "kafka_jit_s": jit})

    monkeypatch.setattr(kafka_warm_up, "run_raw_kafka", raw)
    monkeypatch.setattr(kafka_warm_up, "run_pipeline", pipeline)
    seen: list[int] = []
    rounds = asyncio.run(warm_up_kafka(
        "postgresql://db", "kafka://a:1", "a:1", PipelineOptions(), events=700, max_rounds=max_rounds,
        consumer_processes=2, partitions=12, on_round=lambda number, done: seen.append(number)))
    assert len(rounds) == expected_rounds
    assert seen == list(range(1, expected_rounds + 1))
    assert calls == ["raw 700", "pipeline 700 x2"] * expected_rounds
    assert rounds[-1].settled == (expected_rounds < max_rounds)


def test_the_cpu_summary_shows_the_brokers_compiling() -> None:
    usage = CpuUsage(5.0, 2.0, 1.0, 0.0, 9.0, 2, kafka_s=3.0, kafka_jit_s=0.4)
    assert "kafka brokers 3.0 (JIT 0.4)" in cpu_summary(usage.as_dict())
