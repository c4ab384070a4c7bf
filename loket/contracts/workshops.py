"""Workshops (group sessions at a point) on `appointments.v1`, published by booking.

They travel on the appointments topic because they are bookings at a point like appointments:
notify's and reporting's appointment groups already take that topic, and a registration's
events keep their order under its key (the registration id). Contact details travel with the
events notify turns into messages (confirmation, waiting-list notice, reminder), so notify never
calls booking back. The trainer's name does not travel: no consumer needs it.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from loket.contracts import topics
from loket.contracts.envelope import Event, Payload
from loket.contracts.values import ContactDetails, Language, Ref, RefnisCode, UtcDatetime

WorkshopCancelledBy = Literal["citizen", "staff"]


class WorkshopRegistrationRef(Payload):
    registration_id: UUID
    workshop_id: UUID
    point_id: Ref
    municipality: RefnisCode
    starts_at: UtcDatetime = Field(description="When the workshop begins (every event carries it, so a "
                                               "projection can place the registration whatever the order).")
    point_name: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="The point's name in the citizen's language, so messages can name it.")


class _Placed(WorkshopRegistrationRef):
    title: str = Field(min_length=1, max_length=200, description="The workshop's title, as staff wrote it.")
    ends_at: UtcDatetime
    workshop_language: Language = Field(description="The language the workshop is given in.")
    language: Language = Field(description="The citizen's language, for messages.")
    contact: ContactDetails


class WorkshopRegisteredPayload(_Placed):
    waiting: bool = Field(description="True: the workshop was full, the registration joined its waiting list.")
    place_in_line: int | None = Field(default=None, ge=1, description="For a waiting registration: 1 is next.")


class WorkshopRegistrationCancelledPayload(WorkshopRegistrationRef):
    cancelled_by: WorkshopCancelledBy
    was_waiting: bool
    language: Language
    contact: ContactDetails


class WorkshopPlaceOfferedPayload(_Placed):
    """The place is the citizen's at once (nothing to claim); they cancel if they cannot come."""


class WorkshopAttendedPayload(WorkshopRegistrationRef):
    attended_at: UtcDatetime


class WorkshopEvent(Event):
    """Base of the workshop events on appointments.v1, keyed by registration id."""

    topic: ClassVar[str] = topics.APPOINTMENTS
    payload: WorkshopRegistrationRef

    def partition_key(self) -> str:
        return str(self.payload.registration_id)


class WorkshopRegistered(WorkshopEvent):
    """A citizen registered for a workshop: with a place, or on its waiting list when full."""

    event_type: Literal["WorkshopRegistered"] = "WorkshopRegistered"
    schema_version: Literal[1] = 1
    payload: WorkshopRegisteredPayload


class WorkshopRegistrationCancelled(WorkshopEvent):
    """A registration (placed or waiting) was cancelled; its waiting messages must be dropped."""

    event_type: Literal["WorkshopRegistrationCancelled"] = "WorkshopRegistrationCancelled"
    schema_version: Literal[1] = 1
    payload: WorkshopRegistrationCancelledPayload


class WorkshopPlaceOffered(WorkshopEvent):
    """A cancellation freed a place: the first waiting registration has it now."""

    event_type: Literal["WorkshopPlaceOffered"] = "WorkshopPlaceOffered"
    schema_version: Literal[1] = 1
    payload: WorkshopPlaceOfferedPayload


class WorkshopAttended(WorkshopEvent):
    """Staff recorded that the citizen took part in the workshop."""

    event_type: Literal["WorkshopAttended"] = "WorkshopAttended"
    schema_version: Literal[1] = 1
    payload: WorkshopAttendedPayload


WORKSHOP_EVENTS: tuple[type[Event], ...] = (
    WorkshopRegistered,
    WorkshopRegistrationCancelled,
    WorkshopPlaceOffered,
    WorkshopAttended,
)
