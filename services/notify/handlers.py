"""Subscriber: appointment, loan and letter events → the messages they cause (planning is
pure; this only writes them). A broker batch is planned in memory and written with one
statement; inserts are keyed by the triggering event, so redelivery plans nothing twice; an
appointment change drops the waiting messages it made wrong, in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from loket.contracts import Event
from loket.infra.bus.handler_context import BatchContext, BatchHandler
from services.notify.planning import Planned, plan
from services.notify.settings import NotifySettings


class PlannedMessages(Protocol):
    """Where planned messages are written: `NotifyRepository`, or an in-memory fake in tests."""

    async def insert_planned(self, conn: Any, planned: list[Planned]) -> int: ...

    async def cancel_pending(self, conn: Any, aggregate_id: str, kinds: tuple[str, ...],
                             before_event_at: dt.datetime) -> int: ...


class PlanMessages(BatchHandler):
    def __init__(self, messages: PlannedMessages, settings: NotifySettings, clock: Callable[[], dt.datetime]) -> None:
        self.messages, self.clock = messages, clock
        self.reminders, self.booking_url = settings.reminder_offsets(), settings.booking_url
        self.nudge_days = settings.unread_nudge_days

    async def handle_batch(self, events: list[Event], ctx: BatchContext) -> None:
        now = self.clock()
        planned: list[Planned] = []
        drops: list[tuple[str, tuple[str, ...], dt.datetime]] = []
        for event in events:  # in bus order: a change also drops what earlier events of this batch planned
            decided = plan(event, now, self.reminders, self.booking_url, self.nudge_days)
            if decided.cancel_pending:
                aggregate = event.partition_key()
                drops.append((aggregate, decided.cancel_pending, event.occurred_at))
                planned = [p for p in planned if not (p.aggregate_id == aggregate and p.kind in decided.cancel_pending
                                                      and p.event_at < event.occurred_at)]
            planned += decided.messages
        for aggregate, kinds, before in drops:
            await self.messages.cancel_pending(ctx.conn, aggregate, kinds, before)
        await self.messages.insert_planned(ctx.conn, planned)
