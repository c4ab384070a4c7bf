"""Sessions in PostgreSQL: start one for an account, find the live one behind a cookie, end it.

`start` is the one way into a session: the password sign-in calls it, and so will an OpenID
Connect callback once it has mapped its claims to a local account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from loket.infra.identity import account_repository as repo
from loket.infra.identity import sessions
from loket.infra.identity.accounts import Account


@dataclass(frozen=True)
class Client:
    """Who is on the other end, kept with the session for the audit (never used to decide)."""

    user_agent: str | None
    ip_address: str | None


@dataclass(frozen=True)
class NewSession:
    session_id: str  # for the cookie only; the database holds its digest
    csrf_secret: str
    account: Account
    stage: str


@dataclass(frozen=True)
class LiveSession:
    id_sha256: str
    account: Account
    stage: str
    csrf_secret: str


class SessionStore:
    def __init__(self, pool: Callable[[], asyncpg.Pool], clock: Callable[[], dt.datetime]) -> None:
        self.pool, self.clock = pool, clock

    async def start(self, account: Account, stage: str, client: Client, replaces: str | None = None) -> NewSession:
        """A fresh id (never the one the browser came with); `replaces` (a session id) ends with it."""
        now = self.clock()
        session_id, csrf = sessions.new_session_id(), sessions.new_csrf_secret()
        expiry = sessions.expiry_of_new(stage, now)
        async with self.pool().acquire() as conn, conn.transaction():
            if replaces:
                await repo.delete_session(conn, sessions.digest(replaces))
            await repo.delete_expired_sessions(conn, now)
            await repo.insert_session(conn, sessions.digest(session_id), account.id, stage, now, expiry.idle,
                                      expiry.absolute, csrf, (client.user_agent or "")[:300] or None,
                                      client.ip_address)
        return NewSession(session_id, csrf, account, stage)

    async def find(self, session_id: str, stage: str = sessions.ACTIVE) -> LiveSession | None:
        """The session at `stage` behind a cookie value, if it is live and its account enabled."""
        id_sha256 = sessions.digest(session_id)
        stored = await repo.session_by_digest(self.pool(), id_sha256)
        if stored is None or stored.stage != stage:
            return None
        now = self.clock()
        expiry = sessions.Expiry(stored.idle_expires_at, stored.absolute_expires_at)
        if not expiry.live_at(now) or stored.account.disabled_at is not None:
            await repo.delete_session(self.pool(), id_sha256)
            return None
        if (longer := sessions.extended(expiry, stored.last_seen_at, now)) is not None:
            await repo.touch_session(self.pool(), id_sha256, now, longer.idle)
        return LiveSession(id_sha256, stored.account, stored.stage, stored.csrf_secret)

    async def end(self, session_id: str) -> None:
        await repo.delete_session(self.pool(), sessions.digest(session_id))
