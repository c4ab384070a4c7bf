"""One server process: spawn, wait until healthy, stop, kill; shared by PostgreSQL and NATS."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from loket.infra.embedded.service_account import Account


class EmbeddedServerError(RuntimeError):
    """An embedded server could not be started or stopped; the message carries its log tail."""


class ServerProcess:
    """A server running in its own session, so that signals aimed at it (Ctrl-C in a terminal,
    a test's SIGKILL) reach exactly the server and its children, never the Python parent.

    The process is either our child (`spawn`) or a server a previous `loket up` left running
    on the same data directory (`adopt`); both are driven by pid.
    """

    def __init__(self, name: str, log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._child: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None

    @property
    def pid(self) -> int | None:
        return self._pid if self.is_running() else None

    def spawn(self, argv: Sequence[str], *, cwd: Path, run_as: Account | None = None) -> None:
        # Append, so the log of a crashed previous run is still there when we diagnose it.
        with open(self.log_path, "ab") as log:
            log.write(f"\n--- loket: starting {self.name} at {time.ctime()} ---\n".encode())
            log.flush()
            self._child = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=_clean_env(),
                start_new_session=True,
                **(run_as.popen_kwargs() if run_as else {}),
            )
        self._pid = self._child.pid

    def adopt(self, pid: int) -> None:
        self._child, self._pid = None, pid

    @property
    def adopted(self) -> bool:
        """True when we found this server running instead of starting it."""
        return self._child is None and self._pid is not None

    def is_running(self) -> bool:
        if self._child is not None:
            # poll() also reaps the child; os.kill(pid, 0) would report a zombie as alive.
            return self._child.poll() is None
        return self._pid is not None and pid_alive(self._pid)

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll `ready` until it holds; fail fast with the log tail if the server dies."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.is_running():
                raise EmbeddedServerError(f"{self.name} exited during start-up\n{self.log_tail()}")
            if ready():
                return
            if time.monotonic() > deadline:
                self.kill()
                raise EmbeddedServerError(
                    f"{self.name} not ready after {timeout:.0f} s (killed it)\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def stop(self, sig: signal.Signals, timeout: float = 60.0) -> None:
        """Ask for a clean shutdown with `sig`; SIGKILL the group if it does not finish."""
        if not self.is_running():
            return
        assert self._pid is not None
        _signal(self._pid, sig)
        if not self._wait_exit(timeout):
            self.kill()
            raise EmbeddedServerError(
                f"{self.name} ignored {sig.name} for {timeout:.0f} s; killed it\n{self.log_tail()}"
            )

    def kill(self) -> None:
        """SIGKILL the whole process group: like pulling the plug, no shutdown code runs."""
        if self._pid is None or not self.is_running():
            return
        group = None
        try:
            if os.getpgid(self._pid) == self._pid:
                group = self._pid
                os.killpg(self._pid, signal.SIGKILL)
            else:  # an adopted server not started by us in its own session
                os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._wait_exit(10.0)
        if group is not None:
            _wait_group_gone(group, 10.0)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return f"(no log at {self.log_path})"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- last lines of {self.log_path} ---\n{tail}"

    def _wait_exit(self, timeout: float) -> bool:
        if self._child is not None:
            try:
                self._child.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = time.monotonic() + timeout
        while self._pid is not None and pid_alive(self._pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


def _wait_group_gone(group: int, timeout: float) -> None:
    """Until no live member of the process group is left (a zombie holds nothing), or `timeout`.

    The leader's exit is not the end of a SIGKILLed group: a PostgreSQL backend scheduled late
    under load still held the shared memory when the next start looked, and that start failed
    with "pre-existing shared memory block … is still in use" (seen once in CI). Linux's /proc
    tells the members; without it there is nothing to wait on."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    deadline = time.monotonic() + timeout
    while _live_members(proc, group) and time.monotonic() < deadline:
        time.sleep(0.02)


def _live_members(proc: Path, group: int) -> bool:
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        # "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after the last ")".
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[2] == str(group) and fields[0] != "Z":
            return True
    return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, but belongs to another user
        return True
    return True


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _clean_env() -> dict[str, str]:
    # PG* variables of the caller's shell (PGHOST, PGOPTIONS, ...) must not leak into servers
    # and tools we point explicitly at 127.0.0.1:port; a C locale keeps messages parseable.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def run_tool(
    argv: Sequence[str], *, cwd: Path, run_as: Account | None = None, timeout: float = 120.0,
    stdin: str | None = None, password: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a short-lived helper (initdb, psql, pg_isready) with the same clean environment.

    `password` reaches libpq through the environment (readable only by ourselves), never argv.
    """
    env = _clean_env()
    if password is not None:
        env["PGPASSWORD"] = password
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **(run_as.popen_kwargs() if run_as else {}),
    )
