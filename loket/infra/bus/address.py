"""Parse `LOKET_BUS_URL` into which broker to build and where it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from loket.infra.connection_urls import redacted


@dataclass(frozen=True)
class BusAddress:
    kind: Literal["kafka", "nats"]
    servers: tuple[str, ...]

    @property
    def tls(self) -> bool:
        return any(server.startswith("tls://") for server in self.servers)


def parse_bus_url(url: str) -> BusAddress:
    parts = urlsplit(url)
    if parts.scheme not in ("kafka", "nats", "tls"):
        raise ValueError(f"bus URL {redacted(url)!r}: the scheme must be kafka://, nats:// or tls:// (NATS over TLS)")
    hosts = [h for h in parts.netloc.split(",") if h]
    if not hosts:
        raise ValueError(f"bus URL {redacted(url)!r} names no host")
    if parts.scheme == "kafka":
        return BusAddress("kafka", tuple(h if ":" in h else f"{h}:9092" for h in hosts))
    # nats://user:password@host:port keeps its credentials: nats-py reads them from the URL.
    # tls:// is NATS over TLS (the server's certificate is verified). A cluster's URL names
    # them once, before the first host (nats://user:password@h1:p1,h2:p2,h3:p3): every host gets
    # them, or the client could not sign in at the node it fails over to.
    userinfo = hosts[0].rsplit("@", 1)[0] + "@" if "@" in hosts[0] else ""
    hosts = [h if "@" in h else userinfo + h for h in hosts]
    return BusAddress("nats", tuple(f"{parts.scheme}://{h if _has_port(h) else h + ':4222'}" for h in hosts))


def _has_port(host: str) -> bool:
    return ":" in host.rsplit("@", 1)[-1]
