"""What every workspace page shares: templates, the page language, the security headers."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Match

from loket.infra.http.language_links import language_links
from loket.infra.http.signin.person_pages import signed_in
from loket.infra.http.signin.rendering import page_language
from services.booking.workspace.texts import LANGUAGE_NAMES, texts_for

# One-shot notices after a form ("done", "renewed") and a device's key are not repeated by the language switch.
TRANSIENT_PARAMETERS = ("done", "renewed", "key")

# Scripts only from this app (the display's live updates), forms only to ourselves, no frames.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; "
                               "connect-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


@cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def language(request: Request) -> str:
    """`?lang=`, else the signed-in person's own language, else the browser's, else Dutch."""
    live = signed_in(request)
    return page_language(request, live.account.language if live else None)


def render(request: Request, template: str, status: int = 200, lang: str | None = None,
           **context: object) -> HTMLResponse:
    lang = lang or language(request)
    live = signed_in(request)
    # Every form of a signed-in page carries the session's CSRF token; a page may still pass its own.
    values = {"csrf": live.csrf_secret if live else "", **context}
    # A GET page keeps what its address chose (a point's week of figures stays that week); an
    # answer to a form leads to the page the form belongs to, without the form's parameters.
    query = request.query_params.multi_items() if request.method == "GET" else []
    links = language_links(language_page(request), query, LANGUAGE_NAMES, dropping=TRANSIENT_PARAMETERS)
    body = _templates().get_template(template).render(lang=lang, t=texts_for(lang), language_names=LANGUAGE_NAMES,
                                                      language_links=links, **values)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def language_page(request: Request) -> str:
    """Where the language links lead. A page shown in answer to a form (a refused counter action,
    say) stands at the form's address, which takes only POST: "?lang=fr" there was a 405. So
    they lead to the page the form belongs to, the address itself or the one above it that a
    GET reaches; "" (this address) for a page asked for by GET."""
    if request.method == "GET":
        return ""
    path = request.url.path
    for candidate in (path, path.rsplit("/", 1)[0]):
        probe = {"type": "http", "path": candidate, "method": "GET"}
        if candidate and any(route.matches(probe)[0] is Match.FULL for route in request.app.routes):
            return candidate
    return ""


def message(request: Request, status: int, text: str, lang: str | None = None) -> HTMLResponse:
    return render(request, "message.html.j2", status, lang=lang, message=text)
