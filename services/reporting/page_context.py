"""What every reporting page for people shares: the templates, the page language (the
`?lang=` asked for, else the signed-in person's own, else Dutch), language links that keep the
page's other choices, and municipality names."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request

from loket.contracts.reference.language_regime import UnknownMunicipality, municipality_name
from loket.infra.http.language_links import language_links
from loket.infra.http.signin.person_pages import signed_in
from services.reporting.texts import LANGUAGE_NAMES, TEXTS


@cache
def templates() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def page_language(request: Request) -> str:
    asked = request.query_params.get("lang", "")
    if asked in TEXTS:
        return asked
    person = signed_in(request)
    if person is not None and person.account.language in TEXTS:
        return person.account.language
    return "nl"


def render(request: Request, template: str, lang: str, **context: object) -> str:
    return templates().get_template(template).render(
        lang=lang, t=TEXTS[lang], language_names=LANGUAGE_NAMES,
        language_links=language_links(request.url.path, request.query_params.multi_items(), LANGUAGE_NAMES),
        person=signed_in(request), **context)


def town_name(code: str) -> str:
    try:
        return municipality_name(code)
    except UnknownMunicipality:
        return code
