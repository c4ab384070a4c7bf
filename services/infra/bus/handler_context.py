"""What a handler gets besides its event: the open transaction and the outbox to emit into."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.contracts import Event
from services.infra.db.outbox import Outbox


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
