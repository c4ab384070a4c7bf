"""Every message header Loket writes or reads on either bus, named once.

Writers (the bus, the relay, the dead-lettering, the DLQ stores' replays and markers) and readers
(the consumer, the DLQ stores, the benchmarks' publishers) import these names, so a header cannot
be spelt one way where it is written and another where it is read. All values are UTF-8 text.

On every message:
  x-loket-event-type   the event's type (the relay sets it from the outbox row)
  x-loket-key          the partition key, so a dead letter keeps it on either bus. On JetStream,
                       which has no keys, a header on every message; on Kafka the relay's records
                       carry it only as their own key (a header would be ~60 more bytes a record to
                       write, replicate and read), and the consumer copies the record's key into a
                       dead letter's original headers. Dead letters carry it as a header on both.

Message ids, the bus's own de-duplication on NATS, a plain header on Kafka (where the consumers'
inbox de-duplicates by event id):
  Nats-Msg-Id            JetStream drops a second copy within its de-duplication window
  Nats-Expected-Stream   JetStream bookkeeping, never copied onto a dead letter
  x-loket-message-id     the same id on Kafka

On a dead letter (`<topic>.dlq`, dead_letters.py):
  x-loket-dlq-reason     what was wrong, readable, national numbers masked (≤ 1000 chars)
  x-loket-dlq-kind       contract | permanent | exhausted
  x-loket-dlq-topic      the topic the message came from
  x-loket-dlq-consumer   the consumer group that gave up on it
  x-loket-dlq-attempts   how many times the handler was tried (0 for contract violations)
  x-loket-dlq-at         when (UTC, ISO 8601)
  x-loket-dlq-source     broker position of the original (stream:seq or topic:partition:offset)
  x-loket-original-headers  the original headers as JSON
  x-loket-body-removed-at   when the retention job removed its body (body_retention.py)
  x-loket-dlq-trimmed-from  on NATS, the copy a body-less replacement stands for

On a replay and its bookkeeping:
  x-loket-replayed-from  on the replayed message: the dead letter it came from
  x-loket-dlq-replayed   on a Kafka replay marker (no body): the message id of the dead letter replayed
"""

from __future__ import annotations

EVENT_TYPE = "x-loket-event-type"
KEY = "x-loket-key"

NATS_MESSAGE_ID = "Nats-Msg-Id"
NATS_EXPECTED_STREAM = "Nats-Expected-Stream"
KAFKA_MESSAGE_ID = "x-loket-message-id"

DLQ_REASON = "x-loket-dlq-reason"
DLQ_KIND = "x-loket-dlq-kind"
DLQ_TOPIC = "x-loket-dlq-topic"
DLQ_CONSUMER = "x-loket-dlq-consumer"
DLQ_ATTEMPTS = "x-loket-dlq-attempts"
DLQ_AT = "x-loket-dlq-at"
DLQ_SOURCE = "x-loket-dlq-source"
ORIGINAL_HEADERS = "x-loket-original-headers"
BODY_REMOVED_AT = "x-loket-body-removed-at"
TRIMMED_FROM = "x-loket-dlq-trimmed-from"

REPLAYED_FROM = "x-loket-replayed-from"
REPLAYED = "x-loket-dlq-replayed"

# Broker bookkeeping an original message carries: never copied onto its dead letter, and a replay
# gets fresh values (the original id may still be inside NATS's de-duplication window).
BOOKKEEPING = frozenset({NATS_MESSAGE_ID, NATS_EXPECTED_STREAM, KAFKA_MESSAGE_ID})
