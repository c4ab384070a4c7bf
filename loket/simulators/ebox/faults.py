"""Fault injection for the eBox-facing endpoints (never for admin or health)."""

from __future__ import annotations

import asyncio
import random

from loket.simulators.ebox.errors import EboxError
from loket.simulators.ebox.settings import FaultSettings


class Faults:
    def __init__(self, initial: FaultSettings, seed: int, hang_s: float, retry_after_s: int):
        self._initial = initial
        self.current = initial
        self._dice = random.Random(seed)  # seeded: a failing chaos run can be replayed
        self._hang_s = hang_s
        self._retry_after_s = retry_after_s

    def reset(self) -> None:
        self.current = self._initial

    def update(self, changes: dict[str, object]) -> FaultSettings:
        # Validate the merged whole so a bad rate is refused rather than half applied.
        self.current = FaultSettings.model_validate(self.current.model_dump() | changes)
        return self.current

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self._dice.random() < rate

    async def before(self) -> None:
        """Apply the faults that strike before the request is handled."""
        faults = self.current
        if faults.outage:
            raise EboxError(503, "SERVICE_UNAVAILABLE", "the eBox is unavailable (outage)")
        if self._roll(faults.hang_rate):
            # Long enough that the client's own timeout must fire first.
            await asyncio.sleep(self._hang_s)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if self._roll(faults.status_429_rate):
            error = EboxError(429, "TOO_MANY_REQUESTS", "rate limit exceeded")
            error.headers["Retry-After"] = str(self._retry_after_s)
            raise error
        if self._roll(faults.status_5xx_rate):
            raise EboxError(503, "SERVICE_UNAVAILABLE", "temporary failure, retry later")

    async def after_publish(self) -> None:
        """After a publish was registered: maybe never answer (the client times out), or fail
        the answer, so the client must find out with the same Idempotency-Key."""
        if self._roll(self.current.hang_after_publish_rate):
            await asyncio.sleep(self._hang_s)
        self.lose_answer()

    def lose_answer(self) -> None:
        """After a publish was registered: maybe fail the answer so the client must retry."""
        if self._roll(self.current.error_rate):
            raise EboxError(502, "BAD_GATEWAY", "the answer was lost after registration")
