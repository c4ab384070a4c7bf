"""The baseline of `loket bench counter`: raw Server-Sent Events fan-out on the same server
stack (uvicorn + Starlette, one process), with nothing behind it. `POST /publish?key=…` hands
the key to every open `/events` stream at once; no database, no NOTIFY, no board to read.

Run as `python -m loket.bench.counter_raw_sse PORT`."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route


def raw_app() -> Starlette:
    subscribers: set[asyncio.Queue[str]] = set()

    async def events(_: Request) -> Response:
        queue: asyncio.Queue[str] = asyncio.Queue()
        subscribers.add(queue)

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 2000\n\n"
                yield 'event: board\ndata: {"calls": []}\n\n'  # like Loket's: the (empty) board at once
                while True:
                    yield f"event: board\ndata: {await queue.get()}\n\n"
            finally:
                subscribers.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def publish(request: Request) -> Response:
        data = json.dumps({"key": request.query_params.get("key", "")})
        for queue in subscribers:
            queue.put_nowait(data)
        return PlainTextResponse(str(len(subscribers)))

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/events", events), Route("/publish", publish, methods=["POST"]),
                             Route("/health/ready", health)])


if __name__ == "__main__":
    uvicorn.run(raw_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
