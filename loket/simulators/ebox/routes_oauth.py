"""`POST /oauth/token`: client credentials with a JWT client assertion."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from loket.simulators.ebox.state import SimState
from loket.simulators.ebox.tokens import OAuthError


async def token(request: Request) -> JSONResponse:
    sim: SimState = request.app.state.sim
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return JSONResponse({"error": "invalid_request", "error_description": "form body"}, 400)
    # Parsed by hand: Starlette's form parser needs python-multipart, not a project dependency.
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    try:
        issued = sim.tokens.issue(form)
    except OAuthError as exc:
        body = {"error": exc.error, "error_description": exc.description}
        return JSONResponse(body, status_code=exc.status)
    return JSONResponse(
        {
            "access_token": issued.value,
            "token_type": "Bearer",
            "expires_in": max(0, int(issued.expires_at - time.time())),
            "scope": " ".join(sorted(issued.scopes)),
        },
        headers={"Cache-Control": "no-store"},
    )


routes = [Route("/oauth/token", token, methods=["POST"])]
