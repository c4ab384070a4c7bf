"""Outbox: exactly once on the bus after a crash, and order per key under concurrency."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import defaultdict

from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.infra.bus import nats_wiring
from loket.infra.bus.bus import Bus
from loket.infra.db.outbox import Outbox
from loket.infra.db.relay import OutboxRelay
from loket.infra.metrics import PlatformMetrics
from tests.support.bus_harness import activation
from tests.support.keyed_writers import relay_while_writing
from tests.support.stream_reader import purge_stream_of, read_subject

TOPIC = topics.CITIZENS


async def connected_bus(bus_url: str) -> tuple[Bus, PlatformMetrics]:
    registry = CollectorRegistry()
    metrics = PlatformMetrics(registry)
    bus = Bus(bus_url, "outbox-test", registry, metrics)
    await bus.broker.connect()
    await nats_wiring.declare_streams(bus.broker)
    return bus, metrics


async def test_a_crash_between_publish_and_mark_still_publishes_exactly_once(pool, schema, bus_url, database_url) -> None:  # type: ignore[no-untyped-def]
    bus, metrics = await connected_bus(bus_url)  # declares the streams
    await bus.stop()
    await purge_stream_of(bus_url, TOPIC)
    events = [activation() for _ in range(20)]
    async with pool.acquire() as conn, conn.transaction():
        await Outbox(schema).append(conn, *events)

    crashed = subprocess.run(  # noqa: ASYNC221 - nothing else runs meanwhile
        [sys.executable, "-m", "tests.support.relay_that_crashes", database_url, bus_url, schema],
        capture_output=True, timeout=60,
    )
    assert crashed.returncode == -9, crashed.stderr.decode()[-2000:]
    assert await pool.fetchval(f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL") == 20

    bus, metrics = await connected_bus(bus_url)
    try:
        relay = OutboxRelay(pool, schema, bus.publish_raw, metrics)
        assert await relay.relay_once() == 20  # republished after the "restart"
        assert await relay.relay_once() == 0
    finally:
        await bus.stop()
    assert await pool.fetchval(f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL") == 0

    in_stream = [json.loads(body)["event_id"] for body, _ in await read_subject(bus_url, TOPIC)]
    assert sorted(in_stream) == sorted(str(e.event_id) for e in events)  # each once, none lost


async def test_order_per_key_holds_with_concurrent_writers_and_a_running_relay(pool, schema, bus_url) -> None:  # type: ignore[no-untyped-def]
    bus, metrics = await connected_bus(bus_url)
    await purge_stream_of(bus_url, TOPIC)
    keys = [uuid.uuid4() for _ in range(5)]

    relay = OutboxRelay(pool, schema, bus.publish_raw, metrics, batch_size=7, idle_poll_s=0.02)
    try:
        committed = await relay_while_writing(relay, pool, schema, keys, writers=12, per_writer=20, max_hold_s=0.01,
                                              drain_timeout_s=10)
    finally:
        await bus.stop()

    published: dict[str, list[str]] = defaultdict(list)
    for body, _ in await read_subject(bus_url, TOPIC):
        data = json.loads(body)
        published[data["payload"]["activation_id"]].append(data["event_id"])
    assert sum(len(v) for v in published.values()) == 240
    for key, ids in committed.items():
        assert published[key] == ids, f"events of {key} reached the bus out of commit order"


async def _published_rows(relay: OutboxRelay, pool, schema) -> list[tuple[bool, int]]:  # type: ignore[no-untyped-def]
    """Append 3 events, relay them (to nowhere), and return what the outbox still holds."""
    async with pool.acquire() as conn, conn.transaction():
        await Outbox(schema).append(conn, *(activation() for _ in range(3)))
    assert await relay.relay_once() == 3
    assert await relay.relay_once() == 0
    return [(r["sent"], r["n"]) for r in await pool.fetch(
        f"SELECT sent_at IS NOT NULL AS sent, count(*) AS n FROM {schema}.outbox GROUP BY 1")]


async def _nowhere(rows: object) -> None:
    return None


async def test_the_relay_deletes_what_the_bus_acknowledged(pool, schema) -> None:  # type: ignore[no-untyped-def]
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=_nowhere)
    assert await _published_rows(relay, pool, schema) == []  # no second copy of the events' data


async def test_an_audit_copy_is_kept_for_as_long_as_asked_then_purged(pool, schema) -> None:  # type: ignore[no-untyped-def]
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=_nowhere,
                        keep_published_s=3600)
    assert await _published_rows(relay, pool, schema) == [(True, 3)]
    assert await relay.purge_sent() == 0  # younger than an hour
    await pool.execute(f"UPDATE {schema}.outbox SET sent_at = sent_at - interval '61 minutes'")
    assert await relay.purge_sent() == 3
    # A relay that keeps nothing also clears the rows a keeping relay (an earlier release) left.
    await _published_rows(relay, pool, schema)
    assert await OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry())).purge_sent() == 3


class _Collected:
    """A bus that keeps what the relay hands it, in order: (key, event id) per row."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str]] = []

    async def __call__(self, rows: list[tuple[str, str, str, bytes, dict[str, str]]]) -> None:
        self.rows += [(key, message_id) for _, key, message_id, _, _ in rows]


async def test_a_round_stops_at_its_byte_budget_and_the_next_goes_on_in_order(pool, schema) -> None:  # type: ignore[no-untyped-def]
    events = [activation() for _ in range(5)]
    async with pool.acquire() as conn, conn.transaction():
        await Outbox(schema).append(conn, *events)
    sizes = [int(r["n"]) for r in await pool.fetch(f"SELECT octet_length(payload) AS n FROM {schema}.outbox ORDER BY id")]
    bus = _Collected()
    # Room for two whole rows and a bit: the third still starts within the budget, the fourth not.
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=bus,
                        batch_bytes=sizes[0] + sizes[1] + 1)
    assert await relay.relay_once() == 3
    assert await relay.relay_once() == 2
    assert await relay.relay_once() == 0
    assert bus.rows == [(e.partition_key(), str(e.event_id)) for e in events]  # each once, in append order


async def test_a_row_larger_than_the_budget_still_leaves_alone(pool, schema) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn, conn.transaction():
        await Outbox(schema).append(conn, *(activation() for _ in range(2)))
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=_nowhere,
                        batch_bytes=1)
    assert [await relay.relay_once() for _ in range(3)] == [1, 1, 0]
