"""Queue endpoints for staff (a kiosk uses a staff token too)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.requests import Request

from loket.contracts.national_number import is_valid_national_number
from loket.contracts.values import Language
from loket.infra.runtime import Runtime
from services.booking.http.endpoint import Endpoint, uuid_path
from services.booking.http.scopes import COUNTER, KIOSK, Audited, InPath
from services.booking.queue import repository as repo
from services.booking.queue.service import Queue

POINT = {"point_id": {"type": "string", "minLength": 1, "examples": ["mechelen-digibank-predikheren"]}}
VISIT = {"visit_id": {"type": "string", "format": "uuid"}}
Slug = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


class TicketRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Language
    topic: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


class TicketView(BaseModel):
    ticket_id: uuid.UUID
    number: int
    waiting_before: int


class QueueView(BaseModel):
    walk_ins: list[TicketView]


class CallRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    helper_id: str = Slug


class VisitView(BaseModel):
    visit_id: uuid.UUID
    ticket_number: int | None
    appointment_id: uuid.UUID | None
    language: Language
    waited_seconds: int


class EndRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)
    topic: str = Slug
    language: Language
    outcome: Literal["resolved", "referred", "needs_appointment"]
    ebox_activated: bool = False
    national_number: str | None = Field(default=None, min_length=11, max_length=15,
                                        description="only with the citizen's consent")
    consent_given: bool = False

    @model_validator(mode="after")
    def _number_rules(self) -> EndRequest:
        if self.national_number is not None:
            if not self.consent_given:
                raise ValueError("a national number may only be sent when the citizen consented (consent_given)")
            if not self.ebox_activated:
                raise ValueError("a national number is only needed for an eBox activation")
            digits = "".join(ch for ch in self.national_number if ch.isdigit())
            if not is_valid_national_number(digits):
                raise ValueError("national_number is not a valid national register or BIS number")
            self.national_number = digits
        return self


class VisitEndedView(BaseModel):
    visit_id: uuid.UUID
    duration_seconds: int


def queue_endpoints(runtime: Runtime, queue: Queue, clock: Callable[[], dt.datetime]) -> list[Endpoint]:
    db = runtime.db

    async def take_ticket(request: Request, body: TicketRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            ticket, ahead = await queue.take_ticket(conn, request.path_params["point_id"], body.language, body.topic,
                                                    clock())
        return TicketView(ticket_id=ticket.ticket_id, number=ticket.number, waiting_before=ahead)

    async def show_queue(request: Request) -> BaseModel:
        async with db().acquire() as conn:
            await queue.appointments.point(conn, request.path_params["point_id"])
            tickets = await repo.waiting(conn, runtime.schema, request.path_params["point_id"])
        return QueueView(walk_ins=[TicketView(ticket_id=t.ticket_id, number=t.number, waiting_before=i)
                                   for i, t in enumerate(tickets)])

    async def call_next(request: Request, body: CallRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            called = await queue.call_next(conn, request.path_params["point_id"], body.helper_id, clock())
        return VisitView(**called.__dict__)

    async def end_visit(request: Request, body: EndRequest) -> BaseModel:
        visit_id = uuid_path(request, "visit_id", "visit")
        async with db().acquire() as conn, conn.transaction():
            duration = await queue.end_visit(conn, visit_id, body.topic, body.language, body.outcome,
                                             body.ebox_activated, body.national_number, body.consent_given, clock())
        return VisitEndedView(visit_id=visit_id, duration_seconds=duration)

    staff = COUNTER
    return [
        Endpoint("POST", "/staff/points/{point_id}/tickets", take_ticket, "A walk-in takes a ticket", staff | KIOSK,
                 body=TicketRequest, response=TicketView, status=201, errors=(404,), tag="queue", extra={"path": POINT}, scope=InPath("point_id", "assistance point")),
        Endpoint("GET", "/staff/points/{point_id}/queue", show_queue, "Walk-ins waiting", staff, response=QueueView,
                 errors=(404,), tag="queue", extra={"path": POINT}, scope=InPath("point_id", "assistance point")),
        Endpoint("POST", "/staff/points/{point_id}/call-next", call_next, "Call the next person and start a visit",
                 staff, body=CallRequest, response=VisitView, errors=(404, 409), tag="queue", extra={"path": POINT}, scope=InPath("point_id", "assistance point")),
        Endpoint("POST", "/staff/visits/{visit_id}/end", end_visit, "End a visit with its outcome", staff,
                 body=EndRequest, response=VisitEndedView, errors=(404, 409), tag="queue", extra={"path": VISIT},
                 audit=Audited("end a visit (an eBox activation may carry a national number)", "visit"), scope=InPath("visit_id", "visit")),
    ]
