"""The Python client `loket-client` (clients/python) against the bridge over real HTTP: the
letters API on the embedded PostgreSQL and NATS with the eBox simulator, and a real aiohttp
webhook receiver that verifies signatures with the client's own helper."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from aiohttp import web
from loket_client import (
    AsyncLoketClient,
    Conflict,
    InvalidRequest,
    LetterView,
    LoketClient,
    NotFound,
    RetryPolicy,
    Unauthorized,
    WebhookVerificationError,
    verify_webhook,
    with_pdf,
)

from loket.infra.embedded.ports import free_port
from tests.support.bridge_harness import bridge_settings
from tests.support.letters import ADDRESS, Population, letter_pdf
from tests.support.letters_api import MECHELEN, Api, eventually, letters_api

PEOPLE = Population(start=14_000)
FAST_WEBHOOKS = {"webhook_retry_base_s": 0.2, "webhook_retry_max_s": 1.0, "webhook_idle_s": 0.05}
QUICK_RETRIES = RetryPolicy(max_attempts=4, base_delay_s=0.05, max_delay_s=0.2)


def letter(ssin: str, **fields: Any) -> dict[str, Any]:
    """A valid letter of Mechelen's finance department, its PDF inline."""
    return with_pdf({"department": "finance", "document_type": "invoice", "recipient_national_number": ssin,
                     "language": "nl", "subject": "Uw factuur", "postal_address": ADDRESS, **fields}, letter_pdf())


