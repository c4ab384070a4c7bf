"""Both embedded servers under one data directory: what `loket up` runs."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import platformdirs

from loket.infra.embedded.nats import EmbeddedNats
from loket.infra.embedded.postgres import EmbeddedPostgres


def default_data_dir() -> Path:
    """`LOKET_DATA_DIR`, else the platform's per-user data directory (~/.local/share/loket)."""
    configured = os.environ.get("LOKET_DATA_DIR")
    return Path(configured) if configured else Path(platformdirs.user_data_dir("loket"))


class EmbeddedServers:
    """PostgreSQL in `data_dir/postgres`, NATS JetStream in `data_dir/nats`.

    Defaults are the durable ones (fsync on, JetStream sync always): this is what holds a
    municipality's letters when run with `loket up`.
    """

    def __init__(
        self, data_dir: Path | None = None, *, fsync: bool = True, sync_always: bool = True
    ) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.postgres = EmbeddedPostgres(self.data_dir / "postgres", fsync=fsync)
        self.nats = EmbeddedNats(self.data_dir / "nats", sync_always=sync_always)

    @property
    def database_url(self) -> str:
        return self.postgres.url

    @property
    def bus_url(self) -> str:
        return self.nats.url

    def start(self) -> EmbeddedServers:
        self.postgres.start()
        try:
            self.nats.start()
        except BaseException:
            # Don't leave a half-started runtime behind: the caller gets the error only.
            self.postgres.stop()
            raise
        return self

    def stop(self) -> None:
        # Bus first: consumers then stop receiving while in-flight handlers can still commit
        # (unacked messages are redelivered later). With the database gone first, every
        # message still delivered would fail its handler and be retried or dead-lettered.
        try:
            self.nats.stop()
        finally:
            self.postgres.stop()

    def is_running(self) -> bool:
        return self.postgres.is_running() and self.nats.is_running()

    def __enter__(self) -> EmbeddedServers:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
