"""The page behind the link a waitlisted citizen receives: see the offered slot, take it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from loket.infra.date_words import when_words
from loket.infra.runtime import Runtime
from services.booking.errors import BookingError, Conflict
from services.booking.http.errors import status_of
from services.booking.http.rate_limit import RateLimit
from services.booking.metrics import BookingMetrics
from services.booking.page.refusal_texts import field_text, refusal_text
from services.booking.page.rendering import page_language, render_page, too_many_requests
from services.booking.waitlist.service import Waitlist

OFFER = {"nl": "Er is een plaats vrijgekomen voor u", "fr": "Une place s'est libérée pour vous",
         "de": "Ein Termin ist für Sie frei geworden", "en": "A slot has opened up for you"}
UNTIL = {"nl": "We houden ze voor u vast tot", "fr": "Nous la gardons pour vous jusqu'à",
         "de": "Wir halten ihn für Sie frei bis", "en": "We hold it for you until"}


def claim_page_routes(runtime: Runtime, waitlist: Waitlist, metrics: BookingMetrics, limiter: RateLimit,
                      clock: Callable[[], dt.datetime]) -> list[Route]:
    async def claim(request: Request) -> Response:
        if refusal := await too_many_requests(request, limiter):
            return refusal
        lang = page_language(request, browser_preference=False)
        token = request.query_params.get("token", "")
        try:
            appointment_id = UUID(request.path_params["appointment_id"])
            async with runtime.db().acquire() as conn, conn.transaction():
                if request.method == "POST":
                    booked = await waitlist.claim(conn, appointment_id, token, clock())
                    point = await waitlist.appointments.point(conn, booked.appointment.point_id)
                else:
                    offered = await waitlist.appointments.by_link(conn, appointment_id, token, clock())
                    if offered.status != "held":
                        raise Conflict("Nothing to claim", f"this appointment is {offered.status}")
                    point = await waitlist.appointments.point(conn, offered.point_id)
                    until = await conn.fetchval(
                        f"SELECT hold_until FROM {waitlist.schema}.appointments WHERE appointment_id = $1",
                        appointment_id)
        except ValueError:
            return render_page(lang, "base.html.j2", 404, error=field_text("bad_link", lang))
        except BookingError as exc:
            return render_page(lang, "base.html.j2", status_of(exc), error=refusal_text(exc, lang))
        name = point.name_in(lang)
        if request.method == "POST":
            metrics.booked("waitlist", replayed=False)
            a = booked.appointment
            manage = f"/public/book/manage/{a.appointment_id}?lang={lang}&token={booked.token}"
            return render_page(lang, "booked.html.j2", 201, when=when_words(a.starts_at, lang), point_name=name,
                          address=point.address.one_line(),
                          manage_url=str(request.base_url).rstrip("/") + manage)
        return render_page(lang, "claim.html.j2", offer_title=OFFER[lang], offer_until=UNTIL[lang],
                      when=when_words(offered.starts_at, lang), until=when_words(until, lang), point_name=name,
                      appointment_id=appointment_id, token=token)

    return [Route("/public/book/claim/{appointment_id}", claim, methods=["GET", "POST"])]
