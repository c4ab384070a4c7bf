"""Least privilege underneath the services: each PostgreSQL role sees only its own schema and
its part of `identity`; the embedded PostgreSQL asks every client for a SCRAM password; NATS
admits only known users, each publishing only what it owns."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import stat
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.js.errors import NotFoundError

from loket.contracts import topics
from loket.contracts.values import utc_now
from loket.devstack.catalog import SERVICE_NAMES, service_module
from loket.devstack.migrate import migrate_all
from loket.infra.bus import nats_wiring
from loket.infra.bus.nats_users import BACKOFFICE, SERVICE_TOPICS
from loket.infra.connection_urls import redacted, with_credentials
from loket.infra.db.roles import AUDIT_TRAIL_PURGER, service_role
from loket.infra.embedded import EmbeddedNats, EmbeddedPostgres
from loket.infra.embedded import service_account as accounts
from loket.infra.embedded.postgres import _install_dir
from loket.infra.embedded.process import run_tool
from loket.infra.identity import audit
from loket.infra.retention.policy import RetentionDays

# One table of each service's schema that another service must never read.
TABLE_OF = {"booking": "appointments", "notify": "notifications", "ebox_bridge": "letters", "reporting": "letters"}
PASSWORDS = {name: secrets.token_urlsafe(16) for name in SERVICE_NAMES}
NOW = utc_now()


@pytest.fixture(scope="module")
async def role_urls(database_url: str) -> dict[str, str]:
    """service -> its role's URL, after `loket migrate` as the owner (the session's superuser)."""
    report = await migrate_all(database_url, PASSWORDS)
    assert report.roles == [service_role(name) for name in SERVICE_NAMES]
    return {name: with_credentials(database_url, service_role(name), PASSWORDS[name]) for name in SERVICE_NAMES}


async def _as(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url, timeout=10)


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_a_service_role_uses_its_own_schema_and_is_refused_every_other(
        role_urls: dict[str, str], service: str) -> None:
    conn = await _as(role_urls[service])
    try:
        await conn.fetchval(f"SELECT count(*) FROM {service}.{TABLE_OF[service]}")
        await conn.fetchval(f"SELECT count(*) FROM {service}.outbox")
        for other in SERVICE_NAMES:
            if other == service:
                continue
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await conn.fetchval(f"SELECT count(*) FROM {other}.{TABLE_OF[other]}")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.execute(f"CREATE TABLE {service}.sneaky (v int)")  # DDL is the owner's
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.execute(f"DELETE FROM {service}.schema_migrations")
    finally:
        await conn.close()


async def test_reporting_can_never_read_the_letters_of_the_bridge(role_urls: dict[str, str]) -> None:
    conn = await _as(role_urls["reporting"])
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for schema ebox_bridge"):
            await conn.fetch("SELECT * FROM ebox_bridge.letters LIMIT 1")
    finally:
        await conn.close()


async def test_identity_grants_are_exactly_what_the_services_do(role_urls: dict[str, str]) -> None:
    booking, reporting = await _as(role_urls["booking"]), await _as(role_urls["reporting"])
    try:
        for conn in (booking, reporting):
            await conn.fetch("SELECT prefix FROM identity.api_keys LIMIT 1")
            await conn.execute("UPDATE identity.api_keys SET last_used_at = now() WHERE prefix = 'none'")
            await conn.fetch("SELECT municipality FROM identity.tenants LIMIT 1")
            await conn.execute("UPDATE identity.accounts SET failed_attempts = 0 WHERE id = -1")
            await conn.execute("UPDATE identity.sessions SET last_seen_at = now() WHERE id_sha256 = 'none'")
            await conn.execute("DELETE FROM identity.sessions WHERE id_sha256 = 'none'")
            for refused in ("DELETE FROM identity.api_keys WHERE prefix = 'none'",
                            "UPDATE identity.accounts SET username = 'someone' WHERE id = -1",
                            "DELETE FROM identity.accounts WHERE id = -1",
                            "INSERT INTO identity.tenants (municipality, name, document) VALUES ('99999', 'x', '{}')",
                            "SELECT count(*) FROM identity.schema_migrations"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                    await conn.execute(refused)
        # Every service may append to the audit trail (a provider sign-in lands on any of them).
        audit = ("INSERT INTO identity.audit_log (principal, principal_kind, role, action, object_type, object_id, "
                 "service) VALUES ('test', 'system', 'operator', 'least privilege test', 'none', 'none', '{}')")
        await booking.execute(audit.format("booking"))
        await reporting.execute(audit.format("reporting"))
        # Only booking serves the administrators' key page: it alone makes and revokes keys.
        await booking.execute("UPDATE identity.api_keys SET revoked_at = now() WHERE prefix = 'none'")
        for refused in ("UPDATE identity.api_keys SET revoked_at = now() WHERE prefix = 'none'",
                        "INSERT INTO identity.api_keys (prefix, secret_sha256, name, municipality, role, created_by) "
                        "VALUES ('none', 'x', 'x', '12025', 'backoffice', 'test')"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await reporting.execute(refused)
    finally:
        await booking.close()
        await reporting.close()


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_the_audit_trail_is_trimmed_by_its_one_purger_and_appended_to_by_the_others(
        database_url: str, role_urls: dict[str, str], service: str) -> None:
    """Every service's retention job used to run the audit trail's purge, and every role was
    refused it (they may only append), which stopped each round before the dead letters' bodies."""
    who = f"least-privilege-{uuid.uuid4().hex[:8]}"
    owner = await _as(database_url)
    await owner.execute("""INSERT INTO identity.audit_log (at, principal, principal_kind, role, municipality, action,
                               object_type, object_id, service)
                           VALUES ($2, $1, 'person', 'staff', '12025', 'read', 'appointment', 'old', 'booking'),
                                  ($3, $1, 'person', 'staff', '12025', 'read', 'appointment', 'new', 'booking')""",
                        who, NOW - dt.timedelta(days=800), NOW - dt.timedelta(days=10))
    conn = await _as(role_urls[service])
    try:
        if service == AUDIT_TRAIL_PURGER:
            await audit.purge(conn, NOW, RetentionDays(730))  # (another test's purge may take the old row first)
            assert [r["object_id"] for r in await owner.fetch(
                "SELECT object_id FROM identity.audit_log WHERE principal = $1", who)] == ["new"]
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await conn.fetch("SELECT principal, object_id FROM identity.audit_log LIMIT 1")  # choose, not read
        else:
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await audit.purge(conn, NOW, RetentionDays(730))
    finally:
        await conn.close()
        await owner.execute("DELETE FROM identity.audit_log WHERE principal = $1", who)
        await owner.close()


