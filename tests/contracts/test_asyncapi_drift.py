"""The committed AsyncAPI document (docs/asyncapi.json) is what `loket asyncapi` generates."""

from __future__ import annotations

import json
from pathlib import Path

from loket.cli.asyncapi_cmd import kafka_document, render
from loket.contracts import topics

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_committed_asyncapi_document_has_not_drifted() -> None:
    assert DOC.read_text() == render(), (
        "docs/asyncapi.json is out of date: review the contract change, then run `loket asyncapi`"
    )


def test_document_is_asyncapi_3_on_kafka_with_every_published_topic() -> None:
    document = kafka_document()
    assert document["asyncapi"] == "3.0.0"
    assert {s["protocol"] for s in document["servers"].values()} == {"kafka"}
    addresses = {c["address"] for c in document["channels"].values()}
    # Everything a service or the back-office publishes is documented.
    expected = {topics.LETTERS_ISSUED, topics.LETTERS_STATUS, topics.VISITS, topics.APPOINTMENTS,
                topics.DEVICES, topics.CITIZENS, topics.NOTIFICATIONS}
    assert expected <= addresses


def test_letter_issued_channel_carries_the_contract_schema() -> None:
    document = kafka_document()
    channel = next(c for c in document["channels"].values() if c["address"] == topics.LETTERS_ISSUED)
    message_ref = next(iter(channel["messages"].values()))["$ref"].rsplit("/", 1)[-1]
    payload = document["components"]["messages"][message_ref]["payload"]
    assert payload == {"oneOf": [{"$ref": "#/components/schemas/LetterIssued"}]}
    schema = document["components"]["schemas"]["LetterIssued"]
    assert "event_id" in schema["required"]
    assert json.dumps(schema)  # serialisable as published


def test_every_message_finds_its_correlation_id_in_the_envelope_not_in_a_header() -> None:
    # The relay's records carry no correlation_id header; the envelope's field is where it is.
    messages = kafka_document()["components"]["messages"]
    assert messages
    locations = {name: m["correlationId"]["location"] for name, m in messages.items()}
    assert set(locations.values()) == {"$message.payload#/correlation_id"}, locations
