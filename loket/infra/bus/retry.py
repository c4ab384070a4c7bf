"""Exponential backoff with full jitter, bounded in attempts and in delay."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 0.2
    max_delay_s: float = 5.0
    jitter: bool = True

    def delay_before(self, attempt: int) -> float:
        """Delay before attempt number `attempt` (2 = the first retry)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempt - 2))
        # Half fixed, half random: delays still grow, but many consumers do not retry in step.
        return ceiling / 2 + random.uniform(0, ceiling / 2) if self.jitter else ceiling

    def longest_wait_s(self) -> float:
        """The most one event's retries can sleep in all: every delay at its ceiling."""
        return sum(min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempt - 2))
                   for attempt in range(2, self.max_attempts + 1))
