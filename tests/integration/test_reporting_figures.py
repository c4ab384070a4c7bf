"""reporting's projections and KPIs on real PostgreSQL: a synthetic stream with known answers
(computed here from the stream's ground truth, not by the SQL under test), the same figures
whatever the order and however many duplicates, no national number anywhere, and small cells
suppressed in every public export."""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from statistics import mean

import asyncpg
import pytest

from loket.contracts import Event
from loket.contracts.national_number import is_valid_national_number
from loket.contracts.visits import VisitStarted
from loket.infra.db.schema import migrate_service_schema
from loket.infra.errors import is_infrastructure_error, is_permanent
from services.reporting.kpis import BY_NAME, KPIS, compute, suppress
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.rebuild import MIGRATIONS
from tests.support.reporting_stream import stream

COST = 1.53 + 0.35
PSEUDONYMS = Pseudonymizer(secrets.token_bytes(32))


async def fresh(pool: asyncpg.Pool, name: str) -> str:
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        await migrate_service_schema(conn, name, MIGRATIONS)
    return name


async def figures(pool: asyncpg.Pool, schema: str) -> dict[str, list]:  # type: ignore[type-arg]
    async with pool.acquire() as conn:
        return {k.name: await compute(conn, schema, k, None, "month", COST) for k in KPIS}


async def figure(pool: asyncpg.Pool, schema: str, name: str) -> list[list[object]]:
    """One figure by month, over every municipality."""
    async with pool.acquire() as conn:
        return await compute(conn, schema, BY_NAME[name], None, "month", COST)


async def figure_shuffled_twice(pool: asyncpg.Pool, name: str, events: list[Event], seed: int) -> list[list[object]]:
    """The figure of `events` shuffled and each sent twice, projected in a schema of their own."""
    schema = await fresh(pool, f"rep_{name}_shuffled")
    shuffled = events * 2
    random.Random(seed).shuffle(shuffled)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await project(conn, schema, shuffled, PSEUDONYMS)
        return await figure(pool, schema, name)
    finally:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
async def projected(pool):  # type: ignore[no-untyped-def]
    events, truth = stream()
    schema = await fresh(pool, "rep_in_order")
    async with pool.acquire() as conn, conn.transaction():
        await project(conn, schema, events, PSEUDONYMS)
    yield schema, events, truth
    await pool.execute(f"DROP SCHEMA {schema} CASCADE")


async def test_known_answers(pool, projected) -> None:  # type: ignore[no-untyped-def]
    schema, _, truth = projected
    got = await figures(pool, schema)
    outcomes = {(r[2]): r[3] for r in got["visits_by_outcome"]}
    assert outcomes == {o: truth.visit_outcomes.count(o) for o in set(truth.visit_outcomes)}
    assert got["walk_in_wait"][0][2] == round(mean(truth.walk_in_waits) / 60, 1)
    assert [r[1:] for r in got["prints_by_point_kind"]] == [[
        "municipal_counter", sum(p for p, _ in truth.pages_printed), sum(o for _, o in truth.pages_printed),
        len(truth.pages_printed)]]
    appointments = {r[1]: r[2] for r in got["appointments_by_outcome"]}
    assert appointments == {o: truth.appointment_outcomes.count(o) for o in set(truth.appointment_outcomes)}
    by_reminder = {r[1]: (r[2], r[3]) for r in got["no_show_by_reminder"]}
    for reminded in (True, False):
        group = [ns for ns, rem in zip(truth.finished_no_show, truth.reminded, strict=True) if rem == reminded]
        assert by_reminder[reminded] == (round(sum(group) / len(group), 3), len(group))
    channels = {r[3]: r[4] for r in got["letters_by_channel"]}
    assert channels == {c: truth.letter_channels.count(c) for c in set(truth.letter_channels)}
    digital = sum(c in ("ebox", "both") for c in truth.letter_channels)
    assert got["ebox_share"][0][1:] == [round(digital / len(truth.letter_channels), 3), len(truth.letter_channels)]
    assert {r[1]: r[2] for r in got["fallback_reasons"]} == {
        r: truth.paper_reasons.count(r) for r in set(truth.paper_reasons)}
    ebox_only = truth.letter_channels.count("ebox")
    assert got["cost_avoided"][0][1:] == [ebox_only, round(ebox_only * COST, 2)]
    funnel = got["adoption_funnel"][0]
    helped = truth.helped_letters_digital
    assert funnel[1:] == [round(sum(helped) / len(helped), 3), len(helped), 1]
    assert got["unread_rate"][0][1] == 1.0  # no LetterRead in the stream


