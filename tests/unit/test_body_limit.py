"""Request bodies are capped before the application buffers them: a declared length over the
limit is refused unread, an undeclared (chunked) body is counted as it streams."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from loket.infra.http.body_limit import BodyLimitMiddleware, limit_for
from tests.support.served_app import served


def app_with(calls: list[int]) -> BodyLimitMiddleware:
    async def echo(request: Request) -> JSONResponse:
        calls.append(1)
        return JSONResponse({"size": len(await request.body())})

    inner = Starlette(routes=[Route("/small", echo, methods=["POST"]), Route("/docs/upload", echo, methods=["POST"])])
    return BodyLimitMiddleware(inner, limits=[("/docs/", 10_000)], default=100)


async def test_a_declared_length_over_the_limit_is_refused_before_the_handler_runs() -> None:
    calls: list[int] = []
    async with served(app_with(calls)) as base, aiohttp.ClientSession() as http, \
            http.post(f"{base}/small", data=b"x" * 101) as response:
        assert response.status == 413
        assert response.content_type == "application/problem+json"
        assert "limit of 100 bytes" in (await response.json(content_type=None))["detail"]
    assert calls == []


async def test_a_browser_is_refused_with_a_page_in_its_language() -> None:
    calls: list[int] = []
    async with served(app_with(calls)) as base, aiohttp.ClientSession() as http, \
            http.post(f"{base}/small?lang=de", data=b"x" * 101, headers={"Accept": "text/html"}) as response:
        assert response.status == 413 and response.content_type == "text/html"
        page = await response.text()
        assert '<html lang="de"' in page and "Zu lang" in page and "Gehen Sie zurück" in page
    assert calls == []


async def test_an_undeclared_streamed_body_is_counted_and_refused() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 40

    calls: list[int] = []
    async with served(app_with(calls)) as base, aiohttp.ClientSession() as http, \
            http.post(f"{base}/small", data=chunks()) as response:  # an async generator is sent chunked
        assert response.status == 413
        assert "Content-Length" not in response.request_info.headers
    assert calls == [1]  # the handler started reading; the stream was cut at the limit


async def test_bodies_within_the_limit_pass_and_the_longest_prefix_sets_the_limit() -> None:
    calls: list[int] = []
    async with served(app_with(calls)) as base, aiohttp.ClientSession() as http:
        async with http.post(f"{base}/small", data=b"x" * 100) as r:
            assert await r.json() == {"size": 100}
        async with http.post(f"{base}/docs/upload", data=b"x" * 5_000) as r:
            assert await r.json() == {"size": 5_000}
        async with http.post(f"{base}/docs/upload", data=b"x" * 10_001) as r:
            assert r.status == 413
    assert limit_for("/docs/upload", [("/docs/", 10), ("/docs/upload", 20)], 5) == 20
    assert limit_for("/elsewhere", [("/docs/", 10)], 5) == 5


def test_the_letters_api_takes_a_letter_up_to_its_limit_and_no_more() -> None:
    """The bridge's own limits: a single letter by the letter size limit, a batch by the batch
    limit, anything else (a status query, the print-house confirmation aside) by the default."""
    from loket.infra.http.body_limit import DEFAULT_BODY_LIMIT
    from services.ebox_bridge.api.routes import BATCH_BODY_LIMIT, BODY_LIMITS, LETTER_BODY_LIMIT

    assert limit_for("/v1/letters", BODY_LIMITS, DEFAULT_BODY_LIMIT) == LETTER_BODY_LIMIT
    assert limit_for("/v1/letters/batch", BODY_LIMITS, DEFAULT_BODY_LIMIT) == BATCH_BODY_LIMIT
    assert limit_for("/v1/webhooks", BODY_LIMITS, DEFAULT_BODY_LIMIT) == DEFAULT_BODY_LIMIT
    assert DEFAULT_BODY_LIMIT < LETTER_BODY_LIMIT < BATCH_BODY_LIMIT


async def test_a_letter_over_the_letter_limit_is_refused_unread() -> None:
    from services.ebox_bridge.api.routes import BODY_LIMITS, LETTER_BODY_LIMIT

    calls: list[int] = []

    async def take(request: Request) -> JSONResponse:
        calls.append(len(await request.body()))
        return JSONResponse({}, status_code=202)

    app = BodyLimitMiddleware(Starlette(routes=[Route("/v1/letters", take, methods=["POST"])]), limits=BODY_LIMITS)
    async with served(app) as base, aiohttp.ClientSession() as http:
        async with http.post(f"{base}/v1/letters", data=b"x" * LETTER_BODY_LIMIT) as fits:
            assert fits.status == 202
        async with http.post(f"{base}/v1/letters", data=b"x" * (LETTER_BODY_LIMIT + 1)) as over:
            assert over.status == 413
    assert calls == [LETTER_BODY_LIMIT]
