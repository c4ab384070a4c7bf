"""The letter desk (`/desk/…` on the ebox_bridge) on the session's PostgreSQL and NATS, with the eBox
simulator: people to sign in (clerks of Mechelen and Etterbeek, an operator, an analyst), letters
sent through the letters API, a print batch closed and confirmed, and refused letters on the
intake's DLQ."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import aiohttp
import asyncpg
from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.contracts.values import utc_now
from loket.infra.bus.bus import Bus
from loket.infra.bus.dlq_store import open_dlq_store
from loket.infra.identity import account_admin
from loket.infra.identity.roles import Role
from loket.infra.identity.schema import migrate_identity
from loket.infra.identity.tenant_store import import_tenants
from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE, read_tenant_file
from loket.infra.metrics import PlatformMetrics
from services.ebox_bridge.api import repository as api_letters
from services.ebox_bridge.app import NAME
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.policy_holder import PolicyHolder
from services.ebox_bridge.print_batcher import PrintBatcher
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.bridge_harness import POLICY, Simulator, bridge_settings, letter_rows, publish
from tests.support.fake_letters import FixedTenants
from tests.support.letters import letter_issued, national_number
from tests.support.letters_api import (
    ETTERBEEK,
    MECHELEN,
    Api,
    eventually,
    letters_api,
    make_key,
)
from tests.support.signin_harness import PASSWORD, browser_session, form_token, post_signin

# Citizens born in 1947: no other test's letters use that year, so a search by number finds ours only.
BORN = 47


def citizen(index: int) -> str:
    return national_number(index, born=BORN)


def spellings(number: str) -> list[str]:
    """The ways a national number can be written; none may appear in a page."""
    return [number, f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}",
            f"{number[:6]}-{number[6:9]}-{number[9:]}", f"{number[:6]} {number[6:9]} {number[9:]}"]


@dataclass
class Desk:
    api: Api
    pool: asyncpg.Pool
    spool: Path
    bus_url: str
    people: dict[str, str] = field(default_factory=dict)  # who → username
    print_keys: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.api.base


async def person(pool: asyncpg.Pool, municipality: str | None, role: Role, language: str = "en") -> str:
    username = f"desk-{role.value.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    points = ("mechelen-stadhuis",) if role is Role.STAFF else ()
    names = {Role.MUNICIPALITY_ADMIN: "Els Peeters", Role.STAFF: "Jan Claes", Role.OPERATOR: "Platform operator",
             Role.ANALYST: "An Analist"}
    request = account_admin.AccountRequest(username, names[role], municipality, role, points, language, False)
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        await import_tenants(conn, read_tenant_file(SHIPPED_TENANTS_FILE))
        await account_admin.create_account(conn, request, PASSWORD)
    return username


@contextlib.asynccontextmanager
async def running_desk(database_url: str, bus_url: str, pool: asyncpg.Pool, sim: Simulator, key: Path, cert: Path,
                       tmp_path: Path) -> AsyncIterator[Desk]:
    spool = tmp_path / "spool"
    settings = bridge_settings(database_url, bus_url, sim, key, cert, spool)
    async with letters_api(pool, settings) as api:
        desk = Desk(api, pool, spool, bus_url)
        desk.people = {
            "mechelen": await person(pool, MECHELEN, Role.MUNICIPALITY_ADMIN),
            "mechelen_nl": await person(pool, MECHELEN, Role.STAFF, "nl"),
            "etterbeek": await person(pool, ETTERBEEK, Role.MUNICIPALITY_ADMIN, "fr"),
            "operator": await person(pool, None, Role.OPERATOR),
            "analyst": await person(pool, MECHELEN, Role.ANALYST),
        }
        desk.print_keys = {MECHELEN: await make_key(pool, MECHELEN, "print_house")}
        yield desk


@contextlib.asynccontextmanager
async def signed_in(desk: Desk, who: str) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser-like session (cookies, Accept: text/html, no redirects followed) signed in as `who`."""
    async with browser_session() as http:
        response = await post_signin(http, desk.base, desk.people[who], PASSWORD)
        assert response.status == 303, response.status
        yield http


async def csrf_of(http: aiohttp.ClientSession, desk: Desk) -> str:
    return await form_token(http, f"{desk.base}/desk/letters")


async def send_letter(desk: Desk, ssin: str, municipality: str = MECHELEN, reference: str | None = None,
                      paper: bool = True) -> UUID:
    """A letter as a back-office sends it on the bus (`LetterIssued`); Mechelen's housing permits
    go to paper (test policy). A reference is recorded as the letters API records it (the API's
    own tests cover that path; the desk reads the same table)."""
    fields: dict[str, object] = {"municipality": municipality}
    if municipality == MECHELEN and paper:
        fields |= {"department": "housing", "document_type": "permit"}
    if municipality == ETTERBEEK:
        fields |= {"language": "fr", "subject": "Votre facture"}
    event = letter_issued(ssin, **fields)
    letter_id = event.payload.letter_id
    if reference:
        async with desk.pool.acquire() as conn:
            await api_letters.record_letters(conn, NAME, [(letter_id, municipality, reference, "0" * 64)])
    await publish(desk.bus_url, [event])
    return letter_id


