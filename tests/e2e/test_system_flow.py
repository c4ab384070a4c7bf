"""The system as a citizen meets it, on `loket up`: seed the points, book an appointment on the
public API; booking's event crosses the bus and notify sends the confirmation SMS to the SMS
simulator, in the citizen's language, naming the place."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from loket.devstack.runtime_file import runtime_database_url
from tests.e2e.test_loket_up import start_up, stop_up, wait

__all__ = ["assert_one_json_format", "book_and_expect_the_sms", "start_up"]

pytestmark = pytest.mark.slow


def call(url: str, body: dict | None = None, token: str | None = None) -> dict:  # type: ignore[type-arg]
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def test_a_booking_becomes_a_confirmation_sms(tmp_path: Path) -> None:
    # No quiet hours: otherwise a run at night would (rightly) hold the SMS until 08:00.
    proc, runtime = start_up(tmp_path, LOKET_QUIET_HOURS="00:00-00:00")
    try:
        book_and_expect_the_sms(tmp_path, runtime)
    finally:
        stop_up(proc)
    assert_one_json_format(tmp_path / "logs")


def book_and_expect_the_sms(data_dir: Path, runtime: dict) -> None:  # type: ignore[type-arg]
    """Seed the points, book at Etterbeek in French, and wait for the confirmation SMS."""
    subprocess.run([sys.executable, "-m", "loket.cli", "seed", "--database-url", runtime_database_url(runtime)],
                   check=True, timeout=60, capture_output=True)
    booking = f"http://127.0.0.1:{runtime['ports']['booking']}"
    slots = call(f"{booking}/public/points/etterbeek-epn/slots?service=ebox_activation&language=fr&days=14")
    slot = slots["slots"][0]
    booked = call(f"{booking}/public/appointments", {
        "point_id": "etterbeek-epn", "service": "ebox_activation", "language": "fr",
        "starts_at": slot["starts_at"], "contact": {"phone": "0470 12 34 56", "language": "fr"}})
    assert booked["status"] == "booked"
    token = (data_dir / "admin-token").read_text().strip()
    found: list[dict] = []  # type: ignore[type-arg]

    def confirmation_sent() -> bool:
        messages = call(f"{runtime['sms_simulator_url']}/admin/messages", token=token)["messages"]
        found[:] = [m for m in messages if m["to"] == "+32470123456"]
        return bool(found)

    wait(confirmation_sent, 90, "the confirmation SMS")
    assert "Rendez-vous confirmé" in found[0]["body"]
    assert "Espace Public Numérique d'Etterbeek" in found[0]["body"]
    # The lag alert's figure, as notify reads it for its group on either bus: caught up.
    wait_for_metric(runtime["ports"]["notify"],
                    'loket_consumer_lag_messages{consumer="notify.appointments",topic="appointments.v1"} 0.0')


def wait_for_metric(port: int, line: str, timeout_s: float = 30.0) -> None:
    """Until the service's /metrics holds `line` (its metrics round runs every 5 s)."""
    deadline, text = time.monotonic() + timeout_s, ""
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
        if line in text.splitlines():
            return
        time.sleep(1)
    shown = [m for m in text.splitlines() if m.startswith(line.split("{")[0])]
    raise AssertionError(f"no {line!r} in /metrics after {timeout_s:.0f} s; it has {shown}")


def assert_one_json_format(logs: Path) -> None:
    """Every line a service wrote is one JSON object naming its service, logger and level,
    FastStream's and uvicorn's included, and FastStream's per-message lines are off at INFO."""
    loggers: set[str] = set()
    for service in ("booking", "notify", "ebox_bridge", "reporting"):
        for line in (logs / f"{service}.log").read_text().splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)  # a text line fails here
            assert entry["service"] == service and entry["level"] and entry["logger"], line
            assert not entry["msg"].startswith(("Received", "Processed")), line
            loggers.add(entry["logger"])
    assert any(name.startswith("faststream") for name in loggers), loggers
    assert any(name.startswith("uvicorn") for name in loggers), loggers
