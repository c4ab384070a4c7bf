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
from loket.infra.db.schema import migrate_service_schema
from services.reporting.kpis import BY_NAME, compute
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.rebuild import MIGRATIONS
from tests.support.reporting_stream import CAMPAIGN_ARMS as ARMS
from tests.support.reporting_stream import CAMPAIGN_START as START
from tests.support.reporting_stream import CAMPAIGN_TOWN as TOWN
from tests.support.reporting_stream import campaign_stream

PSEUDONYMS = Pseudonymizer(secrets.token_bytes(32))
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
    assert len(rows) == 1 and rows[0][0] == "2026-10-01"
    _, with_insert, holdout, effect, low, high, holdout_n, insert_n = rows[0]
    (_, n1, k1), (_, n0, k0) = ARMS["insert"], ARMS["holdout"]
    p1, p0 = k1 / n1, k0 / n0
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    assert float(with_insert) == round(p1, 3) and float(holdout) == round(p0, 3)
    assert float(effect) == round(100 * (p1 - p0), 1)  # 60 % against 25 %: 35 points
    assert abs(float(low) - 100 * (p1 - p0 - 1.96 * se)) < 0.06
    assert abs(float(high) - 100 * (p1 - p0 + 1.96 * se)) < 0.06
    assert low > 0, "with these numbers the interval excludes no effect"
    assert (insert_n, holdout_n) == (n1, n0), "only recipients with a later letter count"


async def test_duplicates_and_any_order_give_the_same_figure(pool) -> None:  # type: ignore[no-untyped-def]
    events = campaign_stream()
    once = await figure(pool, events, "rep_campaign_once")
    shuffled = events + random.Random(5).sample(events, len(events) // 2)
    random.Random(6).shuffle(shuffled)
    assert await figure(pool, shuffled, "rep_campaign_shuffled") == once


async def test_the_funnel_from_inserts_sent_to_link_visits_bookings_who_came_and_activations(pool) -> None:  # type: ignore[no-untyped-def]
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
            visit = example("VisitStarted", visit_id=uuid.uuid4(), appointment_id=booked.payload.appointment_id,
                            municipality=TOWN, ticket_id=None)
            came.append(visit)
            if i < 2:  # two of them left with an activated eBox
                came.append(example("EboxActivationAssisted", activation_id=uuid.uuid4(),
                                    visit_id=visit.payload.visit_id, municipality=TOWN,
                                    activated_at=START + dt.timedelta(days=4)))
    visits = [example("CampaignLinkVisited", visit_id=uuid.uuid4(), visited_at=START + dt.timedelta(days=2))
              for _ in range(7)]
    rows = await figure(pool, events + came + visits, "rep_campaign_funnel", "campaign_funnel")
    assert rows == [["2026-10-01", "i12025-2026q4", ARMS["insert"][0], 7, 4, 3, 2]]
