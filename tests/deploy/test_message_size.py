"""Every place that bounds a message's size says the same as the contracts' MAX_MESSAGE_BYTES:
a letter with its PDF inline must pass the producer, the broker and the topic alike."""

from __future__ import annotations

from pathlib import Path

from loket.contracts.topics import MAX_MESSAGE_BYTES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_deploy_files_allow_the_contracts_largest_message() -> None:
    compose = (DEPLOY / "docker-compose.yml").read_text()
    job = (DEPLOY / "k8s" / "base" / "topics-job.yaml").read_text()
    assert f"KAFKA_MESSAGE_MAX_BYTES: {MAX_MESSAGE_BYTES}" in compose
    assert f"KAFKA_REPLICA_FETCH_MAX_BYTES: {MAX_MESSAGE_BYTES}" in compose
    assert f"--config max.message.bytes={MAX_MESSAGE_BYTES}" in compose
    assert f"--config max.message.bytes={MAX_MESSAGE_BYTES}" in job
