"""The citizen booking page (server-rendered, works without JavaScript, on a phone and with a
screen reader): postcode + service + language → nearest points → free times → contact →
confirmation with a link to manage the appointment."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from uuid import UUID

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from loket.contracts.values import CAMPAIGN_PATTERN
from loket.infra.date_words import weekday_words, when_words
from loket.infra.http.language_links import language_links
from loket.infra.runtime import Runtime
from services.booking.appointments.contact import ContactIn
from services.booking.appointments.service import Appointments, Booked, BookingWish
from services.booking.appointments.slot_listing import open_slots
from services.booking.calendar.local_time import BRUSSELS, local_date, local_text
from services.booking.cancellation import Cancellation
from services.booking.catalogue import BOOKABLE, CATALOGUE
from services.booking.errors import BookingError
from services.booking.http.errors import as_problem, status_of
from services.booking.http.problem import ProblemError
from services.booking.http.rate_limit import RateLimit
from services.booking.http.transactions import retried
from services.booking.metrics import BookingMetrics
from services.booking.page import submission
from services.booking.page.public_form import public_form
from services.booking.page.refusal_texts import field_text, form_text, refusal_text
from services.booking.page.rendering import page_language, render_page, too_many_requests
from services.booking.page.texts import APPOINTMENT_STATUS, LANGUAGES
from services.booking.phone_checks.codes import PhoneProof
from services.booking.phone_checks.service import PhoneChecks
from services.booking.points.model import AssistancePoint
from services.booking.points.nearest import UnknownPostcode, nearest_to_postcode
from services.booking.points.repository import all_points

# A long list of radio buttons is hard to scan by ear or on a phone: the first days with room.
DAYS_SHOWN = 4
# What the code step carries over from the slot form, so the booking needs nothing typed twice.
CARRIED_FIELDS = ("service", "help_language", "starts_at", "phone", "email", "campaign", submission.FIELD)
# The eBox campaign's reference from a paper letter's QR code (campaign/short_link_routes.py).
CAMPAIGN = re.compile(CAMPAIGN_PATTERN)
CANCEL = {"nl": "Afspraak annuleren", "fr": "Annuler le rendez-vous", "de": "Termin absagen", "en": "Cancel"}


def page_routes(runtime: Runtime, appointments: Appointments, phone_checks: PhoneChecks, cancellation: Cancellation,
                metrics: BookingMetrics, limiter: RateLimit, clock: Callable[[], dt.datetime]) -> list[Route]:
    def render(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
        # A page may give its own links (one shown at a form's address, which takes only POST).
        links = language_links("", request.query_params.multi_items(), LANGUAGES)
        return render_page(page_language(request), name, status, **{"language_links": links, **context})

    async def limited(request: Request) -> Response | None:
        return await too_many_requests(request, limiter)

    def services(lang: str) -> list[tuple[str, str]]:
        return sorted(((slug, CATALOGUE[slug].names[lang]) for slug in BOOKABLE), key=lambda s: s[1])

    async def start(request: Request) -> Response:
        return await limited(request) or render(request, "start.html.j2", services=services(page_language(request)),
                                          service="ebox_activation", help_language=page_language(request))

    async def points(request: Request) -> Response:
        if refusal := await limited(request):
            return refusal
        q, lang = request.query_params, page_language(request)
        service, help_language = q.get("service", ""), q.get("help_language", lang)
        form = {"services": services(lang), "service": service, "help_language": help_language,
                "postcode": q.get("postcode", "")}
        if service not in BOOKABLE or help_language not in LANGUAGES:
            return render(request, "start.html.j2", 400, error=field_text("link", lang), **form)
        async with runtime.db().acquire() as conn:
            known = await all_points(conn, runtime.schema)
        try:
            found = nearest_to_postcode(known, q.get("postcode", ""), service=service, language=help_language, limit=5)
        except UnknownPostcode:
            return render(request, "start.html.j2", 400, error=field_text("postcode", lang), **form)
        return render(request, "points.html.j2", points=found, service=service, help_language=help_language)

    async def slots_page(request: Request, error: str | None = None, status: int = 200,
                         form: dict[str, str] | None = None) -> Response:
        q, lang = request.query_params, page_language(request)
        form = form or {}
        service = form.get("service") or q.get("service", "")
        help_language = form.get("help_language") or q.get("help_language", lang)
        point_id = request.path_params["point_id"]
        now = clock()
        first = now.astimezone(BRUSSELS).date()
        try:
            async with runtime.db().acquire() as conn:
                point, free = await open_slots(conn, appointments, point_id, service, help_language,
                                               [first + dt.timedelta(days=i) for i in range(14)], now)
        except BookingError as exc:
            return render(request, "start.html.j2", status_of(exc), error=refusal_text(exc, lang),
                          services=services(lang), service=service, help_language=help_language)
        by_day = [(weekday_words(day, lang), [{"value": s.starts_at.isoformat(), "label": local_text(s.starts_at)[11:]}
                                              for s in group])
                  for day, group in itertools.groupby(free, key=lambda s: local_date(s.starts_at))][:DAYS_SHOWN]
        return render(request, "slots.html.j2", status, error=error, days=by_day, point_id=point_id,
                      campaign=_campaign(form.get("campaign") or q.get("campaign")),
                      point_name=point.name_in(lang), service=service, service_name=CATALOGUE[service].names[lang],
                      help_language=help_language, chosen=form.get("starts_at"), phone=form.get("phone"),
                      email=form.get("email"), submission=submission.kept_or_new(form))

    async def slots(request: Request) -> Response:
        return await limited(request) or await slots_page(request)

    async def book(request: Request) -> Response:
        if refusal := await limited(request):
            return refusal
        lang = page_language(request)
        form = await public_form(request)
        if isinstance(form, Response):
            return form
        try:
            contact = ContactIn(phone=form.get("phone") or None, email=form.get("email") or None,
                                language=form.get("help_language", lang))
            wish = BookingWish(request.path_params["point_id"], form.get("service", ""), form.get("help_language", lang),
                               dt.datetime.fromisoformat(form.get("starts_at", "")), contact,
                               campaign=_campaign(form.get("campaign")))
        except (ValidationError, ValueError) as exc:
            return await slots_page(request, error=form_text(exc, lang), status=422, form=form)
        proof: PhoneProof | None = None
        try:
            async with runtime.db().acquire() as conn:
                point = await appointments.point(conn, wish.point_id)
                if await phone_checks.required(conn, point.municipality, contact.details()):
                    proof = _typed_proof(form)
                    if proof is None:  # first time here, or "send a new code"
                        async with conn.transaction():
                            sent = await phone_checks.send_code(conn, point, contact.details(), clock())
                        return code_page(request, form, point, wish, sent.check_id)
                    if not proof.code:
                        return code_page(request, form, point, wish, proof.check_id, field_text("code", lang), 422)
                    await phone_checks.confirm(conn, proof, str(contact.phone), clock())
        except BookingError as exc:
            if proof is None:
                return await slots_page(request, error=refusal_text(exc, lang), status=status_of(exc), form=form)
            return code_page(request, form, point, wish, proof.check_id, refusal_text(exc, lang), status_of(exc))

        async def book() -> tuple[Booked, AssistancePoint]:
            async with runtime.db().acquire() as conn, conn.transaction():
                key = submission.key_of(form)  # a form sent twice books once (page/submission.py)
                return (await appointments.book(conn, wish, "citizen", key and f"page-{key}", clock(), proof),
                        await appointments.point(conn, wish.point_id))

        try:
            booked, point = await retried(book, "booking page")
        except (BookingError, ProblemError) as exc:  # ProblemError: 503 when the retries ran out
            problem = as_problem(exc)
            text = refusal_text(exc, lang) if isinstance(exc, BookingError) else problem.detail
            return await slots_page(request, error=text, status=problem.status, form=form)
        metrics.booked("citizen", booked.replayed)
        a = booked.appointment
        manage = f"/public/book/manage/{a.appointment_id}?lang={lang}&token={booked.token}"
        return render(request, "booked.html.j2", 201, when=when_words(a.starts_at, lang), point_name=point.name_in(lang),
                      address=point.address.one_line(), manage_url=str(request.base_url).rstrip("/") + manage)

    def code_page(request: Request, form: dict[str, str], point: AssistancePoint, wish: BookingWish,
                  check_id: UUID, error: str | None = None, status: int = 200) -> Response:
        """Step 4 where the municipality confirms phone numbers: the code sent by SMS."""
        lang = page_language(request)
        carried = {name: form.get(name, "") for name in CARRIED_FIELDS}
        return render(request, "code.html.j2", status, error=error, carried=carried, check_id=check_id,
                      point_id=point.point_id, point_name=point.name_in(lang), phone=form.get("phone", ""),
                      when=when_words(wish.starts_at, lang))

    async def manage(request: Request) -> Response:
        if refusal := await limited(request):
            return refusal
        lang, token = page_language(request), request.query_params.get("token", "")
        try:
            appointment_id = UUID(request.path_params["appointment_id"])
            async with runtime.db().acquire() as conn, conn.transaction():
                a = await appointments.by_link(conn, appointment_id, token, clock())
                if request.method == "POST":
                    a = await cancellation.cancel(conn, a, "citizen", clock(), by_citizen=True)
                    metrics.cancelled("citizen")
                point = await appointments.point(conn, a.point_id)
        except ValueError:
            return render(request, "start.html.j2", 404, error=field_text("bad_link", lang), services=services(lang))
        except BookingError as exc:
            return render(request, "start.html.j2", status_of(exc), error=refusal_text(exc, lang),
                          services=services(lang))
        return render(request, "manage.html.j2", when=when_words(a.starts_at, lang), point_name=point.name_in(lang),
                      appointment_status=APPOINTMENT_STATUS.get(a.status, {}).get(lang, a.status),
                      can_cancel=a.status == "booked", appointment_id=a.appointment_id,
                      token=token, cancel_label=CANCEL[lang],
                      # Another language keeps the link's token (a bare ?lang= would drop it).
                      language_links=language_links(f"/public/book/manage/{a.appointment_id}", [("token", token)],
                                                    LANGUAGES))

    return [Route("/public/book", start, methods=["GET"]), Route("/public/book/points", points, methods=["GET"]),
            Route("/public/book/points/{point_id}", slots, methods=["GET"]),
            Route("/public/book/points/{point_id}", book, methods=["POST"]),
            Route("/public/book/manage/{appointment_id}", manage, methods=["GET", "POST"])]


def _typed_proof(form: dict[str, str]) -> PhoneProof | None:
    """The check and the code typed on the code step; None before it, or when a new code is asked."""
    if form.get("new_code"):
        return None
    try:
        check_id = UUID(form.get("check_id", ""))
    except ValueError:
        return None
    return PhoneProof(check_id, "".join(ch for ch in form.get("code", "") if ch.isdigit()))


def _campaign(value: str | None) -> str | None:
    """The campaign reference when it is one (a link typed by hand may carry anything)."""
    return value if value and CAMPAIGN.match(value) else None
