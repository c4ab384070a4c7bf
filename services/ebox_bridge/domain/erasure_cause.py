"""Why a letter's recipient was erased: the citizen's erasure request, as the envelope ids every
event it causes carries (also when the letter is erased days later, once it settled)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from loket.contracts.citizens import CitizenErasureRequested
from loket.contracts.envelope import Event


@dataclass(frozen=True)
class ErasureCause:
    correlation_id: UUID
    causation_id: UUID

    @classmethod
    def of(cls, request: CitizenErasureRequested) -> ErasureCause:
        caused = Event.caused_by(request)
        return cls(caused["correlation_id"], caused["causation_id"])

    def envelope(self) -> dict[str, UUID]:
        return {"correlation_id": self.correlation_id, "causation_id": self.causation_id}
