"""The relay picks each record's partition itself; it must be the partition Kafka's default
partitioner (Java's, and aiokafka's copy) gives the same key, or a key's events would split
across partitions and lose their order against other producers."""

from __future__ import annotations

import random
import uuid

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2

from loket.infra.bus.kafka_partitioner import murmur2, murmur2_many, partition_for


@pytest.mark.parametrize(("key", "java"), [
    # Java: org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(UTF_8)), signed int
    (b"21", -973932308),
    (b"foobar", -790332482),
    (b"a-little-bit-long-string", -985981536),
    (b"a-little-bit-longer-string", -1486304829),
    (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
    (bytes([ord("a"), ord("b"), ord("c")]), 479470107),
])
def test_murmur2_matches_the_java_client(key: bytes, java: int) -> None:
    assert murmur2(key) == java & 0xFFFFFFFF


def test_every_length_and_byte_hashes_as_aiokafka_does() -> None:
    draw = random.Random(19)
    keys = [bytes(draw.randrange(256) for _ in range(length)) for length in range(0, 70) for _ in range(20)]
    keys += [str(uuid.UUID(int=draw.getrandbits(128))).encode() for _ in range(500)]
    assert [murmur2(k) for k in keys] == [aiokafka_murmur2(k) for k in keys]


@pytest.mark.parametrize("partitions", [1, 3, 6, 12, 48])
def test_the_partition_is_the_default_partitioners(partitions: int) -> None:
    every = list(range(partitions))
    keys = [f"citizen-{n}".encode() for n in range(2000)]
    assert [partition_for(k, partitions) for k in keys] == [DefaultPartitioner()(k, every, every) for k in keys]
    assert len({partition_for(k, partitions) for k in keys}) == partitions  # and it spreads


def test_a_batch_hashes_as_one_key_at_a_time_does() -> None:
    # Keys of every length mixed, so lanes of different lengths and tails are hashed apart.
    draw = random.Random(23)
    keys = [bytes(draw.randrange(256) for _ in range(length)) for length in range(0, 70) for _ in range(7)]
    keys += [str(uuid.UUID(int=draw.getrandbits(128))).encode() for _ in range(500)]
    draw.shuffle(keys)
    assert murmur2_many(keys) == [aiokafka_murmur2(k) for k in keys]
    assert murmur2_many([]) == []
