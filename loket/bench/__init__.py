"""`loket bench`: throughput and latency of the platform's plumbing on this machine.

Each benchmark measures the real code path (outbox, relay, consumer, inbox) and, in the same
run, raw nats-py / asyncpg baselines on the same servers, so a figure is always read against
what the hardware gives without Loket's layers (docs/architecture.md, "Domain facts").
"""
