"""Subscriber: appointment, loan and letter events → the messages they cause (planning is
pure; this only writes them). A broker batch is planned in memory and written with one
statement; inserts are keyed by the triggering event, so redelivery plans nothing twice; an
appointment change drops the waiting messages it made wrong, in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from loket.contracts import Event
from loket.infra.bus.handler_context import BatchContext, BatchHandler
from services.notify import repository as repo
from services.notify.planning import Planned, plan
from services.notify.settings import NotifySettings


class PlanMessages(BatchHandler):
    def __init__(self, schema: str, settings: NotifySettings, clock: Callable[[], dt.datetime]) -> None:
        self.schema, self.clock = schema, clock
        self.reminders, self.booking_url = settings.reminder_offsets(), settings.booking_url

    async def handle_batch(self, events: list[Event], ctx: BatchContext) -> None:
        now = self.clock()
        planned: list[Planned] = []
        drops: list[tuple[str, tuple[str, ...], dt.datetime]] = []
        for event in events:  # in bus order: a change also drops what earlier events of this batch planned
            decided = plan(event, now, self.reminders, self.booking_url)
            if decided.cancel_pending:
                aggregate = event.partition_key()
                drops.append((aggregate, decided.cancel_pending, event.occurred_at))
                planned = [p for p in planned if not (p.aggregate_id == aggregate and p.kind in decided.cancel_pending
                                                      and p.event_at < event.occurred_at)]
            planned += decided.messages
        for aggregate, kinds, before in drops:
            await repo.cancel_pending(ctx.conn, self.schema, aggregate, kinds, before)
        await repo.insert_planned(ctx.conn, self.schema, planned)
