"""The AsyncAPI 3 document: FastStream's channels and operations, with the contract schemas.

FastStream derives channels, operations and bindings from the declared subscribers and
publishers; our subscribers take raw batches (they decode through the contracts registry), so
the message payloads are filled in here from the contracts package: each channel's messages
are the event types its topic carries.
"""

from __future__ import annotations

from typing import Any, Literal

from faststream.specification import AsyncAPI
from pydantic.json_schema import models_json_schema

from loket.contracts.registry import EVENT_TYPES, TOPIC_EVENTS

_REF = "#/components/schemas/{model}"
# Where a message's correlation id is: the envelope's own field (contracts/envelope.py). FastStream
# names a `correlation_id` header, which Loket's records do not carry (the relay writes the event
# type and message id only: kafka_wiring.py); a dead letter keeps the original bytes, field and all.
_CORRELATION_ID = {
    "location": "$message.payload#/correlation_id",
    "description": "event_id of the first event of the causal chain; null on the chain's first event.",
}


def _event_schemas() -> dict[str, Any]:
    models: list[tuple[type[Any], Literal["validation"]]] = [
        (cls, "validation") for cls in EVENT_TYPES.values()
    ]
    _, top = models_json_schema(models, ref_template=_REF)
    return dict(sorted(top.get("$defs", {}).items()))


def asyncapi_document(*brokers: Any, title: str, version: str, description: str) -> dict[str, Any]:
    spec: dict[str, Any] = (
        AsyncAPI(*brokers, title=title, version=version, description=description, schema_version="3.0.0")
        .to_specification()
        .to_jsonable()
    )
    components = spec.setdefault("components", {})
    messages: dict[str, Any] = components.setdefault("messages", {})
    for channel in spec.get("channels", {}).values():
        events = TOPIC_EVENTS.get(channel["address"].removesuffix(".dlq"), ())
        for ref in channel.get("messages", {}).values():
            name = ref["$ref"].rsplit("/", 1)[-1]
            message = messages[name]
            message["payload"] = {"oneOf": [{"$ref": _REF.format(model=e.__name__)} for e in events]}
            message["contentType"] = "application/json"
            message["correlationId"] = dict(_CORRELATION_ID)
            if channel["address"].endswith(".dlq"):
                message["description"] = "Original bytes, unchanged; the reason is in the x-loket-dlq-* headers."
    schemas = {k: v for k, v in components.get("schemas", {}).items() if k != "EmptyPayload"}
    schemas.update(_event_schemas())
    components["schemas"] = dict(sorted(schemas.items()))
    return spec
