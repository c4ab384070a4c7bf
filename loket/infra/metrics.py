"""Platform metrics every service exports, in the service's own registry.

Labels are bounded sets (topic, consumer, outcome, kind): never an id, never a person.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class PlatformMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.events_consumed = Counter(
            "loket_events_consumed_total",
            "Events taken from the bus, by what became of them",
            ["consumer", "topic", "outcome"],
            registry=registry,
        )
        self.dead_lettered = Counter(
            "loket_dead_lettered_total",
            "Messages sent to a dead-letter topic, by kind of failure",
            ["consumer", "topic", "kind"],
            registry=registry,
        )
        self.handler_retries = Counter(
            "loket_handler_retries_total",
            "Handler attempts that failed transiently and were retried",
            ["consumer", "topic"],
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "loket_consumer_batch_seconds",
            "Time to handle one batch of events, database commit included",
            ["consumer", "topic"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.redelivered_batches = Counter(
            "loket_consumer_redelivered_batches_total",
            "Batches handed back to the broker because the database or bus was unavailable",
            ["consumer", "topic"],
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "loket_consumer_lag_messages",
            "Messages a consumer group has not handled yet, the group's figure on every replica (NATS: pending and unacknowledged; Kafka: end offsets minus committed offsets)",
            ["consumer", "topic"],
            registry=registry,
        )
        self.outbox_backlog = Gauge(
            "loket_outbox_backlog", "Outbox rows not yet published", ["schema"], registry=registry
        )
        self.outbox_oldest_age = Gauge(
            "loket_outbox_oldest_age_seconds",
            "Age of the oldest unpublished outbox row (0 when empty)",
            ["schema"],
            registry=registry,
        )
        self.outbox_published = Counter(
            "loket_outbox_published_total", "Outbox rows published", ["schema"], registry=registry
        )
        self.outbox_publish_errors = Counter(
            "loket_outbox_publish_errors_total",
            "Relay rounds that failed to publish (retried)",
            ["schema"],
            registry=registry,
        )
        self.retention_purged = Counter(
            "loket_retention_purged_total", "Records whose personal data the retention job removed",
            ["data_class"], registry=registry,
        )
        self.retention_failures = Counter(
            "loket_retention_failures_total", "Retention purges that failed (their data is kept past its period)",
            ["data_class"], registry=registry,
        )
        self.stream_bytes = Gauge(
            "loket_bus_stream_bytes", "Bytes stored in a NATS stream", ["stream"], registry=registry
        )
        self.stream_max_bytes = Gauge(
            "loket_bus_stream_max_bytes", "The stream's byte cap: at it, publishes are refused", ["stream"],
            registry=registry,
        )
        self.ready = Gauge(
            "loket_ready", "1 when the database and the bus are reachable", registry=registry
        )
