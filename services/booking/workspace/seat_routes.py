"""`/staff/seats/{point}`: the day's seat bookings at a point for the people who work there: book
a computer or laptop for a walk-in citizen, check them in and out, cancel.

Plain forms with the session's CSRF token (checked in `posted_form`), POST-redirect-GET, no
script needed. Every action goes
through the seat use cases (seats/service.py), so the database keeps the point within its
capacity here as it does for the API and the public page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.infra.http.client_address import client_label
from loket.infra.identity import audit
from loket.infra.identity.audit import Access
from loket.infra.runtime import Runtime
from services.booking.appointments.contact import ContactIn
from services.booking.calendar.local_time import BRUSSELS, local_date
from services.booking.counted import counted
from services.booking.errors import BookingError
from services.booking.locations import Locator
from services.booking.seats.rules import SLOT_LENGTH, capacity
from services.booking.seats.service import SeatBooking, Seats
from services.booking.seats.texts import KINDS, kind_name
from services.booking.workspace import access
from services.booking.workspace.posted_form import (
    FormError,
    done_notice,
    done_url,
    form_uuid,
    posted_form,
    visitor,
)
from services.booking.workspace.rendering import message, render
from services.booking.workspace.texts import LANGUAGES, SEATS_DONE, language_name, texts_for

SEAT_PAGES = "/staff/seats"
STEPS = ("check-in", "check-out", "cancel")
# The same words as the API's audited booking, so the trail reads the same either way.
BOOK_AUDIT = "book a seat (contact details)"


def seat_routes(runtime: Runtime, seats: Seats, locator: Locator, clock: Callable[[], dt.datetime]) -> list[Route]:
    db = runtime.db
    points = seats.appointments.directory  # the service's point cache

    async def page(request: Request, error: str | None = None, status: int = 200,
                   form: dict[str, str] | None = None) -> Response:
        who = visitor(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(who, Response):
            return who
        principal, lang, t = who.principal, who.lang, who.t
        now, form = clock(), form or {}
        async with db().acquire() as conn:
            point = await access.reachable_point(conn, points, principal, request.path_params["point_id"])
            if point is None:
                return message(request, 404, t["not_here"])
            today = local_date(now)
            booked = await seats.on_day(conn, point.point_id, today)
            kinds = [k for k in KINDS if capacity(point, k)]
            free = {k: await seats.free_slots(conn, point, k, today, now) for k in kinds}
        hours = [s.starts_at for s in free[kinds[0]]] if kinds else []
        return render(
            request, "seats.html.j2", status, lang=lang, error=error,
            title=t["seats_title"].format(p=point.name_in(lang, *point.languages)), point=point,
            lang_query=f"?lang={lang}",
            done=None if error else done_notice(SEATS_DONE, request, lang),
            manages=access.manages(principal),
            kinds=[(k, kind_name(k, lang)) for k in kinds],
            hours=[{"value": h.isoformat(), "label": _span(h, h + SLOT_LENGTH),
                    "free": ", ".join(t["seats_free"].format(k=kind_name(k, lang), n=counted("free", next(
                        s.free for s in free[k] if s.starts_at == h), lang)) for k in kinds)} for h in hours],
            languages=[(code, language_name(code, lang)) for code in point.languages],
            bookings=[_row(b, lang, t) for b in booked], form=form)

    async def show(request: Request) -> Response:
        return await page(request)

    async def act(request: Request) -> Response:
        posted = await posted_form(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(posted, Response):
            return posted
        principal, lang, t, form = posted.principal, posted.lang, posted.t, posted.fields
        point_id, action = request.path_params["point_id"], request.path_params["action"]
        if action not in (*STEPS, "book"):
            return message(request, 404, t["not_here"])
        try:
            async with db().acquire() as conn:
                if await access.reachable_point(conn, points, principal, point_id) is None:
                    return message(request, 404, t["not_here"])
                async with conn.transaction():
                    if action == "book":
                        touched = await _book(conn, point_id, form, lang)
                        if touched is not None:  # contact details: on the audit trail, like the API's
                            await audit.record(conn, principal, touched, client_label(request), "booking")
                    else:
                        booking_id = form_uuid(form.get("id", ""))
                        where = await locator.locate(conn, "seat booking", str(booking_id))
                        if where is None or where.point_id != point_id:  # another point's booking: unknown
                            return message(request, 404, t["not_here"])
                        step = {"check-in": seats.check_in, "check-out": seats.check_out, "cancel": seats.cancel}
                        await step[action](conn, booking_id, clock())
        except BookingError as refused:
            return await page(request, f"{refused.title}: {refused.detail}", 409, form)
        except FormError as bad:
            return await page(request, bad.text, 400, form)
        return RedirectResponse(done_url(f"{SEAT_PAGES}/{point_id}", request, action), 303)

    async def _book(conn, point_id: str, form: dict[str, str], lang: str) -> Access | None:  # type: ignore[no-untyped-def]
        """A walk-in's seat for the chosen hour; the booking when it holds contact details."""
        t = texts_for(lang)
        kind, language_code = form.get("kind", ""), form.get("language", "")
        try:
            starts_at = dt.datetime.fromisoformat(form.get("starts_at", ""))
        except ValueError:
            raise FormError(t["seats_choose_hour"]) from None
        if kind not in KINDS or starts_at.tzinfo is None or language_code not in LANGUAGES:
            raise FormError(t["seats_choose_hour"])
        phone = form.get("phone", "").strip() or None
        try:
            contact = ContactIn(phone=phone, language=language_code).details() if phone else None  # type: ignore[arg-type]
        except ValidationError:
            raise FormError(t["bad_phone"]) from None
        booked = await seats.book(conn, point_id, kind, starts_at, starts_at + SLOT_LENGTH, language_code, contact,
                                  clock())
        return Access(BOOK_AUDIT, "seat booking", str(booked.booking_id)) if contact else None

    return [Route(SEAT_PAGES + "/{point_id}", show, methods=["GET"]),
            Route(SEAT_PAGES + "/{point_id}/{action}", act, methods=["POST"])]




def _span(start: dt.datetime, end: dt.datetime) -> str:
    return f"{start.astimezone(BRUSSELS):%H:%M}–{end.astimezone(BRUSSELS):%H:%M}"


def _row(b: SeatBooking, lang: str, t: dict[str, str]) -> dict[str, object]:
    state = ("seat_cancelled" if b.cancelled_at else "seat_left" if b.checked_out_at
             else "seat_in" if b.checked_in_at else "seat_expected")
    return {"id": b.booking_id, "time": _span(b.starts_at, b.ends_at), "kind": kind_name(b.kind, lang),
            "seat": b.seat_no, "language": language_name(b.language, lang), "state": t[state],
            "can_check_in": state == "seat_expected", "can_cancel": state == "seat_expected",
            "can_check_out": state == "seat_in"}
