"""The page behind the link a waitlisted citizen receives: see the offered slot, take it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from services.booking.calendar.local_time import local_text
from services.booking.http.problem import ProblemError
from services.booking.http.rate_limit import RateLimiter
from services.booking.metrics import BookingMetrics
from services.booking.page.texts import LANGUAGE_NAMES, LANGUAGES, texts_for
from services.booking.waitlist.service import Waitlist
from services.infra.runtime import Runtime

OFFER = {"nl": "Er is een plaats vrijgekomen voor u", "fr": "Une place s'est libérée pour vous",
         "de": "Ein Termin ist für Sie frei geworden", "en": "A slot has opened up for you"}
UNTIL = {"nl": "We houden ze voor u vast tot", "fr": "Nous la gardons pour vous jusqu'à",
         "de": "Wir halten ihn für Sie frei bis", "en": "We hold it for you until"}


def claim_page_routes(runtime: Runtime, waitlist: Waitlist, metrics: BookingMetrics, limiter: RateLimiter,
                      clock: Callable[[], dt.datetime]) -> list[Route]:
    templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                            autoescape=select_autoescape(["html", "j2"]))

    def render(lang: str, name: str, status: int = 200, **context: object) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(lang=lang, t=texts_for(lang),
                                                                language_names=LANGUAGE_NAMES, **context),
                            status_code=status)

    async def claim(request: Request) -> Response:
        if (wait := limiter.retry_after(request.client.host if request.client else "unknown")) > 0:
            return HTMLResponse("Too many requests", status_code=429, headers={"Retry-After": str(max(1, round(wait)))})
        lang = request.query_params.get("lang", "nl")
        lang = lang if lang in LANGUAGES else "nl"
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
                        raise ProblemError(409, "Nothing to claim", f"this appointment is {offered.status}")
                    point = await waitlist.appointments.point(conn, offered.point_id)
                    until = await conn.fetchval(
                        f"SELECT hold_until FROM {waitlist.schema}.appointments WHERE appointment_id = $1",
                        appointment_id)
        except ValueError:
            return render(lang, "base.html.j2", 404, error="?")
        except ProblemError as exc:
            return render(lang, "base.html.j2", exc.status, error=exc.detail)
        name = point.name.get(lang) or next(iter(point.name.values()))
        if request.method == "POST":
            metrics.booked("waitlist", replayed=False)
            a = booked.appointment
            manage = f"/public/book/manage/{a.appointment_id}?lang={lang}&token={booked.token}"
            return render(lang, "booked.html.j2", 201, when=local_text(a.starts_at), point_name=name,
                          address=f"{point.address.street} {point.address.number}, {point.address.postcode} "
                                  f"{point.address.municipality}",
                          manage_url=str(request.base_url).rstrip("/") + manage)
        return render(lang, "claim.html.j2", offer_title=OFFER[lang], offer_until=UNTIL[lang],
                      when=local_text(offered.starts_at), until=local_text(until), point_name=name,
                      appointment_id=appointment_id, token=token)

    return [Route("/public/book/claim/{appointment_id}", claim, methods=["GET", "POST"])]
