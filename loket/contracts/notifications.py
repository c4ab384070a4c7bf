"""`notifications.v1`: SMS and e-mail outcomes, published by notify.

Statuses follow GOV.UK Notify: a permanent failure will never succeed (bad number), a
temporary one may on a later attempt (inbox full), a technical one is the provider's fault.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from loket.contracts import topics
from loket.contracts.envelope import Event, Payload
from loket.contracts.values import Channel, Language, RefnisCode, Slug, UtcDatetime

FailureStatus = Literal["permanent-failure", "temporary-failure", "technical-failure"]


class NotificationRef(Payload):
    notification_id: UUID
    kind: Slug = Field(examples=["appointment_confirmation"])
    channel: Channel
    trigger_aggregate_id: str = Field(
        min_length=1,
        max_length=128,
        description="Id of the appointment, loan or letter the notification is about.",
    )


class NotificationSentPayload(NotificationRef):
    municipality: RefnisCode | None = None
    trigger_event_id: UUID
    language: Language
    sent_at: UtcDatetime


class NotificationDeliveredPayload(NotificationRef):
    delivered_at: UtcDatetime


class NotificationFailedPayload(NotificationRef):
    status: FailureStatus
    reason: str = Field(min_length=1, max_length=1000)
    failed_at: UtcDatetime


class NotificationEvent(Event):
    """Base of the events on notifications.v1, keyed by notification id so that a
    notification's sent/delivered/failed events stay in order."""

    topic: ClassVar[str] = topics.NOTIFICATIONS
    payload: NotificationRef

    def partition_key(self) -> str:
        return str(self.payload.notification_id)


class NotificationSent(NotificationEvent):
    """A message was handed to the SMS or e-mail provider."""

    event_type: Literal["NotificationSent"] = "NotificationSent"
    schema_version: Literal[1] = 1
    payload: NotificationSentPayload


class NotificationDelivered(NotificationEvent):
    """The provider confirmed delivery."""

    event_type: Literal["NotificationDelivered"] = "NotificationDelivered"
    schema_version: Literal[1] = 1
    payload: NotificationDeliveredPayload


class NotificationFailed(NotificationEvent):
    """The provider reported a failure (see the module docstring for the statuses)."""

    event_type: Literal["NotificationFailed"] = "NotificationFailed"
    schema_version: Literal[1] = 1
    payload: NotificationFailedPayload


NOTIFICATION_EVENTS: tuple[type[Event], ...] = (
    NotificationSent,
    NotificationDelivered,
    NotificationFailed,
)
