"""Operator commands find the bus of the `loket up` in their data directory when it is not the
embedded NATS (a Kafka installation), without LOKET_BUS_URL in their shell."""

from __future__ import annotations

import json
from pathlib import Path

from loket.devstack.runtime_file import RUNTIME_FILE, recorded_external_bus_url, write_runtime_file

KAFKA = "kafka://127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094"


def test_a_kafka_installation_s_bus_is_found(tmp_path: Path) -> None:
    write_runtime_file(tmp_path, {"embedded": ["postgres"]}, "postgresql://o:p@127.0.0.1:5/loket", KAFKA)
    assert recorded_external_bus_url(tmp_path) == KAFKA


def test_the_embedded_nats_is_left_to_the_command_that_starts_it(tmp_path: Path) -> None:
    write_runtime_file(tmp_path, {"embedded": ["postgres", "nats"]}, "postgresql://o:p@127.0.0.1:5/loket",
                       "nats://operator:x@127.0.0.1:4222")
    assert recorded_external_bus_url(tmp_path) is None


def test_no_runtime_file_or_one_from_an_older_release_means_the_embedded_nats(tmp_path: Path) -> None:
    assert recorded_external_bus_url(tmp_path) is None
    write_runtime_file(tmp_path, {}, "postgresql://o:p@127.0.0.1:5/loket", KAFKA)
    runtime = json.loads((tmp_path / RUNTIME_FILE).read_text())
    assert "embedded" not in runtime  # as written before the key existed
    assert recorded_external_bus_url(tmp_path) is None
