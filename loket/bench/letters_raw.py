"""The raw per-event baseline of `loket bench letters`, written with plain nats-py (or aiokafka),
asyncpg and aiohttp: consume → dedupe insert → HTTP POST publish → outcome insert → publish
outcome → ack (on Kafka: commit after the fetched events are handled), one event at a time per
worker, with `workers` events in flight (docs/architecture.md, "Domain facts": one at a time
gets ~300/s). It talks to the same simulator, PostgreSQL and bus as the Loket run, on its own
stream (or topics), subjects and schema.

Like the ebox_bridge in the Loket run, the pipeline runs in its own process
(`python -m loket.bench.letters_raw …`), while the benchmark process publishes the same kind
of load and times each event from its publication to its outcome message on the bus: both
sides are measured the same way and neither shares its interpreter with the load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import nats
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from nats.js import api

from loket.bench.letters_bus import BenchBus, bench_bus
from loket.bench.letters_load import LoadItem, publish_load
from loket.bench.timing import Timed
from loket.infra.bus.address import parse_bus_url
from services.ebox_bridge.ebox_client.assertion import ClientAssertion
from services.ebox_bridge.ebox_client.config import PUBLISH_SCOPE
from services.ebox_bridge.ebox_client.message import Letter, message_to_publish, publish_form

STREAM, SUBJECT, OUTCOMES = "BENCH_RAW_LETTERS", "bench.raw.letters", "bench.raw.outcomes"
DURABLE = "bench_raw"
SCHEMA = "bench_raw_letters"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLIENT_ID = "loket-ebox-bridge"


@dataclass
class RawResult(Timed):
    events: int  # outcomes seen on the bus
    seconds: float  # first publication → last outcome
    outcomes: dict[str, int]
    latencies_s: list[float] = field(default_factory=list)
    cpu_s: float = 0.0  # of the pipeline's process
    missing: int = 0


async def run_raw_letters(
    database_url: str, bus_url: str, sim_url: str, key: Path, load: list[LoadItem],
    workers: int, progress: Callable[[str, float], None], timeout_s: float = 600,
) -> RawResult:
    """Start the pipeline process, publish `load`, and wait for an outcome per event."""
    published: dict[str, float] = {}
    finished: dict[str, float] = {}
    outcomes: dict[str, int] = {}

    def on_outcome(data: bytes) -> None:
        body = json.loads(data)
        if body["letter_id"] not in finished:
            finished[body["letter_id"]] = time.perf_counter()
            outcomes[body["outcome"]] = outcomes.get(body["outcome"], 0) + 1

    async with bench_bus(bus_url) as bus:
        await bus.create_scratch(STREAM, [SUBJECT, OUTCOMES])
        await _prepare_schema(database_url)
        try:
            async with bus.watching(OUTCOMES, on_outcome):
                last, stats = await _drive(bus, database_url, bus_url, sim_url, key, load, workers, progress,
                                           timeout_s, published, finished)
        finally:
            await bus.drop_scratch(STREAM, [SUBJECT, OUTCOMES])
            conn = await asyncpg.connect(database_url)
            try:
                await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            finally:
                await conn.close()
    return RawResult(
        events=len(finished), seconds=last, outcomes=outcomes,
        latencies_s=[finished[i] - published[i] for i in finished if i in published],
        cpu_s=float(stats.get("cpu_s", 0.0)), missing=len(load) - len(finished),
    )


async def _drive(
    bus: BenchBus, database_url: str, bus_url: str, sim_url: str, key: Path, load: list[LoadItem], workers: int,
    progress: Callable[[str, float], None], timeout_s: float, published: dict[str, float],
    finished: dict[str, float],
) -> tuple[float, dict]:  # type: ignore[type-arg]
    """Run the pipeline process over the load; the seconds from the first publication to the
    last outcome, and the process's own figures."""
    pipeline = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "loket.bench.letters_raw", "--database-url", database_url, "--bus-url", bus_url,
        "--sim-url", sim_url, "--key", str(key), "--count", str(len(load)), "--workers", str(workers),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert pipeline.stdout is not None
        ready = await asyncio.wait_for(pipeline.stdout.readline(), 60)
        if ready.strip() != b"ready":
            raise RuntimeError(f"the raw pipeline did not start (exit {await pipeline.wait()})")
        started = time.perf_counter()

        def mark(item: LoadItem) -> None:
            published[item.letter_id] = time.perf_counter()
            if len(published) % 500 == 0:
                progress("handled", len(finished))

        await publish_load(bus, SUBJECT, load, mark, progress)
        deadline = started + timeout_s
        while len(finished) < len(load) and time.perf_counter() < deadline and pipeline.returncode is None:
            progress("handled", len(finished))
            await asyncio.sleep(0.2)
        progress("handled", len(finished))
        last = max(finished.values(), default=time.perf_counter())
        stats = {}
        with contextlib.suppress(TimeoutError, json.JSONDecodeError):
            stats = json.loads(await asyncio.wait_for(pipeline.stdout.readline(), 10 if len(finished) == len(load) else 0.1))
    finally:
        if pipeline.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                pipeline.terminate()
        await pipeline.wait()
    return last - started, stats


