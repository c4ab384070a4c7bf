"""Print batches: at each daily cut-off the letters queued before it move into one batch (one
transaction, so each letter is in exactly one batch); the batch's files are composed after the
commit and written atomically to the spool. A crash between the two leaves a batch without
files, which the next round writes (the files are a pure function of the batch's letters).

One broken letter never stops paper mail: letters are composed one by one, and one that cannot
be printed is quarantined (paper `failed`, `LetterFailed` with the reason, committed before the
files are written) while the batch goes out without it. A batch whose files still cannot be
written (a full disk, a bug) is logged and retried next round, and never holds up later ones;
the sweeper reports its letters as stuck."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from loket.contracts.values import PostalAddress
from loket.infra.db.outbox import Outbox
from loket.infra.errors import InfrastructureUnavailable
from loket.infra.identity.tenants import Tenant
from loket.infra.rounds import run_rounds
from services.ebox_bridge import status_events
from services.ebox_bridge.campaign import repository as campaign
from services.ebox_bridge.campaign.insert_decisions import decide_inserts
from services.ebox_bridge.campaign.insert_pages import InsertPages
from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.facts import LetterFacts
from services.ebox_bridge.domain.reading import ESCALATION_REASON
from services.ebox_bridge.domain.transitions import Transition
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper import (
    BatchLetter,
    UnreadablePdf,
    batch_id_for,
    compose_print_pdf,
    latest_cutoff,
    write_batch,
)
from services.ebox_bridge.paper.print_pdf import parsed_page_count
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.repository import letters, print_batches
from services.ebox_bridge.sender_block import SenderBlock
from services.ebox_bridge.settings import EboxBridgeSettings

log = logging.getLogger(__name__)

# The `code` of LetterFailed(channel=paper) for a letter quarantined from its batch.
UNPRINTABLE = "UNPRINTABLE"
# The eBox campaign's leaflet after the letter's own pages (services/ebox_bridge/campaign).
INSERT_PAGES = 1
# How long `loket print close` waits for a replica writing the same batch's files. Composing and
# merging a day's letters takes minutes on a busy machine (in CI's fault suite one batch took over
# the pool's 30 s statement timeout, and the command failed while the replica was nearly done).
WAIT_FOR_OTHER_WRITER_S = 30 * 60


# (stage, done, total): "waiting" (for another writer of the batch; total 0: unknown), "composing"
# and "merging" (letters). Called from the composing thread too: the receiver must be thread-safe
# (rich's Progress is). The command line draws bars from it; a replica passes none.
BatchProgress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass(frozen=True)
class ClosedBatch:
    batch_id: str
    cutoff_at: dt.datetime
    letter_count: int
    page_count: int


class PrintBatcher:
    def __init__(
        self, db: Callable[[], asyncpg.Pool], schema: str, settings: EboxBridgeSettings, metrics: BridgeMetrics,
        senders: PaperSenders, clock: Callable[[], dt.datetime], outbox: Outbox | None = None,
    ) -> None:
        # `db` resolves on use: the service's pool opens after its objects are built.
        self.db, self.schema, self.settings, self.metrics, self.senders, self.clock = (
            db, schema, settings, metrics, senders, clock,
        )
        self.outbox = outbox or Outbox(schema)
        self.tenants = senders.tenants

    async def run(self) -> None:
        async def round_() -> bool:
            if self.settings.print_auto_close:
                await self.close_due(write_files=False)  # written below, each batch on its own
            await self.write_missing_files()
            return False

        await run_rounds(round_, self.settings.print_check_interval_s, "print batching")

    async def close_due(self, *, write_files: bool = True) -> ClosedBatch | None:
        cutoff = latest_cutoff(self.clock(), self.settings.print_cutoff, self.settings.print_timezone)
        return await self.close(cutoff, write_files=write_files)

    async def close(
        self, cutoff_at: dt.datetime, *, wait_for_files: bool = False, write_files: bool = True,
        progress: BatchProgress = no_progress,
    ) -> ClosedBatch | None:
        """Close the batch of `cutoff_at` (letters queued up to then); None if there is nothing
        to print or the batch exists already. Files are written afterwards, by this closer.

        The closer takes the batch's writing lock before the batch exists, so no other replica's
        round can see it without files and start writing it first. It used to: the closer then
        waited while that replica composed the batch between its own events (in the fault suite,
        `loket print close` waited over a minute for a batch it composes in three seconds)."""
        batch_id = batch_id_for(cutoff_at, self.settings.print_timezone)
        if not write_files:
            return await self._closed(cutoff_at, batch_id)
        async with self.db().acquire() as lock:
            # False only while another writer holds this batch's lock: then the batch exists
            # already (closed by someone else), and _closed answers None.
            ours = await print_batches.try_lock_writing(lock, self.schema, batch_id)
            try:
                batch = await self._closed(cutoff_at, batch_id)
                if batch is not None and ours:
                    await self._write_locked(lock, batch.batch_id, progress)
            finally:
                if ours:
                    await print_batches.unlock_writing(lock, self.schema, batch_id)
        if batch is not None and not ours:
            await self.write_files(batch.batch_id, wait=wait_for_files, progress=progress)
        return batch

    async def _closed(self, cutoff_at: dt.datetime, batch_id: str) -> ClosedBatch | None:
        batch = await self._assign(cutoff_at, batch_id)
        if batch is not None:
            self.metrics.print_batch_letters.observe(batch.letter_count)
            log.info("print batch %s closed: %d letters, %d pages", batch.batch_id, batch.letter_count, batch.page_count)
        return batch

    async def _assign(self, cutoff_at: dt.datetime, batch_id: str) -> ClosedBatch | None:
        async with self.db().acquire() as conn, conn.transaction():
            await print_batches.lock_closing(conn, self.schema)
            if await print_batches.exists(conn, self.schema, cutoff_at, batch_id):
                return None
            rows = await letters.move_queued_into_batch(conn, self.schema, batch_id, cutoff_at)
            if not rows:
                return None
            decided = await decide_inserts(conn, self.schema, rows, await self._tenants(conn), self.clock())
            inserted = sum(1 for d in decided if d.arm == "insert")
            pages = sum(r["pages"] + status_events.COVER_PAGES for r in rows) + inserted * INSERT_PAGES
            await print_batches.insert(conn, self.schema, batch_id, cutoff_at, len(rows), pages)
            await letters.record_history(conn, self.schema, [
                Transition(r["letter_id"], "paper", states.QUEUED_FOR_PRINT, states.IN_BATCH, batch_id) for r in rows
            ])
            await self.outbox.append(conn, *(status_events.insert_decided(d, self.clock()) for d in decided))
        for arm in ("insert", "holdout"):
            self.metrics.paper_inserts.labels(arm).inc(sum(1 for d in decided if d.arm == arm))
        return ClosedBatch(batch_id, cutoff_at, len(rows), pages)

    async def _tenants(self, conn: asyncpg.Connection) -> Mapping[str, Tenant]:
        try:
            return await self.tenants.current(conn)
        except InfrastructureUnavailable:  # nobody onboarded: no campaign either
            return {}

    async def write_missing_files(self) -> None:
        async with self.db().acquire() as conn:
            missing = await print_batches.without_files(conn, self.schema)
        for batch_id in missing:
            try:
                await self.write_files(batch_id)
            except Exception:
                # Never let one batch hold up the later ones; this one is tried again next round
                # and the sweeper reports its letters as stuck.
                log.exception("print batch %s: writing its files failed; later batches go on", batch_id)

    async def write_files(self, batch_id: str, *, wait: bool = False, progress: BatchProgress = no_progress) -> None:
        """Write the batch's files unless another writer is at it or was: two writers of one batch
        would remove each other's half-written folder (a replica's round and `loket print close`).
        `wait`: wait for the other writer instead of leaving it the work, so the files exist when
        this returns (the command line's close)."""
        async with self.db().acquire() as lock:
            if not await print_batches.try_lock_writing(lock, self.schema, batch_id):
                if not wait:
                    log.info("print batch %s: another writer is writing its files", batch_id)
                    return
                log.info("print batch %s: another writer is writing its files; waiting for it", batch_id)
                progress("waiting", 0, 0)
                await print_batches.lock_writing(lock, self.schema, batch_id, timeout_s=WAIT_FOR_OTHER_WRITER_S)
            try:
                await self._write_locked(lock, batch_id, progress)
            finally:
                await print_batches.unlock_writing(lock, self.schema, batch_id)

    async def _write_locked(self, lock: asyncpg.Connection, batch_id: str,
                            progress: BatchProgress = no_progress) -> None:
        """Compose and write the batch's files, unless written already; the caller holds the
        batch's writing lock on `lock`."""
        started = time.perf_counter()
        if await print_batches.files_written(lock, self.schema, batch_id):
            return
        async with self.db().acquire() as conn:
            sender_of = await self.senders.current(conn)
            cutoff_at = await print_batches.cutoff_of(conn, self.schema, batch_id)
            rows = await letters.letters_of_batch(conn, self.schema, batch_id)
            inserts = await campaign.inserts_of_batch(conn, self.schema, batch_id)
            cards = {c.point_id: c for c in await campaign.all_cards(conn, self.schema)} if inserts else {}
        pages = InsertPages(inserts, cards, self.settings.insert_booking_url, lambda m: sender_of(m).name)
        # Composing is CPU work: in a thread, so the event loop keeps serving health checks.
        prepared, broken = await asyncio.to_thread(_compose_letters, rows, sender_of, pages, progress)
        if broken:
            await self._quarantine(batch_id, broken, set(inserts))
        files = await asyncio.to_thread(
            write_batch, self.settings.spool_dir(), batch_id, cutoff_at, prepared,
            merged=lambda done, total: progress("merging", done, total),
        )
        await print_batches.mark_files_written(lock, self.schema, batch_id, files.manifest_sha256)
        self.metrics.print_batch_seconds.observe(time.perf_counter() - started)

    async def _quarantine(self, batch_id: str, broken: dict[UUID, str], with_insert: set[UUID]) -> None:
        """Take the unprintable letters out of the batch, before its files are written: paper
        `failed` with the reason in their history and a LetterFailed each, in one transaction."""
        async with self.db().acquire() as conn, conn.transaction():
            rows = await letters.quarantine_from_batch(conn, self.schema, batch_id, list(broken))
            await letters.record_history(conn, self.schema, [
                Transition(r["letter_id"], "paper", states.IN_BATCH, states.FAILED, broken[r["letter_id"]][:500])
                for r in rows
            ])
            await print_batches.remove_letters(
                conn, self.schema, batch_id, len(rows),
                sum(r["pages"] + status_events.COVER_PAGES + (INSERT_PAGES if r["letter_id"] in with_insert else 0)
                    for r in rows),
            )
            await self.outbox.append(conn, *(
                status_events.failed(LetterFacts.from_row(r), "paper", UNPRINTABLE, broken[r["letter_id"]])
                for r in rows
            ))
        if rows:
            self.metrics.letters.labels("paper", "failed", UNPRINTABLE.lower()).inc(len(rows))
            # Letter ids only: enough for an operator to find the case, no personal data.
            log.warning("print batch %s: %d letters cannot be printed and were left out, e.g. %s",
                        batch_id, len(rows), ", ".join(str(r["letter_id"]) for r in rows[:10]))


def _compose_letters(
    rows: list[asyncpg.Record], sender_of: Callable[[str], SenderBlock], inserts: InsertPages,
    progress: BatchProgress = no_progress,
) -> tuple[list[BatchLetter], dict[UUID, str]]:
    """Each letter's print-ready PDF, one at a time; a letter that cannot be composed is set
    aside with the reason (never its content) instead of failing the whole batch."""
    prepared, broken = [], {}
    for done, row in enumerate(rows):
        progress("composing", done, len(rows))
        try:
            prepared.append(_compose_one(row, sender_of, inserts))
        except UnreadablePdf as exc:
            broken[row["letter_id"]] = f"the letter's PDF cannot be printed: {exc}"
        except ValueError as exc:  # the stored address does not validate or lay out
            broken[row["letter_id"]] = f"the letter cannot be laid out for print ({type(exc).__name__})"
    progress("composing", len(rows), len(rows))
    return prepared, broken


def _compose_one(row: asyncpg.Record, sender_of: Callable[[str], SenderBlock], inserts: InsertPages) -> BatchLetter:
    raw = row["postal_address"]  # decoded by the pool's JSON codec; text on a bare connection
    address = PostalAddress.model_validate(json.loads(raw) if isinstance(raw, str) else raw)
    pdf, pages = compose_print_pdf(
        row["letter_id"], reference=str(row["letter_id"]), address=address,
        sender=sender_of(row["municipality"]), original_pdf=row["pdf"], language=row["language"],
        insert=inserts(row["letter_id"], row["municipality"], row["language"], address.postcode),
        reading_help_link=inserts.reading_help_link(row["language"]) if row["paper_reason"] == ESCALATION_REASON else None,
    )
    # The merge reads every composed PDF again and trusts its page count: checked here, where a
    # failure costs one letter rather than the batch.
    if parsed_page_count(pdf) != pages:
        raise UnreadablePdf(f"the composed letter does not have the {pages} pages it should")
    return BatchLetter(row["letter_id"], address, row["postage_class"], pdf, pages)
