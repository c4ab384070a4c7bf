"""The eBox campaign's figure on real PostgreSQL, from a synthetic stream with a known truth: per
arm, of the recipients who got a later letter, the share who got one in the eBox; on the insert
row the effect against the holdout and its 95 % interval, computed here from the stream, not by
the SQL under test. Duplicates and shuffled order change nothing."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import uuid

import asyncpg

from loket.contracts import Event
from loket.contracts.letter_status import (
    LetterDeliveredToEbox,
    LetterInsertDecided,
    LetterQueuedForPrint,
)
from loket.infra.db.schema import migrate_service_schema
from services.reporting.kpis import BY_NAME, compute
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.rebuild import MIGRATIONS
from tests.support.letters import letter_issued, national_number

PSEUDONYMS = Pseudonymizer(secrets.token_bytes(32))
TOWN = "12025"
START = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
# (arm, recipients, of whom got a later letter, of whom got a later one in the eBox)
ARMS = {"insert": (40, 30, 18), "holdout": (20, 16, 4)}


def campaign_stream() -> list[Event]:
    events: list[Event] = []
    n = 0
    for arm, (recipients, followed, digital) in ARMS.items():
        for i in range(recipients):
            n += 1
            number = national_number(3000 + n)
            first = letter_issued(number, envelope={"occurred_at": START})
            ctx = {"letter_id": first.payload.letter_id, "municipality": TOWN, "department": "finance",
                   "document_type": "invoice"}
            events += [first,
                       LetterQueuedForPrint(producer="t", occurred_at=START, payload={
                           **ctx, "reason": "no_digital_user", "postage_class": "non_prior", "pages": 2}),
                       LetterInsertDecided(producer="t", occurred_at=START + dt.timedelta(hours=8), payload={
                           "letter_id": first.payload.letter_id, "municipality": TOWN, "department": "finance",
                           "campaign": "i12025-2026q4", "arm": arm, "decided_at": START + dt.timedelta(hours=8)})]
            if i >= followed:
                continue
            later_at = START + dt.timedelta(days=20)
            later = letter_issued(number, envelope={"occurred_at": later_at})
            events.append(later)
            if i < digital:
                events.append(LetterDeliveredToEbox(producer="t", occurred_at=later_at, payload={
                    "letter_id": later.payload.letter_id, "municipality": TOWN, "department": "finance",
                    "document_type": "invoice", "ebox_message_id": f"m{n}", "important": False, "language": "nl",
                    "delivered_at": later_at + dt.timedelta(minutes=3)}))
    return events


async def figure(pool: asyncpg.Pool, events: list[Event], name: str,  # type: ignore[type-arg]
                 kpi: str = "insert_campaign") -> list[list]:  # type: ignore[type-arg]
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        await migrate_service_schema(conn, name, MIGRATIONS)
        async with conn.transaction():
            await project(conn, name, events, PSEUDONYMS)
        rows = await compute(conn, name, BY_NAME[kpi], None, "month", 1.88)
        await conn.execute(f"DROP SCHEMA {name} CASCADE")
    return rows


async def test_the_insert_effect_against_the_holdout_with_its_interval(pool) -> None:  # type: ignore[no-untyped-def]
    rows = await figure(pool, campaign_stream(), "rep_campaign")
    by_arm = {r[1]: r for r in rows}
    assert set(by_arm) == {"insert", "holdout"} and {r[0] for r in rows} == {"2026-10-01"}
    (_, n1, k1), (_, n0, k0) = ARMS["insert"], ARMS["holdout"]
    p1, p0 = k1 / n1, k0 / n0
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    insert, holdout = by_arm["insert"], by_arm["holdout"]
    assert float(insert[2]) == round(p1, 3) and float(holdout[2]) == round(p0, 3)
    assert float(insert[3]) == round(100 * (p1 - p0), 1)  # 60 % against 25 %: 35 points
    assert abs(float(insert[4]) - 100 * (p1 - p0 - 1.96 * se)) < 0.06
    assert abs(float(insert[5]) - 100 * (p1 - p0 + 1.96 * se)) < 0.06
    assert insert[4] > 0, "with these numbers the interval excludes no effect"
    assert holdout[3] is None and holdout[4] is None, "the holdout row carries no effect of its own"
    assert (insert[6], insert[7]) == (n1, ARMS["insert"][0]) and (holdout[6], holdout[7]) == (n0, ARMS["holdout"][0])


async def test_duplicates_and_any_order_give_the_same_figure(pool) -> None:  # type: ignore[no-untyped-def]
    events = campaign_stream()
    once = await figure(pool, events, "rep_campaign_once")
    shuffled = events + random.Random(5).sample(events, len(events) // 2)
    random.Random(6).shuffle(shuffled)
    assert await figure(pool, shuffled, "rep_campaign_shuffled") == once


async def test_the_funnel_counts_inserts_sent_bookings_through_the_qr_code_and_who_came(pool) -> None:  # type: ignore[no-untyped-def]
    from tests.contracts.examples import example

    events = campaign_stream()
    came = []
    for i in range(5):  # five bookings through the QR code, three attended; one booking without a campaign
        booked = example("AppointmentBooked", envelope={"occurred_at": START + dt.timedelta(days=3)},
                         appointment_id=uuid.uuid4(), municipality=TOWN, service="ebox_activation",
                         campaign="i12025-2026q4" if i < 4 else None)
        events.append(booked)
        if i < 3:
            came.append(example("AppointmentAttended", appointment_id=booked.payload.appointment_id,
                                municipality=TOWN))
    rows = await figure(pool, events + came, "rep_campaign_funnel", "campaign_funnel")
    assert rows == [["2026-10-01", "i12025-2026q4", ARMS["insert"][0], 4, 3]]
