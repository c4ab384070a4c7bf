"""What the simulator has accepted, and the faults it is told to inject.

Numbers tell the simulator what happens next, like a test network would: ending in 0000 the
number is not in service (permanent-failure receipt), ending in 1111 the phone stays off
(temporary-failure receipt); all others are delivered.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field


@dataclass
class Faults:
    latency_ms: int = 0
    response_delay_ms: int = 0  # after the message is accepted: the client may die before it hears back
    error_rate: float = 0.0     # share of requests answered 503
    throttle_rate: float = 0.0  # share of requests answered 429 with Retry-After
    fail_next: int = 0          # the next n requests get 503 (deterministic, for tests)
    receipt_first: bool = False  # post the delivery receipt before answering the send request


@dataclass
class Accepted:
    id: str
    to: str
    sender: str
    body: str
    reference: str
    idempotency_key: str | None
    accepted_at: float


@dataclass
class SimState:
    faults: Faults = field(default_factory=Faults)
    messages: list[Accepted] = field(default_factory=list)
    by_key: dict[str, Accepted] = field(default_factory=dict)
    requests: int = 0
    replays: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def injected_fault(self) -> int | None:
        """503 or 429 when a fault applies to this request."""
        if self.faults.fail_next > 0:
            self.faults.fail_next -= 1
            return 503
        if self.faults.error_rate and self.rng.random() < self.faults.error_rate:
            return 503
        if self.faults.throttle_rate and self.rng.random() < self.faults.throttle_rate:
            return 429
        return None

    def accept(self, to: str, sender: str, body: str, reference: str, key: str | None) -> tuple[Accepted, bool]:
        """(message, replayed): a repeated idempotency key returns the first message."""
        if key is not None and key in self.by_key:
            self.replays += 1
            return self.by_key[key], True
        message = Accepted(str(uuid.uuid4()), to, sender, body, reference, key, time.time())
        self.messages.append(message)
        if key is not None:
            self.by_key[key] = message
        return message, False


def receipt_for(number: str) -> tuple[str, str | None]:
    if number.endswith("0000"):
        return "permanent-failure", "number not in service"
    if number.endswith("1111"):
        return "temporary-failure", "phone switched off for 72 hours"
    return "delivered", None
