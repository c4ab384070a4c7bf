"""A running booking service on the test session's PostgreSQL and NATS, seeded with the
deploy/seed points and helpers, with one bearer token per role."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from loket.contracts.values import utc_now
from loket.infra.http.auth import hash_token
from services.booking.app import create_app
from services.booking.seeding import read_seed, store_seed
from services.booking.settings import BookingSettings
from tests.support.outbox_copies import WITNESS_KEEP_S
from tests.support.served_app import served

# The tests' principals: counter staff at Mechelen's points, Mechelen's back-office, the operator.
MECHELEN = "12025"
MECHELEN_POINTS = ["mechelen-stadhuis", "mechelen-digibank-predikheren", "mechelen-bpost-centrum"]
TOKEN_ENTRIES = {
    "staff": {"role": "staff", "municipality": MECHELEN, "points": MECHELEN_POINTS},
    "backoffice": {"role": "backoffice", "municipality": MECHELEN},
    "admin": {"role": "operator"},
}
ROLES = tuple(TOKEN_ENTRIES)


@dataclass
class RunningBooking:
    base: str
    tokens: dict[str, str]
    http: aiohttp.ClientSession
    endpoints: list[Any]  # the service's Endpoint declarations

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    async def call(self, method: str, path: str, role: str | None = None, **kwargs: Any) -> tuple[int, Any]:
        headers = {**kwargs.pop("headers", {}), **(self.auth(role) if role else {})}
        async with self.http.request(method, f"{self.base}{path}", headers=headers, **kwargs) as r:
            body = await r.json(content_type=None) if r.content_length != 0 else None
            return r.status, body


async def seed_booking(conn: asyncpg.Connection) -> None:
    await store_seed(conn, read_seed())
    # Each test starts from an empty diary (appointments from earlier tests would take slots) and
    # an empty outbox (tests read the events their own requests wrote).
    await conn.execute("DELETE FROM booking.outbox; DELETE FROM booking.seat_bookings; DELETE FROM booking.visit_prints; DELETE FROM booking.visits; DELETE FROM booking.tickets; DELETE FROM booking.loans; "
                       "DELETE FROM booking.device_history; DELETE FROM booking.device_waitlist; "
                       "DELETE FROM booking.loan_rules; DELETE FROM booking.devices; DELETE FROM booking.appointment_links; "
                       "DELETE FROM booking.appointments; DELETE FROM booking.waitlist_entries; "
                       "DELETE FROM booking.phone_checks; DELETE FROM booking.workshop_registrations; "
                       "DELETE FROM booking.workshops")


def write_tokens(directory: Path, monkeypatch: pytest.MonkeyPatch,
                 extra: dict[str, dict[str, Any]] | None = None) -> dict[str, str]:
    """One token per principal: the standard three, and `extra` ({name: token file entry})."""
    entries = {**TOKEN_ENTRIES, **(extra or {})}
    tokens = {name: secrets.token_urlsafe(24) for name in entries}
    path = directory / "tokens.json"
    path.write_text(json.dumps([{"name": f"test-{name}", **entries[name], "sha256": hash_token(t)}
                                for name, t in tokens.items()]))
    monkeypatch.setenv("LOKET_API_TOKENS_FILE", str(path))
    monkeypatch.delenv("LOKET_ADMIN_TOKEN", raising=False)
    return tokens


@contextlib.asynccontextmanager
async def running_booking(database_url: str, bus_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          clock: Callable[[], dt.datetime] = utc_now,
                          extra_tokens: dict[str, dict[str, Any]] | None = None, *, seed: bool = True,
                          **overrides: Any) -> AsyncIterator[RunningBooking]:
    """`seed=False`: a restart of the service on the data an earlier `running_booking` left."""
    if seed:
        conn = await asyncpg.connect(database_url)
        try:
            await seed_booking(conn)
        finally:
            await conn.close()
    tokens = write_tokens(tmp_path, monkeypatch, extra_tokens)
    # The tests read the events their requests appended from the outbox, after the relay has
    # published them: the outbox keeps an audit copy here (by default the relay deletes them).
    overrides = {"outbox_keep_published_s": WITNESS_KEEP_S} | overrides
    settings = BookingSettings(database_url=database_url, bus_url=bus_url, db_pool_max=20, **overrides)
    app = create_app(settings, clock)
    async with served(app) as base, aiohttp.ClientSession() as http:
        # The public rate limit lives in the database now: each test starts with full buckets,
        # as it did with a fresh process's own (tests share one client address, 127.0.0.1).
        await forget_rate_limits(database_url)
        yield RunningBooking(base, tokens, http, app.state.endpoints)


async def forget_rate_limits(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DELETE FROM booking.public_rate")
    finally:
        await conn.close()
