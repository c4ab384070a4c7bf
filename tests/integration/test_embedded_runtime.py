"""The embedded PostgreSQL and NATS servers keep committed data across restarts and crashes."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import nats
import pytest

from loket.infra.embedded import (
    EmbeddedNats,
    EmbeddedPostgres,
    EmbeddedServers,
    default_data_dir,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path / "pg")  # fsync on: the production setting
    yield server
    server.kill()  # whatever a failing test left running; a no-op after stop()


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path / "nats")
    yield server
    server.kill()


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _server_vars(bus: EmbeddedNats) -> dict[str, Any]:
    with urllib.request.urlopen(f"{bus.monitor_url}/varz", timeout=5) as response:
        return dict(json.load(response))


async def test_postgres_committed_row_survives_restart_on_same_port(pg: EmbeddedPostgres) -> None:
    url = pg.start()
    # The superuser signs in with the password generated into the data directory (SCRAM).
    assert url == f"postgresql://loket:{pg.superuser_password()}@127.0.0.1:{pg.port}/loket"
    conn = await asyncpg.connect(url, timeout=10)
    try:
        assert await conn.fetchval("SELECT current_database()") == "loket"
        assert await conn.fetchval("SHOW fsync") == "on"
        assert await conn.fetchval("SHOW listen_addresses") == "127.0.0.1"
        assert await conn.fetchval("SHOW log_lock_waits") == "on"  # a stuck statement names its blocker
        await conn.execute("CREATE TABLE letters (id int PRIMARY KEY, body text)")
        await conn.execute("INSERT INTO letters VALUES (1, 'aanslagbiljet')")
    finally:
        await conn.close()

    # A second handle on the same data directory adopts the running server.
    other = EmbeddedPostgres(pg.data_dir)
    assert other.start() == url and other.pid == pg.pid

    old_pid = pg.pid
    assert old_pid is not None
    pg.stop()
    assert not pg.is_running() and pg.pid is None and not _pid_exists(old_pid)

    assert pg.start() == url  # same port, remembered in the data directory
    conn = await asyncpg.connect(url, timeout=10)
    try:
        assert await conn.fetchval("SELECT body FROM letters WHERE id = 1") == "aanslagbiljet"
    finally:
        await conn.close()
    pg.stop()


async def test_postgres_recovers_committed_data_after_sigkill(pg: EmbeddedPostgres) -> None:
    url = pg.start()
    conn = await asyncpg.connect(url, timeout=10)
    await conn.execute("CREATE TABLE outbox (id int PRIMARY KEY)")
    await conn.execute("INSERT INTO outbox SELECT generate_series(1, 1000)")
    open_tx = conn.transaction()
    await open_tx.start()
    await conn.execute("INSERT INTO outbox VALUES (5000)")  # never committed

    pid = pg.pid
    assert pid is not None
    pg.kill()
    conn.terminate()
    assert not pg.is_running() and not _pid_exists(pid)

    assert pg.start() == url
    log = (pg.data_dir / "postgres.log").read_text()
    assert "not properly shut down" in log  # crash recovery really ran
    conn = await asyncpg.connect(url, timeout=10)
    try:
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 1000
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE id = 5000") == 0
    finally:
        await conn.close()
    pg.stop()


async def test_nats_jetstream_deduplicates_and_keeps_messages_across_restart(
    bus: EmbeddedNats,
) -> None:
    url = bus.start()
    assert url == f"nats://admin:{bus.password('admin')}@127.0.0.1:{bus.port}"  # the operator user
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await js.add_stream(name="LETTERS", subjects=["letters.>"])
        headers = {"Nats-Msg-Id": "event-1"}
        first = await js.publish("letters.issued.v1", b"letter-1", headers=headers)
        second = await js.publish("letters.issued.v1", b"letter-1", headers=headers)
        assert not first.duplicate and second.duplicate
        assert (await js.stream_info("LETTERS")).state.messages == 1
    finally:
        await nc.close()

    bus.stop()
    assert not bus.is_running()
    assert bus.start() == url

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        assert (await js.stream_info("LETTERS")).state.messages == 1
        stored = await js.get_msg("LETTERS", 1)
        assert stored.data == b"letter-1"
    finally:
        await nc.close()
    bus.stop()


async def test_nats_is_configured_for_durable_acks_and_pdf_payloads(bus: EmbeddedNats) -> None:
    url = bus.start()
    varz = _server_vars(bus)
    assert varz["jetstream"]["config"]["sync_always"] is True
    assert varz["max_payload"] == 8 * 1024 * 1024

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await js.add_stream(name="PDF", subjects=["pdf"])
        ack = await js.publish("pdf", b"%PDF" + bytes(5 * 1024 * 1024))  # over the 1 MB default
        assert ack.seq == 1
    finally:
        await nc.close()

    other = EmbeddedNats(bus.data_dir)  # adopts the running server
    assert other.start() == url and other.pid == bus.pid
    bus.stop()


def test_embedded_servers_start_and_stop_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path / "data"))
    assert default_data_dir() == tmp_path / "data"

    servers = EmbeddedServers(default_data_dir(), fsync=False)
    try:
        servers.start()
        assert servers.is_running()
        assert servers.database_url.startswith("postgresql://loket:")
        assert servers.bus_url.startswith("nats://admin:")
        assert (tmp_path / "data" / "postgres" / "PG_VERSION").exists()
        assert (tmp_path / "data" / "nats" / "nats.conf").exists()
        servers.stop()
        assert not servers.postgres.is_running() and not servers.nats.is_running()
    finally:
        servers.postgres.kill()
        servers.nats.kill()
