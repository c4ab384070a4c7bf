"""What every POST of a workspace page checks first, in one place: the person may use the page
(else 403 in their language), and the form carries their session's CSRF token (else 403: nothing
was done); and how a field that cannot be read is refused (`FormError`, shown on the page)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from loket.infra.http.signin.forms import read_form
from loket.infra.http.signin.person_pages import form_is_fresh
from loket.infra.identity.principal import Principal
from services.booking.rota.texts import rota_texts
from services.booking.workspace.rendering import language, message
from services.booking.workspace.texts import texts_for

Refusal = Callable[[dict[str, str], dict[str, str]], str]  # picks the 403 sentence from the two text sets


@dataclass(frozen=True)
class Visitor:
    principal: Principal
    lang: str
    t: dict[str, str]  # the workspace's texts
    r: dict[str, str]  # the rota and point-settings texts


@dataclass(frozen=True)
class PostedForm(Visitor):
    fields: dict[str, str]


def visitor(request: Request, may_use: Callable[[Principal], bool], refusal: Refusal) -> Visitor | Response:
    """The signed-in person with their page language, or the page that refuses them."""
    principal: Principal = request.state.principal
    lang = language(request)
    t, r = texts_for(lang), rota_texts(lang)
    if not may_use(principal):
        return message(request, 403, refusal(t, r), lang=lang)
    return Visitor(principal, lang, t, r)


async def posted_form(request: Request, may_use: Callable[[Principal], bool],
                      refusal: Refusal) -> PostedForm | Response:
    """The checked form, or the page that refuses it."""
    fields = await read_form(request)  # read before answering: the client is still sending it
    who = visitor(request, may_use, refusal)
    if isinstance(who, Response):
        return who
    if not form_is_fresh(request, fields):
        return message(request, 403, who.t["expired_form"], lang=who.lang)
    return PostedForm(who.principal, who.lang, who.t, who.r, fields)


class FormError(Exception):
    """A field of the page's form that cannot be read; `text` says so in the page's language."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def form_uuid(text: str) -> uuid.UUID:
    """The id a form's hidden field carries; anything else was not sent by our page."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise FormError(texts_for("en")["refused"]) from None


def done_url(path: str, request: Request, done: str) -> str:
    """Where a handled form redirects (POST-redirect-GET): its page, in the language the person
    chose in the address if they did, with `done` naming what the page confirms."""
    query = {k: v for k, v in (("lang", request.query_params.get("lang", "")), ("done", done)) if v}
    return f"{path}?{urlencode(query)}" if query else path


def done_notice(notices: dict[str, dict[str, str]], request: Request, lang: str) -> str | None:
    """What the page confirms after `done_url` brought the person back: the notice for the
    action the address names, in their language; None without one (or for an unknown name)."""
    return notices.get(request.query_params.get("done", ""), {}).get(lang)
