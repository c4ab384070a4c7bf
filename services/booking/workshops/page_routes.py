"""The public workshop pages, in the booking page's look (server-rendered, no script, usable by
keyboard and screen reader): a point's coming workshops → a registration form (phone or e-mail,
the language for messages) → registered or on the waiting list, with a link to cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode
from uuid import UUID

import asyncpg
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from loket.infra.date_words import when_words
from loket.infra.http.language_links import language_links
from loket.infra.runtime import Runtime
from services.booking.appointments.contact import ContactIn
from services.booking.errors import BookingError, NotFound
from services.booking.http.errors import status_of
from services.booking.http.rate_limit import RateLimit
from services.booking.http.transactions import retried
from services.booking.page.public_form import public_form
from services.booking.page.refusal_texts import form_text, refusal_text
from services.booking.page.rendering import page_language, render_from, too_many_requests
from services.booking.page.texts import LANGUAGES, texts_for
from services.booking.workshops.model import Listed, Workshop
from services.booking.workshops.service import Registered, Workshops
from services.booking.workshops.texts import REFUSALS, STATUS, workshop_texts

TEMPLATES = Path(__file__).parent / "templates"
LIST = "/public/book/workshops/{point_id}"
FORM = "/public/book/workshops/{point_id}/{workshop_id}"
MINE = "/public/book/workshop-registrations/{registration_id}"


def workshop_page_routes(runtime: Runtime, workshops: Workshops, limiter: RateLimit,
                         clock: Callable[[], dt.datetime]) -> list[Route]:
    def render(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
        lang = page_language(request)
        links = language_links(request.url.path, request.query_params.multi_items(), LANGUAGES)
        return render_from((TEMPLATES,), lang, name, status, t={**texts_for(lang), **workshop_texts(lang)},
                           language_links=links, **context)

    def refused(request: Request, exc: BookingError) -> HTMLResponse:
        lang = page_language(request)
        return render(request, "workshop_refused.html.j2", status_of(exc), error=_refusal(exc, lang))

    def shown(listed: Listed, lang: str) -> dict[str, object]:
        w = listed.workshop
        return {"id": w.workshop_id, "title": w.title, "when": when_words(w.starts_at, lang),
                "until": when_words(w.ends_at, lang)[-5:], "language": w.language, "partner": w.partner_school,
                "places_left": listed.places_left, "point_id": w.point_id}

    async def coming(request: Request) -> Response:
        if refusal := await too_many_requests(request, limiter):
            return refusal
        lang, point_id = page_language(request), request.path_params["point_id"]
        try:
            async with runtime.db().acquire() as conn:
                point = await workshops.appointments.point(conn, point_id)
                listed = await workshops.upcoming(conn, point_id, clock())
        except BookingError as exc:
            return refused(request, exc)
        return render(request, "workshops.html.j2", point_name=point.name_in(lang),
                      workshops=[shown(w, lang) for w in listed])

    async def one(conn: asyncpg.Connection, point_id: str, workshop_id: UUID) -> Listed:
        """The workshop as listed at its point (another point's workshop is not found here)."""
        listed = next((w for w in await workshops.upcoming(conn, point_id, clock())
                       if w.workshop.workshop_id == workshop_id), None)
        if listed is None:
            raise NotFound("Unknown workshop", f"{point_id} has no coming workshop {workshop_id}")
        return listed

    async def form_page(request: Request, error: str | None = None, status: int = 200,
                        typed: dict[str, str] | None = None) -> Response:
        lang = page_language(request)
        try:
            workshop_id = UUID(request.path_params["workshop_id"])
            async with runtime.db().acquire() as conn:
                listed = await one(conn, request.path_params["point_id"], workshop_id)
                point = await workshops.appointments.point(conn, request.path_params["point_id"])
        except ValueError:
            return refused(request, NotFound("Unknown workshop", "not a workshop id"))
        except BookingError as exc:
            return refused(request, exc)
        typed = typed or {}
        return render(request, "workshop_register.html.j2", status, error=error, workshop=shown(listed, lang),
                      point_name=point.name_in(lang), phone=typed.get("phone", ""), email=typed.get("email", ""),
                      message_language=typed.get("language") or lang)

    async def show_form(request: Request) -> Response:
        return await too_many_requests(request, limiter) or await form_page(request)

    async def register(request: Request) -> Response:
        if refusal := await too_many_requests(request, limiter):
            return refusal
        lang = page_language(request)
        typed = await public_form(request)
        if isinstance(typed, Response):
            return typed
        language = typed.get("language", "") if typed.get("language") in LANGUAGES else lang
        try:
            contact = ContactIn(phone=typed.get("phone") or None, email=typed.get("email") or None,
                                language=language)  # type: ignore[arg-type]
        except ValidationError as exc:
            return await form_page(request, form_text(exc, lang), 422, typed)

        async def take() -> tuple[Registered, Listed]:
            async with runtime.db().acquire() as conn, conn.transaction():
                listed = await one(conn, request.path_params["point_id"], UUID(request.path_params["workshop_id"]))
                made = await workshops.register(conn, listed.workshop.workshop_id, language, contact.details(),
                                                clock())
                return made, listed
        try:
            made, listed = await retried(take, "workshop page")
        except ValueError:
            return refused(request, NotFound("Unknown workshop", "not a workshop id"))
        except BookingError as exc:
            return await form_page(request, _refusal(exc, lang), status_of(exc), typed)
        mine = MINE.format(registration_id=made.registration_id)
        link = f"{str(request.base_url).rstrip('/')}{mine}?{urlencode({'lang': lang, 'token': made.cancel_token})}"
        return render(request, "workshop_registered.html.j2", 201, workshop=shown(listed, lang),
                      place_in_line=made.place_in_line, cancel_url=link)

    async def manage(request: Request) -> Response:
        if refusal := await too_many_requests(request, limiter):
            return refusal
        lang, token = page_language(request), request.query_params.get("token", "")
        try:
            registration_id = UUID(request.path_params["registration_id"])
            async with runtime.db().acquire() as conn, conn.transaction():
                registration = await workshops.registration(conn, registration_id)
                await workshops.check_link(conn, registration_id, token)
                if request.method == "POST":
                    await workshops.cancel(conn, registration_id, "citizen", clock(), token=token)
                    registration = await workshops.registration(conn, registration_id)
                workshop: Workshop = await workshops.workshop(conn, registration.workshop_id)
                listed = Listed(workshop, 0, 0)
        except ValueError:
            return refused(request, NotFound("Unknown workshop registration", "not a registration id"))
        except BookingError as exc:
            return refused(request, exc)
        return render(request, "workshop_manage.html.j2", workshop=shown(listed, lang),
                      registration_status=STATUS[registration.status][lang], cancelled=registration.status == "cancelled",
                      can_cancel=registration.status != "cancelled" and clock() < workshop.starts_at,
                      action=f"{request.url.path}?{urlencode({'lang': lang, 'token': token})}")

    return [Route(LIST, coming, methods=["GET"]), Route(FORM, show_form, methods=["GET"]),
            Route(FORM, register, methods=["POST"]), Route(MINE, manage, methods=["GET", "POST"])]


def _refusal(exc: BookingError, lang: str) -> str:
    """The workshops' own refusals, then the booking page's (an unknown point…), in the page's language."""
    return REFUSALS[exc.title][lang] if exc.title in REFUSALS else refusal_text(exc, lang)
