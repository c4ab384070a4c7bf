"""schemathesis fuzzes the bridge's letters and webhooks API from its own OpenAPI document:
no server error, and answers with the documented status codes, content types and schemas."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import asyncpg

from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from tests.support.bridge_harness import bridge_settings, simulator
from tests.support.letters_api import MECHELEN, letters_api

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


async def test_schemathesis_finds_no_server_errors(database_url: str, bus_url: str, pool: asyncpg.Pool,
                                                    tmp_path: Path) -> None:
    key, cert = write_self_signed_keypair(tmp_path / "keys", "bridge", valid_days=1)
    keys = SimpleNamespace(key=key, cert=cert)
    async with simulator(keys.cert) as sim:
        settings = bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool")
        async with letters_api(pool, settings) as api:
            cli = Path(sys.executable).with_name("schemathesis")
            process = await asyncio.create_subprocess_exec(
                str(cli), "run", f"{api.base}/docs/openapi.json",
                "--header", f"Authorization: Bearer {api.keys[MECHELEN]}",
                # One worker: see test_booking_openapi.py (a hypothesis tool error in threads).
                "--checks", CHECKS, "--max-examples", "20", "--seed", "20261202", "--workers", "1",
                "--phases", "examples,coverage,fuzzing,stateful", "--request-timeout", "20",
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}, cwd=tmp_path)
            output, _ = await asyncio.wait_for(process.communicate(), 280)
    text = output.decode(errors="replace")
    (tmp_path / "schemathesis.txt").write_text(text)
    assert process.returncode == 0, text[-8000:]
    assert "/v1/letters" in text and "/v1/webhooks" in text  # it really exercised the API
