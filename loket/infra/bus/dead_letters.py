"""Dead-letter publishing: the original bytes, unchanged, on `<topic>.dlq`, with why in headers.

Headers (all text):
  x-loket-dlq-reason     what was wrong, readable, national numbers masked (≤ 1000 chars)
  x-loket-dlq-kind       contract | permanent | exhausted
  x-loket-dlq-topic      the topic the message came from
  x-loket-dlq-consumer   the consumer group that gave up on it
  x-loket-dlq-attempts   how many times the handler was tried (0 for contract violations)
  x-loket-dlq-at         when (UTC, ISO 8601)
  x-loket-dlq-source     broker position of the original (stream:seq or topic:partition:offset)
  x-loket-original-headers  the original headers as JSON
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Literal

from loket.contracts.national_number import mask_national_numbers
from loket.contracts.topics import dlq_topic

log = logging.getLogger(__name__)

DeadLetterKind = Literal["contract", "permanent", "exhausted"]
REASON_HEADER = "x-loket-dlq-reason"
_MAX_REASON = 1000
# Broker bookkeeping headers that must not be copied onto the dead letter.
_DROP = {"Nats-Msg-Id", "x-loket-message-id", "Nats-Expected-Stream"}


def clean_reason(reason: str) -> str:
    one_line = " ".join(mask_national_numbers(reason).split())
    return one_line[:_MAX_REASON]


def dead_letter_headers(
    *, reason: str, kind: DeadLetterKind, topic: str, consumer: str, attempts: int,
    source: str, original_headers: dict[str, str],
) -> dict[str, str]:
    kept = {k: v for k, v in original_headers.items() if k not in _DROP}
    return {
        REASON_HEADER: clean_reason(reason),
        "x-loket-dlq-kind": kind,
        "x-loket-dlq-topic": topic,
        "x-loket-dlq-consumer": consumer,
        "x-loket-dlq-attempts": str(attempts),
        "x-loket-dlq-at": datetime.now(UTC).isoformat(),
        "x-loket-dlq-source": source,
        "x-loket-original-headers": json.dumps(kept, ensure_ascii=True),
    }


def dead_letter_id(consumer: str, source: str, body: bytes) -> str:
    """Stable id, so a redelivered bad message is de-duplicated in the DLQ stream."""
    digest = hashlib.sha256(body).hexdigest()[:16]
    return f"dlq:{consumer}:{source}:{digest}"


def log_dead_letter(topic: str, consumer: str, kind: str, reason: str) -> None:
    log.warning(
        "dead-lettered a message from %s (%s, %s): %s", topic, consumer, kind, clean_reason(reason),
        extra={"topic": topic, "consumer": consumer, "reason": kind},
    )


__all__ = ["dead_letter_headers", "dead_letter_id", "dlq_topic", "log_dead_letter", "REASON_HEADER"]
