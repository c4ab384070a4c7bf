"""Waitlist endpoints: join (citizens, no account) and claim an offered slot by its link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from loket.contracts.values import Language
from loket.infra.runtime import Runtime
from services.booking.appointments.api_models import (
    AppointmentView,
    BookingConfirmation,
    IsoDate,
    LinkQuery,
)
from services.booking.appointments.contact import ContactIn
from services.booking.http.endpoint import Endpoint, uuid_path
from services.booking.http.scopes import OPEN
from services.booking.metrics import BookingMetrics
from services.booking.waitlist.service import Waitlist


class JoinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    point_id: str = Field(min_length=1, max_length=64, examples=["mechelen-stadhuis"])
    service: str = Field(min_length=1, max_length=64, examples=["ebox_activation"])
    language: Language
    earliest: IsoDate
    latest: IsoDate
    contact: ContactIn


class WaitlistPlace(BaseModel):
    entry_id: UUID
    place: int = Field(description="1 means next in line")


def waitlist_endpoints(runtime: Runtime, waitlist: Waitlist, metrics: BookingMetrics,
                       clock: Callable[[], dt.datetime]) -> list[Endpoint]:
    async def join_waitlist(request: Request, body: JoinRequest) -> BaseModel:
        async with runtime.db().acquire() as conn, conn.transaction():
            entry_id, place = await waitlist.join(conn, body.point_id, body.service, body.language, body.earliest,
                                                  body.latest, body.contact.details())
        return WaitlistPlace(entry_id=entry_id, place=place)

    async def claim_offer(request: Request, query: LinkQuery) -> BaseModel:
        appointment_id = uuid_path(request, "appointment_id", "appointment")
        async with runtime.db().acquire() as conn, conn.transaction():
            booked = await waitlist.claim(conn, appointment_id, query.token, clock())
        metrics.booked("waitlist", replayed=False)
        return BookingConfirmation(**AppointmentView.of(booked.appointment).model_dump(), manage_token=booked.token,
                                   replayed=False)

    return [
        Endpoint("POST", "/public/waitlist", join_waitlist, "Wait for a freed slot", None, body=JoinRequest,
                 response=WaitlistPlace, status=201, errors=(404,), scope=OPEN),
        Endpoint("POST", "/public/appointments/{appointment_id}/claim", claim_offer,
                 "Take a slot offered from the waitlist (works once, until the offer expires)", None,
                 query=LinkQuery, response=BookingConfirmation, errors=(403, 404, 409, 410),
                 extra={"path": {"appointment_id": {"type": "string", "format": "uuid"}}}, scope=OPEN),
    ]
