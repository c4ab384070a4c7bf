"""The assistance-point part of `loket demo`, played over booking's real HTTP API: citizens
book slots, one cancels and the slot goes to the person on the waitlist, walk-ins take tickets
and are helped (one activates their eBox at the counter), a Digibank lends laptops and one
loan runs late. notify sends the confirmations; reporting counts it all."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import random
from typing import Any

import aiohttp
import asyncpg

from loket.infra.contact_keys import ContactKeys
from loket.infra.db.outbox import Outbox
from loket.infra.db.pool import create_pool
from loket.infra.identity.tenant_directory import TenantDirectory
from services.booking.app import NAME as BOOKING_SCHEMA
from services.booking.appointments.service import Appointments
from services.booking.appointments.sms_reach import SmsReach
from services.booking.phone_checks.service import PhoneChecks
from services.booking.seeding import read_seed, store_seed
from services.booking.settings import BookingSettings

POINTS = [("mechelen-stadhuis", "nl"), ("etterbeek-epn", "fr"), ("eupen-rathaus", "de"),
          ("jurbise-administration", "fr"), ("mechelen-bpost-centrum", "nl")]
DIGIBANK = "mechelen-digibank-predikheren"
OUTCOMES = ["resolved", "resolved", "resolved", "referred", "needs_appointment"]


async def seed(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await store_seed(conn, read_seed())
    finally:
        await conn.close()


class Api:
    def __init__(self, http: aiohttp.ClientSession, base: str, token: str) -> None:
        self.http, self.base, self.auth = http, base, {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, staff: bool = False, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.request(method, f"{self.base}{path}", headers=self.auth if staff else {}, **kwargs) as r:
            return r.status, await r.json(content_type=None)


async def play_booking(base: str, token: str, scale: int, citizen_number: str) -> dict[str, int]:
    rng, figures = random.Random(4), dict.fromkeys(
        ("appointments booked", "booking refused (slot taken)", "waitlist offers", "walk-in visits",
         "eBox activations at a counter", "devices returned from an earlier demo", "devices lent"), 0)
    phones = (f"+3247{n:07d}" for n in itertools.count(1000001))
    async with aiohttp.ClientSession() as http:
        api = Api(http, base, token)
        booked: list[dict[str, Any]] = []
        for point, language in POINTS:
            status, body = await api.call("GET", f"/public/points/{point}/slots",
                                          params={"service": "ebox_activation", "language": language, "days": "7"})
            slots = body.get("slots", []) if status == 200 else []
            for slot in rng.sample(slots, min(len(slots), 6 * scale)):
                contact = {"phone": next(phones), "language": language}
                if rng.random() < 0.3:  # some prefer e-mail, with SMS as the fallback
                    contact |= {"email": f"burger{len(booked)}@example.be", "preferred_channels": ["email", "sms"]}
                status, body = await api.call("POST", "/public/appointments", json={
                    "point_id": point, "service": "ebox_activation", "language": language,
                    "starts_at": slot["starts_at"], "contact": contact})
                if status == 201:
                    booked.append(body)
                    figures["appointments booked"] += 1
                else:
                    figures["booking refused (slot taken)"] += 1
        if booked:  # someone waits for that day; the first booking is cancelled; the slot goes to them
            first = booked[0]
            day = first["local_time"][:10]
            await api.call("POST", "/public/waitlist", json={
                "point_id": first["point_id"], "service": "ebox_activation", "language": first["language"],
                "earliest": day, "latest": day, "contact": {"phone": next(phones), "language": first["language"]}})
            await api.call("POST", f"/public/appointments/{first['appointment_id']}/cancel",
                           params={"token": first["manage_token"]})
            figures["waitlist offers"] += 1
            # During the week most citizens come: checked in at the desk, then helped.
            for appointment in booked[1:]:
                if rng.random() < 0.75:
                    await api.call("POST", f"/staff/appointments/{appointment['appointment_id']}/check-in", staff=True)
                    await api.call("POST", f"/staff/appointments/{appointment['appointment_id']}/attended", staff=True)
        helpers = {"mechelen-stadhuis": "mechelen-an", "etterbeek-epn": "etterbeek-sophie", "eupen-rathaus": "eupen-lukas"}
        for i in range(12 * scale):
            point = list(helpers)[i % len(helpers)]
            language = dict(POINTS)[point]
            await api.call("POST", f"/staff/points/{point}/tickets", staff=True, json={"language": language})
            status, visit = await api.call("POST", f"/staff/points/{point}/call-next", staff=True,
                                           json={"helper_id": helpers[point]})
            if status != 200:
                continue
            end: dict[str, Any] = {"topic": "ebox", "language": visit["language"], "outcome": OUTCOMES[i % 5]}
            if i == 0:  # helped to activate the eBox, and agreed to share the number so letters go digital
                end |= {"ebox_activated": True, "national_number": citizen_number, "consent_given": True}
                figures["eBox activations at a counter"] += 1
            await api.call("POST", f"/staff/visits/{visit['visit_id']}/end", staff=True, json=end)
            figures["walk-in visits"] += 1
        for n in range(3):
            await api.call("POST", f"/backoffice/points/{DIGIBANK}/devices", staff=True,
                           json={"device_id": f"mech-laptop-{n + 1:02d}", "kind": "laptop", "label": f"Laptop {n + 1}"})
        if returned := await _return_earlier_loans(api):
            figures["devices returned from an earlier demo"] = returned
        else:
            del figures["devices returned from an earlier demo"]  # a fresh folder: nothing to say
        now = dt.datetime.now(dt.UTC)
        for n, due in enumerate((now + dt.timedelta(seconds=2), now + dt.timedelta(days=14), now + dt.timedelta(days=7))):
            status, _ = await api.call("POST", "/staff/loans", staff=True, json={
                "device_id": f"mech-laptop-{n + 1:02d}", "due_at": due.isoformat(), "language": "nl",
                "contact": {"phone": next(phones), "language": "nl"}})
            figures["devices lent"] += status == 201
        await asyncio.sleep(3)  # the first loan is now late; the housekeeping round announces it
    return figures


async def _return_earlier_loans(api: Api) -> int:
    """A folder that ran the demo before still has its laptops out: they come back first, as at
    the Digibank, so this run can lend them again."""
    status, listing = await api.call("GET", f"/staff/points/{DIGIBANK}/devices", staff=True)
    if status != 200:
        return 0
    returned = 0
    for device in listing["devices"]:
        if device["loan_id"] is not None and device["device_id"].startswith("mech-laptop-"):
            status, _ = await api.call("POST", f"/staff/loans/{device['loan_id']}/return", staff=True,
                                       json={"condition": "good"})
            returned += status == 200
    return returned


async def end_of_week_no_shows(database_url: str, keys: ContactKeys, days: int = 8) -> int:
    """Fast-forward: run booking's own no-show round as if `days` had passed, so the
    appointments nobody came to become no-shows now (AppointmentNoShow through booking's
    outbox; notify offers a new slot, reporting counts them). Demo only: the running
    service does the same on the real clock, 15 minutes after each start."""
    settings = BookingSettings()
    tenants, outbox = TenantDirectory(None, settings.tenants_refresh_s), Outbox(BOOKING_SCHEMA)
    appointments = Appointments(BOOKING_SCHEMA, outbox, settings.rules(), SmsReach(tenants),
                                PhoneChecks(BOOKING_SCHEMA, outbox, tenants, keys))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    pool = await create_pool(database_url, min_size=1, max_size=1)  # the services' JSON codecs
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await appointments.sweep_no_shows(
                conn, dt.timedelta(minutes=settings.booking_no_show_grace_minutes), later)
    finally:
        await pool.close()
