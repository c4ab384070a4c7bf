"""`/staff/inventory/{point}`: a point's devices with their state, the loan rules and who
waits, a device's history, and renewing a loan, for signed-in counter staff.

Plain forms with the session's CSRF token, POST-redirect-GET, no script needed. A renewal goes
through the loan use case, so it publishes the same DeviceLoanRenewed as the API."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.infra.date_words import day_words
from loket.infra.http.signin.forms import read_form
from loket.infra.http.signin.person_pages import form_is_fresh, signed_in
from loket.infra.identity.principal import Principal
from loket.infra.runtime import Runtime
from services.booking.calendar.local_time import local_date, local_text
from services.booking.errors import BookingError
from services.booking.loans.service import Loans
from services.booking.locations import Locator
from services.booking.points.model import AssistancePoint
from services.booking.workspace import access
from services.booking.workspace.rendering import language, message, render
from services.booking.workspace.texts import (
    DEVICE_CONDITIONS,
    DEVICE_EVENTS,
    DEVICE_KINDS,
    DEVICE_STATES,
    WIPE_METHODS,
    texts_for,
)

INVENTORY_PAGES = "/staff/inventory"
# A refusal's title (services/booking/loans/rules.py) → its sentence on the page.
REFUSALS = {"No renewals left": "refused_no_renewals", "Past the hard due date": "refused_hard_due",
            "Others are waiting": "refused_waiting", "No open loan": "refused_no_loan"}


def inventory_routes(runtime: Runtime, loans: Loans, locator: Locator,
                     clock: Callable[[], dt.datetime]) -> list[Route]:
    db = runtime.db
    points = loans.appointments.directory

    async def _point(request: Request, conn) -> AssistancePoint | None:  # type: ignore[no-untyped-def]
        return await access.reachable_point(conn, points, request.state.principal, request.path_params["point_id"])

    async def _at_point(request: Request, conn, what: str, object_id: str) -> AssistancePoint | None:  # type: ignore[no-untyped-def]
        """The page's point, when the object (a device, a loan) is one of that point's."""
        point = await _point(request, conn)
        where = await locator.locate(conn, what, object_id)
        return point if point is not None and where is not None and where.point_id == point.point_id else None

    async def inventory(request: Request, error: str | None = None, status: int = 200) -> Response:
        principal: Principal = request.state.principal
        lang = language(request)
        t = texts_for(lang)
        if not access.works_at_counters(principal):
            return message(request, 403, t["not_staff"])
        now = clock()
        async with db().acquire() as conn:
            point = await _point(request, conn)
            if point is None:
                return message(request, 404, t["not_here"])
            devices = await loans.inventory(conn, point.point_id)
            rules = await loans.rules(conn, point.point_id)
            waiting = Counter(e.kind for e in await loans.waitlist.entries(conn, point.point_id) if e.offered_at is None)
        live = signed_in(request)
        renewed = request.query_params.get("renewed", "")
        notice = t["renewed_until"].format(d=day_words(dt.date.fromisoformat(renewed), lang)) \
            if _is_date(renewed) else None
        rows = [{"id": d.device_id, "label": d.label, "kind": DEVICE_KINDS[d.kind][lang],
                 "state": d.state(now), "state_label": DEVICE_STATES[d.state(now)][lang],
                 "due": day_words(local_date(d.due_at), lang) if d.due_at else "",
                 "renewals": t["renewals_n"].format(n=d.renewals) if d.loan_id else "",
                 "loan_id": str(d.loan_id) if d.loan_id else ""} for d in devices]
        return render(request, "inventory.html.j2", status, lang=lang,
                      title=t["inventory_title"].format(p=point.name_in(lang, *point.languages)), point=point,
                      devices=rows, error=error, notice=notice, csrf=live.csrf_secret if live else "",
                      lang_query=f"?lang={lang}",
                      rules=t["rules_summary"].format(d=rules.loan_period_days, r=rules.max_renewals,
                                                      m=rules.max_active_loans),
                      hard_due=t["hard_due"].format(h=day_words(rules.hard_due_date, lang))
                      if rules.hard_due_date else None,
                      waiting=[t["waiting_n"].format(k=DEVICE_KINDS[k][lang], n=n) for k, n in sorted(waiting.items())])

    async def history(request: Request) -> Response:
        principal: Principal = request.state.principal
        lang = language(request)
        t = texts_for(lang)
        if not access.works_at_counters(principal):
            return message(request, 403, t["not_staff"])
        async with db().acquire() as conn:
            point = await _at_point(request, conn, "device", request.path_params["device_id"])
            if point is None:
                return message(request, 404, t["not_here"])
            device, entries = await loans.device(conn, request.path_params["device_id"])
        rows = [{"when": local_text(e.at), "what": DEVICE_EVENTS[e.what][lang],
                 "note": _note(e.what, e.condition, e.detail, e.due_at, lang), "by": e.by_whom or ""} for e in entries]
        return render(request, "device_history.html.j2", lang=lang, title=t["history_of"].format(d=device.label),
                      point=point, entries=rows, lang_query=f"?lang={lang}",
                      state=DEVICE_STATES[device.state(clock())][lang])

    async def renew(request: Request) -> Response:
        principal: Principal = request.state.principal
        lang = language(request)
        t = texts_for(lang)
        form = await read_form(request)
        if not access.works_at_counters(principal):
            return message(request, 403, t["not_staff"])
        if not form_is_fresh(request, form):
            return message(request, 403, t["expired_form"])
        try:
            loan_id = uuid.UUID(form.get("loan_id", ""))
        except ValueError:
            return message(request, 404, t["not_here"])
        try:
            async with db().acquire() as conn:
                point = await _at_point(request, conn, "loan", str(loan_id))
                if point is None:
                    return message(request, 404, t["not_here"])
                async with conn.transaction():
                    renewed = await loans.renew(conn, loan_id, principal.name, clock())
        except BookingError as refused:
            sentence = t[REFUSALS[refused.title]] if refused.title in REFUSALS else refused.detail
            return await inventory(request, sentence, 409)
        query = {"lang": lang, "renewed": local_date(renewed.due_at).isoformat()}
        return RedirectResponse(f"{INVENTORY_PAGES}/{point.point_id}?{urlencode(query)}", 303)

    return [Route(INVENTORY_PAGES + "/{point_id}", inventory, methods=["GET"]),
            Route(INVENTORY_PAGES + "/{point_id}/renew", renew, methods=["POST"]),
            Route(INVENTORY_PAGES + "/{point_id}/devices/{device_id}", history, methods=["GET"])]


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _note(what: str, condition: str | None, detail: str | None, due_at: dt.datetime | None, lang: str) -> str:
    """What a history line adds, in words: until when, in what condition, how it was wiped."""
    t = texts_for(lang)
    if what in ("lent", "renewed") and due_at is not None:
        return f"{t['due_back']} {day_words(local_date(due_at), lang)}"
    if what == "returned":
        words = DEVICE_CONDITIONS[condition][lang] if condition in DEVICE_CONDITIONS else ""
        return f"{words}: {detail}" if detail else words
    if what == "wiped":
        return WIPE_METHODS[detail][lang] if detail in WIPE_METHODS else (detail or "")
    return ""
