"""Print batches and the print house's answer, on the real database: the DST-day cut-off takes
exactly the letters queued before it, each letter lands in one batch, and `loket print
confirm` records printed / posted / returned once, with their events in the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from uuid import UUID

import asyncpg
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from loket.cli.app import app as cli
from services.ebox_bridge.app import NAME
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper import latest_cutoff
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.policy_holder import PolicyHolder
from services.ebox_bridge.print_batcher import PrintBatcher
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.bridge_harness import POLICY, install_test_policy, letter_rows
from tests.support.fake_letters import FixedTenants
from tests.support.letters import Population, letter_issued

# 29 March 2026, spring forward: 17:30 in Brussels is 15:30 UTC (it was 16:30 UTC the day before).
CUTOFF = dt.datetime(2026, 3, 29, 15, 30, tzinfo=dt.UTC)


async def queue_paper_letters(pool: asyncpg.Pool, queued_at: list[dt.datetime], start: int) -> list[UUID]:
    """Letters on paper (paper_only policy), queued at the given instants, through the real intake."""
    from loket.infra.bus.handler_context import BatchContext
    from loket.infra.db.outbox import Outbox
    from services.ebox_bridge.handlers.intake import LetterIntake
    from services.ebox_bridge.repository.letter_store import LetterStore
    from tests.support.fake_letters import FixedTenants

    people = Population(start=start)
    settings = EboxBridgeSettings(policy_file=POLICY)
    ids = []
    for at in queued_at:
        event = letter_issued(people.take(False), department="housing", document_type="permit")
        intake = LetterIntake(LetterStore(NAME), PolicyHolder(NAME, POLICY, 60), FixedTenants(), settings,
                              BridgeMetrics(CollectorRegistry()), lambda at=at: at)
        async with pool.acquire() as conn, conn.transaction():
            await intake.handle_batch([event], BatchContext(conn, Outbox(NAME)))
        ids.append(event.payload.letter_id)
    return ids


async def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    # The command runs its own event loop (asyncio.run), so not on the test's.
    return await asyncio.to_thread(CliRunner().invoke, cli, args)


async def invoke_wide(args: list[str]):  # type: ignore[no-untyped-def]
    """As `invoke`, on a terminal wide enough that a table row stays on one line."""
    return await asyncio.to_thread(CliRunner().invoke, cli, args, env={"COLUMNS": "200"})


def batcher(pool: asyncpg.Pool, spool: Path, now: dt.datetime) -> PrintBatcher:
    settings = EboxBridgeSettings(policy_file=POLICY, print_spool_dir=spool)
    senders = PaperSenders(FixedTenants(), PolicyHolder(NAME, POLICY, 60))
    return PrintBatcher(lambda: pool, NAME, settings, BridgeMetrics(CollectorRegistry()), senders, lambda: now)


async def test_dst_day_cutoff_takes_exactly_the_letters_queued_before_it(pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    before = [CUTOFF - dt.timedelta(minutes=10), CUTOFF - dt.timedelta(hours=20)]
    after = [CUTOFF + dt.timedelta(minutes=10)]  # 17:40 local: tomorrow's batch
    early, late = await queue_paper_letters(pool, before, 40_000), await queue_paper_letters(pool, after, 40_100)
    now = CUTOFF + dt.timedelta(minutes=20)
    assert latest_cutoff(now, dt.time(17, 30), "Europe/Brussels") == CUTOFF
    first = await batcher(pool, tmp_path, now).close_due()
    assert first is not None and first.batch_id == "PB-20260329-1730"
    rows = await letter_rows(pool, early + late)
    assert {rows[i]["batch_id"] for i in early} == {"PB-20260329-1730"}
    assert rows[late[0]]["paper_state"] == "queued_for_print" and rows[late[0]]["batch_id"] is None
    # Closing the same cut-off again (another replica, a restart) changes nothing.
    assert await batcher(pool, tmp_path, now).close_due() is None
    manifest = json.loads((tmp_path / first.batch_id / "manifest.json").read_text())
    assert {UUID(e["letter_id"]) for e in manifest["letters"]} >= set(early)
    assert not {UUID(e["letter_id"]) for e in manifest["letters"]} & set(late)


async def test_print_confirm_records_each_step_once(database_url, pool, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    ids = await queue_paper_letters(pool, [dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)] * 3, 41_000)
    batch = await batcher(pool, tmp_path, dt.datetime.now(dt.UTC)).close(dt.datetime.now(dt.UTC).replace(microsecond=0))
    assert batch is not None
    monkeypatch.setenv("LOKET_POLICY_FILE", str(POLICY))
    response = tmp_path / "response.csv"
    response.write_text(
        "letter_id,status,at,reason\n"
        f"{ids[0]},printed,,\n{ids[0]},posted,2026-11-24T08:00:00+01:00,\n"
        f"{ids[1]},posted,2026-11-24T08:00:00+01:00,\n"
        f"{ids[2]},returned,2026-11-27T10:00:00+01:00,addressee unknown\n"
    )
    result = await invoke(["print", "confirm", str(response), "--database-url", database_url])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "1 printed" in output and "2 posted" in output and "1 returned" in output
    rows = await letter_rows(pool, ids)
    assert [rows[i]["paper_state"] for i in ids] == ["posted", "posted", "returned"]
    outbox = await pool.fetch(
        f"SELECT event_type, key FROM {NAME}.outbox WHERE key = ANY($1::text[]) AND event_type <> 'LetterQueuedForPrint' ORDER BY id",
        [str(i) for i in ids],
    )
    assert [(r["event_type"], UUID(r["key"])) for r in outbox] == [
        ("LetterPrinted", ids[0]), ("LetterPosted", ids[0]), ("LetterPosted", ids[1]), ("LetterReturned", ids[2]),
    ]
    # The same file again: nothing new, no event twice.
    again = await invoke(["print", "confirm", str(response), "--database-url", database_url])
    assert again.exit_code == 0 and "nothing new" in " ".join(again.output.split())
    assert await pool.fetchval(f"SELECT count(*) FROM {NAME}.outbox WHERE key = ANY($1::text[])", [str(i) for i in ids]) == 3 + 4
    # `print batches` lists it with its progress; once retention removed its files, it says so.
    # Every batch: other tests of this session may have closed batches with later cut-offs.
    listed = await invoke_wide(["print", "batches", "--database-url", database_url, "--limit", "100000"])
    line = next(row for row in listed.output.splitlines() if batch.batch_id in row)
    assert listed.exit_code == 0 and "written" in line, listed.output
    await pool.execute(f"UPDATE {NAME}.print_batches SET files_purged_at = '2027-03-01T00:00:00Z' "
                       "WHERE batch_id = $1", batch.batch_id)
    listed = await invoke_wide(["print", "batches", "--database-url", database_url, "--limit", "100000"])
    line = next(row for row in listed.output.splitlines() if batch.batch_id in row)
    assert "removed 2027-03-01" in line and "written" not in line, listed.output


async def test_a_bad_response_changes_nothing(database_url, pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    ids = await queue_paper_letters(pool, [dt.datetime.now(dt.UTC)], 42_000)  # queued, not in a batch yet
    response = tmp_path / "response.json"
    response.write_text(json.dumps([
        {"letter_id": str(ids[0]), "status": "posted"},
        {"letter_id": "00000000-0000-4000-8000-000000000000", "status": "printed"},
    ]))
    result = await invoke(["print", "confirm", str(response), "--database-url", database_url])
    assert result.exit_code == 2
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "letters[0]" not in output  # parsing was fine; the problems are about state
    assert "entry 1: letter" in output and "is queued_for_print; it cannot become posted" in output
    assert "entry 2: letter 00000000-0000-4000-8000-000000000000 is unknown to the bridge" in output
    assert (await letter_rows(pool, ids))[ids[0]]["paper_state"] == "queued_for_print"


async def batch_without_files(pool: asyncpg.Pool, spool: Path, cutoff: dt.datetime, first_citizen: int) -> str:
    """A closed batch of three letters as if its files were never written: every writer finds it
    without files."""
    import shutil

    await install_test_policy(pool)
    await queue_paper_letters(pool, [cutoff - dt.timedelta(minutes=5)] * 3, first_citizen)
    closed = await batcher(pool, spool, cutoff).close(cutoff)
    assert closed is not None
    await pool.execute(f"UPDATE {NAME}.print_batches SET files_written_at = NULL WHERE batch_id = $1", closed.batch_id)
    shutil.rmtree(spool / closed.batch_id)
    return closed.batch_id


async def test_two_writers_of_one_batch_write_its_files_once(pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A replica's round and `loket print close` used to remove each other's half-written folder."""
    import asyncio

    cutoff = dt.datetime(2026, 3, 30, 15, 30, tzinfo=dt.UTC)
    batch_id = await batch_without_files(pool, tmp_path, cutoff, 40_200)
    writers = [batcher(pool, tmp_path, cutoff) for _ in range(4)]
    await asyncio.gather(*(w.write_files(batch_id, wait=True) for w in writers),
                         *(w.write_missing_files() for w in writers))
    manifest = json.loads((tmp_path / batch_id / "manifest.json").read_text())
    assert len(manifest["letters"]) == 3
    assert not list(tmp_path.glob(".*partial*"))
    assert await pool.fetchval(f"SELECT files_written_at IS NOT NULL FROM {NAME}.print_batches WHERE batch_id = $1",
                               batch_id)


