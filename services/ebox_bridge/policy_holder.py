"""The rollout policy in force, loaded from PostgreSQL and refreshed when `loket policy` changes it.

Handlers ask for it with their own connection; a cheap version check runs when the change
signal `policy` says a version was imported (in any process), else at most every `refresh_s`. If no policy can be loaded the letters are not refused: the batch is redelivered
later (InfrastructureUnavailable), because the letters are fine and the configuration is not.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import asyncpg

from loket.infra.db.change_signals import ChangeSignals
from loket.infra.errors import InfrastructureUnavailable
from services.ebox_bridge.policy import RolloutPolicy
from services.ebox_bridge.policy.repository import (
    POLICY,
    current_version,
    ensure_imported,
    load_current,
)

log = logging.getLogger(__name__)


class PolicySource(Protocol):
    """Where handlers get the policy in force: the `PolicyHolder`, or a fixed one in unit tests."""

    async def current(self, conn: asyncpg.Connection) -> RolloutPolicy: ...


class PolicyHolder:
    def __init__(
        self, schema: str, policy_file: Path, refresh_s: float,
        clock: Callable[[], float] = time.monotonic, changes: ChangeSignals | None = None,
    ) -> None:
        self._schema, self._file, self._refresh_s, self._clock = schema, policy_file, refresh_s, clock
        self._policy: RolloutPolicy | None = None
        self._checked = 0.0
        if changes is not None:
            changes.on(POLICY, self.forget)

    def forget(self, _: str = "") -> None:
        """A new version was imported somewhere: the next call checks (a cheap version look)."""
        self._checked = -1e18

    async def current(self, conn: asyncpg.Connection) -> RolloutPolicy:
        if self._policy is None:
            self._policy = await self._first_load(conn)
            self._checked = self._clock()
        elif self._clock() - self._checked >= self._refresh_s:
            self._checked = self._clock()
            if await current_version(conn, self._schema) != self._policy.version:
                fresh = await load_current(conn, self._schema)
                if fresh is not None:
                    log.info("rollout policy version %s now in force", fresh.version)
                    self._policy = fresh
        return self._policy

    async def _first_load(self, conn: asyncpg.Connection) -> RolloutPolicy:
        try:
            # A savepoint: a failed import must not poison the handler's transaction.
            async with conn.transaction():
                return await ensure_imported(conn, self._schema, self._file)
        except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
            raise
        except Exception as exc:
            log.error("no usable rollout policy: %s", exc)
            raise InfrastructureUnavailable(f"rollout policy could not be loaded: {exc}") from exc
