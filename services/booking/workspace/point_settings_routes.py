"""`/staff/manage/{point}`: the point manager and the municipality administrator change a point's
opening hours, exceptions and closures, services, languages, capacity, accessibility and
Connectoo label, and the Connectoo certificates of the helpers who work there.

Every change is on the audit trail and counts at once for new bookings: the write goes through
the points' (or helpers') one repository, which tells every replica's point cache at commit, and
this replica forgets its cached point before answering. A labelled point without a helper holding
a valid certificate today is flagged here and on the dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.infra.date_words import date_in_year_words
from loket.infra.http.client_address import client_label
from loket.infra.identity import audit
from loket.infra.identity.audit import Access
from loket.infra.identity.principal import Principal
from loket.infra.runtime import Runtime
from services.booking.calendar.local_time import local_date
from services.booking.catalogue import CATALOGUE
from services.booking.errors import ModelRefusal
from services.booking.points.model import WEEKDAYS
from services.booking.points.repository import upsert_points
from services.booking.points.settings_form import (
    ACCESSIBILITY_FIELDS,
    CAPACITY_FIELDS,
    LANGUAGE_CODES,
    SettingsFormError,
    changed_point,
    exceptions_text,
)
from services.booking.rota.texts import WEEKDAY_NAMES
from services.booking.staff.directory import PointDirectory, Staffed
from services.booking.staff.profile_form import changed_helper
from services.booking.staff.profile_form import helper_form as _helper_form
from services.booking.staff.repository import save_helper
from services.booking.workspace import access
from services.booking.workspace.posted_form import done_url, posted_form, visitor
from services.booking.workspace.rendering import message, render
from services.booking.workspace.texts import LANGUAGE_NAMES

SETTINGS_PAGES = "/staff/manage"


def label_without_certified_helper(staffed: Staffed, day: dt.date) -> bool:
    """The point shows the Connectoo label, but nobody on its rota holds a valid certificate today."""
    return staffed.point.connectoo_label and not any(h.certified_on(day) for h in staffed.helpers)


def point_settings_routes(runtime: Runtime, points: PointDirectory, clock: Callable[[], dt.datetime]) -> list[Route]:
    db, schema = runtime.db, runtime.schema

    async def page(request: Request, error: str | None = None, status: int = 200,
                   form: dict[str, str] | None = None) -> Response:
        who = visitor(request, access.manages, lambda t, r: r["not_manager"])
        if isinstance(who, Response):
            return who
        principal, lang, t, r = who.principal, who.lang, who.t, who.r
        today = local_date(clock())
        async with db().acquire() as conn:
            staffed = await access.reachable_staffed(conn, points, principal, request.path_params["point_id"])
        if staffed is None:
            return message(request, 404, t["not_here"])
        point = staffed.point
        shown = form or _form_of(staffed)
        return render(request, "point_settings.html.j2", status, lang=lang, r=r, error=error, point=point,
                      title=r["settings_title"].format(p=point.name_in(lang, *point.languages)),
                      lang_query=f"?lang={lang}",
                      notice=r["saved_notice"] if request.query_params.get("done") == "saved" else None,
                      f=shown, weekdays=[(day, WEEKDAY_NAMES[lang][i]) for i, day in enumerate(WEEKDAYS)],
                      services=[(slug, s.names[lang]) for slug, s in CATALOGUE.items()],
                      languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGE_CODES],
                      capacity=[(field, _capacity_label(field, r)) for field in CAPACITY_FIELDS],
                      accessibility=[(field, r[field]) for field in ACCESSIBILITY_FIELDS],
                      unlabelled_warning=label_without_certified_helper(staffed, today),
                      helpers=[{"id": h.helper_id, "name": h.name, "kind": r["volunteer" if h.kind == "volunteer" else "staff"],
                                "since": _day(h.connectoo_certified_on, lang), "until": _day(h.connectoo_expires_on, lang),
                                "valid": r["yes"] if h.certified_on(today) else r["no"]} for h in staffed.helpers])

    async def save(request: Request) -> Response:
        posted = await posted_form(request, access.manages, lambda t, r: r["not_manager"])
        if isinstance(posted, Response):
            return posted
        principal, t, r, form = posted.principal, posted.t, posted.r, posted.fields
        point_id = request.path_params["point_id"]
        async with db().acquire() as conn:
            point = await access.reachable_point(conn, points, principal, point_id)
            if point is None:
                return message(request, 404, t["not_here"])
            try:
                changed = changed_point(point, form, list(CATALOGUE))
            except SettingsFormError as bad:
                text = r["bad_exception"].format(n=bad.line, l=bad.text) if bad.line else \
                    r["bad_settings"].format(d=r["bad_number"].format(f=_field_label(bad.field, t, r), v=bad.text))
                return await page(request, text, 400, form)
            except ValidationError as invalid:
                return await page(request, r["bad_settings"].format(d=_reasons(invalid, r)), 400, form)
            async with conn.transaction():
                if await upsert_points(conn, schema, [changed]):
                    await audit.record(conn, principal, Access("change the point's settings", "assistance point",
                                                               point_id), client_label(request), "booking")
        points.forget(point_id)  # this replica at once; the others through the change signal
        return RedirectResponse(done_url(f"{SETTINGS_PAGES}/{point_id}", request, "saved"), 303)

    async def helper_page(request: Request, error: str | None = None, status: int = 200,
                          form: dict[str, str] | None = None) -> Response:
        who = visitor(request, access.manages, lambda t, r: r["not_manager"])
        if isinstance(who, Response):
            return who
        principal, lang, t, r = who.principal, who.lang, who.t, who.r
        async with db().acquire() as conn:
            point, helper = await _helper_in_scope(conn, request, principal)
        if point is None or helper is None:
            return message(request, 404, t["not_here"])
        return render(request, "helper_profile.html.j2", status, lang=lang, r=r, error=error, point=point,
                      title=r["profile_title"].format(n=helper.name), helper=helper,
                      lang_query=f"?lang={lang}",
                      f=form or _helper_form(helper), valid=r["yes"] if helper.certified_on(local_date(clock())) else r["no"],
                      services=[(slug, s.names[lang]) for slug, s in CATALOGUE.items()],
                      languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGE_CODES])

    async def save_helper_profile(request: Request) -> Response:
        posted = await posted_form(request, access.manages, lambda t, r: r["not_manager"])
        if isinstance(posted, Response):
            return posted
        principal, t, r, form = posted.principal, posted.t, posted.r, posted.fields
        async with db().acquire() as conn:
            point, helper = await _helper_in_scope(conn, request, principal)
            if point is None or helper is None:  # only the helpers who work at a point the manager reaches
                return message(request, 404, t["not_here"])
            try:
                changed = changed_helper(helper, form, list(CATALOGUE))
            except ValueError as invalid:  # a date that is no date, or the model's own refusal
                reason = _reasons(invalid, r) if isinstance(invalid, ValidationError) else r["bad_date"]
                return await helper_page(request, r["bad_settings"].format(d=reason), 400, form)
            async with conn.transaction():
                await save_helper(conn, schema, changed)
                await audit.record(conn, principal, Access("change a helper's profile", "helper", helper.helper_id),
                                   client_label(request), "booking")
        points.forget(point.point_id)
        return RedirectResponse(done_url(f"{SETTINGS_PAGES}/{point.point_id}", request, "saved"), 303)

    async def _helper_in_scope(conn, request: Request, principal: Principal):  # type: ignore[no-untyped-def]
        staffed = await access.reachable_staffed(conn, points, principal, request.path_params["point_id"])
        if staffed is None:
            return None, None
        helper_id = request.path_params["helper_id"]
        return staffed.point, next((h for h in staffed.helpers if h.helper_id == helper_id), None)

    return [Route(SETTINGS_PAGES + "/{point_id}", page, methods=["GET"]),
            Route(SETTINGS_PAGES + "/{point_id}", save, methods=["POST"]),
            Route(SETTINGS_PAGES + "/{point_id}/helpers/{helper_id}", helper_page, methods=["GET"]),
            Route(SETTINGS_PAGES + "/{point_id}/helpers/{helper_id}", save_helper_profile, methods=["POST"])]


def _form_of(staffed: Staffed) -> dict[str, str]:
    """The point as the form shows it."""
    point = staffed.point
    form = {f"hours_{day}": ", ".join(point.opening_hours.get(day, [])) for day in WEEKDAYS}
    form["exceptions"] = exceptions_text(point)
    form |= {f"service:{s}": "on" for s in point.services} | {f"language:{c}": "on" for c in point.languages}
    form |= {f"capacity_{field}": str(getattr(point.capacity, field)) for field in CAPACITY_FIELDS}
    if point.accessibility:
        form |= {f"access_{field}": "on" for field in ACCESSIBILITY_FIELDS if getattr(point.accessibility, field)}
    form |= {k: "on" for k, on in (("closed_on_public_holidays", point.closed_on_public_holidays),
                                    ("connectoo_label", point.connectoo_label)) if on}
    form["phone"] = point.phone or ""
    form["free_print_pages"] = str(point.free_print_pages)
    return form


def _reasons(invalid: ValidationError, r: dict[str, str]) -> str:
    """What the model refused, in the page's language where the refusal is known: by its refusal
    code, or no language ticked; in the model's own (English) words otherwise."""
    reasons = []
    for error in invalid.errors(include_input=False):
        refusal = (error.get("ctx") or {}).get("error")
        if isinstance(refusal, ModelRefusal) and f"refused_{refusal.code}" in r:
            reasons.append(r[f"refused_{refusal.code}"])
        elif error.get("loc", ())[:1] == ("languages",) and error.get("type") == "too_short":
            reasons.append(r["refused_no_language"])
        else:
            reasons.append(str(error.get("msg", "")).removeprefix("Value error, "))
    return "; ".join(dict.fromkeys(reasons))  # each once, in order


def _day(day: dt.date | None, lang: str) -> str:
    """A certificate's date as a person reads it (`5 mrt 2026`), with its year: certificates run
    for years. Empty when there is none (the table shows a dash)."""
    return date_in_year_words(day, lang) if day else ""


def _capacity_label(field: str, r: dict[str, str]) -> str:
    """The label of a capacity field (CAPACITY_FIELDS) on the form."""
    return r[f"cap_{'lendable' if field == 'lendable_devices' else field}"]


def _field_label(field: str, t: dict[str, str], r: dict[str, str]) -> str:
    """The label the form shows for a field that could not be read."""
    if field == "free_print_pages":
        return t["free_print_pages"]
    return _capacity_label(field.removeprefix("capacity_"), r)