async def test_only_the_bridge_may_import_the_tenant_file(role_urls: dict[str, str]) -> None:
    upsert = ("INSERT INTO identity.tenants (municipality, name, document) VALUES ('99999', 'x', '{}') "
              "ON CONFLICT (municipality) DO UPDATE SET name = excluded.name, updated_at = now()")
    bridge = await _as(role_urls["ebox_bridge"])
    try:
        transaction = bridge.transaction()
        await transaction.start()
        await bridge.execute(upsert)
        await transaction.rollback()  # leave the shared database's tenants as they were
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await bridge.execute("DELETE FROM identity.tenants WHERE municipality = '99999'")
    finally:
        await bridge.close()


async def test_tables_of_later_migrations_are_granted_and_a_rerun_changes_nothing(
        database_url: str, role_urls: dict[str, str]) -> None:
    owner = await _as(database_url)
    try:
        await owner.execute("CREATE TABLE reporting.later_projection (v int)")
        conn = await _as(role_urls["reporting"])
        try:
            await conn.execute("INSERT INTO reporting.later_projection VALUES (1)")
        finally:
            await conn.close()
        again = await migrate_all(database_url, PASSWORDS)  # every `loket up` re-applies: idempotent
        assert again.roles == [service_role(name) for name in SERVICE_NAMES]
    finally:
        await owner.execute("DROP TABLE IF EXISTS reporting.later_projection")
        await owner.close()


def test_the_nats_users_match_what_the_services_declare() -> None:
    for name in SERVICE_NAMES:
        spec = service_module(name).service_spec()
        declared = SERVICE_TOPICS[name]
        assert set(declared.publishes) == set(spec.publishes), name
        assert set(declared.consumes) == {s.topic for s in spec.subscriptions}, name


async def _declare_streams(url: str) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for name, subjects in topics.NATS_STREAMS.items():
            try:
                await js.stream_info(name)
            except NotFoundError:
                await js.add_stream(nats_wiring.stream_config(name, subjects))
    finally:
        await nc.close()


@pytest.fixture(scope="module")
async def nats_server(embedded_nats: EmbeddedNats) -> AsyncIterator[EmbeddedNats]:
    await _declare_streams(embedded_nats.url)
    yield embedded_nats


