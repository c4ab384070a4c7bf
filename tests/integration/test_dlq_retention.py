"""Retention of dead-letter bodies on a real NATS JetStream of its own (no other test's dead letters).

JetStream's message times cannot be back-dated, so "old" is a cut-off in the future and
"recent" one in the past. Dead letters are written by the real `Bus.dead_letter`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError
from prometheus_client import CollectorRegistry

from loket.contracts.topics import (
    ALL_TOPICS,
    APPOINTMENTS,
    CITIZENS,
    DEVICES,
    NATS_STREAMS,
    dlq_topic,
    stream_for,
)
from loket.infra.bus import nats_wiring
from loket.infra.bus.bus import Bus
from loket.infra.bus.dlq_store import (
    DeadLetter,
    DeadLetterBodyRemoved,
    DeadLetterNotFound,
    open_dlq_store,
)
from loket.infra.bus.dlq_store.body_retention import dlq_body_purge, trim_bodies
from loket.infra.embedded import EmbeddedNats
from loket.infra.embedded.kafka_topics import TOPIC_CONFIGS, contract_topics
from loket.infra.metrics import PlatformMetrics
from loket.infra.retention.policy import RetentionDays
from tests.integration.test_dlq_cli import NN, invoke

OLD = timedelta(minutes=1)  # older_than = now + 1 minute: every dead letter counts as old


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    with EmbeddedNats(Path(tmp_path_factory.mktemp("dlq-retention")) / "nats", sync_always=False) as server:
        yield server


async def bus_as(url: str, service: str = "dlq-retention-test") -> Bus:
    registry = CollectorRegistry()
    bus = Bus(url, service, registry, PlatformMetrics(registry))
    await bus.broker.connect()
    return bus


@pytest.fixture
async def bus(server: EmbeddedNats) -> AsyncIterator[Bus]:
    """The operator's bus, on streams emptied for each test."""
    bus = await bus_as(server.url)
    await nats_wiring.declare_streams(bus.broker)
    for stream in NATS_STREAMS:
        await bus.broker.connection.jetstream().purge_stream(stream)
    try:
        yield bus
    finally:
        await bus.broker.stop()


async def dead_letter(bus: Bus, topic: str, group: str, body: bytes, reason: str) -> None:
    run = uuid.uuid4().hex  # the DLQ de-duplicates on (consumer, source, body) for 2 minutes
    await bus.dead_letter(
        topic=topic, consumer=group, body=body, reason=reason, kind="permanent", attempts=5,
        source=f"{topic}:{run}", key=f"pseudonym-{run}",
        original_headers={"x-loket-event-type": "EboxActivationAssisted", "Nats-Msg-Id": run},
    )


def body(n: int) -> bytes:
    return json.dumps({"event_id": uuid.uuid4().hex, "payload": {"national_number": NN, "n": n}}).encode()


async def listed(url: str, topic: str | None = None) -> list[DeadLetter]:
    async with open_dlq_store(url) as store:
        return await store.list(topic, limit=100)


def why(letters: list[DeadLetter]) -> set[tuple[str, str, str, str, int, str]]:
    return {(d.original_topic, d.consumer, d.kind, d.reason, d.attempts, d.at) for d in letters}


async def stored_bytes(url: str) -> bytes:
    """Every byte of every message on every dead-letter subject, headers included."""
    nc = await nats.connect(url)
    try:
        js, found = nc.jetstream(), b""
        for topic in ALL_TOPICS:
            stream, seq = stream_for(topic), 1
            while True:
                try:
                    raw = await js.get_msg(stream, seq=seq, subject=dlq_topic(topic), next=True)
                except NotFoundError:
                    break
                found += (raw.data or b"") + json.dumps(raw.headers or {}, default=str).encode()
                seq = int(raw.seq or seq) + 1
        return found
    finally:
        await nc.close()


async def test_old_bodies_are_removed_the_reasons_stay_and_a_second_run_trims_nothing(
        bus: Bus, server: EmbeddedNats) -> None:
    for n, topic in enumerate((CITIZENS, CITIZENS, DEVICES)):
        await dead_letter(bus, topic, "test.group", body(n), f"refused {n}")
    before = await listed(server.url)
    js = bus.broker.connection.jetstream()
    now = datetime.now(UTC)

    assert await trim_bodies(js, now - timedelta(days=1)) == 0  # recent: nothing to do
    assert [d.body for d in await listed(server.url)] == [d.body for d in before]
    assert NN.encode() in await stored_bytes(server.url)

    assert await trim_bodies(js, now + OLD) == 3
    after = await listed(server.url)
    assert why(after) == why(before) and len(after) == 3  # reason, group, topic, time: all kept
    assert all(d.body == b"" and d.body_removed_at.startswith(now.date().isoformat()) for d in after)
    assert {d.headers["x-loket-dlq-trimmed-from"] for d in after} == {d.id for d in before}
    assert all(d.original_headers()["x-loket-event-type"] == "EboxActivationAssisted" for d in after)
    assert NN.encode() not in await stored_bytes(server.url)  # the originals were deleted, not hidden
    async with open_dlq_store(server.url) as store:
        assert (await store.count_by_topic())[CITIZENS] == 2
        for old in before:
            with pytest.raises(DeadLetterNotFound):
                await store.get(old.id)

    assert await trim_bodies(js, now + OLD) == 0
    assert [d.id for d in await listed(server.url)] == [d.id for d in after]


