"""The pipeline's PostgreSQL work with no bus: what the durable path costs the database alone.

The same statements as a pipeline run, for the same number of events, stage after stage on one
connection, nothing else running:
- the producer's transactions: the letters' state change and `Outbox.append` (Producer, one writer);
- the relay's rounds: `OutboxRelay.relay_once`, handing its batches to a list instead of a bus;
- the consumer's batches: the inbox claim and the benchmark's handler (`EffectRecorder`), one
  transaction per batch, as `EventConsumer` runs them.

The figure is the CPU the server process spent, read from /proc: known for a PostgreSQL on this
machine (the embedded default), unknown (None) for a remote one. It is a floor, not a forecast:
in the pipeline the same work shares two cores with the brokers and the clients, writers wait on
each other's locks and group commits, and each append wakes the relay.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from prometheus_client import CollectorRegistry

from loket.bench import pipeline_tables as tables
from loket.bench.consumer_replica import EffectRecorder
from loket.bench.producer import Producer
from loket.bench.sample_events import LetterFailedFactory
from loket.contracts import LetterFailed
from loket.contracts.registry import decode_event
from loket.infra.bus.handler_context import BatchContext
from loket.infra.db.inbox import Inbox
from loket.infra.db.outbox import Outbox
from loket.infra.db.pool import create_pool
from loket.infra.db.relay import OutboxRelay
from loket.infra.db.schema import migrate_service_schema
from loket.infra.metrics import PlatformMetrics

STAGES = ("writers", "relay", "consumer")
OnProgress = Callable[[str, int], None]
_PROC = Path("/proc")


@dataclass(frozen=True)
class PostgresFloor:
    events: int
    # PostgreSQL CPU seconds per stage (STAGES order) and wall seconds of the three stages.
    stages: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0

    @property
    def total_s(self) -> float:
        return sum(self.stages.values())

    @property
    def per_event_us(self) -> float:
        return self.total_s / self.events * 1e6 if self.events else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"events": self.events, "stages_cpu_s": self.stages, "total_cpu_s": self.total_s,
                "per_event_us": self.per_event_us, "wall_s": self.wall_s}


def backend_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of the PostgreSQL process `pid`; None when no PostgreSQL process
    of that id runs on this machine."""
    try:
        head, _, tail = (_PROC / str(pid) / "stat").read_text().rpartition(")")
    except OSError:
        return None
    if not head.partition("(")[2].startswith("postgres"):
        return None
    fields = tail.split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure_postgres_floor(
    database_url: str, *, events: int, events_per_tx: int, relay_batch: int, consumer_batch: int,
    on_progress: OnProgress | None = None,
) -> PostgresFloor | None:
    """Run the pipeline's statements for `events` events, stage by stage, and return the server's
    CPU per stage; None when the server's process cannot be read (PostgreSQL elsewhere)."""
    report = on_progress or (lambda stage, done: None)
    schema = f"bench_floor_{uuid.uuid4().hex[:12]}"
    letter_ids = [uuid.uuid4() for _ in range(events)]
    # One connection: every statement runs in the one server process whose CPU is read.
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            pid = int(await conn.fetchval("SELECT pg_backend_pid()"))
            # A remote server's process is not ours to read (nor is a local process of the same id).
            remote = await conn.fetchval("SELECT coalesce(NOT inet_server_addr() <<= '127.0.0.0/8'::inet "
                                         "AND inet_server_addr() <> '::1'::inet, false)")
            if remote or backend_cpu_s(pid) is None:
                return None
            await migrate_service_schema(conn, schema, None)
            await tables.create_tables(conn, schema, letter_ids)
            await conn.execute("CHECKPOINT")  # the setup's dirty pages are not the stages' work
        stages: dict[str, float] = {}
        started = time.perf_counter()

        async def measured(stage: str, work: Callable[[], Awaitable[object]]) -> None:
            before = backend_cpu_s(pid)
            await work()
            after = backend_cpu_s(pid)
            stages[stage] = (after or 0.0) - (before or 0.0)
            report(stage, events)

        # The run's schema names its producer, as pipeline.py's run id does.
        producer = Producer(pool, schema, LetterFailedFactory(schema), letter_ids, writers=1,
                            events_per_tx=events_per_tx)
        await measured("writers", producer.run)
        published = PublishedBodies()
        relay = OutboxRelay(pool, schema, _publish_nowhere, PlatformMetrics(CollectorRegistry()),
                            batch_size=relay_batch, publish_in_order=published.keep)
        await measured("relay", lambda: _relay_all(relay))
        # What the consumer receives, decoded before its clock starts (decoding is client work).
        received = [decode_event(LetterFailed.topic, body) for body in published.bodies]
        await measured("consumer", lambda: _consume_all(pool, schema, received, consumer_batch))
        await _check_done(pool, schema, events)
        return PostgresFloor(events=events, stages=stages, wall_s=time.perf_counter() - started)
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()


async def _check_done(pool: asyncpg.Pool, schema: str, events: int) -> None:
    """A floor measured on work that did not happen would be wrong: every event relayed, one effect each."""
    check = await tables.check_effects(pool, schema)
    if not (check.written == check.effects == check.distinct_events == events and check.unsent == 0):
        raise RuntimeError(f"the PostgreSQL floor run did not do its work: {check.written} letters changed, "
                           f"{check.unsent} unsent, {check.effects} effects ({check.distinct_events} distinct) "
                           f"for {events} events")


async def _publish_nowhere(*_: object) -> None:
    return None


class PublishedBodies:
    """The relay's publishing, with no bus: the bodies are kept for the consumer stage (the relay
    deletes the rows it published, so the outbox no longer has them)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def keep(self, rows: list[tuple[str, str, str, bytes, dict[str, str]]]) -> None:
        self.bodies.extend(body for _topic, _key, _message_id, body, _headers in rows)


async def _relay_all(relay: OutboxRelay) -> None:
    while await relay.relay_once():
        pass


async def _consume_all(pool: asyncpg.Pool, schema: str, received: list[LetterFailed], batch: int) -> None:
    """The consumer's database work per batch, as EventConsumer does it with the benchmark's
    handler: claim the batch in the inbox, then EffectRecorder records the fresh events' effects."""
    inbox, outbox, recorder = Inbox(schema), Outbox(schema), EffectRecorder(schema, producer=schema)
    for start in range(0, len(received), batch):
        events = received[start:start + batch]
        async with pool.acquire() as conn, conn.transaction():
            fresh = await inbox.claim(conn, "bench-floor", [e.event_id for e in events])
            await recorder.handle_batch([e for e in events if e.event_id in fresh], BatchContext(conn, outbox))
