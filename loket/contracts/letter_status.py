"""`letters.status.v1`: what happened to a letter, published by ebox_bridge.

Events that reporting aggregates carry municipality/department/document_type themselves:
reporting is a read side that must never need the recipient's national number to join on.
Print-house confirmations only need the letter and batch ids.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from loket.contracts import topics
from loket.contracts.envelope import Event, Payload
from loket.contracts.values import (
    CAMPAIGN_PATTERN,
    ContactDetails,
    LetterLanguage,
    Ref,
    RefnisCode,
    Slug,
    UtcDatetime,
)

PrintReason = Literal[
    "no_digital_user",
    "policy_paper_only",
    "policy_both",
    "ebox_unavailable",
    "unread_escalation",
    "ebox_rejected",
]
PostageClass = Literal["non_prior", "prior", "registered"]


class LetterRef(Payload):
    letter_id: UUID


class LetterContext(LetterRef):
    """The reporting dimensions of a letter."""

    municipality: RefnisCode
    department: Slug
    document_type: Slug


class LetterDeliveredToEboxPayload(LetterContext):
    ebox_message_id: Ref = Field(description="messageId returned by the eBox message registry.")
    important: bool
    language: LetterLanguage
    delivered_at: UtcDatetime
    contact: ContactDetails | None = Field(default=None, description="From LetterIssued, when the back-office sent it.")


class LetterReadPayload(LetterRef):
    read_at: UtcDatetime


class LetterUnreadEscalatedPayload(LetterContext):
    unread_days: int = Field(ge=0)
    important: bool
    language: LetterLanguage
    contact: ContactDetails | None = Field(default=None, description="From LetterIssued, when the back-office sent it.")


class LetterQueuedForPrintPayload(LetterContext):
    reason: PrintReason
    postage_class: PostageClass
    pages: int = Field(ge=1)


class LetterPrintedPayload(LetterRef):
    batch_id: Ref


class LetterPostedPayload(LetterRef):
    batch_id: Ref
    posted_at: UtcDatetime


class LetterReturnedPayload(LetterRef):
    batch_id: Ref
    reason: str = Field(min_length=1, max_length=500, description="As reported by bpost.")
    # Added for the invitation to a help point (issue 20): who to tell, in which language, from whom.
    municipality: RefnisCode | None = None
    language: LetterLanguage | None = None
    contact: ContactDetails | None = Field(default=None, description="From LetterIssued, when the back-office sent it.")


class LetterFailedPayload(LetterContext):
    channel: Literal["ebox", "paper"]
    code: str = Field(min_length=1, max_length=64, examples=["INVALID_INPUT"])
    message: str = Field(min_length=1, max_length=1000)


class LetterCancelledPayload(LetterContext):
    channels: list[Literal["ebox", "paper"]] = Field(
        description="The channels the letter was waiting on, now cancelled: nothing was published or printed.")
    reason: str = Field(min_length=1, max_length=200)


class LetterRecipientErasedPayload(LetterRef):
    municipality: RefnisCode
    erasure_id: UUID = Field(description="The CitizenErasureRequested this answers.")
    erased_at: UtcDatetime


class LetterStatusEvent(Event):
    """Base of the events on letters.status.v1, all keyed by letter id."""

    topic: ClassVar[str] = topics.LETTERS_STATUS
    payload: LetterRef

    def partition_key(self) -> str:
        return str(self.payload.letter_id)


class LetterDeliveredToEbox(LetterStatusEvent):
    """The eBox accepted the letter (HTTP 201 without NO_DIGITAL_USER)."""

    event_type: Literal["LetterDeliveredToEbox"] = "LetterDeliveredToEbox"
    schema_version: Literal[1] = 1
    payload: LetterDeliveredToEboxPayload


class LetterRead(LetterStatusEvent):
    """The citizen opened the letter in their eBox."""

    event_type: Literal["LetterRead"] = "LetterRead"
    schema_version: Literal[1] = 1
    payload: LetterReadPayload


class LetterUnreadEscalated(LetterStatusEvent):
    """An important eBox letter stayed unread too long; paper follows."""

    event_type: Literal["LetterUnreadEscalated"] = "LetterUnreadEscalated"
    schema_version: Literal[1] = 1
    payload: LetterUnreadEscalatedPayload


class LetterQueuedForPrint(LetterStatusEvent):
    """The letter will go on paper in the next print batch."""

    event_type: Literal["LetterQueuedForPrint"] = "LetterQueuedForPrint"
    schema_version: Literal[1] = 1
    payload: LetterQueuedForPrintPayload


class LetterPrinted(LetterStatusEvent):
    """The print house printed the letter."""

    event_type: Literal["LetterPrinted"] = "LetterPrinted"
    schema_version: Literal[1] = 1
    payload: LetterPrintedPayload


class LetterPosted(LetterStatusEvent):
    """The print house handed the letter to bpost."""

    event_type: Literal["LetterPosted"] = "LetterPosted"
    schema_version: Literal[1] = 1
    payload: LetterPostedPayload


class LetterReturned(LetterStatusEvent):
    """bpost returned the paper letter as undeliverable."""

    event_type: Literal["LetterReturned"] = "LetterReturned"
    schema_version: Literal[1] = 1
    payload: LetterReturnedPayload


class LetterFailed(LetterStatusEvent):
    """The letter could not be delivered on a channel and will not be retried."""

    event_type: Literal["LetterFailed"] = "LetterFailed"
    schema_version: Literal[1] = 1
    payload: LetterFailedPayload


class LetterCancelled(LetterStatusEvent):
    """Its sender cancelled the letter before it was published to the eBox or put in a print
    batch (letters API `POST /v1/letters/{letter_id}/cancel`); nothing more happens to it."""

    event_type: Literal["LetterCancelled"] = "LetterCancelled"
    schema_version: Literal[1] = 1
    payload: LetterCancelledPayload


class LetterRecipientErased(LetterStatusEvent):
    """The bridge erased whose letter this was (national number, address, contact details, PDF)
    at the citizen's request; services that keep contact details for it (notify) erase theirs.
    The letter's id and its history stay."""

    event_type: Literal["LetterRecipientErased"] = "LetterRecipientErased"
    schema_version: Literal[1] = 1
    payload: LetterRecipientErasedPayload


class LetterInsertDecidedPayload(LetterRef):
    municipality: RefnisCode
    department: Slug
    campaign: str = Field(pattern=CAMPAIGN_PATTERN, examples=["i12025-2026q4"],
                          description="The municipality and quarter of the eBox campaign; nothing about the person.")
    arm: Literal["insert", "holdout"] = Field(
        description="insert: the paper letter carries the campaign's insert page; holdout: held out on purpose, "
                    "so the insert's effect can be measured against these recipients.")
    decided_at: UtcDatetime


class LetterInsertDecided(LetterStatusEvent):
    """A paper letter took part in the eBox campaign as its batch closed: the recipient's first
    paper letter of the quarter either carries the insert page or is in the holdout."""

    event_type: Literal["LetterInsertDecided"] = "LetterInsertDecided"
    schema_version: Literal[1] = 1
    payload: LetterInsertDecidedPayload


LETTER_STATUS_EVENTS: tuple[type[Event], ...] = (
    LetterDeliveredToEbox,
    LetterRead,
    LetterUnreadEscalated,
    LetterQueuedForPrint,
    LetterPrinted,
    LetterPosted,
    LetterReturned,
    LetterFailed,
    LetterCancelled,
    LetterRecipientErased,
    LetterInsertDecided,
)
