"""Appointment endpoints: public (slots, book, manage by link) and staff/back-office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from uuid import UUID

from pydantic import BaseModel
from starlette.requests import Request

from loket.infra.identity.roles import Role
from loket.infra.runtime import Runtime
from services.booking.appointments import repository as repo
from services.booking.appointments.api_models import (
    AppointmentList,
    AppointmentView,
    BookingConfirmation,
    BookingRequest,
    CitizenBookingRequest,
    DayQuery,
    LinkQuery,
    PhoneCheckRequest,
    PhoneCheckView,
    RescheduleRequest,
    SlotList,
    SlotQuery,
    SlotView,
    StaffBookingRequest,
    StaffCancelRequest,
)
from services.booking.appointments.contact import ContactIn
from services.booking.appointments.service import Appointments, Booked, BookingWish
from services.booking.appointments.slot_listing import open_slots
from services.booking.calendar.local_time import BRUSSELS, local_instant, local_text
from services.booking.cancellation import Cancellation
from services.booking.errors import Conflict
from services.booking.http.endpoint import Endpoint, uuid_path
from services.booking.http.problem import ProblemError
from services.booking.http.scopes import COUNTER, OPEN, Audited, InBody, InPath
from services.booking.metrics import BookingMetrics
from services.booking.phone_checks.codes import PhoneProof
from services.booking.phone_checks.service import PhoneChecks

UUID_PATH = {"appointment_id": {"type": "string", "format": "uuid"}}
POINT_PATH = {"point_id": {"type": "string", "minLength": 1, "examples": ["mechelen-stadhuis"]}}
Clock = Callable[[], dt.datetime]


def _confirmation(booked: Booked) -> BookingConfirmation:
    return BookingConfirmation(**AppointmentView.of(booked.appointment).model_dump(), manage_token=booked.token,
                               replayed=booked.replayed)


def _appointment_id(request: Request) -> UUID:
    return uuid_path(request, "appointment_id", "appointment")


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not 8 <= len(key) <= 128:
        raise ProblemError(400, "Bad Idempotency-Key", "the Idempotency-Key header must be 8 to 128 characters")
    return key


def appointment_endpoints(runtime: Runtime, service: Appointments, phone_checks: PhoneChecks, cancellation: Cancellation,
                          metrics: BookingMetrics, clock: Clock) -> list[Endpoint]:
    db = runtime.db

    async def list_slots(request: Request, query: SlotQuery) -> BaseModel:
        now = clock()
        first = query.start or now.astimezone(BRUSSELS).date()
        days = [first + dt.timedelta(days=i) for i in range(query.days)]
        async with db().acquire() as conn:
            _, slots = await open_slots(conn, service, request.path_params["point_id"], query.service,
                                        query.language, days, now)
        return SlotList(point_id=request.path_params["point_id"], service=query.service, language=query.language,
                        slots=[SlotView(starts_at=s.starts_at, ends_at=s.ends_at, local_time=local_text(s.starts_at),
                                        helpers_free=s.helpers_free) for s in slots])

    async def _book(request: Request, body: BookingRequest, via: str,
                    phone_proof: PhoneProof | None = None) -> BookingConfirmation:
        wish = BookingWish(body.point_id, body.service, body.language, body.starts_at, body.contact,
                           getattr(body, "helper_id", None))
        key = _idempotency_key(request)
        async with db().acquire() as conn, conn.transaction():
            booked = await service.book(conn, wish, via, key, clock(), phone_proof)
        metrics.booked(via, booked.replayed)
        return _confirmation(booked)

    async def book_appointment(request: Request, body: CitizenBookingRequest) -> BaseModel:
        proof = PhoneProof(body.phone_check.check_id, body.phone_check.code) if body.phone_check else None
        if proof is not None and body.contact.phone is not None:
            async with db().acquire() as conn:  # its own transaction: a wrong try stays counted
                await phone_checks.confirm(conn, proof, body.contact.phone, clock())
        return await _book(request, body, "citizen", proof)

    async def send_phone_code(request: Request, body: PhoneCheckRequest) -> BaseModel:
        contact = ContactIn(phone=body.phone, language=body.language).details()
        async with db().acquire() as conn, conn.transaction():
            point = await service.point(conn, body.point_id)
            if not await phone_checks.required(conn, point.municipality, contact):
                raise Conflict("Phone check not needed",
                               f"{point.point_id}'s municipality does not confirm phone numbers; book directly")
            sent = await phone_checks.send_code(conn, point, contact, clock())
        return PhoneCheckView(check_id=sent.check_id, expires_at=sent.expires_at)

    async def book_for_citizen(request: Request, body: StaffBookingRequest) -> BaseModel:
        return await _book(request, body, "backoffice" if request.state.principal.role is Role.BACKOFFICE else "staff")

    async def show_by_link(request: Request, query: LinkQuery) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            return AppointmentView.of(await service.by_link(conn, _appointment_id(request), query.token, clock()))

    async def cancel_by_link(request: Request, query: LinkQuery) -> BaseModel:
        now = clock()
        async with db().acquire() as conn, conn.transaction():
            appointment = await service.by_link(conn, _appointment_id(request), query.token, now)
            done = await cancellation.cancel(conn, appointment, "citizen", now, by_citizen=True)
        metrics.cancelled("citizen")
        return AppointmentView.of(done)

    async def reschedule_by_link(request: Request, query: LinkQuery, body: RescheduleRequest) -> BaseModel:
        now = clock()
        async with db().acquire() as conn, conn.transaction():
            appointment = await service.by_link(conn, _appointment_id(request), query.token, now)
            booked = await service.reschedule(conn, appointment, body.starts_at, None, now, by_citizen=True)
        return _confirmation(booked)

    async def staff_cancel(request: Request, body: StaffCancelRequest) -> BaseModel:
        now = clock()
        async with db().acquire() as conn, conn.transaction():
            appointment = await service.get(conn, _appointment_id(request), lock=True)
            done = await cancellation.cancel(conn, appointment, body.reason, now, by_citizen=False)
        metrics.cancelled(body.reason)
        return AppointmentView.of(done)

    async def staff_reschedule(request: Request, body: RescheduleRequest) -> BaseModel:
        now = clock()
        async with db().acquire() as conn, conn.transaction():
            appointment = await service.get(conn, _appointment_id(request), lock=True)
            booked = await service.reschedule(conn, appointment, body.starts_at, body.helper_id, now, by_citizen=False)
        return _confirmation(booked)

    async def check_in(request: Request) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            appointment = await service.get(conn, _appointment_id(request), lock=True)
            return AppointmentView.of(await service.check_in(conn, appointment, clock()))

    async def mark_attended(request: Request) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            appointment = await service.get(conn, _appointment_id(request), lock=True)
            return AppointmentView.of(await service.attend(conn, appointment, clock()))

    async def day_at_point(request: Request, query: DayQuery) -> BaseModel:
        point_id = request.path_params["point_id"]
        async with db().acquire() as conn:
            await service.point(conn, point_id)
            found = await repo.of_point_between(conn, runtime.schema, point_id, local_instant(query.day, dt.time()),
                                                local_instant(query.day + dt.timedelta(days=1), dt.time()))
        return AppointmentList(appointments=[AppointmentView.of(a) for a in found])

    staff = COUNTER
    link_errors = (403, 404, 409, 410)
    return [
        Endpoint("GET", "/public/points/{point_id}/slots", list_slots, "Free slots for a service in a language",
                 None, query=SlotQuery, response=SlotList, errors=(404,), extra={"path": POINT_PATH}, scope=OPEN),
        Endpoint("POST", "/public/phone-checks", send_phone_code,
                 "Send a code by SMS to confirm the citizen's number (where the municipality asks for it)", None,
                 body=PhoneCheckRequest, response=PhoneCheckView, status=201, errors=(404, 409), scope=OPEN),
        Endpoint("POST", "/public/appointments", book_appointment, "Book a slot (citizen)", None,
                 body=CitizenBookingRequest, response=BookingConfirmation, status=201, errors=(404, 409, 410),
                 scope=OPEN),
        Endpoint("GET", "/public/appointments/{appointment_id}", show_by_link, "See an appointment by its link",
                 None, query=LinkQuery, response=AppointmentView, errors=link_errors, extra={"path": UUID_PATH}, scope=OPEN),
        Endpoint("POST", "/public/appointments/{appointment_id}/cancel", cancel_by_link,
                 "Cancel by link (works once)", None, query=LinkQuery, response=AppointmentView, errors=link_errors,
                 extra={"path": UUID_PATH}, scope=OPEN),
        Endpoint("POST", "/public/appointments/{appointment_id}/reschedule", reschedule_by_link,
                 "Move by link (works once; returns a new link)", None, query=LinkQuery, body=RescheduleRequest,
                 response=BookingConfirmation, errors=link_errors, extra={"path": UUID_PATH}, scope=OPEN),
        Endpoint("POST", "/staff/appointments", book_for_citizen, "Book on a citizen's behalf", staff,
                 body=StaffBookingRequest, response=BookingConfirmation, status=201, errors=(404, 409), tag="staff",
                 audit=Audited("book for a citizen (contact details)", "appointment", "appointment_id"), scope=InBody("point_id", "assistance point")),
        Endpoint("GET", "/staff/points/{point_id}/appointments", day_at_point, "A point's appointments on a day",
                 staff, query=DayQuery, response=AppointmentList, errors=(404,), tag="staff", extra={"path": POINT_PATH}, scope=InPath("point_id", "assistance point")),
        Endpoint("POST", "/staff/appointments/{appointment_id}/cancel", staff_cancel, "Cancel an appointment", staff,
                 body=StaffCancelRequest, response=AppointmentView, errors=(404, 409), tag="staff",
                 extra={"path": UUID_PATH}, audit=Audited("cancel an appointment", "appointment"), scope=InPath("appointment_id", "appointment")),
        Endpoint("POST", "/staff/appointments/{appointment_id}/reschedule", staff_reschedule,
                 "Move an appointment", staff, body=RescheduleRequest, response=BookingConfirmation,
                 errors=(404, 409), tag="staff", extra={"path": UUID_PATH}, audit=Audited("move an appointment", "appointment"), scope=InPath("appointment_id", "appointment")),
        Endpoint("POST", "/staff/appointments/{appointment_id}/check-in", check_in, "The citizen has arrived",
                 staff, response=AppointmentView, errors=(404, 409), tag="staff", extra={"path": UUID_PATH}, scope=InPath("appointment_id", "appointment")),
        Endpoint("POST", "/staff/appointments/{appointment_id}/attended", mark_attended, "The citizen was helped",
                 staff, response=AppointmentView, errors=(404, 409), tag="staff", extra={"path": UUID_PATH}, scope=InPath("appointment_id", "appointment")),
    ]

