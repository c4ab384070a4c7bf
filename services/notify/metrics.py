"""notify's domain metrics (labels: channel, kind, status — closed sets; never a citizen)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class NotifyMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.outcomes = Counter("loket_notifications_total", "Notification outcomes per channel, kind and status",
                                ["channel", "kind", "status"], registry=registry)
        self.latency = Histogram("loket_notification_send_latency_seconds",
                                 "From the triggering event to the provider accepting the message",
                                 ["channel"], buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300), registry=registry)
        self.scheduled = Gauge("loket_notifications_scheduled", "Messages waiting to be sent (reminders included)",
                               registry=registry)
        self.provider_errors = Counter("loket_notification_provider_errors_total",
                                       "Failed provider calls by channel and class", ["channel", "error"],
                                       registry=registry)
        self.deferred = Counter("loket_notifications_deferred_total", "Messages deferred, by rule", ["rule"],
                                registry=registry)
