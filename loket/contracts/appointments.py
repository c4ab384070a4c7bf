"""`appointments.v1`: appointments at assistance points, published by booking.

Contact details travel with the events that notify turns into messages (confirmation,
reminder, cancellation, no-show follow-up) so notify never has to call booking back.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field, field_validator, model_validator

from loket.contracts import topics
from loket.contracts.envelope import Event, Payload
from loket.contracts.national_number import is_valid_national_number
from loket.contracts.values import (
    CAMPAIGN_PATTERN,
    ContactDetails,
    E164Phone,
    Language,
    PointKind,
    Ref,
    RefnisCode,
    Slug,
    UtcDatetime,
)

BookedVia = Literal["citizen", "staff", "backoffice"]
CancelReason = Literal["citizen", "staff", "point_closed", "backoffice"]


class AppointmentRef(Payload):
    appointment_id: UUID
    point_id: Ref
    municipality: RefnisCode
    point_name: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="The point's name in the citizen's language, so messages can name it.")


class _Slot(AppointmentRef):
    starts_at: UtcDatetime
    ends_at: UtcDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> _Slot:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class AppointmentBookedPayload(_Slot):
    point_kind: PointKind
    service: Slug
    helper_id: Ref
    language: Language
    contact: ContactDetails
    citizen_ref: Ref | None = Field(
        default=None, description="Pseudonymous reference chosen by booking; never an INSZ."
    )
    booked_via: BookedVia
    lead_time_seconds: int = Field(ge=0, description="From booking to starts_at.")
    campaign: str | None = Field(
        default=None, pattern=CAMPAIGN_PATTERN, examples=["i12025-2026q4"],
        description="The eBox campaign whose paper insert (QR code) the citizen came through; nothing personal.")

    @field_validator("citizen_ref")
    @classmethod
    def _not_a_national_number(cls, value: str | None) -> str | None:
        # This event reaches reporting, where national numbers are forbidden (docs/architecture.md, "reporting").
        if value is not None and is_valid_national_number(value):
            raise ValueError("citizen_ref must be a pseudonym, not a national register number")
        return value


class AppointmentRescheduledPayload(_Slot):
    old_starts_at: UtcDatetime
    language: Language
    contact: ContactDetails


class AppointmentCancelledPayload(AppointmentRef):
    starts_at: UtcDatetime
    reason: CancelReason
    language: Language
    contact: ContactDetails


class AppointmentAttendedPayload(AppointmentRef):
    attended_at: UtcDatetime


class AppointmentNoShowPayload(AppointmentRef):
    service: Slug
    starts_at: UtcDatetime
    language: Language
    contact: ContactDetails


class AppointmentSlotOfferedPayload(_Slot):
    service: Slug
    language: Language
    contact: ContactDetails
    offer_expires_at: UtcDatetime = Field(description="The slot is held for the citizen until then.")
    claim_url: str = Field(
        min_length=1, max_length=500,
        description="Link the citizen opens to take the slot; it carries a one-use token, so "
                    "consumers must not log it.")


class PhoneCodeRequestedPayload(Payload):
    check_id: UUID = Field(description="The phone check the code belongs to.")
    point_id: Ref
    municipality: RefnisCode
    point_name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: E164Phone
    language: Language
    code: str = Field(pattern=r"^[0-9]{6}$",
                      description="The one-time code, worthless after expires_at; consumers must not log it.")
    expires_at: UtcDatetime


class AppointmentEvent(Event):
    """Base of the events on appointments.v1, keyed by appointment id."""

    topic: ClassVar[str] = topics.APPOINTMENTS
    payload: AppointmentRef

    def partition_key(self) -> str:
        return str(self.payload.appointment_id)


class AppointmentBooked(AppointmentEvent):
    """A citizen, staff member or back-office booked an appointment."""

    event_type: Literal["AppointmentBooked"] = "AppointmentBooked"
    schema_version: Literal[1] = 1
    payload: AppointmentBookedPayload


class AppointmentRescheduled(AppointmentEvent):
    """An appointment moved to another time slot."""

    event_type: Literal["AppointmentRescheduled"] = "AppointmentRescheduled"
    schema_version: Literal[1] = 1
    payload: AppointmentRescheduledPayload


class AppointmentCancelled(AppointmentEvent):
    """An appointment was cancelled; pending reminders must be dropped."""

    event_type: Literal["AppointmentCancelled"] = "AppointmentCancelled"
    schema_version: Literal[1] = 1
    payload: AppointmentCancelledPayload


class AppointmentAttended(AppointmentEvent):
    """The citizen showed up for the appointment."""

    event_type: Literal["AppointmentAttended"] = "AppointmentAttended"
    schema_version: Literal[1] = 1
    payload: AppointmentAttendedPayload


class AppointmentNoShow(AppointmentEvent):
    """The citizen did not show up; notify may offer a new slot."""

    event_type: Literal["AppointmentNoShow"] = "AppointmentNoShow"
    schema_version: Literal[1] = 1
    payload: AppointmentNoShowPayload


class AppointmentSlotOffered(AppointmentEvent):
    """A cancelled slot is held for the next person on the waitlist for a short claim window;
    notify sends them the claim link. Unclaimed, it passes to the next person."""

    event_type: Literal["AppointmentSlotOffered"] = "AppointmentSlotOffered"
    schema_version: Literal[1] = 1
    payload: AppointmentSlotOfferedPayload


class PhoneCodeRequested(Event):
    """A citizen booking on the public page or API of a municipality that confirms phone numbers
    asked for a code: notify sends it by SMS at once (never later: a late code is useless). The
    booking is made only once the citizen types the code back."""

    topic: ClassVar[str] = topics.APPOINTMENTS
    event_type: Literal["PhoneCodeRequested"] = "PhoneCodeRequested"
    schema_version: Literal[1] = 1
    payload: PhoneCodeRequestedPayload

    def partition_key(self) -> str:
        return str(self.payload.check_id)


class CampaignLinkVisitedPayload(Payload):
    visit_id: UUID = Field(description="This visit of the link; nothing ties it to a person.")
    campaign: str = Field(pattern=CAMPAIGN_PATTERN, examples=["i12025-2026q4"])
    municipality: RefnisCode
    point_id: Ref | None = Field(default=None, description="The point the insert named first, when it still offers "
                                                           "eBox activation; None: the visitor went to the finder.")
    visited_at: UtcDatetime


class CampaignLinkVisited(Event):
    """Someone opened the short link of a paper letter's eBox insert (its QR code): the first step
    of the campaign's funnel after the insert itself. Counted, never tied to a person."""

    topic: ClassVar[str] = topics.APPOINTMENTS
    event_type: Literal["CampaignLinkVisited"] = "CampaignLinkVisited"
    schema_version: Literal[1] = 1
    payload: CampaignLinkVisitedPayload

    def partition_key(self) -> str:
        return str(self.payload.visit_id)


APPOINTMENT_EVENTS: tuple[type[Event], ...] = (
    AppointmentBooked,
    AppointmentRescheduled,
    AppointmentCancelled,
    AppointmentAttended,
    AppointmentNoShow,
    AppointmentSlotOffered,
    PhoneCodeRequested,
    CampaignLinkVisited,
)
