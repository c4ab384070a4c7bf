"""What every booking page shares: the templates, the page language, and the public rate limit
answered in HTML."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from services.booking.http.rate_limit import RateLimiter, client_address
from services.booking.page.texts import LANGUAGE_NAMES, LANGUAGES, texts_for


@cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def page_language(request: Request, browser_preference: bool = True) -> str:
    """`?lang=` when it is one of ours, else (if asked) the browser's Accept-Language, else nl."""
    lang = request.query_params.get("lang", "")
    if lang in LANGUAGES:
        return lang
    accepted = request.headers.get("accept-language", "")[:2].lower() if browser_preference else ""
    return accepted if accepted in LANGUAGES else "nl"


def render_page(lang: str, name: str, status: int = 200, **context: object) -> HTMLResponse:
    body = _templates().get_template(name).render(lang=lang, t=texts_for(lang), language_names=LANGUAGE_NAMES,
                                                  **context)
    return HTMLResponse(body, status_code=status)


def too_many_requests(request: Request, limiter: RateLimiter) -> HTMLResponse | None:
    wait = limiter.retry_after(client_address(request))
    if wait <= 0:
        return None
    return HTMLResponse("Too many requests", status_code=429, headers={"Retry-After": str(max(1, round(wait)))})
