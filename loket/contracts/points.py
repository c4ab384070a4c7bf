"""`points.v1`: the public facts of each assistance point, published by booking.

Booking owns the points (seeded from YAML, changed by closures and, later, in the app). Other
services need a few public facts about them without calling booking at the moment they need
them: the bridge prints the three nearest points offering eBox activation on the insert page
of a paper letter, at the print cut-off, when booking may be down. So booking publishes each
point's public card whenever it changes, keyed by point id (on Kafka a compacted topic would
keep the latest card per point), and a consumer keeps its own copy.

Only what a point shows the public: no helpers, no shifts, no capacity planning.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from loket.contracts import topics
from loket.contracts.envelope import Event, Payload
from loket.contracts.values import Language, PointKind, Ref, RefnisCode, Slug, UtcDatetime

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
OpeningSpan = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$",
                                   examples=["09:00-12:30"])]
PublicPhone = Annotated[str, Field(pattern=r"^\+[1-9][0-9 ]{6,20}$", examples=["+32 15 29 76 00"])]


class PointAddress(Payload):
    street: str = Field(min_length=1, max_length=120)
    number: str = Field(min_length=1, max_length=16)
    postcode: str = Field(pattern=r"^[1-9][0-9]{3}$")
    town: str = Field(min_length=1, max_length=80)


class AssistancePointPublishedPayload(Payload):
    point_id: Ref
    municipality: RefnisCode
    kind: PointKind
    name: dict[Language, str] = Field(min_length=1, description="At least one language; readers fall back to the first.")
    address: PointAddress
    latitude: float = Field(ge=49.4, le=51.6)
    longitude: float = Field(ge=2.4, le=6.5)
    phone: PublicPhone | None = None
    languages: list[Language] = Field(min_length=1)
    services: list[Slug] = Field(min_length=1, description="Service slugs of booking's catalogue.")
    connectoo_label: bool = False
    walk_in_hours: dict[Weekday, list[OpeningSpan]] = Field(
        description="The usual week, local time (Europe/Brussels); a missing day is closed.")
    published_at: UtcDatetime


class AssistancePointPublished(Event):
    """The public card of an assistance point, as it is now (the latest one per point wins)."""

    topic: ClassVar[str] = topics.POINTS
    event_type: Literal["AssistancePointPublished"] = "AssistancePointPublished"
    schema_version: Literal[1] = 1
    payload: AssistancePointPublishedPayload

    def partition_key(self) -> str:
        return self.payload.point_id


POINT_EVENTS: tuple[type[Event], ...] = (AssistancePointPublished,)
