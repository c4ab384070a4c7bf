"""The bridge's later purges (issue 15), on real PostgreSQL:

- a print batch's spool folder goes once every letter in it is settled on paper and the batch
  closed `postal_address_days` ago (the longest of its municipalities'); an unsettled, recent,
  unwritten or mixed-and-younger batch keeps it; the desk and the print-house API then answer
  410 "removed after retention", not a missing file;
- a finished webhook delivery loses its body `contact_days` after it finished (record kept, no
  replay); a pending or recent one keeps it;
- the letters API forgets stored Idempotency-Key answers after a day."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest
from starlette.requests import Request

from loket.infra.db.schema import migrate_service_schema
from loket.infra.identity.principal import Principal
from loket.infra.identity.roles import Role
from loket.infra.identity.tenants import Retention
from loket.infra.retention.job import Purge
from services.ebox_bridge.api import repository as api_repository
from services.ebox_bridge.api.print_house_batches import PrintBatchReading
from services.ebox_bridge.api.problems import ApiProblem
from services.ebox_bridge.desk.routes import LetterDesk
from services.ebox_bridge.retention import bridge_purges
from services.ebox_bridge.webhooks import repository as webhooks
from tests.integration.test_bridge_retention import MIGRATIONS, NOW, letter

MECHELEN, ETTERBEEK = "12025", "21005"
OPERATOR = Principal("op", Role.OPERATOR, None, kind="person")
FILES = ("batch.pdf", "manifest.csv", "manifest.json")
_CUTOFFS = itertools.count()  # print_batches.cutoff_at is unique


def tenants(**retention: int) -> dict[str, Any]:
    """Etterbeek with its own retention settings, everyone else the platform's defaults. Only
    `retention` is read by the job's `days_of`."""
    return {ETTERBEEK: SimpleNamespace(retention=Retention(**retention))}


def purges(schema: str, spool: Path) -> dict[str, Purge]:
    return {p.data_class: p for p in bridge_purges(schema, 6 * 3600, lambda: spool)}


async def run(conn: asyncpg.Connection, purge: Purge, settings: dict[str, Any]) -> int:
    async with conn.transaction():  # as the retention job runs each purge
        return await purge.run(conn, NOW, purge.days(settings))


# --- print spool -------------------------------------------------------------------------------


async def batch(conn: asyncpg.Connection, schema: str, spool: Path, *, closed_days_ago: float,
                letters: list[tuple[str, str]], written: bool = True, folder: bool = True) -> str:
    """A closed batch of (municipality, paper state) letters, with its folder in the spool."""
    batch_id = f"PB-{uuid.uuid4().hex[:12]}"
    closed = NOW - dt.timedelta(days=closed_days_ago)
    await conn.execute(
        f"""INSERT INTO {schema}.print_batches (batch_id, cutoff_at, closed_at, letter_count, page_count,
                                                files_written_at, manifest_sha256)
            VALUES ($1, $2, $2, $3, $3, $4, 'abc')""",
        batch_id, closed - dt.timedelta(minutes=next(_CUTOFFS)), len(letters), closed if written else None)
    for municipality, paper in letters:
        letter_id = await letter(conn, schema, municipality=municipality, ebox="not_digital", paper=paper,
                                 days_ago=closed_days_ago)
        await conn.execute(f"UPDATE {schema}.letters SET batch_id = $2 WHERE letter_id = $1", letter_id, batch_id)
    if folder:
        (spool / batch_id).mkdir(parents=True)
        for name in FILES:
            (spool / batch_id / name).write_text("letter_id,postcode,address_line_1\nx,2800,A. Citizen\n")
    return batch_id


def desk_request(path: str, **path_params: str) -> Request:
    return Request({"type": "http", "method": "GET", "scheme": "http", "server": ("desk.test", 80), "root_path": "",
                    "path": path, "query_string": b"lang=en", "headers": [], "path_params": path_params,
                    "state": {"principal": OPERATOR}})


