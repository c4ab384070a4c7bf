"""Contact details as people type them → the contract's normalised `ContactDetails`.

Phone numbers are parsed with `phonenumbers` (Belgian by default, international with +) and
sent on as E.164, so notify never has to guess a country.
"""

from __future__ import annotations

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from loket.contracts.storable_text import UNSTORABLE
from loket.contracts.values import Channel, ContactDetails, Language


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(default=None, max_length=32, examples=["0470 12 34 56"])
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    language: Language
    preferred_channels: list[Channel] = Field(default_factory=list, max_length=2)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            number = phonenumbers.parse(value, "BE")
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number (e.g. 0470 12 34 56 or +32 470 12 34 56)") from None
        if not phonenumbers.is_valid_number(number):
            raise ValueError("not a valid phone number (e.g. 0470 12 34 56 or +32 470 12 34 56)")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("email")
    @classmethod
    def _email_text(cls, value: str | None) -> str | None:
        # The pattern takes any character but @ and spaces; this one would only fail when the
        # address is stored or hashed (the borrower key of a loan).
        if value is not None and UNSTORABLE.search(value):
            raise ValueError("the e-mail address holds a character that is not text (NUL or a lone surrogate)")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> ContactIn:
        if self.phone is None and self.email is None:
            raise ValueError("give a phone number or an e-mail address so we can confirm and remind you")
        # Else `details()` would fail later, as an internal error instead of this request's refusal.
        for channel, given in (("sms", self.phone), ("email", self.email)):
            if channel in self.preferred_channels and given is None:
                raise ValueError(f"preferred channel '{channel}' needs {'a phone number' if channel == 'sms' else 'an e-mail address'}")
        if len(set(self.preferred_channels)) != len(self.preferred_channels):
            raise ValueError("preferred_channels must not repeat a channel")
        return self

    def details(self) -> ContactDetails:
        channels = tuple(self.preferred_channels) or tuple(
            c for c, v in (("sms", self.phone), ("email", self.email)) if v is not None)
        return ContactDetails(phone=self.phone, email=self.email, language=self.language,
                              preferred_channels=channels)
