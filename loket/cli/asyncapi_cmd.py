"""`loket asyncapi`: write the AsyncAPI 3 document of the Kafka wiring for integrators."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.devstack.catalog import SERVICE_NAMES, service_module
from loket.infra.bus.asyncapi import asyncapi_document
from loket.infra.bus.bus import Bus
from loket.infra.db.outbox import Outbox
from loket.infra.metrics import PlatformMetrics
from loket.infra.runtime import Runtime
from loket.infra.service_app import attach_consumers
from loket.infra.settings import ServiceSettings

DEFAULT_OUTPUT = Path("docs/asyncapi.json")
DOC_BUS_URL = "kafka://kafka:9092"


def kafka_document() -> dict:
    """All four services wired on Kafka (nothing connects): their channels and operations."""
    brokers = []
    for name in SERVICE_NAMES:
        spec = service_module(name).service_spec()
        registry = CollectorRegistry()
        metrics = PlatformMetrics(registry)
        bus = Bus(DOC_BUS_URL, name, registry, metrics)
        for topic in spec.publishes:
            bus.declare_publisher(topic)
        settings = ServiceSettings(bus_url=DOC_BUS_URL, database_url="postgresql://unused")
        attach_consumers(spec, Runtime(name, settings, registry, metrics, bus, Outbox(name)))
        brokers.append(bus.broker)
    # Municipal back-office systems are producers outside Loket: document what they publish.
    backoffice = Bus(DOC_BUS_URL, "backoffice", CollectorRegistry(), PlatformMetrics(CollectorRegistry()))
    backoffice.declare_publisher(topics.LETTERS_ISSUED)
    brokers.append(backoffice.broker)
    return asyncapi_document(
        *brokers,
        title="Loket events",
        version="1.0.0",
        description=(
            "Events exchanged by the Loket services on Kafka. Back-office systems publish "
            "LetterIssued on letters.issued.v1 (key: letter_id); every topic has a .dlq twin."
        ),
    )


def render() -> str:
    return json.dumps(kafka_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def asyncapi(output: Path = typer.Option(DEFAULT_OUTPUT, help="where to write the document")) -> None:
    """Write the AsyncAPI 3 document (Kafka wiring) to docs/asyncapi.json."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render())
    typer.echo(f"wrote {output}")
