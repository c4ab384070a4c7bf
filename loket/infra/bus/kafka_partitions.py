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
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await partitions_known_to(admin, topics)
    finally:
        await admin.close()


async def partitions_known_to(admin: AIOKafkaAdminClient, topics: Iterable[str]) -> dict[str, list[int]]:
    """`partitions_of` through an admin client the caller already has open."""
    existing = set(await admin.list_topics())
    # Only topics that exist; and none asked, none described (to the Metadata API's version 0 an
    # empty list means every topic).
    wanted = [t for t in dict.fromkeys(topics) if t in existing]
    described = await admin.describe_topics(wanted) if wanted else []
    return {d["topic"]: sorted(p["partition"] for p in d["partitions"]) for d in described
            if not d.get("error_code")}
