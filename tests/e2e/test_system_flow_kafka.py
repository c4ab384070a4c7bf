"""The whole system on a real three-broker Kafka (`loket kafka up`, LOKET_TEST_KAFKA_BOOTSTRAP):
`loket up` with LOKET_BUS_URL=kafka://…; a booking becomes a confirmation SMS, letters reach the
eBox or paper each exactly once, reporting counts them, and `loket reporting rebuild` replays
the topics from the earliest offsets into the same rows."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import asyncpg
import pytest

from loket.cli.demo_letters import demo_letters
from loket.devstack.runtime_file import runtime_database_url
from tests.chaos.auditor import (
    Expectations,
    ebox_published_once,
    letters_settled_once_per_channel,
    wait_until_quiet,
)
from tests.e2e.test_loket_up import stop_up
from tests.e2e.test_system_flow import (
    assert_one_json_format,
    book_and_expect_the_sms,
    start_up,
    wait_for_metric,
)
from tests.support.bridge_harness import publish

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.skipif(
    not os.environ.get("LOKET_TEST_KAFKA_BOOTSTRAP"),
    reason="no Kafka: `loket kafka up` (needs java and mvn) prints the LOKET_TEST_KAFKA_BOOTSTRAP to set")]

LETTER_COLUMNS = "letter_id, municipality, department, issued_at, ebox_delivered_at, queued_at, failed_channel"


def test_the_whole_system_on_kafka(tmp_path: Path) -> None:
    bus_url = f"kafka://{os.environ['LOKET_TEST_KAFKA_BOOTSTRAP']}"
    proc, runtime = start_up(tmp_path, LOKET_BUS_URL=bus_url, LOKET_QUIET_HOURS="00:00-00:00")
    database_url = runtime_database_url(runtime)
    try:
        assert runtime["bus_address"].startswith("kafka://"), runtime["bus_address"]
        book_and_expect_the_sms(tmp_path, runtime)
        letters = demo_letters(40)  # new letter ids: the topics may hold other tests' letters
        asyncio.run(publish(bus_url, letters))
        expect = Expectations(letters, [], Counter(),
                              {str(e.payload.recipient_national_number) for e in letters})
        asyncio.run(wait_until_quiet(database_url, expect, 240))
        print_and_post(tmp_path, database_url)
        results = asyncio.run(_audit(database_url, expect))
        results |= ebox_published_once(runtime, (tmp_path / "admin-token").read_text().strip())
        broken = {k: detail for k, (held, detail) in results.items() if not held}
        assert not broken, broken

        ids = [e.payload.letter_id for e in letters]
        live = asyncio.run(_letter_rows(database_url, "reporting", ids))
        assert len(live) == len(letters) and all(r["issued_at"] for r in live)
        settled = [r for r in live if r["ebox_delivered_at"] or r["queued_at"]]
        assert len(settled) == len(letters), "reporting counts every letter's channel"
        on_paper = asyncio.run(_count(database_url, "SELECT count(*) FROM ebox_bridge.letters "
                                      "WHERE letter_id = ANY($1::uuid[]) AND paper_state IS NOT NULL", ids))
        assert 0 < on_paper < len(letters), "the demo letters go both ways"
        assert sum(1 for r in live if r["queued_at"]) == on_paper
        # The lag alert's figure, read by the service itself on Kafka: its intake is caught up.
        wait_for_metric(runtime["ports"]["ebox_bridge"],
                         'loket_consumer_lag_messages{consumer="ebox_bridge.intake",topic="letters.issued.v1"} 0.0')

        # As the operator of this installation runs it: the database, the bus and the pseudonym
        # secret are the running `loket up`'s, found through its data directory.
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")} | {"LOKET_DATA_DIR": str(tmp_path)}
        rebuilt = subprocess.run([sys.executable, "-m", "loket.cli", "reporting", "rebuild"],
                                 env=env, capture_output=True, text=True, timeout=300)
        assert rebuilt.returncode == 0, rebuilt.stdout[-2000:] + rebuilt.stderr[-2000:]
        assert asyncio.run(_letter_rows(database_url, "reporting", ids)) == live
    finally:
        stop_up(proc)
    assert_one_json_format(tmp_path / "logs")


def print_and_post(data_dir: Path, database_url: str) -> None:
    """The paper channel to its end: close a print batch, the print house confirms every letter posted."""
    env = {**os.environ, "LOKET_DATA_DIR": str(data_dir)}
    loket = [sys.executable, "-m", "loket.cli", "print"]
    closed = subprocess.run([*loket, "close", "--database-url", database_url], env=env, capture_output=True,
                            text=True, timeout=120)
    assert closed.returncode == 0, closed.stdout + closed.stderr
    in_batch = asyncio.run(_letter_ids(database_url, "SELECT letter_id FROM ebox_bridge.letters "
                                                     "WHERE paper_state = 'in_batch' ORDER BY letter_id"))
    response = data_dir / "print-response.csv"
    response.write_text("letter_id,status,at,reason\n" + "".join(f"{letter},posted,,\n" for letter in in_batch))
    confirmed = subprocess.run([*loket, "confirm", str(response), "--database-url", database_url], env=env,
                               capture_output=True, text=True, timeout=120)
    assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr


async def _letter_ids(database_url: str, query: str) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        return [str(r[0]) for r in await conn.fetch(query)]
    finally:
        await conn.close()


async def _count(database_url: str, query: str, *args: object) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval(query, *args))
    finally:
        await conn.close()


async def _audit(database_url: str, expect: Expectations) -> dict[str, tuple[bool, str]]:
    conn = await asyncpg.connect(database_url)
    try:
        return await letters_settled_once_per_channel(conn, expect)
    finally:
        await conn.close()


async def _letter_rows(database_url: str, schema: str, ids: list) -> list[dict]:  # type: ignore[type-arg]
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(f"SELECT {LETTER_COLUMNS} FROM {schema}.letters WHERE letter_id = ANY($1::uuid[]) "
                                "ORDER BY letter_id", ids)
        return [dict(r) for r in rows]
    finally:
        await conn.close()