async def test_a_trimmed_dead_letter_is_listed_but_refused_for_replay_an_untrimmed_one_replays(
        bus: Bus, server: EmbeddedNats) -> None:
    await dead_letter(bus, CITIZENS, "old.group", body(0), "schema violation at payload.point_id")
    await dead_letter(bus, CITIZENS, "kept.group", body(1), "unknown event type")
    js = bus.broker.connection.jetstream()
    assert await trim_bodies(js, datetime.now(UTC) + OLD, groups={"old.group"}) == 1
    kept, trimmed = await listed(server.url, CITIZENS)  # the copy lands after the untouched one
    assert (trimmed.consumer, trimmed.body, kept.consumer) == ("old.group", b"", "kept.group")
    assert kept.body and not kept.body_removed_at

    async with open_dlq_store(server.url) as store:
        with pytest.raises(DeadLetterBodyRemoved, match="removed after the retention period on .*reason is kept"):
            await store.replay(trimmed.id)
    assert trimmed.id in [d.id for d in await listed(server.url)]  # a refused replay deletes nothing

    listing = await invoke("list", "--topic", CITIZENS, "--bus-url", server.url)
    assert listing.exit_code == 0 and "schema violation at payload.point_id" in listing.output
    assert trimmed.id in listing.output and "old.group" in listing.output
    shown = await invoke("show", trimmed.id, "--bus-url", server.url)
    assert shown.exit_code == 0 and "body: removed after the retention period on" in shown.output
    refused = await invoke("replay", trimmed.id, "--yes", "--bus-url", server.url)
    assert refused.exit_code == 2, refused.output
    assert "body was removed after the retention period" in " ".join(refused.output.split())

    everything = await invoke("replay", "--all", "--topic", CITIZENS, "--yes", "--bus-url", server.url)
    assert everything.exit_code == 1, everything.output  # one was skipped
    assert f"replayed {kept.id} -> {CITIZENS}" in everything.output
    assert f"skipped {trimmed.id}" in everything.output
    assert [d.id for d in await listed(server.url, CITIZENS)] == [trimmed.id]


async def test_each_service_trims_only_its_own_groups_as_its_own_nats_user(bus: Bus, server: EmbeddedNats) -> None:
    await dead_letter(bus, APPOINTMENTS, "notify.planning", body(0), "notify refused it")
    await dead_letter(bus, APPOINTMENTS, "reporting.appointments", body(1), "reporting refused it")
    await dead_letter(bus, DEVICES, "notify.loans", body(2), "a topic notify's purge was not given")
    notify = await bus_as(server.url_for("notify"), "notify")  # the service's own, least-privileged user
    try:
        purge = dlq_body_purge(notify, [(APPOINTMENTS, "notify.planning")], days=30)
        assert purge.data_class == "dlq_body" and purge.days({}) == RetentionDays(30)
        now = datetime.now(UTC)
        assert await purge.run(None, now + timedelta(days=29), RetentionDays(30)) == 0  # not 30 days yet
        assert await purge.run(None, now + timedelta(days=30, minutes=1), RetentionDays(30)) == 1
    finally:
        await notify.broker.stop()
    bodies = {d.consumer: d.body for d in await listed(server.url)}
    assert bodies["notify.planning"] == b""
    assert bodies["reporting.appointments"] and bodies["notify.loans"]


async def test_on_kafka_the_purge_is_zero_and_the_dlq_topics_expire_whole_records() -> None:
    registry = CollectorRegistry()
    kafka = Bus("kafka://127.0.0.1:1", "notify", registry, PlatformMetrics(registry))  # never connected
    purge = dlq_body_purge(kafka, [(APPOINTMENTS, "notify.planning")], days=30)
    assert await purge.run(None, datetime.now(UTC) + timedelta(days=400), RetentionDays(30)) == 0
    specs = {s.name: s.topic_configs() for s in contract_topics(dlq_days=30)}
    assert specs[dlq_topic(CITIZENS)] == {**TOPIC_CONFIGS, "retention.ms": str(30 * 24 * 3600 * 1000)}
    assert specs[CITIZENS] == TOPIC_CONFIGS  # events keep the cluster's retention
