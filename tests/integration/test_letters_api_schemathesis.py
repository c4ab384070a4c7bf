"""schemathesis fuzzes the bridge's letters and webhooks API from its own OpenAPI document:
no server error, and answers with the documented status codes, content types and schemas."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import asyncpg

from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from tests.support.bridge_harness import bridge_settings, simulator
from tests.support.letters_api import MECHELEN, letters_api
from tests.support.openapi_checks import operations_tested, run_schemathesis


async def test_schemathesis_finds_no_server_errors(database_url: str, bus_url: str, pool: asyncpg.Pool,
                                                    tmp_path: Path) -> None:
    key, cert = write_self_signed_keypair(tmp_path / "keys", "bridge", valid_days=1)
    keys = SimpleNamespace(key=key, cert=cert)
    async with simulator(keys.cert) as sim:
        settings = bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool")
        async with letters_api(pool, settings) as api:
            code, text = await run_schemathesis(f"{api.base}/docs/openapi.json",
                                                {"Authorization": f"Bearer {api.keys[MECHELEN]}"}, 20261202,
                                                tmp_path, phases="examples,coverage,fuzzing,stateful",
                                                request_timeout_s=20)
    assert code == 0, text[-8000:]
    # It really exercised the API: every operation of the letters, webhooks and print batches. (The
    # paths themselves show in its output only where it warns about one, which depends on the data.)
    assert operations_tested(text) == 14, text[-3000:]