async def test_settled_batches_lose_their_spool_folder_and_say_so(pool, schema, tmp_path) -> None:  # type: ignore[no-untyped-def]
    spool = tmp_path / "print-spool"
    spool.mkdir()
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        settled = await batch(conn, schema, spool, closed_days_ago=100,
                              letters=[(MECHELEN, "posted"), (MECHELEN, "returned"), (MECHELEN, "failed")])
        gone_by_hand = await batch(conn, schema, spool, closed_days_ago=100, letters=[(MECHELEN, "posted")],
                                   folder=False)
        mixed_old = await batch(conn, schema, spool, closed_days_ago=130,
                                letters=[(MECHELEN, "posted"), (ETTERBEEK, "posted")])
        # Kept: Etterbeek keeps addresses 120 days, and a mixed batch waits for the longest.
        mixed_young = await batch(conn, schema, spool, closed_days_ago=100,
                                  letters=[(MECHELEN, "posted"), (ETTERBEEK, "returned")])
        unsettled = await batch(conn, schema, spool, closed_days_ago=100,
                                letters=[(MECHELEN, "posted"), (MECHELEN, "printed")])
        in_batch = await batch(conn, schema, spool, closed_days_ago=100, letters=[(MECHELEN, "in_batch")])
        recent = await batch(conn, schema, spool, closed_days_ago=10, letters=[(MECHELEN, "posted")])
        unwritten = await batch(conn, schema, spool, closed_days_ago=100, letters=[(MECHELEN, "posted")],
                                written=False)
        purge = purges(schema, spool)["print_spool"]
        # contact_days is not this purge's setting: were it read, every batch here would go.
        settings = tenants(postal_address_days=120, contact_days=1)

        assert await run(conn, purge, settings) == 3
        assert await run(conn, purge, settings) == 0  # nothing twice
        marked = {r["batch_id"]: r["files_purged_at"]
                  for r in await conn.fetch(f"SELECT batch_id, files_purged_at FROM {schema}.print_batches")}

    assert {b for b, at in marked.items() if at is not None} == {settled, gone_by_hand, mixed_old}
    assert marked[settled] == NOW
    for kept in (mixed_young, unsettled, in_batch, recent, unwritten):
        assert sorted(p.name for p in (spool / kept).iterdir()) == sorted(FILES), kept
    assert sorted(p.name for p in spool.iterdir()) == sorted([mixed_young, unsettled, in_batch, recent, unwritten])

    # The print-house API and the desk say why the files are gone.
    reading = PrintBatchReading(schema, lambda: pool, lambda: spool)
    with pytest.raises(ApiProblem) as gone:
        await reading.file(OPERATOR, settled, "manifest.csv")
    assert gone.value.status == 410 and "retention" in gone.value.detail
    view = await reading.batch(OPERATOR, settled, "")
    assert view.files_purged_at == NOW and view.files == [] and view.files_written
    assert (await reading.file(OPERATOR, recent, "manifest.csv")).path == spool / recent / "manifest.csv"

    desk = LetterDesk(schema, lambda: pool, None, reading, None, None, lambda: NOW)  # type: ignore[arg-type]
    answer = await desk.batch_file(desk_request(f"/desk/batches/{settled}/files/manifest.csv",
                                                batch_id=settled, name="manifest.csv"))
    assert answer.status_code == 410 and "removed after the retention period" in bytes(answer.body).decode()
    page = await desk.batch(desk_request(f"/desk/batches/{settled}", batch_id=settled))
    text = bytes(page.body).decode()
    assert page.status_code == 200 and "removed after the retention period" in text
    assert "/files/manifest.csv" not in text


