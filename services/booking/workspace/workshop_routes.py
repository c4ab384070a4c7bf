"""`/staff/workshop-desk/{point}`: a point's workshops (the past week's too, for attendance noted
afterwards) and, per workshop, its registrations: who came is recorded there, a registration is
cancelled there on a citizen's behalf (its place goes to the first waiting). Plain forms with the
session's CSRF token, POST-redirect-GET, no script; the same use cases, events and audit as the API.
Its own prefix: the staff JSON API under /staff/workshops/… stays bearer-only."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.infra.date_words import when_words
from loket.infra.http.client_address import client_label
from loket.infra.identity import audit
from loket.infra.identity.audit import Access
from loket.infra.identity.principal import Principal
from loket.infra.runtime import Runtime
from services.booking.calendar.local_time import local_instant
from services.booking.errors import BookingError
from services.booking.workshops.model import Registration, Workshop, WorkshopDraft
from services.booking.workshops.rules import attendance_problem
from services.booking.workshops.service import Workshops
from services.booking.workspace import access
from services.booking.workspace.posted_form import done_notice, done_url, posted_form, visitor
from services.booking.workspace.rendering import message, render
from services.booking.workspace.texts import WORKSHOP_DONE, WORKSHOP_STATUS, language_name

WORKSHOP_PAGES = "/staff/workshop-desk"
LOOK_BACK = dt.timedelta(days=7)  # attendance is often noted after the session, from the sign-in sheet
# The same words as the API's audited list, so the trail reads the same either way.
LIST_AUDIT = "list workshop registrations (contact details)"


def workshop_routes(runtime: Runtime, workshops: Workshops, clock: Callable[[], dt.datetime]) -> list[Route]:
    db = runtime.db
    points = workshops.appointments.directory

    async def at_point(request: Request, error: str | None = None, status: int = 200,
                       form: dict[str, str] | None = None) -> Response:
        who = visitor(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(who, Response):
            return who
        principal, lang, t = who.principal, who.lang, who.t
        async with db().acquire() as conn:
            point = await access.reachable_point(conn, points, principal, request.path_params["point_id"])
            if point is None:
                return message(request, 404, t["not_here"])
            listed = await workshops.starting_after(conn, point.point_id, clock() - LOOK_BACK)
        return render(request, "workshops.html.j2", status, lang=lang, error=error,
                      title=t["workshops_title"].format(p=point.name_in(lang, *point.languages)), point=point,
                      lang_query=f"?lang={lang}", manages=access.manages(principal),
                      planned=request.query_params.get("done") == "planned",
                      form=form or {"language": point.languages[0]},
                      languages=[(code, language_name(code, lang)) for code in point.languages],
                      workshops=[{"id": w.workshop.workshop_id, "title": w.workshop.title,
                                  "when": when_words(w.workshop.starts_at, lang), "trainer": w.workshop.trainer,
                                  "language": language_name(w.workshop.language, lang),
                                  "taken": f"{w.placed} / {w.workshop.capacity}", "waiting": w.waiting}
                                 for w in listed])

    async def one(request: Request, error: str | None = None, status: int = 200) -> Response:
        who = visitor(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(who, Response):
            return who
        principal, lang, t = who.principal, who.lang, who.t
        async with db().acquire() as conn:
            found = await _workshop_here(conn, request, principal)
            if found is None:
                return message(request, 404, t["not_here"])
            workshop = found
            registrations = await workshops.registrations(conn, workshop.workshop_id)
            await audit.record(conn, principal, Access(LIST_AUDIT, "workshop", str(workshop.workshop_id)),
                               client_label(request), "booking")
        now = clock()
        return render(request, "workshop.html.j2", status, lang=lang, error=error,
                      title=t["workshop_title"].format(w=workshop.title), workshop=workshop,
                      when=when_words(workshop.starts_at, lang), lang_query=f"?lang={lang}",
                      done=done_notice(WORKSHOP_DONE, request, lang),
                      base=f"{WORKSHOP_PAGES}/{workshop.point_id}/{workshop.workshop_id}",
                      manages=access.manages(principal),
                      rows=[_row(r, lang, t, workshop, now) for r in registrations])

    async def _workshop_here(conn, request: Request, principal: Principal) -> Workshop | None:  # type: ignore[no-untyped-def]
        """The workshop named in the path, when it is at the named point and the person works there."""
        point = await access.reachable_point(conn, points, principal, request.path_params["point_id"])
        try:
            workshop = await workshops.workshop(conn, uuid.UUID(request.path_params["workshop_id"]))
        except (ValueError, BookingError):
            return None
        return workshop if point is not None and workshop.point_id == point.point_id else None

    async def act(request: Request) -> Response:
        posted = await posted_form(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(posted, Response):
            return posted
        principal, t, form = posted.principal, posted.t, posted.fields
        action = request.path_params["action"]
        try:
            registration_id = uuid.UUID(form.get("id", ""))
        except ValueError:
            return message(request, 404, t["not_here"])
        if action not in ("attended", "cancel"):
            return message(request, 404, t["not_here"])
        try:
            async with db().acquire() as conn:
                workshop = await _workshop_here(conn, request, principal)
                if workshop is None or (await workshops.registration(conn, registration_id)).workshop_id \
                        != workshop.workshop_id:
                    return message(request, 404, t["not_here"])
                async with conn.transaction():
                    if action == "attended":
                        await workshops.attended(conn, registration_id, clock())
                    else:
                        await workshops.cancel(conn, registration_id, "staff", clock())
        except BookingError as refused:
            return await one(request, f"{refused.title}: {refused.detail}", 409)
        return RedirectResponse(done_url(f"{WORKSHOP_PAGES}/{workshop.point_id}/{workshop.workshop_id}", request, action),
                                303)

    async def plan(request: Request) -> Response:
        """A manager plans a workshop at their point: on the public list at once."""
        posted = await posted_form(request, access.manages, lambda t, r: r["not_manager"])
        if isinstance(posted, Response):
            return posted
        form, t, point_id = posted.fields, posted.t, request.path_params["point_id"]
        try:
            day = dt.date.fromisoformat(form.get("on_date", ""))
            starts, ends = (local_instant(day, dt.time.fromisoformat(form.get(k, ""))) for k in ("starts", "ends"))
            draft = WorkshopDraft(form.get("title", "").strip()[:120], form.get("language", ""),
                                  int(form.get("capacity", "")), form.get("trainer", "").strip()[:120],
                                  form.get("partner_school", "").strip()[:120] or None, starts, ends)
            if not draft.title or not draft.trainer or not 1 <= draft.capacity <= 200:
                raise ValueError
        except ValueError:
            return await at_point(request, t["plan_fields"], 400, form)
        if ends <= starts:  # said in the person's words, not the API's field names
            return await at_point(request, t["plan_ends_first"], 400, form)
        try:
            async with db().acquire() as conn:
                if await access.reachable_point(conn, points, posted.principal, point_id) is None:
                    return message(request, 404, t["not_here"])
                async with conn.transaction():
                    await workshops.plan(conn, point_id, draft, clock())
        except BookingError as refused:
            return await at_point(request, f"{t['refused']}: {refused.detail}", 409, form)
        return RedirectResponse(done_url(f"{WORKSHOP_PAGES}/{point_id}", request, "planned"), 303)

    async def capacity(request: Request) -> Response:
        """A manager gives the workshop more places (the first waiting get them) or fewer."""
        posted = await posted_form(request, access.manages, lambda t, r: r["not_manager"])
        if isinstance(posted, Response):
            return posted
        t, form = posted.t, posted.fields
        raw = form.get("capacity", "").strip()
        if not raw.isdigit():
            return await one(request, t["capacity_field"], 400)
        try:
            async with db().acquire() as conn:
                workshop = await _workshop_here(conn, request, posted.principal)
                if workshop is None:
                    return message(request, 404, t["not_here"])
                async with conn.transaction():
                    await workshops.change_capacity(conn, workshop.workshop_id, int(raw), clock())
        except BookingError as refused:
            return await one(request, f"{t['refused']}: {refused.detail}", 409)
        return RedirectResponse(done_url(f"{WORKSHOP_PAGES}/{workshop.point_id}/{workshop.workshop_id}", request,
                                         "capacity"), 303)

    return [Route(WORKSHOP_PAGES + "/{point_id}", at_point, methods=["GET"]),
            Route(WORKSHOP_PAGES + "/{point_id}/{workshop_id}/capacity", capacity, methods=["POST"]),
            Route(WORKSHOP_PAGES + "/{point_id}/plan", plan, methods=["POST"]),
            Route(WORKSHOP_PAGES + "/{point_id}/{workshop_id}", one, methods=["GET"]),
            Route(WORKSHOP_PAGES + "/{point_id}/{workshop_id}/{action}", act, methods=["POST"])]


def _row(r: Registration, lang: str, t: dict[str, str], workshop: Workshop, now: dt.datetime) -> dict[str, object]:
    contact = " · ".join(v for v in (r.contact.phone, r.contact.email) if v) if r.contact else t["contact_erased"]
    return {"id": r.registration_id, "place": r.place_no or "–", "contact": contact,
            "language": language_name(r.language, lang), "state": WORKSHOP_STATUS[r.status][lang],
            "came": r.attended_at is not None,
            "can_mark": r.status == "registered" and r.attended_at is None
                    and attendance_problem(workshop.starts_at, now) is None,
            "can_cancel": r.status != "cancelled" and now < workshop.starts_at}
