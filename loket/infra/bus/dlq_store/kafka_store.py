"""Dead letters on Kafka: `<topic>.dlq` topics, read from the beginning without a consumer group.

Kafka cannot delete one record, where JetStream deletes a replayed dead letter and keeps a
redelivered one once (`Nats-Msg-Id`). So that `list`, `count_by_topic` and the desk's refused
letters show the same here:
- a replay writes a *marker* after it into the same `.dlq` topic (no body, `x-loket-dlq-replayed`
  naming the dead letter's message id), and a dead letter with a marker is no longer listed or
  counted, nor replayed again;
- a bad message redelivered before its offset was committed is dead-lettered again under the
  same message id (dead_letters.dead_letter_id); only its first copy is listed and counted.
Both need the whole topic read, which a `.dlq` topic's retention keeps short. It is read twice,
neither time keeping what it does not need: once for an index (each record's id and message id,
no body: a DLQ of letters with their PDFs inline would not fit in a service's memory), then up to
the last dead letter asked for, keeping only their bodies. A crash between a replay and its marker
leaves the dead letter listed; replaying it again is harmless: the event keeps its event_id, and
every consumer skips an event_id its inbox has already seen.
"""

from __future__ import annotations

import asyncio
import builtins  # `list` below is a method name; annotations after it need the builtin
import contextlib
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from loket.contracts import topics
from loket.contracts.topics import dlq_topic
from loket.infra.bus import headers as h
from loket.infra.bus.dlq_store.model import (
    BusUnavailable,
    DeadLetter,
    DeadLetterNotFound,
    MalformedDeadLetterId,
    dead_letter_from,
    is_dead_letter_subject,
    topics_to_read,
)
from loket.infra.bus.kafka_partitions import partitions_of

# Reading a DLQ to its end should take well under this; past it the cluster is unhealthy.
READ_TIMEOUT_S = 30.0
POLL_MS = 500
READ_BATCH = 1000


def parse_kafka_id(id: str) -> tuple[str, int, int]:
    """`citizens.v1.dlq:0:17` -> ("citizens.v1.dlq", 0, 17)."""
    parts = id.rsplit(":", 2)  # topic names have dots, never colons
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        raise MalformedDeadLetterId(
            f"{id!r} is not a Kafka dead-letter id: expected <topic>.dlq:<partition>:<offset>"
        )
    if not is_dead_letter_subject(parts[0]):
        raise MalformedDeadLetterId(f"{id!r}: {parts[0]!r} is not a dead-letter topic")
    return parts[0], int(parts[1]), int(parts[2])


