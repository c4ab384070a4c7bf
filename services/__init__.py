"""The four Loket services, each importable as `services.<name>`: booking, notify, ebox_bridge and
reporting. The platform they stand on lives in the `loket` package (docs/architecture.md)."""
