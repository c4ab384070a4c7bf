"""Where the database and the bus are: the configured URLs, or embedded servers we start."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from loket.infra.connection_urls import redacted
from loket.infra.embedded import EmbeddedNats, EmbeddedPostgres, default_data_dir
from loket.infra.embedded.kafka import EmbeddedKafkaCluster
from loket.infra.embedded.nats_cluster import REPLICAS, EmbeddedNatsCluster
from loket.infra.settings import LoketSettings


@dataclass(frozen=True)
class Stack:
    database_url: str  # the owner's (secret: holds a password)
    bus_url: str  # the operator's (secret: holds a password)
    data_dir: Path
    embedded: tuple[str, ...]  # which servers we started ourselves
    postgres: EmbeddedPostgres | None = None
    nats: EmbeddedNats | EmbeddedNatsCluster | None = None
    kafka: EmbeddedKafkaCluster | None = None  # only a benchmark's own cluster

    @property
    def database_address(self) -> str:
        """Where the database is, without credentials: what may be shown."""
        return redacted(self.database_url)

    @property
    def bus_address(self) -> str:
        return redacted(self.bus_url)

    @property
    def stream_replicas(self) -> int | None:
        """Copies of each stream the services declare: three on our embedded cluster."""
        return REPLICAS if isinstance(self.nats, EmbeddedNatsCluster) else None


@contextlib.contextmanager
def running_stack(settings: LoketSettings | None = None) -> Iterator[Stack]:
    """Yield URLs for PostgreSQL and the bus, starting embedded ones for what is not set."""
    settings = settings or LoketSettings()
    data_dir = (settings.data_dir or default_data_dir()).expanduser()
    data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        started = []
        postgres = nats = None
        database_url = settings.database_url
        if not database_url:
            postgres = stack.enter_context(EmbeddedPostgres(data_dir / "postgres"))
            database_url = postgres.url
            started.append("postgres")
        bus_url = settings.bus_url
        if not bus_url:
            nats = stack.enter_context(EmbeddedNats(data_dir / "nats") if settings.nats_nodes == 1 else
                                       EmbeddedNatsCluster(data_dir / "nats-cluster", settings.nats_nodes))
            bus_url = nats.url
            started.append("nats")
        yield Stack(database_url, bus_url, data_dir, tuple(started), postgres, nats)


def ensure_admin_token(data_dir: Path) -> str:
    """The admin bearer token of an embedded installation, made once and kept private (0600)."""
    return ensure_secret_file(data_dir / "admin-token").read_text().strip()


# Where `loket up` (and each benchmark, in its own folder) keeps notify's and booking's contact key secret.
CONTACT_KEY_SECRET_FILE = "contact-key-secret"
# The reporting service's pseudonym key; `loket reporting rebuild` must use the same one.
REPORTING_PSEUDONYM_SECRET_FILE = "reporting-pseudonym-secret"


def ensure_secret_file(path: Path) -> Path:
    """A random secret made once and kept private (0600): it must stay the same across restarts
    (reporting's pseudonyms, for one, would change with it)."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    return path
