"""Kafka's default key → partition mapping, computed for a whole relay batch at once.

The partition of a keyed record is `murmur2(key) & 0x7fffffff % partitions` (the Java client's
`Utils.toPositive(Utils.murmur2(key)) % numPartitions`, which aiokafka's `DefaultPartitioner`
copies), so every producer, in any language, puts a key on the same partition and its order
holds. aiokafka computes it in pure Python per `send`, reading the topic's partitions from its
metadata twice per record: half of the relay's CPU per row. Here the words of a key are
unpacked in one call and each topic's partition count is asked once per batch; the result is
the same partition number, which the relay then hands to `send`.
"""

from __future__ import annotations

import struct

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


def partition_for(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner gives a keyed record on a topic of `partitions`."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions
