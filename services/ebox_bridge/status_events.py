"""Build the `letters.status.v1` events from what the bridge knows about a letter (`LetterFacts`).

Every status event is caused by the letter's `LetterIssued` (causation) and shares its
correlation id, so a whole letter's story can be traced from the back-office's event; only
`LetterRecipientErased` is caused by the citizen's erasure request.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

from loket.contracts.letter_status import (
    LetterCancelled,
    LetterDeliveredToEbox,
    LetterFailed,
    LetterInsertDecided,
    LetterPosted,
    LetterPrinted,
    LetterQueuedForPrint,
    LetterRead,
    LetterRecipientErased,
    LetterReturned,
    LetterUnreadEscalated,
)
from services.ebox_bridge.campaign.repository import InsertDecision
from services.ebox_bridge.domain.erasure_cause import ErasureCause
from services.ebox_bridge.domain.facts import LetterFacts

PRODUCER = "ebox_bridge"
# The cover page with the address block comes on top of the back-office's pages.
COVER_PAGES = 1


def delivered(facts: LetterFacts, message_id: str, at: dt.datetime) -> LetterDeliveredToEbox:
    return LetterDeliveredToEbox(**_envelope(facts), payload={
        **_context(facts), "ebox_message_id": message_id, "important": facts.important,
        "language": facts.language, "delivered_at": at, **_contact(facts),
    })


def queued_for_print(facts: LetterFacts, reason: str) -> LetterQueuedForPrint:
    return LetterQueuedForPrint(**_envelope(facts), payload={
        **_context(facts), "reason": reason, "postage_class": facts.postage_class,
        "pages": facts.pages + COVER_PAGES,
    })


def cancelled(facts: LetterFacts, channels: list[str], reason: str) -> LetterCancelled:
    return LetterCancelled(**_envelope(facts), payload={**_context(facts), "channels": channels, "reason": reason})


def failed(facts: LetterFacts, channel: str, code: str, message: str) -> LetterFailed:
    return LetterFailed(**_envelope(facts), payload={
        **_context(facts), "channel": channel, "code": code[:64], "message": message[:1000] or code,
    })


def read(facts: LetterFacts, at: dt.datetime) -> LetterRead:
    return LetterRead(**_envelope(facts), payload={"letter_id": facts.letter_id, "read_at": at})


def unread_escalated(facts: LetterFacts, unread_days: int) -> LetterUnreadEscalated:
    return LetterUnreadEscalated(**_envelope(facts), payload={
        **_context(facts), "unread_days": unread_days, "important": facts.important,
        "language": facts.language, **_contact(facts),
    })


def printed(facts: LetterFacts, batch_id: str) -> LetterPrinted:
    return LetterPrinted(**_envelope(facts), payload={"letter_id": facts.letter_id, "batch_id": batch_id})


def posted(facts: LetterFacts, batch_id: str, at: dt.datetime) -> LetterPosted:
    return LetterPosted(**_envelope(facts), payload={
        "letter_id": facts.letter_id, "batch_id": batch_id, "posted_at": at,
    })


def returned(facts: LetterFacts, batch_id: str, reason: str) -> LetterReturned:
    return LetterReturned(**_envelope(facts), payload={
        "letter_id": facts.letter_id, "batch_id": batch_id, "reason": reason[:500],
        "municipality": facts.municipality, "language": facts.language, **_contact(facts),
    })


def _envelope(facts: LetterFacts) -> dict[str, Any]:
    return {"producer": PRODUCER, "correlation_id": facts.correlation_id, "causation_id": facts.issued_event_id}


def _context(facts: LetterFacts) -> dict[str, Any]:
    return {
        "letter_id": facts.letter_id,
        "municipality": facts.municipality,
        "department": facts.department,
        "document_type": facts.document_type,
    }


def _contact(facts: LetterFacts) -> dict[str, Any]:
    return {"contact": json.loads(facts.contact)} if facts.contact else {}


def recipient_erased(letter_id: UUID, municipality: str, erasure_id: UUID, cause: ErasureCause,
                     at: dt.datetime) -> LetterRecipientErased:
    """Caused by the erasure request (its correlation), not by the letter's own chain: the
    letter's first event may be long gone from the stream."""
    return LetterRecipientErased(producer=PRODUCER, **cause.envelope(), payload={
        "letter_id": letter_id, "municipality": municipality, "erasure_id": erasure_id, "erased_at": at})


def insert_decided(decision: InsertDecision, at: dt.datetime) -> LetterInsertDecided:
    """For the campaign's figures: which arm the letter's recipient fell in (never who it is)."""
    return LetterInsertDecided(producer=PRODUCER, payload={
        "letter_id": decision.letter_id, "municipality": decision.municipality, "department": decision.department,
        "campaign": decision.campaign, "arm": decision.arm, "decided_at": at,
    })
