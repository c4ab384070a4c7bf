"""Bearer-token authentication with roles; tokens are stored only as SHA-256 hashes.

Tokens come from `LOKET_API_TOKENS_FILE` (JSON: [{"name", "role", "sha256"}]) and/or from
`LOKET_ADMIN_TOKEN` (a single admin token, e.g. a Kubernetes secret). `loket up` generates an
admin token in its data directory on first start. Health and metrics stay open for probes and
Prometheus; everything else needs a token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

OPEN_PATHS = ("/health/live", "/health/ready", "/metrics")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    name: str
    role: str


class TokenStore:
    def __init__(self, entries: list[dict[str, str]]) -> None:
        self._by_hash = {e["sha256"]: Principal(e["name"], e["role"]) for e in entries}

    @classmethod
    def from_environment(cls) -> TokenStore:
        entries: list[dict[str, str]] = []
        if path := os.environ.get("LOKET_API_TOKENS_FILE"):
            entries += json.loads(Path(path).read_text())
        if admin := os.environ.get("LOKET_ADMIN_TOKEN"):
            entries.append({"name": "admin", "role": "admin", "sha256": hash_token(admin)})
        return cls(entries)

    def authenticate(self, token: str) -> Principal | None:
        digest = hash_token(token)
        for known, principal in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                return principal
        return None


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """RFC 9457 problem details."""
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


class BearerAuthMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware, which costs a task and a stream per request: it was a
    measurable share of a booking's latency)."""

    def __init__(self, app: ASGIApp, store: TokenStore, open_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.store = store
        self.open_prefixes = open_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path in OPEN_PATHS or any(path.startswith(p) for p in self.open_prefixes):
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            response = problem(401, "Unauthorized", "send 'Authorization: Bearer <token>'")
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        principal = self.store.authenticate(token.strip())
        if principal is None:
            await problem(401, "Unauthorized", "the bearer token is not valid")(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
