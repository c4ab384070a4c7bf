"""Bearer API key → principal, or the precise reason it is refused.

Keys are looked up by their public prefix and cached for a few seconds per process, without a
database round trip per request. A revocation reaches every replica at its commit (the change
signal `api_keys`); `CACHE_S` bounds it should a signal be missed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from loket.infra.db.change_signals import EVERYTHING, ChangeSignals
from loket.infra.identity import api_keys, repository
from loket.infra.identity.principal import Principal
from loket.infra.identity.repository import StoredKey
from loket.infra.identity.roles import Role

CACHE_S = 5.0
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Refusal:
    title: str
    detail: str


class KeyVerifier:
    def __init__(self, pool: Callable[[], asyncpg.Pool], clock: Callable[[], dt.datetime],
                 changes: ChangeSignals | None = None, cache_s: float = CACHE_S) -> None:
        self.pool, self.clock, self.cache_s = pool, clock, cache_s
        self._cache: dict[str, tuple[float, StoredKey | None]] = {}
        if changes is not None:
            changes.on(repository.API_KEYS, self.forget)

    def forget(self, prefix: str) -> None:
        if prefix == EVERYTHING:
            self._cache.clear()
        else:
            self._cache.pop(prefix, None)

    async def authenticate(self, token: str) -> Principal | Refusal:
        parts = api_keys.split(token)
        if parts is None:
            return Refusal("Unknown API key", "this is not a Loket API key (they look like lk_<prefix>_<secret>)")
        prefix, secret = parts
        stored = await self._stored(prefix)
        if stored is None or not api_keys.matches(secret, stored.secret_sha256):
            return Refusal("Unknown API key", f"no valid key has the prefix {prefix}")
        now = self.clock()
        if stored.revoked_at is not None and stored.revoked_at <= now:
            return Refusal("API key revoked", f"key {prefix} was revoked on {stored.revoked_at:%Y-%m-%d %H:%M} UTC; "
                                              "ask your municipality's administrator for a new one")
        if stored.expires_at is not None and stored.expires_at <= now:
            return Refusal("API key expired", f"key {prefix} expired on {stored.expires_at:%Y-%m-%d %H:%M} UTC; "
                                              "ask your municipality's administrator for a new one")
        return Principal(stored.name, Role(stored.role), stored.municipality, frozenset(stored.points),
                         kind="system", key_prefix=prefix)

    async def _stored(self, prefix: str) -> StoredKey | None:
        cached = self._cache.get(prefix)
        if cached is not None and time.monotonic() - cached[0] < self.cache_s:
            return cached[1]
        async with self.pool().acquire() as conn:
            stored = await repository.key_by_prefix(conn, prefix)
            if stored is not None:
                await repository.touch_key(conn, prefix, self.clock(), TOUCH_EVERY)
        if len(self._cache) > 10_000:  # unknown prefixes must not grow it without bound
            self._cache.clear()
        self._cache[prefix] = (time.monotonic(), stored)
        return stored
