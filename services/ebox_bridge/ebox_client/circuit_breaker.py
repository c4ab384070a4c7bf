"""A consecutive-failure circuit breaker, so an eBox outage costs one fast failure per call
instead of a full timeout each, and the eBox gets room to recover."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from services.ebox_bridge.ebox_client.errors import EboxUnavailable


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self, failure_threshold: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = failure_threshold
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self._cooldown_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def before_call(self) -> None:
        """Raise at once while open; in half-open let exactly one trial call through."""
        state = self.state
        if state is BreakerState.CLOSED:
            return
        if state is BreakerState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return
        remaining = max(0.0, self._cooldown_s - (self._clock() - (self._opened_at or 0.0)))
        raise EboxUnavailable("circuit open", retry_after=remaining or None)

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        # A failed trial re-opens at once; otherwise open on the N-th failure in a row.
        if self._trial_running or self._failures >= self._threshold:
            self._opened_at = self._clock()
        self._trial_running = False

    def record_abandoned(self) -> None:
        # A cancelled trial proved nothing; free the slot so the next call can try.
        self._trial_running = False
