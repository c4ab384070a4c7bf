"""A citizen's erasure reaches notify through the bridge's `LetterRecipientErased`: the
messages about that letter lose their phone number and e-mail address (a waiting one is
cancelled), other letters' messages keep theirs."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from loket.contracts.citizens import CitizenErasureRequested
from loket.contracts.letter_status import LetterDeliveredToEbox, LetterRecipientErased
from services.ebox_bridge import status_events
from services.ebox_bridge.domain.erasure_cause import ErasureCause
from tests.support.bridge_harness import publish
from tests.support.letters import national_number
from tests.support.notify_harness import eventually, running_notify


def delivered(email: str) -> LetterDeliveredToEbox:
    return LetterDeliveredToEbox(producer="test", payload={
        "letter_id": uuid.uuid4(), "municipality": "12025", "department": "finance", "document_type": "invoice",
        "ebox_message_id": "m-1", "important": True, "language": "nl", "delivered_at": dt.datetime.now(dt.UTC),
        "contact": {"email": email, "language": "nl"}})


async def _contacts(pool, letter_id: uuid.UUID) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = await pool.fetch("SELECT contact, contact_key, status FROM notify.notifications "
                            "WHERE trigger_aggregate_id = $1", str(letter_id))
    return [{"contact": json.loads(r["contact"]) if isinstance(r["contact"], str) else r["contact"],
             "key": r["contact_key"], "status": r["status"]} for r in rows]


async def test_an_erased_citizens_letter_messages_lose_their_contact_details(
        database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_notify(database_url, bus_url, tmp_path) as notify:
        erased, kept = delivered("erase.me@example.be"), delivered("keep.me@example.be")
        await publish(bus_url, [erased, kept])
        await eventually(lambda: len(notify.mails()) == 2, what="both e-mails sent")
        # The SMTP server has the mails a moment before notify records them delivered: wait for
        # that too, so the erasure below meets finished messages, as the assertions expect.
        letters = [str(erased.payload.letter_id), str(kept.payload.letter_id)]
        await eventually(lambda: pool.fetchval("SELECT count(*) = 2 FROM notify.notifications WHERE status = "
                                               "'delivered' AND trigger_aggregate_id = ANY($1::text[])", letters),
                         what="both e-mails recorded as delivered")
        request = CitizenErasureRequested(producer="test", payload={
            "erasure_id": uuid.uuid4(), "national_number": national_number(7, born=59), "requested_at": dt.datetime.now(dt.UTC)})
        event: LetterRecipientErased = status_events.recipient_erased(
            erased.payload.letter_id, "12025", request.payload.erasure_id, ErasureCause.of(request),
            dt.datetime.now(dt.UTC))
        await publish(bus_url, [event, event])  # redelivered: erasing twice is harmless

        async def blanked() -> bool:
            rows = await _contacts(pool, erased.payload.letter_id)
            return bool(rows) and all(r["key"] == "erased" for r in rows)

        await eventually(blanked, what="the erased letter's messages blanked")
        # The letter's message and its waiting nudge (a week later, if still unread).
        gone = {r["status"]: r for r in await _contacts(pool, erased.payload.letter_id)}
        assert set(gone) == {"delivered", "cancelled"}, "what happened stays; what waited is dropped"
        assert all("email" not in r["contact"] for r in gone.values())
        still = await _contacts(pool, kept.payload.letter_id)
        assert len(still) == 2 and all(r["contact"]["email"] == "keep.me@example.be" and r["key"] != "erased"
                                       for r in still)
        text = json.dumps([dict(r) for r in await pool.fetch("SELECT contact FROM notify.notifications")], default=str)
        assert "erase.me@example.be" not in text
