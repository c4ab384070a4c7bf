"""While the database is unreachable, requests get 503 with Retry-After, never a bare 500:
problem+json for programs, a page in the person's language for browsers; other errors and
answers already under way pass through."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from starlette.types import Receive, Scope, Send

from loket.infra.http.unavailable import RETRY_AFTER_S, DatabaseUnavailableMiddleware


def failing_with(error: BaseException, *, after_start: bool = False):  # type: ignore[no-untyped-def]
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if after_start:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        raise error
    return app


async def call(app: Any, path: str = "/public/book", *, accept: str = "application/json", query: str = "",
               method: str = "GET", headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, dict[str, str], bytes]:
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "headers": [(b"accept", accept.encode()), *(headers or [])], "scheme": "http",
             "server": ("127.0.0.1", 8101), "client": ("127.0.0.1", 5000), "root_path": ""}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await DatabaseUnavailableMiddleware(app)(scope, receive, send)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


async def refused_by_asyncpg() -> None:
    await asyncpg.connect("postgresql://nobody@127.0.0.1:1/none", timeout=5)  # nothing listens on port 1


def failing_in_asyncpg():  # type: ignore[no-untyped-def]
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await refused_by_asyncpg()
    return app


async def test_a_connection_refused_inside_asyncpg_is_a_503() -> None:
    status, headers, _ = await call(failing_in_asyncpg())
    assert status == 503 and headers["retry-after"] == str(RETRY_AFTER_S)


async def test_a_connection_refused_by_another_client_is_not_the_databases() -> None:
    with pytest.raises(ConnectionRefusedError):
        await call(failing_with(ConnectionRefusedError(111, "Connection refused")))


@pytest.mark.parametrize("error", [asyncpg.ConnectionDoesNotExistError("connection was closed in the middle"),
                                   asyncpg.CannotConnectNowError("the database system is starting up"),
                                   asyncpg.AdminShutdownError("terminating connection due to administrator command"),
                                   asyncpg.TooManyConnectionsError("too many clients already")])
async def test_a_program_gets_a_503_problem_with_retry_after(error: BaseException) -> None:
    status, headers, body = await call(failing_with(error))
    assert status == 503
    assert headers["content-type"] == "application/problem+json"
    assert headers["retry-after"] == str(RETRY_AFTER_S)
    assert json.loads(body) == {"type": "about:blank", "title": "Service Unavailable", "status": 503,
                                "detail": "the service cannot reach its database; send the request again in "
                                          f"{RETRY_AFTER_S} seconds or later"}


@pytest.mark.parametrize(("lang", "words"), [("nl", "Even niet beschikbaar"), ("fr", "Momentanément indisponible"),
                                             ("de", "Kurz nicht verfügbar"), ("en", "Unavailable for a moment")])
async def test_a_browser_gets_a_page_in_its_language_with_a_way_back(lang: str, words: str) -> None:
    status, headers, body = await call(failing_in_asyncpg(), "/public/book/points",
                                       accept="text/html,application/xhtml+xml", query=f"lang={lang}&postcode=1000")
    page = body.decode()
    assert status == 503 and headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in page and words in page
    assert 'href="/public/book/points?lang=' in page and "postcode=1000" in page


async def test_the_browsers_language_is_used_without_a_choice() -> None:
    _, _, body = await call(failing_in_asyncpg(), accept="text/html",
                            headers=[(b"accept-language", b"fr-BE,fr;q=0.9,nl;q=0.5")])
    assert '<html lang="fr">' in body.decode()


async def test_a_form_sent_by_post_links_back_to_its_page_without_the_query() -> None:
    _, _, body = await call(failing_in_asyncpg(), "/public/book/points/p1", accept="text/html",
                            method="POST", query="lang=en")
    assert 'href="/public/book/points/p1"' in body.decode()
    assert "refresh" not in body.decode()  # a form is never sent again by itself


async def test_a_page_asked_for_by_get_asks_again_by_itself_without_scripts() -> None:
    _, _, body = await call(failing_in_asyncpg(), "/display/mechelen-stadhuis", accept="text/html")
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in body.decode()


async def test_other_errors_are_not_turned_into_503() -> None:
    with pytest.raises(ValueError):
        await call(failing_with(ValueError("a bug")))
    with pytest.raises(asyncpg.UniqueViolationError):
        await call(failing_with(asyncpg.UniqueViolationError("duplicate key")))


async def test_an_answer_already_under_way_is_cut_not_replaced() -> None:
    with pytest.raises(asyncpg.ConnectionDoesNotExistError):
        await call(failing_with(asyncpg.ConnectionDoesNotExistError("closed"), after_start=True))
