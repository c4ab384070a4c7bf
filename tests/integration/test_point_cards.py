"""Booking publishes each point's public card on points.v1 when the point changes (whoever
changed it) and daily, once per change even with the round running on several replicas; and the
short link of the paper insert's QR code leads to that point's booking page, counted."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import pytest

from loket.infra.db.outbox import Outbox
from services.booking.points.cards import publish_due_cards
from services.booking.points.repository import all_points, upsert_points
from tests.support.booking_harness import running_booking

SCHEMA = "booking"


@pytest.fixture
async def booking(database_url, bus_url, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as running:
        yield running


async def cards_in_outbox(pool) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    rows = await pool.fetch(f"SELECT key, payload FROM {SCHEMA}.outbox WHERE event_type = 'AssistancePointPublished' "
                            "ORDER BY id")
    found: dict[str, list[dict]] = {}
    for r in rows:
        found.setdefault(r["key"], []).append(json.loads(bytes(r["payload"]))["payload"])
    return found


async def publish_now(pool, now: dt.datetime) -> int:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn, conn.transaction():
        return await publish_due_cards(conn, SCHEMA, Outbox(SCHEMA), now)


async def test_a_changed_point_is_published_once_and_an_unchanged_one_only_daily(booking, pool) -> None:  # type: ignore[no-untyped-def]
    # Start from "everything published": the round of the running service may already have done it.
    now = dt.datetime.now(dt.UTC)
    for _ in range(200):  # the service's own round may hold some rows: wait until it committed them
        await publish_now(pool, now)
        if not await pool.fetchval(
                f"""SELECT count(*) FROM {SCHEMA}.assistance_points WHERE card_digest IS NULL
                       OR card_digest <> encode(sha256(convert_to(document, 'UTF8')), 'hex')"""):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # a round that found nothing due may still be closing its transaction
    await pool.execute(f"DELETE FROM {SCHEMA}.outbox WHERE event_type = 'AssistancePointPublished'")
    assert await publish_now(pool, now) == 0, "nothing changed, nothing due"

    async with pool.acquire() as conn:
        points = {p.point_id: p for p in await all_points(conn, SCHEMA)}
        changed = points["mechelen-stadhuis"].model_copy(update={"phone": "+32 15 29 99 99"})
        await upsert_points(conn, SCHEMA, [changed])
    # Two rounds at once, besides the service's own: the changed point is published by one of them.
    counts = await asyncio.gather(publish_now(pool, now), publish_now(pool, now))
    assert sum(counts) <= 1
    cards = await cards_in_outbox(pool)
    assert list(cards) == ["mechelen-stadhuis"] and len(cards["mechelen-stadhuis"]) == 1
    card = cards["mechelen-stadhuis"][0]
    assert card["phone"] == "+32 15 29 99 99" and "ebox_activation" in card["services"]
    assert card["address"] == {"street": "Grote Markt", "number": "21", "postcode": "2800", "town": "Mechelen"}
    # Public facts only: nothing about helpers, shifts or capacity.
    assert not {"helpers", "shifts", "capacity"} & set(card)

    # A day later every card goes out again, for consumers that start after the bus forgot.
    # (Counted from the newest card: other tests run booking with clocks set days ahead.)
    newest = await pool.fetchval(f"SELECT max(card_published_at) FROM {SCHEMA}.assistance_points")
    assert await publish_now(pool, max(now, newest) + dt.timedelta(days=1, minutes=1)) == len(points)
    async with pool.acquire() as conn:
        await upsert_points(conn, SCHEMA, [points["mechelen-stadhuis"]])  # put the seed back


async def test_the_insert_short_link_opens_the_points_booking_page_and_is_counted(booking, pool) -> None:  # type: ignore[no-untyped-def]
    get = booking.http.get
    async with get(f"{booking.base}/b/i12025-2026q4/mechelen-stadhuis?lang=nl", allow_redirects=False) as r:
        assert r.status == 303
        target = r.headers["Location"]
    assert target.startswith("/public/book/points/mechelen-stadhuis?")
    assert "service=ebox_activation" in target and "campaign=i12025-2026q4" in target and "lang=nl" in target
    async with get(f"{booking.base}{target}") as r:
        page = await r.text()
        assert r.status == 200 and "mechelen-stadhuis" in page
    # The campaign rides along to the booking, and its event says so (for the campaign's funnel).
    assert '<input type="hidden" name="campaign" value="i12025-2026q4">' in page
    slot = re.search(r'name="starts_at" value="([^"]+)"', page)
    assert slot is not None
    form = {"service": "ebox_activation", "help_language": "nl", "starts_at": slot.group(1),
            "phone": "+32470555123", "campaign": "i12025-2026q4"}
    async with booking.http.post(f"{booking.base}/public/book/points/mechelen-stadhuis?lang=nl", data=form) as r:
        assert r.status == 201, await r.text()
    payload = json.loads(bytes(await pool.fetchval(
        f"SELECT payload FROM {SCHEMA}.outbox WHERE event_type = 'AppointmentBooked' ORDER BY id DESC LIMIT 1")))
    assert payload["payload"]["campaign"] == "i12025-2026q4" and payload["payload"]["service"] == "ebox_activation"
    # A hand-typed campaign that is not one is dropped, not refused.
    form = {**form, "starts_at": re.findall(r'name="starts_at" value="([^"]+)"', page)[-1], "campaign": "x<y"}
    async with booking.http.post(f"{booking.base}/public/book/points/mechelen-stadhuis?lang=nl", data=form) as r:
        assert r.status == 201
    payload = json.loads(bytes(await pool.fetchval(
        f"SELECT payload FROM {SCHEMA}.outbox WHERE event_type = 'AppointmentBooked' ORDER BY id DESC LIMIT 1")))
    assert payload["payload"]["campaign"] is None
    # A point that is gone (or never offered activation) → the finder, still counted.
    async with get(f"{booking.base}/b/i12025-2026q4/no-such-point?lang=fr", allow_redirects=False) as r:
        assert r.status == 303 and r.headers["Location"] == "/public/find?campaign=i12025-2026q4&lang=fr"
    # A code mistyped from the paper → the finder too (it was a plain-text 404), not counted.
    async with get(f"{booking.base}/b/not-a-campaign/mechelen-stadhuis?lang=de", allow_redirects=False) as r:
        assert r.status == 303 and r.headers["Location"] == "/public/find?lang=de"
    async with get(f"{booking.base}/metrics") as r:
        assert 'loket_booking_campaign_visits_total{municipality="12025"} 2.0' in await r.text()
    # Reporting hears of both visits (for the funnel), with the point or without one, and of no one.
    visits = [json.loads(bytes(r["payload"]))["payload"] for r in await pool.fetch(
        f"SELECT payload FROM {SCHEMA}.outbox WHERE event_type = 'CampaignLinkVisited' ORDER BY id")]
    assert [(v["campaign"], v["point_id"]) for v in visits[-2:]] == [
        ("i12025-2026q4", "mechelen-stadhuis"), ("i12025-2026q4", None)]
    assert set(visits[-1]) == {"visit_id", "campaign", "municipality", "point_id", "visited_at"}
