"""API keys for systems: `lk_<prefix>_<secret>`, shown once, stored as SHA-256 of the secret.

The prefix is public (it names the key in lists, logs and audit rows); the secret is 256 random
bits, so a plain SHA-256 is enough to store it (a slow password hash protects guessable secrets,
which these are not) and a look-up by prefix costs one indexed row.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

_FORMAT = re.compile(r"^lk_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewKey:
    prefix: str
    secret_sha256: str
    token: str  # the whole key: given to its owner once, never stored


def new_key() -> NewKey:
    prefix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
    secret = secrets.token_urlsafe(32)
    return NewKey(prefix, digest(secret), f"lk_{prefix}_{secret}")


def split(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key; None for anything else."""
    match = _FORMAT.match(token)
    return (match.group(1), match.group(2)) if match else None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, stored_sha256: str) -> bool:
    # Bytes, not str: compare_digest raises on non-ASCII strings (a 500 for a crafted header).
    return hmac.compare_digest(digest(secret).encode(), stored_sha256.encode())
