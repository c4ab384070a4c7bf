"""Pages for people (a service's `person_pages` prefixes): a browser's session cookie admits
them, and an anonymous browser is sent to sign in and then back.

Only these pages take the cookie. The JSON API stays on bearer tokens: a cookie that also worked
on API POSTs would make every endpoint a CSRF target.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response
from starlette.types import Scope

from loket.infra.http.signin import csrf
from loket.infra.http.signin.cookies import SESSION, CookiePolicy
from loket.infra.http.signin.next_path import with_next
from loket.infra.http.signin.routes import PASSWORD, PATHS, SIGNIN
from loket.infra.identity.accounts import LANGUAGES
from loket.infra.identity.principal import Principal
from loket.infra.identity.session_store import LiveSession, SessionStore


class PersonPages:
    def __init__(self, prefixes: tuple[str, ...], store: SessionStore, cookies: CookiePolicy,
                 exact: tuple[str, ...] = ()) -> None:
        # `exact`: single paths whose subtree is not for people (`/staff/` is the workspace's
        # front door, while `/staff/points/…` is the bearer-token JSON API).
        self.prefixes, self.store, self.cookies, self.exact = prefixes, store, cookies, frozenset(exact)

    def signs_in(self, path: str) -> bool:
        """The sign-in routes, which anyone may open and which find their session themselves."""
        return path in PATHS or path.startswith(SIGNIN + "/")

    def covers(self, path: str) -> bool:
        return path in self.exact or any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.prefixes)

    async def admit(self, scope: Scope) -> Principal | Response | None:
        """The signed-in person; or, for a browser without a live session, the way to sign in;
        None when the caller is no browser (it gets the API's 401)."""
        connection = HTTPConnection(scope)
        session_id = self.cookies.read(SESSION, connection)
        live = await self.store.find(session_id) if session_id else None
        here = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
        if live is not None:
            if live.account.must_change_password:
                return RedirectResponse(with_next(PASSWORD, here), 303)
            scope.setdefault("state", {})["session"] = live
            return live.account.principal()
        if "text/html" not in Headers(scope=scope).get("accept", ""):
            return None
        # The page's own language choice carries over to the sign-in page.
        lang = connection.query_params.get("lang", "")
        return RedirectResponse(with_next(SIGNIN, here, ended="1" if session_id else "",
                                          lang=lang if lang in LANGUAGES else ""), 303)


def signed_in(request: Request) -> LiveSession | None:
    """The session of the person viewing a person page (None when a bearer token was used)."""
    return getattr(request.state, "session", None)


def form_is_fresh(request: Request, form: dict[str, str]) -> bool:
    """The form carries the token of the session signed in now: not sent from another site, and
    not from a page shown before a sign-out or another sign-in."""
    live = signed_in(request)
    return live is not None and csrf.matches(form.get(csrf.FIELD), live.csrf_secret)


