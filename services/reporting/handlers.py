"""The subscriber: a broker batch of events from any topic → the read models, in one
transaction with the inbox (duplicates are skipped before they get here; the upserts would
absorb them anyway). It writes through the store it is given: `SqlProjections` in the service,
an in-memory fake in the unit tests."""

from __future__ import annotations

from loket.contracts import Event
from loket.infra.bus.handler_context import BatchContext, BatchHandler
from services.reporting.projector import ProjectionStore, project_into
from services.reporting.pseudonyms import Pseudonymizer


class ProjectEvents(BatchHandler):
    def __init__(self, store: ProjectionStore, pseudonymize: Pseudonymizer) -> None:
        self.store, self.pseudonymize = store, pseudonymize

    async def handle_batch(self, events: list[Event], ctx: BatchContext) -> None:
        await project_into(self.store, ctx.conn, events, self.pseudonymize)