def decode_kafka_headers(headers: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    """Kafka headers are (str, bytes) pairs; ours are all UTF-8 text (see dead_letters.py)."""
    return {key: (value or b"").decode("utf-8", "replace") for key, value in (headers or ())}


def encode_kafka_headers(headers: dict[str, str]) -> list[tuple[str, bytes]]:
    return [(key, value.encode("utf-8")) for key, value in headers.items()]


class KafkaDeadLetterStore:
    def __init__(self, servers: tuple[str, ...]) -> None:
        self.servers = list(servers)
        self._consumer: Any = None
        self._producer: Any = None
        self._topic_partitions: dict[str, builtins.list[int]] = {}
        self._indexes: dict[str, DlqIndex] = {}

    async def __aenter__(self) -> KafkaDeadLetterStore:
        # group_id=None: partitions are assigned by hand and no offset is ever committed, so
        # reading a DLQ leaves no trace and moves no other reader's position.
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.servers, group_id=None, enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.servers, acks="all", enable_idempotence=True,
            max_request_size=topics.MAX_MESSAGE_BYTES,  # a dead letter with its PDF inline replays too
        )
        try:
            await self._consumer.start()
            await self._producer.start()
        except KafkaError as exc:
            await self.__aexit__(None, None, None)
            raise BusUnavailable(f"cannot reach Kafka at {', '.join(self.servers)}: {exc}") from exc
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for client in (self._producer, self._consumer):
            if client is not None:
                await client.stop()

    async def list(self, topic: str | None = None, limit: int = 100) -> list[DeadLetter]:
        """Oldest first: the dead letters not replayed yet, each bad message once."""
        found: list[DeadLetter] = []
        await self._load_metadata()
        for original in topics_to_read(topic):
            if len(found) >= limit:
                break
            wanted = (await self._index(dlq_topic(original))).waiting()[:limit - len(found)]
            found.extend(await self._read_letters(dlq_topic(original), wanted))
        return found

    async def get(self, id: str) -> DeadLetter:
        topic, partition, offset = parse_kafka_id(id)
        await self._load_metadata()
        if partition not in self._topic_partitions.get(topic, ()):
            raise DeadLetterNotFound(f"no dead letter {id}: {topic} has no partition {partition}")
        tp = TopicPartition(topic, partition)
        begin, end = await self._bounds([tp])  # before assigning (see _assigned)
        if not begin[tp] <= offset < end[tp]:
            raise DeadLetterNotFound(f"no dead letter {id} (expired by retention, or never existed)")
        with self._assigned([tp]):
            self._consumer.seek(tp, offset)
            deadline = asyncio.get_running_loop().time() + READ_TIMEOUT_S
            while asyncio.get_running_loop().time() < deadline:
                batch = await self._consumer.getmany(tp, timeout_ms=POLL_MS, max_records=1)
                for record in batch.get(tp, []):
                    if record.offset != offset:  # compacted away, or a transaction marker
                        raise DeadLetterNotFound(f"no dead letter {id} (offset {offset} is gone)")
                    letter = self._to_dead_letter(record)
                    if h.REPLAYED in letter.headers:
                        raise DeadLetterNotFound(f"{id} is the note that {letter.headers.get(h.REPLAYED_FROM)} "
                                                 "was replayed, not a dead letter")
                    return letter
            raise BusUnavailable(f"timed out reading {id} from Kafka")

    async def replay(self, id: str) -> DeadLetter:
        """Publish the body back with its key, then the marker that it was replayed (the dead
        letter itself stays: Kafka cannot delete it). A replayed one raises DeadLetterNotFound,
        as on JetStream, where the replay deleted it."""
        letter = await self.get(id)
        letter.require_body()  # never on Kafka today (records are not rewritten), kept for symmetry
        index = await self._index(letter.topic)
        if message_id(letter) in index.replayed:
            raise DeadLetterNotFound(f"no dead letter {id} waiting: it was replayed already")
        key = letter.key()
        await self._producer.send_and_wait(
            letter.original_topic, letter.body, key=key.encode() if key else None,
            headers=encode_kafka_headers(letter.replay_headers(h.KAFKA_MESSAGE_ID)),
        )
        await self._producer.send_and_wait(
            letter.topic, b"", key=key.encode() if key else None,
            headers=encode_kafka_headers({h.REPLAYED: message_id(letter), h.REPLAYED_FROM: letter.id,
                                          h.DLQ_AT: datetime.now(UTC).isoformat()}),
        )
        index.replayed.add(message_id(letter))
        return letter

    async def count_by_topic(self) -> dict[str, int]:
        """Dead letters not replayed yet, each bad message once, per original topic."""
        await self._load_metadata()
        return {original: len((await self._index(dlq_topic(original))).waiting()) for original in topics_to_read(None)}

    async def _load_metadata(self) -> None:
        """Remember the partitions of every dead-letter topic (see `kafka_partitions`)."""
        self._topic_partitions = await partitions_of(self.servers, [dlq_topic(t) for t in topics_to_read(None)])

    def _partitions(self, topic: str) -> builtins.list[TopicPartition]:
        """The topic's partitions; none for a topic that does not exist (yet)."""
        return [TopicPartition(topic, p) for p in self._topic_partitions.get(topic, ())]

    async def _bounds(self, tps: builtins.list[TopicPartition]) -> tuple[dict[Any, int], dict[Any, int]]:
        return await self._consumer.beginning_offsets(tps), await self._consumer.end_offsets(tps)

    async def _index(self, topic: str) -> DlqIndex:
        """The topic's index, read once per store (a command, a desk request), its own replays added."""
        if topic not in self._indexes:
            index = DlqIndex()
            async with contextlib.aclosing(self._records(topic)) as records:
                async for record in records:
                    index.add(_record_id(record), decode_kafka_headers(record.headers))
            self._indexes[topic] = index
        return self._indexes[topic]

    async def _read_letters(self, topic: str, ids: builtins.list[str]) -> builtins.list[DeadLetter]:
        """The dead letters `ids` names, in that order, read up to the last of them."""
        wanted, found = set(ids), {}
        if wanted:
            async with contextlib.aclosing(self._records(topic)) as records:
                async for record in records:
                    if _record_id(record) in wanted:
                        found[_record_id(record)] = self._to_dead_letter(record)
                        if len(found) == len(wanted):
                            break
        return [found[i] for i in ids if i in found]

    async def _records(self, topic: str) -> AsyncIterator[Any]:
        """Every record from the first offset to the end offsets taken now (later arrivals wait),
        markers included, in offset order per partition; nothing assigned once closed."""
        tps = self._partitions(topic)
        if not tps:
            return  # the DLQ topic does not exist (yet): nothing was ever dead-lettered
        begin, end = await self._bounds(tps)  # before assigning (see _assigned)
        pending = [tp for tp in tps if end[tp] > begin[tp]]
        if not pending:
            return
        with self._assigned(pending):
            for tp in pending:
                self._consumer.seek(tp, begin[tp])
            deadline = asyncio.get_running_loop().time() + READ_TIMEOUT_S
            while pending:
                if asyncio.get_running_loop().time() > deadline:
                    raise BusUnavailable(f"timed out reading {topic} from Kafka")
                batch = await self._consumer.getmany(*pending, timeout_ms=POLL_MS, max_records=READ_BATCH)
                for tp, records in batch.items():
                    for record in records:
                        if record.offset < end[tp]:
                            yield record
                # position, not the last offset seen: transaction markers occupy offsets too.
                pending = [tp for tp in pending if await self._consumer.position(tp) < end[tp]]

    @contextlib.contextmanager
    def _assigned(self, tps: builtins.list[TopicPartition]) -> Iterator[None]:
        """Partitions assigned only while they are read, nothing assigned after (also after a
        failure): an assigned partition keeps a fetch waiting on the broker (up to
        fetch_max_wait_ms), and a broker answers one connection's requests in order, so every
        offset lookup behind it waited that long (`dlq list` took 10 s for six dead letters)."""
        self._consumer.assign(tps)
        try:
            yield
        finally:
            self._consumer.unsubscribe()

    @staticmethod
    def _to_dead_letter(record: Any) -> DeadLetter:
        return dead_letter_from(_record_id(record), record.topic, record.value or b"",
                                decode_kafka_headers(record.headers))


def _record_id(record: Any) -> str:
    return f"{record.topic}:{record.partition}:{record.offset}"


def message_id(letter: DeadLetter) -> str:
    """Which bad message a dead letter is: the same for its copies (a redelivered message is
    dead-lettered again under the same message id); its record id when it has none."""
    return _message_id(letter.id, letter.headers)


def _message_id(record_id: str, headers: dict[str, str]) -> str:
    return headers.get(h.KAFKA_MESSAGE_ID) or record_id


@dataclass
class DlqIndex:
    """What a `.dlq` topic holds, without the bodies: each bad message's first copy, and which
    were replayed."""

    first: dict[str, str] = field(default_factory=dict)  # message id -> record id of its first copy, as read
    replayed: set[str] = field(default_factory=set)  # message ids a marker says were replayed

    def add(self, record_id: str, headers: dict[str, str]) -> None:
        if h.REPLAYED in headers:
            self.replayed.add(headers[h.REPLAYED])
        else:
            self.first.setdefault(_message_id(record_id, headers), record_id)

    def waiting(self) -> builtins.list[str]:
        """The record ids an operator still has to look at: not replayed, each bad message once."""
        return [record_id for mid, record_id in self.first.items() if mid not in self.replayed]
