"""Admin API for tests and operators: faults, activations, reads, the record, reset."""

from __future__ import annotations

import json

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from loket.infra.constant_time import same_secret
from loket.simulators.ebox.citizens import require_ssin
from loket.simulators.ebox.enterprises import require_enterprise_number
from loket.simulators.ebox.errors import EboxError, invalid_input
from loket.simulators.ebox.state import SimState


def _admin(request: Request) -> SimState:
    sim: SimState = request.app.state.sim
    expected = sim.settings.admin_token.get_secret_value()
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # An unset admin token closes the admin API instead of opening it to everyone.
    if not expected or scheme.lower() != "bearer" or not same_secret(given, expected):
        raise EboxError(401, "INVALID_TOKEN", "admin token required")
    return sim


async def get_faults(request: Request) -> JSONResponse:
    return JSONResponse(_admin(request).faults.current.model_dump())


async def set_faults(request: Request) -> JSONResponse:
    sim = _admin(request)
    try:
        changes = json.loads(await request.body())
        if not isinstance(changes, dict):
            raise ValueError("not an object")
        current = sim.faults.update(changes)
    except (ValueError, ValidationError) as exc:
        raise invalid_input(f"invalid faults: {exc}") from exc
    return JSONResponse(current.model_dump())


async def activate(request: Request) -> JSONResponse:
    sim = _admin(request)
    ssin = require_ssin(request.path_params["ssin"])
    sim.citizens.activate(ssin)
    return JSONResponse({"ssin": ssin, "activated": True})


async def activate_enterprise(request: Request) -> JSONResponse:
    sim = _admin(request)
    number = require_enterprise_number(request.path_params["number"])
    sim.enterprises.activate(number)
    return JSONResponse({"enterpriseNumber": number, "activated": True})


async def mark_read(request: Request) -> JSONResponse:
    sim = _admin(request)
    message_id = request.path_params["message_id"]
    if not sim.mailbox.mark_read(message_id):
        raise EboxError(404, "MESSAGE_NOT_FOUND", "unknown messageId")
    return JSONResponse({"messageId": message_id, "readStatus": True})


async def received(request: Request) -> JSONResponse:
    return JSONResponse(_admin(request).mailbox.received())


async def tokens(request: Request) -> JSONResponse:
    issuer = _admin(request).tokens
    return JSONResponse({"issued_total": issuer.issued_total})


async def expire_tokens(request: Request) -> JSONResponse:
    """Token expiry mid-run: every access token handed out so far stops working now."""
    issuer = _admin(request).tokens
    return JSONResponse({"expired": issuer.expire_all(), "issued_total": issuer.issued_total})


async def reset(request: Request) -> JSONResponse:
    _admin(request).reset()
    return JSONResponse({"reset": True})


routes = [
    Route("/admin/faults", get_faults, methods=["GET"]),
    Route("/admin/faults", set_faults, methods=["POST"]),
    Route("/admin/citizens/{ssin}/activate", activate, methods=["POST"]),
    Route("/admin/enterprises/{number}/activate", activate_enterprise, methods=["POST"]),
    Route("/admin/read/{message_id}", mark_read, methods=["POST"]),
    Route("/admin/received", received, methods=["GET"]),
    Route("/admin/reset", reset, methods=["POST"]),
    Route("/admin/tokens", tokens, methods=["GET"]),
    Route("/admin/tokens/expire", expire_tokens, methods=["POST"]),
]
