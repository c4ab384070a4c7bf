"""A signed-in person sets a new password: when an administrator reset it (the account must
change it before anything else) or whenever they like. The current password is asked again, so
a browser left signed in is not enough to take the account over."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import asyncpg

from loket.infra.identity import account_repository as repo
from loket.infra.identity import passwords
from loket.infra.identity.session_store import LiveSession


class ChangeRefused(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field  # the form field to correct: "current", "new" or "repeat"
        self.reason = reason  # "wrong_current", "mismatch", "same", or the password rule broken


async def change_password(pool: Callable[[], asyncpg.Pool], session: LiveSession, current: str, new: str,
                          repeat: str, now: dt.datetime) -> None:
    account = session.account
    if not (await asyncio.to_thread(passwords.verify_password, account.password_hash, current)).ok:
        raise ChangeRefused("current", "wrong_current")
    if new != repeat:
        raise ChangeRefused("repeat", "mismatch")
    if new == current:
        raise ChangeRefused("new", "same")
    try:
        passwords.check_new_password(new, account.username)
    except passwords.WeakPassword as exc:
        raise ChangeRefused("new", exc.reason) from None
    new_hash = await asyncio.to_thread(passwords.hash_password, new)
    async with pool().acquire() as conn, conn.transaction():
        await repo.set_password(conn, account.id, new_hash, must_change=False, now=now)
        # Anyone else signed in with the old password is signed out.
        await repo.delete_sessions_of(conn, account.id, keep_sha256=session.id_sha256)