async def test_duplicates_and_shuffled_order_give_the_same_figures(pool, projected) -> None:  # type: ignore[no-untyped-def]
    schema, events, _ = projected
    messy = events + random.Random(3).sample(events, len(events) // 2)
    random.Random(5).shuffle(messy)
    other = await fresh(pool, "rep_shuffled")
    try:
        async with pool.acquire() as conn, conn.transaction():
            for start in range(0, len(messy), 17):  # in uneven batches, like a broker
                await project(conn, other, messy[start:start + 17], PSEUDONYMS)
        assert await figures(pool, other) == await figures(pool, schema)
        for table in ("visits", "appointments", "letters", "notifications", "activations"):
            key = "1"
            ordered = f"SELECT * FROM {{}}.{table} ORDER BY {key}"
            assert [dict(r) for r in await pool.fetch(ordered.format(other))] == \
                   [dict(r) for r in await pool.fetch(ordered.format(schema))], table
    finally:
        await pool.execute(f"DROP SCHEMA {other} CASCADE")


def national_numbers_in(text: str) -> set[str]:
    # Not the digits after a decimal point: a figure such as 0.09412509449 is a fraction, and one
    # in 97 eleven-digit fractions passes the checksum (the exact numbers are checked separately).
    return {m for m in re.findall(r"(?<![\d.])\d{11}(?!\d)", text) if is_valid_national_number(m)}


async def test_no_national_number_is_stored_anywhere(pool, projected) -> None:  # type: ignore[no-untyped-def]
    schema, _, truth = projected
    tables = [r[0] for r in await pool.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)]
    dump = ""
    for table in tables:
        dump += "\n".join(str(tuple(r)) for r in await pool.fetch(f"SELECT * FROM {schema}.{table}"))
    assert truth.national_numbers and not national_numbers_in(dump)
    assert all(n not in dump for n in truth.national_numbers)
    citizens = {r[0] for r in await pool.fetch(f"SELECT citizen FROM {schema}.letters")}
    assert PSEUDONYMS(truth.national_numbers[0]) in citizens  # keyed pseudonyms, not numbers


async def test_small_cells_are_suppressed_in_public_figures(pool, projected) -> None:  # type: ignore[no-untyped-def]
    schema, _, _ = projected
    found_small = False
    async with pool.acquire() as conn:
        for kpi in KPIS:
            raw = await compute(conn, schema, kpi, None, "month", COST)
            public = suppress(kpi, raw, 5)
            for raw_row, row in zip(raw, public, strict=True):
                small = [v for v in raw_row if isinstance(v, int) and not isinstance(v, bool) and 0 < v < 5]
                if kpi.counts_people and small:
                    found_small = True
                    assert all(not (isinstance(v, int) and not isinstance(v, bool) and 0 < v < 5) for v in row), kpi.name
                    assert not any(isinstance(v, float) for v in row), kpi.name
    assert found_small, "the stream should contain small cells, or this test proves nothing"
    assert BY_NAME["visits_by_outcome"].counts_people


async def test_a_wait_beyond_what_reporting_can_count_is_refused_as_data_not_retried(pool) -> None:  # type: ignore[no-untyped-def]
    """The visit contract bounds a wait below (≥ 0), not above; reporting keeps it in an `int`.
    A wait of 2³¹ seconds fails the same way on every attempt, so the consumer dead-letters the
    event at once ("permanent", with PostgreSQL's or asyncpg's words) instead of backing off
    with the partition held up behind it (tests/integration/test_bus_consumer.py)."""
    schema = await fresh(pool, "rep_overflow")
    started = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    visit = VisitStarted(producer="t", occurred_at=started, payload={
        "point_id": "mechelen-stadhuis", "municipality": "12025", "point_kind": "municipal_counter",
        "visit_id": "00000000-0000-4000-8000-000000000001", "helper_id": "h1", "language": "nl",
        "started_at": started, "ticket_id": "t1", "waited_seconds": 2**31})
    try:
        with pytest.raises(asyncpg.DataError) as refused:
            async with pool.acquire() as conn, conn.transaction():
                await project(conn, schema, [visit], PSEUDONYMS)
        assert is_permanent(refused.value) and not is_infrastructure_error(refused.value)
        assert "2147483648" in str(refused.value)
    finally:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")
