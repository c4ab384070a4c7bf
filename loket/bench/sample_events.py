"""The event the bus benchmark pushes through: a `LetterFailed` padded to about 1 KB.

`LetterFailed` because its `message` is free text (up to 1 000 characters): the only way to
reach a realistic ~1 KB body without inventing fields, since `EboxActivationAssisted` is only
ids and flags (~400 bytes). Built here rather than from tests/contracts/examples.py, which
production code must not import.
"""

from __future__ import annotations

from uuid import UUID

from loket.contracts import LetterFailed, LetterFailedPayload

TARGET_BODY_BYTES = 1024
_PHRASE = "eBox message registry rejected the publication; retried with backoff, gave up. "


def _payload(letter_id: UUID, message: str) -> LetterFailedPayload:
    return LetterFailedPayload(
        letter_id=letter_id,
        municipality="12025",  # Mechelen
        department="finance",
        document_type="tax_assessment",
        channel="ebox",
        code="INVALID_INPUT",
        message=message,
    )


class LetterFailedFactory:
    """Builds benchmark events whose JSON body is `TARGET_BODY_BYTES` long (± a few bytes)."""

    def __init__(self, producer: str, target_bytes: int = TARGET_BODY_BYTES) -> None:
        self.producer = producer
        probe = LetterFailed(
            producer=producer, payload=_payload(UUID(int=0), "x")
        ).to_bytes()
        # Every envelope of this factory has the same length apart from the message.
        room = max(1, min(1000, target_bytes - len(probe) + 1))
        self.message = (_PHRASE * (room // len(_PHRASE) + 1))[:room].rstrip() or "x"

    def build(self, letter_id: UUID) -> LetterFailed:
        return LetterFailed(producer=self.producer, payload=_payload(letter_id, self.message))
