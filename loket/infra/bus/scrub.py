"""Removing the events that name one citizen from the bus (GDPR erasure), once every service
has consumed them and erased its own data.

On NATS JetStream a message is deleted by its stream sequence (the server overwrites it).

Invariants:
- An event is removed only when every durable consumer whose filter takes its subject has
  consumed it: caught up (nothing pending, nothing waiting for an ack) or its ack floor past the
  event. Removing an event a service has not consumed yet would lose that service's effect (the
  erasure request itself among them). Such events are left, and the consumers holding them are
  named, so the scrub can run again once they caught up.
- Only what was in a stream when the scrub started is looked at: the consumer states are read
  after the stream's last sequence, so "caught up" covers every message looked at.
- Dead letters (`*.dlq`) have no consumer: they go at once.

Kafka cannot delete single records; there the events leave with the topics' retention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import nats
import nats.errors
from nats.js import api
from nats.js.errors import NotFoundError

from loket.contracts.topics import NATS_STREAMS, subject_matches

_BATCH = 500


@dataclass
class ScrubResult:
    scanned: int = 0
    removed: dict[str, int] = field(default_factory=dict)  # stream → messages removed
    waiting: dict[str, int] = field(default_factory=dict)  # stream → messages left for now
    held_by: set[str] = field(default_factory=set)  # "STREAM/consumer" not caught up with one of them

    @property
    def removed_total(self) -> int:
        return sum(self.removed.values())

    @property
    def waiting_total(self) -> int:
        return sum(self.waiting.values())


@dataclass(frozen=True)
class _Consumer:
    name: str
    filters: tuple[str, ...]  # () = every subject of the stream
    caught_up: bool
    ack_floor: int

    def holds(self, subject: str, seq: int) -> bool:
        """This consumer still has to consume the message `seq` on `subject`."""
        if self.filters and not any(subject_matches(f, subject) for f in self.filters):
            return False
        return not self.caught_up and self.ack_floor < seq

    @staticmethod
    def of(info: api.ConsumerInfo) -> _Consumer:
        config = info.config
        filters = tuple(config.filter_subjects or ([config.filter_subject] if config.filter_subject else []))
        caught_up = not (info.num_pending or 0) and not (info.num_ack_pending or 0)
        floor = info.ack_floor.stream_seq if info.ack_floor is not None else 0
        return _Consumer(str(config.durable_name or info.name), filters, caught_up, floor)


async def scrub_nats(servers: list[str], needles: Sequence[bytes]) -> ScrubResult:
    """Delete every message holding one of `needles` (in its body or headers) that no consumer
    still needs."""
    nc = await nats.connect(servers, connect_timeout=5, allow_reconnect=False)
    result = ScrubResult()
    try:
        js = nc.jetstream()
        for stream, subjects in NATS_STREAMS.items():
            try:
                last = (await js.stream_info(stream)).state.last_seq
            except NotFoundError:
                continue  # not declared on this server (nothing was ever published there)
            if not last:
                continue
            consumers = [_Consumer.of(info) for info in await _durable_consumers(js, stream)]
            for subject in subjects:
                await _scrub_subject(js, stream, subject, last, consumers, needles, result)
    finally:
        await nc.close()
    return result


async def _durable_consumers(js: Any, stream: str) -> list[api.ConsumerInfo]:
    found: list[api.ConsumerInfo] = []
    while True:
        page = await js.consumers_info(stream, offset=len(found))
        found += page
        if len(page) < 256:  # the server's page size
            return [c for c in found if c.config.durable_name]


async def _scrub_subject(js: Any, stream: str, subject: str, last: int, consumers: list[_Consumer],
                         needles: Sequence[bytes], result: ScrubResult) -> None:
    # An ephemeral reader: no acks, gone by itself 10 s after the last fetch.
    reader = await js.pull_subscribe(subject, stream=stream, config=api.ConsumerConfig(
        ack_policy=api.AckPolicy.NONE, deliver_policy=api.DeliverPolicy.ALL, inactive_threshold=10))
    try:
        while True:
            try:
                batch = await reader.fetch(_BATCH, timeout=1)
            except (TimeoutError, nats.errors.TimeoutError):
                return
            for msg in batch:
                seq = msg.metadata.sequence.stream
                if seq > last:
                    return
                result.scanned += 1
                headers = repr(msg.headers or {}).encode()
                if not any(needle in msg.data or needle in headers for needle in needles):
                    continue
                holding = [c.name for c in consumers if c.holds(msg.subject, seq)]
                if holding:
                    result.waiting[stream] = result.waiting.get(stream, 0) + 1
                    result.held_by.update(f"{stream}/{name}" for name in holding)
                    continue
                try:
                    await js.delete_msg(stream, seq)
                except NotFoundError:
                    continue  # deleted meanwhile (another scrub, or the stream's age limit)
                result.removed[stream] = result.removed.get(stream, 0) + 1
    finally:
        await reader.unsubscribe()
