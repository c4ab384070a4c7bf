"""Errors raised by the contracts package.

`ContractViolation` is the one exception a consumer has to catch around `decode_event`: it
means "this message can never be handled, retrying will not help", so the caller routes it to
the dead-letter topic with `reason` in the headers instead of nacking it (FastStream 0.7 would
redeliver a nacked poison message at once and block its partition).
"""

from __future__ import annotations

# DLQ headers and log lines must stay readable; pydantic can produce very long error lists.
MAX_REASON_LENGTH = 1000


class ContractViolation(Exception):
    """A message does not satisfy the event contract of the topic it arrived on.

    `reason` is short, human-readable and free of personal data (no input values are ever
    copied into it), so it is safe for logs and message headers.
    """

    def __init__(self, reason: str, *, event_type: str | None = None) -> None:
        if len(reason) > MAX_REASON_LENGTH:
            reason = reason[: MAX_REASON_LENGTH - 1] + "…"
        super().__init__(reason)
        self.reason = reason
        # Known when the envelope could be read far enough; handy as a DLQ header/metric label.
        self.event_type = event_type
