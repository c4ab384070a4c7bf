"""A back-office's webhook receiver, over real HTTP: verifies every Standard Webhooks signature
with the `standardwebhooks` package, de-duplicates on `webhook-id`, and can be told to answer
500 for a while."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from loket.infra.embedded.ports import free_port


@dataclass
class Receiver:
    url: str
    secret: str | None = None
    failing: bool = False  # answer 500 to everything while set
    answer_after_s: float = 0.0  # record a delivery, then take this long to answer (a sender may die meanwhile)
    requests: int = 0
    refused: int = 0
    refused_letters: set[str] = field(default_factory=set)  # letters whose deliveries got a 500
    bad_signatures: int = 0
    repeats: int = 0  # deliveries seen again under a webhook-id already handled
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # webhook-id → the event

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        body = await request.text()
        if self.failing:
            self.refused += 1
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self.refused_letters.add(json.loads(body)["payload"]["letter_id"])
            return web.Response(status=500, text="down for a while")
        assert self.secret is not None, "set the secret before events come"
        try:
            Webhook(self.secret).verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.bad_signatures += 1
            return web.Response(status=401)
        webhook_id = request.headers["webhook-id"]
        if webhook_id in self.events:
            self.repeats += 1
        else:
            self.events[webhook_id] = json.loads(body)
        if self.answer_after_s:
            await asyncio.sleep(self.answer_after_s)
        return web.Response(status=204)

    def events_for(self, letter_ids: set[str]) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if e["payload"]["letter_id"] in letter_ids]


@contextlib.asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    found = Receiver(f"http://127.0.0.1:{port}/hooks/loket")
    app = web.Application()
    app.router.add_post("/hooks/loket", found.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield found
    finally:
        await runner.cleanup()
