"""Federation look-ups: eBox preferences and citizen consents, batched by SSIN."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from loket.simulators.ebox.citizens import require_ssin
from loket.simulators.ebox.errors import invalid_input
from loket.simulators.ebox.state import SimState

BASE = "/REST/ebox/enterprise/federation/v1"


async def _ssins(request: Request, sim: SimState) -> list[str]:
    """Read an EboxIdSameTypeList `{eboxType, eboxIdType, eboxIdValueList}` of citizens."""
    try:
        body: Any = json.loads(await request.body())
    except ValueError as exc:
        raise invalid_input("the body must be JSON") from exc
    if not isinstance(body, dict) or str(body.get("eboxType", "")).lower() != "citizen":
        raise invalid_input("eboxType must be citizen")
    if str(body.get("eboxIdType", "")).lower() != "ssin":
        raise invalid_input("eboxIdType must be ssin")
    values = body.get("eboxIdValueList")
    limit = sim.settings.max_lookup_batch
    if not isinstance(values, list) or not values or len(values) > limit:
        raise invalid_input(f"eboxIdValueList must hold 1 to {limit} ids")
    return [require_ssin(value) for value in values]


async def _lookup(request: Request, scope: str) -> JSONResponse:
    sim: SimState = request.app.state.sim
    sim.tokens.require(request.headers.get("authorization"), scope)
    await sim.faults.before()
    ssins = await _ssins(request, sim)
    # Citizens without an eBox are simply absent from the answer, as in the federation.
    found = [p for p in map(sim.citizens.preference, dict.fromkeys(ssins)) if p is not None]
    return JSONResponse(found)


async def preferences(request: Request) -> JSONResponse:
    return await _lookup(request, request.app.state.sim.settings.preference_scope)


async def consents(request: Request) -> JSONResponse:
    # In the simulator accepting the eBox terms and activating the eBox are the same event.
    return await _lookup(request, request.app.state.sim.settings.consent_scope)


routes = [
    Route(f"{BASE}/eboxPreferences/search", preferences, methods=["POST"]),
    Route(f"{BASE}/citizenEboxConsents/search", consents, methods=["POST"]),
]
