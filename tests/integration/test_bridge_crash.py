"""The SIGKILL test: the bridge process is killed in the middle of 2 000 letters and restarted.
Afterwards every letter is in exactly one terminal state per channel, the simulator received
each digital letter exactly once, and each paper letter is in exactly one print batch."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from loket.infra.embedded.ports import free_port
from services.ebox_bridge.app import NAME
from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from tests.support.bridge_harness import (
    POLICY,
    install_test_policy,
    publish,
    settled,
    simulator,
    status_events,
    wait_for_letters,
)
from tests.support.letters import Population, letter_issued

pytestmark = pytest.mark.chaos
LETTERS = 400  # enough that the kill lands mid-run (at a quarter settled); more only costs CI time


def bridge_process(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "loket.cli", "serve", "ebox_bridge"],
        env={**os.environ, **env}, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )


async def count_settled(pool: asyncpg.Pool, ids: list[UUID]) -> int:
    return await pool.fetchval(
        f"SELECT count(*) FROM {NAME}.letters WHERE letter_id = ANY($1::uuid[]) "
        "AND ebox_state IN ('delivered_to_ebox', 'not_digital', 'failed')",
        ids,
    )


async def test_sigkill_mid_run_loses_and_duplicates_nothing(database_url, bus_url, pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, cert = write_self_signed_keypair(tmp_path / "keys", "bridge", valid_days=1)
    await install_test_policy(pool)
    spool = tmp_path / "spool"
    async with simulator(cert, faults={"latency_ms": 5}) as sim:
        env = {
            "LOKET_DATABASE_URL": database_url, "LOKET_BUS_URL": bus_url, "LOKET_PORT": str(free_port()),
            "LOKET_EBOX_URL": sim.base, "LOKET_EBOX_PRIVATE_KEY_FILE": str(key),
            "LOKET_EBOX_CERTIFICATE_FILE": str(cert), "LOKET_POLICY_FILE": str(POLICY),
            "LOKET_PRINT_SPOOL_DIR": str(spool), "LOKET_PRINT_AUTO_CLOSE": "false",
            "LOKET_DISPATCH_IDLE_S": "0.05", "LOKET_DISPATCH_LEASE_S": "3",
            "LOKET_CONSUMER_BATCH_SIZE": "100", "LOKET_DISPATCH_BATCH_SIZE": "100",
            "LOKET_LOG_LEVEL": "WARNING",
        }
        people = Population(start=10_000)
        letters = [
            letter_issued(people.take(i % 20 < 7), **_variant(i)) for i in range(LETTERS)
        ]
        ids = [e.payload.letter_id for e in letters]
        log = tmp_path / "bridge.log"
        first = bridge_process(env, log)
        try:
            await publish(bus_url, letters)
            # Kill it once a good part, but not all, of the work is done.
            deadline = time.monotonic() + 120
            while await count_settled(pool, ids) < LETTERS // 4:
                assert first.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, "the bridge made no progress"
                await asyncio.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        done_before_restart = await count_settled(pool, ids)
        assert done_before_restart < LETTERS, "killed too late to prove anything"

        second = bridge_process(env, log)
        try:
            rows = await wait_for_letters(pool, ids, settled, timeout=180)
            await _close_batch(database_url, env)
            rows = await wait_for_letters(pool, ids, lambda r: r["paper_state"] in (None, "in_batch"), timeout=30)
            accepted = await sim.accepted_by_key()
            on_bus = await status_events(bus_url, set(ids), expected=_expected_events(rows), timeout=60)
            events = {i: Counter(e["event_type"] for e in evs) for i, evs in on_bus.items()}
        finally:
            second.terminate()
            second.wait(20)

    ebox = Counter(r["ebox_state"] for r in rows.values())
    assert set(ebox) <= {"delivered_to_ebox", "not_digital", "failed", None}
    # Each digital letter's content reached the eBox exactly once; nothing else was sent.
    delivered = {i for i, r in rows.items() if r["ebox_state"] == "delivered_to_ebox"}
    ours = {k: n for k, n in accepted.items() if UUID(k) in rows}
    assert set(map(UUID, ours)) == delivered
    assert set(ours.values()) == {1}
    # Each paper letter is in exactly one batch, and the batch files list it exactly once.
    paper = {i for i, r in rows.items() if r["paper_state"] is not None}
    assert all(rows[i]["batch_id"] for i in paper)
    listed = Counter()
    for manifest in spool.glob("*/manifest.json"):
        for entry in json.loads(manifest.read_text())["letters"]:
            listed[UUID(entry["letter_id"])] += 1
    assert {i for i in listed if i in rows} == paper
    assert all(listed[i] == 1 for i in paper)
    # One event per fact on the bus: no duplicates despite the kill.
    for letter_id, kinds in events.items():
        assert all(n == 1 for n in kinds.values()), (letter_id, kinds)
    print(f"killed after {done_before_restart}/{LETTERS} settled; ebox {dict(ebox)}; paper {len(paper)}")


def _variant(i: int) -> dict:
    # Mostly ebox_first, with `both` and paper_only letters in the mix.
    if i % 10 == 3:
        return {"department": "elections", "document_type": "convocation"}
    if i % 10 == 7:
        return {"department": "housing", "document_type": "permit"}
    return {}


def _expected_events(rows: dict) -> int:
    return sum(
        (r["ebox_state"] in ("delivered_to_ebox", "failed")) + (r["paper_state"] is not None)
        for r in rows.values()
    )


async def _close_batch(database_url: str, env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "loket.cli", "print", "close", "--database-url", database_url,
        env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
