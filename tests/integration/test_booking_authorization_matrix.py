"""The authorisation matrix, generated from booking's endpoint declarations: every endpoint ×
every role × three scopes (the principal's own point, another point of the same municipality,
another municipality) gets the answer the declaration implies, over real HTTP.

- a role the endpoint does not serve: 403;
- an object at another municipality, or (for roles bound to points) at another point: 404, the
  same answer as an object that does not exist;
- otherwise the request reaches the handler (whatever it then says: 2xx, 409, 422, but never 401,
  403 or 404).
An endpoint is declared with a scope or it cannot be declared at all; an endpoint whose scope
this test does not know how to address fails here until the test is taught.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from loket.infra.identity.roles import POINT_ROLES, Role
from services.booking.http.scopes import InBody, InPath, Open
from tests.integration.test_booking_appointments import free_slots, wish
from tests.support.booking_harness import MECHELEN, RunningBooking, running_booking
from tests.support.seat_slots import open_hour

STADHUIS, DIGIBANK = "mechelen-stadhuis", "mechelen-digibank-predikheren"
# Where the principal works, per scope; every object of the matrix lives at STADHUIS or DIGIBANK.
SCOPES = {
    "own point": {"municipality": MECHELEN, "points": [STADHUIS, DIGIBANK]},
    "other point": {"municipality": MECHELEN, "points": ["mechelen-bpost-centrum"]},
    "other municipality": {"municipality": "63023", "points": ["eupen-digibank"]},
}


def principals() -> dict[str, dict[str, Any]]:
    found = {}
    for role in Role:
        if role is Role.OPERATOR:
            found["operator"] = {"role": "operator"}
            continue
        for scope, where in SCOPES.items():
            found[f"{role}@{scope}"] = {"role": role.value, **where}
    return found


def expected(roles: frozenset[Role], role: Role, scope: str) -> str:
    if role is Role.OPERATOR:
        return "handled"
    if role not in roles:
        return "403"
    if scope == "other municipality" or (scope == "other point" and role in POINT_ROLES):
        return "404"
    return "handled"


async def objects(booking: RunningBooking) -> dict[str, str]:
    """One of each kind of object the scopes name, made by the operator."""
    slot = (await free_slots(booking))[0]
    status, appointment = await booking.call("POST", "/public/appointments", json=wish(slot))
    assert status == 201, appointment
    await booking.call("POST", f"/staff/points/{STADHUIS}/tickets", "admin", json={"language": "nl"})
    status, visit = await booking.call("POST", f"/staff/points/{STADHUIS}/call-next", "admin",
                                       json={"helper_id": "mechelen-an"})
    assert status == 200, visit
    status, _ = await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "admin",
                                   json={"device_id": "matrix-laptop", "kind": "laptop", "label": "Matrix"})
    assert status == 201, _
    status, loan = await booking.call("POST", "/staff/loans", "admin", json=lend_body("matrix-laptop"))
    assert status == 201, loan
    await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "admin",
                       json={"device_id": "matrix-tablet", "kind": "tablet", "label": "Matrix 2"})
    starts, ends = open_hour(DIGIBANK)
    status, seat = await booking.call("POST", f"/staff/points/{DIGIBANK}/seats", "admin", json={
        "kind": "workstation", "starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "language": "nl"})
    assert status == 201, seat
    status, workshop = await booking.call("POST", f"/staff/points/{DIGIBANK}/workshops", "admin", json={
        "title": "Matrix", "language": "nl", "capacity": 3, "trainer": "An", "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat()})
    assert status == 201, workshop
    status, registration = await booking.call("POST", f"/public/workshops/{workshop['workshop_id']}/registrations",
                                              json={"contact": {"email": "matrix@example.be", "language": "nl"}})
    assert status == 201, registration
    return {"assistance point": STADHUIS, "appointment": appointment["appointment_id"], "visit": visit["visit_id"],
            "device": "matrix-tablet", "loan": loan["loan_id"], "slot": slot["starts_at"],
            "seat booking": seat["booking_id"], "workshop": workshop["workshop_id"],
            "workshop registration": registration["registration_id"]}


def lend_body(device_id: str) -> dict[str, Any]:
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
    return {"device_id": device_id, "due_at": due, "language": "nl",
            "contact": {"email": "matrix@example.org", "language": "nl"}}


def request_for(endpoint: Any, made: dict[str, str]) -> tuple[str, dict[str, Any]]:
    scope = endpoint.scope
    path, body = endpoint.path, {}
    if isinstance(scope, InPath):
        path = path.replace("{" + scope.param + "}", made[scope.what])
    elif isinstance(scope, InBody) and scope.what == "assistance point":
        body = wish({"starts_at": made["slot"]}, point_id=made["assistance point"])
    elif isinstance(scope, InBody) and scope.what == "device":
        body = lend_body(made["device"])
    else:
        raise AssertionError(f"{endpoint.method} {endpoint.path}: teach this test to address {scope}")
    assert "{" not in path, f"{endpoint.method} {endpoint.path}: a path parameter the scope does not name"
    return path, body


async def test_every_endpoint_answers_every_role_in_every_scope_as_declared(
        database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, extra_tokens=principals()) as booking:
        made = await objects(booking)
        checked, wrong = 0, []
        for endpoint in booking.endpoints:
            if isinstance(endpoint.scope, Open):
                assert endpoint.roles is None and endpoint.path.startswith("/public/"), endpoint.path
                continue
            path, body = request_for(endpoint, made)
            for name in principals():
                role = Role(name.split("@")[0])
                scope = name.split("@")[1] if "@" in name else "everywhere"
                status, answer = await booking.call(endpoint.method, path, name, json=body or None)
                want = expected(endpoint.roles, role, scope)
                got = str(status) if status in (401, 403, 404) else "handled"
                if got != want:
                    wrong.append(f"{endpoint.method} {endpoint.path} as {name}: {status} {answer}, expected {want}")
                if want == "404":  # indistinguishable from an unknown object
                    assert answer["title"] == f"Unknown {endpoint.scope.what}", answer
                checked += 1
        assert not wrong, "\n".join(wrong)
        non_open = [e for e in booking.endpoints if not isinstance(e.scope, Open)]
        assert checked == len(non_open) * len(principals()) and len(non_open) >= 15


async def test_another_tenants_object_answers_like_an_unknown_one(
        database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    eupen = {"eupen-staff": {"role": "staff", "municipality": "63023", "points": ["eupen-rathaus"]}}
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, extra_tokens=eupen) as booking:
        made = await objects(booking)
        foreign = await booking.call("POST", f"/staff/appointments/{made['appointment']}/check-in", "eupen-staff")
        unknown = await booking.call("POST", "/staff/appointments/00000000-0000-4000-8000-000000000000/check-in",
                                     "eupen-staff")
        assert foreign[0] == unknown[0] == 404
        assert foreign[1]["title"] == unknown[1]["title"] == "Unknown appointment"
        mine = await booking.call("POST", f"/staff/appointments/{made['appointment']}/check-in", "staff")
        assert mine[0] == 200


async def test_keys_that_expired_or_were_revoked_get_401_with_the_reason(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    from loket.infra.identity import api_keys, repository
    from loket.infra.identity.schema import migrate_identity

    now = dt.datetime.now(dt.UTC)
    keys = {name: api_keys.new_key() for name in ("valid", "expired", "revoked")}
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        for name, key in keys.items():
            expires = now - dt.timedelta(minutes=1) if name == "expired" else now + dt.timedelta(days=1)
            await repository.insert_key(conn, key.prefix, key.secret_sha256, f"matrix {name}", MECHELEN,
                                        "staff", [STADHUIS], "test", expires)
        await repository.revoke_key(conn, keys["revoked"].prefix, now)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        path = f"/staff/points/{STADHUIS}/queue"
        answers = {}
        for name, key in keys.items():
            async with booking.http.get(f"{booking.base}{path}",
                                        headers={"Authorization": f"Bearer {key.token}"}) as r:
                answers[name] = (r.status, r.headers["content-type"], await r.json(content_type=None))
        assert answers["valid"][0] == 200
        for name, title in (("expired", "API key expired"), ("revoked", "API key revoked")):
            status, media_type, body = answers[name]
            assert (status, media_type, body["title"]) == (401, "application/problem+json", title)
            assert keys[name].prefix in body["detail"] and keys[name].token not in body["detail"]
