"""`GET/POST /signin`, `GET/POST /signin/code`, `GET/POST /signin/password`, `POST /signout`.

Plain HTML forms (no script needed). Every POST is checked for its CSRF token first: without the
right one the answer is 403 and nothing is read or written, not even a failed attempt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

import asyncpg
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.infra.http.client_address import session_client
from loket.infra.http.signin import csrf
from loket.infra.http.signin.cookies import SESSION, SIGNIN_FORM, CookiePolicy
from loket.infra.http.signin.forms import read_form
from loket.infra.http.signin.next_path import HOME, safe_next, with_next
from loket.infra.http.signin.provider_routes import START as PROVIDER_START
from loket.infra.http.signin.rendering import HEADERS, page_language, render
from loket.infra.http.signin.texts import texts_for
from loket.infra.identity import sessions
from loket.infra.identity.oidc_provider import ProviderChoice
from loket.infra.identity.password_change import ChangeRefused, change_password
from loket.infra.identity.session_store import LiveSession, NewSession, SessionStore
from loket.infra.identity.sign_in import (
    CodeDue,
    Disabled,
    LockedOut,
    Outcome,
    SignedIn,
    SignIn,
    WrongCredentials,
)

SIGNIN, CODE, PASSWORD, SIGNOUT = "/signin", "/signin/code", "/signin/password", "/signout"
PATHS = (SIGNIN, SIGNOUT)  # prefixes: these routes find their sessions themselves
_LOCAL_TIME = ZoneInfo("Europe/Brussels")
_SIGNIN_FORM_MAX_AGE = 3600

# The municipalities' own identity providers to offer (`?municipality=` narrows them to one).
ProviderChoices = Callable[[str | None], Awaitable[list[ProviderChoice]]]


async def _no_providers(_: str | None) -> list[ProviderChoice]:
    return []


class SigninPages:
    def __init__(self, sign_in: SignIn, store: SessionStore, cookies: CookiePolicy,
                 pool: Callable[[], asyncpg.Pool], clock: Callable[[], dt.datetime],
                 providers: ProviderChoices = _no_providers) -> None:
        self.sign_in, self.store, self.cookies, self.pool, self.clock = sign_in, store, cookies, pool, clock
        self.providers = providers

    def routes(self) -> list[Route]:
        return [Route(SIGNIN, self.signin_page, methods=["GET"]), Route(SIGNIN, self.signin, methods=["POST"]),
                Route(CODE, self.code_page, methods=["GET"]), Route(CODE, self.code, methods=["POST"]),
                Route(PASSWORD, self.password_page, methods=["GET"]),
                Route(PASSWORD, self.password, methods=["POST"]),
                Route(SIGNOUT, self.signout, methods=["POST"])]

    # --- username and password

    async def signin_page(self, request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        if (live := await self._session(request)) is not None:
            if live.account.must_change_password:
                return RedirectResponse(with_next(PASSWORD, next_path), 303)
            if next_path != HOME:
                return RedirectResponse(next_path, 303)
            lang = page_language(request, live.account.language)
            notice = texts_for(lang)["password_changed"] if request.query_params.get("changed") else None
            return render(request, lang, "signed_in.html.j2", name=live.account.display_name,
                          csrf=live.csrf_secret, notice=notice)
        lang = page_language(request)
        notice = next((texts_for(lang)[key] for flag, key in (("bye", "signed_out"), ("ended", "session_ended"))
                       if request.query_params.get(flag)), None)
        return await self._signin_form(request, lang, next_path, notice=notice)

    async def signin(self, request: Request) -> Response:
        form = await read_form(request)
        if not csrf.matches(form.get(csrf.FIELD), self.cookies.read(SIGNIN_FORM, request)):
            return self._expired_form(request)
        lang, next_path = page_language(request), safe_next(form.get("next"))
        t, username, password = texts_for(lang), form.get("username", "").strip(), form.get("password", "")
        missing = [(f, t[f"missing_{f}"]) for f, v in (("username", username), ("password", password)) if not v]
        if missing:
            return await self._signin_form(request, lang, next_path, username=username, errors=missing, status=400)
        outcome = await self.sign_in.with_password(username, password, session_client(request),
                                                   replaces=self.cookies.read(SESSION, request))
        return await self._after(request, lang, next_path, outcome, username)

    # --- the code of an authenticator app

    async def code_page(self, request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        half_way = await self._session(request, sessions.CODE_DUE)
        if half_way is None:
            return RedirectResponse(with_next(SIGNIN, next_path), 303)
        return render(request, page_language(request, half_way.account.language), "code.html.j2",
                      csrf=half_way.csrf_secret, next=next_path)

    async def code(self, request: Request) -> Response:
        form = await read_form(request)
        half_way_id = self.cookies.read(SESSION, request)
        half_way = await self.store.find(half_way_id, sessions.CODE_DUE) if half_way_id else None
        next_path = safe_next(form.get("next"))
        if half_way is None:
            return RedirectResponse(with_next(SIGNIN, next_path, ended="1"), 303)
        if not csrf.matches(form.get(csrf.FIELD), half_way.csrf_secret):
            return self._expired_form(request)
        lang = page_language(request, half_way.account.language)
        code = form.get("code", "").strip()
        if not code:
            return render(request, lang, "code.html.j2", 400, errors=[("code", texts_for(lang)["missing_code"])],
                          csrf=half_way.csrf_secret, next=next_path)
        outcome = await self.sign_in.with_code(half_way, half_way_id, code, session_client(request))  # type: ignore[arg-type]
        if isinstance(outcome, WrongCredentials):
            return render(request, lang, "code.html.j2", 401, errors=[("code", texts_for(lang)["wrong_code"])],
                          csrf=half_way.csrf_secret, next=next_path)
        return await self._after(request, lang, next_path, outcome, half_way.account.username)

    # --- a new password

    async def password_page(self, request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        live = await self._session(request)
        if live is None:
            return RedirectResponse(with_next(SIGNIN, with_next(PASSWORD, next_path)), 303)
        return self._password_form(request, live, next_path)

    async def password(self, request: Request) -> Response:
        form = await read_form(request)
        live = await self._session(request)
        next_path = safe_next(form.get("next"))
        if live is None:
            return RedirectResponse(with_next(SIGNIN, with_next(PASSWORD, next_path), ended="1"), 303)
        if not csrf.matches(form.get(csrf.FIELD), live.csrf_secret):
            return self._expired_form(request)
        try:
            await change_password(self.pool, live, form.get("current", ""), form.get("new", ""),
                                  form.get("repeat", ""), self.clock())
        except ChangeRefused as refused:
            lang = page_language(request, live.account.language)
            return self._password_form(request, live, next_path, [(refused.field, texts_for(lang)[refused.reason])])
        if next_path == HOME:
            return RedirectResponse(f"{HOME}?changed=1", 303)
        return RedirectResponse(next_path, 303)

    # --- signing out

    async def signout(self, request: Request) -> Response:
        form = await read_form(request)
        session_id = self.cookies.read(SESSION, request)
        live = None
        for stage in (sessions.ACTIVE, sessions.CODE_DUE):
            if session_id and (live := await self.store.find(session_id, stage)) is not None:
                break
        if live is not None:
            if not csrf.matches(form.get(csrf.FIELD), live.csrf_secret):
                return self._expired_form(request)
            await self.store.end(session_id)  # type: ignore[arg-type]
        lang = page_language(request, live.account.language if live else None)
        response = RedirectResponse(f"{SIGNIN}?bye=1&lang={lang}", 303)
        self.cookies.clear(response, SESSION, request)
        return response

    # --- shared

    async def _session(self, request: Request, stage: str = sessions.ACTIVE) -> LiveSession | None:
        session_id = self.cookies.read(SESSION, request)
        return await self.store.find(session_id, stage) if session_id else None

    async def _after(self, request: Request, lang: str, next_path: str, outcome: Outcome, username: str) -> Response:
        t = texts_for(lang)
        if isinstance(outcome, SignedIn | CodeDue):
            if isinstance(outcome, CodeDue):
                target = with_next(CODE, next_path)
            elif outcome.must_change_password:
                target = with_next(PASSWORD, next_path)
            else:
                target = next_path
            return self._with_session(RedirectResponse(target, 303), outcome.session, request)
        if isinstance(outcome, LockedOut):
            until = outcome.until.astimezone(_LOCAL_TIME).strftime("%H:%M")
            errors, status = [("password", t["locked"].format(time=until))], 423
        elif isinstance(outcome, Disabled):
            errors, status = [("username", t["disabled"])], 403
        else:
            errors, status = [("password", t["wrong_credentials"])], 401
        response = await self._signin_form(request, lang, next_path, username=username, errors=errors,
                                           status=status)
        self.cookies.clear(response, SESSION, request)  # a locked-out half-way session is gone
        return response

    def _with_session(self, response: Response, session: NewSession, request: Request) -> Response:
        self.cookies.write(response, SESSION, session.session_id, request)
        for name, value in HEADERS.items():
            response.headers[name] = value
        return response

    async def _signin_form(self, request: Request, lang: str, next_path: str, *, username: str = "",
                           errors: list[tuple[str, str]] | None = None, status: int = 200,
                           notice: str | None = None) -> Response:
        token = self.cookies.read(SIGNIN_FORM, request) or csrf.new_token()
        providers = [{"display_name": p.display_name,
                      "href": with_next(PROVIDER_START, next_path, municipality=p.municipality, lang=lang)}
                     for p in await self.providers(request.query_params.get("municipality"))]
        response = render(request, lang, "signin.html.j2", status, errors, csrf=token, next=next_path,
                          username=username, notice=notice, providers=providers)
        self.cookies.write(response, SIGNIN_FORM, token, request, max_age=_SIGNIN_FORM_MAX_AGE)
        return response

    def _password_form(self, request: Request, live: LiveSession, next_path: str,
                       errors: list[tuple[str, str]] | None = None) -> Response:
        return render(request, page_language(request, live.account.language), "password.html.j2",
                      400 if errors else 200, errors, csrf=live.csrf_secret, next=next_path,
                      username=live.account.username, must_change=live.account.must_change_password)

    def _expired_form(self, request: Request) -> Response:
        return render(request, page_language(request), "expired_form.html.j2", 403)

