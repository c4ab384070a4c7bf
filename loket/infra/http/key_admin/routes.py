"""The administrators' key page. A person page (session cookie, CSRF on every form): a
municipality's administrator sees, makes and revokes the keys of that municipality only; the
platform operator those of every municipality. Another municipality's key answers 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from pathlib import Path

import asyncpg
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from loket.contracts.reference.language_regime import municipality_name
from loket.infra.http.key_admin.texts import KEY_ROLES, ROLE_NAMES, texts_for
from loket.infra.http.signin.forms import read_form
from loket.infra.http.signin.person_pages import form_is_fresh, signed_in
from loket.infra.http.signin.rendering import HEADERS, page_language
from loket.infra.http.signin.texts import LANGUAGE_NAMES
from loket.infra.http.signin.texts import texts_for as signin_texts
from loket.infra.identity import api_keys, repository
from loket.infra.identity.principal import Principal
from loket.infra.identity.repository import StoredKey
from loket.infra.identity.roles import Role

KEYS_PAGE = "/admin/keys"
ADMINS = frozenset({Role.MUNICIPALITY_ADMIN, Role.OPERATOR})
TEMPLATES = Path(__file__).parent / "templates"
SIGNIN_TEMPLATES = Path(__file__).parents[1] / "signin" / "templates"


@cache
def _templates() -> Environment:
    # The sign-in pages' base template: one look for every page of a person's account.
    return Environment(loader=FileSystemLoader([TEMPLATES, SIGNIN_TEMPLATES]), autoescape=select_autoescape(["j2"]))


def key_admin_routes(pool: Callable[[], asyncpg.Pool], clock: Callable[[], dt.datetime]) -> list[Route]:
    async def page(request: Request) -> Response:
        if (refusal := _refusal(request)) is not None:
            return refusal
        return await _render(request, pool, clock)

    async def create(request: Request) -> Response:
        form = await read_form(request)
        if (refusal := _form_refusal(request, form)) is not None:
            return refusal
        principal: Principal = request.state.principal
        t = texts_for(_lang(request))
        name = str(form.get("name", "")).strip()[:120]
        role_value = str(form.get("role", ""))
        role = next((r for r in KEY_ROLES if r.value == role_value), None)
        points = [p.strip() for p in str(form.get("points", "")).split(",") if p.strip()]
        days_text = str(form.get("days", ""))
        errors = []
        if not name:
            errors.append(("name", t["missing_name"]))
        if role is None:
            errors.append(("role", t["title"]))
        if not days_text.isdigit() or not 1 <= int(days_text) <= 730:
            errors.append(("days", t["bad_days"]))
        if role is Role.DEVICE and not points:
            errors.append(("points", t["missing_points"]))
        if errors or role is None:
            return await _render(request, pool, clock, errors=errors, status=400,
                                 form={"name": name, "role": role_value, "points": ", ".join(points), "days": days_text})
        key = api_keys.new_key()
        municipality = principal.municipality or str(form.get("municipality", "")) or None
        async with pool().acquire() as conn:
            await repository.insert_key(conn, key.prefix, key.secret_sha256, name, municipality, role.value,
                                        points if role is Role.DEVICE else [], f"web:{principal.name}",
                                        clock() + dt.timedelta(days=int(days_text)))
        return await _render(request, pool, clock, created=key)

    async def revoke(request: Request) -> Response:
        form = await read_form(request)
        if (refusal := _form_refusal(request, form)) is not None:
            return refusal
        prefix = request.path_params["prefix"]
        async with pool().acquire() as conn:
            stored = await repository.key_by_prefix(conn, prefix)
            if stored is None or not _mine(request.state.principal, stored):
                return _message(request, 404, texts_for(_lang(request))["unknown_key"].format(p=prefix))
            await repository.revoke_key(conn, prefix, clock())
        lang = request.query_params.get("lang", "")
        return RedirectResponse(f"{KEYS_PAGE}?revoked={prefix}" + (f"&lang={lang}" if lang else ""), 303)

    return [Route(KEYS_PAGE, page, methods=["GET"]), Route(KEYS_PAGE, create, methods=["POST"]),
            Route(KEYS_PAGE + "/{prefix}/revoke", revoke, methods=["POST"])]


def principal_language(request: Request) -> str | None:
    live = signed_in(request)
    return live.account.language if live else None


def _refusal(request: Request) -> Response | None:
    principal: Principal = request.state.principal
    if principal.role in ADMINS:
        return None
    return _message(request, 403, texts_for(_lang(request))["not_admin"])


def _form_refusal(request: Request, form: dict[str, str]) -> Response | None:
    if (refusal := _refusal(request)) is not None:
        return refusal
    if not form_is_fresh(request, form):
        return _message(request, 403, texts_for(_lang(request))["expired_form"])
    return None


def _lang(request: Request) -> str:
    return page_language(request, principal_language(request))


def _message(request: Request, status: int, message: str) -> HTMLResponse:
    return _page(request, "message.html.j2", status, message=message)


def _page(request: Request, template: str, status: int, errors: list[tuple[str, str]] | None = None,
          **context: object) -> HTMLResponse:
    """A page of this folder on the sign-in pages' base: language, texts, switch and errors."""
    lang = _lang(request)
    body = _templates().get_template(template).render(
        lang=lang, t=_texts(lang), language_names=LANGUAGE_NAMES,
        language_links={code: f"?lang={code}" for code in LANGUAGE_NAMES},
        errors=errors or [], field_errors=dict(errors or []), **context)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def _texts(lang: str) -> dict[str, str]:
    return {**signin_texts(lang), **texts_for(lang)}


def _mine(principal: Principal, key: StoredKey) -> bool:
    return principal.role is Role.OPERATOR or key.municipality == principal.municipality


async def _render(request: Request, pool: Callable[[], asyncpg.Pool], clock: Callable[[], dt.datetime], *,
                  errors: list[tuple[str, str]] | None = None, status: int = 200, form: dict[str, str] | None = None,
                  created: api_keys.NewKey | None = None) -> Response:
    principal: Principal = request.state.principal
    lang = _lang(request)
    async with pool().acquire() as conn:
        keys = await repository.list_keys(conn, principal.municipality)
    now = clock()
    live = signed_in(request)
    return _page(request, "keys.html.j2", status, errors, form=form or {"days": "365"},
                 keys=[_row(k, now, lang, _texts(lang)) for k in keys],
                 roles=[(r.value, ROLE_NAMES[r][lang]) for r in KEY_ROLES],
                 municipality=_municipality_text(principal.municipality), csrf=live.csrf_secret if live else "",
                 created=created, revoked=request.query_params.get("revoked"), wide=True)


def _row(key: StoredKey, now: dt.datetime, lang: str, t: dict[str, str]) -> dict[str, object]:
    if key.revoked_at is not None:
        state = t["revoked"]
    elif key.expires_at is not None and key.expires_at <= now:
        state = t["expired"]
    else:
        state = t["active"]
    role = Role(key.role)
    return {"prefix": key.prefix, "name": key.name, "role": ROLE_NAMES.get(role, {}).get(lang, role.value),
            "points": ", ".join(key.points) or "–", "expires": f"{key.expires_at:%Y-%m-%d}" if key.expires_at else "–",
            "last_used": f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else t["never"], "state": state,
            "active": state == t["active"]}


def _municipality_text(refnis: str | None) -> str | None:
    return f"{municipality_name(refnis)} ({refnis})" if refnis else None
