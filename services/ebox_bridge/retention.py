"""What the bridge purges once its retention period has passed: the PDF of a settled letter
(`letter_pdf_days`), then whose letter it was: national number, postal address and contact
(`postal_address_days`), and eBox status look-ups past their cache lifetime. The letter's row,
history and digests stay for the figures and for "what happened to letter X"."""

from __future__ import annotations

import datetime as dt

import asyncpg

from loket.infra.retention.job import Purge, fixed_days, tenant_setting
from loket.infra.retention.policy import RetentionDays
from services.ebox_bridge.repository import ebox_status_cache, letters


def bridge_purges(schema: str, status_cache_ttl_s: float) -> list[Purge]:
    async def pdfs(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await letters.erase_settled_pdfs(conn, schema, now, days)

    async def recipients(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await letters.erase_settled_recipients(conn, schema, now, days)

    async def status_cache(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await ebox_status_cache.forget_older_than(conn, schema, now - dt.timedelta(seconds=status_cache_ttl_s))

    return [Purge("letter_pdf", tenant_setting("letter_pdf_days"), pdfs),
            Purge("letter_recipient", tenant_setting("postal_address_days"), recipients),
            Purge("ebox_status_cache", fixed_days(1), status_cache)]