async def _prepare_schema(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}; "
                           f"CREATE TABLE {SCHEMA}.seen (event_id uuid PRIMARY KEY); "
                           f"CREATE TABLE {SCHEMA}.outcomes (letter_id uuid PRIMARY KEY, outcome text NOT NULL)")
    finally:
        await conn.close()


# --- the pipeline process -------------------------------------------------------------------

PublishOutcome = Callable[[str, bytes], Awaitable[None]]  # (letter id, body)
Handle = Callable[[bytes, asyncpg.Connection, PublishOutcome], Awaitable[str]]


async def pipeline_main(database_url: str, bus_url: str, sim_url: str, key: Path, count: int, workers: int) -> dict:  # type: ignore[type-arg]
    """Handle `count` events from the bench stream (topic), `workers` at a time, then report."""
    # One connection per worker, held for the run: no pool round trips between statements.
    conns = await asyncio.gather(*(asyncpg.connect(database_url) for _ in range(workers)))
    counts = {"duplicate": 0}
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers)) as http:
            token = await _token(http, sim_url, key)

            async def handle(data: bytes, conn: asyncpg.Connection, publish: PublishOutcome) -> str:
                outcome = await _handle(data, conn, http, sim_url, token, publish)
                if outcome == "duplicate":
                    counts["duplicate"] += 1
                return outcome

            consume = _consume_kafka if parse_bus_url(bus_url).kind == "kafka" else _consume_nats
            cpu_at_start = _cpu_s()
            handled = await consume(bus_url, conns, count, handle)
    finally:
        await asyncio.gather(*(c.close() for c in conns))
    return {"handled": handled, "duplicates": counts["duplicate"], "cpu_s": _cpu_s() - cpu_at_start}


async def _consume_nats(bus_url: str, conns: list[asyncpg.Connection], count: int, handle: Handle) -> int:
    """A pull consumer feeding one worker per connection; each message acked once handled."""
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    js = nc.jetstream()
    handled, workers = 0, len(conns)

    async def publish(letter_id: str, body: bytes) -> None:
        await js.publish(OUTCOMES, body)

    try:
        sub = await js.pull_subscribe(SUBJECT, durable=DURABLE, stream=STREAM,
                                      config=api.ConsumerConfig(ack_wait=60, max_ack_pending=10_000))
        queue: asyncio.Queue = asyncio.Queue(maxsize=workers)  # type: ignore[type-arg]
        print("ready", flush=True)

        async def worker(conn: asyncpg.Connection) -> None:
            nonlocal handled
            while True:
                msg = await queue.get()
                await handle(msg.data, conn, publish)
                await msg.ack()
                handled += 1
                queue.task_done()

        tasks = [asyncio.create_task(worker(conn)) for conn in conns]
        fetched = 0
        while fetched < count:
            # Pull a batch; the bounded queue keeps `workers` events in flight.
            try:
                msgs = await sub.fetch(min(workers, count - fetched), timeout=1)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            for msg in msgs:
                await queue.put(msg)
            fetched += len(msgs)
        await queue.join()
        for task in tasks:
            task.cancel()
    finally:
        await nc.close()
    return handled


