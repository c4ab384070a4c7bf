"""The eBox simulator as a separate process for the benchmark, with a fresh client key pair."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from services.infra.embedded.ports import free_port

ADMIN_TOKEN = "bench-admin"


@dataclass(frozen=True)
class RunningSim:
    url: str
    key: Path
    cert: Path
    pid: int

    async def admin(self, method: str, path: str) -> dict:  # type: ignore[type-arg]
        async with aiohttp.ClientSession() as http, http.request(
            method, f"{self.url}{path}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        ) as response:
            response.raise_for_status()
            return await response.json()


@contextlib.asynccontextmanager
async def running_simulator(work_dir: Path) -> AsyncIterator[RunningSim]:
    key, cert = write_self_signed_keypair(work_dir / "keys", "loket-ebox-bridge")
    port = free_port()
    env = {**os.environ, "LOKET_EBOX_SIM_CLIENT_PUBLIC_KEY_PEM": cert.read_text(),
           "LOKET_EBOX_SIM_ADMIN_TOKEN": ADMIN_TOKEN}
    proc = subprocess.Popen(  # noqa: ASYNC220 (starting a server is instant; nothing waits on it here)
        [sys.executable, "-m", "services.cli", "ebox-sim", "--port", str(port)],
        env=env, stdout=(work_dir / "ebox_sim.log").open("ab"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_http(f"{url}/health/live", proc, "the eBox simulator")
        yield RunningSim(url, key, cert, proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


async def wait_http(url: str, proc: subprocess.Popen[bytes], what: str, timeout_s: float = 60) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(int(timeout_s * 10)):
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with {proc.returncode}; see its log")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{what} did not become ready in {timeout_s:.0f} s")
