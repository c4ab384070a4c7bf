"""What every desk page shares: the templates, the page language, the security headers."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from loket.contracts.reference.language_regime import municipality_name
from loket.infra.date_words import moment_in_year_words
from loket.infra.http.language_links import language_links
from loket.infra.http.signin.person_pages import signed_in
from loket.infra.http.signin.rendering import HEADERS, page_language
from services.ebox_bridge.desk.texts import LANGUAGE_NAMES, texts_for

DESK = "/desk"


@cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def language(request: Request) -> str:
    """`?lang=`, else the signed-in person's own language, else the browser's, else Dutch."""
    live = signed_in(request)
    return page_language(request, live.account.language if live else None)


def csrf_token(request: Request) -> str:
    live = signed_in(request)
    return live.csrf_secret if live else ""


def render(request: Request, template: str, status: int = 200, *, section: str = "", here: str | None = None,
           **context: object) -> HTMLResponse:
    """`here`: the GET address the language switch leads to (a POST's answer has no address of
    its own to repeat); by default this page with its query, in the other language."""
    lang = language(request)
    if here is None:
        links = language_links(request.url.path, request.query_params.multi_items(), LANGUAGE_NAMES,
                               dropping=("done",))  # "done": the notice after a form, said once
    else:
        links = language_links(here, [], LANGUAGE_NAMES)
    live = signed_in(request)
    principal = getattr(request.state, "principal", None)
    body = _templates().get_template(template).render(
        lang=lang, t=texts_for(lang), language_names=LANGUAGE_NAMES, language_links=links, section=section,
        csrf=live.csrf_secret if live else "", person=live.account.display_name if live else "",
        municipality=municipality_text(principal.municipality) if principal else None, **context)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def message(request: Request, status: int, text: str) -> HTMLResponse:
    return render(request, "message.html.j2", status, message=text)


def with_lang(path: str, request: Request, **query: str) -> str:
    """`path` with the page's explicit language choice (if any) and `query` kept."""
    lang = request.query_params.get("lang", "")
    items = [(k, v) for k, v in query.items() if v] + ([("lang", lang)] if lang else [])
    return path + (f"?{urlencode(items)}" if items else "")


def when(instant: dt.datetime | None, lang: str) -> str:
    """`7 dec 2026 15:30`, `7. Dez. 2026 15:30`, … in Brussels time, as the other staff pages write a
    moment (an ISO `2026-12-07 15:30` reads like a code)."""
    return moment_in_year_words(instant, lang) if instant else "–"


def cutoff_text(instant: dt.datetime, lang: str) -> str:
    """A print batch's cut-off: to the minute when it was the scheduled one (17:30), to the second
    when a batch was closed by hand. Batch ids name the second; two batches closed within one
    minute would otherwise show the same cut-off."""
    # Brussels is a whole number of hours off UTC: the seconds are the same in either.
    minute = when(instant, lang)
    return minute if instant.second == instant.microsecond == 0 else f"{minute}:{instant.second:02d}"


def municipality_text(refnis: str | None) -> str | None:
    if not refnis:
        return None
    try:
        return f"{municipality_name(refnis)} ({refnis})"
    except (KeyError, ValueError):
        return refnis
