"""A pipeline run that slows to a crawl says so while it happens, with what the relay awaits."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from loket.bench import pipeline
from loket.bench.pipeline import SLOW_SHARE, _Pace, _watch
from loket.bench.task_awaits import awaited_chain


async def _innermost(gate: asyncio.Event) -> None:
    await gate.wait()


async def _middle(gate: asyncio.Event) -> None:
    await _innermost(gate)


async def _outer(gate: asyncio.Event) -> None:
    await _middle(gate)


def test_the_chain_names_every_coroutine_from_the_outermost_in_and_what_the_last_awaits() -> None:
    async def scenario() -> tuple[str, str]:
        gate = asyncio.Event()
        task = asyncio.create_task(_outer(gate))
        await asyncio.sleep(0)  # let it run up to its wait
        waiting = awaited_chain(task)
        gate.set()
        await task
        return waiting, awaited_chain(task)

    waiting, finished = asyncio.run(scenario())
    links = waiting.split(" → ")
    assert [link.split(" ")[-1] for link in links[:4]] == ["_outer", "_middle", "_innermost", "wait"], waiting
    assert links[-1] == "a future", waiting  # Event.wait awaits a plain future
    assert "test_bench_pipeline_pace.py:" in waiting
    assert finished == "done"


def _feed(pace: _Pace, start: float, seconds: float, per_s: float, progress: int) -> tuple[int, int]:
    """Samples every 0.05 s at `per_s`; returns (reports, progress at the end)."""
    reports, steps = 0, int(seconds / 0.05)
    for step in range(1, steps + 1):
        progress += int(per_s * 0.05)
        reports += pace.slowed_down(start + step * 0.05, progress)
    return reports, progress


def test_a_slow_spell_is_reported_once_and_again_only_after_the_pace_came_back() -> None:
    pace = _Pace(5.0)
    reports, progress = _feed(pace, 0.0, 10.0, 30_000, 0)
    assert reports == 0  # steady: nothing to say
    slow = 30_000 * SLOW_SHARE / 3
    reports, progress = _feed(pace, 10.0, 12.0, slow, progress)
    assert reports == 1 and pace.share() < SLOW_SHARE
    reports, progress = _feed(pace, 22.0, 8.0, 30_000, progress)  # back to full pace
    assert reports == 0 and pace.share() > 0.9
    reports, progress = _feed(pace, 30.0, 8.0, slow, progress)  # a second spell
    assert reports == 1


def test_a_pace_a_little_below_the_best_is_no_slow_spell() -> None:
    pace = _Pace(5.0)
    _, progress = _feed(pace, 0.0, 10.0, 30_000, 0)
    reports, _ = _feed(pace, 10.0, 10.0, 30_000 * 0.6, progress)
    assert reports == 0


def test_a_crawling_run_logs_where_the_relay_waits_and_still_finishes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(pipeline, "HESITATION_S", 0.5)
    total = 10_000
    counts = {"written": 0, "relayed": 0, "consumed": 0}

    async def writing() -> None:
        # Full pace for a second, a crawl for a second and a half, then the rest at once.
        for _ in range(20):
            counts["written"] = counts["relayed"] = counts["consumed"] = counts["written"] + 250
            await asyncio.sleep(0.05)
        for _ in range(30):
            counts["written"] = counts["relayed"] = counts["consumed"] = counts["written"] + 1
            await asyncio.sleep(0.05)
        counts.update(written=total, relayed=total, consumed=total)

    class NoDatabase:  # the sessions cannot be read: the warning says so and the run goes on
        async def fetch(self, *args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("no database in this test")

    counters = {stage: (lambda stage=stage: counts[stage]) for stage in counts}
    with caplog.at_level(logging.WARNING, logger="loket.bench.pipeline"):
        done = asyncio.run(_watch(writing(), counters, total, 0.0, None, NoDatabase(),  # type: ignore[arg-type]
                                  lambda: "relay.py:169 relay_once → _GatheringFuture"))
    assert set(done) == {"written", "relayed", "consumed"}
    slowed = [r.getMessage() for r in caplog.records if "slowed down" in r.getMessage()]
    assert len(slowed) == 1, slowed
    assert "the relay awaits relay.py:169 relay_once → _GatheringFuture" in slowed[0]
    assert "PostgreSQL's sessions could not be read" in slowed[0]
