"""notify's planned messages in memory: the two writes the planning handler makes through
`NotifyRepository` (insert_planned, cancel_pending), with the same rules as its SQL. A dedupe
key is planned once (ON CONFLICT DO NOTHING); a change cancels the aggregate's waiting
messages of the given kinds that earlier events planned; a message without a channel is a
permanent failure at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.notify.planning import Planned


@dataclass
class StoredMessage:
    planned: Planned
    status: str


class FakeNotifications:
    def __init__(self) -> None:
        self.messages: dict[str, StoredMessage] = {}  # by dedupe key, in planning order

    async def insert_planned(self, conn: Any, planned: list[Planned]) -> int:
        fresh = 0
        for p in planned:
            if p.dedupe_key not in self.messages:
                self.messages[p.dedupe_key] = StoredMessage(p, "created" if p.channels else "permanent-failure")
                fresh += 1
        return fresh

    async def cancel_pending(self, conn: Any, aggregate_id: str, kinds: tuple[str, ...],
                             before_event_at: dt.datetime) -> int:
        dropped = [m for m in self.messages.values()
                   if m.planned.aggregate_id == aggregate_id and m.status == "created" and m.planned.kind in kinds
                   and m.planned.event_at < before_event_at]
        for m in dropped:
            m.status = "cancelled"
        return len(dropped)

    def with_status(self, status: str, kind: str | None = None) -> list[Planned]:
        return [m.planned for m in self.messages.values()
                if m.status == status and (kind is None or m.planned.kind == kind)]
