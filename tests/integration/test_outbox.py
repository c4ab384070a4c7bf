"""Outbox: exactly once on the bus after a crash, and order per key under concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator

import asyncpg
from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.infra.bus import nats_wiring
from loket.infra.bus.bus import Bus
from loket.infra.db.outbox import RELAY_ASLEEP_SALT, Outbox, notify_channel
from loket.infra.db.relay import OutboxRelay, Round
from loket.infra.metrics import PlatformMetrics
from tests.support.bus_harness import activation
from tests.support.keyed_writers import relay_while_writing
from tests.support.notify_harness import eventually
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

    def __init__(self, ack_after_s: float = 0.0) -> None:
        self.rows: list[tuple[str, str]] = []
        self.ack_after_s = ack_after_s

    async def __call__(self, rows: list[tuple[str, str, str, bytes, dict[str, str]]]) -> None:
        await asyncio.sleep(self.ack_after_s)
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


async def test_a_round_says_whether_it_took_all_it_may_by_rows_or_by_bytes(pool, schema) -> None:  # type: ignore[no-untyped-def]
    await _append(pool, schema, 5)
    sizes = [int(r["n"]) for r in await pool.fetch(f"SELECT octet_length(payload) AS n FROM {schema}.outbox ORDER BY id")]
    # Any two rows reach the budget, one alone does not (the events differ by a few bytes at most).
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=_nowhere,
                        batch_size=10, batch_bytes=2 * min(sizes))
    assert await relay.relay_round() == Round(published=2, full=True)
    assert await relay.relay_round() == Round(published=2, full=True)
    # The one left holds less than the budget and fewer rows than the batch: not full.
    assert await relay.relay_round() == Round(published=1, full=False)
    assert await relay.relay_round() == Round(published=0, full=False)
    await _append(pool, schema, 3)
    relay.batch_size, relay.batch_bytes = 3, 100 * max(sizes)
    assert await relay.relay_round() == Round(published=3, full=True)  # full by rows


async def test_a_round_full_by_its_byte_budget_is_followed_by_the_next_at_once(pool, schema) -> None:  # type: ignore[no-untyped-def]
    """A relay lingers to gather rows into larger rounds; a round that reached its byte budget (a
    stream of letters with their PDFs) has all it may carry, and waiting would only slow the stream."""
    appended = await _append(pool, schema, 3)
    sizes = [int(r["n"]) for r in await pool.fetch(f"SELECT octet_length(payload) AS n FROM {schema}.outbox ORDER BY id")]
    bus = _Rounds()
    # Two rows a round, the first full by bytes. A linger far beyond the wait for the second round:
    # had the full round lingered, the wait would time out.
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=bus,
                        batch_bytes=2 * min(sizes), linger_s=3600.0, idle_poll_s=3600.0)
    async with _relaying(relay):
        rounds = await bus.wait_for(2)
    assert rounds == [appended[:2], appended[2:]]


async def test_a_row_larger_than_the_budget_still_leaves_alone(pool, schema) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn, conn.transaction():
        await Outbox(schema).append(conn, *(activation() for _ in range(2)))
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=_nowhere,
                        batch_bytes=1)
    assert [await relay.relay_once() for _ in range(3)] == [1, 1, 0]


async def test_a_second_relay_waits_for_the_rows_a_first_one_holds_instead_of_passing_them(pool, schema) -> None:  # type: ignore[no-untyped-def]
    """Two relays overlapping (a leader's round still running as the next leader starts) publish in
    id order: the second waits for the first's rows rather than taking the rows behind them."""
    events = [activation() for _ in range(6)]
    async with pool.acquire() as conn, conn.transaction():
        await Outbox(schema).append(conn, *events)
    bus, release = _Collected(), asyncio.Event()

    async def first_bus(rows: list[tuple[str, str, str, bytes, dict[str, str]]]) -> None:
        await release.wait()  # the broker has not acknowledged yet: the round holds its rows
        await bus(rows)

    metrics = PlatformMetrics(CollectorRegistry())
    first = asyncio.ensure_future(OutboxRelay(pool, schema, _nowhere, metrics, batch_size=3,
                                              publish_in_order=first_bus).relay_once())
    try:
        await asyncio.sleep(0.2)
        second = asyncio.ensure_future(OutboxRelay(pool, schema, _nowhere, metrics, batch_size=3,
                                                   publish_in_order=bus).relay_once())
        await asyncio.sleep(0.5)
        assert bus.rows == [], "the second relay published rows behind the ones the first still holds"
    finally:
        release.set()  # the first round ends either way: its open transaction would block the schema's drop
    assert (await first, await second) == (3, 3)
    assert bus.rows == [(e.partition_key(), str(e.event_id)) for e in events]  # each once, in append order


async def test_a_leader_whose_session_ended_stops_relaying_and_the_next_one_takes_over(database_url, pool, schema) -> None:  # type: ignore[no-untyped-def]
    """The leader's lock lives in its session: when the server ends that session (a restart of the
    connection, an operator's pg_terminate_backend), another replica can lead at once, and the old
    leader must not go on relaying beside it."""
    pools = {name: await asyncpg.create_pool(database_url, min_size=1, max_size=3,
                                             server_settings={"application_name": f"relay-{name}-{schema}"})
             for name in ("a", "b")}
    buses = {name: _Collected(ack_after_s=0.01) for name in pools}  # a broker takes a moment to acknowledge
    # Rounds of two rows: a burst takes several, so an old leader polling beside the new one
    # would get some of them.
    relays = {name: OutboxRelay(pools[name], schema, _nowhere, PlatformMetrics(CollectorRegistry()),
                                publish_in_order=buses[name], idle_poll_s=0.02, batch_size=2) for name in pools}
    async def published(name: str, ids: list[str]) -> bool:
        return set(ids) <= {message_id for _, message_id in buses[name].rows}

    tasks = [asyncio.ensure_future(relays["a"].run())]
    try:
        first = await _append(pool, schema, 3)
        await eventually(lambda: published("a", first), timeout=10, what="the first leader to relay")
        tasks.append(asyncio.ensure_future(relays["b"].run()))  # queues for the lock
        # Sessions, not locks: while it waits for work the leader's session also holds the relay's
        # "asleep" lock (outbox.py), and counting its locks made this 2 now and then.
        ended = await pool.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM (SELECT DISTINCT l.pid FROM pg_locks l "
            "JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted "
            "AND a.application_name = $1) AS leader_sessions", f"relay-a-{schema}")
        assert ended == 1
        handover = await _append(pool, schema, 1)
        await eventually(lambda: published("b", handover), timeout=10, what="the second relay to lead")
        later: list[str] = []
        for _ in range(10):  # over half a second: the old leader polls every 20 ms
            later += await _append(pool, schema, 10)
            await asyncio.sleep(0.05)

        async def all_published() -> bool:
            return await published("a", []) and set(later) <= {m for bus in buses.values() for _, m in bus.rows}

        await eventually(all_published, timeout=10, what="every event relayed")
        assert not set(later) & {message_id for _, message_id in buses["a"].rows}, \
            "the old leader went on relaying beside the new one"
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for p in pools.values():
            await p.close()


class _Rounds:
    """A bus that keeps each round's event ids, and lets a test wait for the next round."""

    def __init__(self) -> None:
        self.rounds: list[list[str]] = []
        self.arrived = asyncio.Condition()

    async def __call__(self, rows: list[tuple[str, str, str, bytes, dict[str, str]]]) -> None:
        async with self.arrived:
            self.rounds.append([message_id for _, _, message_id, _, _ in rows])
            self.arrived.notify_all()

    async def wait_for(self, count: int) -> list[list[str]]:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.rounds) >= count), 20)
        return self.rounds


