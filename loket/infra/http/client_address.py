"""Who is on the other end: the peer address, or the client a trusted proxy forwarded for.

Behind an ingress every request comes from the proxy's address, so per-client limits would
throttle everyone together and the audit trail would name the proxy. `X-Forwarded-For` fixes
that, but any client can send the header: it is honoured only when the peer is one of the
configured trusted proxies (`LOKET_TRUSTED_PROXIES`, CIDRs), and then the client is the
right-most address that is not itself a trusted proxy (the left-most is whatever the client
claimed). Uvicorn's own proxy-header handling is switched off so this is the only rule.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from loket.infra.identity.session_store import Client

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """'10.0.0.0/8, 192.168.1.7' → networks; a clear ValueError for anything else."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
    return tuple(networks)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop if _is_address(hop) else peer
    return hops[0] if hops and _is_address(hops[0]) else peer


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class ClientAddressMiddleware:
    """Rewrites `scope["client"]` so every later reader (rate limits, audit) sees the real client."""

    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...] = ()) -> None:
        self.app, self.trusted = app, trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted and scope.get("client"):
            header = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"), None)
            client = forwarded_client(scope["client"][0], header, self.trusted)
            if client != scope["client"][0]:
                scope = {**scope, "client": (client, 0)}
        await self.app(scope, receive, send)


def client_host(request: HTTPConnection) -> str | None:
    """The client's address, as `ClientAddressMiddleware` left it (None: no peer, as under an
    in-process test transport)."""
    return request.client.host if request.client else None


def client_label(request: HTTPConnection) -> str:
    """The client's address for rate limits and the audit trail, which need a value."""
    return client_host(request) or "unknown"


def session_client(request: HTTPConnection) -> Client:
    """Who signs in, as the session remembers it: browser and address."""
    return Client(request.headers.get("user-agent"), client_host(request))
