"""Who sent a request: bearer API keys (`lk_…`, in the identity schema) or configured tokens, each
turned into a `Principal` with a role and a scope; refusals are 401 problem+json with the reason.

Configured tokens are for bootstrapping and machines without a database of keys: the operator's
`LOKET_ADMIN_TOKEN` (a platform operator; `loket up` generates one) and `LOKET_API_TOKENS_FILE`
(JSON: [{"name", "role", "sha256", "municipality", "points"}], stored as SHA-256 only). Health
and metrics stay open for probes and Prometheus; everything else needs a principal.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from loket.infra.configuration_error import ConfigurationError
from loket.infra.http.signin.person_pages import PersonPages
from loket.infra.identity.key_verifier import KeyVerifier, Refusal
from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import Role
from loket.infra.secret_strength import strong_secret

OPEN_PATHS = ("/health/live", "/health/ready", "/metrics")
# Role names of configured tokens from before roles had scopes.
_LEGACY_ROLES = {"admin": Role.OPERATOR}


class TokenFileError(ConfigurationError, ValueError):
    """A configured token cannot become a principal; the message says which and why."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_of(entry: dict[str, Any]) -> Principal:
    role_name = entry["role"]
    try:
        role = _LEGACY_ROLES.get(role_name) or Role(role_name)
    except ValueError:
        raise TokenFileError(f"token {entry.get('name')!r}: unknown role {role_name!r}") from None
    try:
        return Principal(entry["name"], role, entry.get("municipality"), frozenset(entry.get("points", ())))
    except ValueError as exc:
        raise TokenFileError(f"token {entry.get('name')!r}: {exc} (add \"municipality\": REFNIS)") from None


class TokenStore:
    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self._by_hash = {e["sha256"].encode(): principal_of(e) for e in entries}

    @classmethod
    def from_environment(cls) -> TokenStore:
        entries: list[dict[str, Any]] = []
        if path := os.environ.get("LOKET_API_TOKENS_FILE"):
            entries += json.loads(Path(path).read_text())
        if admin := os.environ.get("LOKET_ADMIN_TOKEN"):
            strong_secret("LOKET_ADMIN_TOKEN", admin)
            entries.append({"name": "admin", "role": "operator", "sha256": hash_token(admin)})
        return cls(entries)

    def authenticate(self, token: str) -> Principal | None:
        digest = hash_token(token).encode()  # bytes: compare_digest raises on non-ASCII str
        for known, principal in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                return principal
        return None


class Authenticator:
    """Configured tokens first (no database round trip), then API keys."""

    def __init__(self, tokens: TokenStore, keys: KeyVerifier | None) -> None:
        self.tokens, self.keys = tokens, keys

    async def authenticate(self, token: str) -> Principal | Refusal:
        if (principal := self.tokens.authenticate(token)) is not None:
            return principal
        if self.keys is not None and token.startswith("lk_"):
            return await self.keys.authenticate(token)
        return Refusal("Unauthorized", "the bearer token is not valid")


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """RFC 9457 problem details."""
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


class BearerAuthMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware, which costs a task and a stream per request: it was a
    measurable share of a booking's latency).

    With `people`, the sign-in routes are open and pages for people also admit a signed-in
    person's session cookie (a bearer token still works there too)."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator, open_prefixes: tuple[str, ...] = (),
                 people: PersonPages | None = None) -> None:
        self.app = app
        self.authenticator = authenticator
        self.open_prefixes = open_prefixes
        self.people = people

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path in OPEN_PATHS or any(path.startswith(p) for p in self.open_prefixes) \
                or (self.people is not None and self.people.signs_in(path)):
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header and self.people is not None and self.people.covers(path):
            admitted = await self.people.admit(scope)
            if isinstance(admitted, Response):
                await admitted(scope, receive, send)
                return
            if admitted is not None:
                scope.setdefault("state", {})["principal"] = admitted
                await self.app(scope, receive, send)
                return
        if scheme.lower() != "bearer" or not token:
            response = problem(401, "Unauthorized", "send 'Authorization: Bearer <token>'")
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        found = await self.authenticator.authenticate(token.strip())
        if isinstance(found, Refusal):
            response = problem(401, found.title, found.detail)
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = found
        await self.app(scope, receive, send)
