"""Read back what is in a JetStream subject, in stream order, with plain nats-py."""

from __future__ import annotations

import nats
import nats.errors
from nats.js import api

from loket.contracts import topics


async def read_subject(bus_url: str, subject: str) -> list[tuple[bytes, dict[str, str]]]:
    nc = await nats.connect(bus_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            subject, stream=topics.stream_for(subject),
            config=api.ConsumerConfig(ack_policy=api.AckPolicy.NONE, deliver_policy=api.DeliverPolicy.ALL,
                                      inactive_threshold=10),
        )
        out: list[tuple[bytes, dict[str, str]]] = []
        while True:
            try:
                msgs = await sub.fetch(500, timeout=0.5)
            except (TimeoutError, nats.errors.TimeoutError):
                return out
            out += [(m.data, dict(m.headers or {})) for m in msgs]
    finally:
        await nc.close()


async def purge_stream_of(bus_url: str, subject: str) -> None:
    nc = await nats.connect(bus_url)
    try:
        await nc.jetstream().purge_stream(topics.stream_for(subject))
    finally:
        await nc.close()
