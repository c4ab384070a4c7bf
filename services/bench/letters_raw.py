"""The raw per-event baseline of `loket bench letters`, written with plain nats-py, asyncpg and
aiohttp: consume → dedupe insert → HTTP POST publish → outcome insert → publish outcome → ack,
one event at a time per worker, with several workers in flight (DESIGN.md: one at a time
gets ~300/s). It talks to the same simulator, PostgreSQL and NATS as the Loket run."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
import nats
from nats.js import api

from services.bench.letters_load import LoadItem, publish_load
from services.ebox_bridge.ebox_client.assertion import ClientAssertion
from services.ebox_bridge.ebox_client.config import PUBLISH_SCOPE
from services.ebox_bridge.ebox_client.message import Letter, message_to_publish, publish_form

STREAM, SUBJECT, OUTCOMES = "BENCH_RAW_LETTERS", "bench.raw.letters", "bench.raw.outcomes"
SCHEMA = "bench_raw_letters"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class RawResult:
    events: int
    seconds: float
    outcomes: dict[str, int]

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


async def run_raw_letters(
    database_url: str, bus_url: str, sim_url: str, key: Path, load: list[LoadItem],
    workers: int, progress: Callable[[str, float], None],
) -> RawResult:
    nc = await nats.connect(bus_url)
    js = nc.jetstream()
    pool = await asyncpg.create_pool(database_url, min_size=workers, max_size=workers)
    await _prepare(js, pool)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=workers)) as http:
            token = await _token(http, sim_url, key)
            sub = await js.pull_subscribe(SUBJECT, durable="bench_raw", stream=STREAM,
                                          config=api.ConsumerConfig(ack_wait=60, max_ack_pending=10_000))
            outcomes: dict[str, int] = {}
            done = 0
            started = time.perf_counter()

            async def publish_all() -> None:
                await publish_load(js, SUBJECT, load, lambda _: None, progress)

            slots = asyncio.Semaphore(workers)
            running: set[asyncio.Task[None]] = set()

            async def handle(msg) -> None:  # type: ignore[no-untyped-def]
                nonlocal done
                try:
                    outcome = await _handle(msg.data, pool, http, sim_url, token, js)
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
                    await msg.ack()
                    done += 1
                    if done % 200 == 0:
                        progress("handled", done)
                finally:
                    slots.release()

            async def consume() -> None:
                # Pull in batches, keep `workers` events in flight, each handled on its own.
                while done < len(load):
                    try:
                        msgs = await sub.fetch(workers, timeout=0.2)
                    except (TimeoutError, nats.errors.TimeoutError):
                        continue
                    for msg in msgs:
                        await slots.acquire()
                        task = asyncio.create_task(handle(msg))
                        running.add(task)
                        task.add_done_callback(running.discard)
                    if not running:
                        await asyncio.sleep(0)

            await asyncio.gather(publish_all(), consume())
            progress("handled", done)
            return RawResult(len(load), time.perf_counter() - started, outcomes)
    finally:
        await js.delete_stream(STREAM)
        await pool.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        await pool.close()
        await nc.close()


async def _handle(
    data: bytes, pool: asyncpg.Pool, http: aiohttp.ClientSession, sim_url: str, token: str, js: object,
) -> str:
    event = json.loads(data)
    p = event["payload"]
    fresh = await pool.fetchval(
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
    await pool.execute(f"INSERT INTO {SCHEMA}.outcomes (letter_id, outcome) VALUES ($1, $2)", p["letter_id"], outcome)
    await js.publish(OUTCOMES, json.dumps({"letter_id": p["letter_id"], "outcome": outcome}).encode())  # type: ignore[attr-defined]
    return outcome


async def _prepare(js: object, pool: asyncpg.Pool) -> None:
    await js.add_stream(name=STREAM, subjects=[SUBJECT, OUTCOMES], duplicate_window=120)  # type: ignore[attr-defined]
    await pool.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}; "
                       f"CREATE TABLE {SCHEMA}.seen (event_id uuid PRIMARY KEY); "
                       f"CREATE TABLE {SCHEMA}.outcomes (letter_id uuid PRIMARY KEY, outcome text NOT NULL)")


async def _token(http: aiohttp.ClientSession, sim_url: str, key: Path) -> str:
    token_url = f"{sim_url}/oauth/token"
    assertion = ClientAssertion("loket-ebox-bridge", token_url, key, None, 60)
    form = {"grant_type": "client_credentials", "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion.sign(), "scope": PUBLISH_SCOPE}
    async with http.post(token_url, data=form) as response:
        response.raise_for_status()
        return str((await response.json())["access_token"])
