"""Configuration changes seen by every replica at once: a writer announces, in its own
transaction, what kind of configuration changed (`announce(conn, "tenants")`); PostgreSQL
delivers the notification at commit to every process listening on the database (all replicas
of all services share it), and each drops its cached copy instead of serving it until its TTL
runs out. A revoked API key, a closed point or a new tenant entry thus counts everywhere within
a moment, not within the cache's 5 to 30 seconds.

The TTLs stay as the safety net: a notification can be missed while a listener reconnects, so
every cache is forgotten whole after each (re)connect. A notification sent by a transaction that
rolls back is never delivered, so nothing is forgotten for a change that did not happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from loket.infra.errors import described

log = logging.getLogger(__name__)

CHANNEL = "loket_config_changed"
EVERYTHING = ""  # the key that means "every entry of this kind"
RECONNECT_S = 1.0


async def announce(conn: asyncpg.Connection, kind: str, key: str = EVERYTHING) -> None:
    """Delivered at the commit of `conn`'s transaction (or at once outside one)."""
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{kind}:{key}")


Forget = Callable[[str], None]  # called with the key that changed, or EVERYTHING


class ChangeSignals:
    """One per process: caches register what they hold (`on`), `listen` feeds them."""

    def __init__(self) -> None:
        self._forgets: dict[str, list[Forget]] = {}
        self.connected = asyncio.Event()  # for tests and health: the listener is live

    def on(self, kind: str, forget: Forget) -> None:
        self._forgets.setdefault(kind, []).append(forget)

    def deliver(self, payload: str) -> None:
        kind, _, key = payload.partition(":")
        for forget in self._forgets.get(kind, []):
            forget(key)

    def forget_everything(self) -> None:
        for kind in self._forgets:
            self.deliver(f"{kind}:{EVERYTHING}")

    async def listen(self, pool: Callable[[], asyncpg.Pool]) -> None:
        """Hold one connection listening until cancelled; after a lost connection, reconnect
        and forget every cache (what changed meanwhile was not heard)."""
        while True:
            try:
                async with pool().acquire() as conn:
                    await self._listen_on(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database away: the TTLs hold until it is back
                log.warning("configuration change signals paused: %s", described(exc))
            await asyncio.sleep(RECONNECT_S)

    async def _listen_on(self, conn: asyncpg.Connection) -> None:
        lost = asyncio.Event()

        def on_lost(_: object) -> None:
            lost.set()

        def heard(_conn: object, _pid: int, _channel: str, payload: str) -> None:
            self.deliver(payload)

        conn.add_termination_listener(on_lost)
        await conn.add_listener(CHANNEL, heard)
        self.forget_everything()
        self.connected.set()
        try:
            await lost.wait()
        finally:
            self.connected.clear()
            with contextlib.suppress(Exception):  # after a lost connection these fail, harmlessly
                conn.remove_termination_listener(on_lost)
                await conn.remove_listener(CHANNEL, heard)
