"""`/kiosk/{point}`: the ticket kiosk, a touch page on a device link. A walk-in picks a service
and a language and gets a numbered ticket with the people before them and the estimated wait,
in a view that prints on a ticket printer (print CSS). Works without script."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from loket.infra.date_words import when_words
from loket.infra.http.client_address import client_label
from loket.infra.http.signin.forms import read_form
from loket.infra.identity import audit
from loket.infra.identity.audit import Access
from loket.infra.runtime import Runtime
from services.booking.catalogue import CATALOGUE
from services.booking.errors import BookingError
from services.booking.queue.service import Queue
from services.booking.staff.directory import Staffed
from services.booking.workspace.device_access import DeviceAccess, form_token
from services.booking.workspace.display_routes import STATIC
from services.booking.workspace.mobile_number import mobile_e164
from services.booking.workspace.rendering import message, render
from services.booking.workspace.texts import LANGUAGES, language_name, texts_for
from services.booking.workspace.wait_figures import wait_for


def kiosk_routes(runtime: Runtime, queue: Queue, devices: DeviceAccess,
                 clock: Callable[[], dt.datetime]) -> list[Route]:
    db, schema = runtime.db, runtime.schema

    async def _admitted(request: Request):  # type: ignore[no-untyped-def]
        """(point, staffed, lang) for a device of this point; a refusal page otherwise."""
        point_id = request.path_params["point_id"]
        async with db().acquire() as conn:
            try:
                staffed = await queue.appointments.staffed(conn, point_id)
            except BookingError:
                staffed = None
        chosen = request.query_params.get("lang", "")
        lang = chosen if chosen in LANGUAGES else (staffed.point.languages[0] if staffed else "nl")
        if staffed is None or not devices.may_serve(await devices.principal(request), staffed.point):
            return message(request, 403, texts_for(lang)["no_device"], lang=lang)
        return staffed, lang

    async def page(request: Request) -> Response:
        admitted = await _admitted(request)
        if isinstance(admitted, Response):
            return admitted
        staffed, lang = admitted
        return _kiosk(request, staffed, lang)

    def _kiosk(request: Request, staffed: Staffed, lang: str, error: str | None = None, status: int = 200,
               form: dict[str, str] | None = None) -> Response:
        point, form = staffed.point, form or {}
        return render(request, "kiosk.html.j2", status, lang=lang, title=point.name_in(lang, *point.languages),
                      point=point, error=error, phone=form.get("phone", ""),
                      services=[(s, CATALOGUE[s].names[lang]) for s in point.services if s in CATALOGUE],
                      chosen_service=form.get("service"),
                      languages=[(code, language_name(code, lang)) for code in point.languages],
                      chosen_language=form.get("language") or (lang if lang in point.languages else point.languages[0]),
                      csrf=form_token(devices.key(request) or ""), lang_query=f"?lang={lang}")

    async def take(request: Request) -> Response:
        admitted = await _admitted(request)
        if isinstance(admitted, Response):
            return admitted
        staffed, lang = admitted
        form = await read_form(request)
        if form.get("csrf") != form_token(devices.key(request) or ""):
            return message(request, 403, texts_for(lang)["expired_form"], lang=lang)
        service = form.get("service") or None
        if service is not None and service not in staffed.point.services:
            service = None
        language = form.get("language", "")
        phone = None
        if form.get("phone", "").strip():
            phone = mobile_e164(form["phone"])
            if phone is None:
                return _kiosk(request, staffed, lang, texts_for(lang)["bad_phone"], 400, form)
        try:
            async with db().acquire() as conn, conn.transaction():
                ticket, _ = await queue.take_ticket(conn, staffed.point.point_id, language, service, clock(), phone)
                if phone is not None and (device := await devices.principal(request)) is not None:
                    await audit.record(conn, device, Access("take a ticket (mobile number)", "ticket",
                                                            str(ticket.ticket_id)), client_label(request), "booking")
        except BookingError as refused:
            return message(request, 409, f"{refused.title}: {refused.detail}", lang=lang)
        # The ticket speaks the language the citizen chose.
        sms = "&sms=1" if phone else ""
        return RedirectResponse(f"/kiosk/{staffed.point.point_id}/ticket/{ticket.ticket_id}?lang={language}{sms}", 303)

    async def ticket(request: Request) -> Response:
        admitted = await _admitted(request)
        if isinstance(admitted, Response):
            return admitted
        staffed, lang = admitted
        t = texts_for(lang)
        try:
            ticket_id = uuid.UUID(request.path_params["ticket_id"])
        except ValueError:
            return message(request, 404, t["not_here"], lang=lang)
        now = clock()
        async with db().acquire() as conn:
            row = await conn.fetchrow(f"""SELECT number, topic, status, created_at FROM {schema}.tickets
                                          WHERE ticket_id = $1 AND point_id = $2""", ticket_id, staffed.point.point_id)
            if row is None:
                return message(request, 404, t["not_here"], lang=lang)
            ahead = int(await conn.fetchval(
                f"""SELECT count(*) FROM {schema}.tickets WHERE point_id = $1 AND status = 'waiting'
                    AND (created_at, number) < ($2, $3)""", staffed.point.point_id, row["created_at"], row["number"]))
            estimate = await wait_for(conn, schema, staffed, row["topic"], ahead, now)
        before = (t["before_you_none"] if ahead == 0 else t["before_you_one"] if ahead == 1
                  else t["before_you"].format(n=ahead))
        point = staffed.point
        return render(request, "ticket.html.j2", lang=lang, title=t["your_number"], point=point,
                      point_name=point.name_in(lang, *point.languages), number=row["number"], before=before,
                      service=CATALOGUE[row["topic"]].names[lang] if row["topic"] in CATALOGUE else None,
                      wait=t["wait_about"].format(o=estimate.optimistic_minutes, r=estimate.realistic_minutes),
                      # The weekday and month in words, as the citizen's other texts: `07/12` is easy to misread.
                      taken=t["taken_at"].format(when=when_words(row["created_at"], lang)),
                      back=f"/kiosk/{point.point_id}?lang={lang}", sms=request.query_params.get("sms") == "1")

    async def script(_: Request) -> Response:
        return FileResponse(STATIC / "kiosk.js", media_type="text/javascript",
                            headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"})

    return [Route("/kiosk/{point_id}", page, methods=["GET"]),
            Route("/kiosk/{point_id}/ticket", take, methods=["POST"]),
            Route("/kiosk/{point_id}/ticket/{ticket_id}", ticket, methods=["GET"]),
            Route("/device/kiosk.js", script, methods=["GET"])]

