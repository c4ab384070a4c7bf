"""Rebuild the projections from the streams: replay every topic from its first message into a
fresh schema, swap it in atomically (the live service keeps serving the old one until then),
then catch up on what arrived during the swap. The upserts make replays and overlaps safe.

On NATS JetStream the streams keep their history; on Kafka every partition is read from its
earliest retained offset (`replay_kafka.py`), so the topics' retention must reach back to the
first event.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import nats
from nats.js import api

from loket.contracts import topics
from loket.contracts.errors import ContractViolation
from loket.contracts.registry import decode_event
from loket.infra.bus.address import parse_bus_url
from loket.infra.db.roles import grant_schema_to_its_service
from loket.infra.db.schema import migrate_service_schema
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.replay_kafka import end_offsets, kafka_batches

MIGRATIONS = Path(__file__).parent / "migrations"
Progress = Callable[[str, int, int], None]  # topic, done, total


@dataclass
class RebuildResult:
    events: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    caught_up: int = 0


async def _replay(js, conn: asyncpg.Connection, schema: str, topic: str, start_seq: int, end_seq: int,  # type: ignore[no-untyped-def]
                  pseudonymize: Pseudonymizer, progress: Progress, result: RebuildResult) -> int:
    """Project messages of `topic` with stream sequence in [start_seq, end_seq]; returns how many."""
    if end_seq < start_seq:
        return 0
    config = api.ConsumerConfig(filter_subject=topic, deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE,
                                opt_start_seq=start_seq, ack_policy=api.AckPolicy.NONE)
    subscription = await js.pull_subscribe(topic, durable=None, stream=topics.stream_for(topic), config=config)
    done, seen_seq = 0, start_seq - 1
    try:
        while seen_seq < end_seq:
            try:
                messages = await subscription.fetch(1000, timeout=2)
            except (TimeoutError, nats.errors.TimeoutError):  # nats-py raises either, by where it waited
                break  # nothing more for this subject up to the end sequence
            events = []
            for message in messages:
                seen_seq = message.metadata.sequence.stream
                if seen_seq > end_seq:
                    break
                try:
                    events.append(decode_event(topic, message.data))
                except ContractViolation:
                    result.skipped += 1  # it went to the DLQ when it was live; it counts nowhere
            async with conn.transaction():
                done += await project(conn, schema, events, pseudonymize)
            progress(topic, done, 0)
    finally:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()
    return done


async def _project_values(conn: asyncpg.Connection, schema: str, topic: str, values: list[bytes],
                          pseudonymize: Pseudonymizer, result: RebuildResult) -> int:
    events = []
    for value in values:
        try:
            events.append(decode_event(topic, value))
        except ContractViolation:
            result.skipped += 1
    async with conn.transaction():
        return await project(conn, schema, events, pseudonymize)


async def _rebuild_kafka(conn: asyncpg.Connection, servers: list[str], fresh: str, live_schema: str, retired: str,
                         pseudonymize: Pseudonymizer, replay_topics: tuple[str, ...], progress: Progress,
                         result: RebuildResult) -> None:
    ends: dict[str, dict[int, int]] = {}
    for topic in replay_topics:
        ends[topic] = await end_offsets(servers, topic)
        done = 0
        async for values, _ in kafka_batches(servers, topic, None, ends[topic]):
            done += await _project_values(conn, fresh, topic, values, pseudonymize, result)
            progress(topic, done, 0)
        result.events[topic] = done
    await _swap(conn, fresh, live_schema, retired)
    for topic in replay_topics:
        async for values, _ in kafka_batches(servers, topic, ends[topic]):
            result.caught_up += await _project_values(conn, live_schema, topic, values, pseudonymize, result)


async def _swap(conn: asyncpg.Connection, fresh: str, live_schema: str, retired: str) -> None:
    async with conn.transaction():  # readers see the old schema or the new one, never half of either
        await conn.execute(f"DROP SCHEMA IF EXISTS {retired} CASCADE")
        await conn.execute(f"ALTER SCHEMA {live_schema} RENAME TO {retired}")
        await conn.execute(f"ALTER SCHEMA {fresh} RENAME TO {live_schema}")
        # The service's role had rights on the old schema object only.
        await grant_schema_to_its_service(conn, live_schema)


async def rebuild(database_url: str, bus_url: str, pseudonymize: Pseudonymizer, live_schema: str,
                  replay_topics: tuple[str, ...], progress: Progress) -> RebuildResult:
    address = parse_bus_url(bus_url)
    fresh, retired = f"{live_schema}_rebuild", f"{live_schema}_retired"
    if address.kind == "kafka":
        result = RebuildResult()
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(f"DROP SCHEMA IF EXISTS {fresh} CASCADE")
            await migrate_service_schema(conn, fresh, MIGRATIONS)
            await _rebuild_kafka(conn, list(address.servers), fresh, live_schema, retired, pseudonymize,
                                 replay_topics, progress, result)
            await conn.execute(f"DROP SCHEMA {retired} CASCADE")
        finally:
            await conn.close()
        return result
    result = RebuildResult()
    conn = await asyncpg.connect(database_url)
    nc = await nats.connect(list(address.servers))
    try:
        js = nc.jetstream()
        await conn.execute(f"DROP SCHEMA IF EXISTS {fresh} CASCADE")
        await migrate_service_schema(conn, fresh, MIGRATIONS)
        ends: dict[str, int] = {}
        for topic in replay_topics:
            info = await js.stream_info(topics.stream_for(topic))
            ends[topic] = info.state.last_seq
            result.events[topic] = await _replay(js, conn, fresh, topic, max(1, info.state.first_seq), ends[topic],
                                                 pseudonymize, progress, result)
        await _swap(conn, fresh, live_schema, retired)
        # The live consumers wrote what arrived during the replay into the retired schema.
        for topic in replay_topics:
            info = await js.stream_info(topics.stream_for(topic))
            result.caught_up += await _replay(js, conn, live_schema, topic, ends[topic] + 1, info.state.last_seq,
                                              pseudonymize, progress, result)
        await conn.execute(f"DROP SCHEMA {retired} CASCADE")
    finally:
        await nc.close()
        await conn.close()
    return result
