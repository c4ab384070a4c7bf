"""Run the service processes, restart them when they crash, stop them cleanly on a signal.

Each child is a separate OS process (`loket serve NAME`), so a crash in one service never takes
another down, exactly as in production. Restarts back off (1 s doubling to 30 s) and the
backoff resets once a child has stayed up for a minute.

The embedded servers `loket up` started (PostgreSQL, NATS) are watched too: one that died (the
kernel's OOM killer, a crash) is started again on its own data and port, and the services,
which retry their connections, carry on without a restart of their own.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff_s: float = 1.0
    restarts: int = 0
    next_start: float = field(default=0.0)

    log_offset: int = 0  # where this incarnation's lines begin in the log file
    exit_reason: str | None = None

    def start(self) -> None:
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.exit_reason = None
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor only; it stops children in order
        )
        log_file.close()
        self.started_at = time.monotonic()

    def last_error(self, tail_bytes: int = 16_384) -> str | None:
        """The message of this incarnation's last ERROR or CRITICAL log line (the services log JSON
        lines), if any: why it exited, such as a port another process holds."""
        try:
            with self.log_path.open("rb") as log_file:
                end = log_file.seek(0, os.SEEK_END)
                log_file.seek(max(self.log_offset, end - tail_bytes))
                lines = log_file.read().decode(errors="replace").splitlines()
        except OSError:
            return None
        generic = None
        for line in reversed(lines):
            try:
                record = json.loads(line)
            except ValueError:  # a line from before logging was set up, or cut at the tail's start
                continue
            if isinstance(record, dict) and record.get("level") in ("ERROR", "CRITICAL") and record.get("msg"):
                message = _reason(str(record["msg"]))
                if message not in _SAYS_NOTHING:
                    return message[:300]
                generic = generic or message
        return generic

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def poll_crashed(self) -> int | None:
        if self.process is None:
            return None
        return self.process.poll()

    def stop(self, timeout_s: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Server(Protocol):
    """An embedded server: started again on its own data directory and port by `start()`."""

    name: str

    def is_running(self) -> bool: ...

    def start(self) -> str: ...


# After a server failed to start again, the next try waits this long: its log says why, and a
# disk that is full or a port someone took will not be fixed in a second.
SERVER_RETRY_S = 10.0


class Supervisor:
    def __init__(self, children: list[Child], servers: list[Server] | None = None) -> None:
        self.children = children
        self.servers = servers or []
        self._server_retry_at: dict[str, float] = {}
        self._stopping = False

    def request_stop(self, *_: object) -> None:
        self._stopping = True

    def run(self, on_restart=None, on_server=None) -> None:  # type: ignore[no-untyped-def]
        """`on_server(name, what)`: told when a server died ("restarting"), came back ("back")
        or failed to start again (the error)."""
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        self.start_the_stopped()
        try:
            while not self._stopping:
                self._revive_servers(on_server)
                self._tick(on_restart)
                time.sleep(0.5)
        finally:
            for child in reversed(self.children):
                child.stop()

    def start_the_stopped(self) -> None:
        """Start every child that is not running; one already running is adopted as it is (the
        demo's `--keep-running`: a restart would make the simulated eBox forget every letter)."""
        for child in self.children:
            if not child.is_running():
                child.start()

    def _revive_servers(self, on_server: Callable[[str, str], None] | None = None) -> None:
        # Told to the caller (`loket up`'s console), or else logged: never both, one line each.
        tell = on_server or (lambda name, what: log.warning("%s: %s", name, what))
        for server in self.servers:
            if self._stopping or server.is_running():
                continue
            now = time.monotonic()
            if now < self._server_retry_at.get(server.name, 0.0):
                continue
            tell(server.name, "restarting")
            try:
                server.start()
            except Exception as exc:  # noqa: BLE001 - say why, try again later, keep the services running
                self._server_retry_at[server.name] = now + SERVER_RETRY_S
                tell(server.name, f"did not start again ({str(exc).splitlines()[0]}); next try in "
                                  f"{SERVER_RETRY_S:.0f} s")
                continue
            self._server_retry_at.pop(server.name, None)
            tell(server.name, "back")

    def _tick(self, on_restart) -> None:  # type: ignore[no-untyped-def]
        now = time.monotonic()
        for child in self.children:
            code = child.poll_crashed()
            if code is None or self._stopping:
                continue
            if child.next_start == 0.0:
                if now - child.started_at > 60:
                    child.backoff_s = 1.0
                child.next_start = now + child.backoff_s
                child.exit_reason = child.last_error()
                if on_restart:
                    on_restart(child, code)
                else:  # one line either way: the caller's (`loket up`'s console) or the log's
                    log.warning("%s exited with %s%s; restarting in %.0f s", child.name, code,
                                f" ({child.exit_reason})" if child.exit_reason else "", child.backoff_s)
            elif now >= child.next_start:
                child.restarts += 1
                child.backoff_s = min(30.0, child.backoff_s * 2)
                child.next_start = 0.0
                child.start()


# Uvicorn's last words after any failed start: the error logged before it says why.
_SAYS_NOTHING = {"Application startup failed. Exiting."}


def _reason(message: str) -> str:
    """A logged traceback's last line, the exception, without its module path
    ("TopicsMissing: the Kafka cluster has no topic …"); any other message as it is."""
    if not message.startswith("Traceback (most recent call last)"):
        return message
    last = next((line for line in reversed(message.splitlines()) if line.strip()), message)
    name, colon, rest = last.partition(": ")
    return f"{name.rsplit('.', 1)[-1]}{colon}{rest}"


def service_argv(name: str) -> list[str]:
    return [sys.executable, "-m", "loket.cli", "serve", name]


def child_env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}
