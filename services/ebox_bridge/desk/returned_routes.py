"""The letter desk's "returned letters" task list: every letter bpost sent back (paper
`returned`) waits here until a clerk has checked the address with the population register and
marks it done. Nothing else is sent to an address that came back before someone looked at it;
the list keeps that from depending on a clerk reading the print house's report.

Scoped like the rest of the desk (access.py): a clerk sees their own municipality's returns, the
operator everyone's; marking one done is audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import asyncpg
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.contracts.reference.letter_words import department_words
from loket.infra.http.client_address import client_label
from loket.infra.http.signin.forms import read_form
from loket.infra.identity import audit
from loket.infra.identity.audit import Access
from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import Role
from services.ebox_bridge.desk.guards import SERVICE, desk_refusal, form_refusal
from services.ebox_bridge.desk.rendering import (
    DESK,
    language,
    message,
    municipality_text,
    render,
    when,
    with_lang,
)
from services.ebox_bridge.desk.texts import texts_for
from services.ebox_bridge.repository import letters as letters_repo

RETURNED = f"{DESK}/returned"
SHOWN = 200
ADDRESS_CHECKED = "mark a returned letter's address as checked"


class ReturnedLetters:
    def __init__(self, schema: str, pool: Callable[[], asyncpg.Pool], clock: Callable[[], dt.datetime]) -> None:
        self.schema, self.pool, self.clock = schema, pool, clock

    def routes(self) -> list[Route]:
        return [Route(RETURNED, self.list, methods=["GET"]),
                Route(RETURNED + "/{letter_id}/checked", self.checked, methods=["POST"])]

    async def list(self, request: Request) -> Response:
        if (refused := desk_refusal(request)) is not None:
            return refused
        principal: Principal = request.state.principal
        async with self.pool().acquire() as conn:
            rows = await letters_repo.returned_to_check(conn, self.schema, _scope(principal), SHOWN)
        lang = language(request)
        t = texts_for(lang)
        return render(request, "returned.html.j2", section="returned", done=request.query_params.get("done") == "1",
                      rows=[{"id": str(r["letter_id"]), "short": str(r["letter_id"])[:8],
                             "href": with_lang(f"{DESK}/letters/{r['letter_id']}", request),
                             "municipality": municipality_text(r["municipality"]) or "–",
                             "department": department_words(r["department"], lang),
                             "returned": when(r["returned_at"], lang),
                             "reason": r["reason"] or t["returned_no_reason"],
                             "action": with_lang(f"{RETURNED}/{r['letter_id']}/checked", request)} for r in rows])

    async def checked(self, request: Request) -> Response:
        form = await read_form(request)
        if (refused := form_refusal(request, form)) is not None:
            return refused
        principal: Principal = request.state.principal
        lang = language(request)
        try:
            letter_id = uuid.UUID(request.path_params["letter_id"])
        except ValueError:
            return message(request, 404, texts_for(lang)["returned_gone"])
        async with self.pool().acquire() as conn, conn.transaction():
            done = await letters_repo.mark_address_checked(conn, self.schema, letter_id, _scope(principal),
                                                           principal.name, self.clock())
            if done:
                await audit.record(conn, principal, Access(ADDRESS_CHECKED, "letter", str(letter_id)),
                                   client_label(request), SERVICE)
        if not done:  # another municipality's, never returned, or done by a colleague meanwhile
            return message(request, 404, texts_for(lang)["returned_gone"])
        return RedirectResponse(with_lang(RETURNED, request, done="1"), 303)


def _scope(principal: Principal) -> str | None:
    return None if principal.role is Role.OPERATOR else principal.municipality