async def test_two_processes_writing_one_batch_write_its_files_once(pool, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two replicas (OS processes, each with its own connections) start writing the same batch at
    the same moment: one composes and writes it, the other waits for it and finds it written."""
    import sys
    import time

    batch_id = await batch_without_files(pool, tmp_path, dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC), 40_300)
    start_at = time.time() + 4  # both processes have imported everything by then
    argv = [sys.executable, "-m", "tests.support.batch_writer_process", database_url, str(tmp_path), batch_id,
            str(start_at)]
    runs = [await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            for _ in range(2)]
    finished = await asyncio.wait_for(asyncio.gather(*(run.communicate() for run in runs)), 120)
    outputs = [(out.decode(), err.decode()) for out, err in finished]
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outputs]
    composed = sorted(int(out.split("composed ")[1]) for out, _ in outputs)
    assert composed == [0, 1], outputs
    manifest = json.loads((tmp_path / batch_id / "manifest.json").read_text())
    assert len(manifest["letters"]) == 3
    assert not list(tmp_path.glob(".*partial*"))


async def test_close_waits_for_a_slow_writer_longer_than_a_statement_may_take(pool, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`loket print close` waits for a replica writing the same batch's files however long that
    takes: the wait is not a statement the pool's command timeout cuts off. (In CI's fault suite a
    replica took over 30 s on a batch under load and the command failed with a TimeoutError.)"""
    from loket.infra.db.pool import create_pool
    from services.ebox_bridge.repository import print_batches

    cutoff = dt.datetime(2026, 4, 1, 15, 30, tzinfo=dt.UTC)
    batch_id = await batch_without_files(pool, tmp_path, cutoff, 40_400)
    impatient = await create_pool(database_url, min_size=1, max_size=3, command_timeout=1)
    try:
        async with pool.acquire() as replica:  # the replica writing the batch holds its lock
            assert await print_batches.try_lock_writing(replica, NAME, batch_id)
            closing = asyncio.create_task(batcher(impatient, tmp_path, cutoff).write_files(batch_id, wait=True))
            await asyncio.sleep(2.5)  # more than twice the pool's command timeout
            assert not closing.done(), closing.exception() if closing.done() else None
            await print_batches.unlock_writing(replica, NAME, batch_id)
        await asyncio.wait_for(closing, 60)
    finally:
        await impatient.close()
    assert len(json.loads((tmp_path / batch_id / "manifest.json").read_text())["letters"]) == 3


async def test_the_closer_writes_its_batch_itself_while_replicas_look_on(pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The closer holds the batch's writing lock from before the batch exists: a replica's round
    that sees the new batch without files leaves it alone. It used to start writing it first, and
    `loket print close` then waited while that replica composed the batch between its own events
    (over a minute in the fault suite, for a batch the command composes in seconds)."""
    cutoff = dt.datetime(2026, 4, 2, 15, 30, tzinfo=dt.UTC)
    await install_test_policy(pool)
    await queue_paper_letters(pool, [cutoff - dt.timedelta(minutes=5)] * 3, 40_500)
    closer, replica = batcher(pool, tmp_path, cutoff), batcher(pool, tmp_path, cutoff)
    assign, written_by_the_replica = closer._assign, []

    async def assign_then_a_replica_round(cutoff_at: dt.datetime, batch_id: str):  # type: ignore[no-untyped-def]
        batch = await assign(cutoff_at, batch_id)  # committed: every replica's round sees it from now on
        await replica.write_missing_files()
        written_by_the_replica.append((tmp_path / batch.batch_id).exists())
        return batch

    closer._assign = assign_then_a_replica_round  # type: ignore[method-assign]
    closed = await closer.close(cutoff, wait_for_files=True)
    assert closed is not None and written_by_the_replica == [False]
    manifest = json.loads((tmp_path / closed.batch_id / "manifest.json").read_text())
    assert len(manifest["letters"]) == closed.letter_count >= 3


async def test_closing_tells_how_far_composing_and_merging_are(pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`loket print close` draws its bars from these: each letter composed, then merged, up to all."""
    cutoff = dt.datetime(2026, 4, 3, 15, 30, tzinfo=dt.UTC)
    await install_test_policy(pool)
    await queue_paper_letters(pool, [cutoff - dt.timedelta(minutes=5)] * 4, 40_600)
    told: list[tuple[str, int, int]] = []
    closed = await batcher(pool, tmp_path, cutoff).close(cutoff, progress=lambda *report: told.append(report))
    assert closed is not None
    n = closed.letter_count
    for stage in ("composing", "merging"):
        reports = [(done, total) for s, done, total in told if s == stage]
        assert reports == [(done, n) for done in range(n + 1)], (stage, reports)
    assert [s for s, _, _ in told] == ["composing"] * (n + 1) + ["merging"] * (n + 1)  # nobody else was writing
