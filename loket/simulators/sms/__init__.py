"""A faithful SMS-provider simulator: an HTTP API with idempotency keys, delivery receipts,
and fault injection (latency, 5xx, 429 throttling), for tests, demos and benchmarks."""
