"""Passwords of people: what a new one must be, and argon2id to store and check it.

The rules follow NIST SP 800-63B: length over composition (at least 12 characters, no forced
mix of symbols) and a refusal of passwords that appear in breach lists, each with a message the
person can act on. Hashing is slow on purpose (tens of milliseconds, 64 MiB): callers on an event
loop run it in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; a megabyte "password" would only cost us CPU
_COMMON = Path(__file__).with_name("common_passwords.txt")
# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, t=3, m=64 MiB, p=4).
_HASHER = PasswordHasher()


class WeakPassword(ValueError):
    """A new password is refused; the message says why and what would do, `reason` names the rule
    (pages say it in the person's language)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    ok: bool
    # A new hash when the stored one was made with other parameters: store it in place of the old.
    rehashed: str | None = None


def check_new_password(password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword("too_short", f"The password needs at least {MIN_LENGTH} characters; it has {len(password)}. "
                           "A short sentence of a few words is easy to remember and hard to guess.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword("too_long", f"The password may have at most {MAX_LENGTH} characters.")
    folded = password.casefold()
    if folded in _common_passwords() or len(set(folded)) <= 2:
        raise WeakPassword("common", "This password is among the most used ones, so it is guessed first. "
                           "Choose another, for example a few unrelated words.")
    if username.casefold() in folded:
        raise WeakPassword("has_username", "The password must not contain the username.")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> Verified:
    try:
        _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return Verified(False)
    return Verified(True, hash_password(password) if _HASHER.check_needs_rehash(stored_hash) else None)


@cache
def dummy_hash() -> str:
    """Checked against when the username is unknown, so a refusal takes as long either way and
    the response time does not tell which usernames exist."""
    return hash_password("not-a-password-anyone-has")


@cache
def _common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))
