"""One browser's sign-in attempt at an identity provider, kept in a short-lived signed cookie
between leaving for the provider and coming back: the `state` that binds the answer to this
browser, the `nonce` the ID token must carry, the PKCE verifier, and where to go afterwards.

The cookie is signed (HMAC-SHA256) with a key derived from the provider's client secret: every
replica that can finish this provider's sign-in holds that secret, so the key needs no setting
of its own, and a browser cannot change its `next` or its municipality. It lives 10 minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass

COOKIE = "loket_oidc"
MAX_AGE_S = 600


@dataclass(frozen=True)
class Attempt:
    municipality: str
    state: str
    nonce: str
    code_verifier: str
    next_path: str
    lang: str
    started_at: float

    @classmethod
    def new(cls, municipality: str, next_path: str, lang: str, now: float | None = None) -> Attempt:
        return cls(municipality, secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                   secrets.token_urlsafe(64), next_path, lang, time.time() if now is None else now)

    @property
    def code_challenge(self) -> str:
        """PKCE S256: the provider gets the hash now and the verifier with the code."""
        digest = hashlib.sha256(self.code_verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def sealed(self, client_secret: str) -> str:
        body = _b64(json.dumps(asdict(self), separators=(",", ":")).encode())
        return f"{body}.{_b64(_mac(client_secret, body))}"


def municipality_of(cookie: str) -> str | None:
    """Which provider's secret to check the cookie with (unverified until `opened`)."""
    try:
        value = json.loads(_unb64(cookie.split(".", 1)[0]))
        return value["municipality"] if isinstance(value.get("municipality"), str) else None
    except (ValueError, AttributeError, KeyError):
        return None


def opened(cookie: str, client_secret: str, now: float | None = None) -> Attempt | None:
    """The attempt, if the cookie is ours, unchanged and at most `MAX_AGE_S` old."""
    body, _, mac = cookie.partition(".")
    try:
        if not hmac.compare_digest(_unb64(mac), _mac(client_secret, body)):
            return None
        attempt = Attempt(**json.loads(_unb64(body)))
    except (ValueError, TypeError):
        return None
    age = (time.time() if now is None else now) - attempt.started_at
    return attempt if 0 <= age <= MAX_AGE_S else None


def _mac(client_secret: str, body: str) -> bytes:
    key = hmac.new(client_secret.encode(), b"loket oidc attempt cookie", hashlib.sha256).digest()
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
