"""The trend figures on real PostgreSQL from a synthetic stream whose truth is kept beside it:
eBox share per department and month, visits by topic and by kind of point, and the paper cost
avoided per department and postage class at the tariff of the letter's year."""

from __future__ import annotations

import secrets

import pytest

from services.reporting.kpis import BY_NAME, compute
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.tariffs import TARIFFS, Tariff
from tests.integration.test_reporting_figures import fresh
from tests.support.letters import letter_issued, national_number
from tests.support.reporting_stream import TREND_DEPARTMENTS, trend_stream

HANDLING = 0.35
# Test-only tariffs with a second year, to see each letter costed at its own year's rate.
TWO_YEARS = (Tariff(2025, "non_prior", 1.00), Tariff(2025, "registered", 8.00),
             Tariff(2026, "non_prior", 2.00), Tariff(2026, "registered", 9.00))


@pytest.fixture
async def trends(pool):  # type: ignore[no-untyped-def]
    events, truth = trend_stream()
    schema = await fresh(pool, "rep_trends")
    async with pool.acquire() as conn, conn.transaction():
        await project(conn, schema, events, Pseudonymizer(secrets.token_bytes(32)))
    yield schema, truth
    await pool.execute(f"DROP SCHEMA {schema} CASCADE")


async def figure(pool, schema: str, name: str, **kwargs) -> list[list]:  # type: ignore[no-untyped-def, type-arg]
    async with pool.acquire() as conn:
        return await compute(conn, schema, BY_NAME[name], None, "month", 0.0, handling_eur=HANDLING, **kwargs)


async def test_ebox_share_per_department_and_month(pool, trends) -> None:  # type: ignore[no-untyped-def]
    schema, truth = trends
    got = {(r[0], r[1]): (r[2], r[3]) for r in await figure(pool, schema, "ebox_share_by_department")}
    assert got == {key: (round(channels.count("ebox") / len(channels), 3), len(channels))
                   for key, channels in truth.letters.items()}
    finance = [got[(m, "finance")][0] for m in sorted({m for m, _ in got})]
    assert finance == sorted(finance) and finance[0] < finance[-1]  # the trend the stream was built with


async def test_visits_by_topic_and_by_kind_of_point(pool, trends) -> None:  # type: ignore[no-untyped-def]
    schema, truth = trends
    assert {(r[0], r[1]): r[2] for r in await figure(pool, schema, "visits_by_topic")} == truth.topics
    assert {(r[0], r[1]): r[2] for r in await figure(pool, schema, "visits_by_point_kind")} == truth.kinds


async def test_cost_avoided_uses_each_years_tariff(pool, trends) -> None:  # type: ignore[no-untyped-def]
    schema, truth = trends
    rows = await figure(pool, schema, "cost_avoided_by_department", tariffs=TWO_YEARS)
    rate = {(t.year, t.postage_class): t.stamp_eur for t in TWO_YEARS}
    expected = {}
    for (month, department), channels in truth.letters.items():
        registered = TREND_DEPARTMENTS[department][0]
        postage = "registered" if registered else "non_prior"
        year = int(month[:4])
        digital = channels.count("ebox")
        if digital:
            expected[(month, department, postage, str(year))] = [digital, round(digital * (rate[(year, postage)] + HANDLING), 2)]
    assert {tuple(r[:4]): r[4:] for r in rows} == expected
    assert {r[3] for r in rows} == {"2025", "2026"}  # December 2025 and early 2026 at different rates
    # With the reference tariffs (2025 only), 2026 letters are costed at 2025's rate and say so.
    reference = await figure(pool, schema, "cost_avoided_by_department", tariffs=TARIFFS)
    assert {r[3] for r in reference} == {"2025"}
    non_prior_2025 = next(t.stamp_eur for t in TARIFFS if t.postage_class == "non_prior")
    finance_january = next(r for r in reference if r[0] == "2026-01-01" and r[1] == "finance")
    assert finance_january[5] == round(finance_january[4] * (non_prior_2025 + HANDLING), 2)


async def test_a_cancelled_letter_counts_as_withdrawn_not_pending(pool) -> None:  # type: ignore[no-untyped-def]
    from loket.contracts import letter_status
    cancelled_event = getattr(letter_status, "LetterCancelled", None)
    if cancelled_event is None:
        pytest.skip("the letters API's LetterCancelled event is not in the contracts yet")
    issued = letter_issued(national_number(900))
    context = {"letter_id": issued.payload.letter_id, "municipality": "12025", "department": "finance",
               "document_type": "invoice"}
    cancelled = cancelled_event(producer="t", payload={**context, "channels": ["ebox"], "reason": "sent by mistake"})
    schema = await fresh(pool, "rep_cancelled")
    try:
        async with pool.acquire() as conn, conn.transaction():
            await project(conn, schema, [cancelled, issued], Pseudonymizer(secrets.token_bytes(32)))  # any order
        rows = await figure(pool, schema, "letters_by_channel")
        assert [(r[3], r[4]) for r in rows] == [("cancelled", 1)]
    finally:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")
