"""Helpers and shifts as booking records them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from loket.contracts.values import Slug
from services.booking.catalogue import known_services
from services.booking.errors import ModelRefusal
from services.booking.points.model import WEEKDAYS, Weekday

Lang = Literal["nl", "fr", "de", "en"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Helper(_Strict):
    helper_id: Slug
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["staff", "volunteer"]
    # Connectoo certification: the day the certificate was obtained and the day it expires. The
    # older seed files only say `connectoo_certified: true` (a flag with no date): such a helper
    # counts as certified until a date is recorded in the app.
    connectoo_certified: bool = False
    connectoo_certified_on: dt.date | None = None
    connectoo_expires_on: dt.date | None = None
    languages: list[Lang] = Field(min_length=1)
    services: list[str] = Field(min_length=1)
    # The user name a helper signs in with: a volunteer's own sign-ups and shifts are found by it.
    account: str | None = Field(default=None, min_length=1, max_length=120)

    _known_services = field_validator("services")(known_services)

    @model_validator(mode="after")
    def _certificate(self) -> Helper:
        if self.connectoo_expires_on is not None and self.connectoo_certified_on is None:
            raise ModelRefusal("certificate_without_start",
                               "a Connectoo certificate with an expiry date needs the date it was obtained")
        if (self.connectoo_certified_on and self.connectoo_expires_on
                and self.connectoo_expires_on <= self.connectoo_certified_on):
            raise ModelRefusal("certificate_expires_first",
                               "the Connectoo certificate must expire after the date it was obtained")
        return self

    def can_help(self, service: str, language: str) -> bool:
        return service in self.services and language in self.languages

    def certified_on(self, day: dt.date) -> bool:
        """Does this helper hold a Connectoo certificate valid on `day`?"""
        if self.connectoo_certified_on is None:
            return self.connectoo_certified  # the seed's undated flag
        return self.connectoo_certified_on <= day and (self.connectoo_expires_on is None
                                                        or day < self.connectoo_expires_on)


class Shift(_Strict):
    """A helper at a point: every week on `weekday` (recurring) or once on `on_date`."""

    shift_id: Slug
    helper_id: Slug
    point_id: Slug
    weekday: Weekday | None = None
    on_date: dt.date | None = None
    starts: dt.time
    ends: dt.time
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    @model_validator(mode="after")
    def _shape(self) -> Shift:
        if (self.weekday is None) == (self.on_date is None):
            raise ValueError("a shift has either a weekday (recurring) or an on_date (one-off)")
        if self.ends <= self.starts:
            raise ValueError("a shift must end after it starts")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self

    def works_on(self, day: dt.date) -> bool:
        if self.on_date is not None:
            return day == self.on_date
        if WEEKDAYS[day.weekday()] != self.weekday:
            return False
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_until is None or day <= self.valid_until)
