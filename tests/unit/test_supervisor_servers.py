"""The supervisor starts an embedded server again when it died, tells what happened, and after a
failed start waits before the next try instead of hammering a server that cannot start."""

from __future__ import annotations

import pytest

from loket.devstack import supervisor
from loket.devstack.supervisor import SERVER_RETRY_S, Supervisor


class FakeServer:
    name = "PostgreSQL"

    def __init__(self, failures: int = 0) -> None:
        self.running, self.failures, self.starts = True, failures, 0

    def is_running(self) -> bool:
        return self.running

    def start(self) -> str:
        self.starts += 1
        if self.failures:
            self.failures -= 1
            raise RuntimeError("PostgreSQL exited during start-up\nFATAL: could not write lock file")
        self.running = True
        return "postgresql://…"


def test_a_running_server_is_left_alone() -> None:
    server, told = FakeServer(), []
    Supervisor([], [server])._revive_servers(lambda name, what: told.append(what))
    assert server.starts == 0 and told == []


def test_a_dead_server_is_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    server, told = FakeServer(), []
    server.running = False
    Supervisor([], [server])._revive_servers(lambda name, what: told.append(f"{name}: {what}"))
    assert server.starts == 1 and server.running
    assert told == ["PostgreSQL: restarting", "PostgreSQL: back"]


def test_a_failed_start_is_said_and_tried_again_only_after_the_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(supervisor.time, "monotonic", lambda: now[0])
    server, told = FakeServer(failures=1), []
    server.running = False
    watcher = Supervisor([], [server])
    watcher._revive_servers(lambda name, what: told.append(what))
    assert told == ["restarting", f"did not start again (PostgreSQL exited during start-up); next try in "
                                  f"{SERVER_RETRY_S:.0f} s"]
    now[0] += SERVER_RETRY_S - 1
    watcher._revive_servers(lambda name, what: told.append(what))
    assert server.starts == 1  # still waiting
    now[0] += 1
    watcher._revive_servers(lambda name, what: told.append(what))
    assert server.starts == 2 and server.running and told[-1] == "back"


def test_without_a_caller_the_restart_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    server = FakeServer()
    server.running = False
    with caplog.at_level("WARNING"):
        Supervisor([], [server])._revive_servers()
    assert [r.getMessage() for r in caplog.records] == ["PostgreSQL: restarting", "PostgreSQL: back"]
