"""Federation look-ups: eBox preferences (citizens by SSIN, enterprises by KBO/BCE number) and
citizen consents, batched."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from loket.simulators.ebox.citizens import require_ssin
from loket.simulators.ebox.enterprises import require_enterprise_number
from loket.simulators.ebox.errors import invalid_input
from loket.simulators.ebox.state import SimState

BASE = "/REST/ebox/enterprise/federation/v1"
# eboxType (lower case) → its eboxIdType and the check of one id.
_ID_TYPES = {"citizen": ("ssin", require_ssin), "enterprise": ("EnterpriseNumber", require_enterprise_number)}


async def _ids(request: Request, sim: SimState, enterprises: bool) -> tuple[str, list[str]]:
    """Read an EboxIdSameTypeList `{eboxType, eboxIdType, eboxIdValueList}`: citizens by ssin or,
    where `enterprises`, enterprises by EnterpriseNumber (ebox-federation-1.3). → (kind, ids)."""
    try:
        body: Any = json.loads(await request.body())
    except ValueError as exc:
        raise invalid_input("the body must be JSON") from exc
    ebox_type = str(body.get("eboxType", "")).lower() if isinstance(body, dict) else ""
    if ebox_type not in _ID_TYPES or (ebox_type == "enterprise" and not enterprises):
        raise invalid_input("eboxType must be " + (" or ".join(_ID_TYPES) if enterprises else "citizen"))
    id_type, require = _ID_TYPES[ebox_type]
    if str(body.get("eboxIdType", "")).lower() != id_type.lower():
        raise invalid_input(f"eboxIdType must be {id_type} for eboxType {ebox_type}")
    values = body.get("eboxIdValueList")
    limit = sim.settings.max_lookup_batch
    if not isinstance(values, list) or not values or len(values) > limit:
        raise invalid_input(f"eboxIdValueList must hold 1 to {limit} ids")
    return ebox_type, [require(value) for value in values]


async def _lookup(request: Request, scope: str, enterprises: bool = False) -> JSONResponse:
    sim: SimState = request.app.state.sim
    sim.tokens.require(request.headers.get("authorization"), scope)
    await sim.faults.before()
    kind, ids = await _ids(request, sim, enterprises)
    # Recipients without an eBox are simply absent from the answer, as in the federation.
    found = [p for p in map(sim.recipients(kind).preference, dict.fromkeys(ids)) if p is not None]
    return JSONResponse(found)


async def preferences(request: Request) -> JSONResponse:
    return await _lookup(request, request.app.state.sim.settings.preference_scope, enterprises=True)


async def consents(request: Request) -> JSONResponse:
    # In the simulator accepting the eBox terms and activating the eBox are the same event.
    return await _lookup(request, request.app.state.sim.settings.consent_scope)


routes = [
    Route(f"{BASE}/eboxPreferences/search", preferences, methods=["POST"]),
    Route(f"{BASE}/citizenEboxConsents/search", consents, methods=["POST"]),
]
