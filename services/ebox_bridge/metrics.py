"""The bridge's domain metrics. Labels are bounded sets; never a national number or letter id."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class BridgeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.letters = Counter(
            "loket_letters_total",
            "Letter transitions by channel (intake, ebox, paper), outcome and reason",
            ["channel", "outcome", "reason"],
            registry=registry,
        )
        self.fallbacks = Counter(
            "loket_letter_paper_fallback_total",
            "Letters sent to paper instead of (or besides) the eBox, by reason",
            ["reason"],
            registry=registry,
        )
        self.ebox_seconds = Histogram(
            "loket_ebox_request_seconds",
            "Latency of calls to the eBox, by operation",
            ["operation"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self.ebox_errors = Counter(
            "loket_ebox_errors_total",
            "Failed calls to the eBox by operation and code (HTTP status or eBox error code)",
            ["operation", "code"],
            registry=registry,
        )
        self.breaker_state = Gauge(
            "loket_ebox_circuit_state",
            "eBox circuit breaker: 0 closed, 1 half-open, 2 open",
            registry=registry,
        )
        self.nonterminal = Gauge(
            "loket_letters_nonterminal",
            "Letters not yet in a terminal state, by channel, state and age",
            ["channel", "state", "age"],
            registry=registry,
        )
        self.stuck = Gauge(
            "loket_letters_stuck",
            "Letters in a state the bridge should have moved on from, older than the threshold",
            ["channel", "state"],
            registry=registry,
        )
        self.paper_inserts = Counter(
            "loket_paper_inserts",
            "Paper letters that took part in the eBox campaign, by arm (insert page, or holdout without one)",
            ["arm"],
            registry=registry,
        )
        self.print_batch_letters = Histogram(
            "loket_print_batch_letters",
            "Letters per closed print batch",
            buckets=(0, 10, 50, 100, 500, 1000, 5000, 10000, 50000),
            registry=registry,
        )
        self.print_batch_seconds = Histogram(
            "loket_print_batch_compose_seconds",
            "Time to compose and write a print batch's files",
            buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 1200),
            registry=registry,
        )
