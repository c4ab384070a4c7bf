"""What a send attempt came to. Permanent: retrying can never help (bad number, refused
address). Retryable: the provider or network failed this time (timeouts, 5xx, 429)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Accepted:
    provider_ref: str
    delivered: bool = False  # SMTP: accepted by the relay counts as delivered; SMS waits for a receipt


@dataclass(frozen=True)
class Permanent:
    reason: str


@dataclass(frozen=True)
class Retryable:
    reason: str
    retry_after_s: float | None = None


Outcome = Accepted | Permanent | Retryable
