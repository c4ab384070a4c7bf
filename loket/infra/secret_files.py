"""Generated secrets kept in files only their owner can read (0600), made once, never printed.

A secret that must stay the same across restarts (a database role's password, a NATS user's)
is generated the first time it is asked for and read back afterwards.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def ensure_password(path: Path) -> str:
    """The password stored at `path`, generated now if the file does not exist yet.

    URL-safe characters only, so it fits in a connection URL and a NATS config string unquoted.
    """
    if not path.exists():
        write_private(path, new_password())
    return read_secret(path)


def new_password() -> str:
    return secrets.token_urlsafe(32)


def read_secret(path: Path) -> str:
    return path.read_text().strip()


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600 from the first byte (no window with wider rights)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)  # atomic: a reader never sees half a secret
