"""Dead-letter publishing: the original bytes, unchanged, on `<topic>.dlq`, with why in headers
(headers.py lists them: reason, kind, topic, consumer, attempts, when, source, original headers).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Literal

from loket.contracts.national_number import mask_national_numbers
from loket.contracts.topics import dlq_topic
from loket.infra.bus import headers as h

log = logging.getLogger(__name__)

DeadLetterKind = Literal["contract", "permanent", "exhausted"]
_MAX_REASON = 1000


def clean_reason(reason: str) -> str:
    one_line = " ".join(mask_national_numbers(reason).split())
    return one_line[:_MAX_REASON]


def dead_letter_headers(
    *, reason: str, kind: DeadLetterKind, topic: str, consumer: str, attempts: int,
    source: str, original_headers: dict[str, str],
) -> dict[str, str]:
    kept = {k: v for k, v in original_headers.items() if k not in h.BOOKKEEPING}
    return {
        h.DLQ_REASON: clean_reason(reason),
        h.DLQ_KIND: kind,
        h.DLQ_TOPIC: topic,
        h.DLQ_CONSUMER: consumer,
        h.DLQ_ATTEMPTS: str(attempts),
        h.DLQ_AT: datetime.now(UTC).isoformat(),
        h.DLQ_SOURCE: source,
        h.ORIGINAL_HEADERS: json.dumps(kept, ensure_ascii=True),
    }


def dead_letter_id(consumer: str, source: str, body: bytes) -> str:
    """Stable id, so a redelivered bad message is de-duplicated in the DLQ stream."""
    digest = hashlib.sha256(body).hexdigest()[:16]
    return f"dlq:{consumer}:{source}:{digest}"


class RecentIds:
    """The last `size` ids seen; the oldest is forgotten first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._seen: dict[str, None] = {}  # insertion-ordered

    def first_time(self, id_: str) -> bool:
        """True the first time `id_` is seen (again once it has been forgotten)."""
        if id_ in self._seen:
            return False
        self._seen[id_] = None
        if len(self._seen) > self.size:
            del self._seen[next(iter(self._seen))]
        return True


def log_dead_letter(topic: str, consumer: str, kind: str, reason: str) -> None:
    log.warning(
        "dead-lettered a message from %s (%s, %s): %s", topic, consumer, kind, clean_reason(reason),
        extra={"topic": topic, "consumer": consumer, "reason": kind},
    )


__all__ = ["dead_letter_headers", "dead_letter_id", "dlq_topic", "log_dead_letter"]
