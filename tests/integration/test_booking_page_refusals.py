"""The HTML pages answer a refused use case with its status, as the JSON API does, and with a
sentence in the page's language (over plain HTTP, so this runs without the browser the e2e page
tests need); cancelling on the manage page offers the freed slot to the waitlist like the API
does."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.integration.test_booking_appointments import POINT, free_slots, wish
from tests.integration.test_booking_waitlist import offers
from tests.support.booking_harness import RunningBooking, running_booking


async def page(booking: RunningBooking, method: str, path: str, **params: str) -> tuple[int, str]:
    async with booking.http.request(method, f"{booking.base}{path}", params={"lang": "en", **params}) as r:
        return r.status, await r.text()


async def test_the_slots_page_explains_an_unknown_point_and_an_unbookable_service(
        database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        status, html = await page(booking, "GET", "/public/book/points/nowhere", service="ebox_activation",
                                  help_language="nl")
        assert status == 404 and "This help point does not exist" in html
        status, html = await page(booking, "GET", f"/public/book/points/{POINT}", service="juggling",
                                  help_language="nl")
        assert status == 422 and "cannot be booked" in html
        status, html = await page(booking, "GET", "/public/book/points/nowhere", service="ebox_activation",
                                  help_language="nl", lang="fr")
        assert status == 404 and "Ce point d&#39;aide n&#39;existe pas" in html, html[-1500:]
        status, html = await page(booking, "GET", "/public/book/points", service="ebox_activation",
                                  help_language="nl", postcode="0000", lang="de")
        assert status == 400 and "Diese Postleitzahl kennen wir nicht" in html


async def test_a_cancellation_on_the_manage_page_offers_the_slot_and_spends_the_link(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        await pool.execute("DELETE FROM booking.outbox WHERE event_type = 'AppointmentSlotOffered'")
        slot = (await free_slots(booking))[-1]  # far enough ahead to change online and to offer
        day = slot["local_time"][:10]
        _, mine = await booking.call("POST", "/public/appointments", json=wish(slot))
        status, _ = await booking.call("POST", "/public/waitlist", json={
            "point_id": POINT, "service": "ebox_activation", "language": "nl", "earliest": day, "latest": day,
            "contact": {"phone": "+32470111111", "language": "nl"}})
        assert status == 201
        manage = f"/public/book/manage/{mine['appointment_id']}"

        status, html = await page(booking, "GET", manage, token="not-the-token")
        assert status == 404 and "This link is not valid" in html
        status, html = await page(booking, "GET", manage, token=mine["manage_token"])
        # The language links keep the link's token: another language shows the same appointment.
        assert status == 200 and f'href="{manage}?token={mine["manage_token"]}&amp;lang=nl"' in html, html[:3000]
        assert (await page(booking, "POST", manage, token=mine["manage_token"]))[0] == 200
        status, html = await page(booking, "GET", manage, token=mine["manage_token"])
        assert status == 410 and "This link was already used" in html

        [offer] = await offers(pool)
        claim = urlparse(offer["claim_url"])
        token = parse_qs(claim.query)["token"][0]
        assert (await page(booking, "GET", claim.path, token=token))[0] == 200
        assert (await page(booking, "POST", claim.path, token=token))[0] == 201
        status, html = await page(booking, "GET", claim.path, token=token)
        assert status == 410 and "This link was already used" in html