async def _consume_kafka(bus_url: str, conns: list[asyncpg.Connection], count: int, handle: Handle) -> int:
    """A consumer group of one: fetch up to one event per connection, handle them all at once,
    then commit (an offset covers everything before it on its partition, so a commit waits for
    the whole fetch), as a plain aiokafka service would."""
    bootstrap = ",".join(parse_bus_url(bus_url).servers)
    consumer = AIOKafkaConsumer(SUBJECT, bootstrap_servers=bootstrap, group_id=f"{DURABLE}-{os.getpid()}",
                                enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=len(conns))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    await consumer.start()
    handled = 0

    async def publish(letter_id: str, body: bytes) -> None:
        await producer.send_and_wait(OUTCOMES, body, key=letter_id.encode())

    try:
        print("ready", flush=True)
        while handled < count:
            fetched = await consumer.getmany(timeout_ms=1000, max_records=len(conns))
            records = [record for batch in fetched.values() for record in batch]
            await asyncio.gather(*(handle(r.value, conn, publish) for r, conn in zip(records, conns, strict=False)))
            if records:
                await consumer.commit()
            handled += len(records)
    finally:
        await consumer.stop()
        await producer.stop()
    return handled


def _cpu_s() -> float:
    times = os.times()
    return times.user + times.system


async def _handle(
    data: bytes, conn: asyncpg.Connection, http: aiohttp.ClientSession, sim_url: str, token: str,
    publish: PublishOutcome,
) -> str:
    event = json.loads(data)
    p = event["payload"]
    fresh = await conn.fetchval(
        f"INSERT INTO {SCHEMA}.seen (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING true", event["event_id"]
    )
    if not fresh:
        return "duplicate"
    pdf = base64.b64decode(p["pdf_base64"])
    doc = message_to_publish(Letter(p["recipient_national_number"], p["subject"], p["language"], pdf, p["document_type"]),
                             "0206731645", "loket")
    async with http.post(f"{sim_url}/messageRegistry/v3/ebox/messages", data=publish_form(doc, pdf),
                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": p["letter_id"]}) as response:
        body = await response.json(content_type=None)
        outcome = "paper" if body.get("code") == "NO_DIGITAL_USER" else ("delivered" if response.status == 201 else f"http_{response.status}")
    await conn.execute(f"INSERT INTO {SCHEMA}.outcomes (letter_id, outcome) VALUES ($1, $2)", p["letter_id"], outcome)
    await publish(p["letter_id"], json.dumps({"letter_id": p["letter_id"], "outcome": outcome}).encode())
    return outcome


async def _token(http: aiohttp.ClientSession, sim_url: str, key: Path) -> str:
    """One access token for the run, from the simulator's /oauth/token (private_key_jwt)."""
    token_url = f"{sim_url}/oauth/token"
    assertion = ClientAssertion(CLIENT_ID, token_url, key, None, 60)
    form = {"grant_type": "client_credentials", "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion.sign(), "scope": PUBLISH_SCOPE}
    async with http.post(token_url, data=form) as response:
        response.raise_for_status()
        return str((await response.json())["access_token"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("--database-url", "--bus-url", "--sim-url", "--key"):
        parser.add_argument(name, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--workers", type=int, default=64)
    args = parser.parse_args()
    stats = asyncio.run(pipeline_main(args.database_url, args.bus_url, args.sim_url, Path(args.key),
                                      args.count, args.workers))
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main()
