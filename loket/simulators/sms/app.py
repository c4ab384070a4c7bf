"""The simulator's HTTP API.

- `POST /v1/messages` {to, from, body, reference} with `Authorization: Bearer <key>` and an
  optional `Idempotency-Key`: 201 {id, status: "accepted"}; a repeated key answers 200 with the
  first id and sends nothing; 400 for a number that is not E.164; faults give 503 or 429.
- Receipts: POSTed to the configured URL after a delay, {id, status, reason}.
- `/admin/messages`, `/admin/faults`, `/admin/reset` for tests and demos.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import asdict

import aiohttp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from loket.infra.constant_time import same_secret
from loket.simulators.sms.settings import SmsSimSettings
from loket.simulators.sms.state import Faults, SimState, receipt_for

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def create_app(settings: SmsSimSettings) -> Starlette:
    state = SimState(faults=Faults(latency_ms=settings.latency_ms))
    pending: set[asyncio.Task[None]] = set()
    session: dict[str, aiohttp.ClientSession] = {}

    def error(status: int, message: str, **headers: str) -> JSONResponse:
        return JSONResponse({"code": status, "message": message}, status_code=status, headers=headers)

    def authorised(request: Request, secret: str) -> bool:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return not secret or same_secret(given, secret)

    async def send_receipt(message_id: str, to: str) -> None:
        await asyncio.sleep(settings.receipt_delay_ms / 1000)
        status, reason = receipt_for(to)
        body = {"id": message_id, "status": status, **({"reason": reason} if reason else {})}
        for attempt in range(5):  # receipts are retried, like real providers do
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with session["http"].post(settings.receipts_url, json=body,  # type: ignore[arg-type]
                                                 headers={"X-Receipt-Token": settings.receipts_token}) as r:
                    if r.status < 500:
                        return
            await asyncio.sleep(0.5 * 2 ** attempt)

    async def messages(request: Request) -> Response:
        if not authorised(request, settings.api_key):
            return error(401, "invalid API key")
        state.requests += 1
        if state.faults.latency_ms:
            await asyncio.sleep(state.faults.latency_ms / 1000)
        if (fault := state.injected_fault()) is not None:
            return error(fault, "throttled" if fault == 429 else "temporarily unavailable",
                         **({"Retry-After": "1"} if fault == 429 else {}))
        try:
            data = json.loads(await request.body())
            to, body = str(data["to"]), str(data["body"])
        except (ValueError, KeyError, TypeError):
            return error(400, "expected JSON {to, from, body, reference}")
        if not E164.match(to):
            return error(400, f"'to' must be an E.164 number, got {to[:20]!r}")
        message, replayed = state.accept(to, str(data.get("from", "")), body, str(data.get("reference", "")),
                                         request.headers.get("idempotency-key"))
        if state.faults.response_delay_ms:
            await asyncio.sleep(state.faults.response_delay_ms / 1000)
        if not replayed and settings.receipts_url and state.faults.receipt_first:
            # A quick provider: its receipt reaches the client before the client has recorded the send.
            await send_receipt(message.id, to)
        elif not replayed and settings.receipts_url:
            task = asyncio.create_task(send_receipt(message.id, to))
            pending.add(task)
            task.add_done_callback(pending.discard)
        return JSONResponse({"id": message.id, "status": "accepted"}, status_code=200 if replayed else 201)

    async def admin_messages(request: Request) -> Response:
        if not authorised(request, settings.admin_token):
            return error(401, "admin token required")
        return JSONResponse({"requests": state.requests, "replays": state.replays,
                             "messages": [asdict(m) for m in state.messages]})

    async def admin_faults(request: Request) -> Response:
        if not authorised(request, settings.admin_token):
            return error(401, "admin token required")
        try:
            state.faults = Faults(**json.loads(await request.body()))
        except (ValueError, TypeError) as exc:
            return error(400, f"faults: {exc}")
        return JSONResponse(asdict(state.faults))

    async def admin_reset(request: Request) -> Response:
        if not authorised(request, settings.admin_token):
            return error(401, "admin token required")
        state.messages.clear()
        state.by_key.clear()
        state.requests = state.replays = 0
        state.faults = Faults()
        return JSONResponse({"reset": True})

    async def live(_: Request) -> Response:
        return JSONResponse({"status": "alive", "service": "sms_sim"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        session["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        try:
            yield
        finally:
            for task in pending:
                task.cancel()
            await session["http"].close()

    return Starlette(lifespan=lifespan, routes=[
        Route("/v1/messages", messages, methods=["POST"]),
        Route("/admin/messages", admin_messages, methods=["GET"]),
        Route("/admin/faults", admin_faults, methods=["POST"]),
        Route("/admin/reset", admin_reset, methods=["POST"]),
        Route("/health/live", live, methods=["GET"]),
    ])
