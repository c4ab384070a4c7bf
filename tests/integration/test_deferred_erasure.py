"""An erasure request reaches letters still in flight too: they keep what delivering them needs,
are marked with the request, and lose their PDF, number, address and contact the moment they
settle, each announced once with `LetterRecipientErased` caused by the request, also with two
replicas erasing at the same time. The request is remembered by its ids, never the number."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import asyncpg

from loket.contracts.citizens import CitizenErasureRequested
from loket.contracts.envelope import Event
from loket.infra.db.outbox import Outbox
from loket.infra.db.schema import migrate_service_schema
from services.ebox_bridge.deferred_erasure import DeferredErasure
from services.ebox_bridge.domain.erasure_cause import ErasureCause
from services.ebox_bridge.repository import erasure_requests, letters
from tests.integration.test_bridge_retention import MIGRATIONS, letter
from tests.support.letters import national_number


def request_for(number: str) -> CitizenErasureRequested:
    return CitizenErasureRequested(producer="test", payload={
        "erasure_id": uuid.uuid4(), "national_number": number, "requested_at": dt.datetime.now(dt.UTC)})


async def erase(conn: asyncpg.Connection, schema: str, request: CitizenErasureRequested) -> tuple[list[uuid.UUID], int]:
    """What the erasure handler does with the letters, without the bus around it."""
    await erasure_requests.remember(conn, schema, request.payload.erasure_id, ErasureCause.of(request),
                                    request.payload.requested_at)
    erased, in_flight = await letters.erase_citizen(conn, schema, str(request.payload.national_number),
                                                    request.payload.erasure_id)
    return [letter_id for letter_id, _ in erased], in_flight


def deferred(pool: asyncpg.Pool, schema: str, batch_size: int = 500) -> DeferredErasure:
    return DeferredErasure(lambda: pool, schema, Outbox(schema), interval_s=0.1, batch_size=batch_size,
                           clock=lambda: dt.datetime.now(dt.UTC))


async def recipient(conn: asyncpg.Connection, schema: str, letter_id: uuid.UUID) -> tuple[object, ...]:
    row = await conn.fetchrow(f"SELECT ssin, octet_length(pdf) AS pdf, postal_address, contact, erasure_id "
                              f"FROM {schema}.letters WHERE letter_id = $1", letter_id)
    return row["ssin"], row["pdf"], row["postal_address"], row["contact"], row["erasure_id"]


async def announced(conn: asyncpg.Connection, schema: str) -> list[dict[str, object]]:
    rows = await conn.fetch(f"SELECT payload FROM {schema}.outbox WHERE event_type = 'LetterRecipientErased' "
                            "ORDER BY id")
    return [json.loads(bytes(r["payload"])) for r in rows]


async def test_a_letter_in_flight_is_erased_once_it_settles_and_announced_as_caused_by_the_request(  # type: ignore[no-untyped-def]
        pool, schema) -> None:
    citizen, other = national_number(11, born=57), national_number(12, born=57)
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        settled = await letter(conn, schema, municipality="12025", ebox="read", paper=None, days_ago=3, ssin=citizen)
        queued = await letter(conn, schema, municipality="12025", ebox="not_digital", paper="queued_for_print",
                              days_ago=0, ssin=citizen)
        polled = await letter(conn, schema, municipality="12025", ebox="delivered_to_ebox", paper=None, days_ago=0,
                              read_poll=True, ssin=citizen)  # in the eBox, the read poller still asks about it
        others = await letter(conn, schema, municipality="12025", ebox="not_digital", paper="posted", days_ago=0,
                              ssin=other)
        request = request_for(citizen)
        erased, in_flight = await erase(conn, schema, request)
        assert (erased, in_flight) == ([settled], 2)

    # Nothing has settled yet: the round erases nothing, and the letters in flight keep everything.
    assert await deferred(pool, schema).erase_settled() == 0
    async with pool.acquire() as conn:
        ssin, pdf, address, contact, marked = await recipient(conn, schema, queued)
        assert (ssin, marked) == (citizen, request.payload.erasure_id) and pdf > 0 and address and contact
        # Posted, and no longer waited on by the read poller: both have settled.
        await conn.execute(f"UPDATE {schema}.letters SET paper_state = 'posted' WHERE letter_id = $1", queued)
        await conn.execute(f"UPDATE {schema}.letters SET ebox_state = 'read', next_read_poll_at = NULL "
                           "WHERE letter_id = $1", polled)

    assert await deferred(pool, schema).erase_settled() == 2
    assert await deferred(pool, schema).erase_settled() == 0  # once
    async with pool.acquire() as conn:
        for letter_id in (settled, queued, polled):
            assert await recipient(conn, schema, letter_id) == ("", 0, None, None, request.payload.erasure_id)
        assert (await recipient(conn, schema, others))[0] == other  # somebody else's letter is left alone
        said = await announced(conn, schema)
        # A history stays: the letters are still there, by id, for the counts and the desk.
        assert await letters.ids_of_erasure(conn, schema, request.payload.erasure_id) == sorted(
            [settled, queued, polled])
    assert sorted(e["payload"]["letter_id"] for e in said) == sorted(str(i) for i in (queued, polled))
    assert {e["payload"]["erasure_id"] for e in said} == {str(request.payload.erasure_id)}
    cause = Event.caused_by(request)
    assert {(e["correlation_id"], e["causation_id"]) for e in said} == {(str(cause["correlation_id"]),
                                                                         str(cause["causation_id"]))}
    # The remembered request holds ids and a time, never the number.
    stored = await pool.fetchrow(f"SELECT * FROM {schema}.erasure_requests")
    assert citizen not in json.dumps({k: str(v) for k, v in dict(stored).items()})


async def test_two_replicas_erase_and_announce_each_settled_letter_once(pool, schema) -> None:  # type: ignore[no-untyped-def]
    citizen = national_number(13, born=57)
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        ids = [await letter(conn, schema, municipality="21004", ebox="not_digital", paper="queued_for_print",
                            days_ago=0, ssin=citizen) for _ in range(120)]
        request = request_for(citizen)
        assert await erase(conn, schema, request) == ([], 120)
        await conn.execute(f"UPDATE {schema}.letters SET paper_state = 'posted' WHERE letter_id = ANY($1::uuid[])",
                           ids)
    # Small batches, so both replicas' rounds overlap on the same rows.
    one, two = deferred(pool, schema, batch_size=7), deferred(pool, schema, batch_size=7)

    async def drain(replica: DeferredErasure) -> int:
        total = 0
        while n := await replica.erase_settled():
            total += n
        return total

    counts = await asyncio.gather(drain(one), drain(two), drain(one))
    assert sum(counts) == 120
    async with pool.acquire() as conn:
        said = await announced(conn, schema)
        assert sorted(e["payload"]["letter_id"] for e in said) == sorted(str(i) for i in ids)
        assert not await conn.fetchval(f"SELECT count(*) FROM {schema}.letters WHERE ssin <> ''")
