"""The subscriber: a broker batch of events from any topic → the read models, in one
transaction with the inbox (duplicates are skipped before they get here; the upserts would
absorb them anyway)."""

from __future__ import annotations

from loket.contracts import Event
from loket.infra.bus.handler_context import BatchContext, BatchHandler
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer


class ProjectEvents(BatchHandler):
    def __init__(self, schema: str, pseudonymize: Pseudonymizer) -> None:
        self.schema, self.pseudonymize = schema, pseudonymize

    async def handle_batch(self, events: list[Event], ctx: BatchContext) -> None:
        await project(ctx.conn, self.schema, events, self.pseudonymize)
