"""The demo's closing figures, read from each service's own tables (the demo is an operator's
tool on its own installation), and the short eBox outage it stages while letters flow."""

from __future__ import annotations

import asyncio

import aiohttp
import asyncpg

from loket.cli.demo_labels import appointment_status, channel, words
from services.reporting.settings import ReportingSettings


async def ebox_outage(simulator_url: str | None, token: str, after_s: float = 1.0, lasting_s: float = 4.0) -> None:
    """The eBox goes down for a few seconds: letters wait and retry, none is lost or doubled."""
    if simulator_url is None:
        return
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        await asyncio.sleep(after_s)
        async with http.post(f"{simulator_url}/admin/faults", json={"outage": True}) as r:
            await r.read()
        await asyncio.sleep(lasting_s)
        async with http.post(f"{simulator_url}/admin/faults", json={"outage": False}) as r:
            await r.read()


async def summary_figures(database_url: str) -> dict[str, object]:
    conn = await asyncpg.connect(database_url)
    try:
        figures: dict[str, object] = {}
        for status, n in await conn.fetch("SELECT status, count(*) FROM booking.appointments GROUP BY 1 ORDER BY 1"):
            figures[f"appointments: {appointment_status(status).lower()}"] = n
        figures["loans overdue (announced)"] = await conn.fetchval(
            "SELECT count(*) FROM booking.loans WHERE last_overdue_notice_on IS NOT NULL")
        for medium, status, n in await conn.fetch(
                "SELECT channels[channel_index + 1], status, count(*) FROM notify.notifications "
                "WHERE status <> 'created' GROUP BY 1, 2 ORDER BY 1, 2"):
            figures[f"messages by {channel(medium).lower()}: {words(status)}"] = n
        for kind, n in await conn.fetch(
                "SELECT kind, count(*) FROM notify.notifications WHERE sent_at IS NOT NULL GROUP BY 1 ORDER BY 1"):
            figures[f"messages sent: {words(kind)}"] = n
        figures["reminders scheduled"] = await conn.fetchval(
            "SELECT count(*) FROM notify.notifications WHERE status = 'created'")
        row = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE ebox_delivered_at IS NOT NULL AND queued_at IS NULL) AS digital, "
            "count(*) AS letters, count(*) FILTER (WHERE ebox_delivered_at IS NOT NULL) AS ebox FROM reporting.letters")
        if row and row["letters"]:
            figures["reporting: eBox share"] = f"{row['ebox'] / row['letters']:.0%}"
            tariffs = ReportingSettings()  # the same tariffs the dashboard uses
            per_letter = tariffs.reporting_stamp_eur + tariffs.reporting_print_handling_eur
            figures["reporting: cost avoided (EUR)"] = f"{row['digital'] * per_letter:,.2f}"
        figures["reporting: assisted visits"] = await conn.fetchval(
            "SELECT count(*) FROM reporting.visits WHERE ended_at IS NOT NULL")
        return figures
    finally:
        await conn.close()
