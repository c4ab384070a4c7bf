"""The eBox simulator's access log masks the national numbers its URLs carry
(`/admin/citizens/{ssin}/activate`): the process logs through Loket's masking filter."""

from __future__ import annotations

import asyncio
import os
import sys

import aiohttp

from loket.devstack.ebox_wiring import simulator_env
from loket.infra.embedded.ports import free_port
from services.ebox_bridge.ebox_client.credentials import ensure_keypair
from tests.support.letters import national_number

ADMIN = "ebox-sim-access-log-admin-token"


async def test_the_access_log_never_holds_a_national_number(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, cert = ensure_keypair(tmp_path, "bridge")
    port, ssin = free_port(), national_number(7)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "loket.cli", "ebox-sim", "--port", str(port),
        env={**os.environ, **simulator_env(cert, ADMIN)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/health/live") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            async with http.post(f"http://127.0.0.1:{port}/admin/citizens/{ssin}/activate",
                                 headers={"Authorization": f"Bearer {ADMIN}"}) as r:
                assert r.status == 200
    finally:
        process.terminate()
        output = (await asyncio.wait_for(process.communicate(), 30))[0].decode()
    assert "/admin/citizens/" in output and "/activate" in output  # the request was logged…
    assert ssin not in output  # …with the number masked
