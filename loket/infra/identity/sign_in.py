"""Signing a person in with a username, a password and, for accounts that have one, a code.

Every path ends in `SessionStore.start`: this use case only decides whether the account may have
a session. An unknown username and a wrong password get the same refusal in the same time (the
password is checked against a dummy hash), so the form does not tell which usernames exist.
Five failures in a row (passwords or codes) lock the account for 15 minutes, and the person is
told so and until when; a lock is checked before the password, so it also stops guessing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from loket.infra.identity import account_repository as repo
from loket.infra.identity import passwords, sessions, totp
from loket.infra.identity.accounts import Account, AccountRefused, normalise_username
from loket.infra.identity.session_store import Client, LiveSession, NewSession, SessionStore

LOCK_AFTER = 5
LOCK_FOR = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class WrongCredentials:
    """Unknown username, wrong password or wrong code: one answer for all."""


@dataclass(frozen=True)
class LockedOut:
    until: dt.datetime


@dataclass(frozen=True)
class Disabled:
    """The password was right, but an administrator disabled the account."""


@dataclass(frozen=True)
class CodeDue:
    """The password was right; the account has a second factor, asked in a short half-way session."""

    session: NewSession


@dataclass(frozen=True)
class SignedIn:
    session: NewSession

    @property
    def must_change_password(self) -> bool:
        return self.session.account.must_change_password


Outcome = WrongCredentials | LockedOut | Disabled | CodeDue | SignedIn


class SignIn:
    def __init__(self, pool: Callable[[], asyncpg.Pool], store: SessionStore,
                 clock: Callable[[], dt.datetime]) -> None:
        self.pool, self.store, self.clock = pool, store, clock

    async def with_password(self, username: str, password: str, client: Client,
                            replaces: str | None = None) -> Outcome:
        try:
            account = await repo.account_by_username(self.pool(), normalise_username(username))
        except AccountRefused:
            account = None
        if account is None:
            await asyncio.to_thread(passwords.verify_password, passwords.dummy_hash(), password)
            return WrongCredentials()
        if account.locked_at(self.clock()):
            return LockedOut(account.locked_until)  # type: ignore[arg-type]
        # argon2 takes tens of milliseconds of CPU: in a thread, so other requests go on meanwhile.
        verified = await asyncio.to_thread(passwords.verify_password, account.password_hash, password)
        if not verified.ok:
            return await self._failed(account)
        if account.disabled_at is not None:
            return Disabled()
        if account.totp_secret is not None:
            if verified.rehashed:
                await repo.record_success(self.pool(), account.id, self.clock(), verified.rehashed, None)
            return CodeDue(await self.store.start(account, sessions.CODE_DUE, client, replaces))
        await repo.record_success(self.pool(), account.id, self.clock(), verified.rehashed, None)
        return SignedIn(await self.store.start(account, sessions.ACTIVE, client, replaces))

    async def with_code(self, half_way: LiveSession, half_way_id: str, code: str, client: Client) -> Outcome:
        """The second step; the half-way session is replaced by a new, active one."""
        account = await repo.account_by_id(self.pool(), half_way.account.id)
        if account is None or account.totp_secret is None:
            return WrongCredentials()
        now = self.clock()
        if account.locked_at(now):
            await self.store.end(half_way_id)
            return LockedOut(account.locked_until)  # type: ignore[arg-type]
        step = totp.matching_step(account.totp_secret, code, now, account.totp_last_step)
        if step is None:
            outcome = await self._failed(account)
            if isinstance(outcome, LockedOut):
                await self.store.end(half_way_id)
            return outcome
        await repo.record_success(self.pool(), account.id, now, None, step)
        return SignedIn(await self.store.start(account, sessions.ACTIVE, client, replaces=half_way_id))

    async def _failed(self, account: Account) -> WrongCredentials | LockedOut:
        locked_until = await repo.record_failure(self.pool(), account.id, self.clock(), LOCK_AFTER, LOCK_FOR)
        return LockedOut(locked_until) if locked_until else WrongCredentials()
