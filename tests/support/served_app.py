"""Serve an ASGI app with uvicorn on a free loopback port inside the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from loket.infra.embedded.ports import free_port


@contextlib.asynccontextmanager
async def served(app: Any, port: int | None = None) -> AsyncIterator[str]:
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on",
                       proxy_headers=False)  # as `loket serve`: only LOKET_TRUSTED_PROXIES count
    )
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(300):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        if task.done():
            task.result()  # raise the start-up error
        assert server.started, "the app did not start in 15 s"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
