"""`POST /receipts/sms`: the provider's delivery receipts.

Authenticated by the shared secret the provider sends (`X-Receipt-Token`), not by a user
token: the provider is not a Loket user. Receipts for a message already final are answered
200 and ignored, so the provider may retry them. A receipt may overtake the recording of the
send it answers (the provider is quicker than our commit): it is held (202) and applied when
the send is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from loket.infra.constant_time import same_secret
from loket.infra.http.auth import problem
from loket.infra.http.json_body import MalformedJson, UnstorableText, parse_json
from loket.infra.runtime import Runtime
from services.notify.outcomes import Outcomes
from services.notify.repository import NotifyRepository

FINAL = {"delivered", "permanent-failure", "temporary-failure", "technical-failure", "cancelled"}
MAX_ID_CHARS = 255  # the id is a primary key: PostgreSQL's btree takes at most ~2.7 kB per entry
# What a JSON string may carry and PostgreSQL text may not: NUL, and a lone surrogate (no UTF-8).


def receipt_routes(runtime: Runtime, repository: NotifyRepository, outcomes: Outcomes, token: str | None,
                   clock: Callable[[], dt.datetime]) -> list[Route]:
    async def sms_receipt(request: Request) -> Response:
        given = request.headers.get("x-receipt-token", "")
        if not token or not same_secret(given, token):
            return problem(401, "Unauthorized", "send the receipt secret in X-Receipt-Token")
        try:
            body = parse_json(await request.body())
            ref, status = str(body["id"]), str(body["status"])
        except UnstorableText as exc:
            return problem(422, "Bad receipt", f"{'/'.join(map(str, exc.path))}: {exc}")
        except (MalformedJson, KeyError, TypeError):
            return problem(400, "Bad receipt", "expected JSON {id, status, reason?}")
        if status not in ("delivered", "permanent-failure", "temporary-failure"):
            return problem(422, "Unknown status", "status must be delivered, permanent-failure or temporary-failure")
        reason = str(body.get("reason") or f"the provider reported {status}")
        if not ref or len(ref) > MAX_ID_CHARS:
            return problem(422, "Bad receipt", f"id must be 1 to {MAX_ID_CHARS} characters long")
        async with runtime.db().acquire() as conn, conn.transaction():
            await repository.lock_provider_ref(conn, ref)
            n = await repository.by_provider_ref(conn, ref)
            if n is None:
                # The send it answers may not be recorded yet: keep it for when it is.
                await repository.hold_receipt(conn, ref, status, reason)
                return JSONResponse({"status": status, "held": True}, status_code=202)
            if n.status in FINAL or n.channel != "sms":
                return JSONResponse({"status": n.status, "ignored": True})
            recorded = await outcomes.receipt(conn, n, status, reason, clock())
            await runtime.outbox.append(conn, *recorded)
        return JSONResponse({"status": status})

    return [Route("/receipts/sms", sms_receipt, methods=["POST"])]
