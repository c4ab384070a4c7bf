"""`loket privacy export`: one citizen's letters (with history), and nobody else's, in a 0600
JSON file; the number is never printed; an invalid number is refused. `loket privacy erase`:
the request crosses the bus and the running bridge erases the citizen's settled letters and
cached eBox status, leaves letters in flight and other citizens alone."""

from __future__ import annotations

import asyncio
import json
import os
import random
import stat
import subprocess
import sys

from loket.contracts.national_number import is_valid_national_number
from loket.infra.db.outbox import Outbox
from tests.integration.test_bridge_retention import letter
from tests.support.bridge_harness import install_test_policy
from tests.support.letters import letter_issued, national_number


async def test_export_holds_the_citizens_letters_and_no_one_elses(pool, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)  # migrates the bridge's schema
    rng = random.Random()
    citizen, other = (national_number(rng.randrange(25_000), born=62) for _ in range(2))
    assert citizen != other and is_valid_national_number(citizen)
    async with pool.acquire() as conn:
        mine = {await letter(conn, "ebox_bridge", municipality="12025", ebox="read", paper=None, days_ago=3,
                             ssin=citizen) for _ in range(2)}
        await letter(conn, "ebox_bridge", municipality="12025", ebox="read", paper=None, days_ago=3, ssin=other)
        # An event naming the citizen is still in the bridge's outbox (its payload is bytes);
        # marked published, so no relay of another test sends it.
        kept = letter_issued(citizen)
        await Outbox("ebox_bridge").append(conn, kept)
        await conn.execute("UPDATE ebox_bridge.outbox SET sent_at = now() WHERE event_id = $1", kept.event_id)
    out = tmp_path / "export.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    run = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "loket.cli", "privacy", "export", citizen, "--out", str(out),
                          "--database-url", database_url], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert citizen not in run.stdout + run.stderr and "2 letters" in run.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    exported = json.loads(out.read_text())
    letters = exported["services"]["ebox_bridge"]["letters"]
    assert {entry["letter_id"] for entry in letters} == {str(i) for i in mine}
    assert other not in out.read_text() and letters[0]["postal_address"] and letters[0]["pdf_bytes"] > 0
    assert [e["event_type"] for e in exported["outboxes"]["ebox_bridge"]] == ["LetterIssued"]

    refused = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "loket.cli", "privacy", "export", "12345678901", "--out",
                              str(tmp_path / "x.json"), "--database-url", database_url], env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "not a valid national register" in refused.stderr
    assert not (tmp_path / "x.json").exists()


async def test_erase_reaches_the_running_bridge_and_erases_only_what_is_settled(  # type: ignore[no-untyped-def]
        pool, database_url, bus_url, tmp_path) -> None:
    import datetime as dt

    from services.ebox_bridge.ebox_client.credentials import ensure_keypair
    from services.ebox_bridge.repository import ebox_status_cache
    from tests.support.bridge_harness import bridge_settings, running_bridge, simulator

    await install_test_policy(pool)
    rng = random.Random()
    citizen, other = (national_number(rng.randrange(25_000), born=62) for _ in range(2))
    async with pool.acquire() as conn:
        settled = {await letter(conn, "ebox_bridge", municipality="12025", ebox="read", paper=None, days_ago=3,
                                ssin=citizen) for _ in range(2)}
        in_flight = await letter(conn, "ebox_bridge", municipality="12025", ebox="pending", paper=None, days_ago=0,
                                 ssin=citizen)
        others = await letter(conn, "ebox_bridge", municipality="12025", ebox="read", paper=None, days_ago=3, ssin=other)
        await ebox_status_cache.store(conn, "ebox_bridge", {citizen: (True, False)}, dt.datetime.now(dt.UTC))
    key, cert = ensure_keypair(tmp_path / "keys", "bridge")
    async with simulator(cert) as sim, running_bridge(bridge_settings(database_url, bus_url, sim, key, cert,
                                                                      tmp_path / "spool")):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
        erasing_from = dt.datetime.now(dt.UTC)
        run = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "loket.cli", "privacy", "erase", citizen, "--bus-url", bus_url,
                              "--no-scrub"],
                             env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-2000:]
        assert citizen not in run.stdout + run.stderr and "erasure" in run.stdout
        for _ in range(300):
            if await pool.fetchval("SELECT count(*) FROM ebox_bridge.letters WHERE letter_id = ANY($1::uuid[]) "
                                   "AND ssin = ''", list(settled)) == 2:
                break
            await asyncio.sleep(0.1)
    rows = {r["letter_id"]: r for r in await pool.fetch(
        "SELECT letter_id, ssin, octet_length(pdf) AS pdf, postal_address, contact FROM ebox_bridge.letters "
        "WHERE letter_id = ANY($1::uuid[])", [*settled, in_flight, others])}
    for erased in settled:
        assert (rows[erased]["ssin"], rows[erased]["pdf"], rows[erased]["postal_address"], rows[erased]["contact"]) == (
            "", 0, None, None)
    assert rows[in_flight]["ssin"] == citizen and rows[in_flight]["pdf"] > 0  # delivering it still needs them
    assert rows[others]["ssin"] == other and rows[others]["postal_address"]
    # Each erased letter is announced (notify erases its messages' contacts); not the others.
    announced = {r["key"] for r in await pool.fetch(
        "SELECT key FROM ebox_bridge.outbox WHERE event_type = 'LetterRecipientErased' AND key = ANY($1::text[])",
        [str(i) for i in (*settled, in_flight, others)])}
    assert announced == {str(i) for i in settled}
    # The look-up stored before the erasure is gone. The in-flight letter may have made the bridge
    # ask the eBox again since; that fresh row is needed to deliver it and expires with the TTL.
    looked_up = await pool.fetchval("SELECT checked_at FROM ebox_bridge.ebox_status_cache WHERE ssin = $1", citizen)
    assert looked_up is None or looked_up > erasing_from
