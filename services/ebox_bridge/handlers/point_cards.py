"""`AssistancePointPublished` → the bridge's copy of the point's public card, which the
campaign's insert page names (the newest card per point wins)."""

from __future__ import annotations

from loket.contracts.points import AssistancePointPublished
from loket.infra.bus.handler_context import HandlerContext
from services.ebox_bridge.campaign import repository


class PointCardHandler:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def __call__(self, event: AssistancePointPublished, ctx: HandlerContext) -> None:
        await repository.store_card(ctx.conn, self.schema, event.payload)
