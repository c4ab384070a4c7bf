"""The pages' language and templates, and the headers every sign-in page carries."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from loket.infra.http.signin.texts import LANGUAGE_NAMES, texts_for
from loket.infra.identity.accounts import LANGUAGES

# No script, no frames, forms only to ourselves: a sign-in page is what an attacker would frame or
# inject into. Inline styles keep the pages one file each (no build step, no CDN).
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


@cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def page_language(request: Request, account_language: str | None = None) -> str:
    """`?lang=` (the switch on every page), else the account's language once known, else the
    browser's first Accept-Language we speak, else Dutch."""
    chosen = request.query_params.get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    if account_language in LANGUAGES:
        return account_language  # type: ignore[return-value]
    return browser_language(request.headers.get("accept-language", ""))


def browser_language(header: str) -> str:
    ranked = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-quality, position, tag.strip()[:2].lower()))
    return next((code for _, _, code in sorted(ranked) if code in LANGUAGES), "nl")


def render(request: Request, lang: str, template: str, status: int = 200,
           errors: list[tuple[str, str]] | None = None, **context: object) -> HTMLResponse:
    """`errors`: (field id, message) pairs, listed in the summary and shown at their field."""
    switch = {code: _with_lang(request, code) for code in LANGUAGES}
    body = _templates().get_template(template).render(
        lang=lang, t=texts_for(lang), language_names=LANGUAGE_NAMES, language_links=switch,
        errors=errors or [], field_errors=dict(errors or []), **context)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def _with_lang(request: Request, code: str) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k == "next"]
    return "?" + "&".join(f"{k}={quote(v, safe='/')}" for k, v in [*kept, ("lang", code)])
