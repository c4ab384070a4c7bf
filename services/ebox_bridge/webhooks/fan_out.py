"""Letter status events (`letters.status.v1`, the bridge's own) → one webhook delivery per
subscribed endpoint of the letter's municipality. Consumed through the inbox like any other
subscription, so a redelivered event adds nothing; the unique (endpoint, event) key holds the
rest. The delivery body is the event's envelope exactly as the bus carries it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from loket.contracts import Event
from loket.infra.bus.handler_context import BatchContext, BatchHandler
from services.ebox_bridge.repository import letters
from services.ebox_bridge.webhooks import repository as webhooks
from services.ebox_bridge.webhooks.retry import RetryPolicy


class WebhookFanOut(BatchHandler):
    def __init__(self, schema: str, retry: RetryPolicy, clock: Callable[[], dt.datetime]) -> None:
        self.schema, self.retry, self.clock = schema, retry, clock

    async def handle_batch(self, events: list[Event], ctx: BatchContext) -> None:
        ids = [e.payload.letter_id for e in events]  # type: ignore[attr-defined]
        towns = await letters.municipalities_of(ctx.conn, self.schema, ids)
        rows = []
        for event in events:
            letter_id = event.payload.letter_id  # type: ignore[attr-defined]
            municipality = getattr(event.payload, "municipality", None) or towns.get(letter_id)
            if municipality is not None:
                rows.append((event.event_id, event.event_type, letter_id, municipality, event.to_bytes().decode()))
        await webhooks.add_deliveries(ctx.conn, self.schema, rows, self.retry.give_up_at(self.clock()))
