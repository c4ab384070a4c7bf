"""Which PostgreSQL an operator command talks to: --database-url / LOKET_DATABASE_URL, else the
one a running `loket up` recorded (`<data dir>/runtime.json` names the owner URL's file). The
bus: `configured_bus_url` below (`dlq.bus_url_or_embedded` falls back to the embedded NATS)."""

from __future__ import annotations

from pathlib import Path

import typer

from loket.devstack.runtime_file import (
    read_runtime,
    recorded_external_bus_url,
    runtime_database_url,
)
from loket.infra.embedded import default_data_dir
from loket.infra.settings import LoketSettings

DATABASE_URL_HELP = "PostgreSQL URL; default: LOKET_DATABASE_URL, else the running `loket up`"


def data_dir(settings: LoketSettings | None = None) -> Path:
    """The data directory `loket up` uses here: LOKET_DATA_DIR, else the default."""
    return ((settings or LoketSettings()).data_dir or default_data_dir()).expanduser()


def configured_bus_url(settings: LoketSettings) -> str | None:
    """LOKET_BUS_URL (a .env file's too, which typer's envvar does not read), else the bus the data
    directory's `loket up` recorded when it is not its own embedded NATS; None when neither."""
    return settings.bus_url or recorded_external_bus_url(data_dir(settings))


def resolve_database_url(database_url: str | None) -> str:
    if database_url:
        return database_url
    settings = LoketSettings()
    if settings.database_url:
        return settings.database_url
    try:
        return runtime_database_url(read_runtime(data_dir(settings)))
    except (FileNotFoundError, KeyError, ValueError):
        raise typer.BadParameter(
            "no database: pass --database-url, set LOKET_DATABASE_URL, or start `loket up` first",
            param_hint="--database-url",
        ) from None
