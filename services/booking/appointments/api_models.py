"""Request and response bodies of the appointment endpoints (they define the OpenAPI schemas)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from loket.contracts.values import Language
from services.booking.appointments.contact import ContactIn
from services.booking.appointments.repository import Appointment
from services.booking.calendar.local_time import local_text


def _iso_date(value: object) -> object:
    # pydantic would read "0" as a Unix timestamp (1970-01-01); people mean a calendar date.
    if isinstance(value, dt.date) or (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise ValueError("use a date like 2026-03-29")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
PointId = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$", examples=["mechelen-stadhuis"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlotQuery(_In):
    service: str = Field(min_length=1, max_length=64, description="a bookable service", examples=["ebox_activation"])
    language: Language
    start: IsoDate | None = Field(default=None, description="first day (Europe/Brussels); default today")
    days: int = Field(default=7, ge=1, le=31)


class SlotView(BaseModel):
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_time: str = Field(description="start in Europe/Brussels, e.g. 2026-03-30 09:00")
    helpers_free: int


class SlotList(BaseModel):
    point_id: str
    service: str
    language: Language
    slots: list[SlotView]


class BookingRequest(_In):
    point_id: str = PointId
    service: str = Field(min_length=1, max_length=64, examples=["ebox_activation"])
    language: Language
    starts_at: AwareDatetime = Field(description="a slot's starts_at, with its offset")
    contact: ContactIn


class PhoneCheckProof(_In):
    check_id: UUID = Field(description="from POST /public/phone-checks")
    code: str = Field(pattern=r"^[0-9]{6}$", description="the six digits the citizen received by SMS")


class CitizenBookingRequest(BookingRequest):
    phone_check: PhoneCheckProof | None = Field(
        default=None, description="where the municipality confirms phone numbers (a 422 'Phone number not "
                                  "confirmed' says so): the code the citizen received for contact.phone")


class PhoneCheckRequest(_In):
    point_id: str = PointId
    phone: str = Field(max_length=32, examples=["0470 12 34 56"])
    language: Language = Field(description="the language of the SMS")

    @field_validator("phone")
    @classmethod
    def _mobile(cls, value: str) -> str:
        return ContactIn(phone=value, language="nl").phone or value


class PhoneCheckView(BaseModel):
    check_id: UUID
    expires_at: dt.datetime = Field(description="the code is valid until then")


class StaffBookingRequest(BookingRequest):
    helper_id: str | None = Field(default=None, min_length=1, max_length=64, description="book this helper")


class RescheduleRequest(_In):
    starts_at: AwareDatetime
    helper_id: str | None = Field(default=None, min_length=1, max_length=64)


class LinkQuery(_In):
    token: str = Field(min_length=20, max_length=100, description="the token from the citizen's link")


class StaffCancelRequest(_In):
    reason: Literal["staff", "backoffice", "citizen"] = "staff"


class DayQuery(_In):
    day: IsoDate


class AppointmentView(BaseModel):
    appointment_id: UUID
    point_id: str
    helper_id: str
    service: str
    language: Language
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_time: str
    status: Literal["booked", "checked_in", "attended", "no_show", "cancelled", "held", "expired"]

    @classmethod
    def of(cls, a: Appointment) -> AppointmentView:
        return cls(appointment_id=a.appointment_id, point_id=a.point_id, helper_id=a.helper_id, service=a.service,
                   language=a.language, starts_at=a.starts_at, ends_at=a.ends_at, local_time=local_text(a.starts_at),
                   status=a.status)  # type: ignore[arg-type]


class BookingConfirmation(AppointmentView):
    manage_token: str = Field(description="keep it: it lets the citizen change or cancel this appointment once")
    replayed: bool = Field(description="true when this answers a repeated Idempotency-Key")


class AppointmentList(BaseModel):
    appointments: list[AppointmentView]
