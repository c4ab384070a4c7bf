"""Each service's own credentials under `loket up`: its PostgreSQL role and its NATS user.

A service that connects with its own role does not migrate (`LOKET_MIGRATE_ON_START=false`):
`loket up` migrated and granted as the owner before starting it. Where the owner may not create
roles, or the bus is not our embedded NATS, the service gets the shared URL as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from loket.contracts.topics import LETTERS_ISSUED
from loket.devstack.stack import Stack
from loket.infra.bus.nats_users import BACKOFFICE
from loket.infra.connection_urls import with_credentials
from loket.infra.db.roles import service_role
from loket.infra.secret_files import ensure_password, write_private

BACKOFFICE_CREDENTIALS = "backoffice-nats.json"


def role_passwords(stack: Stack, services: Iterable[str]) -> dict[str, str]:
    """service -> its role's password: in the embedded PostgreSQL's data directory, else in
    `<data dir>/secrets/postgres/` (a server we did not start)."""
    if stack.postgres is not None:
        return {name: stack.postgres.role_password(service_role(name)) for name in services}
    folder = stack.data_dir / "secrets" / "postgres"
    return {name: ensure_password(folder / f"{service_role(name)}.password") for name in services}


def service_env(stack: Stack, name: str, passwords: dict[str, str] | None) -> dict[str, str]:
    """The connection settings of one service process; `passwords` None: roles not managed."""
    env = {"LOKET_DATABASE_URL": stack.database_url, "LOKET_BUS_URL": stack.bus_url}
    if passwords is not None:
        env["LOKET_DATABASE_URL"] = with_credentials(stack.database_url, service_role(name), passwords[name])
        env["LOKET_MIGRATE_ON_START"] = "false"
    if stack.nats is not None:
        env["LOKET_BUS_URL"] = stack.nats.url_for(name)
    if stack.stream_replicas:
        env["LOKET_BUS_STREAM_REPLICAS"] = str(stack.stream_replicas)
    return env


def write_backoffice_credentials(stack: Stack) -> Path | None:
    """The credentials a municipal back-office uses to issue letters (and nothing else), in a
    0600 file in the data directory; None when the bus is not our embedded NATS."""
    if stack.nats is None:
        return None
    path = stack.data_dir / BACKOFFICE_CREDENTIALS
    write_private(path, json.dumps({
        "url": stack.nats.url_for(BACKOFFICE), "user": BACKOFFICE, "password": stack.nats.password(BACKOFFICE),
        "may_publish": [LETTERS_ISSUED],
    }, indent=2))
    return path
