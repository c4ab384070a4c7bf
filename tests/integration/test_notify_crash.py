"""SIGKILL notify in the middle of 1 000 sends and restart it: every notification reaches the
SMS simulator exactly once (its idempotency key makes the resend of an in-flight message a
no-op) and every e-mail reaches the SMTP sink under one Message-ID."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import aiohttp
import pytest
from aiosmtpd.controller import Controller

from loket.bench.letters_sim import wait_http
from loket.devstack.supervisor import service_argv
from loket.infra.embedded.ports import free_port
from loket.simulators.sms.app import create_app as create_sms_sim
from loket.simulators.sms.settings import SmsSimSettings
from loket.simulators.sms.smtp_sink import MaildirSink
from tests.integration.test_notify_delivery import booked
from tests.support.bridge_harness import publish
from tests.support.notify_harness import (
    RECEIPTS_TOKEN,
    SMS_KEY,
    SmsSim,
    clear_notify,
    eventually,
    fresh_streams,
)
from tests.support.served_app import served

pytestmark = pytest.mark.slow
SMS_COUNT = EMAIL_COUNT = 500
CONCURRENCY = 8


def start_notify(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(service_argv("notify"), env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def test_a_killed_notify_sends_every_message_exactly_once(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    await fresh_streams(bus_url)
    await clear_notify(database_url)
    port, smtp_port = free_port(), free_port()
    sink = MaildirSink(tmp_path / "mail")
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    sim_settings = SmsSimSettings(api_key=SMS_KEY, receipts_url=f"http://127.0.0.1:{port}/receipts/sms",
                                  receipts_token=RECEIPTS_TOKEN, receipt_delay_ms=20)
    try:
        async with served(create_sms_sim(sim_settings)) as sim_url, aiohttp.ClientSession() as http:
            sim = SmsSim(sim_url, http)
            # Answer 40 ms after accepting: a kill then catches messages the provider has but notify
            # never heard back about, which is exactly the case the idempotency key exists for.
            await sim.faults(response_delay_ms=40)
            env = {**os.environ, "LOKET_DATABASE_URL": database_url, "LOKET_BUS_URL": bus_url, "LOKET_PORT": str(port),
                   "LOKET_SMS_URL": sim_url, "LOKET_SMS_API_KEY": SMS_KEY, "LOKET_SMS_RECEIPTS_TOKEN": RECEIPTS_TOKEN,
                   "LOKET_SMTP_HOST": "127.0.0.1", "LOKET_SMTP_PORT": str(smtp_port), "LOKET_LEASE_S": "4",
                   "LOKET_DISPATCH_CONCURRENCY": str(CONCURRENCY), "LOKET_QUIET_HOURS": "00:00-00:00",
                   "LOKET_LOG_LEVEL": "WARNING", "LOKET_PROVIDER_RATE_PER_S": "10000",
                   "LOKET_PROVIDER_BURST": "10000",
                   # A send that fails under a loaded host is retried within seconds, not the
                   # minutes production waits: the test is about the kill, not the backoff.
                   "LOKET_NOTIFY_RETRY_MAX_S": "5",
                   # 500 SMS to one number range on purpose: above the anti-pumping prefix cap.
                   "LOKET_SMS_PREFIX_MAX_PER_DAY": "100000"}
            log = tmp_path / "notify.log"
            first = start_notify(env, log)
            try:
                await wait_http(f"http://127.0.0.1:{port}/health/ready", first, "notify")
                events = [booked(phone=f"+324701{i:05d}") for i in range(1, SMS_COUNT + 1)]  # none ends in 0000
                events += [booked(email=f"citizen{i}@example.be") for i in range(EMAIL_COUNT)]
                await publish(bus_url, events)
                await eventually(lambda: _sent_at_least(sim, sink, 250), timeout=60, what="a quarter sent")
                os.kill(first.pid, signal.SIGKILL)
                first.wait(10)
                killed_at = len(await sim.messages()) + sink.received
                assert killed_at < SMS_COUNT + EMAIL_COUNT, "the kill came too late to test anything"
            finally:
                if first.poll() is None:
                    first.kill()
            second = start_notify(env, log)
            try:
                await eventually(lambda: _sent_at_least(sim, sink, SMS_COUNT + EMAIL_COUNT, distinct=True),
                                 timeout=120, what="every message sent")
                # The simulator may hold every message before the second notify has re-sent the
                # ones in flight at the kill (their lease must run out first) and recorded them.
                try:
                    await eventually(lambda: _none_waiting(pool), timeout=60, what="every send recorded")
                except AssertionError as exc:
                    raise AssertionError(f"{exc}: {await _waiting(pool)}; notify's log ends:\n"
                                         f"{log.read_text(errors='replace')[-3000:]}") from None
                await asyncio.sleep(1)  # anything sent twice would arrive now
                messages = await sim.messages()
                async with http.get(f"{sim_url}/admin/messages") as r:
                    replays = (await r.json())["replays"]
            finally:
                second.terminate()
                second.wait(20)
    finally:
        controller.stop()
    assert len(messages) == SMS_COUNT
    assert len({m["to"] for m in messages}) == SMS_COUNT and len({m["idempotency_key"] for m in messages}) == SMS_COUNT
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == EMAIL_COUNT
    # SMTP cannot refuse a resend: messages in flight at the kill reach the sink again under the
    # same Message-ID (overwriting their file). At most one per concurrent send.
    assert sink.duplicates <= CONCURRENCY, sink.duplicates
    statuses = dict(await pool.fetch("SELECT status, count(*) FROM notify.notifications "
                                     "WHERE kind = 'appointment_confirmation' GROUP BY status"))
    assert sum(statuses.values()) == SMS_COUNT + EMAIL_COUNT
    assert set(statuses) <= {"sending", "delivered"}, statuses
    assert replays >= 1, "no message was in flight at the kill: the resend path was not exercised"
    print(f"replays answered by the simulator: {replays}; e-mail resends: {sink.duplicates}")


async def _sent_at_least(sim: SmsSim, sink: MaildirSink, count: int, distinct: bool = False) -> bool:
    mails = len(list(sink.directory.glob("*.eml"))) if distinct else sink.received
    return len(await sim.messages()) + mails >= count


async def _waiting(pool) -> list[dict]:  # type: ignore[no-untyped-def]
    """The messages still waiting to be sent, as notify holds them: why a send was not recorded."""
    rows = await pool.fetch("SELECT status, attempts, due_at - now() AS due_in, failure_reason, channels, "
                            "channel_index FROM notify.notifications WHERE kind = 'appointment_confirmation' "
                            "AND status = 'created' LIMIT 10")
    return [dict(r) for r in rows]


async def _none_waiting(pool) -> bool:  # type: ignore[no-untyped-def]
    return not await pool.fetchval("SELECT count(*) FROM notify.notifications "
                                   "WHERE kind = 'appointment_confirmation' AND status = 'created'")
