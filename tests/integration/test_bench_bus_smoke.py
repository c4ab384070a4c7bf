"""`loket bench bus`, pipeline part, small: every event has exactly one effect and a rate is
reported. Runs on the test session's servers (a shared bus: the bench consumer must ignore
whatever else is in the stream, and clean up its schema and durable consumer)."""

from __future__ import annotations

import asyncpg
import nats
from nats.js.errors import NotFoundError

from loket.bench.pipeline import PipelineOptions, run_pipeline
from loket.contracts import topics
from loket.infra.bus.address import parse_bus_url

EVENTS = 500


async def bench_consumers(bus_url: str) -> list[str]:
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        names = await nc.jetstream().consumers_info(topics.stream_for(topics.LETTERS_STATUS))
    except NotFoundError:
        names = []
    finally:
        await nc.close()
    return [c.name for c in names if c.name.startswith("bench-")]


async def test_every_event_has_exactly_one_effect(database_url: str, bus_url: str) -> None:
    seen: dict[str, int] = {}
    result = await run_pipeline(
        database_url, bus_url,
        PipelineOptions(events=EVENTS, writers=2, events_per_tx=25, relay_batch=100, consumer_batch=100),
        on_progress=lambda stage, done: seen.__setitem__(stage, done),
    )
    assert result.effects == EVENTS
    assert result.distinct_effects == EVENTS
    assert result.correct
    assert result.events_per_s > 0
    assert 0 < result.p50_ms <= result.p99_ms <= result.max_ms
    assert seen["written"] == seen["relayed"] == EVENTS
    assert seen["consumed"] >= EVENTS
    # What PostgreSQL wrote meanwhile: at least the 500 events' 1 KB bodies, in the outbox.
    assert result.postgres["wal_bytes"] >= EVENTS * 1000
    assert result.postgres["checkpoints"] >= 0

    # Nothing left behind on shared servers.
    conn = await asyncpg.connect(database_url)
    try:
        leftovers = await conn.fetchval(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'bench\\_%'"
        )
    finally:
        await conn.close()
    assert leftovers == 0
    assert await bench_consumers(bus_url) == []


async def test_consumer_replica_processes_share_the_work_exactly_once(database_url: str, bus_url: str) -> None:
    """`--consumers 2`: two replica processes bound to one durable consumer, every event once."""
    result = await run_pipeline(
        database_url, bus_url,
        PipelineOptions(events=EVENTS, writers=2, events_per_tx=25, relay_batch=100, consumer_batch=100,
                        consumer_processes=2),
    )
    assert result.options.consumer_processes == 2
    assert result.effects == result.distinct_effects == EVENTS
    assert await bench_consumers(bus_url) == []
