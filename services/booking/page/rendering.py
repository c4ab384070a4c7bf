"""What every booking page shares: the templates, the page language, and the public rate limit
answered in HTML."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from loket.infra.http.client_address import client_label
from services.booking.http.rate_limit import RateLimit
from services.booking.page.texts import LANGUAGE_NAMES, LANGUAGES, texts_for

PAGE_TEMPLATES = Path(__file__).parent / "templates"


@cache
def _templates(*more: Path) -> Environment:
    """The booking page's templates, after `more` directories (other public pages that extend
    base.html.j2, such as the finder)."""
    return Environment(loader=FileSystemLoader([*more, PAGE_TEMPLATES]), autoescape=select_autoescape(["html", "j2"]))


def page_language(request: Request, browser_preference: bool = True) -> str:
    """`?lang=` when it is one of ours, else (if asked) the browser's Accept-Language, else nl."""
    lang = request.query_params.get("lang", "")
    if lang in LANGUAGES:
        return lang
    accepted = request.headers.get("accept-language", "")[:2].lower() if browser_preference else ""
    return accepted if accepted in LANGUAGES else "nl"


def render_page(lang: str, name: str, status: int = 200, **context: object) -> HTMLResponse:
    return render_from((), lang, name, status, **context)


def render_from(template_dirs: tuple[Path, ...], lang: str, name: str, status: int, **context: object) -> HTMLResponse:
    """A page whose templates (in `template_dirs`) extend base.html.j2; it may bring its own
    texts (`t`), on top of the shared ones."""
    values = {"lang": lang, "t": texts_for(lang), "language_names": LANGUAGE_NAMES, **context}
    body = _templates(*template_dirs).get_template(name).render(**values)
    return HTMLResponse(body, status_code=status)


async def too_many_requests(request: Request, limiter: RateLimit) -> HTMLResponse | None:
    wait = await limiter.retry_after(client_label(request))
    if wait <= 0:
        return None
    return HTMLResponse("Too many requests", status_code=429, headers={"Retry-After": str(max(1, round(wait)))})
