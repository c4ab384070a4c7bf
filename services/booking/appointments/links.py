"""Unguessable links that let a citizen change or cancel their own appointment.

256 random bits; only the SHA-256 is stored, so a database dump holds no usable link. A link
is bound to one appointment, works once (any change spends every link of the appointment; a
reschedule hands out a new one), and expires when the appointment starts.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
