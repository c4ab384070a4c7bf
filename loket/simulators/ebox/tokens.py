"""OAuth2 client credentials with a `private_key_jwt` client assertion, and the tokens it issues.

Without a configured client key the assertion's signature is NOT verified (PyJWT and
cryptography are not project dependencies): the simulator checks that it is a well-formed JWT
whose `iss` and `sub` name a configured client and that it has not expired. With
`client_public_key_pem` set (a public key or certificate), the signature is verified with PyJWT,
imported only then, and a bad signature is 401 `invalid_client` as the real token endpoint does.
Issued access tokens are opaque random strings.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from loket.simulators.ebox.errors import EboxError

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class OAuthError(Exception):
    """RFC 6749 §5.2 error: the token endpoint answers `{error, error_description}`."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


@dataclass(frozen=True)
class AccessToken:
    value: str
    client_id: str
    scopes: frozenset[str]
    expires_at: float


def _b64url_json(segment: str) -> dict[str, Any]:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        decoded = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError) as exc:
        raise OAuthError(400, "invalid_client", "client_assertion is not a JWT") from exc
    if not isinstance(decoded, dict):
        raise OAuthError(400, "invalid_client", "client_assertion is not a JWT")
    return decoded


def assertion_client(assertion: str, client_ids: list[str], now: float) -> str:
    """Return the client id the assertion speaks for, or raise invalid_client."""
    parts = assertion.split(".")
    if len(parts) != 3 or not all(parts):
        raise OAuthError(400, "invalid_client", "client_assertion is not a signed JWT")
    header, claims = _b64url_json(parts[0]), _b64url_json(parts[1])
    if not header.get("alg") or header.get("alg") == "none":
        raise OAuthError(400, "invalid_client", "client_assertion must be signed")
    iss, sub = claims.get("iss"), claims.get("sub")
    if iss != sub or iss not in client_ids:
        raise OAuthError(401, "invalid_client", "unknown client")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp < now:
        raise OAuthError(401, "invalid_client", "client_assertion expired or without exp")
    return str(iss)


def verify_signature(assertion: str, public_key_pem: str) -> None:
    """Raise invalid_client unless the assertion is signed by the configured client key."""
    import jwt  # optional: only a simulator configured with a client key needs PyJWT
    from cryptography import x509

    key: object = public_key_pem
    if "BEGIN CERTIFICATE" in public_key_pem:
        key = x509.load_pem_x509_certificate(public_key_pem.encode()).public_key()
    try:
        # Claims were checked above; `aud` is the caller's token URL, which varies per test host.
        jwt.decode(
            assertion,
            key,  # type: ignore[arg-type]
            algorithms=["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"],
            options={"verify_aud": False, "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise OAuthError(401, "invalid_client", f"client_assertion signature: {exc}") from exc


class TokenIssuer:
    def __init__(
        self,
        client_ids: list[str],
        scopes: frozenset[str],
        ttl_s: float,
        client_public_key_pem: str = "",
    ) -> None:
        self._client_ids = client_ids
        self._public_key_pem = client_public_key_pem
        self._scopes = scopes
        self._ttl_s = ttl_s
        self._tokens: dict[str, AccessToken] = {}
        self.issued_total = 0

    def issue(self, form: dict[str, str]) -> AccessToken:
        if form.get("grant_type") != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != JWT_BEARER:
            raise OAuthError(400, "invalid_client", f"client_assertion_type must be {JWT_BEARER}")
        now = time.time()
        assertion = form.get("client_assertion", "")
        client_id = assertion_client(assertion, self._client_ids, now)
        if self._public_key_pem:
            verify_signature(assertion, self._public_key_pem)
        requested = frozenset(form.get("scope", "").split())
        if not requested or not requested <= self._scopes:
            raise OAuthError(400, "invalid_scope", "unknown or missing scope")
        token = AccessToken(secrets.token_urlsafe(32), client_id, requested, now + self._ttl_s)
        self._tokens[token.value] = token
        self.issued_total += 1
        return token

    def expire_all(self) -> int:
        """Expire every live token now (as if their lifetime had passed); returns how many."""
        expired = len(self._tokens)
        for value, token in self._tokens.items():
            self._tokens[value] = AccessToken(token.value, token.client_id, token.scopes, 0.0)
        return expired

    def require(self, authorization: str | None, scope: str) -> AccessToken:
        """401 without a live token, 403 when the token lacks the operation's scope."""
        scheme, _, value = (authorization or "").partition(" ")
        token = self._tokens.get(value) if scheme.lower() == "bearer" else None
        if token is None:
            raise EboxError(401, "INVALID_TOKEN", "missing or unknown access token")
        if token.expires_at <= time.time():
            del self._tokens[value]
            raise EboxError(401, "INVALID_TOKEN", "access token expired")
        if scope not in token.scopes:
            raise EboxError(403, "FORBIDDEN", f"access token lacks scope {scope}")
        return token
