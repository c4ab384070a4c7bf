"""A citizen's erasure in reporting's PostgreSQL read models: after `CitizenErasureRequested` and
the bridge's `LetterRecipientErased` for their letters, no row holds their pseudonym, every
figure is exactly what it was (the stand-in keeps the rows counted and joined), and a late
`LetterIssued` of theirs (another topic's consumer behind) does not bring the pseudonym back."""

from __future__ import annotations

import datetime as dt
import uuid

from loket.contracts import Event
from loket.contracts.citizens import CitizenErasureRequested
from loket.contracts.letter_status import LetterRecipientErased
from services.reporting.privacy import rows_of_citizen
from services.reporting.projector import project
from tests.integration.test_reporting_figures import PSEUDONYMS, figures, fresh
from tests.support.reporting_stream import stream


async def test_an_erased_citizen_leaves_no_pseudonym_and_every_figure_unchanged(pool) -> None:  # type: ignore[no-untyped-def]
    events, _ = stream()
    activated = {str(e.payload.national_number) for e in events if e.event_type == "EboxActivationAssisted"}
    their_letters = [e for e in events if e.event_type == "LetterIssued"
                     and str(e.payload.recipient_national_number) in activated]
    assert activated and their_letters, "the stream has a helped citizen who got letters later"
    citizen = str(their_letters[0].payload.recipient_national_number)
    mine = [e for e in their_letters if str(e.payload.recipient_national_number) == citizen]
    schema = await fresh(pool, "rep_erasure")
    try:
        async with pool.acquire() as conn, conn.transaction():
            await project(conn, schema, events, PSEUDONYMS)
        before = await figures(pool, schema)
        pseudonym = PSEUDONYMS(citizen)
        assert pseudonym is not None
        async with pool.acquire() as conn:
            held = await rows_of_citizen(conn, schema, pseudonym)
        assert held["letters"] == len(mine) and held["activations"] >= 1

        now = dt.datetime.now(dt.UTC)
        request = CitizenErasureRequested(producer="loket-cli", payload={
            "erasure_id": uuid.uuid4(), "national_number": citizen, "requested_at": now})
        erased: list[Event] = [LetterRecipientErased(producer="ebox_bridge", payload={
            "letter_id": e.payload.letter_id, "municipality": e.payload.municipality,
            "erasure_id": request.payload.erasure_id, "erased_at": now}) for e in mine]
        async with pool.acquire() as conn, conn.transaction():
            await project(conn, schema, [request, *erased], PSEUDONYMS)
            # A LetterIssued of theirs arriving late (past the inbox) cannot undo it.
            await project(conn, schema, mine[:1], PSEUDONYMS)
        async with pool.acquire() as conn:
            assert await rows_of_citizen(conn, schema, pseudonym) == {"letters": 0, "activations": 0}
            for table in ("letters", "activations"):
                assert not await conn.fetchval(f"SELECT count(*) FROM {schema}.{table} WHERE citizen = $1", pseudonym)
        assert await figures(pool, schema) == before
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
