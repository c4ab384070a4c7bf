"""What a dead letter looks like to an operator, independent of the broker that holds it.

Both stores build `DeadLetter`s from the headers `dead_letters.dead_letter_headers` wrote, and
both replay with the headers computed here, so NATS and Kafka cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol

from loket.contracts.topics import ALL_TOPICS, DLQ_SUFFIX, dlq_topic
from loket.infra.bus import headers as h


class DeadLetterNotFound(LookupError):
    """The id is well formed but names no dead letter (never existed, replayed, or expired)."""


class MalformedDeadLetterId(ValueError):
    """The id does not have the shape this broker's store hands out."""


class UnknownTopic(ValueError):
    """A topic no contract declares: listing it would silently show nothing."""


class BusUnavailable(RuntimeError):
    """The broker could not be reached."""


class DeadLetterBodyRemoved(LookupError):
    """The dead letter is still listed (its reason, topic and group are kept) but its body was
    removed after the retention period: replaying it would publish an empty event."""


@dataclass(frozen=True)
class DeadLetter:
    id: str
    topic: str  # the dead-letter topic, `<original_topic>.dlq`
    original_topic: str
    consumer: str
    kind: str
    reason: str
    attempts: int
    at: str
    body: bytes = field(repr=False)  # the original bytes, unchanged
    headers: dict[str, str] = field(default_factory=dict)

    def original_headers(self) -> dict[str, str]:
        """The headers the message had before it was dead-lettered (best effort if garbled)."""
        try:
            decoded = json.loads(self.headers.get(h.ORIGINAL_HEADERS, "{}"))
        except json.JSONDecodeError:
            return {}
        if not isinstance(decoded, dict):
            return {}
        return {str(k): str(v) for k, v in decoded.items()}

    def replay_headers(self, message_id_header: str) -> dict[str, str]:
        """Original headers with a new message id (`replay:<id>`) and where the replay came from."""
        kept = {k: v for k, v in self.original_headers().items() if k not in h.BOOKKEEPING}
        return {**kept, message_id_header: f"replay:{self.id}", h.REPLAYED_FROM: self.id}

    @property
    def body_removed_at(self) -> str:
        """When the retention job removed the body (ISO 8601); empty while the body is kept."""
        return self.headers.get(h.BODY_REMOVED_AT, "")

    def require_body(self) -> None:
        """Raise DeadLetterBodyRemoved for a trimmed dead letter: there is nothing to replay."""
        if self.body_removed_at:
            raise DeadLetterBodyRemoved(
                f"{self.id}: its body was removed after the retention period on "
                f"{self.body_removed_at[:10]}; the reason is kept, but there is nothing to replay"
            )

    def key(self) -> str:
        """The aggregate key of the original message (keeps Kafka's per-key order on replay)."""
        return self.original_headers().get(h.KEY) or self.headers.get(h.KEY, "")


def dead_letter_from(id: str, subject: str, body: bytes, headers: dict[str, str]) -> DeadLetter:
    """Build a DeadLetter from a message read on `subject` (a `<topic>.dlq`)."""
    # The subject is authoritative: a replay must go back to the topic the DLQ twins, never
    # to whatever a (possibly hand-written) header claims.
    original = subject.removesuffix(DLQ_SUFFIX)
    try:
        attempts = int(headers.get(h.DLQ_ATTEMPTS, "0"))
    except ValueError:
        attempts = 0
    return DeadLetter(
        id=id, topic=subject, original_topic=original,
        consumer=headers.get(h.DLQ_CONSUMER, ""),
        kind=headers.get(h.DLQ_KIND, ""),
        reason=headers.get(h.DLQ_REASON, ""),
        attempts=attempts, at=headers.get(h.DLQ_AT, ""), body=body, headers=headers,
    )


def is_dead_letter_subject(subject: str | None) -> bool:
    """True for `<known topic>.dlq`: the only subjects a store may read or replay from."""
    if not subject or not subject.endswith(DLQ_SUFFIX):
        return False
    return subject.removesuffix(DLQ_SUFFIX) in ALL_TOPICS


def topics_to_read(topic: str | None) -> list[str]:
    """The original topics to look at; accepts `citizens.v1` as well as `citizens.v1.dlq`."""
    if topic is None:
        return list(ALL_TOPICS)
    original = topic.removesuffix(DLQ_SUFFIX)
    if original not in ALL_TOPICS:
        raise UnknownTopic(f"unknown topic {topic!r}; known: {', '.join(ALL_TOPICS)}")
    return [original]


class DeadLetterStore(Protocol):
    """Read and replay dead letters; one implementation per broker."""

    async def list(self, topic: str | None = None, limit: int = 100) -> list[DeadLetter]: ...

    async def get(self, id: str) -> DeadLetter: ...

    async def replay(self, id: str) -> DeadLetter: ...

    async def count_by_topic(self) -> dict[str, int]: ...


__all__ = [
    "BusUnavailable", "DeadLetter", "DeadLetterBodyRemoved", "DeadLetterNotFound", "DeadLetterStore",
    "MalformedDeadLetterId", "UnknownTopic", "dead_letter_from", "dlq_topic",
    "is_dead_letter_subject", "topics_to_read",
]
