"""Subscribers: an appointment, loan or letter event → the messages it causes (planning is
pure; this only writes them). Inserts are keyed by the triggering event, so redelivery plans
nothing twice; an appointment change drops the messages it made wrong in the same
transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from services.contracts import Event
from services.infra.bus.handler_context import HandlerContext
from services.notify import repository as repo
from services.notify.planning import plan
from services.notify.settings import NotifySettings


class PlanMessages:
    def __init__(self, schema: str, settings: NotifySettings, clock: Callable[[], dt.datetime]) -> None:
        self.schema, self.clock = schema, clock
        self.reminders, self.booking_url = settings.reminder_offsets(), settings.booking_url

    async def __call__(self, event: Event, ctx: HandlerContext) -> None:
        decided = plan(event, self.clock(), self.reminders, self.booking_url)
        if decided.cancel_pending:
            aggregate = decided.messages[0].aggregate_id if decided.messages else _aggregate(event)
            await repo.cancel_pending(ctx.conn, self.schema, aggregate, decided.cancel_pending, event.occurred_at)
        await repo.insert_planned(ctx.conn, self.schema, decided.messages)


def _aggregate(event: Event) -> str:
    return event.partition_key()