async def test_a_folder_that_cannot_be_removed_is_left_unmarked(pool, schema, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Nothing outside the spool is ever deleted: a batch folder that is a symbolic link is
    refused, logged by batch id and tried again next round."""
    spool, elsewhere = tmp_path / "print-spool", tmp_path / "elsewhere"
    spool.mkdir()
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not the spool's")
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        linked = await batch(conn, schema, spool, closed_days_ago=100, letters=[(MECHELEN, "posted")], folder=False)
        (spool / linked).symlink_to(elsewhere, target_is_directory=True)
        assert await run(conn, purges(schema, spool)["print_spool"], {}) == 0
        assert await conn.fetchval(f"SELECT files_purged_at FROM {schema}.print_batches") is None
    assert (elsewhere / "keep.txt").read_text() == "not the spool's"


# --- webhook delivery bodies -------------------------------------------------------------------


async def delivery(conn: asyncpg.Connection, schema: str, webhook_id: uuid.UUID, state: str,
                   finished_days_ago: float | None) -> uuid.UUID:
    delivery_id = uuid.uuid4()
    at = NOW - dt.timedelta(days=finished_days_ago if finished_days_ago is not None else 40)
    await conn.execute(
        f"""INSERT INTO {schema}.webhook_deliveries (delivery_id, webhook_id, event_id, event_type, letter_id, body,
                   state, attempts, due_at, give_up_at, last_status, created_at, delivered_at)
            VALUES ($1, $2, gen_random_uuid(), 'LetterDeliveredToEbox', gen_random_uuid(),
                    '{{"payload": {{"contact": {{"phone": "+32470123456"}}}}}}', $3, 3, $4, $4, $5, $4, $6)""",
        delivery_id, webhook_id, state, at, 200 if state == "delivered" else 500,
        at if state == "delivered" else None)
    return delivery_id


async def test_finished_webhook_deliveries_lose_their_body(pool, schema, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        mechelen = (await webhooks.create_endpoint(conn, schema, uuid.uuid4(), MECHELEN, "https://m.example/hook",
                                                   ["*"], "whsec_x"))["webhook_id"]
        etterbeek = (await webhooks.create_endpoint(conn, schema, uuid.uuid4(), ETTERBEEK, "https://e.example/hook",
                                                    ["*"], "whsec_y"))["webhook_id"]
        delivered = await delivery(conn, schema, mechelen, "delivered", 40)
        given_up = await delivery(conn, schema, mechelen, "failed", 40)
        pending = await delivery(conn, schema, mechelen, "pending", None)  # still being tried
        recent = await delivery(conn, schema, mechelen, "failed", 10)
        longer = await delivery(conn, schema, etterbeek, "delivered", 40)  # Etterbeek keeps contacts 60 days
        before = {r["delivery_id"]: r for r in await conn.fetch(f"SELECT * FROM {schema}.webhook_deliveries")}
        purge = purges(schema, tmp_path)["webhook_delivery_body"]
        settings = tenants(contact_days=60, postal_address_days=1)

        assert await run(conn, purge, settings) == 2
        assert await run(conn, purge, settings) == 0
        after = {r["delivery_id"]: r for r in await conn.fetch(f"SELECT * FROM {schema}.webhook_deliveries")}
        # A delivery without its body cannot be sent again; one that still has it can.
        assert not await webhooks.replay(conn, schema, mechelen, given_up, NOW, NOW + dt.timedelta(days=1))
        assert await webhooks.replay(conn, schema, mechelen, recent, NOW, NOW + dt.timedelta(days=1))

    for blanked in (delivered, given_up):
        assert after[blanked]["body"] is None
        assert {k: v for k, v in after[blanked].items() if k != "body"} == {
            k: v for k, v in before[blanked].items() if k != "body"}
    for kept in (pending, recent, longer):
        assert after[kept]["body"] == before[kept]["body"]


# --- Idempotency-Key answers -------------------------------------------------------------------


async def test_stored_idempotency_answers_are_forgotten_after_a_day(pool, schema, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        for key in ("yesterday", "today"):
            await api_repository.store_answer(conn, schema, MECHELEN, key, "sha", 202, {"letter_id": key})
        await conn.execute(f"UPDATE {schema}.api_idempotency_keys SET created_at = $1 WHERE idempotency_key = 'yesterday'",
                           NOW - dt.timedelta(hours=25))
        await conn.execute(f"UPDATE {schema}.api_idempotency_keys SET created_at = $1 WHERE idempotency_key = 'today'",
                           NOW - dt.timedelta(hours=23))
        purge = purges(schema, tmp_path)["idempotency_key"]

        assert await run(conn, purge, tenants(contact_days=365)) == 1
        assert await api_repository.stored_answer(conn, schema, MECHELEN, "yesterday") is None
        assert await api_repository.stored_answer(conn, schema, MECHELEN, "today") == ("sha", 202, {"letter_id": "today"})
