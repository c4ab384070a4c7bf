"""In-memory stand-ins for the outbox, the inbox and a consumer's transaction, so handlers can be
unit-tested without PostgreSQL (cosmicpython's fake unit of work is the model).

`deliver` runs events through the same dispatch the real consumer uses (`dispatch_events`), with
an in-memory inbox in front of it: what a handler does with a batch, a duplicate or a
redelivery is what it does in production. Each service's handler tests pass a fake of the
repository that handler writes through; the same behaviour keeps its PostgreSQL test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from loket.contracts import Event
from loket.infra.bus.consumer import dispatch_events
from loket.infra.bus.handler_context import BatchHandler, Handler

# Handlers receive this where production passes an asyncpg connection: fakes ignore it, and a
# handler that reaches for the database itself (instead of its repository) fails loudly.
NO_CONNECTION: Any = None


class FakeOutbox:
    """Collects what handlers emit; `Outbox.append`'s interface."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def append(self, conn: Any, *events: Event) -> None:
        self.events.extend(events)

    def of_type(self, event_type: type[Event]) -> list[Any]:
        return [e for e in self.events if isinstance(e, event_type)]


class FakeInbox:
    """Remembers handled event ids per consumer; `Inbox.claim`'s interface."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, UUID]] = set()

    async def claim(self, conn: Any, consumer: str, event_ids: list[UUID]) -> set[UUID]:
        fresh = {i for i in event_ids if (consumer, i) not in self.seen}
        self.seen.update((consumer, i) for i in fresh)
        return fresh


async def deliver(
    handlers: Mapping[type[Event], Handler | BatchHandler], events: Iterable[Event], *,
    outbox: FakeOutbox, inbox: FakeInbox | None = None, consumer: str = "test",
) -> int:
    """One broker batch through an in-memory consumer; returns how many events were fresh."""
    # The real consumer drops an event repeated within one broker batch before its inbox claim.
    batch = list({e.event_id: e for e in reversed(list(events))}.values())[::-1]
    inbox = inbox or FakeInbox()
    fresh = await inbox.claim(NO_CONNECTION, consumer, [e.event_id for e in batch])
    await dispatch_events(handlers, NO_CONNECTION, outbox, [(e, {}) for e in batch if e.event_id in fresh])
    return len(fresh)
