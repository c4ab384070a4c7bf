"""A NATS stream at its byte cap refuses new events instead of dropping unread ones: the relay
pauses, the outbox keeps every event, and once the cap is raised they all go out, each once."""

from __future__ import annotations

import json

import nats
from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.infra.bus import nats_wiring
from loket.infra.bus.bus import Bus
from loket.infra.bus.nats_wiring import StreamLimits
from loket.infra.db.outbox import Outbox
from loket.infra.db.relay import OutboxRelay
from loket.infra.embedded import EmbeddedNats
from loket.infra.metrics import PlatformMetrics
from tests.support.bus_harness import activation
from tests.support.stream_reader import read_subject

TOPIC = topics.CITIZENS
STREAM = topics.stream_for(TOPIC)


async def connected(url: str, limits: StreamLimits) -> tuple[Bus, PlatformMetrics]:
    registry = CollectorRegistry()
    metrics = PlatformMetrics(registry)
    bus = Bus(url, "stream-limit-test", registry, metrics, stream_limits=limits)
    await bus.broker.connect()
    await nats_wiring.declare_streams(bus.broker, limits)
    return bus, metrics


async def test_at_the_cap_publishes_are_refused_the_outbox_holds_and_nothing_is_lost(pool, schema, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = EmbeddedNats(tmp_path / "nats")  # its own server: the cap must not touch other tests' streams
    server.start()
    try:
        events = [activation() for _ in range(60)]
        size = len(events[0].to_bytes())
        async with pool.acquire() as conn, conn.transaction():
            await Outbox(schema).append(conn, *events)

        small = StreamLimits(max_bytes=20 * size)  # room for fewer than half of them
        bus, metrics = await connected(server.url, small)
        relay = OutboxRelay(pool, schema, bus.publish_raw, metrics, batch_size=10)
        published = 0
        refused = None
        for _ in range(10):
            try:
                published += await relay.relay_once()
            except Exception as exc:  # noqa: BLE001 - the refusal is what this test waits for
                refused = exc
                break
        assert refused is not None, "the stream took more than its cap"
        assert "maximum bytes" in str(refused).lower() or "resource" in str(refused).lower(), refused
        waiting = await pool.fetchval(f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL")
        assert 0 < waiting and published + waiting == len(events)
        usage = await nats_wiring.stream_usage(bus.broker)
        assert usage[STREAM][1] == small.max_bytes and usage[STREAM][0] <= small.max_bytes
        await bus.stop()

        bus, metrics = await connected(server.url, StreamLimits())  # the operator raises the cap
        try:
            relay = OutboxRelay(pool, schema, bus.publish_raw, metrics, batch_size=10)
            while await relay.relay_once():
                pass
        finally:
            await bus.stop()
        assert await pool.fetchval(f"SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL") == 0
        in_stream = [json.loads(body)["event_id"] for body, _ in await read_subject(server.url, TOPIC)]
        assert sorted(in_stream) == sorted(str(e.event_id) for e in events)  # every one, each once
    finally:
        server.stop()


async def test_streams_are_declared_with_an_age_and_refuse_new_messages_at_the_cap(bus_url) -> None:  # type: ignore[no-untyped-def]
    bus, _ = await connected(bus_url, StreamLimits())
    await bus.stop()
    connection = await nats.connect(bus_url)
    try:
        info = await connection.jetstream().stream_info(STREAM)
    finally:
        await connection.close()
    assert info.config.discard == nats.js.api.DiscardPolicy.NEW
    assert info.config.max_bytes == StreamLimits().max_bytes and info.config.max_age == StreamLimits().max_age_s
