"""`loket up --replicas 2`: two processes of every service share the work. Bookings through
either booking replica never overlap, letters published while one bridge replica is SIGKILLed
reach the eBox or paper exactly once each, and every booking gets exactly one confirmation. A
revoked API key is refused by both replicas at once, although each trusts a key it looked up
for an hour here: the revocation's change signal reaches every process."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psutil
import pytest

from loket.cli.demo_letters import demo_letters
from loket.devstack.runtime_file import runtime_bus_url, runtime_database_url
from tests.chaos.auditor import (
    Expectations,
    ebox_published_once,
    get_json,
    letters_settled_once_per_channel,
    no_double_booking,
    wait_until_quiet,
)
from tests.chaos.test_faults import post_json
from tests.e2e.test_loket_up import ready, start_up, stop_up, wait
from tests.e2e.test_system_flow_kafka import print_and_post
from tests.support.bridge_harness import publish

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def replicas_of(supervisor_pid: int, name: str) -> list[psutil.Process]:
    return [c for c in psutil.Process(supervisor_pid).children() if c.cmdline()[-2:] == ["serve", name]]


def test_two_replicas_of_every_service_share_the_work_exactly_once(tmp_path: Path) -> None:
    proc, runtime = start_up(tmp_path, LOKET_REPLICAS="2", LOKET_QUIET_HOURS="00:00-00:00", LOKET_API_KEY_CACHE_S="3600",
                             LOKET_BOOKING_PUBLIC_RATE_PER_MINUTE="100000", LOKET_BOOKING_PUBLIC_BURST="10000")
    database_url, token = runtime_database_url(runtime), (tmp_path / "admin-token").read_text().strip()
    try:
        ports = runtime["replica_ports"]
        assert all(len(p) == 2 for p in ports.values()), ports
        wait(lambda: all(ready(p) for ps in ports.values() for p in ps), 120, "every replica ready")
        assert all(len(replicas_of(proc.pid, name)) == 2 for name in ports)
        subprocess.run([sys.executable, "-m", "loket.cli", "seed", "--database-url", database_url],
                       check=True, timeout=60, capture_output=True)

        # Three citizens want each slot, asking the two booking replicas in turn.
        slots = get_json(f"http://127.0.0.1:{ports['booking'][0]}/public/points/mechelen-stadhuis/slots"
                         "?service=ebox_activation&language=nl&days=14", token)["slots"]
        booked: list[str] = []
        for i in range(12):
            phone = f"+3247{5_000_000 + i:07d}"
            status, _ = post_json(f"http://127.0.0.1:{ports['booking'][i % 2]}/public/appointments", {
                "point_id": "mechelen-stadhuis", "service": "ebox_activation", "language": "nl",
                "starts_at": slots[i // 3]["starts_at"], "contact": {"phone": phone, "language": "nl"}})
            assert status in (201, 409), status
            if status == 201:
                booked.append(phone)

        revoked_everywhere(database_url, ports["booking"])

        letters = demo_letters(120)
        asyncio.run(publish(runtime_bus_url(runtime), letters[:60]))
        time.sleep(1)
        replicas_of(proc.pid, "ebox_bridge")[0].kill()  # mid-flow: the other replica and the restart carry on
        asyncio.run(publish(runtime_bus_url(runtime), letters[60:]))
        expect = Expectations(letters, booked, Counter(), set())
        asyncio.run(wait_until_quiet(database_url, expect, 240))
        print_and_post(tmp_path, database_url)
        results = asyncio.run(_audit(database_url, expect)) | ebox_published_once(runtime, token)

        def confirmations() -> Counter[int]:
            messages = get_json(f"{runtime['sms_simulator_url']}/admin/messages", token)["messages"]
            sent = Counter(m["to"] for m in messages if m["idempotency_key"].split(":")[1] == "appointment_confirmation")
            return Counter(sent[phone] for phone in booked)

        wait(lambda: set(confirmations()) == {1}, 60, "one confirmation per booking")
        results["one confirmation per booking"] = (set(confirmations()) == {1}, str(dict(confirmations())))
    finally:
        stop_up(proc)
    broken = {k: detail for k, (held, detail) in results.items() if not held}
    assert not broken, broken
    # At most one winner per helper and slot: the audit's no_double_booking holds that. How many
    # slots had a winner depends on the rota at the hour the test runs (a slot with two helpers
    # takes two of its three citizens), so only "someone got in" is asserted here.
    assert 1 <= len(booked) <= 8, booked


def revoked_everywhere(database_url: str, booking_ports: list[int]) -> None:
    subprocess.run([sys.executable, "-m", "loket.cli", "tenants", "import", "--database-url", database_url],
                   check=True, timeout=60, capture_output=True)
    created = subprocess.run([sys.executable, "-m", "loket.cli", "keys", "create", "--municipality", "12025",
                              "--role", "staff", "--point", "mechelen-stadhuis", "--database-url", database_url],
                             timeout=60, capture_output=True, text=True)
    assert created.returncode == 0, created.stdout[-2000:] + created.stderr[-2000:]
    key = created.stdout.strip().splitlines()[-1]
    day = time.strftime("%Y-%m-%d")

    def status(port: int) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/staff/points/mechelen-stadhuis/appointments"
                                         f"?day={day}", headers={"Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert [status(p) for p in booking_ports] == [200, 200]  # both replicas hold the key now
    subprocess.run([sys.executable, "-m", "loket.cli", "keys", "revoke", key.split("_")[1], "--database-url",
                    database_url], check=True, timeout=60, capture_output=True)
    wait(lambda: [status(p) for p in booking_ports] == [401, 401], 15, "the revoked key refused by both replicas")


async def _audit(database_url: str, expect: Expectations) -> dict[str, tuple[bool, str]]:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        return await letters_settled_once_per_channel(conn, expect) | await no_double_booking(conn, len(expect.booked_phones))
    finally:
        await conn.close()
