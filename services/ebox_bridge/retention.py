"""What the bridge purges once its retention period has passed: the PDF of a settled letter
(`letter_pdf_days`), then whose letter it was: national number, postal address and contact
(`postal_address_days`); a print batch's folder in the spool (every address of the batch) once
all its letters are settled on paper (`postal_address_days` after the batch closed); the body of
a finished webhook delivery (it carries the citizen's contact, `contact_days`); stored answers
of the letters API's Idempotency-Keys (a day); eBox status look-ups past their cache
lifetime; and a year after a quarter ends, the key that ties the eBox campaign's insert
decisions of that quarter to their recipients. The letter's row, history and digests, the batch's row and the delivery's record stay
for the figures and for "what happened to letter X"."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import asyncpg

from loket.infra.retention.job import Purge, fixed_days, tenant_setting
from loket.infra.retention.policy import RetentionDays
from services.ebox_bridge.api import repository as api_repository
from services.ebox_bridge.campaign import repository as campaign
from services.ebox_bridge.repository import ebox_status_cache, letters, print_batches
from services.ebox_bridge.webhooks import repository as webhooks

log = logging.getLogger(__name__)
# How long after a quarter ends its insert decisions stay linkable to their recipient: the
# campaign's holdout comparison follows the recipients' later letters for a year.
CAMPAIGN_MEMORY_DAYS = 365


def bridge_purges(schema: str, status_cache_ttl_s: float, spool_dir: Callable[[], Path]) -> list[Purge]:
    async def pdfs(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await letters.erase_settled_pdfs(conn, schema, now, days)

    async def recipients(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await letters.erase_settled_recipients(conn, schema, now, days)

    async def print_spool(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await purge_print_spool(conn, schema, spool_dir(), now, days)

    async def webhook_bodies(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await webhooks.erase_finished_bodies(conn, schema, now, days)

    async def idempotency_keys(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await api_repository.forget_answers_before(conn, schema, now - dt.timedelta(days=days.default))

    async def campaign_quarters(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await campaign.forget_quarters_ended_before(conn, schema, (now - dt.timedelta(days=days.default)).date())

    async def status_cache(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await ebox_status_cache.forget_older_than(conn, schema, now - dt.timedelta(seconds=status_cache_ttl_s))

    return [Purge("letter_pdf", tenant_setting("letter_pdf_days"), pdfs),
            Purge("letter_recipient", tenant_setting("postal_address_days"), recipients),
            Purge("print_spool", tenant_setting("postal_address_days"), print_spool),
            Purge("webhook_delivery_body", tenant_setting("contact_days"), webhook_bodies),
            Purge("idempotency_key", fixed_days(1), idempotency_keys),
            Purge("ebox_status_cache", fixed_days(1), status_cache),
            Purge("insert_recipient_key", fixed_days(CAMPAIGN_MEMORY_DAYS), campaign_quarters)]


async def purge_print_spool(conn: asyncpg.Connection, schema: str, spool: Path, now: dt.datetime,
                            days: RetentionDays) -> int:
    """Remove the folders of batches past retention (`print_batches.files_expired` says which)
    and record it; returns how many batches were marked. A folder already gone (removed by hand)
    is marked too. A folder that cannot be removed is logged by batch id and left unmarked, so
    the next round tries again and the desk keeps serving what is still there."""
    removed = []
    for batch_id in await print_batches.files_expired(conn, schema, now, days):
        try:
            await asyncio.to_thread(remove_batch_folder, spool, batch_id)
        except OSError as exc:
            log.warning("retention: print batch %s's folder could not be removed (%s); tried again next round",
                        batch_id, type(exc).__name__)
            continue
        removed.append(batch_id)
    return await print_batches.mark_files_purged(conn, schema, removed, now)


def remove_batch_folder(spool: Path, batch_id: str) -> None:
    """Renamed out of the way first, then deleted: the print house sees the whole batch or none
    of it, and a crash half-way leaves a hidden leftover that the next round deletes. Refuses a
    batch id that is not one plain name, or a folder that is a symbolic link: nothing outside
    the spool is ever deleted."""
    if not batch_id or batch_id.startswith(".") or "\x00" in batch_id or Path(batch_id).name != batch_id:
        raise OSError("not a print batch's folder name")
    folder, doomed = spool / batch_id, spool / f".{batch_id}.purging"
    if os.path.lexists(doomed):
        shutil.rmtree(doomed)
    if os.path.islink(folder):
        raise OSError("the batch's folder is a symbolic link")
    try:
        os.rename(folder, doomed)
    except FileNotFoundError:
        return  # nothing left to remove
    shutil.rmtree(doomed)