@pytest.fixture
async def api(database_url: str, bus_url: str, sim, keys, pool: asyncpg.Pool, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool", **FAST_WEBHOOKS)
    async with letters_api(pool, settings) as api:
        yield api


@pytest.fixture
async def loket(api: Api):  # type: ignore[no-untyped-def]
    async with AsyncLoketClient(api.base, api.keys[MECHELEN], retry=QUICK_RETRIES) as client:
        yield client


async def settled(loket: AsyncLoketClient, letter_id: str, wanted: set[str]) -> LetterView:
    async def probe() -> LetterView | None:
        view = await loket.get_letter(letter_id)
        return view if view.status in wanted else None
    return await eventually(probe, what=f"letter {letter_id} in {wanted}")


async def issued_events(pool: asyncpg.Pool, letter_id: str) -> int:
    return await pool.fetchval("SELECT count(*) FROM ebox_bridge.outbox WHERE key = $1 AND event_type = 'LetterIssued'",
                               letter_id)


async def test_a_letter_sent_as_json_reaches_the_ebox(loket: AsyncLoketClient, api: Api) -> None:
    accepted = await loket.send_letter(letter(PEOPLE.take(True), sender_reference="PY-1"))
    assert accepted.status == "accepted"
    assert accepted.status_url == f"{api.base}/v1/letters/{accepted.letter_id}"
    view = await settled(loket, accepted.letter_id, {"delivered_to_ebox"})
    assert view.settled and view.sender_reference == "PY-1"
    assert (view.department, view.document_type) == ("finance", "invoice")  # as tests/support/letters_api.py sends them
    assert view.ebox is not None and view.ebox.message_id == view.ebox_message_id
    assert [(h.channel, h.to_state) for h in view.history][:2] == [("letter", "received"), ("letter", "routed")]


async def test_a_letter_sent_with_its_pdf_as_a_part_goes_to_paper(loket: AsyncLoketClient) -> None:
    fields = {k: v for k, v in letter(PEOPLE.take(False)).items() if k != "pdf_base64"}
    accepted = await loket.send_letter(fields, pdf=letter_pdf())
    view = await settled(loket, accepted.letter_id, {"queued_for_print"})
    assert view.paper is not None and view.paper.reason == "no_digital_user"


async def test_the_same_key_replays_and_another_body_under_it_conflicts(
        loket: AsyncLoketClient, pool: asyncpg.Pool) -> None:
    key = f"py-{uuid.uuid4()}"
    request = letter(PEOPLE.take(True))
    first = await loket.send_letter(request, idempotency_key=key)
    again = await loket.send_letter(request, idempotency_key=key)
    assert again == first
    assert await issued_events(pool, first.letter_id) == 1
    with pytest.raises(Conflict) as conflict:
        await loket.send_letter({**request, "subject": "Iets anders"}, idempotency_key=key)
    assert conflict.value.status == 409 and conflict.value.title == "Idempotency-Key reused"
    # Without a key of its own each call gets a fresh one: two sends, two letters.
    other = await loket.send_letter(letter(PEOPLE.take(True)))
    assert other.letter_id != first.letter_id


async def test_a_refusal_names_each_invalid_field(loket: AsyncLoketClient) -> None:
    bad = letter(PEOPLE.take(True), language="xx", postal_address={**ADDRESS, "postcode": "1999"}, subject="")
    with pytest.raises(InvalidRequest) as refused:
        await loket.send_letter(bad)
    error = refused.value
    assert error.status == 422 and error.detail and error.attempts == 1  # a 422 is never retried
    assert {"/language", "/subject"} <= set(error.pointers), error.pointers
    assert all(e.detail for e in error.errors)


async def test_unknown_letters_and_keys_are_refused_as_such(loket: AsyncLoketClient, api: Api) -> None:
    with pytest.raises(NotFound) as unknown:
        await loket.get_letter(uuid.uuid4())
    assert unknown.value.title == "Unknown letter"
    async with AsyncLoketClient(api.base, "not-a-key", retry=QUICK_RETRIES) as stranger:
        with pytest.raises(Unauthorized) as refused:
            await stranger.list_letters()
    assert refused.value.attempts == 1


async def test_a_batch_is_answered_per_item(loket: AsyncLoketClient) -> None:
    good, bad = letter(PEOPLE.take(True)), letter(PEOPLE.take(True), language="xx")
    result = await loket.send_letters([good, bad])
    assert (result.accepted, result.refused) == (1, 1)
    ok, refused = result.items
    assert ok.accepted and ok.letter_id and ok.error is None
    assert not refused.accepted and isinstance(refused.error, InvalidRequest)
    assert refused.error.pointers == ["/letters/1/language"]
    await settled(loket, ok.letter_id, {"delivered_to_ebox"})


async def test_iterating_a_query_follows_the_cursor_across_pages(loket: AsyncLoketClient) -> None:
    reference = f"PY-{uuid.uuid4()}"
    ids = {(await loket.send_letter(letter(PEOPLE.take(False), sender_reference=reference))).letter_id
           for _ in range(5)}
    for letter_id in ids:
        await settled(loket, letter_id, {"queued_for_print"})
    first = await loket.list_letters(sender_reference=reference, limit=2)
    assert len(first.letters) == 2 and first.next_cursor  # more than one page to follow
    seen = [v.letter_id async for v in loket.iter_letters(sender_reference=reference, status="queued_for_print",
                                                          page_size=2)]
    assert sorted(seen) == sorted(ids)
    assert [v async for v in loket.iter_letters(sender_reference=reference, status="posted")] == []
    with pytest.raises(InvalidRequest) as bad:
        await loket.list_letters(status="lost")
    assert bad.value.pointers == ["/query/status"]


async def test_cancel_before_the_cutoff_then_not_again(loket: AsyncLoketClient) -> None:
    accepted = await loket.send_letter(letter(PEOPLE.take(True), department="housing", document_type="permit"))
    await settled(loket, accepted.letter_id, {"queued_for_print"})
    view = await loket.cancel_letter(accepted.letter_id)
    assert view.status == "cancelled" and view.paper is not None and view.paper.state == "cancelled"
    with pytest.raises(Conflict):
        await loket.cancel_letter(accepted.letter_id)  # cancelled already, and by an earlier call
    digital = await loket.send_letter(letter(PEOPLE.take(True)))
    await settled(loket, digital.letter_id, {"delivered_to_ebox"})
    with pytest.raises(Conflict) as published:
        await loket.cancel_letter(digital.letter_id)
    assert "published" in published.value.detail


class FlakyProxy:
    """Forwards to the bridge, but answers 502 to the first `lose` POSTs after forwarding them:
    the letter is taken, its answer lost, as on a dropped connection. Records each key sent."""

    def __init__(self, target: str, lose: int) -> None:
        self.target, self.lose, self.keys = target, lose, []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with aiohttp.ClientSession() as http, http.request(request.method, self.target + request.path_qs,
                                                                 data=body, headers=headers) as answer:
            content = await answer.read()
            status, kind = answer.status, answer.headers.get("content-type")
        if request.method == "POST":
            self.keys.append(request.headers.get("Idempotency-Key"))
            if self.lose > 0:
                self.lose -= 1
                return web.Response(status=502, text="bad gateway")
        return web.Response(status=status, body=content, headers={"content-type": kind} if kind else None)


async def test_a_lost_answer_is_retried_under_the_same_key_and_makes_one_letter(api: Api, pool: asyncpg.Pool) -> None:
    proxy = FlakyProxy(api.base, lose=2)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with AsyncLoketClient(f"http://127.0.0.1:{port}", api.keys[MECHELEN], retry=QUICK_RETRIES) as loket:
            accepted = await loket.send_letter(letter(PEOPLE.take(True)))
    finally:
        await runner.cleanup()
    assert len(proxy.keys) == 3 and len(set(proxy.keys)) == 1 and proxy.keys[0]
    assert await issued_events(pool, accepted.letter_id) == 1


async def test_the_sync_client_sends_reads_and_pages(api: Api, loket: AsyncLoketClient) -> None:
    reference = f"PY-SYNC-{uuid.uuid4()}"
    requests = [letter(PEOPLE.take(True), sender_reference=reference) for _ in range(3)]
    with LoketClient(api.base, api.keys[MECHELEN], retry=QUICK_RETRIES) as sync_loket:

        def send() -> tuple[list[str], list[str]]:
            sent = [sync_loket.send_letter(r).letter_id for r in requests]
            try:
                sync_loket.send_letter({**requests[0], "language": "xx"})
            except InvalidRequest as error:
                return sent, error.pointers
            raise AssertionError("an invalid letter was accepted")

        # A back-office's plain blocking code, in a thread: this test's own loop must keep running.
        sent, pointers = await asyncio.to_thread(send)
        assert len(set(sent)) == 3 and pointers == ["/language"]
        for letter_id in sent:  # listed once intake has admitted them
            await settled(loket, letter_id, {"delivered_to_ebox"})
        listed = await asyncio.to_thread(
            lambda: [v.letter_id for v in sync_loket.iter_letters(sender_reference=reference, page_size=2)])
        assert sorted(listed) == sorted(sent)
        view = await asyncio.to_thread(sync_loket.get_letter, sent[0])
        assert view.status == "delivered_to_ebox"


class VerifyingReceiver:
    """A back-office's webhook endpoint that trusts nothing the client's helper did not verify."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.events: dict[str, dict[str, Any]] = {}  # webhook-id → event
        self.repeats = 0
        self.bad_signatures = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        assert self.secret is not None
        try:
            event = verify_webhook(self.secret, body, request.headers)
        except WebhookVerificationError:
            self.bad_signatures += 1
            return web.Response(status=401)
        webhook_id = request.headers["webhook-id"]
        if webhook_id in self.events:
            self.repeats += 1
        self.events[webhook_id] = event
        return web.Response(status=204)


async def test_webhook_deliveries_verify_with_the_clients_helper(loket: AsyncLoketClient) -> None:
    hook = VerifyingReceiver()
    app = web.Application()
    app.router.add_post("/hooks/loket", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        created = await loket.create_webhook(f"http://127.0.0.1:{port}/hooks/loket", ["*"])
        assert created.secret is not None and created.secret.startswith("whsec_")
        hook.secret = created.secret
        listed = [w for w in await loket.list_webhooks() if w.id == created.id]
        assert listed and listed[0].secret is None  # the secret is shown once only
        ids = {(await loket.send_letter(letter(PEOPLE.take(digital)))).letter_id for digital in (True, False)}

        def ours() -> list[dict[str, Any]]:
            return [e for e in hook.events.values() if e["payload"].get("letter_id") in ids]

        async def both_delivered() -> list[dict[str, Any]] | None:
            found = ours()
            return found if {e["event_type"] for e in found} >= {"LetterDeliveredToEbox", "LetterQueuedForPrint"} \
                else None

        events = await eventually(both_delivered, what="both letters' status events delivered")
        assert hook.bad_signatures == 0 and len(events) >= 2
        assert len({e["event_id"] for e in events}) == len(events)  # each event under one webhook-id
        deliveries = await loket.list_deliveries(created.id, state="delivered")
        assert {d.id for d in deliveries if d.letter_id in ids} <= set(hook.events)
        # A forged delivery (right headers, wrong secret) is refused by the helper.
        with pytest.raises(WebhookVerificationError):
            verify_webhook("whsec_" + "A" * 44, b"{}", {"webhook-id": "msg_x", "webhook-timestamp": "0",
                                                       "webhook-signature": "v1,AAAA"}, now=0)
        await loket.delete_webhook(created.id)
        assert created.id not in [w.id for w in await loket.list_webhooks()]
    finally:
        await runner.cleanup()


# The API's operations (OpenAPI operationId); each client has a method of the same name.
OPERATIONS = {"send_letter", "send_letters", "list_letters", "get_letter", "cancel_letter", "create_webhook",
              "list_webhooks", "delete_webhook", "list_deliveries", "replay_delivery"}


async def test_the_client_covers_every_letters_and_webhooks_operation(api: Api) -> None:
    status, document = await api.call("GET", "/docs/openapi.json")
    assert status == 200
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()
                  if isinstance(op, dict) and {"letters", "webhooks"} & set(op.get("tags", []))}
    assert operations == OPERATIONS, "the API and the client differ: add the method to loket_client"
    for method in OPERATIONS:
        assert callable(getattr(AsyncLoketClient, method)) and callable(getattr(LoketClient, method))
