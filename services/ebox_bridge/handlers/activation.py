"""`EboxActivationAssisted` → forget the cached eBox status, so the citizen's next letter asks
the eBox again (and goes digital) instead of trusting a stale "not digital"."""

from __future__ import annotations

from loket.contracts.citizens import EboxActivationAssisted
from loket.infra.bus.handler_context import HandlerContext
from services.ebox_bridge.repository import ebox_status_cache


class ActivationHandler:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def __call__(self, event: EboxActivationAssisted, ctx: HandlerContext) -> None:
        number = event.payload.national_number
        if number is not None:  # only sent with the citizen's consent
            await ebox_status_cache.forget(ctx.conn, self.schema, str(number))
