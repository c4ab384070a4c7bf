"""`/staff/counter`: the point picker and the counter screen, for signed-in people.

Plain forms with the session's CSRF token, POST-redirect-GET, no script needed. Every action
goes through the queue's and appointments' use cases, so it publishes the same events as the
API (through the outbox)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.infra.http.client_address import client_label
from loket.infra.identity import audit
from loket.infra.identity.audit import Access
from loket.infra.identity.principal import Principal
from loket.infra.runtime import Runtime
from services.booking.appointments.service import Appointments
from services.booking.calendar.local_time import BRUSSELS
from services.booking.catalogue import CATALOGUE
from services.booking.errors import BookingError
from services.booking.printing.service import MOST_AT_ONCE, Printing, offers_printing
from services.booking.queue import calls as calls_repo
from services.booking.queue.counter import Counter
from services.booking.queue.routes import EndRequest
from services.booking.rota.texts import rota_texts
from services.booking.workspace import access
from services.booking.workspace.posted_form import (
    FormError,
    done_notice,
    done_url,
    form_uuid,
    posted_form,
    visitor,
)
from services.booking.workspace.queue_view import today_at
from services.booking.workspace.rendering import language, message, render
from services.booking.workspace.texts import (
    COUNTER_DONE,
    OUTCOMES,
    STATUS,
    language_name,
    texts_for,
)

COUNTER_PAGES = "/staff/counter"
COUNTER_NAME = re.compile(r"^[0-9A-Za-z]{1,4}$")
# The first people in line; a tablet shows no more at once (the count says how many follow).
QUEUE_SHOWN = 25
# The same words as the API's audited end of a visit, so the trail reads the same either way.
END_VISIT_AUDIT = "end a visit (an eBox activation may carry a national number)"
ACTIONS = ("call-next", "call", "recall", "missed", "transfer", "arrived", "end", "check-in", "no-show", "prints")


def counter_routes(runtime: Runtime, counter: Counter, appointments: Appointments, printing: Printing,
                   clock: Callable[[], dt.datetime]) -> list[Route]:
    db, schema = runtime.db, runtime.schema

    async def picker(request: Request) -> Response:
        principal: Principal = request.state.principal
        t = texts_for(language(request))
        if not access.works_at_counters(principal):
            return message(request, 403, t["not_staff"])
        point_id, desk = request.query_params.get("point", ""), request.query_params.get("counter", "")
        async with db().acquire() as conn:
            points = await access.points_of(conn, schema, principal)
        if point_id and COUNTER_NAME.match(desk) and any(p.point_id == point_id for p in points):
            return RedirectResponse(_screen(point_id, desk, request), 303)
        lang = language(request)
        return render(request, "picker.html.j2", 200 if not point_id else 400,
                      points=[(p.point_id, p.name_in(lang, *p.languages)) for p in points],
                      chosen=point_id, desk=desk or "1", invalid=bool(point_id),
                      shifts_link=rota_texts(lang)["shifts_link"])

    async def screen(request: Request) -> Response:
        return await _screen_response(request)

    async def _screen_response(request: Request, error: str | None = None, status: int = 200) -> Response:
        who = visitor(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(who, Response):
            return who
        principal, lang, t = who.principal, who.lang, who.t
        point_id, desk = request.path_params["point_id"], request.path_params["counter"]
        now = clock()
        async with db().acquire() as conn:
            point = await access.reachable_point(conn, appointments.directory, principal, point_id)
            if point is None or not COUNTER_NAME.match(desk):
                return message(request, 404, t["not_here"])
            today = await today_at(conn, schema, point_id, now)
            calling = await calls_repo.open_at_counter(conn, schema, point_id, desk)
            serving = await calls_repo.serving_at_counter(conn, schema, point_id, desk)
            prints = (await printing.of_visit(conn, serving.visit_id, point.free_print_pages)
                      if serving and serving.visit_id and offers_printing(point) else None)
        recall_after = counter.rules.recall_missed_after
        return render(
            request, "counter.html.j2", status, lang=lang, error=error,
            title=t["counter_title"].format(c=desk, p=point.name_in(lang, *point.languages)),
            point=point, desk=desk, lang_query=f"?lang={lang}",
            done=done_notice(COUNTER_DONE, request, lang), manages=access.manages(principal),
            calling=calling and _who(calling, t), calling_call=calling, max_calls=counter.rules.max_calls,
            serving=serving and _who(serving, t), serving_call=serving,
            serving_since=serving and f"{serving.last_called_at.astimezone(BRUSSELS):%H:%M}",
            prints=prints and prints.pages and t["prints_so_far"].format(n=prints.pages, f=prints.free,
                                                                          o=prints.over_quota, q=prints.quota),
            printing=offers_printing(point),
            most_pages=MOST_AT_ONCE,
            more_waiting=max(0, len(today.queue) - QUEUE_SHOWN),
            queue=[{"id": w.object_id, "kind": w.kind, "language": language_name(w.language, lang),
                    "who": t["ticket_n"].format(n=w.number) if w.number is not None
                    else t["appointment_at"].format(t=_hhmm(w.starts_at)),
                    "service": _service_name(w.service, lang),
                    "minutes": t["minutes"].format(n=max(0, int((now - w.waiting_since).total_seconds() // 60)))}
                   for w in today.queue[:QUEUE_SHOWN]],
            missed=[{"id": m.ticket_id, "who": t["ticket_n"].format(n=m.number),
                     "again_at": _hhmm(m.missed_at + recall_after), "ready": m.missed_at + recall_after <= now}
                    for m in today.missed],
            appointments=[{"id": a.appointment_id, "time": _hhmm(a.starts_at), "service": _service_name(a.service, lang),
                           "language": language_name(a.language, lang), "state": STATUS.get(a.status, {}).get(lang, a.status),
                           "can_check_in": a.status == "booked",
                           "can_no_show": a.status in ("booked", "checked_in") and a.starts_at <= now}
                          for a in today.appointments],
            topics=[(s, CATALOGUE[s].names[lang]) for s in point.services if s in CATALOGUE],
            outcomes=[(o, names[lang]) for o, names in OUTCOMES.items()],
            languages=[(code, language_name(code, lang)) for code in point.languages])

    async def act(request: Request) -> Response:
        posted = await posted_form(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(posted, Response):
            return posted
        principal, lang, t, form = posted.principal, posted.lang, posted.t, posted.fields
        point_id, desk, action = (request.path_params[k] for k in ("point_id", "counter", "action"))
        if action not in ACTIONS or not COUNTER_NAME.match(desk):
            return message(request, 404, t["not_here"])
        now = clock()
        try:
            async with db().acquire() as conn:
                if await access.reachable_point(conn, appointments.directory, principal, point_id) is None:
                    return message(request, 404, t["not_here"])
                async with conn.transaction():
                    touched = await _perform(conn, action, form, point_id, desk, principal.name, now, lang)
                    if touched is not None:  # personal data: on the audit trail, like the API's
                        await audit.record(conn, principal, touched, client_label(request), "booking")
        except BookingError as refused:
            return await _screen_response(request, f"{refused.title}: {refused.detail}", 409)
        except FormError as bad:
            return await _screen_response(request, bad.text, 400)
        return RedirectResponse(_screen(point_id, desk, request, done=action), 303)

    async def _perform(conn, action: str, form: dict[str, str], point_id: str, desk: str,  # type: ignore[no-untyped-def]
                       helper_id: str, now: dt.datetime, lang: str) -> Access | None:
        """The action; what it touched when that holds personal data (for the audit trail)."""
        if action == "call-next":
            await counter.call(conn, point_id, desk, helper_id, now)
        elif action == "call":
            kind, object_id = form.get("kind", ""), form_uuid(form.get("id", ""))
            await counter.call(conn, point_id, desk, helper_id, now,
                               ticket_id=object_id if kind == "ticket" else None,
                               appointment_id=object_id if kind == "appointment" else None)
        elif action == "recall":
            await counter.recall(conn, point_id, desk, now)
        elif action == "missed":
            await counter.missed(conn, point_id, desk, now)
        elif action == "transfer":
            to_counter = form.get("to_counter", "").strip() or None
            if to_counter is not None and not COUNTER_NAME.match(to_counter):
                raise FormError(texts_for(lang)["counter_hint"])
            await counter.transfer(conn, point_id, desk, now, to_counter=to_counter,
                                   to_service=None if to_counter else form.get("to_service"))
        elif action == "arrived":
            await counter.arrived(conn, point_id, desk, now)
        elif action == "end":
            serving = await calls_repo.serving_at_counter(conn, schema, point_id, desk)
            if serving is None or serving.visit_id is None:
                raise FormError(texts_for(lang)["nobody_now"])
            body = _end_request(form, lang)
            if pages := _pages(form, lang, required=False):  # printed and not counted yet: counted with the end
                await printing.record(conn, serving.visit_id, pages, now)
            await counter.queue.end_visit(conn, serving.visit_id, body.topic, body.language, body.outcome,
                                          body.ebox_activated, body.national_number, body.consent_given, now)
            return Access(END_VISIT_AUDIT, "visit", str(serving.visit_id))
        elif action == "check-in":
            appointment = await appointments.get(conn, form_uuid(form.get("id", "")), lock=True)
            if appointment.point_id != point_id:
                raise FormError(texts_for(lang)["not_here"])
            await appointments.check_in(conn, appointment, now)
        elif action == "prints":
            serving = await calls_repo.serving_at_counter(conn, schema, point_id, desk)
            if serving is None or serving.visit_id is None:
                raise FormError(texts_for(lang)["nobody_now"])
            await printing.record(conn, serving.visit_id, _pages(form, lang, required=True), now)
        elif action == "no-show":
            await counter.no_show(conn, point_id, form_uuid(form.get("id", "")), now)
        return None

    return [Route(COUNTER_PAGES, picker, methods=["GET"]),
            Route(COUNTER_PAGES + "/{point_id}/{counter}", screen, methods=["GET"]),
            Route(COUNTER_PAGES + "/{point_id}/{counter}/{action}", act, methods=["POST"])]



def _end_request(form: dict[str, str], lang: str) -> EndRequest:
    """The API's own validation of a visit's end (national number check digits and consent)."""
    t = texts_for(lang)
    number = form.get("national_number", "").strip() or None
    try:
        return EndRequest(topic=form.get("topic", ""), language=form.get("language", ""),  # type: ignore[arg-type]
                          outcome=form.get("outcome", ""),  # type: ignore[arg-type]
                          ebox_activated=form.get("ebox") == "yes", consent_given=form.get("consent") == "yes",
                          national_number=number)
    except ValidationError as invalid:
        # Never echo the number: the messages name the rule only.
        text = " ".join(str(e.get("msg", "")) for e in invalid.errors(include_input=False))
        if "consent" in text or "only needed" in text:
            raise FormError(t["number_needs_consent"]) from None
        if "national_number" in text or "national" in text:
            raise FormError(t["bad_national_number"]) from None
        raise FormError(t["refused"] + ": " + ", ".join(str(e["loc"][0]) for e in invalid.errors()
                                                          if e.get("loc"))) from None


def _pages(form: dict[str, str], lang: str, required: bool) -> int:
    """The pages typed on the screen: 1 to MOST_AT_ONCE, or nothing where the field may stay empty (0)."""
    text = form.get("pages", "").strip()
    if not text and not required:
        return 0
    if not text.isdigit() or not 1 <= int(text) <= MOST_AT_ONCE:
        raise FormError(texts_for(lang)["pages_hint"].format(m=MOST_AT_ONCE))
    return int(text)



def _screen(point_id: str, desk: str, request: Request, done: str = "") -> str:
    """The counter's screen; after an action, `done` names it for the notice."""
    return done_url(f"{COUNTER_PAGES}/{point_id}/{desk}", request, done)


def _who(call: calls_repo.Call, t: dict[str, str]) -> str:
    return t["ticket_n"].format(n=call.label) if call.ticket_id else t["appointment_at"].format(t=call.label)


def _hhmm(instant: dt.datetime | None) -> str:
    return f"{instant.astimezone(BRUSSELS):%H:%M}" if instant else ""


def _service_name(slug: str | None, lang: str) -> str:
    return CATALOGUE[slug].names[lang] if slug in CATALOGUE else "–"
