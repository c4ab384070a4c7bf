"""`<data dir>/runtime.json`: where a running `loket up` runs, for operators' scripts, the CLI
and the tests. It holds no secret: the owner's database URL and the operator's bus URL (both
with passwords) are in 0600 files it names, read through the functions here."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from loket.infra.secret_files import read_secret, write_private

RUNTIME_FILE = "runtime.json"


def write_runtime_file(data_dir: Path, facts: dict[str, Any], database_url: str, bus_url: str) -> None:
    secrets_dir = data_dir / "secrets"
    database_url_file, bus_url_file = secrets_dir / "database-url", secrets_dir / "bus-url"
    write_private(database_url_file, database_url)
    write_private(bus_url_file, bus_url)
    runtime = {**facts, "database_url_file": str(database_url_file), "bus_url_file": str(bus_url_file),
               "supervisor_pid": os.getpid()}
    (data_dir / RUNTIME_FILE).write_text(json.dumps(runtime, indent=2))


def read_runtime(data_dir: Path) -> dict[str, Any]:
    return dict(json.loads((data_dir / RUNTIME_FILE).read_text()))


def runtime_database_url(runtime: dict[str, Any]) -> str:
    """The owner's URL of the database a running `loket up` uses (a secret: don't print it)."""
    return read_secret(Path(runtime["database_url_file"]))


def runtime_bus_url(runtime: dict[str, Any]) -> str:
    """The operator's URL of its bus (a secret: don't print it)."""
    return read_secret(Path(runtime["bus_url_file"]))


def recorded_external_bus_url(data_dir: Path) -> str | None:
    """The bus of the `loket up` recorded in `data_dir` when it is not the data directory's own
    embedded NATS (Kafka, or a NATS named by LOKET_BUS_URL), else None. An operator's shell need
    not have the variable `loket up` was started with: without this, commands fell back to the
    embedded NATS, which nobody reads on such an installation (`dlq list` showed no dead letters)."""
    try:
        runtime = read_runtime(data_dir)
    except (FileNotFoundError, ValueError):
        return None
    # A runtime file from before `embedded` was recorded: the embedded NATS, as assumed then.
    if "nats" in runtime.get("embedded", ["nats"]):
        return None
    try:
        return runtime_bus_url(runtime)
    except (FileNotFoundError, KeyError):
        return None