async def admitted(desk: Desk, ids: list[UUID], paper_state: str | None = None) -> None:
    async def probe() -> bool:
        rows = await letter_rows(desk.pool, ids)
        return len(rows) == len(ids) and (paper_state is None or all(r["paper_state"] == paper_state
                                                                     for r in rows.values()))

    await eventually(probe, what=f"letters admitted{f' and {paper_state}' if paper_state else ''}")


def _batcher(desk: Desk) -> PrintBatcher:
    settings = EboxBridgeSettings(policy_file=POLICY, print_spool_dir=desk.spool)
    senders = PaperSenders(FixedTenants(), PolicyHolder(NAME, POLICY, 60))
    return PrintBatcher(lambda: desk.pool, NAME, settings, BridgeMetrics(CollectorRegistry()), senders, utc_now)


async def _next_cutoff(desk: Desk) -> dt.datetime:
    latest = await desk.pool.fetchval(f"SELECT max(cutoff_at) FROM {NAME}.print_batches")
    cutoff = utc_now().replace(microsecond=0) + dt.timedelta(seconds=1)
    return max(cutoff, latest + dt.timedelta(seconds=1)) if latest else cutoff


async def drain(desk: Desk) -> None:
    """Letters other tests left queued for print go into a batch of their own."""
    await _batcher(desk).close(await _next_cutoff(desk), write_files=False)


async def confirmed_batch(desk: Desk, ids: list[UUID]) -> str:
    """A batch of exactly these (queued) letters with its files; the print house reports the first
    posted and the second returned ("addressee unknown")."""
    closed = await _batcher(desk).close(await _next_cutoff(desk), wait_for_files=True)
    assert closed is not None and closed.letter_count == len(ids), "a stray letter of another test is in the batch"
    answer = {"letters": [{"letter_id": str(ids[0]), "status": "posted"},
                          {"letter_id": str(ids[1]), "status": "returned", "reason": "addressee unknown"}]}
    async with desk.api.http.post(f"{desk.base}/v1/print-batches/{closed.batch_id}/confirmations", json=answer,
                                  headers={"Authorization": f"Bearer {desk.print_keys[MECHELEN]}"}) as r:
        assert r.status == 200, await r.text()
    return closed.batch_id


async def refuse(bus_url: str, ssin: str, municipality: str = MECHELEN) -> UUID:
    """A valid LetterIssued on the intake's DLQ, as intake dead-letters a letter its policy refused."""
    if municipality == MECHELEN:
        event = letter_issued(ssin, municipality=municipality, department="housing", document_type="permit")
    else:
        event = letter_issued(ssin, municipality=municipality, language="fr", subject="Votre facture")
    registry = CollectorRegistry()
    bus = Bus(bus_url, "desk-test", registry, PlatformMetrics(registry))
    await bus.start()
    try:
        await bus.dead_letter(
            topic=topics.LETTERS_ISSUED, consumer=f"{NAME}.intake", body=event.to_bytes(),
            original_headers={"x-loket-event-type": event.event_type, "x-loket-key": event.partition_key()},
            reason=f"no rollout policy for {municipality}/housing/permit (recipient {ssin})", kind="permanent",
            attempts=1, source=f"LETTERS:{uuid.uuid4().hex}", key=event.partition_key(),
        )
    finally:
        await bus.stop()
    letter_id = event.payload.letter_id

    async def listed() -> bool:
        async with open_dlq_store(bus_url) as store:
            return any(str(letter_id).encode() in d.body for d in await store.list(topics.LETTERS_ISSUED, 1000))

    await eventually(listed, what="the dead letter listed")
    return letter_id


async def webhook_with_deliveries(desk: Desk, letter_id: UUID) -> UUID:
    """A Mechelen webhook endpoint with one delivered and one failed delivery (written as the
    delivery worker leaves them)."""
    webhook_id = uuid.uuid4()
    now = utc_now()
    async with desk.pool.acquire() as conn:
        await conn.execute(
            f"INSERT INTO {NAME}.webhook_endpoints (webhook_id, municipality, url, event_types, secret) "
            "VALUES ($1, $2, $3, $4, 'whsec_test')",
            webhook_id, MECHELEN, f"https://backoffice.example/hooks/{webhook_id.hex[:6]}",
            ["LetterPosted", "LetterReturned"])
        for event_type, state, status, error in (("LetterPosted", "delivered", 204, None),
                                                 ("LetterReturned", "failed", 503, "HTTP 503 from the receiver")):
            await conn.execute(
                f"""INSERT INTO {NAME}.webhook_deliveries (delivery_id, webhook_id, event_id, event_type, letter_id,
                           body, state, attempts, give_up_at, last_status, last_error, delivered_at)
                    VALUES ($1, $2, $3, $4, $5, '{{}}', $6, $7, $8, $9, $10, $11)""",
                uuid.uuid4(), webhook_id, uuid.uuid4(), event_type, letter_id, state,
                1 if state == "delivered" else 12, now - dt.timedelta(minutes=1), status, error,
                now if state == "delivered" else None)
    return webhook_id
