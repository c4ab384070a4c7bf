"""The rules of a phone check, pure: how a code is made, kept and judged.

A code is six random digits, valid for ten minutes, with five tries; a number gets at most five
codes a day (notify's own cap per number, ten SMS a day, still applies on top). Only keyed digests
are stored, under the contact key secret: the code and the number are compared, never read back.
A code's plain digest would not hide it: hashing all million six-digit codes takes a second, well
inside the ten minutes in which a copy of the table could confirm someone else's number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from uuid import UUID

from loket.infra.contact_keys import is_keyed

CODE_VALID_FOR = dt.timedelta(minutes=10)
# A confirmed number stays confirmed a while longer: the slot may have been taken meanwhile,
# and choosing another time must not cost a second SMS.
CONFIRMED_GOOD_FOR = dt.timedelta(minutes=30)
MAX_WRONG_TRIES = 5
MAX_CODES_PER_PHONE_PER_DAY = 5


@dataclass(frozen=True)
class PhoneProof:
    """What the citizen sends back: which check, and the code they received."""

    check_id: UUID
    code: str


@dataclass(frozen=True)
class StoredCheck:
    check_id: UUID
    phone_digest: str
    code_digest: str
    wrong_tries: int
    expires_at: dt.datetime
    confirmed_at: dt.datetime | None
    used_at: dt.datetime | None


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def phone_digest(phone: str) -> str:
    """The number's plain digest; stored only keyed (`ContactKeys.keyed_from_digest`), since a
    plain hash of a phone number is reversed by hashing every number."""
    return hashlib.sha256(f"phone:{phone}".encode()).hexdigest()


def code_digest(check_id: UUID, code: str) -> str:
    """The code's plain digest; stored only keyed (`ContactKeys.keyed_from_digest`). Salted with
    the check id, so equal codes of two checks do not look alike."""
    return hashlib.sha256(f"{check_id}:{code.strip()}".encode()).hexdigest()


def typed_code_key(check: StoredCheck, code: str, keyed: Callable[[str], str]) -> str:
    """A typed code in the form its check stored: keyed; the plain digest for a check made before
    codes were keyed (such a check expires ten minutes after it was made, and a replica of the
    release before may still make one while a rolling upgrade runs)."""
    plain = code_digest(check.check_id, code)
    return keyed(plain) if is_keyed(check.code_digest) else plain


class Refusal(Enum):
    """Why a typed code does not confirm the number."""

    OTHER_NUMBER = "other_number"  # the check was for another phone number
    USED = "used"
    EXPIRED = "expired"
    TOO_MANY_TRIES = "too_many_tries"
    WRONG = "wrong"


def judge(check: StoredCheck, code_key: str, phone_key: str, now: dt.datetime) -> Refusal | None:
    """None when the typed code, in its stored form `code_key` (`typed_code_key`), confirms the
    number whose stored form is `phone_key`; else why not. A wrong code counts as a try."""
    if not hmac.compare_digest(check.phone_digest.encode(), phone_key.encode()):
        return Refusal.OTHER_NUMBER
    if check.used_at is not None:
        return Refusal.USED
    if check.confirmed_at is not None:  # typed right before, and the booking then failed
        return None if now < check.confirmed_at + CONFIRMED_GOOD_FOR else Refusal.EXPIRED
    if check.expires_at <= now:
        return Refusal.EXPIRED
    if check.wrong_tries >= MAX_WRONG_TRIES:
        return Refusal.TOO_MANY_TRIES
    if not hmac.compare_digest(check.code_digest.encode(), code_key.encode()):
        return Refusal.WRONG
    return None
