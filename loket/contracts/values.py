"""Value objects and constrained scalar types shared by several event payloads.

Closed sets are `Literal`s rather than Enums so that the JSON schema lists the allowed values
inline (integrators read it in the AsyncAPI document) and comparisons stay plain strings.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Language = Literal["nl", "fr", "de", "en"]
# The eBox carries a subject in exactly one of these, and the legal language regimes only know
# these three: English is a courtesy for notifications, never the language of a letter.
LetterLanguage = Literal["nl", "fr", "de"]
Channel = Literal["sms", "email"]
PointKind = Literal["post_office", "municipal_counter", "digibank", "public_digital_space"]

RefnisCode = Annotated[
    str,
    Field(pattern=r"^[0-9]{5}$", description="REFNIS code of the municipality, e.g. 12025"),
]
# Machine-readable names chosen by the platform (departments, document types, services,
# notification kinds): lower case so that reporting groups them without case folding.
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$", max_length=64)]
# Identifiers owned by another system (booking's points and helpers, eBox message ids, print
# batches): opaque to the contract, so only bounded and free of whitespace.
Ref = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^\S+$")]
# An eBox adoption campaign: "i" + the municipality's REFNIS code + "-" + year + "q" + quarter.
CAMPAIGN_PATTERN = r"^i[0-9]{5}-[0-9]{4}q[1-4]$"
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="lower-case hex")]
E164Phone = Annotated[str, Field(pattern=r"^\+[1-9][0-9]{6,14}$", examples=["+32470123456"])]
# Deliverability is notify's concern; the contract only rejects what is clearly not an address
# (and avoids depending on email-validator).
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


def _as_utc(value: datetime) -> datetime:
    # A naive time is ambiguous around the Europe/Brussels DST changes, so it is refused
    # instead of being guessed; aware times are normalised so every event says UTC.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            "datetime must include a time zone offset (naive datetimes are ambiguous); "
            "send UTC, e.g. 2025-01-31T09:00:00Z"
        )
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ValueObject(BaseModel):
    """Immutable, strict about unknown fields, and never echoing inputs in error texts."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class PostalAddress(ValueObject):
    """Address block of a paper letter, in bpost order (name / department / street number box /
    postcode municipality / country only abroad)."""

    name: str = Field(min_length=1, max_length=120)
    department: str | None = Field(default=None, min_length=1, max_length=120)
    street: str = Field(min_length=1, max_length=120)
    number: str = Field(min_length=1, max_length=16)
    box: str | None = Field(default=None, min_length=1, max_length=16)
    postcode: str = Field(min_length=1, max_length=12)
    municipality: str = Field(min_length=1, max_length=80)
    country: str = Field(default="BE", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")

    @model_validator(mode="after")
    def _belgian_postcode(self) -> PostalAddress:
        # Print batches are sorted by postcode for bpost's sorting discount; a malformed
        # Belgian postcode would also make the letter undeliverable.
        if self.country == "BE" and not (
            len(self.postcode) == 4 and self.postcode.isdigit() and self.postcode[0] != "0"
        ):
            raise ValueError("a Belgian postcode has 4 digits from 1000 to 9999")
        return self


class ContactDetails(ValueObject):
    """How to reach a citizen about an appointment or a loan (owned by booking, used by notify)."""

    phone: E164Phone | None = None
    email: Email | None = None
    language: Language
    preferred_channels: tuple[Channel, ...] = ()

    @model_validator(mode="after")
    def _channels_reachable(self) -> ContactDetails:
        # Otherwise notify would accept the event and then fail on every reminder.
        if "sms" in self.preferred_channels and self.phone is None:
            raise ValueError("preferred channel 'sms' needs a phone number")
        if "email" in self.preferred_channels and self.email is None:
            raise ValueError("preferred channel 'email' needs an e-mail address")
        if len(set(self.preferred_channels)) != len(self.preferred_channels):
            raise ValueError("preferred_channels must not repeat a channel")
        return self

    def digest(self) -> str:
        """The SHA-256 of the phone number, else of the e-mail address: stable for whoever these
        details reach. Never stored as such (a plain hash of a phone number is easily reversed):
        `loket.infra.contact_keys.ContactKeys` keys it under a secret first."""
        raw = (self.phone or self.email or "").strip().lower()
        return hashlib.sha256(raw.encode()).hexdigest()
