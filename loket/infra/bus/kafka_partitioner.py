"""Kafka's default key → partition mapping, computed for a whole relay batch at once.

The partition of a keyed record is `murmur2(key) & 0x7fffffff % partitions` (the Java client's
`Utils.toPositive(Utils.murmur2(key)) % numPartitions`, which aiokafka's `DefaultPartitioner`
copies), so every producer, in any language, puts a key on the same partition and its order
holds. aiokafka computes it in pure Python per `send`, reading the topic's partitions from its
metadata twice per record: half of the relay's CPU per row. Here each topic's partition count
is asked once per batch, and a batch's keys are hashed together (`murmur2_many`); the result is
the same partition number, which the relay then hands to `send`.
"""

from __future__ import annotations

import struct
from collections import defaultdict
from collections.abc import Sequence

_SEED = 0x9747B28C
_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    """MurmurHash2 as Kafka's Java client computes it (seed 0x9747b28c), as an unsigned 32-bit int."""
    length = len(data)
    h = _SEED ^ length
    words = length // 4
    for k in struct.unpack_from(f"<{words}I", data):
        k = (k * _M) & _MASK
        k ^= k >> 24
        k = (k * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    tail = data[words * 4:]
    if len(tail) >= 3:
        h ^= tail[2] << 16
    if len(tail) >= 2:
        h ^= tail[1] << 8
    if tail:
        h = ((h ^ tail[0]) * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    return h ^ (h >> 15)


def murmur2_many(keys: Sequence[bytes]) -> list[int]:
    """`murmur2` of every key, a relay batch at a time: a few big-integer operations per 4-byte
    word instead of a dozen Python operations per word and key (3.0 µs a key here, 0.6 µs this way).

    Keys of one length are hashed side by side, each in its own 64-bit lane of one Python int:
    a lane holds a 32-bit value and its product with the 31-bit constant without carrying into
    the next lane, a right shift's spill from the next lane lands above bit 32 and the mask
    clears it, so each lane goes through exactly the steps `murmur2` takes for its key."""
    hashes = [0] * len(keys)
    by_length: dict[int, list[int]] = defaultdict(list)
    for position, key in enumerate(keys):
        by_length[len(key)].append(position)
    for length, positions in by_length.items():
        for position, value in zip(positions, _murmur2_side_by_side([keys[p] for p in positions], length),
                                   strict=True):
            hashes[position] = value
    return hashes


def _murmur2_side_by_side(keys: list[bytes], length: int) -> tuple[int, ...]:
    count = len(keys)
    lanes = struct.Struct(f"<{count}Q")
    ones = int.from_bytes(lanes.pack(*([1] * count)), "little")  # 1 in every lane
    mask = _MASK * ones

    def packed(values: Sequence[int]) -> int:  # one value per lane
        return int.from_bytes(lanes.pack(*values), "little")

    data = b"".join(keys)
    words, tail = divmod(length, 4)
    h = (_SEED ^ length) * ones
    if words:  # column w: the w-th word of every key
        for column in zip(*struct.iter_unpack(f"<{words}I{tail}x" if tail else f"<{words}I", data), strict=True):
            k = (packed(column) * _M) & mask
            k ^= (k >> 24) & mask
            k = (k * _M) & mask
            h = ((h * _M) & mask) ^ k
    if tail >= 3:
        h ^= packed(data[words * 4 + 2::length]) << 16
    if tail >= 2:
        h ^= packed(data[words * 4 + 1::length]) << 8
    if tail:
        h = ((h ^ packed(data[words * 4::length])) * _M) & mask
    h ^= (h >> 13) & mask
    h = (h * _M) & mask
    h ^= (h >> 15) & mask
    return lanes.unpack(h.to_bytes(8 * count, "little"))


def partition_for(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner gives a keyed record on a topic of `partitions`."""
    return partition_of(murmur2(key), partitions)


def partition_of(hash_: int, partitions: int) -> int:
    """The partition of a key whose `murmur2` is `hash_`."""
    return (hash_ & 0x7FFFFFFF) % partitions
