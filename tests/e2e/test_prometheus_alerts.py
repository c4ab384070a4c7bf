"""A real Prometheus (Debian package) against `loket up`: it scrapes every service, and when
the eBox simulator stops answering, the bridge's circuit opens and the eBox alert fires."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path

import psutil
import pytest
import yaml

from loket.devstack.runtime_file import runtime_bus_url
from loket.infra.embedded.ports import free_port
from tests.e2e.test_loket_up import start_up, stop_up, wait
from tests.support.bridge_harness import publish
from tests.support.letters import Population, letter_issued

PROMETHEUS = shutil.which("prometheus")
ALERTS = Path(__file__).parents[2] / "deploy" / "prometheus" / "alerts.yml"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PROMETHEUS is None, reason="prometheus not installed (Debian package `prometheus`; .ci/run installs it)"),
]


def get(url: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def prometheus_config(tmp: Path, ports: dict[str, int]) -> Path:
    # The shipped rules with their `for` shortened, so a test does not wait five minutes.
    rules = yaml.safe_load(ALERTS.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = "2s"
    (tmp / "alerts.yml").write_text(yaml.safe_dump(rules))
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(tmp / "alerts.yml")],
        "scrape_configs": [
            {"job_name": f"loket-{name}", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
            for name, port in ports.items()
        ],
    }
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def simulator_process(supervisor_pid: int) -> psutil.Process:
    for child in psutil.Process(supervisor_pid).children():
        if "ebox-sim" in child.cmdline():
            return child
    raise AssertionError("no eBox simulator process")


def test_prometheus_scrapes_every_service_and_the_ebox_alert_fires(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    up, runtime = start_up(
        tmp_path / "data",
        # Fail fast and open the breaker after two failures, so the alert comes in seconds.
        LOKET_EBOX_TIMEOUT_S="1", LOKET_EBOX_BREAKER_FAILURES="2", LOKET_RETRY_BASE_S="0.2",
        LOKET_RETRY_MAX_S="1",
    )
    port = free_port()
    prometheus = subprocess.Popen(
        [PROMETHEUS, f"--config.file={prometheus_config(tmp_path, runtime['ports'])}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=(tmp_path / "prometheus.log").open("ab"), stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api/v1"
    simulator = simulator_process(up.pid)
    try:
        def all_targets_up() -> bool:
            try:
                targets = get(f"{api}/targets")["data"]["activeTargets"]
            except OSError:
                return False
            return len(targets) == 4 and all(t["health"] == "up" for t in targets)

        wait(all_targets_up, 60, "Prometheus scraping all four services")
        jobs = {r["metric"]["job"] for r in get(f"{api}/query?query=loket_ready%20%3D%3D%201")["data"]["result"]}
        assert jobs == {"loket-booking", "loket-notify", "loket-ebox_bridge", "loket-reporting"}

        simulator.send_signal(signal.SIGSTOP)  # the eBox stops answering
        people = Population(start=50_000)
        asyncio.run(publish(runtime_bus_url(runtime), [letter_issued(people.take(i % 3 == 0)) for i in range(10)]))

        def firing() -> bool:
            alerts = get(f"{api}/alerts")["data"]["alerts"]
            return any(a["labels"]["alertname"] == "LoketEboxCircuitOpen" and a["state"] == "firing" for a in alerts)

        wait(firing, 60, "LoketEboxCircuitOpen to fire")
        others = {a["labels"]["alertname"] for a in get(f"{api}/alerts")["data"]["alerts"]}
        assert "LoketServiceDown" not in others
    finally:
        simulator.send_signal(signal.SIGCONT)
        prometheus.terminate()
        prometheus.wait(20)
        stop_up(up)
