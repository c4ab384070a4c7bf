"""How long a person's browser session lives, and its id (pure: times in, decisions out).

A session ends 30 minutes after its last use (a counter computer left signed in) and 12 hours after
sign-in whatever happens (a working day), whichever comes first. A session half-way through
its second factor lives 5 minutes. The id is 256 random bits, new at every sign-in (so an id
planted before sign-in is worth nothing after); only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=12)
CODE_DUE_FOR = dt.timedelta(minutes=5)
# Last use is written at most once a minute (a write per page view costs more than the page); the
# idle timeout can so end up to a minute early, never late.
TOUCH_EVERY = dt.timedelta(minutes=1)

CODE_DUE, ACTIVE = "code_due", "active"


@dataclass(frozen=True)
class Expiry:
    idle: dt.datetime
    absolute: dt.datetime

    def live_at(self, now: dt.datetime) -> bool:
        return now < self.idle and now < self.absolute


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_csrf_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def expiry_of_new(stage: str, now: dt.datetime) -> Expiry:
    lifetime = CODE_DUE_FOR if stage == CODE_DUE else ABSOLUTE
    return Expiry(min(now + IDLE, now + lifetime), now + lifetime)


def extended(expiry: Expiry, last_seen: dt.datetime, now: dt.datetime) -> Expiry | None:
    """The expiry after a use at `now`, or None when nothing needs writing yet."""
    if now - last_seen < TOUCH_EVERY:
        return None
    return Expiry(min(now + IDLE, expiry.absolute), expiry.absolute)
