"""Publishing each point's public card on `points.v1`, from whatever changed the point.

Points change through several doors (the seed, a closure, later a manager in the app); rather
than each door remembering to publish, one round compares each point's document with the
digest of the card published last and publishes the ones that differ, through the outbox in
the same transaction that records the new digest. It also publishes every card again once a
day, so a consumer that starts after the bus dropped old records still learns every point.
Replicas share the round: `SKIP LOCKED` gives each changed point to one of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import asyncpg

from loket.contracts.points import (
    AssistancePointPublished,
    AssistancePointPublishedPayload,
    PointAddress,
)
from loket.infra.db.outbox import Outbox
from loket.infra.rounds import run_rounds
from loket.infra.runtime import Runtime
from services.booking.points import repository
from services.booking.points.model import WEEKDAYS, AssistancePoint

PRODUCER = "booking"
REPUBLISH_AFTER = dt.timedelta(days=1)
BATCH = 200


def card_of(point: AssistancePoint, now: dt.datetime) -> AssistancePointPublishedPayload:
    """The public facts of a point; nothing about its helpers, shifts or capacity."""
    return AssistancePointPublishedPayload(
        point_id=point.point_id, municipality=point.municipality, kind=point.kind, name=dict(point.name),
        address=PointAddress(street=point.address.street, number=point.address.number,
                             postcode=point.address.postcode, town=point.address.municipality),
        latitude=point.latitude, longitude=point.longitude, phone=point.phone, languages=list(point.languages),
        services=list(point.services), connectoo_label=point.connectoo_label,
        walk_in_hours={day: list(point.opening_hours[day]) for day in WEEKDAYS if point.opening_hours.get(day)},
        published_at=now)


async def publish_due_cards(conn: asyncpg.Connection, schema: str, outbox: Outbox, now: dt.datetime) -> int:
    """Publishes the cards of points changed since their last card, or published longer than a
    day ago; returns how many. Run inside a transaction (the row locks and the outbox rows
    commit together)."""
    due = await repository.cards_due(conn, schema, now - REPUBLISH_AFTER, BATCH)
    if due:
        await outbox.append(conn, *(AssistancePointPublished(producer=PRODUCER, occurred_at=now,
                                                             payload=card_of(point, now)) for point in due))
        await repository.mark_cards_published(conn, schema, [p.point_id for p in due], now)
    return len(due)


def point_cards_round(outbox: Outbox, clock: Callable[[], dt.datetime], pause_s: float):  # type: ignore[no-untyped-def]
    async def publish_point_cards(runtime: Runtime) -> None:
        async def round_() -> bool:
            async with runtime.db().acquire() as conn, conn.transaction():
                return await publish_due_cards(conn, runtime.schema, outbox, clock()) >= BATCH

        await run_rounds(round_, pause_s, "point cards")

    return publish_point_cards
