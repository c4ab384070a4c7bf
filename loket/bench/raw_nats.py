"""Baseline: what plain nats-py gets from the same JetStream server, without FastStream or outbox.

Publishes N bodies of the benchmark's size with `Nats-Msg-Id` (so the server does the same
de-duplication work as for the relay), pipelined with `js.publish_async` and its bounded
window of pending acks; then a durable pull consumer fetches batches and acks each message.
The stream is a throw-away one with the production stream settings, deleted afterwards.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import nats
from nats.js import api

from loket.bench.cpu_usage import CpuMeter, CpuUsage
from loket.bench.sample_events import LetterFailedFactory
from loket.infra.bus import headers as h
from loket.infra.bus import nats_wiring
from loket.infra.bus.address import parse_bus_url

OnProgress = Callable[[str, int], None]
STAGES = ("published", "consumed")
PUBLISH_WINDOW = 4000  # nats-py's default cap on pending async publishes
FETCH_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class RawBusResult:
    """A plain client's publish and consume of N messages on one broker (`nats` or `kafka`)."""

    broker: str
    messages: int
    body_bytes: int
    publish_s: float
    consume_s: float
    publish_per_s: float
    consume_per_s: float
    # One message published and consumed, done back to back: N ÷ (publish_s + consume_s).
    combined_per_s: float
    cpu_publish: dict[str, float | int | None]
    cpu_consume: dict[str, float | int | None]
    # time.monotonic() from the first publish to the last commit, and the machine's speed meanwhile
    # (host_speed.py; filled in by the benchmark once it has every probe).
    window: tuple[float, float] = (0.0, 0.0)
    host_speed: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def measured(cls, broker: str, messages: int, body_bytes: int, cpu_publish: CpuUsage,
                 cpu_consume: CpuUsage, window: tuple[float, float] = (0.0, 0.0)) -> RawBusResult:
        """The rates of N messages published in `cpu_publish.wall_s` and consumed in `cpu_consume.wall_s`."""
        publish_s, consume_s = cpu_publish.wall_s, cpu_consume.wall_s
        return cls(
            broker=broker, messages=messages, body_bytes=body_bytes, publish_s=publish_s, consume_s=consume_s,
            publish_per_s=messages / publish_s, consume_per_s=messages / consume_s,
            combined_per_s=messages / (publish_s + consume_s),
            cpu_publish=cpu_publish.as_dict(), cpu_consume=cpu_consume.as_dict(), window=window,
        )


async def run_raw_nats(
    bus_url: str, messages: int, fetch_batch: int, on_progress: OnProgress | None = None
) -> RawBusResult:
    run = uuid.uuid4().hex[:12]
    stream, subject, durable = f"BENCH_RAW_{run}", f"bench.raw.{run}", f"bench_raw_{run}"
    factory = LetterFailedFactory(f"bench-raw-{run}")
    # Built before the clock starts: this measures the client and the server, not pydantic.
    bodies = [(str(e.event_id), e.to_bytes()) for e in (factory.build(uuid.uuid4()) for _ in range(messages))]
    report = on_progress or (lambda stage, done: None)
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        js = nc.jetstream(publish_async_max_pending=PUBLISH_WINDOW)
        await js.add_stream(nats_wiring.stream_config(stream, [subject]))
        try:
            began, meter = time.monotonic(), CpuMeter().start()
            futures = []
            for i, (message_id, body) in enumerate(bodies, 1):
                futures.append(await js.publish_async(subject, body, headers={h.NATS_MESSAGE_ID: message_id}))
                if i % 1000 == 0:
                    report("published", i - js.publish_async_pending())
            await js.publish_async_completed()
            cpu_publish = meter.stop()
            failed = [f.exception() for f in futures if f.exception() is not None]
            if failed:
                raise RuntimeError(f"{len(failed)} publishes failed, first: {failed[0]!r}")
            report("published", messages)

            sub = await js.pull_subscribe(
                subject, durable=durable, stream=stream,
                config=api.ConsumerConfig(ack_wait=nats_wiring.ACK_WAIT_S, max_ack_pending=max(1000, fetch_batch * 4)),
            )
            meter, consumed = CpuMeter().start(), 0
            while consumed < messages:
                try:
                    batch = await sub.fetch(min(fetch_batch, messages - consumed), timeout=FETCH_TIMEOUT_S)
                except TimeoutError as exc:
                    raise TimeoutError(f"raw consumer stalled after {consumed} messages") from exc
                for msg in batch:
                    await msg.ack()
                consumed += len(batch)
                report("consumed", consumed)
            await nc.flush()  # the acks are on the wire, not just in the client's buffer
            cpu_consume, ended = meter.stop(), time.monotonic()
        finally:
            await js.delete_stream(stream)
    finally:
        await nc.close()

    return RawBusResult.measured("nats", messages, len(bodies[0][1]) if bodies else 0, cpu_publish, cpu_consume,
                                 (began, ended))
