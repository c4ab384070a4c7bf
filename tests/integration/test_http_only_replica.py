"""An HTTP-only replica of the ebox_bridge (LOKET_HTTP_ONLY=true) takes letters over the API and
relays their events, but consumes nothing and runs no background work: a letter it accepted is
on the bus, not admitted, until a working replica consumes it. Its requests therefore never
wait behind a batch of bus work on its event loop (`loket bench letters --via http`)."""

from __future__ import annotations

import asyncio
import random
import uuid
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from loket.bench.letters_http import bench_api_key
from loket.bench.letters_load import letter_payloads
from loket.bench.letters_loket import bridge_process
from loket.bench.letters_sim import running_simulator
from tests.support.letters_api import eventually

pytestmark = pytest.mark.slow


async def test_an_http_only_replica_takes_and_relays_letters_but_consumes_nothing(
        database_url: str, bus_url: str, pool: asyncpg.Pool, tmp_path: Path) -> None:
    letter = letter_payloads(1, random.randrange(10_000_000, 19_000_000), seed=random.randrange(1 << 30))[0]
    letter_id = uuid.UUID(letter["letter_id"])

    async def relayed() -> bool | None:
        # The answer came after the row was committed; the relay deletes it once the bus has it.
        return await pool.fetchval("SELECT count(*) = 0 FROM ebox_bridge.outbox WHERE key = $1 AND "
                                   "topic = 'letters.issued.v1'", str(letter_id)) or None

    async def admitted() -> bool | None:
        return await pool.fetchval("SELECT true FROM ebox_bridge.letters WHERE letter_id = $1", letter_id)

    async with running_simulator(tmp_path) as sim:
        token = await bench_api_key(database_url)
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
            async with bridge_process(database_url, bus_url, sim, tmp_path, http_only=True) as replica:
                answer = await _post_when_ready(http, replica.url, letter)
                assert answer["letter_id"] == str(letter_id), answer
                await eventually(relayed, timeout=30, what="the replica's outbox relayed the letter's event")
                await asyncio.sleep(2)  # time for a consumer, were there one
                assert not await admitted(), "an HTTP-only replica consumed letters.issued.v1"
            async with bridge_process(database_url, bus_url, sim, tmp_path):  # a working replica
                await eventually(admitted, timeout=60, what="the working replica admitted the letter")
    log = (tmp_path / "ebox_bridge-http.log").read_text()
    assert "Traceback" not in log, log[-2000:]


async def _post_when_ready(http: aiohttp.ClientSession, url: str, letter: dict) -> dict:  # type: ignore[type-arg]
    """The API answers 503 until its tenant directory has loaded."""
    for _ in range(300):
        async with http.post(f"{url}/v1/letters", json=letter, headers={"Idempotency-Key": str(uuid.uuid4())}) as r:
            if r.status != 503:
                body = await r.json()
                assert r.status == 202, body
                return body  # type: ignore[no-any-return]
        await asyncio.sleep(0.2)
    raise AssertionError("the letters API stayed unavailable for 60 s")
