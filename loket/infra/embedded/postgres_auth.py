"""How the embedded PostgreSQL authenticates: SCRAM passwords, never `trust`.

The superuser's password is generated once into `<data dir>/loket-secrets/` (0600); the
server's pg_hba.conf asks every connection, TCP on loopback and the unix socket alike, for a
SCRAM-SHA-256 password. Data directories made before this (initdb --auth=trust) are upgraded
on start: the superuser gets a password while trust still lets us in, then pg_hba.conf is
rewritten and reloaded. Nothing in the data is touched.
"""

from __future__ import annotations

from pathlib import Path

SECRETS_DIR = "loket-secrets"

PG_HBA = """\
# Written by loket on every start; edits are overwritten.
# Every connection proves a password with SCRAM-SHA-256; the server listens on 127.0.0.1 only.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
"""


def password_file(data_dir: Path, role: str) -> Path:
    return data_dir / SECRETS_DIR / f"{role}.password"


def hba_is_current(data_dir: Path) -> bool:
    try:
        return (data_dir / "pg_hba.conf").read_text() == PG_HBA
    except FileNotFoundError:
        return False


def write_hba(data_dir: Path) -> None:
    # Rewritten in place, not replaced: the file keeps its owner (the server's account).
    (data_dir / "pg_hba.conf").write_text(PG_HBA)
