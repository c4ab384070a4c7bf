"""Data for `loket bench counter`: the busy point of the booking benchmark with a long queue of
walk-in tickets, one signed-in clerk per counter (accounts with a random password) and one
device key for the waiting-room displays."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from loket.bench.booking_setup import BUSY_MUNICIPALITY, BUSY_POINT, prepare
from loket.infra.identity import account_admin, api_keys, repository
from loket.infra.identity.roles import Role
from loket.infra.identity.schema import migrate_identity
from loket.infra.identity.tenant_store import import_tenants
from loket.infra.identity.tenants import read_tenant_file
from services.booking.app import NAME
from services.booking.calendar.local_time import local_date

TENANTS = Path(__file__).resolve().parents[2] / "deploy" / "tenants.yaml"


@dataclass(frozen=True)
class CounterSetup:
    clerks: list[tuple[str, str]]  # (username, password), one per counter
    device_key: str


async def prepare_counter(conn: asyncpg.Connection, counters: int, tickets: int) -> CounterSetup:
    await prepare(conn)
    await migrate_identity(conn)
    await import_tenants(conn, read_tenant_file(TENANTS))
    await clear_queue(conn)
    now = dt.datetime.now(dt.UTC)
    day = local_date(now)
    # Walk-ins who came before the doors opened, in arrival order (numbers restart each day).
    await conn.executemany(
        f"""INSERT INTO {NAME}.tickets (ticket_id, point_id, local_day, number, language, topic, status, created_at)
            VALUES ($1, $2, $3, $4, 'nl', 'ebox_activation', 'waiting', $5)""",
        [(uuid.uuid4(), BUSY_POINT, day, n, now - dt.timedelta(seconds=tickets - n)) for n in range(1, tickets + 1)])
    clerks = []
    run = secrets.token_hex(3)
    for i in range(counters):
        password = secrets.token_urlsafe(18)
        request = account_admin.AccountRequest(f"bench-clerk-{run}-{i}", None, BUSY_MUNICIPALITY, Role.STAFF,
                                               (BUSY_POINT,), "en", False)
        created = await account_admin.create_account(conn, request, password)
        clerks.append((created.username, password))
    key = api_keys.new_key()
    await repository.insert_key(conn, key.prefix, key.secret_sha256, "bench displays", BUSY_MUNICIPALITY,
                                Role.DEVICE.value, [BUSY_POINT], "bench", now + dt.timedelta(days=1))
    return CounterSetup(clerks, key.token)


async def clear_queue(conn: asyncpg.Connection) -> None:
    """Forget the busy point's tickets, calls and visits (and their events), nothing else."""
    async with conn.transaction():
        visits = [str(r[0]) for r in await conn.fetch(f"SELECT visit_id FROM {NAME}.visits WHERE point_id = $1",
                                                      BUSY_POINT)]
        await conn.execute(f"DELETE FROM {NAME}.outbox WHERE key = ANY($1::text[])", visits)
        await conn.execute(f"DELETE FROM {NAME}.calls WHERE point_id = $1", BUSY_POINT)
        await conn.execute(f"DELETE FROM {NAME}.visits WHERE point_id = $1", BUSY_POINT)
        await conn.execute(f"DELETE FROM {NAME}.tickets WHERE point_id = $1", BUSY_POINT)
