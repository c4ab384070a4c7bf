"""`/staff/shifts` (a volunteer's open shifts and sign-ups) and `/staff/rota/{point}` (the point
manager offers open shifts, approves or declines sign-ups, and sees tomorrow's gaps).

Plain forms with the session's CSRF token, POST-redirect-GET, no script needed; every action goes
through the rota's use cases (services/booking/rota/service.py), which the database backs."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.infra.date_words import weekday_words
from loket.infra.runtime import Runtime
from services.booking.availability.opening import opening_spans
from services.booking.calendar.local_time import local_date
from services.booking.errors import BookingError
from services.booking.rota.rules import RotaRules, uncovered
from services.booking.rota.service import Rota
from services.booking.rota.texts import refusal_text, rota_texts
from services.booking.staff.directory import PointDirectory, Staffed
from services.booking.workspace import access
from services.booking.workspace.posted_form import done_url, posted_form, visitor
from services.booking.workspace.rendering import message, render

SHIFT_PAGES = "/staff/shifts"
ROTA_PAGES = "/staff/rota"
AHEAD = dt.timedelta(days=28)  # how far ahead volunteers see open shifts


def rota_routes(runtime: Runtime, rota: Rota, points: PointDirectory, clock: Callable[[], dt.datetime]) -> list[Route]:
    db, schema = runtime.db, runtime.schema

    async def my_shifts(request: Request, error: str | None = None, status: int = 200) -> Response:
        who = visitor(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(who, Response):
            return who
        principal, lang, r = who.principal, who.lang, who.r
        today = local_date(clock())
        async with db().acquire() as conn:
            helper = await rota.helper_of(conn, principal.name)
            if helper is None:
                return message(request, 404, r["no_profile"])
            mine = await access.points_of(conn, schema, principal)
            names = {p.point_id: p.name_in(lang, *p.languages) for p in mine}
            offered = await rota.open_shifts(conn, list(names), today, today + AHEAD, helper.helper_id)
            signups = await rota.signups_of(conn, helper.helper_id, today)
        return render(request, "shifts.html.j2", status, lang=lang, title=r["shifts_title"], r=r, error=error,
                      lang_query=f"?lang={lang}", notice=_notice(request, r),
                      rules=_rules_hint(rota.rules, r),
                      offered=[{"id": o.open_shift_id, "when": _when(o.on_date, o.starts, o.ends, lang),
                                "where": names.get(o.point_id, o.point_id), "left": o.places_left, "note": o.note or "",
                                "mine": o.mine and {"id": o.mine.signup_id, "status": r[o.mine.status]}}
                               for o in offered],
                      signups=[{"id": s.signup_id, "when": _when(s.on_date, s.starts, s.ends, lang),
                                "where": names.get(s.point_id, s.point_id), "status": r[s.status],
                                "live": s.status in ("requested", "approved")} for s in signups])

    async def sign_up_or_cancel(request: Request) -> Response:
        posted = await posted_form(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(posted, Response):
            return posted
        principal, lang, t, r = posted.principal, posted.lang, posted.t, posted.r
        object_id = _uuid(request.path_params["object_id"])
        if object_id is None or request.path_params["action"] not in ("sign-up", "cancel"):
            return message(request, 404, t["not_here"])
        cancelling = request.path_params["action"] == "cancel"
        try:
            async with db().acquire() as conn, conn.transaction():
                helper = await rota.helper_of(conn, principal.name)
                if helper is None:
                    return message(request, 404, r["no_profile"])
                if cancelling:
                    await rota.cancel(conn, object_id, helper.helper_id, clock())
                else:
                    point_id = await rota.point_of_open_shift(conn, object_id)
                    if point_id is None or await access.reachable_point(conn, points, principal, point_id) is None:
                        return message(request, 404, t["not_here"])
                    await rota.sign_up(conn, object_id, helper, clock())
        except BookingError as refused:
            reason = refusal_text(refused.title, refused.detail, lang, _numbers(rota.rules))
            return await my_shifts(request, f"{t['refused']}: {reason}", 409)
        return RedirectResponse(done_url(SHIFT_PAGES, request, "cancelled" if cancelling else "signed_up"), 303)

    async def point_rota(request: Request, error: str | None = None, status: int = 200) -> Response:
        who = visitor(request, access.manages, lambda t, r: r["not_manager"])
        if isinstance(who, Response):
            return who
        principal, lang, t, r = who.principal, who.lang, who.t, who.r
        today = local_date(clock())
        tomorrow = today + dt.timedelta(days=1)
        async with db().acquire() as conn:
            staffed = await access.reachable_staffed(conn, points, principal, request.path_params["point_id"])
            if staffed is None:
                return message(request, 404, t["not_here"])
            point = staffed.point
            offered = await rota.open_shifts(conn, [point.point_id], today, today + AHEAD)
            signups = await rota.signups_at(conn, point.point_id, today)
            gaps = await tomorrows_gaps(conn, staffed, rota, tomorrow, lang)
        by_shift: dict[uuid.UUID, list[dict[str, object]]] = {}
        for s in signups:
            by_shift.setdefault(s.open_shift_id, []).append(
                {"id": s.signup_id, "name": s.helper_name, "status": r[s.status], "pending": s.status == "requested"})
        return render(request, "rota.html.j2", status, lang=lang, r=r, error=error, point=point,
                      title=r["rota_title"].format(p=point.name_in(lang, *point.languages)),
                      lang_query=f"?lang={lang}", notice=_notice(request, r),
                      form={k: request.query_params.get(k, "") for k in ("on_date", "starts", "ends", "places", "note")},
                      default_date=tomorrow.isoformat(), gaps=gaps,
                      offered=[{"when": _when(o.on_date, o.starts, o.ends, lang), "places": o.places, "taken": o.taken,
                                "note": o.note or "", "signups": by_shift.get(o.open_shift_id, [])} for o in offered])

    async def manage_rota(request: Request) -> Response:
        posted = await posted_form(request, access.manages, lambda t, r: r["not_manager"])
        if isinstance(posted, Response):
            return posted
        principal, t, r, form = posted.principal, posted.t, posted.r, posted.fields
        lang = posted.lang
        point_id, action = request.path_params["point_id"], request.path_params["action"]
        now = clock()
        try:
            async with db().acquire() as conn, conn.transaction():
                if await access.reachable_point(conn, points, principal, point_id) is None:
                    return message(request, 404, t["not_here"])
                if action == "offer":
                    try:
                        on_date = dt.date.fromisoformat(form.get("on_date", ""))
                        starts, ends = (dt.time.fromisoformat(form.get(k, "")) for k in ("starts", "ends"))
                        places = int(form.get("places", ""))
                    except ValueError:
                        return await point_rota(request, t["refused"] + ": " + r["date"] + ", " + r["starts"] + ", "
                                                + r["ends"] + ", " + r["places"], 400)
                    await rota.offer(conn, point_id, on_date, starts, ends, places, form.get("note", "").strip()[:200],
                                     principal.name, local_date(now), now)
                elif action in ("approve", "decline") and (signup_id := _uuid(form.get("signup", ""))) is not None:
                    signup = await rota.signup(conn, signup_id)
                    if signup is None or signup.point_id != point_id:
                        return message(request, 404, t["not_here"])
                    await rota.decide(conn, signup_id, action == "approve", principal.name, now)
                else:
                    return message(request, 404, t["not_here"])
        except BookingError as refused:
            return await point_rota(request, f"{t['refused']}: {refusal_text(refused.title, refused.detail, lang)}", 409)
        return RedirectResponse(done_url(f"{ROTA_PAGES}/{point_id}", request, "offered" if action == "offer" else "decided"),
                                303)

    return [Route(SHIFT_PAGES, my_shifts, methods=["GET"]),
            Route(SHIFT_PAGES + "/{object_id}/{action}", sign_up_or_cancel, methods=["POST"]),
            Route(ROTA_PAGES + "/{point_id}", point_rota, methods=["GET"]),
            Route(ROTA_PAGES + "/{point_id}/{action}", manage_rota, methods=["POST"])]


async def tomorrows_gaps(conn, staffed: Staffed, rota: Rota, day: dt.date, lang: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the point dashboard and the rota page flag about `day`: opening hours nobody covers, and
    open shifts still short of volunteers."""
    r = rota_texts(lang)
    holes = uncovered(staffed.point, day, staffed.shifts)
    short = [o for o in await rota.open_shifts(conn, [staffed.point.point_id], day, day) if o.approved < o.places]
    return {"closed": not opening_spans(staffed.point, day),
            "lines": [r["gap_line"].format(a=f"{a:%H:%M}", b=f"{b:%H:%M}") for a, b in holes]
            + [r["unfilled_line"].format(a=f"{o.starts:%H:%M}", b=f"{o.ends:%H:%M}", n=o.approved, m=o.places)
               for o in short]}


def _when(on_date: dt.date, starts: dt.time, ends: dt.time, lang: str) -> str:
    """`maandag 11 januari, 09:00–12:00`: the weekday and month in words, as the citizen pages
    write a day (an ISO date read like a code to volunteers); no year, as shifts are at most
    AHEAD away."""
    return f"{weekday_words(on_date, lang)}, {starts:%H:%M}–{ends:%H:%M}"


def _numbers(rules: RotaRules) -> dict[str, object]:
    return {"s": f"{rules.signup_notice.total_seconds() / 3600:g}",
            "c": f"{rules.cancel_notice.total_seconds() / 3600:g}", "m": rules.max_per_week}


def _rules_hint(rules: RotaRules, r: dict[str, str]) -> str:
    return r["rules_hint"].format(**_numbers(rules))


def _notice(request: Request, r: dict[str, str]) -> str | None:
    done = request.query_params.get("done", "")
    return r.get(f"{done}_notice") if done in ("signed_up", "cancelled", "offered", "decided") else None


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
