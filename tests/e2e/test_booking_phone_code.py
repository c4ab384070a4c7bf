"""Where a municipality confirms phone numbers (`public_booking_sms_code`), a public booking is
made only once the citizen types back the code notify sent by SMS: in headless Chromium with
axe-core on the code step, and over the public API. Booking, notify, NATS and the SMS simulator
are real; notify runs at night, so the code is seen to skip the quiet hours a reminder keeps."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import AsyncIterator

import asyncpg

from loket.infra.contact_keys import is_keyed
from loket.infra.identity.schema import migrate_identity
from loket.infra.identity.tenant_store import import_tenants
from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE, read_tenant_file
from services.booking.calendar.local_time import BRUSSELS
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact, chromium_page, require_chromium
from tests.support.notify_harness import RunningNotify, eventually, running_notify
from tests.support.signin_harness import assert_accessible

PHONE = "+32470123456"


@contextlib.asynccontextmanager
async def mechelen_confirms_phone_numbers(pool: asyncpg.Pool) -> AsyncIterator[None]:
    shipped = read_tenant_file(SHIPPED_TENANTS_FILE)
    changed = [t.model_copy(update={"public_booking_sms_code": t.municipality == "12025"}) for t in shipped]
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        await import_tenants(conn, changed)
    try:
        yield
    finally:
        async with pool.acquire() as conn:  # the other tests book without a code
            await import_tenants(conn, shipped)


def night_clock() -> dt.datetime:
    """Now, shifted to 23:30 in Brussels: within notify's quiet hours."""
    now = dt.datetime.now(dt.UTC)
    night = dt.datetime.combine(now.astimezone(BRUSSELS).date(), dt.time(23, 30), tzinfo=BRUSSELS)
    return night.astimezone(dt.UTC) + (dt.datetime.now(dt.UTC) - now)


async def codes_sent(notify: RunningNotify) -> list[str]:
    return [m.group(1) for message in await notify.sms.messages() if message["to"] == PHONE
            for m in [re.search(r"\b(\d{6})\b", message["body"])] if m]


async def test_a_citizen_confirms_the_code_on_the_page(database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    require_chromium()
    shift = night_clock() - dt.datetime.now(dt.UTC)

    def clock() -> dt.datetime:  # one clock for both services: the code's expiry is booking's
        return dt.datetime.now(dt.UTC) + shift

    async with (mechelen_confirms_phone_numbers(pool),
                running_notify(database_url, bus_url, tmp_path / "notify", clock=clock) as notify,
                running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=clock) as booking,
                chromium_page() as page):
        await page.goto(f"{booking.base}/public/book/points/mechelen-stadhuis?lang=nl&service=ebox_activation"
                        "&help_language=nl")
        await page.locator("input[name=starts_at]").first.check()
        await page.get_by_label("GSM-nummer").fill("0470 12 34 56")
        await page.get_by_role("button", name="Afspraak bevestigen").click()
        assert "Bevestig uw gsm-nummer" in await page.inner_text("main")
        assert "0470 12 34 56" in await page.inner_text("#code-sent")
        assert await pool.fetchval("SELECT count(*) FROM booking.appointments") == 0  # nothing booked yet
        await assert_accessible(page, "code")
        await page.screenshot(path=str(artifact("booking-page-code.png")), full_page=True)
        [code] = await eventually(lambda: codes_sent(notify), what="the code reaches the phone, at night too")

        await page.get_by_label("Code uit de sms").fill("000000" if code != "000000" else "111111")
        await page.get_by_role("button", name="Code bevestigen en afspraak maken").click()
        assert "Dat is niet de code die we stuurden" in await page.get_by_role("alert").inner_text()
        await assert_accessible(page, "wrong code")
        await page.screenshot(path=str(artifact("booking-page-code-wrong.png")), full_page=True)
        assert await pool.fetchval("SELECT wrong_tries FROM booking.phone_checks") == 1

        await page.get_by_label("Code uit de sms").fill(code)
        await page.get_by_label("Code uit de sms").press("Enter")
        await page.wait_for_selector("#booked-when")
        row = await pool.fetchrow("SELECT booked_via, contact FROM booking.appointments")
        assert row["booked_via"] == "citizen" and row["contact"]["phone"] == PHONE
        assert await pool.fetchval("SELECT used_at IS NOT NULL FROM booking.phone_checks") is True
        assert [e for e in page.console_errors if "422" not in e] == []  # the wrong code's page was a 422
        # Neither the code nor the number is stored in clear.
        stored = await pool.fetchrow("SELECT phone_digest, code_digest FROM booking.phone_checks")
        assert PHONE not in str(dict(stored)) and code not in str(dict(stored))
        assert is_keyed(stored["code_digest"]), "the code's digest is stored unkeyed: a million hashes reveal it"
        # The confirmation SMS waits for the morning (quiet hours); only the code went at night.
        # A dispatch round claims it ('sending') before it decides to defer it ('created', due in
        # the morning): wait for that decision rather than read the state in between.
        due = await eventually(lambda: _deferred_confirmation(pool), what="the confirmation deferred")
        assert due > clock()
        assert await _status_of(pool, "phone_code") == "delivered"


