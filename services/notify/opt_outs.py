"""`POST /opt-outs` {phone | email}: a citizen asked for no more messages (recorded by staff or
a back-office, bearer token required). Only the contact key (a hash) is stored."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from loket.contracts.values import ContactDetails
from loket.infra.http.auth import problem
from loket.infra.identity.authorization import Decision, decide
from loket.infra.identity.roles import Role
from loket.infra.runtime import Runtime
from services.notify.addresses import contact_key
from services.notify.repository import NotifyRepository

# Whoever the citizen tells: a counter, a back-office. A contact's opt-out holds for every
# municipality (it is the citizen's wish, not the municipality's record), so no scope beyond the role.
RECORDERS = frozenset({Role.VOLUNTEER, Role.STAFF, Role.POINT_MANAGER, Role.MUNICIPALITY_ADMIN, Role.BACKOFFICE})


def opt_out_routes(runtime: Runtime, repository: NotifyRepository) -> list[Route]:
    async def opt_out(request: Request) -> Response:
        principal = request.state.principal
        if decide(principal, RECORDERS, None) is not Decision.ALLOW:
            return problem(403, "Forbidden", f"opt-outs are recorded by {', '.join(sorted(RECORDERS))}; "
                                             f"{principal.name!r} is {principal.role}")
        try:
            body = json.loads(await request.body())
            contact = ContactDetails(phone=body.get("phone"), email=body.get("email"), language="nl")
        except (ValueError, TypeError, AttributeError) as exc:
            return problem(422, "Invalid opt-out", f"send {{\"phone\": \"+32…\"}} or {{\"email\": …}}: {exc}")
        if not (contact.phone or contact.email):
            return problem(422, "Invalid opt-out", "give a phone number (E.164) or an e-mail address")
        async with runtime.db().acquire() as conn:
            await repository.add_opt_out(conn, contact_key(contact))
        return JSONResponse({"opted_out": True}, status_code=201)

    return [Route("/opt-outs", opt_out, methods=["POST"])]
