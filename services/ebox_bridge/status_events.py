"""Build the `letters.status.v1` events from what the bridge knows about a letter.

Every status event is caused by the letter's `LetterIssued` (causation) and shares its
correlation id, so a whole letter's story can be traced from the back-office's event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from loket.contracts.letter_status import (
    LetterDeliveredToEbox,
    LetterFailed,
    LetterPosted,
    LetterPrinted,
    LetterQueuedForPrint,
    LetterRead,
    LetterReturned,
    LetterUnreadEscalated,
)

PRODUCER = "ebox_bridge"
# The cover page with the address block comes on top of the back-office's pages.
COVER_PAGES = 1


@dataclass(frozen=True)
class LetterFacts:
    letter_id: UUID
    municipality: str
    department: str
    document_type: str
    language: str
    important: bool
    pages: int
    postage_class: str
    issued_event_id: UUID
    correlation_id: UUID
    contact: str | None = None  # JSON of ContactDetails, as stored

    @classmethod
    def from_row(cls, row: Any) -> LetterFacts:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    def _envelope(self) -> dict[str, Any]:
        return {
            "producer": PRODUCER,
            "correlation_id": self.correlation_id,
            "causation_id": self.issued_event_id,
        }

    def _context(self) -> dict[str, Any]:
        return {
            "letter_id": self.letter_id,
            "municipality": self.municipality,
            "department": self.department,
            "document_type": self.document_type,
        }

    def _contact(self) -> dict[str, Any]:
        return {"contact": json.loads(self.contact)} if self.contact else {}

    def delivered(self, message_id: str, at: dt.datetime) -> LetterDeliveredToEbox:
        return LetterDeliveredToEbox(**self._envelope(), payload={
            **self._context(), "ebox_message_id": message_id, "important": self.important,
            "language": self.language, "delivered_at": at, **self._contact(),
        })

    def queued_for_print(self, reason: str) -> LetterQueuedForPrint:
        return LetterQueuedForPrint(**self._envelope(), payload={
            **self._context(), "reason": reason, "postage_class": self.postage_class,
            "pages": self.pages + COVER_PAGES,
        })

    def failed(self, channel: str, code: str, message: str) -> LetterFailed:
        return LetterFailed(**self._envelope(), payload={
            **self._context(), "channel": channel, "code": code[:64], "message": message[:1000] or code,
        })

    def read(self, at: dt.datetime) -> LetterRead:
        return LetterRead(**self._envelope(), payload={"letter_id": self.letter_id, "read_at": at})

    def unread_escalated(self, unread_days: int) -> LetterUnreadEscalated:
        return LetterUnreadEscalated(**self._envelope(), payload={
            **self._context(), "unread_days": unread_days, "important": self.important,
            "language": self.language, **self._contact(),
        })

    def printed(self, batch_id: str) -> LetterPrinted:
        return LetterPrinted(**self._envelope(), payload={"letter_id": self.letter_id, "batch_id": batch_id})

    def posted(self, batch_id: str, at: dt.datetime) -> LetterPosted:
        return LetterPosted(**self._envelope(), payload={
            "letter_id": self.letter_id, "batch_id": batch_id, "posted_at": at,
        })

    def returned(self, batch_id: str, reason: str) -> LetterReturned:
        return LetterReturned(**self._envelope(), payload={
            "letter_id": self.letter_id, "batch_id": batch_id, "reason": reason[:500],
        })


FACT_COLUMNS = ", ".join(LetterFacts.__dataclass_fields__)