async def _append(pool: asyncpg.Pool, schema: str, count: int) -> list[str]:
    """`count` events appended in one transaction; their event ids."""
    events = [activation() for _ in range(count)]
    async with pool.acquire() as conn, conn.transaction():
        await Outbox(schema).append(conn, *events)
    return [str(e.event_id) for e in events]


@contextlib.asynccontextmanager
async def _relaying(relay: OutboxRelay) -> AsyncIterator[None]:
    """The relay runs in the background for the block, and is stopped after it."""
    task = asyncio.ensure_future(relay.run())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _appends_one_by_one_within_the_linger(pool: asyncpg.Pool, schema: str) -> list[str]:
    """Three events, each its own transaction (and notification, should the relay sleep), well
    inside the tests' 3 s linger; their event ids."""
    later = []
    for _ in range(3):
        later += await _append(pool, schema, 1)
        await asyncio.sleep(0.2)
    return later


async def test_events_appended_while_the_relay_is_busy_go_out_together_after_its_linger(pool, schema) -> None:  # type: ignore[no-untyped-def]
    """A round that was not full is followed by the next only `linger_s` after it began: what the
    writers commit meanwhile leaves in one round, not in one round each (fewer transactions and
    produce requests under steady load)."""
    bus = _Rounds()
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=bus,
                        linger_s=3.0)
    async with _relaying(relay):
        first = await _append(pool, schema, 1)
        assert await bus.wait_for(1) == [first]
        later = await _appends_one_by_one_within_the_linger(pool, schema)
        rounds = await bus.wait_for(2)
        assert rounds[1] == later, f"the relay did not linger: rounds {rounds}"


