"""`loket up`'s table of addresses is never cut short: written to a file (stdout not a terminal)
every URL is whole on its line; in a narrow terminal a long URL folds instead of ending in '…'."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from loket.devstack import up

PORTS = {"booking": 18101, "notify": 18102, "ebox_bridge": 18103, "reporting": 18104}


def running(tmp_path: Path) -> tuple[SimpleNamespace, SimpleNamespace]:
    stack = SimpleNamespace(database_address="postgresql://loket:***@127.0.0.1:29017/loket",
                            bus_address="nats://admin:***@127.0.0.1:22650", data_dir=tmp_path)
    prepared = SimpleNamespace(ports=PORTS, logs=tmp_path / "logs", replica_ports=None,
                               simulator_url="http://127.0.0.1:18110", sms_url="http://127.0.0.1:18111",
                               mail_dir=tmp_path / "mail", backoffice_credentials=None)
    return stack, prepared


def printed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, width: int) -> str:
    out = io.StringIO()
    monkeypatch.setattr(up, "console", Console(file=out, width=width))
    up.print_urls(*running(tmp_path))
    return out.getvalue()


def test_written_to_a_file_the_console_is_wide_enough_for_whole_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # tests/conftest.py sets it for the CLI tests
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert up.operator_console().width == 200


def test_every_url_is_whole_on_its_line_when_written_to_a_file(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = printed(monkeypatch, tmp_path, width=200)
    for port in PORTS.values():
        for path in ("/health/ready", "/metrics", "/docs/asyncapi"):
            assert f"http://127.0.0.1:{port}{path}" in text
    assert "…" not in text


def test_a_narrow_terminal_folds_urls_instead_of_cutting_them(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = printed(monkeypatch, tmp_path, width=80)
    assert "…" not in text
    assert "http://127.0.0" in text  # the addresses are there, folded over lines
