"""CSRF tokens for the forms: every POST carries the token in a hidden field, and a missing or
wrong token is refused before anything is read or written.

Once signed in (or half-way), the token is the session's own secret. The sign-in form comes
before any session: its token sits in a short-lived cookie as well (double submit), which a
foreign site can neither read nor, with `__Host-` cookies, set.
"""

from __future__ import annotations

import hmac
import secrets

FIELD = "csrf"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def matches(sent: str | None, expected: str | None) -> bool:
    if not sent or not expected:
        return False
    return hmac.compare_digest(sent.encode(), expected.encode())
