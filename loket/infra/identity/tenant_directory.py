"""The onboarded municipalities as a service sees them: loaded from `identity.tenants`, refreshed
when `loket tenants import` changes them: at once when its change signal arrives, else by a
cheap check at most every `refresh_s`.

A service that finds no tenant at all imports the shipped tenant file once (as the bridge does
with its rollout policy); if there is still none, the work waits (InfrastructureUnavailable):
the events are fine, the configuration is not, so nothing is dead-lettered for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import asyncpg

from loket.infra.db.change_signals import ChangeSignals
from loket.infra.errors import InfrastructureUnavailable
from loket.infra.identity import repository
from loket.infra.identity.tenant_store import TENANTS, all_tenants, import_tenants
from loket.infra.identity.tenants import Tenant, TenantFileError, read_tenant_file

log = logging.getLogger(__name__)


class TenantDirectory:
    def __init__(self, tenants_file: Path | None, refresh_s: float,
                 clock: Callable[[], float] = time.monotonic, changes: ChangeSignals | None = None) -> None:
        self._file, self._refresh_s, self._clock = tenants_file, refresh_s, clock
        self._tenants: dict[str, Tenant] = {}
        self._version: object = None
        self._checked = -1e18
        self._imported = False  # the last load imported the tenant file (so the version moved)
        self._refreshing = asyncio.Lock()
        if changes is not None:
            changes.on(TENANTS, self.forget)

    def forget(self, _: str = "") -> None:
        """A tenant changed somewhere: the next call looks (the version check stays cheap)."""
        self._checked = -1e18

    async def current(self, conn: asyncpg.Connection) -> Mapping[str, Tenant]:
        # At most one look at the database per `refresh_s`, also while none is onboarded: a
        # caller that carries on without tenants (notify's SMS sender) asks on every round.
        # Callers arriving while one refreshes wait for it: before the lock, a request during
        # the first load (which may import the tenant file) was told nobody was onboarded.
        if self._due():
            async with self._refreshing:
                if self._due():  # nobody refreshed while we waited
                    await self._refresh(conn)
                    self._checked = self._clock()  # only after success: a failed look is retried
        if not self._tenants:
            raise InfrastructureUnavailable(
                "no municipality is onboarded: import the tenants (`loket tenants import`)")
        return self._tenants

    async def known(self, conn: asyncpg.Connection) -> Mapping[str, Tenant]:
        """As `current`, but empty while nobody is onboarded: for callers that carry on with the
        platform's defaults (SMS sender and countries, no phone check) instead of waiting."""
        try:
            return await self.current(conn)
        except InfrastructureUnavailable:
            return {}

    def _due(self) -> bool:
        return self._clock() - self._checked >= self._refresh_s

    async def _refresh(self, conn: asyncpg.Connection) -> None:
        version = await repository.tenants_version(conn)
        if version != self._version:
            self._tenants = {t.municipality: t for t in await self._load(conn)}
            self._version = await repository.tenants_version(conn) if self._imported else version

    async def _load(self, conn: asyncpg.Connection) -> list[Tenant]:
        self._imported = False
        tenants = await all_tenants(conn)
        if not tenants and self._file is not None:
            try:
                async with conn.transaction():  # a savepoint: a failed import leaves the caller's work intact
                    await import_tenants(conn, read_tenant_file(self._file))
                self._imported = True
            except TenantFileError as exc:
                log.error("tenant file %s cannot be imported: %s", self._file, exc)
            tenants = await all_tenants(conn)
        if tenants:
            log.info("%d onboarded municipalities", len(tenants))
        return tenants
