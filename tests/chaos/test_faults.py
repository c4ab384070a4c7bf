"""Fault injection on the whole system (`pytest -m chaos`, part of the normal run).

While bookings and letters flow through `loket up`, the test SIGKILLs each service in turn,
SIGKILLs the NATS node leading the letters stream (a three-node JetStream cluster, streams in
three copies) and restarts PostgreSQL under it, takes the eBox down and then makes it hang and answer
429 storms, makes the SMS provider fail, and feeds 10 000 hypothesis-generated hostile events.
Then the auditor (tests/chaos/auditor.py) checks the invariants across all schemas, the
simulators, the SMTP sink, the DLQs and the logs, and the test prints what was injected and
what held."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest

from loket.cli.demo_letters import demo_letters
from loket.contracts.letters import LetterIssued
from loket.devstack.runtime_file import runtime_bus_url, runtime_database_url
from loket.infra.bus.address import parse_bus_url
from loket.infra.embedded import EmbeddedPostgres
from loket.infra.embedded.nats_cluster import REPLICAS, EmbeddedNatsCluster
from loket.infra.embedded.server import EmbeddedServer
from tests.chaos.auditor import Expectations, audit, get_json, wait_until_quiet
from tests.chaos.kafka_faults import LeaderOfTheLetterIntake
from tests.chaos.nats_faults import LeaderOfTheLetters
from tests.e2e.test_loket_up import ready, service_process, start_up, stop_up, wait
from tests.support.bridge_harness import publish
from tests.support.hostile_events import hostile_events

pytestmark = [pytest.mark.chaos, pytest.mark.slow, pytest.mark.timeout(900)]
SMS_FAILURES_IN_A_ROW = 8
HOSTILE_EVENTS = 400  # each is dead-lettered by two groups: 800 dead letters to audit
CHAOS_ENV = {
    "LOKET_QUIET_HOURS": "00:00-00:00",  # SMS at any hour, so the audit can count them
    # Two processes of every service: the faults meet replicas sharing the work (leases, consumer
    # groups, one relay leader, shared SMS limits), and a SIGKILL takes one of the two.
    "LOKET_REPLICAS": "2",
    "LOKET_BOOKING_PUBLIC_RATE_PER_MINUTE": "100000", "LOKET_BOOKING_PUBLIC_BURST": "10000",
    # Retries and timeouts scaled down so a run takes minutes, not the hours production allows.
    "LOKET_NOTIFY_RETRY_BASE_S": "0.5", "LOKET_NOTIFY_RETRY_MAX_S": "5",
    # Enough attempts that the SMS storm (40 % refused, then late answers) cannot exhaust a
    # message's retries by chance (6 gave up on 1 message in ~10 runs): the invariant is about
    # loss and duplicates, and a message given up after retries is reported, not silently lost.
    "LOKET_MAX_ATTEMPTS": "12",
    "LOKET_RETRY_BASE_S": "0.5", "LOKET_RETRY_MAX_S": "5",
    "LOKET_EBOX_TIMEOUT_S": "2", "LOKET_EBOX_BREAKER_COOLDOWN_S": "3", "LOKET_SEND_TIMEOUT_S": "1",
}


def post_json(url: str, body: dict[str, Any], token: str | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


class Chaos:
    """The system under test and a log of what was done to it."""

    def __init__(self, tmp_path: Path, runtime: dict[str, Any], postgres: EmbeddedPostgres,
                 bus: LeaderOfTheLetters | LeaderOfTheLetterIntake, supervisor_pid: int) -> None:
        self.runtime, self.postgres, self.bus, self.supervisor_pid = runtime, postgres, bus, supervisor_pid
        replicas = {name: len(ports) for name, ports in runtime["replica_ports"].items()}
        assert set(replicas.values()) == {int(CHAOS_ENV["LOKET_REPLICAS"])}, replicas
        self.token = (tmp_path / "admin-token").read_text().strip()
        self.booking = f"http://127.0.0.1:{runtime['ports']['booking']}"
        self.faults: list[str] = []
        self.booked_phones: list[str] = []
        self._phones = iter(range(2_000_000, 3_000_000))
        self._started = time.monotonic()

    def note(self, fault: str) -> None:
        self.faults.append(f"{time.monotonic() - self._started:6.1f} s  {fault}")
        print(self.faults[-1], flush=True)

    def all_ready(self, what: str) -> None:
        wait(lambda: all(ready(p) for p in self.runtime["ports"].values()), 120, f"every service ready after {what}")

    def ebox(self, **faults: Any) -> None:
        status, _ = post_json(f"{self.runtime['ebox_simulator_url']}/admin/faults", faults, self.token)
        assert status == 200

    def sms(self, **faults: Any) -> None:
        status, _ = post_json(f"{self.runtime['sms_simulator_url']}/admin/faults", faults, self.token)
        assert status == 200

    def book(self, n: int) -> None:
        """n citizens, three for each slot: the exclusion constraint decides who gets it."""
        slots = get_json(f"{self.booking}/public/points/mechelen-stadhuis/slots?service=ebox_activation"
                         f"&language=nl&days=14", self.token)["slots"]
        for i in range(n):
            phone = f"+3247{next(self._phones):07d}"
            status, _ = post_json(f"{self.booking}/public/appointments", {
                "point_id": "mechelen-stadhuis", "service": "ebox_activation", "language": "nl",
                "starts_at": slots[i // 3]["starts_at"], "contact": {"phone": phone, "language": "nl"}})
            assert status in (201, 409), status
            if status == 201:
                self.booked_phones.append(phone)

    def kill_service(self, name: str) -> None:
        service_process(self.supervisor_pid, name).kill()
        self.note(f"SIGKILL one of the {CHAOS_ENV['LOKET_REPLICAS']} {name} processes")
        wait(lambda: ready(self.runtime["ports"][name]), 90, f"{name} to be restarted")

    def restart(self, server: EmbeddedServer | LeaderOfTheLetters | LeaderOfTheLetterIntake) -> None:
        """SIGKILL a server under the running system, keep it down 3 s, start it again
        (PostgreSQL recovers from its WAL, NATS from its JetStream store)."""
        server.kill()
        time.sleep(3)
        server.start()
        self.note(f"{server.name} killed, down 3 s, restarted")
        self.all_ready(f"the {server.name} restart")

async def publish_hostile(bus_url: str, events: list[tuple[str, bytes]]) -> None:
    if parse_bus_url(bus_url).kind == "kafka":
        from tests.chaos.kafka_faults import publish_hostile_kafka

        await publish_hostile_kafka(bus_url, events)
        return
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        js = nc.jetstream()
        for start in range(0, len(events), 500):
            await asyncio.gather(*(
                js.publish(topic, body, headers={"Nats-Msg-Id": f"hostile-{time.time_ns()}-{i}", "x-chaos-n": str(i)})
                for i, (topic, body) in enumerate(events[start:start + 500], start)))
    finally:
        await nc.close()


def print_house(chaos: Chaos, tmp_path: Path) -> None:
    """The paper channel to its end: close a print batch, then the print house confirms every
    letter posted (every twentieth returned), and sends the same file again."""
    env = {**os.environ, "LOKET_DATA_DIR": str(tmp_path)}
    database = ["--database-url", runtime_database_url(chaos.runtime)]
    loket = [sys.executable, "-m", "loket.cli", "print"]
    # Composing and writing a batch of hundreds of letters while the storm's backlog drains on two
    # cores: 120 s ran out once (CI on bf9decf), after the batch line was printed.
    began = time.monotonic()
    closed = subprocess.run([*loket, "close", *database], env=env, capture_output=True, text=True, timeout=300)
    assert closed.returncode == 0, closed.stdout + closed.stderr
    # How long, in the run's notes: the close once ran out of 120 s and nobody could say why.
    chaos.note(f"print close took {time.monotonic() - began:.1f} s: {(closed.stdout.splitlines() or [''])[0]}")
    letters = asyncio.run(letters_in_batches(runtime_database_url(chaos.runtime)))
    response = tmp_path / "print-response.csv"
    response.write_text("letter_id,status,at,reason\n" + "".join(
        f"{letter},returned,,addressee unknown\n" if i % 20 == 0 else f"{letter},posted,,\n"
        for i, letter in enumerate(letters)))
    for attempt in ("", " (the same file again)"):
        confirmed = subprocess.run([*loket, "confirm", str(response), *database], env=env, capture_output=True,
                                   text=True, timeout=120)
        assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr
        chaos.note(f"print house: {confirmed.stdout.splitlines()[0]}{attempt}")


async def letters_in_batches(database_url: str) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        return [str(r[0]) for r in await conn.fetch(
            "SELECT letter_id FROM ebox_bridge.letters WHERE paper_state = 'in_batch' ORDER BY letter_id")]
    finally:
        await conn.close()


def test_faults_leave_every_invariant_intact(tmp_path: Path) -> None:
    with ProcessPoolExecutor(1) as pool:  # 10 000 hypothesis examples take a while: draw them meanwhile
        hostile_future = pool.submit(hostile_events, HOSTILE_EVENTS)
        # A three-node JetStream cluster, streams in three copies: the bus fault kills the node
        # leading the letters stream mid-flow (the Kafka suite kills the broker leading them).
        with EmbeddedPostgres(tmp_path / "postgres") as postgres, EmbeddedNatsCluster(tmp_path / "nats") as bus:
            proc, runtime = start_up(tmp_path, LOKET_DATABASE_URL=postgres.url, LOKET_BUS_URL=bus.url,
                                     LOKET_BUS_STREAM_REPLICAS=str(REPLICAS), **CHAOS_ENV)
            try:
                chaos = Chaos(tmp_path, runtime, postgres, LeaderOfTheLetters(bus), proc.pid)
                results = play(chaos, hostile_future, tmp_path)
            finally:
                stop_up(proc)
    report(chaos, results)


def report(chaos: Chaos, results: dict[str, tuple[bool, str]]) -> None:
    width = max(len(k) for k in results)
    print("\nwhat was done (seconds into the run):\n" + "\n".join(f"  - {f}" for f in chaos.faults))
    print("invariants:")
    for invariant, (held, detail) in results.items():
        print(f"  {'HELD  ' if held else 'BROKEN'} {invariant:<{width}}  {detail}")
    broken = [k for k, (held, _) in results.items() if not held]
    assert not broken, f"invariants broken: {broken}"


def play(chaos: Chaos, hostile_future: Future[list[tuple[str, bytes]]], tmp_path: Path) -> dict[str, tuple[bool, str]]:
    runtime = chaos.runtime
    subprocess.run([sys.executable, "-m", "loket.cli", "seed", "--database-url", runtime_database_url(runtime)],
                   check=True, timeout=60, capture_output=True)
    letters: list[LetterIssued] = demo_letters(300, seed=8)
    asyncio.run(publish(runtime_bus_url(runtime), letters[:100]))
    chaos.ebox(outage=True)
    chaos.note("eBox outage (503 on every call)")
    chaos.book(24)
    # Fewer than LOKET_MAX_ATTEMPTS: when a single message is in flight, it meets every one of
    # them (15 once exhausted a lone confirmation's 12 attempts: reported, but not what this tests).
    chaos.sms(fail_next=SMS_FAILURES_IN_A_ROW)
    chaos.note(f"SMS provider: the next {SMS_FAILURES_IN_A_ROW} requests answered 503")
    for name in ("booking", "notify", "ebox_bridge", "reporting"):
        chaos.kill_service(name)
    chaos.ebox(outage=False, status_429_rate=0.5, hang_rate=0.05, error_rate=0.1)
    chaos.note("eBox: 429 storm (50%), hangs (5%, past the client timeout), answers lost after registration (10%)")
    asyncio.run(publish(runtime_bus_url(runtime), letters[100:200]))
    chaos.restart(chaos.bus)
    chaos.book(6)
    chaos.restart(chaos.postgres)
    chaos.sms(response_delay_ms=1500)  # accepted, but the answer comes after notify's 1 s timeout
    chaos.note("SMS provider: answers 1.5 s late (after accepting) for 5 s")
    chaos.book(6)
    time.sleep(5)
    chaos.sms(response_delay_ms=0)
    asyncio.run(publish(runtime_bus_url(runtime), letters[200:]))
    chaos.sms(error_rate=0.2, throttle_rate=0.2)
    chaos.note("SMS provider: 20% 503, 20% 429")
    hostile = hostile_future.result(timeout=600)
    asyncio.run(publish_hostile(runtime_bus_url(runtime), hostile))
    chaos.note(f"{len(hostile):,} hostile events (hypothesis): {dict(Counter(t for t, _ in hostile))}")
    time.sleep(10)  # the storm goes on for a while, then the eBox and the SMS provider recover
    chaos.ebox(status_429_rate=0.0, hang_rate=0.0, error_rate=0.0)
    chaos.sms(error_rate=0.0, throttle_rate=0.0)
    expect = Expectations(letters, chaos.booked_phones, Counter(t for t, _ in hostile),
                          {str(e.payload.recipient_national_number) for e in letters})
    asyncio.run(wait_until_quiet(runtime_database_url(runtime), expect))
    print_house(chaos, tmp_path)
    return asyncio.run(audit(runtime_database_url(runtime), runtime_bus_url(runtime), runtime, chaos.token, expect,
                             tmp_path / "logs", ready))
