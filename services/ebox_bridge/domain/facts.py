"""What every status event of a letter says about it, as stored in its `letters` row.

Data only: the repository reads these columns, `status_events` builds events from them, and
neither depends on the other.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class LetterFacts:
    letter_id: UUID
    municipality: str
    department: str
    document_type: str
    language: str
    important: bool
    pages: int
    postage_class: str
    issued_event_id: UUID
    correlation_id: UUID
    contact: str | None = None  # JSON of ContactDetails, as stored

    @classmethod
    def from_row(cls, row: Any) -> LetterFacts:
        return cls(**{name: row[name] for name in FACT_COLUMNS})


# The `letters` columns of the same names.
FACT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(LetterFacts))
