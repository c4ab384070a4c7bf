"""TCP ports for the embedded servers, remembered per data directory."""

from __future__ import annotations

import socket
from collections.abc import Collection
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when a server could bind `port` now.

    SO_REUSEADDR mirrors what PostgreSQL and nats-server do on their listeners: connections
    left in TIME_WAIT by the previous run must not make us abandon the remembered port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def remembered_port(path: Path, requested: int | None = None, avoid: Collection[int] = ()) -> int:
    """Pick the port for a server whose data lives next to `path`, and remember it there.

    Keeping the port across restarts means URLs already handed to services (or written in a
    .env file) stay valid after `loket up` is restarted. An explicit `requested` port wins;
    a remembered port that is now taken by someone else is replaced rather than failing.
    """
    port = requested
    if port is None:
        saved = _read_port(path)
        if saved is not None and saved not in avoid and port_is_free(saved):
            port = saved
    while port is None or port in avoid:
        port = free_port()
    path.write_text(f"{port}\n")
    return port


def _read_port(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def preferred_port(preferred: int, avoid: Collection[int] = (), *, well_known: bool = True) -> int:
    """`preferred` when it is free and not promised elsewhere, else any free port not in `avoid`.
    `well_known=False`: any free port. Two installations on one machine (parallel test workers)
    must not both prefer the same ports: a port free at this look may be the other's a moment
    later, when its supervisor restarts a crashed service there."""
    if well_known and preferred not in avoid and port_is_free(preferred):
        return preferred
    port = free_port()
    while port in avoid:
        port = free_port()
    return port
