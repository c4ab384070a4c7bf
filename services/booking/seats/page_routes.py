"""The public seat booking page (server-rendered, works without JavaScript, on a phone and with
a screen reader): a point that has computers or laptops and which of the two → a day and an hour
with the seats still free → optional contact details and language → confirmation. The database
keeps the point within its capacity (seats/service.py); this page only shows what is free."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from loket.infra.date_words import weekday_words, when_words
from loket.infra.http.language_links import language_links
from loket.infra.runtime import Runtime
from services.booking.appointments.contact import ContactIn
from services.booking.calendar.local_time import BRUSSELS, local_date
from services.booking.counted import counted
from services.booking.errors import BookingError, NotFound, NotOffered
from services.booking.http.errors import status_of
from services.booking.http.rate_limit import RateLimit
from services.booking.page import submission
from services.booking.page.public_form import public_form
from services.booking.page.refusal_texts import form_text, refusal_text
from services.booking.page.rendering import page_language, render_from, too_many_requests
from services.booking.page.texts import LANGUAGES, texts_for
from services.booking.points.model import AssistancePoint
from services.booking.points.repository import all_points
from services.booking.seats.rules import KIND_CAPACITY, SLOT_LENGTH, capacity, day_slots
from services.booking.seats.service import Seats
from services.booking.seats.texts import KINDS, kind_name, seat_texts

TEMPLATES = (Path(__file__).parent / "templates",)
SEATS = "/public/seats"
DAYS_AHEAD = 14  # as far ahead as the appointment page looks
DAYS_SHOWN = 7  # the first open days; a longer row of links is hard to scan by ear


def seat_page_routes(runtime: Runtime, seats: Seats, limiter: RateLimit,
                     clock: Callable[[], dt.datetime]) -> list[Route]:
    def render(lang: str, name: str, status: int = 200, **context: object) -> HTMLResponse:
        return render_from(TEMPLATES, lang, name, status, t={**texts_for(lang), **seat_texts(lang)}, **context)

    async def with_seats() -> list[AssistancePoint]:
        async with runtime.db().acquire() as conn:
            return [p for p in await all_points(conn, runtime.schema) if any(capacity(p, k) for k in KIND_CAPACITY)]

    def kinds_at(point: AssistancePoint, lang: str) -> list[tuple[str, str]]:
        return [(k, kind_name(k, lang)) for k in KINDS if capacity(point, k)]

    def start_page(lang: str, points: list[AssistancePoint], status: int = 200, error: str | None = None,
                   chosen: str | None = None, kind: str | None = None) -> HTMLResponse:
        """The first step: the points with seats (and which kinds each has), and the kind."""
        return render(lang, "seats_start.html.j2", status, error=error,
                      points=[(p.point_id, p.name_in(lang), ", ".join(n for _, n in kinds_at(p, lang)))
                              for p in sorted(points, key=lambda p: p.name_in(lang))],
                      kinds=[(k, kind_name(k, lang)) for k in KINDS], chosen=chosen, kind=kind)

    async def start(request: Request) -> Response:
        if refusal := await too_many_requests(request, limiter):
            return refusal
        q, lang = request.query_params, page_language(request)
        points = await with_seats()
        point = next((p for p in points if p.point_id == q.get("point")), None)
        if point is not None and q.get("kind") in dict(kinds_at(point, lang)):
            return RedirectResponse(f"{SEATS}/{point.point_id}?{urlencode({'lang': lang, 'kind': q['kind']})}", 303)
        if "point" not in q:
            return start_page(lang, points)
        # A point without the kind asked for says so; a form sent without a choice asks for one.
        error = (refusal_text(NotOffered("No such seats here", ""), lang) if point is not None
                 else seat_texts(lang)["choose_point"])
        return start_page(lang, points, 400, error, q.get("point"), q.get("kind"))

    async def slots_page(request: Request, lang: str, form: dict[str, str], error: str | None = None,
                         status: int = 200) -> Response:
        point_id, now = request.path_params["point_id"], clock()
        kind = form.get("kind", "")
        today = local_date(now)
        try:
            day = dt.date.fromisoformat(form.get("day", ""))
        except ValueError:
            day = None
        try:
            async with runtime.db().acquire() as conn:
                point = await seats.appointments.point(conn, point_id)
                if kind not in KINDS or not capacity(point, kind):
                    return await start_again(lang, point_id)
                # The open days ahead, from the opening hours alone. Online, only hours still to come
                # (a citizen needs time to get there; the staff page also offers the hour under way).
                open_days = [d for d in (today + dt.timedelta(days=i) for i in range(DAYS_AHEAD))
                             if any(start > now for start, _ in day_slots(point, d))][:DAYS_SHOWN]
                day = day if day in open_days else (open_days[0] if open_days else today)
                slots = [s for s in await seats.free_slots(conn, point, kind, day, now) if s.starts_at > now] \
                    if open_days else []
        except BookingError as exc:
            return await start_again(lang, point_id, refusal_text(exc, lang), status_of(exc))
        return render(lang, "seats_slots.html.j2", status, error=error, point_id=point_id,
                      submission=submission.kept_or_new(form), point_name=point.name_in(lang), kind=kind, kind_name=kind_name(kind, lang), day=day.isoformat(),
                      days=[(d.isoformat(), weekday_words(d, lang)) for d in open_days],
                      day_words=weekday_words(day, lang),
                      slots=[{"value": s.starts_at.isoformat(), "free": counted("free", s.free, lang) if s.free else "",
                              "label": f"{s.starts_at.astimezone(BRUSSELS):%H:%M}–{s.ends_at.astimezone(BRUSSELS):%H:%M}"}
                             for s in slots],
                      chosen=form.get("starts_at"), phone=form.get("phone"), email=form.get("email"),
                      help_language=form.get("language") or lang,
                      language_links=language_links(f"{SEATS}/{point_id}", [("kind", kind), ("day", day.isoformat())], LANGUAGES))

    async def start_again(lang: str, point_id: str | None, error: str | None = None, status: int = 404) -> Response:
        """Back to the first step, when the point or the kind in the address is not one to book."""
        return start_page(lang, await with_seats(), status, error or seat_texts(lang)["choose_point"], point_id)

    async def slots(request: Request) -> Response:
        if refusal := await too_many_requests(request, limiter):
            return refusal
        return await slots_page(request, page_language(request), dict(request.query_params))

    async def book(request: Request) -> Response:
        if refusal := await too_many_requests(request, limiter):
            return refusal
        lang = page_language(request)
        form = await public_form(request)
        if isinstance(form, Response):
            return form
        language = form.get("language") if form.get("language") in LANGUAGES else lang
        try:
            starts_at = dt.datetime.fromisoformat(form.get("starts_at", ""))
            if starts_at.tzinfo is None:
                raise ValueError("a slot is an aware instant")
            contact = (ContactIn(phone=form.get("phone") or None, email=form.get("email") or None, language=language)
                       if form.get("phone") or form.get("email") else None)
        except ValueError as exc:  # ValidationError is one too: the contact does not validate
            text = form_text(exc, lang) if isinstance(exc, ValidationError) else seat_texts(lang)["choose_hour"]
            return await slots_page(request, lang, form, text, 422)
        point_id, kind = request.path_params["point_id"], form.get("kind", "")
        if kind not in KINDS:
            return await start_again(lang, point_id)
        try:
            async with runtime.db().acquire() as conn, conn.transaction():
                booked = await seats.book(conn, point_id, kind, starts_at, starts_at + SLOT_LENGTH, language,
                                          contact.details() if contact else None, clock(),
                                          form_key=submission.key_of(form))
                point = await seats.appointments.point(conn, point_id)
        except BookingError as exc:
            return await slots_page(request, lang, form, refusal_text(exc, lang), status_of(exc))
        t = seat_texts(lang)
        manage = f"{SEATS}/booking/{booked.booking_id}?{urlencode({'lang': lang, 'token': booked.cancel_token})}"
        return render(lang, "seats_booked.html.j2", 201, when=when_words(starts_at, lang),
                      manage_url=str(request.base_url).rstrip("/") + manage,
                      until=f"{(starts_at + SLOT_LENGTH).astimezone(BRUSSELS):%H:%M}", point_name=point.name_in(lang),
                      address=point.address.one_line(), phone=point.phone, point_id=point_id, kind=kind,
                      what=f"{kind_name(kind, lang)} · {t['seat_no'].format(n=booked.seat_no)}")

    async def manage(request: Request) -> Response:
        """The citizen's link: the booking, and cancelling it (POST) until the hour begins."""
        if refusal := await too_many_requests(request, limiter):
            return refusal
        lang, token = page_language(request), request.query_params.get("token", "")
        try:
            booking_id = uuid.UUID(request.path_params["booking_id"])
            async with runtime.db().acquire() as conn, conn.transaction():
                seat = (await seats.cancel_by_link(conn, booking_id, token, clock()) if request.method == "POST"
                        else await seats.by_link(conn, booking_id, token))
                point = await seats.appointments.point(conn, seat.point_id)
        except ValueError:
            return await start_again(lang, None, refusal_text(NotFound("Unknown link", ""), lang), 404)
        except BookingError as exc:
            return await start_again(lang, None, refusal_text(exc, lang), status_of(exc))
        t = seat_texts(lang)
        return render(lang, "seats_manage.html.j2", when=when_words(seat.starts_at, lang),
                      until=f"{seat.ends_at.astimezone(BRUSSELS):%H:%M}", point_name=point.name_in(lang),
                      what=f"{kind_name(seat.kind, lang)} · {t['seat_no'].format(n=seat.seat_no)}",
                      cancelled=seat.cancelled, can_cancel=not seat.cancelled and not seat.checked_in
                      and seat.starts_at > clock(), booking_id=seat.booking_id, token=token,
                      # Another language keeps the link's token (a bare ?lang= would drop it).
                      language_links=language_links(f"{SEATS}/booking/{seat.booking_id}", [("token", token)], LANGUAGES))

    return [Route(SEATS, start, methods=["GET"]), Route(SEATS + "/{point_id}", slots, methods=["GET"]),
            Route(SEATS + "/{point_id}", book, methods=["POST"]),
            Route(SEATS + "/booking/{booking_id}", manage, methods=["GET", "POST"])]