class _RelayWithAWriterBehindItsEmptyRound(OutboxRelay):
    """Forces one interleaving: a writer commits right after the relay's first empty round, so the
    relay's last look before sleeping (which an append made while it was awake does not notify)
    is the round that finds the row."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.written_after_empty_round: list[str] = []

    async def relay_round(self) -> Round:
        done = await super().relay_round()
        if not done.published and not self.written_after_empty_round:
            self.written_after_empty_round = await _append(self.pool, self.schema, 1)
        return done


async def test_rows_found_by_the_last_look_before_sleeping_linger_like_any_round(pool, schema) -> None:  # type: ignore[no-untyped-def]
    """The relay's last look before it sleeps is a round too: what the writers commit during the
    linger after it leaves together. (Once, the loop went from that look straight to an empty
    round and to sleep, and the next append woke it to leave alone.)"""
    bus = _Rounds()
    relay = _RelayWithAWriterBehindItsEmptyRound(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()),
                                                 publish_in_order=bus, linger_s=3.0, idle_poll_s=3600.0)
    async with _relaying(relay):
        first = await bus.wait_for(1)
        assert first == [relay.written_after_empty_round]
        later = await _appends_one_by_one_within_the_linger(pool, schema)
        rounds = await bus.wait_for(2)
        assert rounds[1] == later, f"the relay did not linger after its last look: rounds {rounds}"


async def test_a_relay_woken_from_idle_publishes_at_once_whatever_its_linger(pool, schema) -> None:  # type: ignore[no-untyped-def]
    bus = _Rounds()
    # A linger far beyond the wait below: had the woken relay lingered first, the wait would time out.
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=bus,
                        linger_s=3600.0, idle_poll_s=3600.0)
    async with _relaying(relay):
        await asyncio.sleep(0.3)  # the relay found the outbox empty and waits for a notification
        assert bus.rounds == []
        appended = await _append(pool, schema, 1)
        assert await bus.wait_for(1) == [appended]


async def test_an_append_notifies_the_relay_only_while_it_sleeps(pool, schema) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL commits notifying transactions one at a time, cluster-wide: an append notifies
    only when the schema's relay holds its "asleep" lock."""
    heard: asyncio.Queue[object] = asyncio.Queue()
    hear = lambda *args: heard.put_nowait(args)  # noqa: E731
    async with pool.acquire() as listening, pool.acquire() as relay_session:
        await listening.add_listener(notify_channel(schema), hear)
        try:
            await _append(pool, schema, 1)  # the relay is awake (nobody holds the lock)
            await relay_session.execute("SELECT pg_advisory_lock(hashtextextended($1, $2))", schema, RELAY_ASLEEP_SALT)
            await _append(pool, schema, 1)  # the relay sleeps
            await asyncio.wait_for(heard.get(), 5)
            await asyncio.sleep(0.3)  # notifications arrive in commit order: the first append's would be here
            assert heard.empty(), "the append made while the relay was awake notified it too"
        finally:
            await relay_session.execute("SELECT pg_advisory_unlock_all()")
            await listening.remove_listener(notify_channel(schema), hear)


