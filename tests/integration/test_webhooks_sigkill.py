"""The bridge is SIGKILLed while it delivers webhooks, and restarted: the receiver still gets
every event, each under one webhook-id (a delivery cut off mid-call comes again with the same
id, and the receiver's de-duplication absorbs it), every signature verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from loket.infra.embedded.ports import free_port
from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from tests.support.bridge_harness import POLICY, install_test_policy, publish, simulator
from tests.support.letters import Population, letter_issued
from tests.support.letters_api import MECHELEN, eventually, make_key
from tests.support.webhook_receiver import receiver

pytestmark = pytest.mark.chaos
LETTERS = 40


def bridge_process(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "loket.cli", "serve", "ebox_bridge"],
                            env={**os.environ, **env}, stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def healthy(http: aiohttp.ClientSession, base: str) -> bool:
    try:
        async with http.get(f"{base}/health/ready") as r:
            return r.status == 200
    except aiohttp.ClientError:
        return False


async def test_sigkill_mid_delivery_loses_nothing_and_the_receiver_sees_each_event_once(
        database_url: str, bus_url: str, pool: asyncpg.Pool, tmp_path: Path) -> None:
    key, cert = write_self_signed_keypair(tmp_path / "keys", "bridge", valid_days=1)
    await install_test_policy(pool)
    token = await make_key(pool, MECHELEN)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "LOKET_DATABASE_URL": database_url, "LOKET_BUS_URL": bus_url, "LOKET_PORT": str(port),
        "LOKET_POLICY_FILE": str(POLICY), "LOKET_PRINT_SPOOL_DIR": str(tmp_path / "spool"),
        "LOKET_PRINT_AUTO_CLOSE": "false", "LOKET_DISPATCH_IDLE_S": "0.05", "LOKET_LOG_LEVEL": "WARNING",
        "LOKET_WEBHOOK_BATCH_SIZE": "5", "LOKET_WEBHOOK_LEASE_S": "2", "LOKET_WEBHOOK_IDLE_S": "0.05",
        "LOKET_WEBHOOK_RETRY_BASE_S": "0.2", "LOKET_WEBHOOK_RETRY_MAX_S": "1",
        "LOKET_EBOX_PRIVATE_KEY_FILE": str(key), "LOKET_EBOX_CERTIFICATE_FILE": str(cert),
    }
    log = tmp_path / "bridge.log"
    async with simulator(cert) as sim, receiver() as hook, aiohttp.ClientSession() as http:
        env["LOKET_EBOX_URL"] = sim.base
        hook.answer_after_s = 0.3  # deliveries are in flight long enough to be cut off
        first = bridge_process(env, log)
        try:
            await eventually(lambda: healthy(http, base), timeout=90, what="the bridge up")
            async with http.post(f"{base}/v1/webhooks", json={"url": hook.url, "event_types": ["LetterDeliveredToEbox"]},
                                 headers={"Authorization": f"Bearer {token}"}) as r:
                assert r.status == 201, await r.text()
                webhook = await r.json()
            hook.secret = webhook["secret"]
            people = Population(start=30_000)
            letters = [letter_issued(people.take(True)) for _ in range(LETTERS)]
            ids = {str(e.payload.letter_id) for e in letters}
            await publish(bus_url, letters)
            await eventually(lambda: _now(len(hook.events_for(ids)) >= 5), timeout=120, what="deliveries under way")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        got_before_restart = len(hook.events_for(ids))
        second = bridge_process(env, log)
        try:
            events = await eventually(lambda: _now(len(hook.events_for(ids)) >= LETTERS and hook.events_for(ids)),
                                      timeout=180, what="every event delivered after the restart")
            async def all_delivered() -> bool:
                return await _undelivered(pool, webhook["id"]) == 0
            await eventually(all_delivered, timeout=60, what="every delivery row delivered")
        finally:
            second.terminate()
            second.wait(20)
    assert hook.bad_signatures == 0
    assert Counter(e["payload"]["letter_id"] for e in events) == dict.fromkeys(ids, 1)
    assert len({e["event_id"] for e in events}) == LETTERS  # one webhook-id per event
    per_event = await pool.fetch("SELECT event_id, count(*) AS n FROM ebox_bridge.webhook_deliveries "
                                 "WHERE webhook_id = $1::uuid GROUP BY 1", webhook["id"])
    assert len(per_event) >= LETTERS and all(r["n"] == 1 for r in per_event)
    print(f"killed with {got_before_restart}/{LETTERS} received; {hook.repeats} repeated deliveries absorbed")


async def _undelivered(pool: asyncpg.Pool, webhook_id: str) -> int:
    return await pool.fetchval("SELECT count(*) FROM ebox_bridge.webhook_deliveries "
                               "WHERE webhook_id = $1::uuid AND state <> 'delivered'", webhook_id)


async def _now(value: Any) -> Any:
    return value
