"""The client's retry policy: what is retried, how long it waits (Retry-After wins), and that
the Idempotency-Key stays the same across the tries. The loop runs against a scripted local
aiohttp server; waits are recorded, never slept."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from loket_client import (
    AsyncLoketClient,
    BadRequest,
    Conflict,
    InvalidRequest,
    RetryPolicy,
    ServerError,
    TransportError,
)
from loket_client.retry import parse_retry_after

from loket.infra.embedded.ports import free_port

POLICY = RetryPolicy(max_attempts=4, base_delay_s=1.0, max_delay_s=8.0, max_retry_after_s=60.0)
ACCEPTED = {"letter_id": "6f1c1f7e-0000-4000-8000-000000000001", "status": "accepted",
            "status_url": "http://x/v1/letters/6f1c1f7e-0000-4000-8000-000000000001"}


@pytest.mark.parametrize(("status", "retried"), [
    (429, True), (500, True), (502, True), (503, True), (504, True),
    (400, False), (401, False), (403, False), (404, False), (409, False), (422, False),
])
def test_only_429_and_5xx_are_retried(status: int, retried: bool) -> None:
    assert POLICY.retries_status(status, idempotent=True) is retried


def test_a_request_that_is_not_idempotent_is_retried_only_when_surely_not_processed() -> None:
    assert [s for s in (429, 500, 502, 503, 504) if POLICY.retries_status(s, idempotent=False)] == [429, 503]


def test_the_wait_doubles_up_to_its_ceiling_with_full_jitter() -> None:
    top = [POLICY.delay_s(attempt, rng=lambda: 1.0) for attempt in range(1, 7)]
    assert top == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert POLICY.delay_s(3, rng=lambda: 0.25) == 1.0


def test_retry_after_wins_in_seconds_or_as_a_date_and_is_capped() -> None:
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    assert POLICY.delay_s(1, "7", rng=lambda: 1.0) == 7.0
    assert POLICY.delay_s(1, "3600") == 60.0  # a server cannot park the caller for an hour
    in_ten = email.utils.format_datetime(now + dt.timedelta(seconds=10), usegmt=True)
    assert POLICY.delay_s(1, in_ten, now=now) == 10.0
    assert parse_retry_after(email.utils.format_datetime(now - dt.timedelta(seconds=5), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None
    assert POLICY.delay_s(2, "soon", rng=lambda: 1.0) == 2.0  # unreadable: the computed wait


@dataclass
class Scripted:
    """A server answering each request with the next (status, body, headers) of its script."""

    script: list[tuple[int, dict | None, dict[str, str]]]
    keys: list[str | None] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    base: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.keys.append(request.headers.get("Idempotency-Key"))
        self.bodies.append(await request.read())
        status, body, headers = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if body is None:
            return web.Response(status=status, headers=headers)
        return web.json_response(body, status=status, headers=headers,
                                 content_type="application/problem+json" if status >= 400 else "application/json")


@pytest.fixture
async def serve() -> AsyncIterator:
    runners: list[web.AppRunner] = []

    async def start(script: list[tuple[int, dict | None, dict[str, str]]]) -> Scripted:
        server = Scripted(script)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", server.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        runners.append(runner)
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        server.base = f"http://127.0.0.1:{port}"
        return server

    yield start
    for runner in runners:
        await runner.cleanup()


def client(base: str, waits: list[float]) -> AsyncLoketClient:
    async def sleep(seconds: float) -> None:
        waits.append(seconds)
    return AsyncLoketClient(base, "lk_test", retry=POLICY, sleep=sleep)


def problem(status: int, title: str, **extra: object) -> dict:
    return {"type": "about:blank", "title": title, "status": status, "detail": f"{title}, really", **extra}


async def test_a_send_is_retried_through_429_and_503_under_one_key(serve) -> None:  # type: ignore[no-untyped-def]
    server = await serve([(429, problem(429, "Too many"), {"Retry-After": "3"}),
                          (503, problem(503, "Service unavailable"), {"Retry-After": "2"}),
                          (500, problem(500, "Internal error"), {}),
                          (202, ACCEPTED, {})])
    waits: list[float] = []
    async with client(server.base, waits) as loket:
        accepted = await loket.send_letter({"subject": "x"})
    assert accepted.letter_id == ACCEPTED["letter_id"]
    assert len(server.keys) == 4 and len(set(server.keys)) == 1 and server.keys[0]
    assert waits[:2] == [3.0, 2.0] and 0 <= waits[2] <= 4.0  # Retry-After honoured, then backoff


async def test_a_multipart_send_carries_its_pdf_on_every_try(serve) -> None:  # type: ignore[no-untyped-def]
    server = await serve([(503, problem(503, "Service unavailable"), {}), (202, ACCEPTED, {})])
    async with client(server.base, []) as loket:
        await loket.send_letter({"subject": "x"}, pdf=b"%PDF-1.7 the document")
    assert len(server.bodies) == 2 and all(b"%PDF-1.7 the document" in b and b'name="letter"' in b
                                           for b in server.bodies)


async def test_each_call_makes_its_own_key_unless_given_one(serve) -> None:  # type: ignore[no-untyped-def]
    server = await serve([(202, ACCEPTED, {})])
    async with client(server.base, []) as loket:
        await loket.send_letter({})
        await loket.send_letter({})
        await loket.send_letter({}, idempotency_key="mine-1")
    assert server.keys[0] != server.keys[1] and server.keys[2] == "mine-1"


@pytest.mark.parametrize(("status", "error"), [(400, BadRequest), (409, Conflict), (422, InvalidRequest)])
async def test_a_4xx_other_than_429_is_raised_at_once(serve, status: int, error: type) -> None:  # type: ignore[no-untyped-def]
    body = problem(status, "Refused", errors=[{"pointer": "/postal_address/postcode", "detail": "not Belgian"}])
    server = await serve([(status, body, {}), (202, ACCEPTED, {})])
    waits: list[float] = []
    async with client(server.base, waits) as loket:
        with pytest.raises(error) as raised:
            await loket.send_letter({})
    assert len(server.keys) == 1 and waits == []
    assert raised.value.status == status and raised.value.title == "Refused"
    assert raised.value.pointers == ["/postal_address/postcode"] and raised.value.body == body


async def test_5xx_that_lasts_is_raised_after_the_last_try(serve) -> None:  # type: ignore[no-untyped-def]
    server = await serve([(502, None, {})])
    waits: list[float] = []
    async with client(server.base, waits) as loket:
        with pytest.raises(ServerError) as raised:
            await loket.get_letter("6f1c1f7e-0000-4000-8000-000000000001")
    assert raised.value.status == 502 and raised.value.attempts == POLICY.max_attempts
    assert len(server.keys) == POLICY.max_attempts and len(waits) == POLICY.max_attempts - 1


async def test_creating_a_webhook_is_not_sent_again_after_a_500(serve) -> None:  # type: ignore[no-untyped-def]
    server = await serve([(500, problem(500, "Internal error"), {}), (201, {}, {})])
    async with client(server.base, []) as loket:
        with pytest.raises(ServerError):
            await loket.create_webhook("https://example.test/hook")
    assert len(server.keys) == 1  # the endpoint may exist: a second try could make two


async def test_a_refused_connection_is_retried_then_raised() -> None:
    waits: list[float] = []
    async with client(f"http://127.0.0.1:{free_port()}", waits) as loket:  # nothing listens there
        with pytest.raises(TransportError):
            await loket.list_letters()
    assert len(waits) == POLICY.max_attempts - 1


def test_a_client_made_before_any_loop_runs_works_inside_one() -> None:
    loket = AsyncLoketClient(f"http://127.0.0.1:{free_port()}", "lk_test", retry=RetryPolicy(max_attempts=1))

    async def use() -> None:
        with pytest.raises(TransportError):
            await loket.list_letters()
        await loket.close()

    asyncio.run(use())


CANCELLED = {"letter_id": ACCEPTED["letter_id"], "municipality": "12025", "status": "cancelled",
             "received_at": "2026-12-02T12:00:00+00:00", "channels": {"paper": {"state": "cancelled"}}, "history": []}
NOT_CANCELLABLE = problem(409, "Not cancellable", detail="the letter is cancelled already")


async def test_a_cancel_whose_answer_was_lost_reports_the_cancel_it_made(serve) -> None:  # type: ignore[no-untyped-def]
    # 1st try: cancelled, answer lost (502); 2nd: "not cancellable" (it is, by the 1st); then the read.
    server = await serve([(502, None, {}), (409, NOT_CANCELLABLE, {}), (200, CANCELLED, {})])
    async with client(server.base, []) as loket:
        view = await loket.cancel_letter(ACCEPTED["letter_id"])
    assert view.status == "cancelled" and len(server.keys) == 3


async def test_a_cancel_refused_at_the_first_try_is_a_conflict(serve) -> None:  # type: ignore[no-untyped-def]
    server = await serve([(409, NOT_CANCELLABLE, {}), (200, CANCELLED, {})])
    async with client(server.base, []) as loket:
        with pytest.raises(Conflict):
            await loket.cancel_letter(ACCEPTED["letter_id"])  # cancelled before this call: not its doing
    assert len(server.keys) == 1
