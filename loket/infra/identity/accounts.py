"""Accounts of people who sign in: what one holds, how a username is written, and the principal
a signed-in account acts as."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import POINT_ROLES, SYSTEM_ROLES, Role

LANGUAGES = ("nl", "fr", "de", "en")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,62}$")


class AccountRefused(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    municipality: str | None
    role: Role
    points: tuple[str, ...]
    language: str
    password_hash: str
    totp_secret: str | None
    totp_last_step: int | None
    failed_attempts: int
    locked_until: dt.datetime | None
    disabled_at: dt.datetime | None
    must_change_password: bool
    created_at: dt.datetime

    def principal(self) -> Principal:
        return Principal(self.username, self.role, self.municipality, frozenset(self.points), kind="person")

    def locked_at(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def normalise_username(text: str) -> str:
    """Usernames are compared lowercased: `An.Peeters` and `an.peeters` are one person."""
    username = text.strip().lower()
    if not _USERNAME.match(username):
        raise AccountRefused(f"{text!r} is not a username: use 2 to 63 letters, digits, '.', '_', '-' or '@', "
                             "starting with a letter or digit")
    return username


def check_scope(role: Role, municipality: str | None, points: list[str], language: str) -> None:
    """The same scope rules as API keys, plus: systems hold keys, they do not sign in."""
    if role in SYSTEM_ROLES:
        raise AccountRefused(f"a {role} is a system: give it an API key (`loket keys create`), not an account")
    if role is Role.OPERATOR and municipality:
        raise AccountRefused("an operator acts for every municipality: leave out --municipality")
    if role is not Role.OPERATOR and not municipality:
        raise AccountRefused(f"a {role} acts for one municipality: pass --municipality REFNIS")
    if role in POINT_ROLES and not points:
        raise AccountRefused(f"a {role} works at assistance points: pass --point ID (repeat for several)")
    if language not in LANGUAGES:
        raise AccountRefused(f"language {language!r}: choose one of {', '.join(LANGUAGES)}")
