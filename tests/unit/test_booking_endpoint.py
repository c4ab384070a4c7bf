"""The endpoint wrapper: roles, body validation, a crashing handler and the public rate limit,
served on loopback without a database."""

from __future__ import annotations

import aiohttp
import asyncpg
from pydantic import BaseModel
from starlette.applications import Starlette

from loket.infra.http.auth import Authenticator, BearerAuthMiddleware, TokenStore, hash_token
from loket.infra.identity.roles import Role
from services.booking.http.endpoint import Endpoint, to_route
from services.booking.http.scopes import OPEN
from services.booking.locations import Locator
from tests.support.memory_rate_limit import MemoryRateLimit
from tests.support.served_app import served


class Echo(BaseModel):
    word: str


def build(errors: list[int]) -> Starlette:
    async def echo(request, body: Echo) -> BaseModel:  # type: ignore[no-untyped-def]
        return body

    async def boom(request) -> BaseModel:  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    collisions = iter([1, 0, 3])  # deadlocks before each call's success; the last one never succeeds

    async def collide(request) -> BaseModel:  # type: ignore[no-untyped-def]
        if request.query_params["n"] not in collisions_left:
            collisions_left[request.query_params["n"]] = next(collisions)
        remaining = collisions_left[request.query_params["n"]]
        if remaining > 0:
            collisions_left[request.query_params["n"]] = remaining - 1
            raise asyncpg.DeadlockDetectedError("deadlock detected")
        return Echo(word="booked")

    collisions_left: dict[str, int] = {}
    # Open scopes: no object to locate, so no database is needed.
    locator, no_pool = Locator("unused"), lambda: None
    routes = [to_route(Endpoint("POST", "/echo", echo, "echo", frozenset({Role.STAFF}), OPEN, body=Echo), locator,
                       no_pool, None, lambda: errors.append(1)),
              to_route(Endpoint("GET", "/public/collide", collide, "collide", None, OPEN), locator, no_pool, None,
                       lambda: errors.append(1)),
              to_route(Endpoint("GET", "/public/boom", boom, "boom", None, OPEN), locator, no_pool,
                       MemoryRateLimit(60, 2), lambda: errors.append(1))]
    store = TokenStore([{"name": "kiosk", "role": "staff", "municipality": "12025", "sha256": hash_token("s")},
                        {"name": "reporter", "role": "analyst", "municipality": "12025", "sha256": hash_token("r")}])
    app = Starlette(routes=routes)
    app.add_middleware(BearerAuthMiddleware, authenticator=Authenticator(store, None), open_prefixes=("/public/",))
    return app


async def test_roles_validation_errors_crashes_and_rate_limits_are_answered_precisely() -> None:
    errors: list[int] = []
    async with served(build(errors)) as base, aiohttp.ClientSession(base_url=base) as http:
        async with http.post("/echo", json={"word": "hi"}) as r:
            assert r.status == 401
        async with http.post("/echo", json={"word": "hi"}, headers={"Authorization": "Bearer r"}) as r:
            assert r.status == 403 and "serves staff" in (await r.json(content_type=None))["detail"]
        async with http.post("/echo", json={"word": "hi"}, headers={"Authorization": "Bearer s"}) as r:
            assert r.status == 200 and await r.json() == {"word": "hi"}
        async with http.post("/echo", json={"word": 3}, headers={"Authorization": "Bearer s"}) as r:
            assert r.status == 422 and (await r.json(content_type=None))["errors"][0]["location"] == "body.word"
        async with http.get("/public/boom") as r:
            assert r.status == 500 and "a bug" not in await r.text()
        assert errors == [1]
        async with http.get("/public/boom") as r:
            assert r.status == 500
        async with http.get("/public/boom") as r:  # the burst of 2 is spent
            assert r.status == 429 and r.headers["Retry-After"] == "1"


async def test_a_transaction_aborted_by_a_deadlock_is_run_again_then_answered_busy() -> None:
    errors: list[int] = []
    async with served(build(errors)) as base, aiohttp.ClientSession(base_url=base) as http:
        async with http.get("/public/collide", params={"n": "a"}) as r:  # one deadlock, then it goes through
            assert r.status == 200 and await r.json() == {"word": "booked"}
        async with http.get("/public/collide", params={"n": "b"}) as r:
            assert r.status == 200
        async with http.get("/public/collide", params={"n": "c"}) as r:  # three in a row: 503, not 500
            assert r.status == 503 and "try again" in (await r.json(content_type=None))["detail"]
    assert errors == []
