"""Webhooks over real HTTP: the bridge calls a real aiohttp receiver that verifies every
signature and de-duplicates on webhook-id; deliveries survive a receiver answering 500 for a
while, are given up after their window and can be replayed."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg

from tests.support.bridge_harness import bridge_settings
from tests.support.letters import Population
from tests.support.letters_api import ETTERBEEK, Api, eventually, letter, letters_api
from tests.support.webhook_receiver import Receiver, receiver

PEOPLE = Population(start=7000)
FAST_RETRIES = {"webhook_retry_base_s": 0.2, "webhook_retry_max_s": 1.0, "webhook_idle_s": 0.05}


def settings_for(database_url: str, bus_url: str, sim: Any, keys: SimpleNamespace, tmp_path: Path, **extra: Any) -> Any:
    return bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool", **FAST_RETRIES, **extra)


async def subscribe(api: Api, hook: Receiver, event_types: list[str] | None = None) -> str:
    status, body = await api.call("POST", "/v1/webhooks", json={"url": hook.url, "event_types": event_types or ["*"]})
    assert status == 201, body
    assert body["secret"].startswith("whsec_")
    hook.secret = body["secret"]
    return body["id"]


async def send_letters(api: Api, n: int, digital: bool = True) -> set[str]:
    ids = set()
    for _ in range(n):
        status, body = await api.call("POST", "/v1/letters", json=letter(PEOPLE.take(digital)))
        assert status == 202, body
        ids.add(body["letter_id"])
    return ids


async def test_each_event_reaches_the_receiver_exactly_once_through_a_500_spell(
        database_url: str, bus_url: str, sim: Any, keys: SimpleNamespace, pool: asyncpg.Pool, tmp_path: Path) -> None:
    async with receiver() as hook, letters_api(pool, settings_for(database_url, bus_url, sim, keys, tmp_path)) as api:
        webhook_id = await subscribe(api, hook)
        hook.failing = True
        ids = await send_letters(api, 3, digital=True) | await send_letters(api, 2, digital=False)
        # Delivered to the eBox (3) or queued for print (2): one status event each at least.
        await eventually(lambda: _async(ids <= hook.refused_letters), what="the receiver refusing our deliveries")
        hook.failing = False
        events = await eventually(lambda: _async(len(hook.events_for(ids)) >= 5 and hook.events_for(ids)),
                                  what="every letter's status event delivered")
        assert hook.bad_signatures == 0
        assert Counter(e["event_type"] for e in events) == {"LetterDeliveredToEbox": 3, "LetterQueuedForPrint": 2}
        # One delivery id per (endpoint, event): the receiver never saw an event under two ids.
        assert len({e["event_id"] for e in events}) == len(events)
        # The receiver answers before the bridge records the delivery: the list catches up.
        async def delivered_list() -> list[dict[str, Any]] | None:
            status, listed = await api.call("GET", f"/v1/webhooks/{webhook_id}/deliveries?state=delivered")
            assert status == 200
            found = [d for d in listed["deliveries"] if d["letter_id"] in ids]
            return found if len(found) >= 5 else None

        delivered = await eventually(delivered_list, what="five deliveries recorded as delivered")
        assert len(delivered) == 5 and all(d["attempts"] >= 1 for d in delivered)
        assert all(d["attempts"] > 1 for d in delivered), "each was refused once: it took a retry"
        per_event = await pool.fetch(
            "SELECT event_id, count(*) AS n FROM ebox_bridge.webhook_deliveries WHERE webhook_id = $1 GROUP BY 1",
            uuid.UUID(webhook_id))
        assert all(r["n"] == 1 for r in per_event)
        assert (await api.call("DELETE", f"/v1/webhooks/{webhook_id}"))[0] == 204


async def test_a_delivery_is_given_up_after_its_window_then_replayed(
        database_url: str, bus_url: str, sim: Any, keys: SimpleNamespace, pool: asyncpg.Pool, tmp_path: Path) -> None:
    settings = settings_for(database_url, bus_url, sim, keys, tmp_path, webhook_retry_window_s=2.0)
    async with receiver() as hook, letters_api(pool, settings) as api:
        webhook_id = await subscribe(api, hook, ["LetterDeliveredToEbox"])
        hook.failing = True
        ids = await send_letters(api, 1)

        async def failed() -> list[dict] | None:
            status, body = await api.call("GET", f"/v1/webhooks/{webhook_id}/deliveries?state=failed")
            assert status == 200
            return [d for d in body["deliveries"] if d["letter_id"] in ids] or None

        [given_up] = await eventually(failed, what="the delivery marked failed")
        assert given_up["last_status"] == 500 and given_up["attempts"] >= 1
        assert hook.events_for(ids) == []
        hook.failing = False
        status, _ = await api.call("POST", f"/v1/webhooks/{webhook_id}/deliveries/{given_up['id']}/replay")
        assert status == 202
        [event] = await eventually(lambda: _async(hook.events_for(ids)), what="the replayed delivery")
        assert event["event_type"] == "LetterDeliveredToEbox"
        assert given_up["id"] in hook.events  # the same webhook-id as the failed tries
        assert (await api.call("DELETE", f"/v1/webhooks/{webhook_id}"))[0] == 204


async def test_webhook_endpoints_belong_to_one_municipality(
        database_url: str, bus_url: str, sim: Any, keys: SimpleNamespace, pool: asyncpg.Pool, tmp_path: Path) -> None:
    async with receiver() as hook, letters_api(pool, settings_for(database_url, bus_url, sim, keys, tmp_path)) as api:
        webhook_id = await subscribe(api, hook, ["LetterRead", "LetterPosted"])
        status, listed = await api.call("GET", "/v1/webhooks")
        assert status == 200
        mine = [w for w in listed["webhooks"] if w["id"] == webhook_id]
        assert mine and "secret" not in mine[0] and mine[0]["event_types"] == ["LetterPosted", "LetterRead"]
        status, theirs = await api.call("GET", "/v1/webhooks", ETTERBEEK)
        assert webhook_id not in [w["id"] for w in theirs["webhooks"]]
        assert (await api.call("DELETE", f"/v1/webhooks/{webhook_id}", ETTERBEEK))[0] == 404
        assert (await api.call("GET", f"/v1/webhooks/{webhook_id}/deliveries", ETTERBEEK))[0] == 404
        status, refused = await api.call("POST", "/v1/webhooks", json={"url": hook.url, "event_types": ["Nope"]})
        assert status == 422 and refused["errors"][0]["pointer"] == "/event_types" and refused["title"] == "Invalid webhook"
        status, refused = await api.call("POST", "/v1/webhooks", json={"url": "not a url", "event_types": ["*"]})
        assert status == 422 and refused["errors"][0]["pointer"] == "/url"
        status, refused = await api.call("POST", "/v1/webhooks", json={"url": "http://example.org/h", "event_types": ["*"]})
        assert status == 422 and "https" in refused["errors"][0]["detail"]
        assert (await api.call("DELETE", f"/v1/webhooks/{webhook_id}"))[0] == 204
        status, listed = await api.call("GET", "/v1/webhooks")
        assert webhook_id not in [w["id"] for w in listed["webhooks"]]


async def _async(value: Any) -> Any:
    return value
