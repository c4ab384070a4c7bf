"""`loket privacy export`: one citizen's letters (with history), and nobody else's, in a 0600
JSON file; the number is never printed; an invalid number is refused."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys

from loket.contracts.national_number import is_valid_national_number
from tests.integration.test_bridge_retention import letter
from tests.support.bridge_harness import install_test_policy
from tests.support.letters import national_number


async def test_export_holds_the_citizens_letters_and_no_one_elses(pool, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)  # migrates the bridge's schema
    rng = random.Random()
    citizen, other = (national_number(rng.randrange(10_000, 90_000)) for _ in range(2))
    assert citizen != other and is_valid_national_number(citizen)
    async with pool.acquire() as conn:
        mine = {await letter(conn, "ebox_bridge", municipality="12025", ebox="read", paper=None, days_ago=3,
                             ssin=citizen) for _ in range(2)}
        await letter(conn, "ebox_bridge", municipality="12025", ebox="read", paper=None, days_ago=3, ssin=other)
    out = tmp_path / "export.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    run = subprocess.run([sys.executable, "-m", "loket.cli", "privacy", "export", citizen, "--out", str(out),
                          "--database-url", database_url], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert citizen not in run.stdout + run.stderr and "2 letters" in run.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    exported = json.loads(out.read_text())
    letters = exported["services"]["ebox_bridge"]["letters"]
    assert {entry["letter_id"] for entry in letters} == {str(i) for i in mine}
    assert other not in out.read_text() and letters[0]["postal_address"] and letters[0]["pdf_bytes"] > 0

    refused = subprocess.run([sys.executable, "-m", "loket.cli", "privacy", "export", "12345678901", "--out",
                              str(tmp_path / "x.json"), "--database-url", database_url], env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "not a valid national register" in refused.stderr
    assert not (tmp_path / "x.json").exists()
