"""Exponential backoff with full jitter, bounded in attempts and in delay."""

from __future__ import annotations

import random
from dataclasses import dataclass

from loket.infra.settings import ConsumerSettings


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 0.2
    max_delay_s: float = 5.0
    jitter: bool = True

    @classmethod
    def of(cls, settings: ConsumerSettings) -> RetryPolicy:
        """A consumer's retries, as its settings give them."""
        return cls(settings.max_attempts, settings.retry_base_delay_s, settings.retry_max_delay_s)

    def delay_before(self, attempt: int) -> float:
        """Delay before attempt number `attempt` (2 = the first retry)."""
        ceiling = self._ceiling(attempt)
        # Half fixed, half random: delays still grow, but many consumers do not retry in step.
        return ceiling / 2 + random.uniform(0, ceiling / 2) if self.jitter else ceiling

    def longest_wait_s(self) -> float:
        """The most one event's retries can sleep in all: every delay at its ceiling."""
        return sum(self._ceiling(attempt) for attempt in range(2, self.max_attempts + 1))

    def _ceiling(self, attempt: int) -> float:
        return min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempt - 2))
