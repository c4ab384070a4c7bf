"""Seat booking endpoints for counter staff: book a workstation or laptop for a citizen, check
them in and out, cancel. (The public page for citizens comes with the points managed in the app.)"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Literal

import asyncpg
from pydantic import AwareDatetime, BaseModel, ConfigDict
from starlette.requests import Request

from loket.contracts.values import Language
from loket.infra.runtime import Runtime
from services.booking.appointments.contact import ContactIn
from services.booking.http.endpoint import Endpoint, uuid_path
from services.booking.http.scopes import COUNTER, Audited, InPath
from services.booking.seats.service import Seats

POINT = {"point_id": {"type": "string", "minLength": 1, "examples": ["mechelen-digibank-predikheren"]}}
BOOKING = {"booking_id": {"type": "string", "format": "uuid"}}
StepCase = Callable[[asyncpg.Connection, uuid.UUID, dt.datetime], Awaitable[None]]  # check-in, check-out, cancel


class SeatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["workstation", "laptop"]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    language: Language
    contact: ContactIn | None = None


class SeatView(BaseModel):
    booking_id: uuid.UUID
    seat_no: int


class SeatStep(BaseModel):
    booking_id: uuid.UUID


def seat_endpoints(runtime: Runtime, seats: Seats, clock: Callable[[], dt.datetime]) -> list[Endpoint]:
    db = runtime.db

    async def book_seat(request: Request, body: SeatRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            booked = await seats.book(conn, request.path_params["point_id"], body.kind, body.starts_at, body.ends_at,
                                      body.language, body.contact.details() if body.contact else None, clock())
        return SeatView(booking_id=booked.booking_id, seat_no=booked.seat_no)

    def step(use_case: StepCase) -> Callable[[Request], object]:
        async def handle(request: Request) -> BaseModel:
            booking_id = uuid_path(request, "booking_id", "seat booking")
            async with db().acquire() as conn, conn.transaction():
                await use_case(conn, booking_id, clock())
            return SeatStep(booking_id=booking_id)
        handle.__name__ = f"{use_case.__name__}_seat_booking"  # the OpenAPI operation id
        return handle

    scope = InPath("booking_id", "seat booking")
    return [
        Endpoint("POST", "/staff/points/{point_id}/seats", book_seat, "Book a workstation or laptop seat", COUNTER,
                 body=SeatRequest, response=SeatView, status=201, errors=(404, 409, 422), tag="seats",
                 extra={"path": POINT}, scope=InPath("point_id", "assistance point"),
                 audit=Audited("book a seat (contact details)", "seat booking", "booking_id")),
        Endpoint("POST", "/staff/seat-bookings/{booking_id}/check-in", step(seats.check_in), "The citizen took their seat",
                 COUNTER, response=SeatStep, errors=(404, 409), tag="seats", extra={"path": BOOKING}, scope=scope),
        Endpoint("POST", "/staff/seat-bookings/{booking_id}/check-out", step(seats.check_out), "The citizen left the seat",
                 COUNTER, response=SeatStep, errors=(404, 409), tag="seats", extra={"path": BOOKING}, scope=scope),
        Endpoint("POST", "/staff/seat-bookings/{booking_id}/cancel", step(seats.cancel), "Cancel a seat booking",
                 COUNTER, response=SeatStep, errors=(404, 409), tag="seats", extra={"path": BOOKING}, scope=scope),
    ]