async def test_nats_refuses_a_client_without_credentials(nats_server: EmbeddedNats) -> None:
    with pytest.raises(Exception, match="Authorization Violation"):
        await nats.connect(nats_server.address, allow_reconnect=False, connect_timeout=3)
    wrong = with_credentials(nats_server.address, BACKOFFICE, "not-the-password")
    with pytest.raises(Exception, match="Authorization Violation"):
        await nats.connect(wrong, allow_reconnect=False, connect_timeout=3)


async def _publish_as(server: EmbeddedNats, user: str, subject: str) -> list[str]:
    """Publish with a JetStream ack; return the permission errors the server reported."""
    errors: list[str] = []

    async def collect(error: Exception) -> None:
        errors.append(str(error))

    nc = await nats.connect(server.url_for(user), error_cb=collect)
    try:
        try:
            ack = await nc.jetstream().publish(subject, b"{}", timeout=2)
            assert ack.stream == topics.stream_for(subject)
        except TimeoutError:
            pass  # a refused publish is dropped by the server: no ack ever comes
        await nc.flush()
        await asyncio.sleep(0.1)
    finally:
        await nc.close()
    return [e for e in errors if "permissions violation" in e.lower()]


async def test_the_backoffice_may_issue_letters_and_nothing_else(nats_server: EmbeddedNats) -> None:
    assert await _publish_as(nats_server, BACKOFFICE, topics.LETTERS_ISSUED + ".dlq.none") != []
    refused = await _publish_as(nats_server, BACKOFFICE, topics.APPOINTMENTS)
    assert any(f'publish to "{topics.APPOINTMENTS}"' in e for e in refused), refused
    assert await _publish_as(nats_server, BACKOFFICE, topics.LETTERS_ISSUED) == []


async def test_a_service_user_publishes_its_own_topics_and_dead_letters_only(nats_server: EmbeddedNats) -> None:
    assert await _publish_as(nats_server, "notify", topics.NOTIFICATIONS) == []
    assert await _publish_as(nats_server, "notify", topics.dlq_topic(topics.APPOINTMENTS)) == []
    assert await _publish_as(nats_server, "reporting", topics.APPOINTMENTS) != []  # it only reads
    assert await _publish_as(nats_server, "booking", topics.LETTERS_ISSUED) != []  # only a back-office issues
    # … or the bridge, for letters its API took and refused ones its desk sends in again.
    assert await _publish_as(nats_server, "ebox_bridge", topics.LETTERS_ISSUED) == []


def test_the_nats_passwords_and_config_are_private(nats_server: EmbeddedNats) -> None:
    for path in (nats_server.data_dir / "nats.conf", nats_server.password_file(BACKOFFICE)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_urls_are_shown_without_their_password() -> None:
    url = with_credentials("postgresql://127.0.0.1:5432/loket?sslmode=verify-full", "loket_booking", "s3cret")
    assert url == "postgresql://loket_booking:s3cret@127.0.0.1:5432/loket?sslmode=verify-full"
    assert redacted(url) == "postgresql://loket_booking:***@127.0.0.1:5432/loket?sslmode=verify-full"
    assert redacted("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222"


@pytest.mark.slow
async def test_a_data_directory_made_with_trust_is_upgraded_to_scram_with_its_data(tmp_path: Path) -> None:
    data = tmp_path / "pg"
    data.mkdir()
    account = accounts.postgres_account()
    if account is not None:
        accounts.hand_over(data, account)
    binaries = _install_dir() / "bin"
    made = run_tool([str(binaries / "initdb"), f"--pgdata={data}", "--auth=trust", "--username=loket", "--no-sync"],
                    cwd=data, run_as=account)
    assert made.returncode == 0, made.stderr
    # A row written the old way, with no server and no password (single-user mode).
    kept = run_tool([str(binaries / "postgres"), "--single", "-D", str(data), "postgres"], cwd=data, run_as=account,
                    stdin="CREATE TABLE kept (v text);\nINSERT INTO kept VALUES ('still here');\n")
    assert kept.returncode == 0, kept.stderr

    server = EmbeddedPostgres(data, fsync=False)
    try:
        server.start()
        rules = [line for line in (data / "pg_hba.conf").read_text().splitlines() if line and not line.startswith("#")]
        assert rules and all(line.split()[-1] == "scram-sha-256" for line in rules), rules
        assert stat.S_IMODE(server.superuser_password_file.stat().st_mode) == 0o600
        conn = await asyncpg.connect(server.url.rsplit("/", 1)[0] + "/postgres", timeout=10)  # where it was written
        try:
            assert await conn.fetchval("SELECT v FROM kept") == "still here"
        finally:
            await conn.close()
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(with_credentials(server.address, "loket", "wrong"), timeout=10)
    finally:
        server.stop()
