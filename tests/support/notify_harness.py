"""A running notify service on the test session's PostgreSQL and NATS, with the SMS simulator
(over real HTTP, receipts posted back) and a real SMTP server (aiosmtpd) as the mail sink."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiosmtpd.controller import Controller

from loket.contracts import topics
from loket.contracts.values import utc_now
from loket.infra.embedded.ports import free_port
from loket.simulators.sms.app import create_app as create_sms_sim
from loket.simulators.sms.settings import SmsSimSettings
from loket.simulators.sms.smtp_sink import MaildirSink
from services.notify.app import create_app
from services.notify.rendering import BRUSSELS
from services.notify.settings import NotifySettings
from tests.support.bus_harness import purge_streams
from tests.support.outbox_copies import WITNESS_KEEP_S
from tests.support.served_app import served
from tests.support.waiting import eventually

SMS_KEY, RECEIPTS_TOKEN = "test-sms-key-of-the-simulator", "test-receipts-token"
STREAMS = ("APPOINTMENTS", "DEVICES", "LETTERS", "VISITS")


@dataclass
class SmsSim:
    url: str
    http: aiohttp.ClientSession

    async def messages(self) -> list[dict[str, Any]]:
        async with self.http.get(f"{self.url}/admin/messages") as r:
            return (await r.json())["messages"]

    async def faults(self, **faults: Any) -> None:
        async with self.http.post(f"{self.url}/admin/faults", json=faults) as r:
            assert r.status == 200, await r.text()


@dataclass
class RunningNotify:
    base: str
    sms: SmsSim
    mail: MaildirSink
    mail_dir: Path

    def mails(self) -> list[Message]:
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(self.mail_dir.glob("*.eml"))]


async def fresh_streams(bus_url: str, streams: tuple[str, ...] = STREAMS) -> None:
    """Other tests leave appointment and letter events on the streams; a new notify consumer
    would replay them all into these tests' simulator."""
    await purge_streams(bus_url, streams)


async def clear_notify(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        exists = await conn.fetchval("SELECT to_regclass('notify.notifications')")
        if exists:
            await conn.execute("DELETE FROM notify.notifications; DELETE FROM notify.opt_outs; DELETE FROM notify.outbox; "
                               "DELETE FROM notify.early_receipts")
    finally:
        await conn.close()


def notify_settings(database_url: str, bus_url: str, sms_url: str, smtp_port: int, **overrides: Any) -> NotifySettings:
    return NotifySettings(
        database_url=database_url, bus_url=bus_url, sms_url=sms_url, sms_api_key=SMS_KEY,
        sms_receipts_token=RECEIPTS_TOKEN, smtp_host="127.0.0.1", smtp_port=smtp_port, notify_retry_base_s=0.05,
        notify_retry_max_s=0.5, notify_dispatch_idle_s=0.05, lease_s=3,
        **({"outbox_keep_published_s": WITNESS_KEEP_S} | overrides))  # tests read what notify appended


def daytime_clock() -> Callable[[], dt.datetime]:
    """Real time shifted to start at today's noon in Brussels: the tests must not depend on
    when CI runs (at night quiet hours would hold every SMS back)."""
    now = utc_now()
    noon = dt.datetime.combine(now.astimezone(BRUSSELS).date(), dt.time(12), tzinfo=BRUSSELS)
    shift = noon.astimezone(dt.UTC) - now
    return lambda: utc_now() + shift


@contextlib.asynccontextmanager
async def running_notify(database_url: str, bus_url: str, tmp_path: Path,
                         clock: Callable[[], dt.datetime] | None = None, replicas: int = 1,
                         **overrides: Any) -> AsyncIterator[RunningNotify]:
    """Notify on the test database and bus with an SMS simulator and an SMTP sink; `replicas`
    processes' worth of the service (apps sharing the database, as replicas do)."""
    clock = clock or daytime_clock()
    await fresh_streams(bus_url)
    await clear_notify(database_url)
    notify_port, smtp_port = free_port(), free_port()
    sim_settings = SmsSimSettings(api_key=SMS_KEY, receipts_url=f"http://127.0.0.1:{notify_port}/receipts/sms",
                                  receipts_token=RECEIPTS_TOKEN, receipt_delay_ms=50)
    sink = MaildirSink(tmp_path / "mail")
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        async with served(create_sms_sim(sim_settings)) as sim_url, aiohttp.ClientSession() as http:
            settings = notify_settings(database_url, bus_url, sim_url, smtp_port, **overrides)
            async with contextlib.AsyncExitStack() as apps:
                base = await apps.enter_async_context(served(create_app(settings, clock), port=notify_port))
                for _ in range(replicas - 1):
                    await apps.enter_async_context(served(create_app(settings, clock)))
                yield RunningNotify(base, SmsSim(sim_url, http), sink, tmp_path / "mail")
    finally:
        controller.stop()


__all__ = ["RunningNotify", "eventually", "running_notify", "topics"]
