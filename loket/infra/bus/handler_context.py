"""What a handler gets besides its event: the open transaction and the outbox to emit into."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from loket.contracts import Event
from loket.infra.db.outbox import Outbox


@dataclass
class HandlerContext:
    conn: asyncpg.Connection
    outbox: Outbox
    event: Event
    headers: dict[str, str]

    async def emit(self, *events: Event) -> None:
        """Append events to the outbox in the handler's transaction."""
        await self.outbox.append(self.conn, *events)

    def caused_by(self) -> dict[str, Any]:
        """Correlation/causation for events this handler emits."""
        return self.event.caused_by(self.event)


Handler = Callable[[Any, HandlerContext], Awaitable[None]]


@dataclass
class BatchContext:
    """What a batch handler gets: the transaction shared by the whole broker batch."""

    conn: asyncpg.Connection
    outbox: Outbox

    async def emit(self, *events: Event) -> None:
        await self.outbox.append(self.conn, *events)


class BatchHandler:
    """A handler that takes every fresh event of its type in a broker batch at once, so it can
    use one statement per batch instead of one per event (set-based SQL, batched look-ups).

    Raising fails the whole batch; the consumer then retries the events one at a time (each as
    a batch of one), so a PermanentError still dead-letters only the offending event.
    """

    async def handle_batch(self, events: list[Any], ctx: BatchContext) -> None:
        raise NotImplementedError
