"""The production path end to end: writers → outbox → OutboxRelay → bus → EventConsumer, on
NATS JetStream or Kafka.

The producer (producer.py) commits state changes with their outbox rows; the relay and the
consumer are the library classes, in the same process, on the same event loop; or, with
`consumer_processes`, the consumer runs as that many replica processes of one consumer group
(consumer_replica.py), as a scaled-out service does.

Rate = N ÷ (PostgreSQL clock before the first write → last effect row's `recorded_at`);
latency per event = effect's `recorded_at` − outbox row's `created_at`, on the same clock.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, field
from typing import Any

import asyncpg

from loket.bench import pipeline_tables as tables
from loket.bench import postgres_activity
from loket.bench.consumer_replica import EffectRecorder
from loket.bench.cpu_usage import CpuMeter
from loket.bench.pipeline_wiring import PipelineBus
from loket.bench.postgres_sessions import describe_sessions
from loket.bench.producer import Producer
from loket.bench.sample_events import LetterFailedFactory
from loket.bench.task_awaits import awaited_chain
from loket.contracts import LetterFailed
from loket.infra.db.pool import create_pool
from loket.infra.db.relay import OutboxRelay
from loket.infra.db.schema import migrate_service_schema
from loket.infra.settings import ConsumerSettings, ServiceSettings

log = logging.getLogger(__name__)

# Called with (stage, done) for stage in STAGES, a few times per second.
OnProgress = Callable[[str, int], None]
STAGES = ("written", "relayed", "consumed")
STALL_TIMEOUT_S = 60.0  # no counter moved for this long: something is broken, not slow
# Over the last HESITATION_S the stages together moved at under SLOW_SHARE of the run's best pace
# over as long, with events still on their way: said once (until the pace comes back), with what the
# relay awaits and what PostgreSQL's sessions do. Warm-up rounds have crawled for a minute and then
# gone on at full pace (docs/performance.md, runs 46 to 49); this says where, while it happens.
HESITATION_S = 5.0
SLOW_SHARE = 0.2
REPLICA_START_TIMEOUT_S = 60.0
# After the last replica said `ready`: Kafka's group coordinator waits for more members before
# its first assignment (group.initial.rebalance.delay.ms, 3 s by default) and then rebalances
# as they join; the writers start once the group has settled.
KAFKA_GROUP_SETTLE_S = 6.0


@dataclass(frozen=True)
class PipelineOptions:
    events: int = 50_000
    writers: int = 4
    events_per_tx: int = 50
    relay_batch: int = ServiceSettings.model_fields["relay_batch_size"].default  # the services' default
    relay_linger_s: float = ServiceSettings.model_fields["relay_linger_s"].default
    consumer_batch: int = ConsumerSettings.model_fields["batch_size"].default  # the services' default
    consumer_timeout_s: float = 0.05
    # Offered load in events/s; 0 = as fast as the writers can. Unpaced, the writers outrun the
    # relay and latency measures the backlog; paced below capacity, it measures the path.
    rate: float = 0.0
    # 0: the consumer runs in the benchmark's process; N: N replica processes of one group.
    consumer_processes: int = 0


@dataclass
class PipelineResult:
    options: PipelineOptions
    events_per_s: float
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    effects: int
    distinct_effects: int
    # Python wall-clock seconds from start until each stage had seen every event.
    stage_done_s: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float | int | None] = field(default_factory=dict)
    # What PostgreSQL wrote meanwhile (postgres_activity.py): WAL bytes, checkpoints begun.
    postgres: dict[str, int] = field(default_factory=dict)
    # time.monotonic() from the first write to the last effect, and the machine's speed meanwhile
    # (host_speed.py; filled in by the benchmark once it has every probe).
    window: tuple[float, float] = (0.0, 0.0)
    host_speed: dict[str, float] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.effects == self.distinct_effects == self.options.events

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "correct": self.correct}


async def run_pipeline(
    database_url: str, bus_url: str, options: PipelineOptions,
    on_progress: OnProgress | None = None, *, keep: bool = False,
) -> PipelineResult:
    run = uuid.uuid4().hex[:12]
    schema, group, producer = f"bench_{run}", f"bench-{run}", f"bench-{run}"
    factory = LetterFailedFactory(producer)
    letter_ids = [uuid.uuid4() for _ in range(options.events)]
    pool = await create_pool(database_url, min_size=2, max_size=options.writers + 4)
    wiring = PipelineBus(
        bus_url, group, LetterFailed.topic,
        ConsumerSettings(batch_size=options.consumer_batch, batch_timeout_s=options.consumer_timeout_s),
    )
    relay_task: asyncio.Task[None] | None = None
    replicas: list[asyncio.subprocess.Process] = []
    progress = ReplicaProgress()
    try:
        async with pool.acquire() as conn:
            await migrate_service_schema(conn, schema, None)
            await tables.create_tables(conn, schema, letter_ids)
        in_process = options.consumer_processes == 0
        await wiring.start(pool, schema, {LetterFailed: EffectRecorder(schema, producer)} if in_process else None)
        if not in_process:
            replicas = await _start_replicas(options, database_url, bus_url, schema, group, producer)
            progress.follow(replicas)
            if wiring.kind == "kafka":
                await asyncio.sleep(KAFKA_GROUP_SETTLE_S)
        relay = OutboxRelay(pool, schema, wiring.bus.publish_raw, wiring.metrics, batch_size=options.relay_batch,
                            publish_in_order=wiring.bus.publish_in_order, linger_s=options.relay_linger_s)
        relay_task = asyncio.create_task(relay.run())

        pg_mark = await postgres_activity.mark(pool)  # before the clock: its queries are not the pipeline's
        started_pg = float(await pool.fetchval("SELECT extract(epoch FROM clock_timestamp())::float8"))
        meter = CpuMeter(consumers=[replica.pid for replica in replicas]).start()
        started, began = time.perf_counter(), time.monotonic()
        writer = Producer(
            pool, schema, factory, letter_ids,
            writers=options.writers, events_per_tx=options.events_per_tx, rate=options.rate,
        )
        counters = {
            "written": lambda: writer.written,
            "relayed": lambda: wiring.published(schema),
            "consumed": wiring.handled if in_process else (lambda: progress.handled),
        }
        stage_done = await _watch(writer.run(), counters, options.events, started, on_progress, pool,
                                  lambda: awaited_chain(relay_task) if relay_task is not None else "no relay")
        await _wait_for_effects(pool, schema, options.events)
        cpu, ended = meter.stop(), time.monotonic()
        written = await postgres_activity.since(pool, pg_mark)
        check = await tables.check_effects(pool, schema)
    finally:
        if relay_task is not None:
            relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay_task
        await _stop_replicas(replicas)
        await progress.stop()
        await wiring.stop(delete_durable=not keep)
        if not keep:
            with contextlib.suppress(asyncpg.PostgresError):
                await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()

    seconds = check.last_effect - started_pg
    return PipelineResult(
        options=options, events_per_s=options.events / seconds if seconds > 0 else 0.0,
        seconds=seconds, p50_ms=check.p50_s * 1000, p99_ms=check.p99_s * 1000,
        max_ms=check.max_s * 1000, effects=check.effects, distinct_effects=check.distinct_events,
        stage_done_s=stage_done, cpu=cpu.as_dict(), postgres=written.as_dict(), window=(began, ended),
    )


class ReplicaProgress:
    """What the replica processes handled, from the `handled N` lines they print (they count in
    their own processes). Read until they exit: a replica blocks on a full pipe."""

    def __init__(self) -> None:
        self._handled: list[int] = []
        self._readers: list[asyncio.Task[None]] = []

    @property
    def handled(self) -> int:
        return sum(self._handled)

    def follow(self, replicas: list[asyncio.subprocess.Process]) -> None:
        self._handled = [0] * len(replicas)
        self._readers = [asyncio.create_task(self._read(i, r.stdout)) for i, r in enumerate(replicas)
                         if r.stdout is not None]

    async def _read(self, index: int, lines: asyncio.StreamReader) -> None:
        async for line in lines:
            kind, _, value = line.decode().partition(" ")
            if kind == "handled":
                self._handled[index] = int(value)

    async def stop(self) -> None:
        for reader in self._readers:
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)


async def _start_replicas(options: PipelineOptions, database_url: str, bus_url: str, schema: str, group: str,
                          producer: str) -> list[asyncio.subprocess.Process]:
    """The consumer replicas, each once it said `ready` (subscribed to the group)."""
    env = {**os.environ, "LOKET_DATABASE_URL": database_url, "LOKET_BUS_URL": bus_url}
    argv = ["-m", "loket.bench.consumer_replica", schema, group, LetterFailed.topic, producer,
            str(options.consumer_batch), str(options.consumer_timeout_s)]
    replicas = [await asyncio.create_subprocess_exec(sys.executable, *argv, env=env, stdout=asyncio.subprocess.PIPE)
                for _ in range(options.consumer_processes)]
    try:
        for replica in replicas:
            line = await asyncio.wait_for(replica.stdout.readline(), REPLICA_START_TIMEOUT_S)  # type: ignore[union-attr]
            if line.strip() != b"ready":
                raise RuntimeError(f"a consumer replica did not start (exit code {replica.returncode})")
    except BaseException:
        await _stop_replicas(replicas)
        raise
    return replicas


async def _stop_replicas(replicas: list[asyncio.subprocess.Process]) -> None:
    for replica in replicas:
        if replica.returncode is None:
            replica.terminate()
    for replica in replicas:
        try:
            await asyncio.wait_for(replica.wait(), 20)
        except TimeoutError:
            replica.kill()
            await replica.wait()


async def _watch(
    writing: Coroutine[Any, Any, None], counters: dict[str, Callable[[], int]], total: int,
    started: float, on_progress: OnProgress | None, pool: asyncpg.Pool, relay_awaits: Callable[[], str],
) -> dict[str, float]:
    """Report progress until every stage saw `total` events; fail on a writer error or a stall
    (saying what PostgreSQL's sessions were doing: postgres_sessions.py). A pace under SLOW_SHARE
    of the run's best over HESITATION_S is logged once per slow spell, with what the relay awaits."""
    writers = asyncio.create_task(writing)
    done: dict[str, float] = {}
    last, last_change = None, time.perf_counter()
    pace = _Pace(HESITATION_S)
    try:
        while len(done) < len(counters):
            if writers.done() and writers.exception() is not None:
                raise writers.exception()  # type: ignore[misc]
            values = {stage: read() for stage, read in counters.items()}
            now = time.perf_counter()
            for stage, value in values.items():
                if on_progress is not None:
                    on_progress(stage, value)
                if value >= total and stage not in done:
                    done[stage] = now - started
            if values != last:
                last, last_change = values, now
            elif now - last_change > STALL_TIMEOUT_S:
                raise TimeoutError(f"pipeline stalled for {STALL_TIMEOUT_S:.0f} s at {values}; "
                                   f"{await _waiting_on(relay_awaits, pool)}")
            if pace.slowed_down(now, sum(values.values())) and min(values.values()) < total:
                log.warning("pipeline slowed down to %.0f%% of its best pace over the last %.0f s, at %s; %s",
                            100 * pace.share(), HESITATION_S, values, await _waiting_on(relay_awaits, pool))
            # Short enough that the completion time is accurate, cheap enough not to matter.
            await asyncio.sleep(0.05)
        await writers
    finally:
        if not writers.done():
            writers.cancel()
    return done


async def _waiting_on(relay_awaits: Callable[[], str], pool: asyncpg.Pool) -> str:
    """What a stalled or crawling run waits on: the relay's await chain, PostgreSQL's sessions."""
    return f"the relay awaits {relay_awaits()}; {await describe_sessions(pool)}"


class _Pace:
    """The stages' combined progress per second over a sliding window, against the best such
    window so far; `slowed_down` is true once per slow spell (the pace must come back to half
    its best before another is reported)."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._samples: collections.deque[tuple[float, int]] = collections.deque()
        self._rate = self._best = 0.0
        self._in_spell = False

    def share(self) -> float:
        return self._rate / self._best if self._best > 0 else 1.0

    def slowed_down(self, now: float, progress: int) -> bool:
        self._samples.append((now, progress))
        while now - self._samples[0][0] > self.window_s:
            self._samples.popleft()
        oldest, then = self._samples[0]
        if now - oldest < 0.9 * self.window_s:  # not a whole window yet
            return False
        self._rate = (progress - then) / (now - oldest)
        self._best = max(self._best, self._rate)
        if self.share() >= 0.5:
            self._in_spell = False
        if self.share() < SLOW_SHARE and not self._in_spell:
            self._in_spell = True
            return True
        return False


async def _wait_for_effects(pool: asyncpg.Pool, schema: str, total: int, timeout_s: float = 10.0) -> None:
    # The "handled" counter includes events of other producers on a shared bus (no effect row).
    for _ in range(int(timeout_s / 0.1)):
        if await tables.count_effects(pool, schema) >= total:
            return
        await asyncio.sleep(0.1)
