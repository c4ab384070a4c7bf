"""A workshop and a registration as booking keeps them (rows of migration 0013)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from loket.contracts.values import ContactDetails


@dataclass(frozen=True)
class WorkshopDraft:
    """What staff plan: everything but the id."""

    title: str
    language: str
    capacity: int
    trainer: str
    partner_school: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class Workshop(WorkshopDraft):
    workshop_id: uuid.UUID
    point_id: str

    @classmethod
    def of(cls, row: Any) -> Workshop:
        return cls(row["title"], row["language"], row["capacity"], row["trainer"], row["partner_school"],
                   row["starts_at"], row["ends_at"], row["workshop_id"], row["point_id"])


@dataclass(frozen=True)
class Listed:
    """A workshop on the public list: how many places are left, how many wait."""

    workshop: Workshop
    placed: int
    waiting: int

    @property
    def places_left(self) -> int:
        return max(0, self.workshop.capacity - self.placed)


@dataclass(frozen=True)
class Registration:
    registration_id: uuid.UUID
    workshop_id: uuid.UUID
    place_no: int | None  # None: waiting (or cancelled)
    language: str
    contact: ContactDetails | None  # None once retention blanked it
    registered_at: dt.datetime
    cancelled_at: dt.datetime | None
    attended_at: dt.datetime | None

    @classmethod
    def of(cls, row: Any) -> Registration:
        contact = ContactDetails.model_validate(json.loads(row["contact"])) if row["contact"] else None
        return cls(row["registration_id"], row["workshop_id"], row["place_no"], row["language"], contact,
                   row["registered_at"], row["cancelled_at"], row["attended_at"])

    @property
    def status(self) -> str:
        """registered | waiting | cancelled (attended is a registered one with attended_at)."""
        if self.cancelled_at is not None:
            return "cancelled"
        return "waiting" if self.place_no is None else "registered"