async def test_a_relay_does_not_sleep_past_a_writer_that_skipped_its_notification(pool, schema) -> None:  # type: ignore[no-untyped-def]
    """A writer appended while the relay was awake (no notification) and commits after the relay
    found the outbox empty: the relay must not go to sleep waiting for a notification that will
    not come (its idle poll here is an hour, the wait below 20 s)."""
    bus = _Rounds()
    relay = OutboxRelay(pool, schema, _nowhere, PlatformMetrics(CollectorRegistry()), publish_in_order=bus,
                        linger_s=1.0, idle_poll_s=3600.0)
    async with _relaying(relay):
        first = await _append(pool, schema, 1)
        assert await bus.wait_for(1) == [first]  # the relay lingers for a second after this round
        events = [activation()]
        async with pool.acquire() as conn, conn.transaction():
            await Outbox(schema).append(conn, *events)
            await asyncio.sleep(2.0)  # commits after the relay's next, empty round
        rounds = await bus.wait_for(2)
        assert rounds[1] == [str(events[0].event_id)]


async def test_a_standby_waits_for_the_lead_quietly_however_long_the_leader_lives(database_url, pool, schema) -> None:  # type: ignore[no-untyped-def]
    """A second replica's relay waits for the lead without counting publish errors: the wait used
    to be one `pg_advisory_lock` statement, which the pool's command timeout (30 s) cut off, so
    every standby logged "paused: TimeoutError" and counted a publish error twice a minute. Here
    the pools' statements time out after 1 s and the standby waits 2.5 s; then the leader stops
    and the standby takes over."""
    from loket.infra.db.pool import create_pool

    pools = {name: await create_pool(database_url, min_size=1, max_size=3, command_timeout=1)
             for name in ("leader", "standby")}
    registries = {name: CollectorRegistry() for name in pools}
    buses = {name: _Collected() for name in pools}
    relays = {name: OutboxRelay(pools[name], schema, _nowhere, PlatformMetrics(registries[name]),
                                publish_in_order=buses[name], idle_poll_s=0.02) for name in pools}

    async def published(name: str, ids: list[str]) -> bool:
        return set(ids) <= {message_id for _, message_id in buses[name].rows}

    leader = asyncio.ensure_future(relays["leader"].run())
    standby: asyncio.Future[None] | None = None
    try:
        first = await _append(pool, schema, 2)
        await eventually(lambda: published("leader", first), timeout=10, what="the leader to relay")
        standby = asyncio.ensure_future(relays["standby"].run())
        await asyncio.sleep(2.5)  # more than twice the pools' command timeout
        errors = registries["standby"].get_sample_value("loket_outbox_publish_errors_total", {"schema": schema})
        assert not errors, f"the standby counted {errors} publish errors while it waited"
        assert not standby.done()
        leader.cancel()
        await asyncio.gather(leader, return_exceptions=True)
        handover = await _append(pool, schema, 1)
        await eventually(lambda: published("standby", handover), timeout=10, what="the standby to take over")
    finally:
        for task in (leader, standby):
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in (leader, standby) if t is not None), return_exceptions=True)
        for p in pools.values():
            await p.close()
