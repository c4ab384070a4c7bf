"""Which partitions a Kafka topic has, asked of the cluster through the public admin API.

Not `AIOKafkaConsumer.partitions_for_topic()`: a consumer without a subscription knows only the
topics it was last assigned, and `consumer.topics()` loads the metadata into a copy that method
never reads, so on a real cluster every topic looked empty (a rebuild replayed nothing and the
DLQ listing showed no dead letters).
"""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient


async def partitions_of(bootstrap: list[str], topics: Iterable[str]) -> dict[str, list[int]]:
    """topic → its partition numbers, sorted; a topic that does not exist is left out."""
    wanted = list(topics)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        described = await admin.describe_topics([t for t in wanted if t in existing]) if existing else []
    finally:
        await admin.close()
    return {d["topic"]: sorted(p["partition"] for p in d["partitions"]) for d in described
            if not d.get("error_code")}
