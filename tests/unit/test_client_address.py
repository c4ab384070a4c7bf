"""X-Forwarded-For names the client only when a trusted proxy sent it; the public rate limiter
keys on that client and forgets the least recently seen one past its bound."""

from __future__ import annotations

import aiohttp
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from loket.infra.http.client_address import (
    ClientAddressMiddleware,
    forwarded_client,
    parse_networks,
)
from tests.support.served_app import served

PROXIES = parse_networks("10.0.0.0/8, 127.0.0.1")


@pytest.mark.parametrize(("peer", "header", "client"), [
    ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from a proxy: the header is ignored
    ("10.1.2.3", "198.51.100.1", "198.51.100.1"),
    ("10.1.2.3", "6.6.6.6, 198.51.100.1, 10.9.9.9", "198.51.100.1"),  # left-most is the client's claim
    ("10.1.2.3", None, "10.1.2.3"),
    ("10.1.2.3", "not-an-address", "10.1.2.3"),
])
def test_the_client_behind_trusted_proxies(peer: str, header: str | None, client: str) -> None:
    assert forwarded_client(peer, header, PROXIES) == client


def test_a_typo_in_the_proxy_list_is_refused() -> None:
    with pytest.raises(ValueError, match="'10.0.0.0/33' is not an IP address or network"):
        parse_networks("10.0.0.0/33")


async def seen_client(trusted: str, forwarded: str) -> str:
    async def who(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.client.host if request.client else "?")

    app = ClientAddressMiddleware(Starlette(routes=[Route("/", who)]), parse_networks(trusted))
    async with served(app) as base, aiohttp.ClientSession() as http, \
            http.get(base, headers={"X-Forwarded-For": forwarded}) as r:
        return await r.text()


async def test_over_http_only_a_trusted_peer_may_name_the_client() -> None:
    assert await seen_client("127.0.0.1/32", "198.51.100.7") == "198.51.100.7"
    assert await seen_client("10.0.0.0/8", "198.51.100.7") == "127.0.0.1"
