"""503 when the database cannot be reached, instead of a bare "Internal Server Error".

During a PostgreSQL outage (a restart, a failover, a network cut) every request that touches
the database fails with a connection error, in a route or already in the middleware that looks
up a session or an API key. This outermost middleware answers those with 503 and `Retry-After`:
problem+json for programs, a short page in the person's language for browsers, with a link to
try the page again. A transaction cut off by the outage did not commit; the forms and the API
that create things de-duplicate a resend (a form's submission token, a letter's id), so sending
again is safe. Other errors pass through untouched.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loket.infra.errors import DATABASE_CONNECTION_ERRORS
from loket.infra.http.auth import problem
from loket.infra.http.fallback_answers import wants_a_page
from loket.infra.http.signin.rendering import page_language, render

log = logging.getLogger(__name__)

RETRY_AFTER_S = 10
# A page asked for by GET and shown without scripts (an unattended waiting-room screen that
# reloads itself) asks again by itself, so it comes back after the outage without anyone there.
# With scripts on, browsers ignore it: nobody reading the page has it replaced under their eyes.
SELF_RETRY_S = 30

_TEXTS = {
    "nl": ("Even niet beschikbaar", "Loket kan zijn gegevens nu niet bereiken. Als u een formulier verstuurde, is "
           "het misschien niet bewaard: probeer het over een minuut opnieuw.", "Opnieuw proberen"),
    "fr": ("Momentanément indisponible", "Loket ne peut pas joindre ses données pour le moment. Si vous envoyiez un "
           "formulaire, il n'a peut-être pas été enregistré : réessayez dans une minute.", "Réessayer"),
    "de": ("Kurz nicht verfügbar", "Loket kann seine Daten gerade nicht erreichen. Wenn Sie ein Formular "
           "gesendet haben, wurde es vielleicht nicht gespeichert: Versuchen Sie es in einer Minute erneut.", "Erneut versuchen"),
    "en": ("Unavailable for a moment", "Loket cannot reach its data right now. If you were sending a form, it may not "
           "have been saved: please try again in a minute.", "Try again"),
}


class DatabaseUnavailableMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        # asyncpg's connection errors, the consumers' too (a server shutting down among them): the
        # database is away, not the request wrong. A refused or reset connection (the builtin
        # ConnectionError) counts when asyncpg raised it, not when another client did.
        except (*DATABASE_CONNECTION_ERRORS, ConnectionError) as exc:
            if started or not _from_the_database(exc):  # part of an answer is out: nothing better than cutting it
                raise
            log.warning("answered 503 to %s %s: database unreachable (%s)", scope["method"], scope["path"],
                        type(exc).__name__)
            await unavailable_response(Request(scope))(scope, receive, send)


def _from_the_database(exc: BaseException) -> bool:
    if isinstance(exc, DATABASE_CONNECTION_ERRORS):
        return True
    frame = exc.__traceback__
    while frame is not None:
        if str(frame.tb_frame.f_globals.get("__name__", "")).startswith("asyncpg"):
            return True
        frame = frame.tb_next
    return False


def unavailable_response(request: Request) -> Response:
    headers = {"Retry-After": str(RETRY_AFTER_S), "Cache-Control": "no-store"}
    if wants_a_page(request):
        lang = page_language(request)
        title, text, again = _TEXTS[lang]
        # The shell's page layout (the sign-in pages' base template and security headers).
        response: Response = render(request, lang, "unavailable.html.j2", status=503, again=_again(request),
                                    page={"title": title, "text": text, "again": again},
                                    retry_seconds=SELF_RETRY_S if request.method == "GET" else None)
    else:
        response = problem(503, "Service Unavailable",
                           "the service cannot reach its database; send the request again in "
                           f"{RETRY_AFTER_S} seconds or later")
    response.headers.update(headers)
    return response


def _again(request: Request) -> str:
    """The page to try again: the same address (a form sent by POST comes back as its page)."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query and request.method == "GET" else "")
