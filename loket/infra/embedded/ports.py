"""TCP ports for the embedded servers, remembered per data directory."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Collection
from pathlib import Path

HOST = "127.0.0.1"


# Below the kernel's range for outgoing connections (Linux: 32768–60999 by default). A port the
# kernel hands out for `bind(0)` comes from that range, and between the look and the server's
# bind (seconds, while `loket up` starts PostgreSQL and NATS first) any process's next outgoing
# connection may take it as its own end: a parallel test worker's system did, and notify then
# failed to bind its port for two minutes. Outgoing connections never take a port below it.
_LOWEST_CHOSEN_PORT = 15000
_LOCAL_PORT_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_TRIES = 64


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now: a random one below the range the
    kernel uses for outgoing connections where it can tell that range, else one the kernel picks."""
    below = _outgoing_range_start()
    if below - _LOWEST_CHOSEN_PORT >= 1000:
        pick = secrets.SystemRandom()
        for _ in range(_TRIES):
            port = pick.randrange(_LOWEST_CHOSEN_PORT, below)
            if port_is_free(port, reuse_address=False):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _outgoing_range_start() -> int:
    try:
        return int(_LOCAL_PORT_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):  # not Linux, or a kernel that hides it
        return 0


def port_is_free(port: int, *, reuse_address: bool = True) -> bool:
    """True when a server could bind `port` now.

    SO_REUSEADDR mirrors what PostgreSQL and nats-server do on their listeners: connections
    left in TIME_WAIT by the previous run must not make us abandon the remembered port.
    `reuse_address=False` also refuses a port with a connection in TIME_WAIT: a fresh pick
    should not start out next to someone else's traffic.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if reuse_address:
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
