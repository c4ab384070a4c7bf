"""Parse `LOKET_BUS_URL` into which broker to build and where it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit


@dataclass(frozen=True)
class BusAddress:
    kind: Literal["kafka", "nats"]
    servers: tuple[str, ...]


def parse_bus_url(url: str) -> BusAddress:
    parts = urlsplit(url)
    if parts.scheme not in ("kafka", "nats"):
        raise ValueError(f"bus URL {url!r}: the scheme must be kafka:// or nats://")
    hosts = [h for h in parts.netloc.split(",") if h]
    if not hosts:
        raise ValueError(f"bus URL {url!r} names no host")
    if parts.scheme == "kafka":
        return BusAddress("kafka", tuple(h if ":" in h else f"{h}:9092" for h in hosts))
    return BusAddress("nats", tuple(f"nats://{h if ':' in h else h + ':4222'}" for h in hosts))
