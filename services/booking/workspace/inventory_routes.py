"""`/staff/inventory/{point}`: a point's devices with their state, the loan rules and who
waits, a device's history; lending a device, taking it back, renewing a loan, recording a
donated device's wipe and putting someone on a kind's waitlist, for signed-in counter staff.

Plain forms with the session's CSRF token, POST-redirect-GET, no script needed. Every action goes
through the loans' use cases, so it publishes the same events as the API (DeviceLent,
DeviceReturned, DeviceLoanRenewed, DeviceAvailable)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.contracts.values import ContactDetails
from loket.infra.date_words import day_words, moment_in_year_words
from loket.infra.runtime import Runtime
from services.booking.appointments.contact import ContactIn
from services.booking.calendar.local_time import local_date
from services.booking.counted import counted
from services.booking.errors import BookingError
from services.booking.loans.rules import due_on
from services.booking.loans.service import DeviceState, HistoryEntry, Loans
from services.booking.locations import Locator
from services.booking.points.model import AssistancePoint
from services.booking.workspace import access
from services.booking.workspace.people import names_of_people
from services.booking.workspace.posted_form import Visitor, posted_form, visitor
from services.booking.workspace.rendering import message, render
from services.booking.workspace.texts import (
    DEVICE_CONDITIONS,
    DEVICE_EVENTS,
    DEVICE_KINDS,
    DEVICE_STATES,
    LANGUAGES,
    WIPE_METHODS,
    language_name,
    texts_for,
)

INVENTORY_PAGES = "/staff/inventory"
# A refusal's title (services/booking/loans/rules.py) → its sentence on the page.
REFUSALS = {"No renewals left": "refused_no_renewals", "Past the hard due date": "refused_hard_due",
            "Others are waiting": "refused_waiting", "No open loan": "refused_no_loan",
            "Too many loans": "refused_too_many", "Already waiting": "refused_already_waiting",
            "Device held": "refused_held", "Not held": "refused_not_held",
            "Device not lendable": "refused_not_lendable", "Device not wiped": "refused_not_wiped",
            "Device on loan": "refused_on_loan", "Due date in the past": "refused_due_past",
            "Due date beyond the loan rules": "refused_due_beyond", "Unknown device": "refused_unknown_device",
            "No lending here": "refused_no_lending"}
NOTICES = ("lent", "returned", "wiped", "joined", "released")  # ?done=… after an action: its sentence is `{done}_notice`


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

    async def inventory(request: Request, error: str | None = None, status: int = 200,
                        form: dict[str, str] | None = None) -> Response:
        who = visitor(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(who, Response):
            return who
        lang, t = who.lang, who.t
        now = clock()
        async with db().acquire() as conn:
            point = await _point(request, conn)
            if point is None:
                return message(request, 404, t["not_here"])
            devices = await loans.inventory(conn, point.point_id)
            rules = await loans.rules(conn, point.point_id)
            waiting = Counter(e.kind for e in await loans.waitlist.entries(conn, point.point_id) if e.offered_at is None)
        renewed, done = request.query_params.get("renewed", ""), request.query_params.get("done", "")
        notice = t["renewed_until"].format(d=day_words(dt.date.fromisoformat(renewed), lang)) \
            if _is_date(renewed) else (t[f"{done}_notice"] if done in NOTICES else None)
        rows = [{"id": d.device_id, "label": d.label, "kind": DEVICE_KINDS[d.kind][lang],
                 "state": d.state(now), "state_label": _state_label(d, now, lang, t),
                 "due": day_words(local_date(d.due_at), lang) if d.due_at else "",
                 "renewals": counted("times", d.renewals, lang) if d.loan_id else "",
                 "loan_id": str(d.loan_id) if d.loan_id else ""} for d in devices]
        return render(request, "inventory.html.j2", status, lang=lang,
                      title=t["inventory_title"].format(p=point.name_in(lang, *point.languages)), point=point,
                      devices=rows, error=error, notice=notice, lang_query=f"?lang={lang}",
                      rules=t["rules_summary"].format(d=counted("days", rules.loan_period_days, lang),
                                                      r=counted("renewals", rules.max_renewals, lang),
                                                      m=counted("devices", rules.max_active_loans, lang)),
                      hard_due=t["hard_due"].format(h=day_words(rules.hard_due_date, lang))
                      if rules.hard_due_date else None,
                      hold_rule=t["hold_rule"].format(n=counted("days", rules.offer_hold_days, lang))
                      if rules.offer_hold_days else None,
                      waiting=[t["waiting_n"].format(k=DEVICE_KINDS[k][lang], n=n) for k, n in sorted(waiting.items())],
                      kinds=[(k, names[lang]) for k, names in DEVICE_KINDS.items()],
                      conditions=[(c, names[lang]) for c, names in DEVICE_CONDITIONS.items()],
                      wipe_methods=[(m, names[lang]) for m, names in WIPE_METHODS.items()],
                      languages=[(code, language_name(code, lang)) for code in point.languages],
                      form=form or {})

    async def _device_page(request: Request) -> DevicePage | Response:
        """The device named in the path with its history, when it is one of the page's point's
        and the person works there; else the page that refuses."""
        who = visitor(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(who, Response):
            return who
        async with db().acquire() as conn:
            point = await _at_point(request, conn, "device", request.path_params["device_id"])
            if point is None:
                return message(request, 404, who.t["not_here"])
            device, entries = await loans.device(conn, request.path_params["device_id"])
        return DevicePage(who, point, device, entries)

    async def history(request: Request) -> Response:
        found = await _device_page(request)
        if isinstance(found, Response):
            return found
        lang, t, point, device, entries = found.who.lang, found.who.t, found.point, found.device, found.entries
        # The history keeps who by account name (stable, for the audit); people read each other's names.
        async with db().acquire() as conn:
            person = await names_of_people(conn, point.municipality, (e.by_whom for e in entries))
        rows = [{"when": moment_in_year_words(e.at, lang), "what": DEVICE_EVENTS[e.what][lang],
                 "note": _note(e.what, e.condition, e.detail, e.due_at, lang), "by": person(e.by_whom)}
                for e in entries]
        return render(request, "device_history.html.j2", lang=lang, title=t["history_of"].format(d=device.label),
                      point=point, entries=rows, lang_query=f"?lang={lang}",
                      state=DEVICE_STATES[device.state(clock())][lang])

    async def renew(request: Request) -> Response:
        posted = await posted_form(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(posted, Response):
            return posted
        principal, lang, t, form = posted.principal, posted.lang, posted.t, posted.fields
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
            return await inventory(request, _refusal(refused, t), 409)
        query = {"lang": lang, "renewed": local_date(renewed.due_at).isoformat()}
        return RedirectResponse(f"{INVENTORY_PAGES}/{point.point_id}?{urlencode(query)}", 303)

    async def lend_page(request: Request, error: str | None = None, status: int = 200,
                        form: dict[str, str] | None = None) -> Response:
        found = await _device_page(request)
        if isinstance(found, Response):
            return found
        lang, t, point, device = found.who.lang, found.who.t, found.point, found.device
        return render(request, "lend.html.j2", status, lang=lang, title=t["lend_title"].format(d=device.label),
                      point=point, device=device, error=error, lang_query=f"?lang={lang}", form=form or {"reminders": "on", "language": lang},
                      languages=[(code, language_name(code, lang)) for code in LANGUAGES])

    async def lend(request: Request) -> Response:
        posted = await posted_form(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(posted, Response):
            return posted
        principal, lang, t, form = posted.principal, posted.lang, posted.t, posted.fields
        device_id = request.path_params["device_id"]
        borrower = _contact(form, lang)
        if borrower is None:
            return await lend_page(request, t["contact_problem"], 400, form)
        due = form.get("due", "").strip()
        if due and not _is_date(due):
            return await lend_page(request, t["due_date"], 400, form)
        try:
            async with db().acquire() as conn:
                point = await _at_point(request, conn, "device", device_id)
                if point is None:
                    return message(request, 404, t["not_here"])
                async with conn.transaction():
                    await loans.lend(conn, device_id, due_on(dt.date.fromisoformat(due)) if due else None,
                                     borrower.language, borrower, form.get("reminders") == "on", principal.name,
                                     clock())
        except BookingError as refused:
            return await lend_page(request, _refusal(refused, t), 409, form)
        return RedirectResponse(_back(point.point_id, lang, "lent"), 303)

    async def on_device(request: Request) -> Response:
        """Take a lent device back (its condition) or record a donated device's wipe (how)."""
        posted = await posted_form(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(posted, Response):
            return posted
        principal, lang, t, form = posted.principal, posted.lang, posted.t, posted.fields
        device_id, action = request.path_params["device_id"], request.path_params["action"]
        if action not in ("take-back", "wipe", "release-hold") or (action == "take-back" and form.get("condition") not in DEVICE_CONDITIONS) \
                or (action == "wipe" and form.get("method") not in WIPE_METHODS):
            return message(request, 404, t["not_here"])
        try:
            async with db().acquire() as conn:
                point = await _at_point(request, conn, "device", device_id)
                if point is None:
                    return message(request, 404, t["not_here"])
                async with conn.transaction():
                    if action == "wipe":
                        await loans.record_wipe(conn, device_id, form["method"], principal.name, clock())
                    elif action == "release-hold":
                        await loans.release_hold(conn, device_id, principal.name, clock())
                    else:
                        device, _ = await loans.device(conn, device_id)
                        if device.loan_id is None:
                            return await inventory(request, t["refused_no_loan"], 409)
                        await loans.give_back(conn, device.loan_id, form["condition"], None, principal.name, clock())
        except BookingError as refused:
            return await inventory(request, _refusal(refused, t), 409)
        done = {"wipe": "wiped", "release-hold": "released", "take-back": "returned"}[action]
        return RedirectResponse(_back(point.point_id, lang, done), 303)

    async def join_waitlist(request: Request) -> Response:
        posted = await posted_form(request, access.works_at_counters, lambda t, r: t["not_staff"])
        if isinstance(posted, Response):
            return posted
        lang, t, form = posted.lang, posted.t, posted.fields
        if form.get("kind") not in DEVICE_KINDS:
            return message(request, 404, t["not_here"])
        contact = _contact(form, lang)
        if contact is None:
            return await inventory(request, t["contact_problem"], 400, form)
        try:
            async with db().acquire() as conn:
                point = await _point(request, conn)
                if point is None:
                    return message(request, 404, t["not_here"])
                async with conn.transaction():
                    await loans.wait_for(conn, point.point_id, form["kind"], contact, clock())
        except BookingError as refused:
            return await inventory(request, _refusal(refused, t), 409, form)
        return RedirectResponse(_back(point.point_id, lang, "joined"), 303)

    return [Route(INVENTORY_PAGES + "/{point_id}", inventory, methods=["GET"]),
            Route(INVENTORY_PAGES + "/{point_id}/renew", renew, methods=["POST"]),
            Route(INVENTORY_PAGES + "/{point_id}/waitlist", join_waitlist, methods=["POST"]),
            Route(INVENTORY_PAGES + "/{point_id}/devices/{device_id}/lend", lend_page, methods=["GET"]),
            Route(INVENTORY_PAGES + "/{point_id}/devices/{device_id}/lend", lend, methods=["POST"]),
            Route(INVENTORY_PAGES + "/{point_id}/devices/{device_id}/{action}", on_device, methods=["POST"]),
            Route(INVENTORY_PAGES + "/{point_id}/devices/{device_id}", history, methods=["GET"])]


@dataclass(frozen=True)
class DevicePage:
    who: Visitor
    point: AssistancePoint
    device: DeviceState
    entries: list[HistoryEntry]


def _state_label(device: DeviceState, now: dt.datetime, lang: str, t: dict[str, str]) -> str:
    state = device.state(now)
    if state == "held" and device.held_until is not None:
        return t["held_until"].format(d=day_words(local_date(device.held_until), lang))
    return DEVICE_STATES[state][lang]


def _refusal(refused: BookingError, t: dict[str, str]) -> str:
    """The refusal in the page's language where it has a sentence, the use case's otherwise."""
    return t[REFUSALS[refused.title]] if refused.title in REFUSALS else f"{t['refused']}: {refused.detail}"


def _contact(form: dict[str, str], lang: str) -> ContactDetails | None:
    """The borrower's contact as typed (a phone number or an e-mail address, and the language of
    messages), or None when it is not a reachable contact."""
    language = form.get("language") if form.get("language") in LANGUAGES else lang
    try:
        return ContactIn(phone=form.get("phone", "").strip() or None, email=form.get("email", "").strip() or None,
                         language=language).details()  # type: ignore[arg-type]
    except ValidationError:
        return None


def _back(point_id: str, lang: str, done: str) -> str:
    return f"{INVENTORY_PAGES}/{point_id}?{urlencode({'lang': lang, 'done': done})}"


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
    if what == "offered" and due_at is not None:  # kept for the person waiting until then
        return f"{t['kept_until']} {day_words(local_date(due_at), lang)}"
    if what == "returned":
        words = DEVICE_CONDITIONS[condition][lang] if condition in DEVICE_CONDITIONS else ""
        return f"{words}: {detail}" if detail else words
    if what == "wiped":
        return WIPE_METHODS[detail][lang] if detail in WIPE_METHODS else (detail or "")
    return ""
