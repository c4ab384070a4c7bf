"""What the webhooks API takes and answers."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from loket.contracts import topics
from loket.contracts.letter_status import LetterInsertDecided
from loket.contracts.registry import TOPIC_EVENTS, event_type_of

LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
# The events a webhook can carry: the letter status events, or "*" for all of them. Not the
# eBox campaign's decisions: they are the platform's measurement, not news about a letter.
WEBHOOK_EVENTS = tuple(cls for cls in TOPIC_EVENTS[topics.LETTERS_STATUS] if cls is not LetterInsertDecided)
EVENT_TYPES = tuple(sorted(event_type_of(cls) for cls in WEBHOOK_EVENTS))


class WebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"url": "https://backoffice.example/hooks/loket", "event_types": ["*"]}]})
    url: AnyHttpUrl = Field(description="Where deliveries are POSTed (https in production).")
    event_types: list[str] = Field(min_length=1, max_length=len(EVENT_TYPES) + 1,
                                   description=f"Any of {', '.join(EVENT_TYPES)}, or [\"*\"] for every one.")

    @field_validator("url")
    @classmethod
    def _https(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        # Deliveries carry letter facts and a signature: https, except to this machine itself
        # (a receiver on loopback, as in development and the tests).
        if value.scheme != "https" and value.host not in LOOPBACK:
            raise ValueError("a webhook URL must use https (http only on localhost)")
        if value.username or value.password:
            raise ValueError("a webhook URL may not carry credentials; verify the signature instead")
        return value

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - {*EVENT_TYPES, "*"})
        if unknown:
            raise ValueError(f"unknown event types {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)} or *")
        return sorted(set(value))


class Webhook(BaseModel):
    id: UUID
    url: str
    event_types: list[str]
    created_at: dt.datetime


class WebhookCreated(Webhook):
    secret: str = Field(description="whsec_…: verifies the signatures; shown this once, store it now.")


class WebhookList(BaseModel):
    webhooks: list[Webhook]


class Delivery(BaseModel):
    id: UUID = Field(description="The webhook-id header: the same on every try; de-duplicate on it.")
    event_id: UUID
    event_type: str
    letter_id: UUID | None
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    next_try_at: dt.datetime | None


class DeliveryList(BaseModel):
    deliveries: list[Delivery]


class DeliveryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["pending", "delivered", "failed"] | None = None
    limit: int = Field(default=100, ge=1, le=1000)