async def _deferred_confirmation(pool: asyncpg.Pool) -> dt.datetime | None:
    """The confirmation's due time once it waits, unsent, for the end of the quiet hours (08:00;
    planned at 23:30 it was due at once)."""
    row = await pool.fetchrow("SELECT status, due_at, sent_at FROM notify.notifications "
                              "WHERE kind = 'appointment_confirmation'")
    waiting = row is not None and row["status"] == "created" and row["sent_at"] is None
    return row["due_at"] if waiting and row["due_at"].astimezone(BRUSSELS).time() == dt.time(8, 0) else None


async def _status_of(pool: asyncpg.Pool, kind: str) -> str | None:
    return await pool.fetchval("SELECT status FROM notify.notifications WHERE kind = $1", kind)


async def test_the_public_api_books_only_with_a_confirmed_code(database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    async with (mechelen_confirms_phone_numbers(pool),
                running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking):
        status, slots = await booking.call(
            "GET", "/public/points/mechelen-stadhuis/slots?service=ebox_activation&language=nl&days=14")
        assert status == 200 and len(slots["slots"]) >= 3
        wish = {"point_id": "mechelen-stadhuis", "service": "ebox_activation", "language": "nl",
                "starts_at": slots["slots"][0]["starts_at"], "contact": {"phone": "0470 12 34 56", "language": "nl"}}
        status, problem = await booking.call("POST", "/public/appointments", json=wish)
        assert (status, problem["title"]) == (422, "Phone number not confirmed")
        assert "POST /public/phone-checks" in problem["detail"]

        status, sent = await booking.call("POST", "/public/phone-checks",
                                          json={"point_id": "mechelen-stadhuis", "phone": "0470 12 34 56", "language": "nl"})
        assert status == 201, sent
        code = await pool.fetchval("SELECT convert_from(payload, 'UTF8')::jsonb #>> '{payload,code}' FROM booking.outbox "
                                   "WHERE event_type = 'PhoneCodeRequested'")
        wrong = "000000" if code != "000000" else "111111"
        status, problem = await booking.call("POST", "/public/appointments",
                                             json={**wish, "phone_check": {"check_id": sent["check_id"], "code": wrong}})
        assert (status, problem["title"]) == (422, "Wrong code") and "4 tries left" in problem["detail"]
        status, booked = await booking.call("POST", "/public/appointments",
                                            json={**wish, "phone_check": {"check_id": sent["check_id"], "code": code}})
        assert status == 201, booked
        # One code, one booking: a second booking with it is refused.
        # (The last slot listed: days later, free whichever helpers work at the hour the test runs.)
        again = {**wish, "starts_at": slots["slots"][-1]["starts_at"], "phone_check": {"check_id": sent["check_id"], "code": code}}
        status, problem = await booking.call("POST", "/public/appointments", json=again)
        assert (status, problem["title"]) == (410, "Code used")
        # Without a phone number there is nothing to confirm; an e-mail-only booking goes through.
        email_only = {**wish, "starts_at": slots["slots"][-1]["starts_at"],
                      "contact": {"email": "someone@example.be", "language": "nl"}}
        status, _ = await booking.call("POST", "/public/appointments", json=email_only)
        assert status == 201
        # Five codes a day per number, then no more SMS for it.
        for _ in range(4):
            status, _ = await booking.call("POST", "/public/phone-checks", json={
                "point_id": "mechelen-stadhuis", "phone": "+32 470 12 34 56", "language": "nl"})
            assert status == 201
        status, problem = await booking.call("POST", "/public/phone-checks", json={
            "point_id": "mechelen-stadhuis", "phone": "0470123456", "language": "nl"})
        assert (status, problem["title"]) == (409, "Too many codes")


async def test_a_municipality_that_does_not_confirm_needs_no_code(database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        status, problem = await booking.call("POST", "/public/phone-checks", json={
            "point_id": "mechelen-stadhuis", "phone": "0470 12 34 56", "language": "nl"})
        assert (status, problem["title"]) == (409, "Phone check not needed")
