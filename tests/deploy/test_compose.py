"""deploy/docker-compose.yml: valid against the Compose specification, every service present
with a health check and ordered behind Kafka's topics and PostgreSQL, topics matching the
contracts, and no secret written into the file. (No Docker engine here: the file is checked,
not started.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from loket.contracts import topics
from loket.devstack.catalog import SERVICE_NAMES

COMPOSE = Path(__file__).parents[2] / "deploy" / "docker-compose.yml"


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(COMPOSE.read_text())


def test_valid_against_the_compose_specification() -> None:
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_service_waits_for_its_dependencies_and_has_a_health_check() -> None:
    services = compose()["services"]
    for name in SERVICE_NAMES:
        service = services[name]
        assert service["command"] == ["serve", name]
        assert "/health/ready" in " ".join(service["healthcheck"]["test"])
        assert service["depends_on"]["kafka-init"] == {"condition": "service_completed_successfully"}
        assert service["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert service["environment"]["LOKET_BUS_URL"].startswith("kafka://")
    assert services["ebox_bridge"]["depends_on"]["ebox_sim"] == {"condition": "service_healthy"}
    assert {"kafka-1", "kafka-2", "kafka-3", "postgres", "prometheus", "grafana", "ebox_sim"} <= set(services)


def test_topics_created_up_front_are_the_contracts_topics_and_their_dlqs() -> None:
    script = " ".join(compose()["services"]["kafka-init"]["command"])
    created = set(re.findall(r"([a-z.]+\.v\d(?:\.dlq)?):\d+", script))
    expected = set(topics.ALL_TOPICS) | {topics.dlq_topic(t) for t in topics.ALL_TOPICS}
    assert created == expected
    env = compose()["services"]["kafka-1"]["environment"]
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false" and env["KAFKA_MIN_INSYNC_REPLICAS"] == 2


def test_no_secret_is_written_into_the_file() -> None:
    text = COMPOSE.read_text()
    for line in text.splitlines():
        if re.search(r"(PASSWORD|TOKEN|SECRET)\w*:", line) and not line.strip().startswith("#"):
            assert "${" in line, f"secret not taken from the environment: {line.strip()}"
