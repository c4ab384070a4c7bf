"""The eBox simulator as a separate process for the benchmark, wired as `loket up` wires it
(key pair in `<work dir>/ebox/`, the certificate handed to the simulator)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from loket.devstack.ebox_wiring import CLIENT_NAME, simulator_argv, simulator_env, simulator_port
from services.ebox_bridge.ebox_client.credentials import ensure_keypair

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
    key, cert = ensure_keypair(work_dir / "ebox", CLIENT_NAME)
    port = simulator_port(avoid=(8110,))  # a `loket up` on this machine may be using 8110
    env = {**os.environ, **simulator_env(cert, ADMIN_TOKEN)}
    proc = subprocess.Popen(  # noqa: ASYNC220 (starting a server is instant; nothing waits on it here)
        simulator_argv(port), env=env, stdout=(work_dir / "ebox_sim.log").open("ab"), stderr=subprocess.STDOUT,
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


async def simulator_received(sim: RunningSim) -> dict[str, int]:
    """What the simulator's registry accepted since its last reset: every publish answered 201,
    split into digital citizens' messages and NO_DIGITAL_USER ones (kept on the eBox too)."""
    messages = (await sim.admin("GET", "/admin/received"))["messages"]
    digital = sum(1 for m in messages if m["digitalUser"])
    return {"messages": len(messages), "digital": digital, "no_digital_user": len(messages) - digital}
