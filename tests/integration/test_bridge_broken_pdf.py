"""Finding 2 of issue 15: one broken PDF must not stop paper mail.

A letter whose PDF cannot be composed (admitted by an older bridge whose fast page count took
any `/Type /Pages /Count N`) is quarantined from its batch: paper `failed`, its history says why,
`LetterFailed(channel=paper)` is in the outbox, and the batch is written without it. A batch
whose files cannot be written at all does not hold up later batches, and the sweeper reports
its letters as stuck in a batch."""

from __future__ import annotations

import datetime as dt
import json
from uuid import UUID

from prometheus_client import CollectorRegistry

from services.ebox_bridge.app import NAME
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.sweeper import Sweeper
from tests.integration.test_bridge_print import batcher, queue_paper_letters
from tests.support.bridge_harness import install_test_policy, letter_rows

# Passes the old fast page count (3 pages), but there is no page tree to compose.
FAKE_PAGE_TREE = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 3 /Kids [] >> endobj\nstartxref\n0\n%%EOF"


async def break_pdf(pool, letter_id: UUID) -> None:  # type: ignore[no-untyped-def]
    await pool.execute(f"UPDATE {NAME}.letters SET pdf = $2 WHERE letter_id = $1", letter_id, FAKE_PAGE_TREE)


def manifest_ids(directory) -> set[UUID]:  # type: ignore[no-untyped-def]
    manifest = json.loads((directory / "manifest.json").read_text())
    return {UUID(e["letter_id"]) for e in manifest["letters"]}


async def test_a_broken_letter_is_quarantined_and_its_batch_still_goes_out(pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    cutoff = dt.datetime(2026, 5, 4, 15, 30, tzinfo=dt.UTC)
    ids = await queue_paper_letters(pool, [cutoff - dt.timedelta(minutes=30)] * 3, 43_000)
    broken = ids[1]
    await break_pdf(pool, broken)
    closed = await batcher(pool, tmp_path, cutoff).close(cutoff)
    assert closed is not None
    rows = await letter_rows(pool, ids)
    assert rows[broken]["paper_state"] == "failed"
    assert [rows[i]["paper_state"] for i in ids if i != broken] == ["in_batch", "in_batch"]
    directory = tmp_path / closed.batch_id
    assert broken not in manifest_ids(directory) and set(ids) - {broken} <= manifest_ids(directory)
    history = await pool.fetchrow(
        f"SELECT from_state, to_state, reason FROM {NAME}.letter_history "
        "WHERE letter_id = $1 AND channel = 'paper' ORDER BY id DESC LIMIT 1", broken,
    )
    assert (history["from_state"], history["to_state"]) == ("in_batch", "failed")
    assert "cannot be printed" in history["reason"]
    [failed] = await pool.fetch(
        f"SELECT payload FROM {NAME}.outbox WHERE key = $1 AND event_type = 'LetterFailed'", str(broken),
    )
    payload = json.loads(bytes(failed["payload"]))["payload"]
    assert (payload["channel"], payload["code"]) == ("paper", "UNPRINTABLE")
    assert "cannot be printed" in payload["message"]
    batch = await pool.fetchrow(f"SELECT letter_count, files_written_at FROM {NAME}.print_batches WHERE batch_id = $1",
                                closed.batch_id)
    manifest = json.loads((directory / "manifest.json").read_text())
    assert batch["files_written_at"] is not None and batch["letter_count"] == manifest["letter_count"]
    # Writing the batch again (a restart before it was recorded) quarantines nothing twice.
    await batcher(pool, tmp_path, cutoff).write_files(closed.batch_id)
    assert len(await pool.fetch(f"SELECT 1 FROM {NAME}.outbox WHERE key = $1 AND event_type = 'LetterFailed'",
                                str(broken))) == 1


async def test_a_batch_never_waits_for_an_earlier_one_and_stuck_letters_are_reported(pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await install_test_policy(pool)
    first_cutoff = dt.datetime(2026, 5, 11, 15, 30, tzinfo=dt.UTC)
    second_cutoff = first_cutoff + dt.timedelta(days=1)
    first = await queue_paper_letters(pool, [first_cutoff - dt.timedelta(minutes=5)] * 2, 43_100)
    second = await queue_paper_letters(pool, [second_cutoff - dt.timedelta(minutes=5)] * 2, 43_200)
    writer = batcher(pool, tmp_path, second_cutoff)
    a = await writer.close(first_cutoff, write_files=False)
    b = await writer.close(second_cutoff, write_files=False)
    assert a is not None and b is not None
    # The first batch cannot be written (here: a file sits where its folder must go).
    (tmp_path / a.batch_id).write_text("in the way")
    await writer.write_missing_files()
    assert second[0] in manifest_ids(tmp_path / b.batch_id)
    written = await pool.fetch(f"SELECT batch_id, files_written_at IS NOT NULL AS done FROM {NAME}.print_batches "
                               "WHERE batch_id = ANY($1::text[])", [a.batch_id, b.batch_id])
    assert {r["batch_id"]: r["done"] for r in written} == {a.batch_id: False, b.batch_id: True}

    metrics = BridgeMetrics(CollectorRegistry())
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    sweeper = Sweeper(lambda: pool, NAME, metrics, interval_s=60, stuck_after_s=3600, clock=lambda: later)
    stuck = await sweeper.sweep_once()
    assert stuck[("paper", "in_batch")] >= len(first)
    assert metrics.stuck.labels("paper", "in_batch")._value.get() >= len(first)
    # The batch whose files were written is not reported: its letters wait for the print house.
    assert (await letter_rows(pool, second))[second[0]]["paper_state"] == "in_batch"

    # Once the obstacle is gone the next round writes the first batch too, and nothing is stuck.
    (tmp_path / a.batch_id).unlink()
    await writer.write_missing_files()
    assert set(first) <= manifest_ids(tmp_path / a.batch_id)
    assert stuck[("paper", "in_batch")] - (await sweeper.sweep_once())[("paper", "in_batch")] >= len(first)
